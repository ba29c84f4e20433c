#pragma once

#include <QDBusConnection>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <optional>

class NotificationFallback;
class QDBusServiceWatcher;

// Desktop notifications through the freedesktop notification service
// (org.freedesktop.Notifications on the session bus), as GNOME, KDE, Xfce, dunst and
// others provide it. Every call is asynchronous: a busy or hung notification daemon never
// stalls the window. One notification per room: the next message of a room replaces the
// room's notification instead of stacking a new one, so a burst in a busy room is one
// bubble that says the latest, not dozens that bury the screen and the notification list.
// Where no service answers (no bus, or nothing owns the name), notifications go to the
// fallback if there is one, and nowhere otherwise.
class DesktopNotifier : public QObject
{
    Q_OBJECT

public:
    enum class Availability { Unknown, Available, Unavailable };

    static constexpr int defaultExpiry = -1; // the notification server's own timeout

    // On the session bus, where the desktop's notification server is.
    explicit DesktopNotifier(QObject *parent = nullptr);
    // On `bus`: tests give one to a private bus.
    explicit DesktopNotifier(const QDBusConnection &bus, QObject *parent = nullptr);

    // Takes ownership; replaces any earlier fallback.
    void setFallback(NotificationFallback *fallback);
    // Shows (or updates) the notification of `room`.
    void show(const QString &room, const QString &title, const QString &body);
    // Takes the room's notification off the screen, for example once the user is reading it.
    void withdraw(const QString &room);

    Availability availability() const { return m_availability; }

signals:
    // The user clicked the notification of `room`.
    void activated(const QString &room);
    void availabilityChanged(bool available);

private slots:
    // Connected by name: QDBusConnection::connect() to a bus signal takes a SLOT().
    void onActionInvoked(uint id, const QString &actionKey);
    void onNotificationClosed(uint id, uint reason);

private:
    struct Pending
    {
        QString title;
        QString body;
    };
    struct RoomNotification
    {
        uint id = 0; // the server's id; 0 before the first reply
        bool inFlight = false; // a Notify awaits its reply
        bool withdrawn = false; // withdraw() came while it did
        std::optional<Pending> next; // the newest message that came meanwhile
    };

    void probe();
    void setAvailability(Availability availability);
    void send(const QString &room, const Pending &notification);
    void sent(const QString &room, const Pending &notification, uint id, bool ok);
    QString roomOf(uint id) const;

    QDBusConnection m_bus;
    QDBusServiceWatcher *m_watcher = nullptr;
    QPointer<NotificationFallback> m_fallback;
    Availability m_availability = Availability::Unknown;
    QStringList m_capabilities;
    QHash<QString, RoomNotification> m_rooms;
};
