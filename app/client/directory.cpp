#include "directory.h"

#include "apiclient.h"

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
}

void Directory::start()
{
    m_timer.start();
    refreshNow();
}

void Directory::setCurrentRoom(const QString &room)
{
    m_currentRoom = room;
    ApiClient::cancel(m_membersRequest);
    refreshNow();
}

void Directory::pauseIfSignedOut(const ApiResult &result)
{
    // Refreshing every few seconds would only collect 401s; start() resumes after sign-in.
    if (result.awaitsSignIn())
        m_timer.stop();
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
    const QJsonArray array = result.body.value(QLatin1String("rooms")).toArray();
    for (const QJsonValue &value : array) {
        if (m_listed.size() >= maxListedRooms)
            break;
        const QJsonObject object = value.toObject();
        m_listed.append({object.value(QLatin1String("name")).toString(),
                         object.value(QLatin1String("message_count")).toInteger(),
                         object.value(QLatin1String("last_id")).toInteger(),
                         object.value(QLatin1String("online")).toInt()});
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
        emit roomsUpdated(std::exchange(m_listed, {}));
        if (again)
            refreshRooms(WhenBusy::Queue);
    } else {
        m_listed.clear(); // part of a list would show rooms as gone; the next refresh retries
    }
}

void Directory::refreshMembers()
{
    if (!m_membersRequest && !m_currentRoom.isEmpty()) {
        const QString room = m_currentRoom;
        m_membersRequest = m_api->get(apiPath({u"rooms", room, u"members"}), {},
                                      ApiClient::defaultTimeoutMs, this,
                                      [this, room](const ApiResult &result) {
            pauseIfSignedOut(result);
            if (!result.succeeded())
                return;
            QStringList names;
            const QJsonArray array = result.body.value(QLatin1String("members")).toArray();
            for (const QJsonValue &value : array)
                names.append(value.toObject().value(QLatin1String("name")).toString());
            emit membersUpdated(room, names);
        });
    }
}

void Directory::createRoom(const QString &room)
{
    m_api->put(apiPath({u"rooms", room}), this, [this, room](const ApiResult &result) {
        if (result.succeeded()) {
            emit roomCreated(room);
            refreshNow();
        } else {
            pauseIfSignedOut(result);
            emit roomRefused(room, result);
        }
    });
}
