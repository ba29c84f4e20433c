#pragma once

#include "core/message.h"
#include "mention.h"
#include "notificationsettings.h"

#include <QString>
#include <QStringView>

// What the window knows when a message arrives, besides the message.
struct NotificationContext
{
    QString ownName; // the name the window sends as
    QString currentRoom; // the room on screen
    bool windowActive = false; // the window has the keyboard focus: the user is looking
    // The page a room opens with (or starts over with after a reset): history, not news.
    bool initialPage = false;
};

// What to do about one message.
struct NotificationDecision
{
    bool desktop = false; // a desktop notification
    bool taskbarAlert = false; // QApplication::alert on the window's taskbar entry
    bool mentionsYou = false;
    QString room;
    QString title; // "#room — author"
    QString body; // the text, elided
};

// The longest body, in characters (code points): two or three lines of a notification
// bubble. A longer text is cut and ends in "…"; the whole message is one click away.
constexpr qsizetype maxNotificationBodyCharacters = 200;


// Rules, in order:
//  1. Nothing for the room's initial page, for your own messages (author == ownName,
//     exactly as the server compares names), or for the room on screen while the window is
//     active: the user is reading it.
//  2. A message that mentions you is worth telling about while mentions are on, whatever
//     the room's level, muted included.
//  3. Otherwise only a room set to Everything is; a Default or Muted room is not.
//  4. Worth telling about: a desktop notification while desktop notifications are on, and
//     a taskbar alert while taskbar alerts are on and the window is not active.
NotificationDecision decideNotification(const Message &message, const NotificationContext &context,
                                        const NotificationSettings &settings);

// Whether any message of `room` could notify under `settings`: false when neither
// notifications nor taskbar alerts are on, or when only an Everything room's messages
// could and the room is not one. Rooms that cannot are not even read for news.
bool mayNotify(const QString &room, const NotificationSettings &settings);

// Whether the room's unread messages count in the window title's total: all rooms' do but
// a muted one's (the point of muting), and none while the title total is off.
bool countsInUnreadTotal(const QString &room, const NotificationSettings &settings);

// "(3) title" for 3 unread messages; the title alone for none. In front, as browsers and
// chat apps put it, where a taskbar that cuts long titles still shows it.
QString titleWithUnread(const QString &title, qint64 unread);

// The first maxNotificationBodyCharacters of `text`, never splitting a character made of
// two UTF-16 units, with "…" when cut.
QString elidedBody(const QString &text);
