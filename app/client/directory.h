#pragma once

#include "apiclient.h"
#include "core/message.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

class QNetworkReply;

struct RoomOverview
{
    QString name;
    qint64 messageCount = 0;
    MessageId lastId = 0;
    int online = 0;
};

// The rooms on the server and who is online in the current one, refreshed every few
// seconds: one GET each, cheap next to the long poll, and enough for unread counts
// because message ids in a room have no gaps.
class Directory : public QObject
{
    Q_OBJECT

public:
    static constexpr int refreshIntervalMs = 10000;

    explicit Directory(ApiClient *api, QObject *parent = nullptr);

    void setCurrentRoom(const QString &room);
    // Refreshes now and every refreshIntervalMs; also resumes after a 401 paused it.
    void start();
    void refreshNow();
    // PUT: creates the room (201) or confirms it (200), then refreshes.
    void createRoom(const QString &room);

signals:
    void roomsUpdated(const QList<RoomOverview> &rooms);
    void membersUpdated(const QString &room, const QStringList &names);
    void roomCreated(const QString &room);
    void roomRefused(const QString &room, const ApiResult &result);

private:
    void pauseIfSignedOut(const ApiResult &result);

    ApiClient *m_api;
    QString m_currentRoom;
    QTimer m_timer;
    QPointer<QNetworkReply> m_roomsRequest;
    QPointer<QNetworkReply> m_membersRequest;
};
