#include "timeline.h"

qsizetype Timeline::merge(const QList<Message> &messages)
{
    qsizetype added = 0;
    for (const Message &message : messages) {
        if (!m_messages.contains(message.id)) {
            m_messages.insert(message.id, message);
            ++added;
        }
    }
    // Ids in a room have no gaps: the run ends where an id is missing.
    m_runStart = newestId();
    for (auto it = m_messages.constEnd(); it != m_messages.constBegin();) {
        --it;
        if (it.key() < m_runStart - 1)
            break;
        m_runStart = it.key();
    }
    return added;
}
