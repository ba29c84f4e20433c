// DesktopNotifier against a real D-Bus: a private dbus-daemon started for the test
// (tests/common/privatebus.h), with a fake notification server registered on it by the
// test, which records each call as a desktop's server would receive it.

#include "client/desktopnotifier.h"
#include "client/notificationfallback.h"
#include "fakenotificationserver.h"
#include "privatebus.h"

#include <QDBusConnection>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <memory>

namespace {
const QString service = QStringLiteral("org.freedesktop.Notifications");
const QString objectPath = QStringLiteral("/org/freedesktop/Notifications");
constexpr int timeoutMs = 10000;
} // namespace

class RecordingFallback : public NotificationFallback
{
    Q_OBJECT

public:
    using NotificationFallback::NotificationFallback;
    void show(const QString &room, const QString &title, const QString &body) override
    {
        shown.append({room, title, body});
    }
    QList<QStringList> shown;
};

class TestDesktopNotifier : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void notificationCarriesTheApplicationAndTheMessage();
    void burstInOneRoomIsOneNotificationUpdated();
    void roomsHaveANotificationEach();
    void bodyIsEscapedForServersThatReadMarkup();
    void bodyIsPlainForServersThatDoNot();
    void clickActivatesTheNotificationsRoom();
    void dismissedNotificationIsNotUpdated();
    void withdrawClosesTheRoomsNotification();
    void showNeverWaitsForTheServer();
    void withoutAServiceItIsUnavailableAndFallsBack();
    void withoutABusItIsUnavailableAtOnce();
    void serviceThatAppearsLaterIsUsed();
    void fallbackClickActivatesTheRoom();

private:
    void registerServer();
    std::unique_ptr<DesktopNotifier> makeNotifier();

    PrivateBus m_bus;
    std::unique_ptr<FakeNotificationServer> m_server;
};

void TestDesktopNotifier::initTestCase()
{
    QVERIFY2(m_bus.start(), qPrintable(m_bus.error()));
    QVERIFY(QDBusConnection::connectToBus(m_bus.address(), QStringLiteral("server")).isConnected());
    QVERIFY(QDBusConnection::connectToBus(m_bus.address(), QStringLiteral("notifier")).isConnected());
}

void TestDesktopNotifier::cleanupTestCase()
{
    QDBusConnection::disconnectFromBus(QStringLiteral("server"));
    QDBusConnection::disconnectFromBus(QStringLiteral("notifier"));
    m_bus.stop();
}

void TestDesktopNotifier::init()
{
    m_server = std::make_unique<FakeNotificationServer>();
}

void TestDesktopNotifier::cleanup()
{
    QDBusConnection bus(QStringLiteral("server"));
    bus.unregisterService(service);
    bus.unregisterObject(objectPath);
    m_server.reset();
}

void TestDesktopNotifier::registerServer()
{
    QDBusConnection bus(QStringLiteral("server"));
    QVERIFY(bus.registerObject(objectPath, m_server.get(),
                               QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllSignals));
    QVERIFY(bus.registerService(service));
}

std::unique_ptr<DesktopNotifier> TestDesktopNotifier::makeNotifier()
{
    return std::make_unique<DesktopNotifier>(QDBusConnection(QStringLiteral("notifier")));
}

void TestDesktopNotifier::notificationCarriesTheApplicationAndTheMessage()
{
    registerServer();
    auto notifier = makeNotifier();
    notifier->show(QStringLiteral("lab"), QStringLiteral("#lab — bo"), QStringLiteral("@ana lunch?"));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 1, timeoutMs);
    const FakeNotificationServer::Call &call = m_server->calls.first();
    QCOMPARE(call.appName, QStringLiteral("ChatApp"));
    QCOMPARE(call.appIcon, QStringLiteral("chatapp")); // the .desktop file's Icon=
    QCOMPARE(call.summary, QStringLiteral("#lab — bo"));
    QCOMPARE(call.body, QStringLiteral("@ana lunch?"));
    QCOMPARE(call.replacesId, 0u);
    QCOMPARE(call.expireTimeout, -1);
    QVERIFY(call.actions.contains(QStringLiteral("default")));
    QCOMPARE(call.hints.value(QStringLiteral("desktop-entry")).toString(), QStringLiteral("chatapp"));
    QTRY_COMPARE_WITH_TIMEOUT(notifier->availability(), DesktopNotifier::Availability::Available, timeoutMs);
}

void TestDesktopNotifier::burstInOneRoomIsOneNotificationUpdated()
{
    registerServer();
    auto notifier = makeNotifier();
    // Three messages before the server has answered the first: the second is dropped for
    // the third, which replaces the first once its id is known.
    for (const QString &text : {QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("three")})
        notifier->show(QStringLiteral("lab"), QStringLiteral("#lab — bo"), text);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 2, timeoutMs);
    QCOMPARE(m_server->calls[0].body, QStringLiteral("one"));
    QCOMPARE(m_server->calls[0].replacesId, 0u);
    QCOMPARE(m_server->calls[1].body, QStringLiteral("three"));
    QCOMPARE(m_server->calls[1].replacesId, 42u);
    // Later ones replace the same notification.
    notifier->show(QStringLiteral("lab"), QStringLiteral("#lab — cy"), QStringLiteral("four"));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 3, timeoutMs);
    QCOMPARE(m_server->calls[2].replacesId, 42u);
    QCOMPARE(m_server->calls[2].summary, QStringLiteral("#lab — cy"));
}

void TestDesktopNotifier::roomsHaveANotificationEach()
{
    registerServer();
    auto notifier = makeNotifier();
    notifier->show(QStringLiteral("lab"), QStringLiteral("#lab — bo"), QStringLiteral("one"));
    notifier->show(QStringLiteral("random"), QStringLiteral("#random — bo"), QStringLiteral("two"));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 2, timeoutMs);
    QCOMPARE(m_server->calls[0].replacesId, 0u);
    QCOMPARE(m_server->calls[1].replacesId, 0u);
}

void TestDesktopNotifier::bodyIsEscapedForServersThatReadMarkup()
{
    registerServer();
    auto notifier = makeNotifier();
    notifier->show(QStringLiteral("lab"), QStringLiteral("#lab — bo"),
                   QStringLiteral("<b>bold</b> & <a href=\"x\">link</a>"));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 1, timeoutMs);
    QCOMPARE(m_server->calls[0].body, QStringLiteral("&lt;b&gt;bold&lt;/b&gt; &amp; &lt;a href=\"x\"&gt;link&lt;/a&gt;"));
}

void TestDesktopNotifier::bodyIsPlainForServersThatDoNot()
{
    m_server->capabilities = {QStringLiteral("body"), QStringLiteral("actions")};
    registerServer();
    auto notifier = makeNotifier();
    QTRY_COMPARE_WITH_TIMEOUT(notifier->availability(), DesktopNotifier::Availability::Available, timeoutMs);
    notifier->show(QStringLiteral("lab"), QStringLiteral("#lab — bo"), QStringLiteral("a <b> & c"));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 1, timeoutMs);
    QCOMPARE(m_server->calls[0].body, QStringLiteral("a <b> & c"));
}

void TestDesktopNotifier::clickActivatesTheNotificationsRoom()
{
    registerServer();
    auto notifier = makeNotifier();
    QSignalSpy activated(notifier.get(), &DesktopNotifier::activated);
    notifier->show(QStringLiteral("lab"), QStringLiteral("#lab — bo"), QStringLiteral("one"));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 1, timeoutMs);
    // Another application's notification first: the bus delivers in order, so had it
    // been taken for ours, it would be the first activation seen.
    emit m_server->ActionInvoked(7, QStringLiteral("default"));
    emit m_server->ActionInvoked(42, QStringLiteral("default"));
    QVERIFY(activated.wait(timeoutMs));
    QCOMPARE(activated.size(), 1);
    QCOMPARE(activated.first().first().toString(), QStringLiteral("lab"));
}

void TestDesktopNotifier::dismissedNotificationIsNotUpdated()
{
    registerServer();
    auto notifier = makeNotifier();
    QSignalSpy activated(notifier.get(), &DesktopNotifier::activated);
    notifier->show(QStringLiteral("lab"), QStringLiteral("#lab — bo"), QStringLiteral("one"));
    notifier->show(QStringLiteral("random"), QStringLiteral("#random — bo"), QStringLiteral("two"));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 2, timeoutMs);
    emit m_server->NotificationClosed(42, 2); // dismissed by the user
    // Delivered after the closing, so once it is seen the closing has been too.
    emit m_server->ActionInvoked(43, QStringLiteral("default"));
    QVERIFY(activated.wait(timeoutMs));
    notifier->show(QStringLiteral("lab"), QStringLiteral("#lab — bo"), QStringLiteral("three"));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 3, timeoutMs);
    QCOMPARE(m_server->calls[2].replacesId, 0u);
}

void TestDesktopNotifier::withdrawClosesTheRoomsNotification()
{
    registerServer();
    auto notifier = makeNotifier();
    notifier->show(QStringLiteral("lab"), QStringLiteral("#lab — bo"), QStringLiteral("one"));
    // Withdrawn before its id is known: closed as soon as it is.
    notifier->withdraw(QStringLiteral("lab"));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->closed, QList<uint>{42}, timeoutMs);
    notifier->show(QStringLiteral("random"), QStringLiteral("#random — bo"), QStringLiteral("two"));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 2, timeoutMs);
    notifier->withdraw(QStringLiteral("random"));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->closed, (QList<uint>{42, 43}), timeoutMs);
}

void TestDesktopNotifier::showNeverWaitsForTheServer()
{
    // The fake server answers on this thread: a blocking call would sit out D-Bus's
    // 25-second timeout here before the server could answer.
    registerServer();
    QElapsedTimer clock;
    clock.start();
    auto notifier = makeNotifier();
    notifier->show(QStringLiteral("lab"), QStringLiteral("#lab — bo"), QStringLiteral("one"));
    notifier->withdraw(QStringLiteral("lab"));
    notifier->show(QStringLiteral("lab"), QStringLiteral("#lab — bo"), QStringLiteral("two"));
    QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(m_server->calls.isEmpty()); // nothing answered yet: nobody waited for it
    QTRY_VERIFY_WITH_TIMEOUT(!m_server->calls.isEmpty(), timeoutMs);
}

void TestDesktopNotifier::withoutAServiceItIsUnavailableAndFallsBack()
{
    auto notifier = makeNotifier();
    auto *fallback = new RecordingFallback;
    notifier->setFallback(fallback);
    QSignalSpy availability(notifier.get(), &DesktopNotifier::availabilityChanged);
    // Asked before the bus has said there is no server: it falls back once it has.
    notifier->show(QStringLiteral("lab"), QStringLiteral("#lab — bo"), QStringLiteral("one"));
    QCOMPARE(notifier->availability(), DesktopNotifier::Availability::Unknown);
    QVERIFY(availability.wait(timeoutMs));
    QCOMPARE(availability.first().first().toBool(), false);
    QCOMPARE(notifier->availability(), DesktopNotifier::Availability::Unavailable);
    QTRY_COMPARE_WITH_TIMEOUT(fallback->shown.size(), 1, timeoutMs);
    QCOMPARE(fallback->shown.first(),
             (QStringList{QStringLiteral("lab"), QStringLiteral("#lab — bo"), QStringLiteral("one")}));
    // Known unavailable: straight to the fallback.
    notifier->show(QStringLiteral("lab"), QStringLiteral("#lab — bo"), QStringLiteral("two"));
    QCOMPARE(fallback->shown.size(), 2);
}

void TestDesktopNotifier::withoutABusItIsUnavailableAtOnce()
{
    DesktopNotifier notifier(QDBusConnection(QStringLiteral("no such connection")));
    QCOMPARE(notifier.availability(), DesktopNotifier::Availability::Unavailable);
    auto *fallback = new RecordingFallback;
    notifier.setFallback(fallback);
    notifier.show(QStringLiteral("lab"), QStringLiteral("#lab — bo"), QStringLiteral("one"));
    QCOMPARE(fallback->shown.size(), 1);
}

void TestDesktopNotifier::serviceThatAppearsLaterIsUsed()
{
    auto notifier = makeNotifier();
    QTRY_COMPARE_WITH_TIMEOUT(notifier->availability(), DesktopNotifier::Availability::Unavailable, timeoutMs);
    QSignalSpy availability(notifier.get(), &DesktopNotifier::availabilityChanged);
    registerServer(); // a notification daemon started after the window
    QVERIFY(availability.wait(timeoutMs));
    QCOMPARE(availability.first().first().toBool(), true);
    notifier->show(QStringLiteral("lab"), QStringLiteral("#lab — bo"), QStringLiteral("one"));
    QTRY_COMPARE_WITH_TIMEOUT(m_server->calls.size(), 1, timeoutMs);
}

void TestDesktopNotifier::fallbackClickActivatesTheRoom()
{
    DesktopNotifier notifier(QDBusConnection(QStringLiteral("no such connection")));
    auto *fallback = new RecordingFallback;
    notifier.setFallback(fallback);
    QSignalSpy activated(&notifier, &DesktopNotifier::activated);
    emit fallback->activated(QStringLiteral("lab"));
    QCOMPARE(activated.size(), 1);
    QCOMPARE(activated.first().first().toString(), QStringLiteral("lab"));
}

QTEST_GUILESS_MAIN(TestDesktopNotifier)
#include "tst_desktopnotifier.moc"
