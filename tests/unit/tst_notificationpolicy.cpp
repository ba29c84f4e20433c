// Which messages notify, and what the notification says: the rules of
// app/client/notificationpolicy.h, each on its own.

#include "client/notificationpolicy.h"

#include <QTest>

namespace {
Message message(const QString &room, const QString &author, const QString &text)
{
    Message made;
    made.id = 7;
    made.room = room;
    made.author = author;
    made.text = text;
    return made;
}

// ana, reading #general, with the window in the background: the usual case for news.
NotificationContext away()
{
    NotificationContext context;
    context.ownName = QStringLiteral("ana");
    context.currentRoom = QStringLiteral("general");
    context.windowActive = false;
    return context;
}

NotificationSettings everythingIn(const QString &room)
{
    NotificationSettings settings;
    settings.setLevel(room, NotificationSettings::RoomLevel::Everything);
    return settings;
}
} // namespace

class TestNotificationPolicy : public QObject
{
    Q_OBJECT

private slots:
    void mentionIsTheNameAsAWord_data();
    void mentionIsTheNameAsAWord();

    void mentionNotifiesOnDesktopAndTaskbar();
    void plainMessageInADefaultRoomDoesNotNotify();
    void everyMessageOfAnEverythingRoomNotifies();
    void ownMessagesNeverNotify();
    void roomOnScreenInTheActiveWindowDoesNotNotify();
    void roomOnScreenNotifiesWhenTheWindowIsInTheBackground();
    void otherRoomNotifiesWhileTheWindowIsActiveButNotTheTaskbar();
    void initialPageNeverNotifies();
    void mutedRoomIsSilentButForMentions();
    void mentionsOffSilenceMentions();
    void desktopOffStillAlertsTheTaskbar();
    void taskbarOffStillNotifiesTheDesktop();

    void titleIsRoomAndAuthor();
    void longBodyIsElidedTo200Characters();
    void elisionNeverSplitsACharacter();
    void shortBodyIsKeptAsTyped();

    void roomsMayNotifyOnlyWhenSomethingCould();
    void mutedRoomsStayOutOfTheUnreadTotal();
    void unreadTotalGoesInFrontOfTheTitle();
};

void TestNotificationPolicy::mentionIsTheNameAsAWord_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("mentioned");
    QTest::newRow("at-name") << QStringLiteral("@ana can you look?") << QStringLiteral("ana") << true;
    QTest::newRow("bare name") << QStringLiteral("ana, can you look?") << QStringLiteral("ana") << true;
    QTest::newRow("any case") << QStringLiteral("thanks ANA") << QStringLiteral("ana") << true;
    QTest::newRow("capitalised name") << QStringLiteral("hi @ana") << QStringLiteral("Ana") << true;
    QTest::newRow("in brackets") << QStringLiteral("(ana)") << QStringLiteral("ana") << true;
    QTest::newRow("possessive") << QStringLiteral("ana's patch") << QStringLiteral("ana") << true;
    QTest::newRow("whole text") << QStringLiteral("ana") << QStringLiteral("ana") << true;
    QTest::newRow("accented") << QStringLiteral("gracias, MARÍA") << QStringLiteral("maría") << true;
    QTest::newRow("name with space") << QStringLiteral("ask ana maría.") << QStringLiteral("ana maría") << true;
    QTest::newRow("second occurrence") << QStringLiteral("banana for ana") << QStringLiteral("ana") << true;
    QTest::newRow("inside a word") << QStringLiteral("banana") << QStringLiteral("ana") << false;
    QTest::newRow("prefix of a word") << QStringLiteral("anabel is here") << QStringLiteral("ana") << false;
    QTest::newRow("at a longer name") << QStringLiteral("@anas") << QStringLiteral("ana") << false;
    QTest::newRow("underscore joins") << QStringLiteral("ana_b") << QStringLiteral("ana") << false;
    QTest::newRow("digit joins") << QStringLiteral("ana2") << QStringLiteral("ana") << false;
    QTest::newRow("e-mail address") << QStringLiteral("mail bo@ana.org") << QStringLiteral("ana") << false;
    QTest::newRow("letter outside the BMP joins") << QStringLiteral("ana\U0001D49C") << QStringLiteral("ana") << false;
    QTest::newRow("emoji does not join") << QStringLiteral("ana\U0001F600") << QStringLiteral("ana") << true;
    QTest::newRow("combining mark joins") << QStringLiteral("ana\u0308") << QStringLiteral("ana") << false;
    QTest::newRow("empty name") << QStringLiteral("anything") << QStringLiteral("") << false;
    QTest::newRow("blank name") << QStringLiteral("a  b") << QStringLiteral(" ") << false;
    // @room calls everyone in the room, the reader included.
    QTest::newRow("@room") << QStringLiteral("@room the server restarts at noon") << QStringLiteral("ana") << true;
    QTest::newRow("@ROOM, in any case") << QStringLiteral("heads up, @ROOM!") << QStringLiteral("ana") << true;
    QTest::newRow("room without @") << QStringLiteral("which room?") << QStringLiteral("ana") << false;
    QTest::newRow("@roomba") << QStringLiteral("my @roomba broke") << QStringLiteral("ana") << false;
    QTest::newRow("mail@room.org") << QStringLiteral("write to mail@room.org") << QStringLiteral("ana") << false;
}

void TestNotificationPolicy::mentionIsTheNameAsAWord()
{
    QFETCH(QString, text);
    QFETCH(QString, name);
    QFETCH(bool, mentioned);
    QCOMPARE(mentions(text, name), mentioned);
}

void TestNotificationPolicy::mentionNotifiesOnDesktopAndTaskbar()
{
    const NotificationDecision decision
        = decideNotification(message(QStringLiteral("lab"), QStringLiteral("bo"), QStringLiteral("@ana look")),
                             away(), NotificationSettings());
    QVERIFY(decision.mentionsYou);
    QVERIFY(decision.desktop);
    QVERIFY(decision.taskbarAlert);
    QCOMPARE(decision.room, QStringLiteral("lab"));
}

void TestNotificationPolicy::plainMessageInADefaultRoomDoesNotNotify()
{
    const NotificationDecision decision
        = decideNotification(message(QStringLiteral("lab"), QStringLiteral("bo"), QStringLiteral("lunch?")),
                             away(), NotificationSettings());
    QVERIFY(!decision.desktop);
    QVERIFY(!decision.taskbarAlert);
}

void TestNotificationPolicy::everyMessageOfAnEverythingRoomNotifies()
{
    const NotificationDecision decision
        = decideNotification(message(QStringLiteral("lab"), QStringLiteral("bo"), QStringLiteral("lunch?")),
                             away(), everythingIn(QStringLiteral("lab")));
    QVERIFY(!decision.mentionsYou);
    QVERIFY(decision.desktop);
    QVERIFY(decision.taskbarAlert);
}

void TestNotificationPolicy::ownMessagesNeverNotify()
{
    // Even one that names yourself, in a room where everything notifies.
    const NotificationDecision decision
        = decideNotification(message(QStringLiteral("lab"), QStringLiteral("ana"), QStringLiteral("ana here")),
                             away(), everythingIn(QStringLiteral("lab")));
    QVERIFY(!decision.desktop);
    QVERIFY(!decision.taskbarAlert);
}

void TestNotificationPolicy::roomOnScreenInTheActiveWindowDoesNotNotify()
{
    NotificationContext reading = away();
    reading.windowActive = true;
    const NotificationDecision decision
        = decideNotification(message(QStringLiteral("general"), QStringLiteral("bo"), QStringLiteral("@ana")),
                             reading, everythingIn(QStringLiteral("general")));
    QVERIFY(!decision.desktop);
    QVERIFY(!decision.taskbarAlert);
}

void TestNotificationPolicy::roomOnScreenNotifiesWhenTheWindowIsInTheBackground()
{
    const NotificationDecision decision
        = decideNotification(message(QStringLiteral("general"), QStringLiteral("bo"), QStringLiteral("@ana")),
                             away(), NotificationSettings());
    QVERIFY(decision.desktop);
    QVERIFY(decision.taskbarAlert);
}

void TestNotificationPolicy::otherRoomNotifiesWhileTheWindowIsActiveButNotTheTaskbar()
{
    NotificationContext reading = away();
    reading.windowActive = true;
    const NotificationDecision decision
        = decideNotification(message(QStringLiteral("lab"), QStringLiteral("bo"), QStringLiteral("@ana")),
                             reading, NotificationSettings());
    QVERIFY(decision.desktop);
    // The taskbar entry of the window in front says nothing the user does not see.
    QVERIFY(!decision.taskbarAlert);
}

void TestNotificationPolicy::initialPageNeverNotifies()
{
    NotificationContext opening = away();
    opening.initialPage = true;
    const NotificationDecision decision
        = decideNotification(message(QStringLiteral("lab"), QStringLiteral("bo"), QStringLiteral("@ana")),
                             opening, everythingIn(QStringLiteral("lab")));
    QVERIFY(!decision.desktop);
    QVERIFY(!decision.taskbarAlert);
}

void TestNotificationPolicy::mutedRoomIsSilentButForMentions()
{
    NotificationSettings settings;
    settings.setLevel(QStringLiteral("lab"), NotificationSettings::RoomLevel::Muted);
    const NotificationDecision chatter
        = decideNotification(message(QStringLiteral("lab"), QStringLiteral("bo"), QStringLiteral("lunch?")),
                             away(), settings);
    QVERIFY(!chatter.desktop);
    QVERIFY(!chatter.taskbarAlert);
    const NotificationDecision mention
        = decideNotification(message(QStringLiteral("lab"), QStringLiteral("bo"), QStringLiteral("@ana lunch?")),
                             away(), settings);
    QVERIFY(mention.desktop);
    QVERIFY(mention.taskbarAlert);
}

void TestNotificationPolicy::mentionsOffSilenceMentions()
{
    NotificationSettings settings;
    settings.mentions = false;
    const NotificationDecision decision
        = decideNotification(message(QStringLiteral("lab"), QStringLiteral("bo"), QStringLiteral("@ana")),
                             away(), settings);
    QVERIFY(decision.mentionsYou);
    QVERIFY(!decision.desktop);
    QVERIFY(!decision.taskbarAlert);
}

void TestNotificationPolicy::desktopOffStillAlertsTheTaskbar()
{
    NotificationSettings settings;
    settings.desktopNotifications = false;
    const NotificationDecision decision
        = decideNotification(message(QStringLiteral("lab"), QStringLiteral("bo"), QStringLiteral("@ana")),
                             away(), settings);
    QVERIFY(!decision.desktop);
    QVERIFY(decision.taskbarAlert);
}

void TestNotificationPolicy::taskbarOffStillNotifiesTheDesktop()
{
    NotificationSettings settings;
    settings.taskbarAlert = false;
    const NotificationDecision decision
        = decideNotification(message(QStringLiteral("lab"), QStringLiteral("bo"), QStringLiteral("@ana")),
                             away(), settings);
    QVERIFY(decision.desktop);
    QVERIFY(!decision.taskbarAlert);
}

void TestNotificationPolicy::titleIsRoomAndAuthor()
{
    const NotificationDecision decision
        = decideNotification(message(QStringLiteral("lab"), QStringLiteral("bo"), QStringLiteral("@ana <b>now</b>")),
                             away(), NotificationSettings());
    QCOMPARE(decision.title, QStringLiteral("#lab — bo"));
    // As typed: escaping for the notification server is the notifier's business.
    QCOMPARE(decision.body, QStringLiteral("@ana <b>now</b>"));
}

void TestNotificationPolicy::longBodyIsElidedTo200Characters()
{
    const QString text = QStringLiteral("@ana ") + QString(400, u'x');
    const NotificationDecision decision
        = decideNotification(message(QStringLiteral("lab"), QStringLiteral("bo"), text), away(), NotificationSettings());
    QCOMPARE(decision.body.size(), maxNotificationBodyCharacters);
    QVERIFY(decision.body.endsWith(u'…'));
    QVERIFY(text.startsWith(decision.body.chopped(1)));
    // Exactly at the limit nothing is cut.
    const QString exact(maxNotificationBodyCharacters, u'y');
    QCOMPARE(elidedBody(exact), exact);
    QCOMPARE(elidedBody(exact + u'z').size(), maxNotificationBodyCharacters);
}

void TestNotificationPolicy::elisionNeverSplitsACharacter()
{
    // 300 emoji, two UTF-16 units each: the cut keeps 199 whole ones and the "…".
    QString text;
    for (int i = 0; i < 300; ++i)
        text += QStringLiteral("\U0001F600");
    const QString body = elidedBody(text);
    QCOMPARE(body.size(), 199 * 2 + 1);
    QVERIFY(!body.chopped(1).back().isHighSurrogate());
    QCOMPARE(body.chopped(1), text.left(199 * 2));
}

void TestNotificationPolicy::shortBodyIsKeptAsTyped()
{
    QCOMPARE(elidedBody(QStringLiteral("two\nlines")), QStringLiteral("two\nlines"));
}

void TestNotificationPolicy::roomsMayNotifyOnlyWhenSomethingCould()
{
    NotificationSettings settings = everythingIn(QStringLiteral("lab"));
    settings.setLevel(QStringLiteral("random"), NotificationSettings::RoomLevel::Muted);
    // Mentions notify in every room, muted ones included.
    QVERIFY(mayNotify(QStringLiteral("general"), settings));
    QVERIFY(mayNotify(QStringLiteral("random"), settings));
    settings.mentions = false;
    QVERIFY(!mayNotify(QStringLiteral("general"), settings));
    QVERIFY(mayNotify(QStringLiteral("lab"), settings));
    settings.taskbarAlert = false;
    QVERIFY(mayNotify(QStringLiteral("lab"), settings));
    settings.desktopNotifications = false;
    QVERIFY(!mayNotify(QStringLiteral("lab"), settings));
    settings.taskbarAlert = true;
    QVERIFY(mayNotify(QStringLiteral("lab"), settings));
}

void TestNotificationPolicy::mutedRoomsStayOutOfTheUnreadTotal()
{
    NotificationSettings settings;
    settings.setLevel(QStringLiteral("lab"), NotificationSettings::RoomLevel::Muted);
    QVERIFY(!countsInUnreadTotal(QStringLiteral("lab"), settings));
    QVERIFY(countsInUnreadTotal(QStringLiteral("general"), settings));
    settings.unreadInTitle = false;
    QVERIFY(!countsInUnreadTotal(QStringLiteral("general"), settings));
}

void TestNotificationPolicy::unreadTotalGoesInFrontOfTheTitle()
{
    QCOMPARE(titleWithUnread(QStringLiteral("#lab — ChatApp"), 3), QStringLiteral("(3) #lab — ChatApp"));
    QCOMPARE(titleWithUnread(QStringLiteral("#lab — ChatApp"), 0), QStringLiteral("#lab — ChatApp"));
}

QTEST_GUILESS_MAIN(TestNotificationPolicy)
#include "tst_notificationpolicy.moc"
