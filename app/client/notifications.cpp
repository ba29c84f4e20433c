#include "notifications.h"

#include "chatclient.h"
#include "desktopnotifier.h"
#include "notificationpolicy.h"
#include "roomlistmodel.h"

Notifications::Notifications(DesktopNotifier *notifier, QObject *parent) : QObject(parent), m_notifier(notifier)
{
    connect(m_notifier, &DesktopNotifier::activated, this, [this](const QString &name) {
        if (const auto room = RoomName::parse(name))
            emit roomActivated(*room);
    });
}

void Notifications::attach(ChatClient *client)
{
    if (m_client)
        m_client->disconnect(this);
    m_client = client;
    m_settings = NotificationSettings::load(client->serverKey());
    connect(client, &ChatClient::newsArrived, this, &Notifications::onNews);
    // Reading the room takes its notification away.
    connect(client, &ChatClient::currentRoomChanged, this,
            [this](const RoomName &room) { m_notifier->withdraw(room.value()); });
    connect(client->rooms(), &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) { markMutedRooms(first, last); });
    markMutedRooms(0, client->rooms()->rowCount() - 1);
}

void Notifications::setSettings(const NotificationSettings &settings)
{
    m_settings = settings;
    if (m_client)
        markMutedRooms(0, m_client->rooms()->rowCount() - 1);
}

void Notifications::markMutedRooms(int firstRow, int lastRow)
{
    RoomListModel *rooms = m_client->rooms();
    for (int row = firstRow; row <= lastRow; ++row) {
        const RoomName room = rooms->roomAt(row);
        rooms->setMuted(room, m_settings.level(room.value()) == NotificationSettings::RoomLevel::Muted);
    }
}

void Notifications::onNews(const RoomName &, const QList<Message> &messages)
{
    const NotificationContext context{.ownName = m_client->name(),
                                      .currentRoom = m_client->currentRoom().value(),
                                      .windowActive = m_windowActive,
                                      .initialPage = false};
    bool alert = false;
    for (const Message &message : messages) {
        const NotificationDecision decision = decideNotification(message, context, m_settings);
        if (decision.desktop)
            m_notifier->show(decision.room, decision.title, decision.body);
        alert = alert || decision.taskbarAlert;
    }
    if (alert)
        emit alertWanted();
}
