#pragma once

#include "apiclient.h"
#include "core/message.h"
#include "roomoverview.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrlQuery>

class QNetworkReply;

// The rooms on the server and who is online in the current one. The whole list is taken
// at start and then rarely; news of rooms comes between through the poller (rooms_since,
// whose baseline is the list's rooms_seq), and the members are asked for again when the
// poller says the current room changed. The server lists rooms a page at a time; a
// listing follows the pages one request after another and reports the whole list once
// it has it.
class Directory : public QObject
{
    Q_OBJECT

public:
    // The safety net: news of rooms comes with the poll, but a name that falls silent is
    // dropped by the server only when it next looks at the room, which no poll is told of;
    // a poll in trouble may miss a change. A server too old to give rooms_seq has no other
    // news of rooms, so it is refreshed as often as before.
    static constexpr int refreshIntervalMs = 60000;
    static constexpr int refreshIntervalWithoutSeqMs = 10000;
    // Past this many rooms a refresh stops following pages and reports what it has, so a
    // server whose pages never end cannot keep the window asking for ever.
    static constexpr qsizetype maxListedRooms = 5000;
    // As many pages as maxListedRooms fills at the server's default page size: a server
    // that answers a room or none at a time cannot make a refresh thousands of requests.
    static constexpr int maxRoomPages = 50;
    // Who is typing comes with the members, and no poll is woken for it (that would cost
    // every window in the room a request per typist). So while a conversation is on in
    // the current room (it changed: a message, someone came or went; or it was just
    // joined; or someone is listed typing) and for conversationMs after, the members are
    // asked for every typingRefreshMs: "ana is typing…" shows and goes within about that.
    // A quiet room costs nothing more; a typist in a room quiet for longer is seen only
    // when the next change there brings the members.
    static constexpr int typingRefreshMs = 2000;
    static constexpr int conversationMs = 30000;

    explicit Directory(ApiClient *api, QObject *parent = nullptr);

    void setCurrentRoom(const RoomName &room);
    // Refreshes now and every refreshIntervalMs; also resumes after a 401 paused it.
    void start();
    // Asked for while a refresh of the rooms is under way, another one follows it.
    void refreshNow();
    // PUT: creates the room (201) or confirms it (200), then refreshes.
    void createRoom(const RoomName &room);
    // The poller's news: rooms changed after the baseline. Only the members are this
    // class's to follow up (when the current room is among them).
    void roomsChanged(const QList<RoomOverview> &rooms, qint64 roomsSeq);
    // The poller's first answer in `room`: the server counts the name there now.
    void joined(const RoomName &room);
    // DELETE .../members/{name}: off the room's online list now, not in a minute.
    void leave(const RoomName &room, const QString &name);
    // Quitting: gives the leave()s under way up to `maxMs` to go out, so that others see
    // the name gone at once, without holding the quit up for long.
    void finishLeaving(int maxMs);

signals:
    void roomsUpdated(const QList<RoomOverview> &rooms);
    // The rooms_seq of the last whole listing: changes after it are news (Poller).
    void roomsBaseline(qint64 roomsSeq);
    void membersUpdated(const RoomName &room, const QStringList &names);
    // With each membersUpdated: those of them who are typing.
    void typingUpdated(const RoomName &room, const QStringList &names);
    void roomCreated(const RoomName &room);
    void roomRefused(const RoomName &room, const ApiResult &result);

private:
    enum class WhenBusy { Skip, Queue };

    void pauseIfSignedOut(const ApiResult &result);
    void refreshRooms(WhenBusy whenBusy);
    void requestRoomPage(const QUrlQuery &query);
    void roomPageArrived(const ApiResult &result);
    void finishListing(bool complete);
    void refreshMembers();
    // As refreshMembers(), but one under way is followed by another: it may have been
    // answered before the change that asks for this one.
    void refreshMembersAgain();
    // Something happened in the current room: typing is watched for a while (see
    // typingRefreshMs).
    void conversationGoesOn();

    ApiClient *m_api;
    std::optional<RoomName> m_currentRoom;
    QTimer m_timer;
    QPointer<QNetworkReply> m_roomsRequest; // the page being asked for
    QPointer<QNetworkReply> m_membersRequest;
    bool m_listing = false; // a refresh of the rooms is following pages
    bool m_listingAgain = false; // and another was asked for meanwhile
    QList<RoomOverview> m_listed; // the rooms of the pages so far
    int m_listedPages = 0;
    std::optional<qint64> m_listedSeq; // the first page's rooms_seq
    bool m_membersAgain = false;
    QTimer m_typingTimer;
    QElapsedTimer m_sinceConversation;
    QList<QPointer<QNetworkReply>> m_leaving;
};
