#include "directory.h"

#include "apiclient.h"

#include <QJsonArray>
#include <QNetworkReply>

Directory::Directory(ApiClient *api, QObject *parent) : QObject(parent), m_api(api)
{
    m_timer.setInterval(refreshIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &Directory::refreshNow);
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
    if (!m_roomsRequest) {
        m_roomsRequest = m_api->get(apiPath({u"rooms"}), {}, ApiClient::defaultTimeoutMs, this,
                                    [this](const ApiResult &result) {
            pauseIfSignedOut(result);
            if (!result.succeeded())
                return;
            QList<RoomOverview> rooms;
            const QJsonArray array = result.body.value(QLatin1String("rooms")).toArray();
            for (const QJsonValue &value : array) {
                const QJsonObject object = value.toObject();
                rooms.append({object.value(QLatin1String("name")).toString(),
                              object.value(QLatin1String("message_count")).toInteger(),
                              object.value(QLatin1String("last_id")).toInteger(),
                              object.value(QLatin1String("online")).toInt()});
            }
            emit roomsUpdated(rooms);
        });
    }
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
