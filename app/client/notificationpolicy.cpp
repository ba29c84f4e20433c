#include "notificationpolicy.h"

#include "core/messagedraft.h"

#include <QCoreApplication>

namespace {
bool continuesWord(QStringView text, qsizetype index)
{
    if (index < 0 || index >= text.size())
        return false;
    // A low surrogate or a letter outside the BMP: read the whole code point.
    char32_t codePoint = text[index].unicode();
    if (QChar::isHighSurrogate(codePoint) && index + 1 < text.size())
        codePoint = QChar::surrogateToUcs4(text[index], text[index + 1]);
    else if (QChar::isLowSurrogate(codePoint) && index > 0)
        codePoint = QChar::surrogateToUcs4(text[index - 1], text[index]);
    return QChar::isLetterOrNumber(codePoint) || QChar::isMark(codePoint) || codePoint == U'_';
}
} // namespace

bool mentions(QStringView text, QStringView name)
{
    name = name.trimmed();
    if (name.isEmpty())
        return false;
    for (qsizetype at = text.indexOf(name, 0, Qt::CaseInsensitive); at >= 0;
         at = text.indexOf(name, at + 1, Qt::CaseInsensitive)) {
        const qsizetype before = at > 0 && text[at - 1] == u'@' ? at - 2 : at - 1;
        if (!continuesWord(text, before) && !continuesWord(text, at + name.size()))
            return true;
    }
    return false;
}

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
