#pragma once

#include "core/message.h"
#include "directory.h"

#include <QHash>
#include <QObject>
#include <QSet>

class ApiClient;

// Reads the news of the rooms the window does not show, so that a mention there, or a
// message in a room set to notify on every message, can notify. The poller follows only
// the room on screen; for the others the room list (Directory, every few seconds) says
// when their newest id moved, and this fetches what is newer than the id last seen, one
// GET per room with news. A room seen for the first time, and the room on screen, only
// record their newest id: what came before is history, and the poller has the rest.
class RoomWatch : public QObject
{
    Q_OBJECT

public:
    // More rooms with news in one listing than this are caught up with, unread: a
    // server where hundreds of rooms move at once costs no more than this many GETs.
    static constexpr int maxFetchesPerListing = 10;

    explicit RoomWatch(ApiClient *api, QObject *parent = nullptr);

    // From Directory::roomsUpdated. `watched` says which rooms may notify at all (all of
    // them while mentions notify); the news of the others is skipped, not fetched.
    void roomsListed(const QList<RoomOverview> &rooms, const QString &currentRoom,
                     const std::function<bool(const QString &room)> &watched);

signals:
    // Newer than anything seen of `room` before, the oldest first.
    void messagesArrived(const QString &room, const QList<Message> &messages);

private:
    void fetch(const QString &room, MessageId after);

    ApiClient *m_api;
    QHash<QString, MessageId> m_seen; // newest id known of each room
    QSet<QString> m_fetching;
};
