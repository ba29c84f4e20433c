#pragma once

#include "apiclient.h"
#include "core/message.h"

#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrlQuery>

class QNetworkReply;

struct RoomOverview
{
    QString name;
    qint64 messageCount = 0;
    MessageId lastId = 0;
    int online = 0;
};

// The rooms on the server and who is online in the current one, refreshed every few
// seconds: cheap next to the long poll, and enough for unread counts because message ids
// in a room have no gaps. The server lists rooms a page at a time; a refresh follows the
// pages one request after another and reports the whole list once it has it.
class Directory : public QObject
{
    Q_OBJECT

public:
    static constexpr int refreshIntervalMs = 10000;
    // Past this many rooms a refresh stops following pages and reports what it has, so a
    // server whose pages never end cannot keep the window asking for ever.
    static constexpr qsizetype maxListedRooms = 5000;
    // As many pages as maxListedRooms fills at the server's default page size: a server
    // that answers a room or none at a time cannot make a refresh thousands of requests.
    static constexpr int maxRoomPages = 50;

    explicit Directory(ApiClient *api, QObject *parent = nullptr);

    void setCurrentRoom(const QString &room);
    // Refreshes now and every refreshIntervalMs; also resumes after a 401 paused it.
    void start();
    // Asked for while a refresh of the rooms is under way, another one follows it.
    void refreshNow();
    // PUT: creates the room (201) or confirms it (200), then refreshes.
    void createRoom(const QString &room);

signals:
    void roomsUpdated(const QList<RoomOverview> &rooms);
    void membersUpdated(const QString &room, const QStringList &names);
    void roomCreated(const QString &room);
    void roomRefused(const QString &room, const ApiResult &result);

private:
    enum class WhenBusy { Skip, Queue };

    void pauseIfSignedOut(const ApiResult &result);
    void refreshRooms(WhenBusy whenBusy);
    void requestRoomPage(const QUrlQuery &query);
    void roomPageArrived(const ApiResult &result);
    void finishListing(bool complete);
    void refreshMembers();

    ApiClient *m_api;
    QString m_currentRoom;
    QTimer m_timer;
    QPointer<QNetworkReply> m_roomsRequest; // the page being asked for
    QPointer<QNetworkReply> m_membersRequest;
    bool m_listing = false; // a refresh of the rooms is following pages
    bool m_listingAgain = false; // and another was asked for meanwhile
    QList<RoomOverview> m_listed; // the rooms of the pages so far
    int m_listedPages = 0;
};
