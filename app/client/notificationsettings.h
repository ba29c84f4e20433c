#pragma once

#include <QSet>
#include <QString>

// What the user asked to be told about (Chat ▸ Settings…), kept in QSettings ("ChatApp"/
// "chatapp"). The switches are the same for every server; the choices about rooms are kept
// per server, because #general on a class's server is not #general at work.
struct NotificationSettings
{
    // What a room does besides the rules every room follows.
    enum class RoomLevel {
        Default, // only messages that mention you notify
        Everything, // every message notifies
        // Nothing notifies and the room stays out of the unread total, except a message
        // that mentions you, which still notifies while mentions are on: as in Slack and
        // Mattermost, muting quiets a busy room, not the people calling you by name.
        Muted,
    };

    bool desktopNotifications = true;
    bool mentions = true;
    bool taskbarAlert = true;
    bool unreadInTitle = true;

    RoomLevel level(const QString &room) const;
    // A room is in at most one of the two sets: choosing one level leaves the other.
    void setLevel(const QString &room, RoomLevel level);
    QSet<QString> everythingRooms() const { return m_everything; }
    QSet<QString> mutedRooms() const { return m_muted; }

    // `server` as the remembered tokens name it: "HOST:PORT", "https+HOST:PORT".
    static NotificationSettings load(const QString &server);
    void save(const QString &server) const;

    friend bool operator==(const NotificationSettings &, const NotificationSettings &) = default;

private:
    QSet<QString> m_everything;
    QSet<QString> m_muted;
};
