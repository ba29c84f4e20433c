// The window's notifications: Chat ▸ Settings… (Ctrl+,) and what it saves, a mention in
// the background reaching a notification server on a private D-Bus, a click on it
// opening the room, and the unread total in the title.

#include "client/chatclient.h"
#include "client/notifications.h"
#include "client/notificationsettings.h"
#include "client/messagemodel.h"
#include "client/roomlistmodel.h"
#include "fakenotificationserver.h"
#include "httpclient.h"
#include "privatebus.h"
#include "settingssandbox.h"
#include "ui/settingsdialog.h"
#include "ui/translations.h"
#include "windowdriver.h"

#include <QCheckBox>
#include <QDBusConnection>
#include <QDialogButtonBox>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTreeWidget>

namespace {
constexpr int timeoutMs = 10000;
// Another room's news comes with the poll the window holds, at once; the bound has room
// for a machine loaded by the rest of the suite.
constexpr int roomNewsTimeoutMs = 3000;

// Whether the window's room list shows `room`.
bool listsRoom(const MainWindow &window, const QString &room)
{
    return window.client()->rooms()->rowOf(*RoomName::parse(room)) >= 0;
}
const QString notificationService = QStringLiteral("org.freedesktop.Notifications");
const QString notificationPath = QStringLiteral("/org/freedesktop/Notifications");
} // namespace

class TestNotifications : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void ctrlCommaOpensSettingsAndOkSavesThem();
    void cancelKeepsWhatWasSaved();
    void mentionInTheBackgroundNotifiesAndItsClickOpensTheRoom();
    void mentionInAnotherRoomNotifies();
    void mentionIsHighlightedHereAndCountedElsewhere();
    void titleCountsUnreadButNotInMutedRooms();

private:
    QString serverKey() const { return QStringLiteral("127.0.0.1:%1").arg(m_server.port()); }
    void post(const QString &room, const QString &author, const QString &text);
    SettingsDialog *openSettings(MainWindow &window);

    QTemporaryDir m_settingsDir;
    PrivateBus m_bus;
    ServerProcess m_server;
    QNetworkAccessManager m_nam;
    FakeNotificationServer m_notifications;
};

void TestNotifications::initTestCase()
{
    QCOMPARE(installTranslations(*QCoreApplication::instance(), QStringLiteral("en")), QStringLiteral("en"));
    QVERIFY(m_settingsDir.isValid());
    QVERIFY(sandboxSettings(m_settingsDir.path()));
    // The windows' session bus is the test's: set before anything asks for sessionBus().
    QVERIFY2(m_bus.start(), qPrintable(m_bus.error()));
    qputenv("DBUS_SESSION_BUS_ADDRESS", m_bus.address().toUtf8());
    QVERIFY(QDBusConnection::sessionBus().isConnected());
    // The notification server is another client of that bus, as a desktop's would be.
    QDBusConnection server = QDBusConnection::connectToBus(m_bus.address(), QStringLiteral("server"));
    QVERIFY(server.registerObject(notificationPath, &m_notifications,
                                  QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllSignals));
    QVERIFY(server.registerService(notificationService));
    QVERIFY2(m_server.start(), m_server.stderrOutput().constData());
}

void TestNotifications::cleanupTestCase()
{
    m_server.stop();
    QDBusConnection::disconnectFromBus(QStringLiteral("server"));
    m_bus.stop();
}

void TestNotifications::init()
{
    QSettings(QStringLiteral("ChatApp"), QStringLiteral("chatapp")).clear();
    m_notifications.calls.clear();
    m_notifications.closed.clear();
}

void TestNotifications::post(const QString &room, const QString &author, const QString &text)
{
    const HttpReply reply = request(m_nam, "POST", m_server.url(QStringLiteral("/api/v1/rooms/%1/messages").arg(room)),
                                    formBody({{"author", author}, {"text", text}}),
                                    {{"Content-Type", "application/x-www-form-urlencoded"}});
    QCOMPARE(reply.status, 201);
}

SettingsDialog *TestNotifications::openSettings(MainWindow &window)
{
    window.activateWindow();
    if (!QTest::qWaitForWindowActive(&window))
        return nullptr;
    QTest::keyClick(&window, Qt::Key_Comma, Qt::ControlModifier);
    auto *dialog = window.findChild<SettingsDialog *>();
    if (!dialog || !QTest::qWaitForWindowExposed(dialog))
        return nullptr;
    return dialog;
}

void TestNotifications::ctrlCommaOpensSettingsAndOkSavesThem()
{
    post(QStringLiteral("lab"), QStringLiteral("bo"), QStringLiteral("hi"));
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), QStringLiteral("general"));
    QTRY_VERIFY_WITH_TIMEOUT(listsRoom(*ana, QStringLiteral("lab")), timeoutMs);

    SettingsDialog *dialog = openSettings(*ana);
    QVERIFY(dialog);
    auto *taskbar = dialog->findChild<QCheckBox *>(QStringLiteral("taskbarAlertCheck"));
    QVERIFY(taskbar->isChecked());
    taskbar->click();
    auto *levels = dialog->findChild<QTreeWidget *>(QStringLiteral("roomLevels"));
    const QList<QTreeWidgetItem *> lab = levels->findItems(QStringLiteral("#lab"), Qt::MatchExactly);
    QCOMPARE(lab.size(), 1);
    lab.first()->setCheckState(1, Qt::Checked); // every message
    lab.first()->setCheckState(2, Qt::Checked); // then muted: only one of the two stays
    QCOMPARE(lab.first()->checkState(1), Qt::Unchecked);
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();

    const NotificationSettings saved = NotificationSettings::load(serverKey());
    QVERIFY(!saved.taskbarAlert);
    QVERIFY(saved.desktopNotifications);
    QCOMPARE(saved.level(QStringLiteral("lab")), NotificationSettings::RoomLevel::Muted);
    QCOMPARE(saved.level(QStringLiteral("general")), NotificationSettings::RoomLevel::Default);
}

void TestNotifications::cancelKeepsWhatWasSaved()
{
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), QStringLiteral("general"));
    SettingsDialog *dialog = openSettings(*ana);
    QVERIFY(dialog);
    dialog->findChild<QCheckBox *>(QStringLiteral("desktopNotificationsCheck"))->click();
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Cancel)->click();
    QVERIFY(NotificationSettings::load(serverKey()).desktopNotifications);
}

void TestNotifications::mentionInTheBackgroundNotifiesAndItsClickOpensTheRoom()
{
    const QString lobby = QStringLiteral("lobby");
    const QString side = QStringLiteral("side");
    post(side, QStringLiteral("bo"), QStringLiteral("@ana old news"));
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), lobby);
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("No messages in #") + lobby), timeoutMs);
    // Another window in front: ana's is in the background.
    QWidget other;
    other.show();
    other.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&other));
    QTRY_VERIFY_WITH_TIMEOUT(!ana->isActiveWindow(), timeoutMs);
    // A room opened in the background: the mention in its first page is history, not news.
    ana->switchToRoom(side);
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("old news")), timeoutMs);
    ana->switchToRoom(lobby);
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("No messages in #") + lobby), timeoutMs);

    // The taskbar entry asks for attention too (QApplication::alert, which offscreen shows nothing).
    QSignalSpy alerts(ana->findChild<Notifications *>(), &Notifications::alertWanted);
    QVERIFY(alerts.isValid());
    // Chatter, then a mention: only the mention notifies, so it is the first call.
    post(lobby, QStringLiteral("bo"), QStringLiteral("lunch?"));
    post(lobby, QStringLiteral("bo"), QStringLiteral("@ana are you coming?"));
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("are you coming")), timeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!m_notifications.calls.isEmpty(), timeoutMs);
    QCOMPARE(m_notifications.calls.size(), 1);
    QCOMPARE(m_notifications.calls[0].summary, QStringLiteral("#lobby — bo"));
    QCOMPARE(m_notifications.calls[0].body, QStringLiteral("@ana are you coming?"));
    QCOMPARE(m_notifications.calls[0].appName, QStringLiteral("ChatApp"));
    QCOMPARE(alerts.size(), 1);

    // Elsewhere meanwhile; the click brings the window back to the room.
    ana->switchToRoom(side);
    emit m_notifications.ActionInvoked(42, QStringLiteral("default"));
    QTRY_COMPARE_WITH_TIMEOUT(ana->currentRoom(), lobby, timeoutMs);
    // Reading the room takes its notification away.
    QTRY_COMPARE_WITH_TIMEOUT(m_notifications.closed, QList<uint>{42}, timeoutMs);
}

void TestNotifications::mentionInAnotherRoomNotifies()
{
    const QString here = QStringLiteral("desk");
    const QString there = QStringLiteral("corridor");
    post(there, QStringLiteral("bo"), QStringLiteral("@ana history"));
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), here);
    QTRY_VERIFY_WITH_TIMEOUT(listsRoom(*ana, there), timeoutMs);
    // The poll says the room moved, and its news is read, even with the window in front,
    // since it is not on screen.
    post(there, QStringLiteral("bo"), QStringLiteral("@ana in the corridor"));
    QTRY_VERIFY_WITH_TIMEOUT(!m_notifications.calls.isEmpty(), roomNewsTimeoutMs);
    QCOMPARE(m_notifications.calls.size(), 1);
    QCOMPARE(m_notifications.calls[0].summary, QStringLiteral("#corridor — bo"));
    QCOMPARE(m_notifications.calls[0].body, QStringLiteral("@ana in the corridor"));
}

// What the delegates paint from: a message that names you is highlighted in the list
// (MentionsMeRole), and another room counts its mentions beside its unread ones (the
// room list's red "@ n"), until it is read.
void TestNotifications::mentionIsHighlightedHereAndCountedElsewhere()
{
    const QString hall = QStringLiteral("hall");
    const QString yard = QStringLiteral("yard");
    post(yard, QStringLiteral("bo"), QStringLiteral("before ana came"));
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), hall);
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("No messages in #") + hall), timeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(listsRoom(*ana, yard), timeoutMs);

    post(hall, QStringLiteral("bo"), QStringLiteral("plain chatter"));
    post(hall, QStringLiteral("bo"), QStringLiteral("@ana look here"));
    post(hall, QStringLiteral("bo"), QStringLiteral("banana bread is not a mention"));
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("is not a mention")), timeoutMs);
    const QAbstractItemModel *messages = messageViewOf(*ana)->model();
    QStringList highlighted;
    for (int row = 0; row < messages->rowCount(); ++row) {
        const QModelIndex index = messages->index(row, 0);
        if (index.data(MessageModel::MentionsMeRole).toBool())
            highlighted.append(index.data(MessageModel::TextRole).toString());
    }
    QCOMPARE(highlighted, QStringList{QStringLiteral("@ana look here")});

    RoomListModel *rooms = ana->client()->rooms();
    const auto yardCounts = [&] {
        const QModelIndex index = rooms->index(rooms->rowOf(*RoomName::parse(yard)), 0);
        return std::pair{index.data(RoomListModel::UnreadRole).toLongLong(),
                         index.data(RoomListModel::MentionRole).toInt()};
    };
    post(yard, QStringLiteral("bo"), QStringLiteral("@ana over here"));
    post(yard, QStringLiteral("bo"), QStringLiteral("and @ANA again"));
    post(yard, QStringLiteral("bo"), QStringLiteral("no one named"));
    QTRY_COMPARE_WITH_TIMEOUT(yardCounts(), (std::pair<qint64, int>{3, 2}), roomNewsTimeoutMs * 3);
    QCOMPARE(rooms->index(rooms->rowOf(*RoomName::parse(hall)), 0).data(RoomListModel::MentionRole).toInt(), 0);

    ana->switchToRoom(yard);
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("no one named")), timeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(yardCounts(), (std::pair<qint64, int>{0, 0}), timeoutMs);
}

void TestNotifications::titleCountsUnreadButNotInMutedRooms()
{
    const QString lobby = QStringLiteral("hall");
    const QString side = QStringLiteral("quiet");
    post(side, QStringLiteral("bo"), QStringLiteral("before"));
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), lobby);
    QTRY_VERIFY_WITH_TIMEOUT(listsRoom(*ana, side), timeoutMs);
    QVERIFY2(ana->windowTitle().startsWith(u'#'), qPrintable(ana->windowTitle()));

    post(side, QStringLiteral("bo"), QStringLiteral("one"));
    post(side, QStringLiteral("bo"), QStringLiteral("two"));
    QTRY_VERIFY_WITH_TIMEOUT(ana->windowTitle().startsWith(QStringLiteral("(2) #hall — ana at")),
                             roomNewsTimeoutMs);

    SettingsDialog *dialog = openSettings(*ana);
    QVERIFY(dialog);
    auto *levels = dialog->findChild<QTreeWidget *>(QStringLiteral("roomLevels"));
    levels->findItems(QStringLiteral("#") + side, Qt::MatchExactly).first()->setCheckState(2, Qt::Checked);
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
    QVERIFY2(ana->windowTitle().startsWith(u'#'), qPrintable(ana->windowTitle()));
}

QTEST_MAIN(TestNotifications)
#include "tst_notifications.moc"
