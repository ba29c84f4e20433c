#include "poller.h"

#include "apiclient.h"
#include "history.h"

#include <QJsonArray>
#include <QNetworkReply>

Poller::Poller(ApiClient *api, const QString &memberName, std::optional<int> intervalMs,
               QObject *parent)
    : QObject(parent), m_api(api), m_memberName(memberName), m_intervalMs(intervalMs)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &Poller::poll);
}

void Poller::follow(const RoomName &room, std::optional<MessageId> after)
{
    stop();
    m_room = room;
    m_after = after;
    m_joined = false;
    schedule(0);
}

void Poller::stop()
{
    m_timer.stop();
    ApiClient::cancel(m_inFlight);
    m_inFlight = nullptr;
}

void Poller::retryNow()
{
    if (!m_room || m_inFlight)
        return;
    schedule(0);
}

void Poller::setRoomsSince(qint64 roomsSeq)
{
    m_roomsSince = roomsSeq;
    // A poll held without it would hide other rooms' news until it ends, up to `wait`.
    if (m_inFlight && !m_inFlightAsksRooms) {
        stop();
        schedule(0);
    }
}

void Poller::schedule(int delayMs)
{
    m_timer.start(delayMs);
}

void Poller::poll()
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("limit"), QString::number(pageLimit));
    const bool initial = !m_after.has_value();
    // The first poll in a room is answered at once, not held: its answer says the name
    // is counted there (joined), and catches up at once on a room seen before. Nor is one
    // held while offline: a server just back would say so only when a message came or
    // the wait ran out, and the window would say Offline until then.
    const bool held = m_after && isLongPolling() && m_joined && m_online;
    if (m_after) {
        query.addQueryItem(QStringLiteral("after"), QString::number(*m_after));
        if (held)
            query.addQueryItem(QStringLiteral("wait"), QString::number(longPollWaitSeconds));
    }
    if (!m_memberName.isEmpty())
        query.addQueryItem(QStringLiteral("name"), m_memberName);
    m_inFlightAsksRooms = m_roomsSince.has_value();
    if (m_roomsSince)
        query.addQueryItem(QStringLiteral("rooms_since"), QString::number(*m_roomsSince));
    // A held poll is answered within `wait`; the margin covers a slow network.
    const int timeoutMs = (held ? longPollWaitSeconds * 1000 : 0) + ApiClient::defaultTimeoutMs;
    if (!m_room)
        return;
    const RoomName room = *m_room;
    m_inFlight = m_api->get(apiPath({u"rooms", room.value(), u"messages"}), query, timeoutMs, this,
                            [this, room, initial](const ApiResult &result) {
        m_inFlight = nullptr;
        if (room != m_room)
            return;
        if (result.exchange.status == 401) {
            // An answer, so the server is there; but polling on would only collect more
            // 401s: retryNow() resumes once the window has signed in.
            m_backoff.reset();
            setOnline(true);
            if (result.credentialsReplaced)
                schedule(0);
            return;
        }
        if (result.errorCode() == u"cursor_beyond_last_id") {
            // Retrying the same cursor would only be refused again, for ever.
            m_backoff.reset();
            setOnline(true);
            m_after.reset();
            emit roomReset(room);
            if (room == m_room && !m_inFlight)
                schedule(0);
            return;
        }
        if (!result.succeeded()) {
            const int delay = m_backoff.nextDelayMs();
            // A 4xx means the server is there and said no; only silence or a 5xx is offline.
            setOnline(result.reachedServer() && result.exchange.status < 500);
            emit retryScheduled(delay, result.errorMessage);
            schedule(delay);
            if (result.errorCode() == u"room_not_found")
                emit roomMissing(room);
            return;
        }
        m_backoff.reset();
        setOnline(true);
        const QList<Message> messages = messagesOfPage(result.body);
        const MessageId lastId = result.body.value(QLatin1String("last_id")).toInteger();
        MessageId newest = m_after.value_or(0);
        for (const Message &message : messages)
            newest = std::max(newest, message.id);
        if (initial)
            newest = std::max(newest, lastId);
        m_after = newest;
        const bool first = !std::exchange(m_joined, true);
        emit messagesArrived(room, messages, lastId, initial);
        if (room != m_room)
            return; // a receiver switched rooms: that follow() polls now
        if (first)
            emit joined(room);
        if (result.body.contains(QLatin1String("rooms_seq")))
            takeRoomChanges(result.body);
        if (room != m_room)
            return;
        const bool moreWaiting = lastId > newest;
        schedule(moreWaiting || isLongPolling() ? 0 : *m_intervalMs);
    });
}

void Poller::takeRoomChanges(const QJsonObject &body)
{
    const qint64 seq = body.value(QLatin1String("rooms_seq")).toInteger();
    const QJsonArray array = body.value(QLatin1String("rooms")).toArray();
    m_roomsSince = seq;
    if (array.isEmpty())
        return;
    QList<RoomOverview> rooms;
    rooms.reserve(array.size());
    for (const QJsonValue &value : array)
        if (const auto room = roomOverviewFrom(value.toObject()))
            rooms.append(*room);
    emit roomsChanged(rooms, seq);
}

void Poller::setOnline(bool online)
{
    if (m_online == online)
        return;
    m_online = online;
    emit onlineChanged(online);
}
