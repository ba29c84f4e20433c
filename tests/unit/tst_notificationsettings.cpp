// What Chat ▸ Settings… keeps about notifications, on a settings file of the test's own.

#include "client/notificationsettings.h"
#include "settingssandbox.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

namespace {
const QString server = QStringLiteral("127.0.0.1:3550");
}

class TestNotificationSettings : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();

    void everythingIsOnAtFirst();
    void savedSettingsAreLoadedNextTime();
    void roomChoicesBelongToTheirServer();
    void aRoomHasOneLevel();
    void mutedWinsInAFileThatSaysBoth();

private:
    QTemporaryDir m_settingsDir;
};

void TestNotificationSettings::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    QVERIFY(sandboxSettings(m_settingsDir.path()));
}

void TestNotificationSettings::init()
{
    QSettings(QStringLiteral("ChatApp"), QStringLiteral("chatapp")).clear();
}

void TestNotificationSettings::everythingIsOnAtFirst()
{
    const NotificationSettings loaded = NotificationSettings::load(server);
    QVERIFY(loaded.desktopNotifications);
    QVERIFY(loaded.mentions);
    QVERIFY(loaded.taskbarAlert);
    QVERIFY(loaded.unreadInTitle);
    QCOMPARE(loaded.level(QStringLiteral("general")), NotificationSettings::RoomLevel::Default);
}

void TestNotificationSettings::savedSettingsAreLoadedNextTime()
{
    NotificationSettings chosen;
    chosen.desktopNotifications = false;
    chosen.mentions = false;
    chosen.taskbarAlert = false;
    chosen.unreadInTitle = false;
    chosen.setLevel(QStringLiteral("lab"), NotificationSettings::RoomLevel::Everything);
    chosen.setLevel(QStringLiteral("random"), NotificationSettings::RoomLevel::Muted);
    chosen.save(server);

    const NotificationSettings loaded = NotificationSettings::load(server);
    QCOMPARE(loaded, chosen);
    QCOMPARE(loaded.level(QStringLiteral("lab")), NotificationSettings::RoomLevel::Everything);
    QCOMPARE(loaded.level(QStringLiteral("random")), NotificationSettings::RoomLevel::Muted);
    QCOMPARE(loaded.level(QStringLiteral("general")), NotificationSettings::RoomLevel::Default);

    // And back: a room set to Default again is in neither list.
    chosen.setLevel(QStringLiteral("lab"), NotificationSettings::RoomLevel::Default);
    chosen.save(server);
    QCOMPARE(NotificationSettings::load(server).level(QStringLiteral("lab")), NotificationSettings::RoomLevel::Default);
}

void TestNotificationSettings::roomChoicesBelongToTheirServer()
{
    NotificationSettings chosen;
    chosen.taskbarAlert = false;
    chosen.setLevel(QStringLiteral("general"), NotificationSettings::RoomLevel::Muted);
    chosen.save(server);

    const NotificationSettings elsewhere = NotificationSettings::load(QStringLiteral("https+chat.example.org:443"));
    QCOMPARE(elsewhere.level(QStringLiteral("general")), NotificationSettings::RoomLevel::Default);
    QVERIFY(!elsewhere.taskbarAlert); // the switches are the user's, on every server
}

void TestNotificationSettings::aRoomHasOneLevel()
{
    NotificationSettings settings;
    settings.setLevel(QStringLiteral("lab"), NotificationSettings::RoomLevel::Everything);
    settings.setLevel(QStringLiteral("lab"), NotificationSettings::RoomLevel::Muted);
    QVERIFY(!settings.everythingRooms().contains(QStringLiteral("lab")));
    QCOMPARE(settings.mutedRooms(), QSet<QString>{QStringLiteral("lab")});
}

void TestNotificationSettings::mutedWinsInAFileThatSaysBoth()
{
    QSettings file(QStringLiteral("ChatApp"), QStringLiteral("chatapp"));
    file.setValue(QStringLiteral("notifications/") + server + QStringLiteral("/everything"), QStringList{QStringLiteral("lab")});
    file.setValue(QStringLiteral("notifications/") + server + QStringLiteral("/muted"), QStringList{QStringLiteral("lab")});
    file.sync();
    const NotificationSettings loaded = NotificationSettings::load(server);
    QCOMPARE(loaded.level(QStringLiteral("lab")), NotificationSettings::RoomLevel::Muted);
    QVERIFY(!loaded.everythingRooms().contains(QStringLiteral("lab")));
}

QTEST_GUILESS_MAIN(TestNotificationSettings)
#include "tst_notificationsettings.moc"
