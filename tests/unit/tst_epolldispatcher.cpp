// The server's epoll event loop must behave as Qt's own does for everything the server
// relies on: timers, socket notifiers, events posted from other threads, and real TCP
// sockets. This test runs on that loop (see main() at the bottom).

#include "server/epolldispatcher.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <thread>

namespace {
// Both ends of a connected pair of local sockets, closed when it goes.
struct SocketPair
{
    int ends[2] = {-1, -1};
    SocketPair() { socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, ends); }
    ~SocketPair()
    {
        for (const int end : ends) {
            if (end >= 0)
                close(end);
        }
    }
    void send(const char *bytes) const { QVERIFY(write(ends[1], bytes, strlen(bytes)) > 0); }
};
} // namespace

class TestEpollDispatcher : public QObject
{
    Q_OBJECT

private slots:
    void theLoopIsOurs();
    void timersFireInDeadlineOrder();
    void aRepeatingTimerRepeatsUntilStopped();
    void remainingTimeCountsDown();
    void aReadNotifierFiresOnlyWhileEnabled();
    void aReusedDescriptorIsWatchedAfresh();
    void anEventPostedFromAnotherThreadWakesTheLoop();
    void aTcpExchangeRoundTrips();
};

void TestEpollDispatcher::theLoopIsOurs()
{
    QVERIFY(qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()));
}

void TestEpollDispatcher::timersFireInDeadlineOrder()
{
    QList<int> fired;
    for (const int ms : {60, 20, 40})
        QTimer::singleShot(ms, Qt::PreciseTimer, this, [&fired, ms] { fired.append(ms); });
    QTRY_COMPARE_WITH_TIMEOUT(fired.size(), 3, 5000);
    QCOMPARE(fired, (QList<int>{20, 40, 60}));
}

void TestEpollDispatcher::aRepeatingTimerRepeatsUntilStopped()
{
    QTimer repeating;
    repeating.setInterval(5);
    int ticks = 0;
    connect(&repeating, &QTimer::timeout, this, [&] {
        if (++ticks == 3)
            repeating.stop();
    });
    repeating.start();
    QTRY_COMPARE_WITH_TIMEOUT(ticks, 3, 5000);
    // A later timer fires; the stopped one must not have fired meanwhile.
    QTimer later;
    later.setSingleShot(true);
    QSignalSpy laterFired(&later, &QTimer::timeout);
    later.start(50);
    QVERIFY(laterFired.wait(5000));
    QCOMPARE(ticks, 3);
}

void TestEpollDispatcher::remainingTimeCountsDown()
{
    QTimer timer;
    timer.start(10000);
    const int remaining = timer.remainingTime();
    QVERIFY2(remaining > 9000 && remaining <= 10000, qPrintable(QString::number(remaining)));
    timer.stop();
    QCOMPARE(timer.remainingTime(), -1);
}

void TestEpollDispatcher::aReadNotifierFiresOnlyWhileEnabled()
{
    SocketPair pair;
    QSocketNotifier notifier(pair.ends[0], QSocketNotifier::Read);
    QSignalSpy activated(&notifier, &QSocketNotifier::activated);
    pair.send("x");
    QVERIFY(activated.wait(5000));

    notifier.setEnabled(false);
    activated.clear();
    // Still readable, but nobody asked: a later timer fires first and nothing else.
    QTimer later;
    later.setSingleShot(true);
    QSignalSpy laterFired(&later, &QTimer::timeout);
    later.start(50);
    QVERIFY(laterFired.wait(5000));
    QCOMPARE(activated.size(), 0);

    notifier.setEnabled(true);
    QVERIFY(activated.wait(5000));
}

void TestEpollDispatcher::aReusedDescriptorIsWatchedAfresh()
{
    int reusedNumber = -1;
    {
        SocketPair first;
        auto notifier = std::make_unique<QSocketNotifier>(first.ends[0], QSocketNotifier::Read);
        QSignalSpy activated(notifier.get(), &QSocketNotifier::activated);
        first.send("x");
        QVERIFY(activated.wait(5000));
        reusedNumber = first.ends[0];
        notifier.reset(); // as a socket does: notifier off, then the descriptor closed
    }
    // The kernel hands out the lowest free numbers, so the new pair reuses the old ones;
    // epoll forgot the closed one, and the loop must not think it still watches it.
    SocketPair second;
    QCOMPARE(second.ends[0], reusedNumber);
    QSocketNotifier notifier(second.ends[0], QSocketNotifier::Read);
    QSignalSpy activated(&notifier, &QSocketNotifier::activated);
    second.send("y");
    QVERIFY(activated.wait(5000));
}

void TestEpollDispatcher::anEventPostedFromAnotherThreadWakesTheLoop()
{
    QEventLoop loop;
    bool wokenByThePost = false;
    QTimer failSafe;
    failSafe.setSingleShot(true);
    connect(&failSafe, &QTimer::timeout, &loop, &QEventLoop::quit);
    failSafe.start(5000);
    std::thread poster([&loop, &wokenByThePost] {
        // Long enough for the loop to be asleep in epoll_wait, waiting for the fail-safe.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        QMetaObject::invokeMethod(&loop, [&loop, &wokenByThePost] {
            wokenByThePost = true;
            loop.quit();
        }, Qt::QueuedConnection);
    });
    loop.exec();
    poster.join();
    QVERIFY2(wokenByThePost, "the loop slept through an event posted from another thread");
}

void TestEpollDispatcher::aTcpExchangeRoundTrips()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    connect(&server, &QTcpServer::newConnection, this, [&server] {
        QTcpSocket *accepted = server.nextPendingConnection();
        connect(accepted, &QTcpSocket::readyRead, accepted, [accepted] {
            accepted->write(accepted->readAll().toUpper());
        });
    });
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QByteArray received;
    connect(&client, &QTcpSocket::connected, this, [&client] { client.write("ping"); });
    connect(&client, &QTcpSocket::readyRead, this, [&] { received += client.readAll(); });
    QTRY_COMPARE_WITH_TIMEOUT(received, QByteArray("PING"), 5000);

    QSignalSpy closed(&client, &QTcpSocket::disconnected);
    server.close();
    const auto accepted = server.findChildren<QTcpSocket *>();
    QCOMPARE(accepted.size(), 1);
    accepted.first()->disconnectFromHost();
    QVERIFY(closed.wait(5000));
}

int main(int argc, char *argv[])
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestEpollDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epolldispatcher.moc"
