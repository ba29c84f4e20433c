#pragma once

#include "backoff.h"
#include "core/message.h"
#include "core/roomname.h"
#include "roomoverview.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <optional>

class ApiClient;
class QNetworkReply;

// Keeps the window's room up to date with GETs on /messages. Each poll asks for what is
// newer than the last id it has seen, so a reconnect after an outage catches up with no
// gap, and a QTimer schedules the next one. By default the poll is a long poll
// (`wait=25`): it costs one held request while the room is quiet and answers the moment
// a message arrives. With an interval it is a plain GET every interval, for comparison.
class Poller : public QObject
{
    Q_OBJECT

public:
    static constexpr int longPollWaitSeconds = 25;
    static constexpr int pageLimit = 100;

    Poller(ApiClient *api, const QString &memberName, std::optional<int> intervalMs,
           QObject *parent = nullptr);

    // Starts following `room`. Without `after` the first poll fetches the newest page.
    void follow(const RoomName &room, std::optional<MessageId> after = std::nullopt);
    void stop();
    // Polls at once instead of waiting out a back-off, e.g. when a send just got through.
    // After a 401 the poller waits for this call (the window signed in) before polling again.
    void retryNow();
    // The room list's rooms_seq (Directory::roomsBaseline): from now on each poll also
    // asks for the rooms changed since, and a held poll is answered as soon as any room
    // changes, so other rooms' news arrives within a second rather than at a refresh.
    void setRoomsSince(qint64 roomsSeq);

    // Counted online under this name from the next poll on.
    void setMemberName(const QString &name) { m_memberName = name; }
    std::optional<RoomName> room() const { return m_room; }
    bool isLongPolling() const { return !m_intervalMs; }

signals:
    // `initial` is true for the first page of a room (the newest messages, not news).
    void messagesArrived(const RoomName &room, const QList<Message> &messages, MessageId lastId,
                         bool initial);
    void onlineChanged(bool online);
    // No answer (or a 5xx): the next attempt is in `delayMs`.
    void retryScheduled(int delayMs, const QString &error);
    // The server has no such room (it was never created, or the store was reset).
    void roomMissing(const RoomName &room);
    // The room's newest id is older than what was already seen of it: the server's store
    // was reset or restored from a backup. What is held of the room is another copy's;
    // the poller starts over with the room's newest page (messagesArrived, `initial`).
    void roomReset(const RoomName &room);
    // Rooms changed after the baseline (oldest change first): new rooms, new messages,
    // someone came or went. The same objects as the room list, for those rooms only.
    void roomsChanged(const QList<RoomOverview> &rooms, qint64 roomsSeq);
    // The first answer since follow(room): the server counts the member name there now.
    void joined(const RoomName &room);

private:
    void poll();
    void schedule(int delayMs);
    void setOnline(bool online);
    void takeRoomChanges(const QJsonObject &body);

    ApiClient *m_api;
    QString m_memberName;
    std::optional<int> m_intervalMs;
    std::optional<RoomName> m_room; // none until follow()
    std::optional<MessageId> m_after;
    std::optional<qint64> m_roomsSince;
    bool m_inFlightAsksRooms = false;
    bool m_joined = false; // an answer came since follow()
    QTimer m_timer;
    QPointer<QNetworkReply> m_inFlight;
    Backoff m_backoff;
    bool m_online = true;
};
