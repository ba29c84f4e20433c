#pragma once

#include "hub.h"
#include "reply.h"

#include <QObject>
#include <memory>
#include <optional>

// One Server-Sent Events reader of a room. It keeps a cursor, the last id it has
// written, and each time the room advances it writes everything after the cursor, in
// order, from memory or from storage. So replay and live delivery are one mechanism,
// and a reader who resumes from its last id gets no gap and no duplicate. With
// `roomsSince` it also sends `rooms` events, the rooms changed since (docs/api.md); they
// carry no id, so Last-Event-ID stays the room's message cursor. So do `typing` events,
// who is typing in the room whenever that changes.
class EventStream : public QObject, public RoomFollower
{
    Q_OBJECT

public:
    EventStream(std::shared_ptr<Reply> reply, RoomName room, MessageId cursor, QString memberName,
                std::optional<qint64> roomsSince, Hub &hub, qint64 maxUnsentBytes, QObject *parent);
    ~EventStream() override;

    // With `reset`, first tells the reader that its cursor was beyond the room's newest
    // message, which this stream's cursor now is.
    void start(const std::optional<ApiError> &reset = std::nullopt);
    // What a HEAD of the stream gets: the head start() writes, and the end.
    static void answerHead(Reply &reply);
    void roomAdvanced(const QList<Message> &news) override;
    void keepAlive() override;
    void roomsChanged() override;
    void typingChanged(const QStringList &names) override;
    void close() override;
    QByteArray session() const override;
    // Tells the reader why with a last event, then closes: an EventSource reconnects and
    // gets 401, which a client takes as the cue to sign in again.
    void sessionEnded() override;

private:
    void pump();
    void writePage(const Page &page);
    // False, and the stream closed, when its reader is gone or not keeping up.
    bool readerKeepsUp();

    qint64 m_maxUnsentBytes;
    std::shared_ptr<Reply> m_reply;
    RoomName m_room;
    MessageId m_cursor;
    QString m_memberName;
    std::optional<qint64> m_roomsSince;
    Hub &m_hub;
    bool m_reading = false;
    bool m_closed = false;
};
