#include "hub.h"

#include "metrics.h"

#include <QTcpSocket>
#include <QTimer>
#include <algorithm>
#include <utility>

namespace {
// Enough for every reader that is following along to be served from memory, small
// enough that thousands of rooms stay cheap.
constexpr qsizetype recentMessagesPerRoom = 512;
constexpr int keepAliveMs = 15 * 1000;
// About a millisecond of writes (a send() each, when readers keep up): the longest a
// sender's next message waits to be read while a room of thousands is told.
constexpr qsizetype followersToldPerTurn = 256;
} // namespace

Hub::Hub(Storage &storage, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_storage(storage)
    , m_metrics(metrics)
{
    connect(&m_keepAliveTimer, &QTimer::timeout, this, &Hub::keepFollowersAlive);
    m_keepAliveTimer.start(keepAliveMs);
    m_roomWatchersTimer.setSingleShot(true);
    connect(&m_roomWatchersTimer, &QTimer::timeout, this, &Hub::wakeRoomWatchers);
    m_roomsTellTimer.setSingleShot(true);
    connect(&m_roomsTellTimer, &QTimer::timeout, this, &Hub::tellRoomsFollowers);
    m_pollTimer.setSingleShot(true);
    m_pollTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_pollTimer, &QTimer::timeout, this, &Hub::releaseTimedOutPolls);
    m_clock.start();
    connect(&m_typing, &TypingBoard::changed, this, [this](const QString &room, const QStringList &names) {
        forEachFollower(room, [&names](RoomFollower *follower) { follower->typingChanged(names); });
    });
}

void Hub::loadRooms(const QList<RoomRecord> &rooms)
{
    for (const RoomRecord &room : rooms) {
        RoomState &state = m_rooms[room.name.value()];
        state.lastId = room.lastId;
        state.toldId = room.lastId;
        state.knownHead = room.lastId;
    }
}

bool Hub::hasRoom(const RoomName &room) const
{
    return m_rooms.contains(room.value());
}

void Hub::addRoom(const RoomName &room)
{
    if (!m_rooms.contains(room.value())) {
        m_rooms.insert(room.value(), RoomState());
        roomChanged(room.value());
    }
}

MessageId Hub::lastId(const RoomName &room) const
{
    return stateOf(room).lastId;
}

const Hub::RoomState &Hub::stateOf(const RoomName &room) const
{
    static const RoomState unknown;
    const auto it = m_rooms.constFind(room.value());
    return it == m_rooms.cend() ? unknown : *it;
}

RoomSummary Hub::summary(const RoomName &room) const
{
    const RoomState &state = stateOf(room);
    return {room.value(), state.lastId, onlineCount(room.value(), state)};
}

RoomPage Hub::roomsAfter(const std::optional<RoomName> &after, qsizetype limit) const
{
    RoomPage page;
    auto it = after ? m_rooms.upperBound(after->value()) : m_rooms.cbegin();
    for (; it != m_rooms.cend() && page.rooms.size() < limit; ++it)
        page.rooms.append({it.key(), it->lastId, onlineCount(it.key(), *it)});
    page.more = it != m_rooms.cend();
    return page;
}

RoomChanges Hub::roomChangesSince(qint64 since) const
{
    const RoomActivity::Changes changes = m_activity.since(since, maxChangedRooms);
    RoomChanges answer;
    answer.seq = changes.seq;
    answer.rooms.reserve(changes.rooms.size());
    for (const QString &room : changes.rooms) {
        const auto state = m_rooms.constFind(room);
        if (state != m_rooms.cend()) // always, as rooms are never removed; but cheap to be sure
            answer.rooms.append({room, state->lastId, onlineCount(room, *state)});
    }
    return answer;
}

void Hub::roomChanged(const QString &room)
{
    m_activity.changed(room);
    if (!m_roomWatchers.isEmpty() && !m_roomWatchersTimer.isActive()) {
        const qint64 sinceLast = m_sinceWatchersWoken.isValid() ? m_sinceWatchersWoken.elapsed()
                                                                 : roomsEventIntervalMs;
        if (sinceLast >= roomsEventIntervalMs)
            wakeRoomWatchers();
        else
            m_roomWatchersTimer.start(int(roomsEventIntervalMs - sinceLast));
    }
    if (!m_roomsFollowers.isEmpty() && !m_roomsTellTimer.isActive())
        m_roomsTellTimer.start(roomsEventIntervalMs);
}

void Hub::wakeRoomWatchers()
{
    m_sinceWatchersWoken.start();
    // Taken whole: a wake may hold a new poll, which waits for the next change.
    const QHash<quint64, QString> watchers = std::exchange(m_roomWatchers, {});
    for (auto it = watchers.cbegin(); it != watchers.cend(); ++it)
        releasePoll(it.value(), it.key());
}

void Hub::tellRoomsFollowers()
{
    // A follower may unfollow (itself or another) while being called; iterate over a copy.
    const QSet<RoomFollower *> followers = m_roomsFollowers;
    for (RoomFollower *follower : followers) {
        if (m_roomsFollowers.contains(follower))
            follower->roomsChanged();
    }
}

void Hub::followRooms(RoomFollower *follower)
{
    m_roomsFollowers.insert(follower);
}

void Hub::unfollowRooms(RoomFollower *follower)
{
    m_roomsFollowers.remove(follower);
}

void Hub::publish(const Message &message)
{
    RoomState &state = m_rooms[message.room];
    if (message.id <= state.lastId)
        return; // already known: a storage read overtook the commit's answer
    if (message.id != state.lastId + 1 && hasReaders(state)) {
        // Another node stored the ids between (or a read of this node's is not back yet):
        // this one waits until they are read, so that every follower and poll sees the
        // room in order (hubcatchup.cpp). A room nobody here follows needs no order.
        state.ahead.insert(message.id, message);
        catchUp(message.room);
        return;
    }
    publishNext(message);
    publishAhead(message.room);
}

void Hub::publishNext(const Message &message)
{
    RoomState &state = m_rooms[message.room];
    // A room is listed in m_roomsWithNews exactly while its followers are not told all.
    const bool listed = state.toldId < state.lastId;
    if (message.id != state.lastId + 1)
        state.recent.clear(); // keep `recent` contiguous
    state.lastId = message.id;
    state.knownHead = std::max(state.knownHead, message.id);
    state.recent.append(message);
    m_typing.stopped(message.room, message.author); // what was being typed is sent
    if (state.recent.size() > recentMessagesPerRoom)
        state.recent.removeFirst();

    // A poll whose cursor is ahead of this message (given out by another node) waits on.
    QList<quint64> waiting;
    for (auto poll = state.polls.cbegin(); poll != state.polls.cend(); ++poll) {
        if (poll->after < message.id)
            waiting.append(poll.key());
    }
    for (quint64 pollId : waiting)
        releasePoll(message.room, pollId);

    roomChanged(message.room);

    if (!listed)
        m_roomsWithNews.append(message.room);
    if (!m_tellingQueued) {
        m_tellingQueued = true;
        QMetaObject::invokeMethod(this, &Hub::tellFollowers, Qt::QueuedConnection);
    }
}

void Hub::messageChanged(const Message &current)
{
    const auto state = m_rooms.find(current.room);
    if (state == m_rooms.end() || state->recent.isEmpty())
        return;
    QList<Message> &recent = state->recent;
    const MessageId firstInMemory = recent.first().id;
    if (current.id >= firstInMemory && current.id - firstInMemory < recent.size())
        recent[current.id - firstInMemory] = current;
    if (current.deleted)
        blankEditsOf(recent, current.id);
}

void Hub::blankEditsOf(QList<Message> &recent, MessageId deleted)
{
    // The store blanked the text of the message's edits in the same transaction.
    for (Message &entry : recent) {
        if (entry.type == EntryType::Edit && entry.target == deleted && !entry.text.isEmpty()) {
            entry.text.clear();
            entry.serialise();
        }
    }
}

template<typename Call>
void Hub::forEachFollower(const QString &room, Call call)
{
    // A follower may unfollow (itself or another) while being called; iterate over a copy.
    const QSet<RoomFollower *> followers = m_rooms[room].followers;
    for (RoomFollower *follower : followers) {
        if (m_rooms[room].followers.contains(follower))
            call(follower);
    }
}

void Hub::tellFollowers()
{
    m_tellingQueued = false;
    // Rooms are told one after the other, each room's news whole before the next news
    // of that room, so that every follower gets each message once and in order; a slice
    // of followers a turn, across rooms.
    qsizetype budget = followersToldPerTurn;
    while (budget > 0) {
        if (!m_telling && !startTelling())
            break;
        Telling &telling = *m_telling;
        const qsizetype end = std::min(telling.followers.size(), telling.next + budget);
        for (; telling.next < end; ++telling.next) {
            RoomFollower *follower = telling.followers.at(telling.next);
            // One told earlier may have closed it, or another, since the list was taken.
            if (m_rooms[telling.room].followers.contains(follower))
                follower->roomAdvanced(telling.news);
            --budget;
        }
        if (telling.next >= telling.followers.size())
            m_telling.reset();
    }
    if ((m_telling || !m_roomsWithNews.isEmpty()) && !m_tellingQueued) {
        m_tellingQueued = true;
        QMetaObject::invokeMethod(this, &Hub::tellFollowers, Qt::QueuedConnection);
    }
}

bool Hub::startTelling()
{
    while (!m_roomsWithNews.isEmpty()) {
        const QString room = m_roomsWithNews.takeFirst();
        RoomState &state = m_rooms[room];
        const MessageId firstInMemory = state.lastId - state.recent.size() + 1;
        const MessageId from = std::max(state.toldId + 1, firstInMemory);
        state.toldId = state.lastId;
        if (from > state.lastId || state.followers.isEmpty())
            continue;
        m_telling = Telling{room, state.recent.mid(from - firstInMemory), state.followers.values(), 0};
        return true;
    }
    return false;
}

void Hub::keepFollowersAlive()
{
    const QList<QString> rooms = m_rooms.keys();
    for (const QString &room : rooms)
        forEachFollower(room, [](RoomFollower *follower) { follower->keepAlive(); });
}

std::optional<Page> Hub::readFromMemory(const RoomState &state, const PageRequest &request) const
{
    const bool newestFirst = request.before.has_value() || !request.after.has_value();
    const MessageId floor = request.after.value_or(0) + 1;
    MessageId low = 0;
    MessageId high = 0;
    if (newestFirst) {
        high = std::min(state.lastId, request.before.value_or(state.lastId + 1) - 1);
        low = std::max(floor, high - request.limit + 1);
    } else {
        low = floor;
        high = std::min(state.lastId, floor + request.limit - 1);
    }
    Page page;
    page.ok = true;
    if (high < low)
        return page;
    const MessageId firstInMemory = state.lastId - state.recent.size() + 1;
    if (low < firstInMemory)
        return std::nullopt;
    page.messages = state.recent.mid(low - firstInMemory, high - low + 1);
    return page;
}

void Hub::read(const RoomName &room, const PageRequest &request, QObject *context,
               std::function<void(const Page &)> done)
{
    if (auto page = readRecent(room, request)) {
        done(*page);
        return;
    }
    m_storage.read(room, request, context, std::move(done));
}

std::optional<Page> Hub::readRecent(const RoomName &room, const PageRequest &request) const
{
    const auto it = m_rooms.constFind(room.value());
    // Behind the store (another node wrote, and it is being read): memory would answer
    // without entries a reader may already have been told of by that node.
    if (it == m_rooms.cend() || it->knownHead > it->lastId)
        return std::nullopt;
    return readFromMemory(*it, request);
}

bool Hub::behindStore(const RoomName &room) const
{
    const RoomState &state = stateOf(room);
    return state.knownHead > state.lastId;
}

void Hub::holdPoll(const RoomName &room, MessageId after, int timeoutMs, QTcpSocket *socket,
                   std::function<void()> wake, const QByteArray &session, bool watchRooms)
{
    const quint64 pollId = m_nextPollId++;
    const QString name = room.value();
    HeldPoll &poll = m_rooms[name].polls[pollId];
    poll.after = after;
    poll.wake = std::move(wake);
    poll.session = session;
    poll.watchesRooms = watchRooms;
    if (watchRooms)
        m_roomWatchers.insert(pollId, name);
    poll.disconnection = connect(socket, &QTcpSocket::disconnected, this, [this, name, pollId] {
        auto state = m_rooms.find(name);
        m_roomWatchers.remove(pollId);
        if (state == m_rooms.end())
            return;
        if (auto gone = state->polls.find(pollId); gone != state->polls.end()) {
            forgetDeadline(*gone, pollId);
            state->polls.erase(gone);
            m_metrics.pollReleased();
        }
    });
    m_metrics.pollHeld();
    poll.deadlineMs = m_clock.elapsed() + timeoutMs;
    const auto added = m_pollDeadlines.emplace(std::pair{poll.deadlineMs, pollId}, name).first;
    if (added == m_pollDeadlines.begin())
        scheduleNextTimeout();
    readerArrived(name); // last: it may answer the poll at once
}

void Hub::forgetDeadline(const HeldPoll &poll, quint64 pollId)
{
    // The timer may stay set for the poll that went: it then finds nothing due, and
    // sets itself for the next.
    m_pollDeadlines.erase(std::pair{poll.deadlineMs, pollId});
}

void Hub::scheduleNextTimeout()
{
    if (m_pollDeadlines.empty()) {
        m_pollTimer.stop();
        return;
    }
    const qint64 wait = m_pollDeadlines.begin()->first.first - m_clock.elapsed();
    m_pollTimer.start(int(std::clamp<qint64>(wait, 0, std::numeric_limits<int>::max())));
}

void Hub::releaseTimedOutPolls()
{
    // Taken first: a poll's wake may hold a new one, which must wait for its own time.
    const qint64 now = m_clock.elapsed();
    QList<std::pair<QString, quint64>> due;
    while (!m_pollDeadlines.empty() && m_pollDeadlines.begin()->first.first <= now) {
        due.append({m_pollDeadlines.begin()->second, m_pollDeadlines.begin()->first.second});
        m_pollDeadlines.erase(m_pollDeadlines.begin());
    }
    for (const auto &[room, pollId] : due)
        releasePoll(room, pollId);
    scheduleNextTimeout();
}

void Hub::releasePoll(const QString &room, quint64 pollId)
{
    auto state = m_rooms.find(room);
    if (state == m_rooms.end())
        return;
    auto poll = state->polls.find(pollId);
    if (poll == state->polls.end())
        return;
    HeldPoll held = std::move(*poll);
    state->polls.erase(poll);
    forgetDeadline(held, pollId);
    if (held.watchesRooms)
        m_roomWatchers.remove(pollId);
    disconnect(held.disconnection);
    m_metrics.pollReleased();
    held.wake();
}

void Hub::follow(const RoomName &room, RoomFollower *follower)
{
    m_rooms[room.value()].followers.insert(follower);
    m_metrics.streamOpened();
    readerArrived(room.value());
}

void Hub::unfollow(const RoomName &room, RoomFollower *follower)
{
    if (m_rooms[room.value()].followers.remove(follower))
        m_metrics.streamClosed();
}

void Hub::sawMember(const RoomName &room, const QString &name)
{
    const bool came = touchMember(room.value(), m_rooms[room.value()], name);
    if (came)
        roomChanged(room.value());
    share(room.value(), name, came);
}

void Hub::sawMemberAgain(const RoomName &room, const QString &name)
{
    RoomState &state = m_rooms[room.value()];
    if (!state.lastSeen.contains(name))
        return;
    const bool came = touchMember(room.value(), state, name);
    if (came)
        roomChanged(room.value());
    share(room.value(), name, came);
}

void Hub::memberStreamOpened(const RoomName &room, const QString &name)
{
    RoomState &state = m_rooms[room.value()];
    // Counted after the look, or the stream would make the name look online already.
    const bool wasOnline = isOnline(state, name, m_now().addMSecs(-onlineWindowMs));
    ++state.openStreamsByName[name];
    if (touchMember(room.value(), state, name) || !wasOnline)
        roomChanged(room.value());
    share(room.value(), name, true);
}

void Hub::memberStreamClosed(const RoomName &room, const QString &name)
{
    RoomState &state = m_rooms[room.value()];
    if (--state.openStreamsByName[name] <= 0)
        state.openStreamsByName.remove(name);
    // A name that left (leave()) stays gone; any other is seen once more on the way out.
    if (!state.lastSeen.contains(name))
        return;
    touchMember(room.value(), state, name);
    roomChanged(room.value()); // its last_seen moved, and with a stream it may be gone soon
    share(room.value(), name, true);
}

void Hub::leave(const RoomName &room, const QString &name)
{
    m_typing.stopped(room.value(), name);
    RoomState &state = m_rooms[room.value()];
    const bool wasHere = state.lastSeen.remove(name);
    // Told even of a name unknown here: behind a load balancer its polls may go to another node.
    share(room.value(), name, true);
    if (!wasHere)
        return;
    if (const auto turn = state.seenTurn.constFind(name); turn != state.seenTurn.cend()) {
        state.seenOrder.erase(*turn);
        state.seenTurn.erase(turn);
    }
    roomChanged(room.value());
}

bool Hub::isOnline(const RoomState &state, const QString &name, const QDateTime &cutoff) const
{
    const auto seen = state.lastSeen.constFind(name);
    return seen != state.lastSeen.cend() && (*seen >= cutoff || state.openStreamsByName.contains(name));
}

bool Hub::touchMember(const QString &room, RoomState &state, const QString &name)
{
    const QDateTime now = m_now();
    bool changed = !isOnline(state, name, now.addMSecs(-onlineWindowMs));
    if (const auto turn = state.seenTurn.constFind(name); turn != state.seenTurn.cend())
        state.seenOrder.erase(*turn);
    const quint64 turn = m_nextSeenTurn++;
    state.seenOrder.emplace(turn, name);
    state.seenTurn.insert(name, turn);
    state.lastSeen.insert(name, now);

    // Only the front can be due, so this costs one look per call plus what it forgets.
    const QDateTime cutoff = now.addMSecs(-onlineWindowMs);
    while (!state.seenOrder.empty()) {
        const auto oldest = state.seenOrder.begin();
        const bool full = qsizetype(state.seenOrder.size()) > maxMembersPerRoom;
        if (!full && state.lastSeen.value(oldest->second) >= cutoff)
            break;
        const QString forgotten = oldest->second;
        state.seenOrder.erase(oldest);
        state.seenTurn.remove(forgotten);
        // A name with a stream open stays online until it closes, which sees it again.
        if (!state.openStreamsByName.contains(forgotten) && state.lastSeen.remove(forgotten)) {
            changed = true;
            // Pushed out by newer names: the others must drop it too, or a flood of made-up
            // names here would grow their lists past this one's bound. (A name merely not
            // seen for the window is dropped by the others on their own.)
            if (full)
                m_shared->tell({room, forgotten, false, 0, false, true}, true);
        }
    }
    return changed;
}

QList<Member> Hub::members(const RoomName &room) const
{
    QList<Member> online;
    const RoomState &state = stateOf(room);
    const QDateTime cutoff = m_now().addMSecs(-onlineWindowMs);
    QHash<QString, qsizetype> listedAt;
    for (auto it = state.lastSeen.cbegin(); it != state.lastSeen.cend(); ++it) {
        if (it.value() >= cutoff || state.openStreamsByName.contains(it.key())) {
            listedAt.insert(it.key(), online.size());
            online.append({it.key(), it.value(), m_typing.isTyping(room.value(), it.key())});
        }
    }
    // A name online here and on other nodes is listed once, as last seen anywhere.
    for (const MemberElsewhere &member : m_shared->elsewhere(room.value(), cutoff)) {
        if (const auto here = listedAt.constFind(member.name); here != listedAt.cend())
            online[*here].lastSeen = std::max(online[*here].lastSeen, member.lastSeen);
        else
            online.append({member.name, member.lastSeen, m_typing.isTyping(room.value(), member.name)});
    }
    std::sort(online.begin(), online.end(),
              [](const Member &a, const Member &b) { return a.name < b.name; });
    return online;
}

void Hub::startedTyping(const RoomName &room, const QString &name)
{
    if (touchMember(room.value(), m_rooms[room.value()], name))
        roomChanged(room.value());
    m_typing.started(room.value(), name);
    share(room.value(), name, true, true);
}

void Hub::sharePresence(SharedPresence &shared)
{
    m_shared = &shared;
    connect(&shared, &SharedPresence::othersChanged, this, &Hub::roomChanged);
    // Only in rooms known here: telling a room's followers would otherwise make it up,
    // empty, where another node created it with messages.
    connect(&shared, &SharedPresence::othersStartedTyping, this, [this](const QString &room, const QString &name) {
        if (m_rooms.contains(room))
            m_typing.started(room, name);
    });
    connect(&shared, &SharedPresence::othersStoppedTyping, &m_typing, &TypingBoard::stopped);
    connect(&shared, &SharedPresence::othersSawLeave, this, [this](const QString &room, const QString &name,
                                                                   const QDateTime &at) {
        // Only a name here leaves (and tells the others so): one unknown here has nothing to
        // take back, and telling again would echo between nodes.
        const auto state = m_rooms.constFind(room);
        if (state == m_rooms.cend() || !state->lastSeen.contains(name) || state->lastSeen.value(name) > at)
            return; // unknown here, or seen here since it left there
        leave(*RoomName::parse(room), name);
    });
}

void Hub::share(const QString &room, const QString &name, bool prompt, bool startedTyping)
{
    const RoomState &state = m_rooms[room];
    const bool here = state.lastSeen.contains(name);
    m_shared->tell({room, name, here, here ? int(state.openStreamsByName.value(name)) : 0, startedTyping}, prompt);
}

QStringList Hub::typing(const RoomName &room) const
{
    return m_typing.typing(room.value());
}

qsizetype Hub::onlineCount(const QString &room, const RoomState &state) const
{
    const QDateTime cutoff = m_now().addMSecs(-onlineWindowMs);
    qsizetype count = 0;
    for (auto it = state.lastSeen.cbegin(); it != state.lastSeen.cend(); ++it)
        count += (it.value() >= cutoff || state.openStreamsByName.contains(it.key())) ? 1 : 0;
    for (const MemberElsewhere &member : m_shared->elsewhere(room, cutoff)) {
        const auto here = state.lastSeen.constFind(member.name);
        const bool countedHere = here != state.lastSeen.cend()
            && (*here >= cutoff || state.openStreamsByName.contains(member.name));
        count += countedHere ? 0 : 1;
    }
    return count;
}

void Hub::releaseAll()
{
    for (auto room = m_rooms.begin(); room != m_rooms.end(); ++room) {
        for (quint64 pollId : room->polls.keys())
            releasePoll(room.key(), pollId);
        const QSet<RoomFollower *> followers = room->followers;
        for (RoomFollower *follower : followers)
            follower->close();
    }
}

void Hub::endSession(const QByteArray &session)
{
    if (session.isEmpty())
        return;
    // Rare (a sign-out), so a walk through everything held is cheap enough.
    const QList<QString> rooms = m_rooms.keys();
    for (const QString &room : rooms) {
        QList<quint64> held;
        const QHash<quint64, HeldPoll> &polls = m_rooms[room].polls;
        for (auto poll = polls.cbegin(); poll != polls.cend(); ++poll) {
            if (poll->session == session)
                held.append(poll.key());
        }
        for (const quint64 pollId : held)
            releasePoll(room, pollId);
        forEachFollower(room, [&session](RoomFollower *follower) {
            if (follower->session() == session)
                follower->sessionEnded();
        });
    }
}
