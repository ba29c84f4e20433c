#pragma once

#include "core/message.h"
#include "core/roomname.h"
#include "roomactivity.h"
#include "sharedpresence.h"
#include "storage/storage.h"
#include "typingboard.h"

#include <QByteArray>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QMap>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <functional>
#include <map>
#include <optional>

class QTcpSocket;
class Metrics;

// Anything that follows a room live and is told when it advances (an event stream).
// A follower is never deleted while the hub calls it (close() defers the deletion), but
// it may close and unfollow from inside any of these calls.
class RoomFollower
{
public:
    virtual ~RoomFollower() = default;
    // The room's messages stored since it was last told, contiguous and in id order
    // (never empty). Its cursor may be anywhere: behind them, or past some of them.
    virtual void roomAdvanced(const QList<Message> &news) = 0;
    // Nothing else to say for a while: a sign of life, so that proxies and idle
    // timeouts along the way do not take the connection for dead.
    virtual void keepAlive() = 0;
    virtual void close() = 0;
    // The session it was opened under (its token's hash), or empty on a server without one.
    virtual QByteArray session() const { return {}; }
    // That session was revoked: what it held must end.
    virtual void sessionEnded() { close(); }
    // Rooms changed (followRooms): told at most every Hub::roomsEventIntervalMs, so that a
    // flood in one room costs a follower of the room list a few writes, not one a message.
    virtual void roomsChanged() {}
    // Who is typing in the room changed (TypingBoard); `names` are all of them now.
    virtual void typingChanged(const QStringList &) {}
};

struct RoomSummary
{
    QString name;
    MessageId lastId = 0;
    qsizetype online = 0;
};

// The rooms changed after a cursor, oldest change first, and the cursor to go on from.
struct RoomChanges
{
    QList<RoomSummary> rooms;
    qint64 seq = 0;
};

// One page of the room list, in name order.
struct RoomPage
{
    QList<RoomSummary> rooms;
    bool more = false; // rooms follow the last one listed
};

struct Member
{
    QString name;
    QDateTime lastSeen;
    bool typing = false;
};

// The live side of the rooms, on the server thread: each room's last id, its newest
// messages kept in memory, the long polls held on it and the streams following it, and
// who is online. It only enqueues and wakes; reading older history goes to storage.
class Hub : public QObject
{
    Q_OBJECT

public:
    Hub(Storage &storage, Metrics &metrics, QObject *parent = nullptr);

    void loadRooms(const QList<RoomRecord> &rooms);
    bool hasRoom(const RoomName &room) const;
    void addRoom(const RoomName &room);
    MessageId lastId(const RoomName &room) const;
    RoomSummary summary(const RoomName &room) const;
    // At most `limit` rooms whose names sort after `after` (from the first without it),
    // in O(log rooms + limit): anyone may create rooms, and every window lists them.
    RoomPage roomsAfter(const std::optional<RoomName> &after, qsizetype limit) const;

    // The room activity sequence (RoomActivity): what a room list is as of, and what
    // changed since. At most maxChangedRooms a time, so that an answer stays bounded.
    static constexpr qsizetype maxChangedRooms = 100;
    // Polls and streams that follow the room list are told of a change at once, then at
    // most once per interval: every window follows every room, so a flood in one room
    // would otherwise make each of them poll once a message.
    static constexpr int roomsEventIntervalMs = 250;
    qint64 roomsSeq() const { return m_activity.current(); }
    bool roomsChangedSince(qint64 since) const { return m_activity.changedSince(since); }
    RoomChanges roomChangesSince(qint64 since) const;

    // Called once per stored message, in id order within each room. Held polls wake at
    // once; followers are told on the next turn of the event loop, of everything
    // published until then, so that a busy room costs one write per follower per turn
    // rather than one per message.
    void publish(const Message &message);
    // A message as it is now, after a change whose entry is published next: history read
    // from memory must show it so, as history read from the store does.
    void messageChanged(const Message &current);
    // The store holds the room up to `head` (another node wrote it, or a read saw it): the
    // entries this node does not have are read and published in order. A room not known
    // here is added (another node created it).
    void headMoved(const RoomName &room, MessageId head);
    // The store is known to hold entries of the room that are not published here yet.
    bool behindStore(const RoomName &room) const;

    // Like Storage::read, but answered from memory (at once, synchronously) when the
    // recent messages cover the request.
    void read(const RoomName &room, const PageRequest &request, QObject *context,
              std::function<void(const Page &)> done);
    // The page from memory, or nothing when the recent messages do not cover the request.
    // Such a page depends only on the request and the room's last id, as a message never
    // changes once stored.
    std::optional<Page> readRecent(const RoomName &room, const PageRequest &request) const;

    // Holds a long poll until the room has a message newer than `after`, the timeout
    // passes, its `session` ends, or the server shuts down; then calls `wake` once. If
    // `socket` disconnects first, `wake` is dropped. With `watchRooms` it also wakes when
    // any room changes (the poll asked for rooms_since).
    void holdPoll(const RoomName &room, MessageId after, int timeoutMs, QTcpSocket *socket,
                  std::function<void()> wake, const QByteArray &session = {},
                  bool watchRooms = false);

    void follow(const RoomName &room, RoomFollower *follower);
    void unfollow(const RoomName &room, RoomFollower *follower);
    void followRooms(RoomFollower *follower);
    void unfollowRooms(RoomFollower *follower);

    void sawMember(const RoomName &room, const QString &name);
    // As sawMember, for a name seen before (a held poll answered): one that left since
    // stays gone, or the poll its leaving woke would bring it back.
    void sawMemberAgain(const RoomName &room, const QString &name);
    void memberStreamOpened(const RoomName &room, const QString &name);
    void memberStreamClosed(const RoomName &room, const QString &name);
    // The name said it left: off the online list now, not a minute later. A stream still
    // open under it no longer counts; the name's next poll or stream brings it back.
    void leave(const RoomName &room, const QString &name);
    QList<Member> members(const RoomName &room) const;
    // `name` is typing in `room` (POST .../typing), which also counts as being seen there.
    // Streams are told; held polls are not woken (a poll each per typist would cost every
    // window a request): windows see it in the members list.
    void startedTyping(const RoomName &room, const QString &name);
    QStringList typing(const RoomName &room) const;
    // Names a room remembers at most (besides those with a stream open): beyond it the
    // one seen longest ago is forgotten, so distinct `name=` values cannot grow the
    // members list, and the time every poll spends on it, without bound.
    static constexpr qsizetype maxMembersPerRoom = 1000;
    // How long a name stays online after it was last seen; past it, it is forgotten.
    static constexpr qint64 onlineWindowMs = 60 * 1000;
    // Members and typists are shared with the other nodes serving the same store through
    // `shared` (which must outlive the hub): what this node sees is told to it, and the
    // members list, the room list's counts and typing include what the others see.
    void sharePresence(SharedPresence &shared);
    // For tests: where the hub reads the time from.
    void setClock(std::function<QDateTime()> now) { m_now = std::move(now); }

    // Shutting down: every held poll is answered now and every stream is closed.
    void releaseAll();
    // A token was revoked: the polls held under `session` wake now (their wake sees the
    // token gone) and the streams opened under it end. Nothing the token opened outlives it.
    void endSession(const QByteArray &session);

private:
    struct HeldPoll
    {
        MessageId after = 0;
        qint64 deadlineMs = 0; // on m_clock, its key in m_pollDeadlines
        std::function<void()> wake;
        QByteArray session;
        QMetaObject::Connection disconnection;
        bool watchesRooms = false;
    };

    struct RoomState
    {
        MessageId lastId = 0;
        MessageId toldId = 0; // the followers have been told of everything up to here
        QList<Message> recent; // the newest messages, contiguous ids ending at lastId
        QHash<quint64, HeldPoll> polls;
        QSet<RoomFollower *> followers;
        QHash<QString, QDateTime> lastSeen;
        QHash<QString, int> openStreamsByName;
        // The names in lastSeen in the order they were last seen, oldest first, so that
        // forgetting the expired and the surplus looks only at the front.
        std::map<quint64, QString> seenOrder;
        QHash<QString, quint64> seenTurn; // name -> its key in seenOrder
        // Catching up with the store (hubcatchup.cpp): the newest id known to be stored,
        // and this node's own entries that came before the ids below them were read.
        MessageId knownHead = 0;
        QMap<MessageId, Message> ahead;
        bool catchingUp = false;
    };

    const RoomState &stateOf(const RoomName &room) const;
    // publish() of the room's next id.
    void publishNext(const Message &message);
    void publishAhead(const QString &room);
    void catchUp(const QString &room);
    void caughtUp(const QString &room, const Page &page);
    // An entry read from the store changes a message that `recent` may hold as it was.
    void applyStoredChange(RoomState &state, const Message &change, MessageId firstRead);
    // Streams or held polls on the room here: only then are other nodes' entries read.
    static bool hasReaders(const RoomState &state) { return !state.followers.isEmpty() || !state.polls.isEmpty(); }
    // Another node moved a room nobody here reads: its last id, for the room list, without
    // reading what it holds; memory forgets the room, so a read goes to the store.
    void skipTo(const QString &room, MessageId head);
    void readerArrived(const QString &room);
    static void blankEditsOf(QList<Message> &recent, MessageId deleted);
    void releasePoll(const QString &room, quint64 pollId);
    std::optional<Page> readFromMemory(const RoomState &state, const PageRequest &request) const;
    qsizetype onlineCount(const QString &room, const RoomState &state) const;
    // Tells the other nodes how `name` stands in `room` now.
    void share(const QString &room, const QString &name, bool prompt, bool startedTyping = false);
    // True when the online set changed: the name was not online, or others were forgotten.
    bool touchMember(const QString &room, RoomState &state, const QString &name);
    bool isOnline(const RoomState &state, const QString &name, const QDateTime &cutoff) const;
    void roomChanged(const QString &room);
    void wakeRoomWatchers();
    void tellRoomsFollowers();
    template<typename Call>
    void forEachFollower(const QString &room, Call call);
    void keepFollowersAlive();
    void tellFollowers();
    // Takes the next room with news and followers; false when there is none.
    bool startTelling();

    Storage &m_storage;
    Metrics &m_metrics;
    // Ordered by name, so that a page of the room list starts where the last one ended
    // without sorting every room each time.
    QMap<QString, RoomState> m_rooms;
    quint64 m_nextPollId = 1;
    quint64 m_nextSeenTurn = 1;
    std::function<QDateTime()> m_now = [] { return QDateTime::currentDateTimeUtc(); };
    QList<QString> m_roomsWithNews; // in the order they advanced
    bool m_tellingQueued = false;
    // A room's followers being told its news, a slice each turn of the event loop, so
    // that a sender's next message is read and on its way to the disk meanwhile.
    struct Telling
    {
        QString room;
        QList<Message> news;
        QList<RoomFollower *> followers;
        qsizetype next = 0;
    };
    std::optional<Telling> m_telling;
    // One timer for all streams: a timer each would cost every open and close a walk
    // through Qt's list of timers, thousands long.
    QTimer m_keepAliveTimer;
    RoomActivity m_activity;
    TypingBoard m_typing;
    NoSharedPresence m_alone;
    SharedPresence *m_shared = &m_alone;
    // The held polls that asked for rooms_since (poll id -> its room): only these wake on
    // a change elsewhere, so a poll that did not ask costs nothing more.
    QHash<quint64, QString> m_roomWatchers;
    QTimer m_roomWatchersTimer; // the next wake, when the last was too recent
    QElapsedTimer m_sinceWatchersWoken;
    QSet<RoomFollower *> m_roomsFollowers;
    QTimer m_roomsTellTimer; // one for all, as m_keepAliveTimer
    // When each held poll times out, soonest first, and one timer for the soonest: a timer
    // per poll cost 3 % of a long-poll load, and lived its whole wait after the poll was
    // answered (thousands of them, for each message a crowd of polls answered).
    std::map<std::pair<qint64, quint64>, QString> m_pollDeadlines; // (deadline, poll id) -> room
    QTimer m_pollTimer;
    QElapsedTimer m_clock;
    void forgetDeadline(const HeldPoll &poll, quint64 pollId);
    void scheduleNextTimeout();
    void releaseTimedOutPolls();
};
