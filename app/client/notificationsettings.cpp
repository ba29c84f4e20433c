#include "notificationsettings.h"

#include <QSettings>
#include <QStringList>

namespace {
QSettings settings()
{
    return QSettings(QStringLiteral("ChatApp"), QStringLiteral("chatapp"));
}

const QString desktopKey = QStringLiteral("notifications/desktop");
const QString mentionsKey = QStringLiteral("notifications/mentions");
const QString taskbarKey = QStringLiteral("notifications/taskbarAlert");
const QString titleKey = QStringLiteral("notifications/unreadInTitle");

QString roomsKey(const QString &server, const QString &level)
{
    return QStringLiteral("notifications/") + server + u'/' + level;
}

QSet<QString> setOf(const QStringList &list)
{
    return QSet<QString>(list.cbegin(), list.cend());
}

// Sorted, so that the file reads the same after every save.
QStringList listOf(const QSet<QString> &set)
{
    QStringList list(set.cbegin(), set.cend());
    list.sort();
    return list;
}
} // namespace

NotificationSettings::RoomLevel NotificationSettings::level(const QString &room) const
{
    if (m_muted.contains(room))
        return RoomLevel::Muted;
    if (m_everything.contains(room))
        return RoomLevel::Everything;
    return RoomLevel::Default;
}

void NotificationSettings::setLevel(const QString &room, RoomLevel level)
{
    m_muted.remove(room);
    m_everything.remove(room);
    if (level == RoomLevel::Muted)
        m_muted.insert(room);
    else if (level == RoomLevel::Everything)
        m_everything.insert(room);
}

NotificationSettings NotificationSettings::load(const QString &server)
{
    const QSettings file = settings();
    NotificationSettings loaded;
    loaded.desktopNotifications = file.value(desktopKey, true).toBool();
    loaded.mentions = file.value(mentionsKey, true).toBool();
    loaded.taskbarAlert = file.value(taskbarKey, true).toBool();
    loaded.unreadInTitle = file.value(titleKey, true).toBool();
    loaded.m_everything = setOf(file.value(roomsKey(server, QStringLiteral("everything"))).toStringList());
    // Muted wins over a hand-edited file that names a room in both lists: the quieter choice.
    loaded.m_muted = setOf(file.value(roomsKey(server, QStringLiteral("muted"))).toStringList());
    loaded.m_everything.subtract(loaded.m_muted);
    return loaded;
}

void NotificationSettings::save(const QString &server) const
{
    QSettings file = settings();
    file.setValue(desktopKey, desktopNotifications);
    file.setValue(mentionsKey, mentions);
    file.setValue(taskbarKey, taskbarAlert);
    file.setValue(titleKey, unreadInTitle);
    file.setValue(roomsKey(server, QStringLiteral("everything")), listOf(m_everything));
    file.setValue(roomsKey(server, QStringLiteral("muted")), listOf(m_muted));
}
