#include "ssereader.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QTest>

QJsonObject SseEvent::json() const
{
    return QJsonDocument::fromJson(data).object();
}

SseReader::SseReader(
    QNetworkAccessManager &nam, const QUrl &url, const HeaderList &headers, QObject *parent)
    : QObject(parent)
{
    HeaderList all = headers;
    all.append(std::pair<QByteArray, QByteArray>("Accept", "text/event-stream"));
    m_reply = startRequest(nam, "GET", url, {}, all);
    connect(m_reply, &QNetworkReply::metaDataChanged, this, [this] {
        m_status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        m_headersIn = true;
    });
    connect(m_reply, &QNetworkReply::readyRead, this, &SseReader::readAvailable);
    connect(m_reply, &QNetworkReply::finished, this, [this] {
        readAvailable();
        if (!m_headersIn)
            m_status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        m_finished = true;
    });
}

SseReader::~SseReader()
{
    close();
}

void SseReader::close()
{
    if (!m_reply)
        return;
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    reply->disconnect(this);
    if (!reply->isFinished())
        reply->abort();
    reply->deleteLater();
    m_finished = true;
}

bool SseReader::waitForHeaders(int timeoutMs)
{
    return QTest::qWaitFor([this] { return m_headersIn || m_finished; }, timeoutMs) && m_headersIn;
}

bool SseReader::waitForEventCount(qsizetype count, int timeoutMs)
{
    const bool ended
        = QTest::qWaitFor([&] { return m_events.size() >= count || m_finished; }, timeoutMs);
    return ended && m_events.size() >= count;
}

bool SseReader::waitForEnd(int timeoutMs)
{
    return QTest::qWaitFor([this] { return m_finished; }, timeoutMs);
}

QByteArray SseReader::header(const QByteArray &name) const
{
    return m_reply ? m_reply->rawHeader(name) : QByteArray();
}

QList<qint64> SseReader::eventIds() const
{
    QList<qint64> ids;
    for (const SseEvent &event : m_events)
        ids.append(event.id.toLongLong());
    return ids;
}

void SseReader::readAvailable()
{
    if (!m_reply)
        return;
    const QByteArray chunk = m_reply->readAll();
    m_raw += chunk;
    m_pending += chunk;
    for (;;) {
        const qsizetype end = m_pending.indexOf('\n');
        if (end < 0)
            break;
        QByteArray line = m_pending.left(end);
        m_pending.remove(0, end + 1);
        if (line.endsWith('\r'))
            line.chop(1);
        parseLine(line);
    }
}

void SseReader::parseLine(const QByteArray &line)
{
    if (line.isEmpty()) {
        // Blank line: dispatch. The id is sticky across events, the type is not.
        if (m_currentHasData) {
            if (m_current.data.endsWith('\n'))
                m_current.data.chop(1);
            m_events.append(m_current);
            emit eventReceived(m_current);
        }
        m_current.data.clear();
        m_current.event = "message";
        m_currentHasData = false;
        return;
    }
    if (line.startsWith(':')) {
        m_comments.append(line.mid(1).trimmed());
        return;
    }
    const qsizetype colon = line.indexOf(':');
    const QByteArray field = colon < 0 ? line : line.left(colon);
    QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
    if (value.startsWith(' '))
        value.remove(0, 1);
    if (field == "data") {
        m_current.data += value + '\n';
        m_currentHasData = true;
    } else if (field == "event") {
        m_current.event = value;
    } else if (field == "id") {
        m_current.id = value;
    }
}
