#include "directory.h"

#include "apiclient.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QNetworkReply>
#include <QUrl>

#include <utility>

Directory::Directory(ApiClient *api, QObject *parent) : QObject(parent), m_api(api)
{
    m_timer.setInterval(refreshIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        refreshRooms(WhenBusy::Skip);
        refreshMembers();
    });
    m_typingTimer.setInterval(typingRefreshMs);
    connect(&m_typingTimer, &QTimer::timeout, this, [this] {
        if (m_sinceConversation.elapsed() > conversationMs)
            m_typingTimer.stop();
        else
            refreshMembers();
    });
}

void Directory::start()
{
    m_timer.start();
    refreshNow();
}

void Directory::setCurrentRoom(const RoomName &room)
{
    m_currentRoom = room;
    ApiClient::cancel(m_membersRequest);
    m_membersAgain = false; // the refresh below is for the new room
    m_typingTimer.stop(); // the old room's conversation; joining the new one starts its own
    refreshNow();
}

void Directory::pauseIfSignedOut(const ApiResult &result)
{
    // Refreshing every few seconds would only collect 401s; start() resumes after sign-in.
    if (result.awaitsSignIn()) {
        m_timer.stop();
        m_typingTimer.stop();
    }
}

void Directory::refreshNow()
{
    refreshRooms(WhenBusy::Queue);
    refreshMembers();
}

void Directory::refreshRooms(WhenBusy whenBusy)
{
    // One listing at a time, one page at a time. A tick of the timer during a long one
    // is dropped; an explicit refresh (a room was just created) is not, as the listing
    // under way may have passed the new room's place already. A page whose reply is gone
    // unanswered (aborted) would never finish its listing: that one is over.
    if (m_listing && m_roomsRequest) {
        m_listingAgain = m_listingAgain || whenBusy == WhenBusy::Queue;
        return;
    }
    m_listing = true;
    m_listed.clear();
    m_listedPages = 0;
    m_listedSeq.reset();
    requestRoomPage({});
}

void Directory::requestRoomPage(const QUrlQuery &query)
{
    ++m_listedPages;
    m_roomsRequest = m_api->get(apiPath({u"rooms"}), query, ApiClient::defaultTimeoutMs, this,
                                [this](const ApiResult &result) { roomPageArrived(result); });
}

void Directory::roomPageArrived(const ApiResult &result)
{
    pauseIfSignedOut(result);
    if (!result.succeeded()) {
        finishListing(false);
        return;
    }
    // The first page's: a room changed while later pages came is then news, not missed.
    if (m_listedPages == 1 && result.body.contains(QLatin1String("rooms_seq")))
        m_listedSeq = result.body.value(QLatin1String("rooms_seq")).toInteger();
    const QJsonArray array = result.body.value(QLatin1String("rooms")).toArray();
    for (const QJsonValue &value : array) {
        if (m_listed.size() >= maxListedRooms)
            break;
        if (const auto room = roomOverviewFrom(value.toObject()))
            m_listed.append(*room);
    }
    // Followed only on the server asked and only to the room list, since the token goes
    // with every request; an empty page could not move a cursor on, only loop.
    const QUrl next(result.body.value(QLatin1String("next")).toString());
    const bool follow = !next.isEmpty() && next.isRelative() && next.host().isEmpty()
        && next.path() == apiPath({u"rooms"}) && !array.isEmpty()
        && m_listed.size() < maxListedRooms && m_listedPages < maxRoomPages;
    if (follow)
        requestRoomPage(QUrlQuery(next));
    else
        finishListing(true);
}

void Directory::finishListing(bool complete)
{
    m_listing = false;
    const bool again = std::exchange(m_listingAgain, false);
    if (complete) {
        m_timer.setInterval(m_listedSeq ? refreshIntervalMs : refreshIntervalWithoutSeqMs);
        emit roomsUpdated(std::exchange(m_listed, {}));
        if (m_listedSeq)
            emit roomsBaseline(*m_listedSeq);
        if (again)
            refreshRooms(WhenBusy::Queue);
    } else {
        m_listed.clear(); // part of a list would show rooms as gone; the next refresh retries
    }
}

void Directory::refreshMembersAgain()
{
    if (m_membersRequest)
        m_membersAgain = true;
    else
        refreshMembers();
}

void Directory::refreshMembers()
{
    if (!m_membersRequest && m_currentRoom) {
        const RoomName room = *m_currentRoom;
        m_membersRequest = m_api->get(apiPath({u"rooms", room.value(), u"members"}), {},
                                      ApiClient::defaultTimeoutMs, this,
                                      [this, room](const ApiResult &result) {
            // Answered: the reply lives on until deleted later, but a refresh asked for
            // from now on must go out, not be taken for this one.
            m_membersRequest = nullptr;
            pauseIfSignedOut(result);
            if (std::exchange(m_membersAgain, false) && room == m_currentRoom)
                refreshMembers();
            if (!result.succeeded())
                return;
            QStringList names;
            QStringList typing;
            const QJsonArray array = result.body.value(QLatin1String("members")).toArray();
            for (const QJsonValue &value : array) {
                const QJsonObject member = value.toObject();
                names.append(member.value(QLatin1String("name")).toString());
                if (member.value(QLatin1String("typing")).toBool())
                    typing.append(names.last());
            }
            emit membersUpdated(room, names);
            emit typingUpdated(room, typing);
            if (!typing.isEmpty() && room == m_currentRoom)
                conversationGoesOn();
        });
    }
}

void Directory::roomsChanged(const QList<RoomOverview> &rooms, qint64)
{
    for (const RoomOverview &room : rooms) {
        if (room.name == m_currentRoom) {
            refreshMembersAgain();
            conversationGoesOn();
            return;
        }
    }
}

void Directory::joined(const RoomName &room)
{
    if (room == m_currentRoom) {
        refreshMembersAgain();
        conversationGoesOn();
    }
}

void Directory::conversationGoesOn()
{
    m_sinceConversation.start();
    if (!m_typingTimer.isActive())
        m_typingTimer.start();
}

void Directory::leave(const RoomName &room, const QString &name)
{
    if (name.isEmpty())
        return;
    // Best effort: a name that is not gone now still drops off after the online window.
    m_leaving.removeAll(nullptr);
    // Encoded: a name may hold '/', '?' or spaces, which room names cannot.
    const QString segment = QString::fromLatin1(QUrl::toPercentEncoding(name));
    m_leaving.append(m_api->deleteResource(apiPath({u"rooms", room.value(), u"members", segment}), this,
                                           [](const ApiResult &) {}));
}

void Directory::finishLeaving(int maxMs)
{
    m_leaving.removeAll(nullptr);
    if (m_leaving.isEmpty())
        return;
    QEventLoop loop;
    for (const QPointer<QNetworkReply> &reply : std::as_const(m_leaving))
        connect(reply, &QNetworkReply::finished, &loop, [this, &loop] {
            // The reply is deleted after its finished signal, so count those still running.
            const bool allDone = std::all_of(m_leaving.cbegin(), m_leaving.cend(),
                                             [](const QPointer<QNetworkReply> &r) { return !r || r->isFinished(); });
            if (allDone)
                loop.quit();
        });
    QTimer::singleShot(maxMs, &loop, &QEventLoop::quit);
    loop.exec();
}

void Directory::createRoom(const RoomName &room)
{
    m_api->put(apiPath({u"rooms", room.value()}), this, [this, room](const ApiResult &result) {
        if (result.succeeded()) {
            emit roomCreated(room);
            refreshNow();
        } else {
            pauseIfSignedOut(result);
            emit roomRefused(room, result);
        }
    });
}
