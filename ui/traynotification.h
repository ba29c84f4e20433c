#pragma once

#include "client/notificationfallback.h"

#include <QIcon>

class QSystemTrayIcon;

// Notifications as a tray icon's message, for a desktop with a tray but no notification
// service. The icon appears with the first notification, not before: on a desktop whose
// service answers, this is never used and no icon is added to the tray. Without a tray
// either, nothing is shown.
class TrayNotification : public NotificationFallback
{
    Q_OBJECT

public:
    explicit TrayNotification(const QIcon &icon, QObject *parent = nullptr);

    void show(const QString &room, const QString &title, const QString &body) override;

private:
    QIcon m_icon;
    QSystemTrayIcon *m_tray = nullptr;
    QString m_room; // of the message shown: a tray shows one at a time
};
