#pragma once

#include "core/message.h"
#include "core/roomname.h"
#include "notificationsettings.h"

#include <QObject>
#include <QPointer>

class ChatClient;
class DesktopNotifier;

// Tells the user about the news a ChatClient reports, as the NotificationSettings of its
// server ask: a desktop notification (DesktopNotifier), a taskbar alert (alertWanted, for
// the window), and muted rooms marked in the room list, out of the unread total. The
// window keeps one and gives it each client it talks through.
class Notifications : public QObject
{
    Q_OBJECT

public:
    explicit Notifications(DesktopNotifier *notifier, QObject *parent = nullptr);

    // Follows `client` from now on, with the settings saved for its server.
    void attach(ChatClient *client);
    // Whether the user is looking at the window: news of the room on screen is not news.
    void setWindowActive(bool active) { m_windowActive = active; }
    const NotificationSettings &settings() const { return m_settings; }
    // Settings the user just saved (SettingsDialog) take effect.
    void setSettings(const NotificationSettings &settings);

signals:
    // The taskbar entry should ask for attention (QApplication::alert).
    void alertWanted();
    // The user clicked the notification of `room`.
    void roomActivated(const RoomName &room);

private:
    void onNews(const RoomName &room, const QList<Message> &messages);
    void markMutedRooms(int firstRow, int lastRow);

    DesktopNotifier *m_notifier;
    QPointer<ChatClient> m_client;
    NotificationSettings m_settings;
    bool m_windowActive = false;
};
