#include "notificationpolicy.h"

#include "mention.h"

#include "core/messagedraft.h"

#include <QCoreApplication>


NotificationDecision decideNotification(const Message &message, const NotificationContext &context,
                                        const NotificationSettings &settings)
{
    NotificationDecision decision;
    decision.room = message.room;
    if (context.initialPage || message.author == context.ownName
        || (message.room == context.currentRoom && context.windowActive))
        return decision;
    decision.mentionsYou = mentions(message.text, context.ownName);
    const bool worthTelling = (decision.mentionsYou && settings.mentions)
                              || settings.level(message.room) == NotificationSettings::RoomLevel::Everything;
    if (!worthTelling)
        return decision;
    decision.desktop = settings.desktopNotifications;
    decision.taskbarAlert = settings.taskbarAlert && !context.windowActive;
    //: A desktop notification's title: the room, then who wrote.
    decision.title = QCoreApplication::translate("NotificationPolicy", "#%1 — %2").arg(message.room, message.author);
    decision.body = elidedBody(message.text);
    return decision;
}

bool mayNotify(const QString &room, const NotificationSettings &settings)
{
    return (settings.desktopNotifications || settings.taskbarAlert)
           && (settings.mentions || settings.level(room) == NotificationSettings::RoomLevel::Everything);
}

bool countsInUnreadTotal(const QString &room, const NotificationSettings &settings)
{
    return settings.unreadInTitle && settings.level(room) != NotificationSettings::RoomLevel::Muted;
}

QString titleWithUnread(const QString &title, qint64 unread)
{
    return unread > 0 ? QStringLiteral("(%1) %2").arg(unread).arg(title) : title;
}

QString elidedBody(const QString &text)
{
    if (characterCount(text) <= maxNotificationBodyCharacters)
        return text;
    qsizetype started = 0; // characters begun before index i
    qsizetype i = 0;
    for (; i < text.size(); ++i) {
        if (text[i].isLowSurrogate())
            continue;
        // The "…" is the last character allowed: the cut falls before this one.
        if (started == maxNotificationBodyCharacters - 1)
            break;
        ++started;
    }
    return text.left(i) + u'…';
}
