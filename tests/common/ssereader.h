#pragma once

#include "httpclient.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>

class QNetworkAccessManager;

struct SseEvent
{
    QByteArray id;
    QByteArray event = "message"; // the SSE default when no `event:` field is sent
    QByteArray data;

    QJsonObject json() const;
};

// Follows one Server-Sent Events stream and parses it as it arrives, the way an
// EventSource would: fields up to a blank line make one event, `:` lines are comments.
class SseReader : public QObject
{
    Q_OBJECT

public:
    SseReader(QNetworkAccessManager &nam, const QUrl &url, const HeaderList &headers = {},
        QObject *parent = nullptr);
    ~SseReader() override;

    // Waits until the status line and headers are in (or the request ended).
    bool waitForHeaders(int timeoutMs);
    // Waits until at least `count` events arrived in total (false on deadline or end).
    bool waitForEventCount(qsizetype count, int timeoutMs);
    // Waits until the server ends the stream.
    bool waitForEnd(int timeoutMs);
    void close();

    int status() const { return m_status; }
    QByteArray header(const QByteArray &name) const;
    bool isFinished() const { return m_finished; }
    QList<SseEvent> events() const { return m_events; }
    QList<QByteArray> comments() const { return m_comments; }
    QList<qint64> eventIds() const;
    // Everything the server sent, for failure messages and for non-SSE (error) answers.
    QByteArray rawBody() const { return m_raw; }

signals:
    void eventReceived(const SseEvent &event);

private:
    void readAvailable();
    void parseLine(const QByteArray &line);

    QPointer<QNetworkReply> m_reply;
    int m_status = 0;
    bool m_headersIn = false;
    bool m_finished = false;
    QByteArray m_raw;
    QByteArray m_pending; // bytes after the last complete line
    SseEvent m_current;
    bool m_currentHasData = false;
    QList<SseEvent> m_events;
    QList<QByteArray> m_comments;
};
