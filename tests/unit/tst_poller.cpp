// The window's poller without a window, against the real `chatapp --serve`.

#include "client/apiclient.h"
#include "client/poller.h"
#include "httpclient.h"
#include "serverprocess.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

namespace {
constexpr int answerTimeoutMs = 10000;
}

class TestPoller : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void cursorFromAnotherCopyOfTheRoomStartsOver();

private:
    ServerProcess m_server;
    QNetworkAccessManager m_nam;
};

void TestPoller::initTestCase()
{
    QVERIFY2(m_server.start(), m_server.stderrOutput().constData());
    for (const QString &text : {QStringLiteral("uno"), QStringLiteral("dos")}) {
        const HttpReply reply = request(m_nam, "POST", m_server.url(QStringLiteral("/api/v1/rooms/general/messages")),
                                        formBody({{"author", QStringLiteral("ana")}, {"text", text}}),
                                        {{"Content-Type", "application/x-www-form-urlencoded"}});
        QVERIFY2(reply.status == 201, reply.describe().constData());
    }
}

void TestPoller::cleanupTestCase()
{
    m_server.stop();
}

void TestPoller::cursorFromAnotherCopyOfTheRoomStartsOver()
{
    // The window saw message 50 of a room whose store was since restored from a backup
    // that ends at 2: the server refuses the cursor, and asking again would never end.
    ApiClient api(m_server.baseUrl());
    Poller poller(&api, QString(), std::nullopt);
    QSignalSpy resets(&poller, &Poller::roomReset);
    QSignalSpy arrivals(&poller, &Poller::messagesArrived);
    QSignalSpy retries(&poller, &Poller::retryScheduled);
    poller.follow(QStringLiteral("general"), MessageId(50));

    QTRY_COMPARE_WITH_TIMEOUT(arrivals.size(), 1, answerTimeoutMs);
    QCOMPARE(resets.size(), 1);
    QCOMPARE(resets.first().first().toString(), QStringLiteral("general"));
    QCOMPARE(retries.size(), 0);
    const QList<QVariant> &arrival = arrivals.first();
    QCOMPARE(arrival.at(0).toString(), QStringLiteral("general"));
    const auto messages = arrival.at(1).value<QList<Message>>();
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages.first().text, QStringLiteral("uno"));
    QCOMPARE(arrival.at(2).value<MessageId>(), MessageId(2));
    QVERIFY(arrival.at(3).toBool()); // the room's newest page, not news
}

QTEST_GUILESS_MAIN(TestPoller)
#include "tst_poller.moc"
