#include "metrics.h"

QByteArray Metrics::render(const CommitStats &commits) const
{
    QByteArray text;
    text += "# HELP chatapp_http_requests_total Requests answered, by status code.\n"
            "# TYPE chatapp_http_requests_total counter\n";
    for (auto it = m_responsesByStatus.cbegin(); it != m_responsesByStatus.cend(); ++it)
        text += "chatapp_http_requests_total{status=\"" + QByteArray::number(it.key()) + "\"} "
              + QByteArray::number(it.value()) + '\n';
    text += "# HELP chatapp_messages_stored_total Messages committed since start.\n"
            "# TYPE chatapp_messages_stored_total counter\n"
            "chatapp_messages_stored_total " + QByteArray::number(commits.messages) + '\n';
    text += "# HELP chatapp_open_streams Open event streams.\n"
            "# TYPE chatapp_open_streams gauge\n"
            "chatapp_open_streams " + QByteArray::number(m_openStreams) + '\n';
    text += "# HELP chatapp_open_polls Long polls being held.\n"
            "# TYPE chatapp_open_polls gauge\n"
            "chatapp_open_polls " + QByteArray::number(m_heldPolls) + '\n';
    text += "# HELP chatapp_commit_seconds Time spent in group commits.\n"
            "# TYPE chatapp_commit_seconds summary\n"
            "chatapp_commit_seconds_sum " + QByteArray::number(commits.seconds, 'f', 6) + '\n'
          + "chatapp_commit_seconds_count " + QByteArray::number(commits.commits) + '\n';
    text += "# HELP chatapp_commit_batch_messages_sum Messages written by group commits.\n"
            "# TYPE chatapp_commit_batch_messages_sum counter\n"
            "chatapp_commit_batch_messages_sum " + QByteArray::number(commits.messages) + '\n';
    return text;
}
