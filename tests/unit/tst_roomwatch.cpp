// RoomWatch reads the news of rooms not on screen, against the real `chatapp --serve`:
// only news, only of rooms that may notify, never the poller's room.

#include "client/apiclient.h"
#include "client/roomwatch.h"
#include "httpclient.h"
#include "serverprocess.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

namespace {
constexpr int answerTimeoutMs = 10000;

bool everyRoom(const QString &)
{
    return true;
}
} // namespace

class TestRoomWatch : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void firstListingIsHistoryOnlyLaterMessagesArrive();
    void roomOnScreenIsLeftToThePoller();
    void roomsThatCannotNotifyAreNotRead();
    void atMostTenRoomsAreReadPerListing();

private:
    // Posts to `room`; returns the new message's id.
    MessageId post(const QString &room, const QString &text);
    QStringList textsOf(const QList<QVariant> &arrival);

    ServerProcess m_server;
    QNetworkAccessManager m_nam;
};

void TestRoomWatch::initTestCase()
{
    QVERIFY2(m_server.start(), m_server.stderrOutput().constData());
}

void TestRoomWatch::cleanupTestCase()
{
    m_server.stop();
}

MessageId TestRoomWatch::post(const QString &room, const QString &text)
{
    const HttpReply reply = request(m_nam, "POST", m_server.url(QStringLiteral("/api/v1/rooms/%1/messages").arg(room)),
                                    formBody({{"author", QStringLiteral("bo")}, {"text", text}}),
                                    {{"Content-Type", "application/x-www-form-urlencoded"}});
    if (reply.status != 201)
        qWarning() << reply.describe();
    return reply.json.value(QLatin1String("id")).toInteger();
}

QStringList TestRoomWatch::textsOf(const QList<QVariant> &arrival)
{
    QStringList texts;
    for (const Message &message : arrival.at(1).value<QList<Message>>())
        texts.append(message.text);
    return texts;
}

void TestRoomWatch::firstListingIsHistoryOnlyLaterMessagesArrive()
{
    ApiClient api(m_server.baseUrl());
    RoomWatch watch(&api);
    QSignalSpy arrivals(&watch, &RoomWatch::messagesArrived);
    post(QStringLiteral("lab"), QStringLiteral("old one"));
    const MessageId old = post(QStringLiteral("lab"), QStringLiteral("old two"));
    watch.roomsListed({{QStringLiteral("lab"), 2, old, 0}}, QStringLiteral("general"), everyRoom);
    const MessageId news = post(QStringLiteral("lab"), QStringLiteral("news"));
    watch.roomsListed({{QStringLiteral("lab"), 3, news, 0}}, QStringLiteral("general"), everyRoom);
    // Had the first listing read the room, its history would be the first arrival.
    QVERIFY(arrivals.wait(answerTimeoutMs));
    QCOMPARE(arrivals.first().at(0).toString(), QStringLiteral("lab"));
    QCOMPARE(textsOf(arrivals.first()), QStringList{QStringLiteral("news")});
}

void TestRoomWatch::roomOnScreenIsLeftToThePoller()
{
    ApiClient api(m_server.baseUrl());
    RoomWatch watch(&api);
    QSignalSpy arrivals(&watch, &RoomWatch::messagesArrived);
    const QString room = QStringLiteral("screen");
    watch.roomsListed({{room, 1, post(room, QStringLiteral("first")), 0}}, room, everyRoom);
    // Read on screen, by the poller.
    watch.roomsListed({{room, 2, post(room, QStringLiteral("seen by the poller")), 0}}, room, everyRoom);
    // Then the user went elsewhere.
    watch.roomsListed({{room, 3, post(room, QStringLiteral("after leaving")), 0}}, QStringLiteral("general"), everyRoom);
    QVERIFY(arrivals.wait(answerTimeoutMs));
    QCOMPARE(textsOf(arrivals.first()), QStringList{QStringLiteral("after leaving")});
}

void TestRoomWatch::roomsThatCannotNotifyAreNotRead()
{
    ApiClient api(m_server.baseUrl());
    RoomWatch watch(&api);
    QSignalSpy arrivals(&watch, &RoomWatch::messagesArrived);
    const QString room = QStringLiteral("quiet");
    bool watched = false;
    const auto isWatched = [&watched](const QString &) { return watched; };
    watch.roomsListed({{room, 1, post(room, QStringLiteral("first")), 0}}, QStringLiteral("general"), isWatched);
    watch.roomsListed({{room, 2, post(room, QStringLiteral("unwatched")), 0}}, QStringLiteral("general"), isWatched);
    watched = true;
    watch.roomsListed({{room, 3, post(room, QStringLiteral("watched")), 0}}, QStringLiteral("general"), isWatched);
    QVERIFY(arrivals.wait(answerTimeoutMs));
    QCOMPARE(textsOf(arrivals.first()), QStringList{QStringLiteral("watched")});
}

void TestRoomWatch::atMostTenRoomsAreReadPerListing()
{
    ApiClient api(m_server.baseUrl());
    RoomWatch watch(&api);
    QSignalSpy arrivals(&watch, &RoomWatch::messagesArrived);
    QList<RoomOverview> rooms;
    for (int i = 0; i < 12; ++i) {
        const QString room = QStringLiteral("busy%1").arg(i, 2, 10, QLatin1Char('0'));
        rooms.append({room, 1, post(room, QStringLiteral("history")), 0});
    }
    watch.roomsListed(rooms, QStringLiteral("general"), everyRoom);
    for (RoomOverview &room : rooms)
        room.lastId = post(room.name, QStringLiteral("news one"));
    watch.roomsListed(rooms, QStringLiteral("general"), everyRoom);
    QTRY_COMPARE_WITH_TIMEOUT(arrivals.size(), RoomWatch::maxFetchesPerListing, answerTimeoutMs);
    // The two left over were caught up with: their next news arrives alone.
    QSet<QString> read;
    for (const QList<QVariant> &arrival : std::as_const(arrivals))
        read.insert(arrival.at(0).toString());
    arrivals.clear();
    QList<RoomOverview> leftOver;
    for (RoomOverview room : std::as_const(rooms)) {
        if (read.contains(room.name))
            continue;
        room.lastId = post(room.name, QStringLiteral("news two"));
        leftOver.append(room);
    }
    QCOMPARE(leftOver.size(), 2);
    watch.roomsListed(leftOver, QStringLiteral("general"), everyRoom);
    QTRY_COMPARE_WITH_TIMEOUT(arrivals.size(), 2, answerTimeoutMs);
    for (const QList<QVariant> &arrival : std::as_const(arrivals))
        QCOMPARE(textsOf(arrival), QStringList{QStringLiteral("news two")});
}

QTEST_GUILESS_MAIN(TestRoomWatch)
#include "tst_roomwatch.moc"
