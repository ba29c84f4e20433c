#include "desktopnotifier.h"

#include "notificationfallback.h"

#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusServiceWatcher>
#include <QVariantMap>

namespace {
// The Desktop Notifications Specification's names.
const QString service = QStringLiteral("org.freedesktop.Notifications");
const QString objectPath = QStringLiteral("/org/freedesktop/Notifications");
const QString interfaceName = QStringLiteral("org.freedesktop.Notifications");
// The action a server invokes when the notification itself is clicked.
const QString defaultAction = QStringLiteral("default");
// The .desktop file's name and its Icon= (resources/chatapp.desktop): the server shows the
// icon the desktop's menu shows, and groups the notifications under the application.
const QString desktopEntry = QStringLiteral("chatapp");

QDBusMessage call(const QString &method)
{
    return QDBusMessage::createMethodCall(service, objectPath, interfaceName, method);
}

// A server with "body-markup" reads the body as a subset of HTML: a message's "<b>" or
// "<a href=…>" must arrive as typed, not as formatting or a link nobody wrote.
QString escapedMarkup(QString text)
{
    return text.replace(u'&', QStringLiteral("&amp;"))
        .replace(u'<', QStringLiteral("&lt;"))
        .replace(u'>', QStringLiteral("&gt;"));
}
} // namespace

DesktopNotifier::DesktopNotifier(QObject *parent)
    : DesktopNotifier(QDBusConnection::sessionBus(), parent)
{
}

DesktopNotifier::DesktopNotifier(const QDBusConnection &bus, QObject *parent)
    : QObject(parent), m_bus(bus)
{
    if (!m_bus.isConnected()) {
        m_availability = Availability::Unavailable;
        return;
    }
    // No sender named: naming the service would make QtDBus ask the bus for its owner
    // with a blocking call. Only notification servers use this path and interface, and
    // only ids this notifier was given are acted on.
    m_bus.connect(QString(), objectPath, interfaceName, QStringLiteral("ActionInvoked"), this,
                  SLOT(onActionInvoked(uint, QString)));
    m_bus.connect(QString(), objectPath, interfaceName, QStringLiteral("NotificationClosed"), this,
                  SLOT(onNotificationClosed(uint, uint)));
    m_watcher = new QDBusServiceWatcher(service, m_bus, QDBusServiceWatcher::WatchForOwnerChange, this);
    connect(m_watcher, &QDBusServiceWatcher::serviceOwnerChanged, this,
            [this](const QString &, const QString &, const QString &newOwner) {
        // Another server (or none): the ids the last one gave mean nothing now.
        m_rooms.clear();
        if (newOwner.isEmpty())
            setAvailability(Availability::Unavailable);
        else
            probe();
    });
    probe();
}

void DesktopNotifier::setFallback(NotificationFallback *fallback)
{
    delete m_fallback;
    m_fallback = fallback;
    if (!fallback)
        return;
    fallback->setParent(this);
    connect(fallback, &NotificationFallback::activated, this, &DesktopNotifier::activated);
}

// GetCapabilities both tells whether a server answers (the bus starts one that is
// installed but not running yet) and whether it reads markup in the body.
void DesktopNotifier::probe()
{
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call(QStringLiteral("GetCapabilities"))), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *finished) {
        finished->deleteLater();
        const QDBusPendingReply<QStringList> reply = *finished;
        if (reply.isError()) {
            setAvailability(Availability::Unavailable);
            return;
        }
        m_capabilities = reply.value();
        setAvailability(Availability::Available);
    });
}

void DesktopNotifier::setAvailability(Availability availability)
{
    if (availability == m_availability)
        return;
    m_availability = availability;
    emit availabilityChanged(availability == Availability::Available);
}

void DesktopNotifier::show(const QString &room, const QString &title, const QString &body)
{
    if (m_availability == Availability::Unavailable) {
        if (m_fallback)
            m_fallback->show(room, title, body);
        return;
    }
    RoomNotification &state = m_rooms[room];
    // Until the server answers, the room's id is unknown, and a second Notify would open a
    // second bubble: the newest message waits for the answer and then replaces the first.
    if (state.inFlight) {
        state.next = Pending{title, body};
        return;
    }
    send(room, Pending{title, body});
}

void DesktopNotifier::send(const QString &room, const Pending &notification)
{
    RoomNotification &state = m_rooms[room];
    state.inFlight = true;
    // Escaped while the capabilities are unknown too: shown escaped by a rare server
    // without markup is better than a link nobody wrote.
    const bool plainBody = m_availability == Availability::Available
                           && !m_capabilities.contains(QStringLiteral("body-markup"));
    const QVariantMap hints{{QStringLiteral("desktop-entry"), desktopEntry},
                            {QStringLiteral("category"), QStringLiteral("im.received")}};
    QDBusMessage message = call(QStringLiteral("Notify"));
    message << QStringLiteral("ChatApp") << state.id << desktopEntry << notification.title
            << (plainBody ? notification.body : escapedMarkup(notification.body))
            //: The button of a desktop notification that opens the message's room.
            << QStringList{defaultAction, tr("Open")} << hints << defaultExpiry;
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(message), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, room, notification](QDBusPendingCallWatcher *finished) {
        finished->deleteLater();
        const QDBusPendingReply<uint> reply = *finished;
        sent(room, notification, reply.isError() ? 0 : reply.value(), !reply.isError());
    });
}

void DesktopNotifier::sent(const QString &room, const Pending &notification, uint id, bool ok)
{
    RoomNotification &state = m_rooms[room];
    state.inFlight = false;
    const std::optional<Pending> next = std::exchange(state.next, std::nullopt);
    if (!ok) {
        // No server after all (or one that fails): tell the user some other way, and stop
        // asking the bus until a server appears.
        m_rooms.remove(room);
        setAvailability(Availability::Unavailable);
        if (m_fallback)
            m_fallback->show(room, next ? next->title : notification.title, next ? next->body : notification.body);
        return;
    }
    state.id = id;
    if (state.withdrawn) {
        m_bus.send(call(QStringLiteral("CloseNotification")) << id);
        m_rooms.remove(room);
        return;
    }
    if (next)
        send(room, *next);
}

void DesktopNotifier::withdraw(const QString &room)
{
    const auto found = m_rooms.find(room);
    if (found == m_rooms.end())
        return;
    found->next.reset();
    if (found->inFlight) {
        found->withdrawn = true; // closed as soon as its id is known
        return;
    }
    if (found->id != 0)
        m_bus.send(call(QStringLiteral("CloseNotification")) << found->id); // no answer to wait for
    m_rooms.erase(found);
}

QString DesktopNotifier::roomOf(uint id) const
{
    for (auto it = m_rooms.cbegin(); it != m_rooms.cend(); ++it) {
        if (id != 0 && it->id == id)
            return it.key();
    }
    return QString();
}

void DesktopNotifier::onActionInvoked(uint id, const QString &actionKey)
{
    const QString room = roomOf(id);
    if (!room.isEmpty() && actionKey == defaultAction)
        emit activated(room);
}

void DesktopNotifier::onNotificationClosed(uint id, uint)
{
    // Dismissed, expired or clicked: the room's next message opens a new notification
    // rather than updating one that is gone.
    const QString room = roomOf(id);
    if (!room.isEmpty() && !m_rooms[room].inFlight)
        m_rooms.remove(room);
}
