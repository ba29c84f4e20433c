#include "traynotification.h"

#include <QSystemTrayIcon>

TrayNotification::TrayNotification(const QIcon &icon, QObject *parent)
    : NotificationFallback(parent), m_icon(icon)
{
}

void TrayNotification::show(const QString &room, const QString &title, const QString &body)
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    if (!m_tray) {
        m_tray = new QSystemTrayIcon(m_icon, this);
        m_tray->setToolTip(QStringLiteral("ChatApp"));
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] { emit activated(m_room); });
        connect(m_tray, &QSystemTrayIcon::activated, this, [this] { emit activated(m_room); });
        m_tray->show();
    }
    m_room = room;
    m_tray->showMessage(title, body, m_icon);
}
