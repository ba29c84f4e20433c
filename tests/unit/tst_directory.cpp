// The window's room directory without a window: against the real `chatapp --serve`, whose
// room list comes in pages, and against made-up servers whose `next` never ends.

#include "client/apiclient.h"
#include "client/directory.h"
#include "httpclient.h"
#include "serverprocess.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <memory>

namespace {
constexpr int listingTimeoutMs = 20000;
// More than one default page (100), so that the whole list takes following `next`.
constexpr int createdRooms = 150;

QStringList namesOf(const QList<RoomOverview> &rooms)
{
    QStringList names;
    for (const RoomOverview &room : rooms)
        names.append(room.name.value());
    return names;
}

// A server that answers GET /api/v1/rooms with `pageFor(request)`, for what the real
// server never says; `served` counts the pages it gave.
struct FakeServer
{
    explicit FakeServer(std::function<QJsonObject(const QHttpServerRequest &)> pageFor)
    {
        server.route(QStringLiteral("/api/v1/rooms"), [this, pageFor](const QHttpServerRequest &request) {
            ++served;
            return QHttpServerResponse(pageFor(request));
        });
        port = server.listen(QHostAddress::LocalHost);
    }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)); }

    QHttpServer server;
    quint16 port = 0;
    int served = 0;
};

QJsonArray roomObjects(int first, int count)
{
    QJsonArray rooms;
    for (int i = first; i < first + count; ++i)
        rooms.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("r%1").arg(i, 6, 10, QLatin1Char('0'))},
                                 {QStringLiteral("message_count"), 0},
                                 {QStringLiteral("last_id"), 0},
                                 {QStringLiteral("online"), 0}});
    return rooms;
}

// A Directory on its own ApiClient, with what it emits and the paths it asked for.
struct Listing
{
    explicit Listing(const QUrl &server) : api(server), directory(&api), updates(&directory, &Directory::roomsUpdated)
    {
        QObject::connect(&api, &ApiClient::exchangeFinished, &directory,
                         [this](const Exchange &exchange) { paths.append(exchange.path); });
    }
    // Refreshes once and waits for the whole list.
    QList<RoomOverview> refreshed()
    {
        directory.refreshNow();
        if (!QTest::qWaitFor([this] { return !updates.isEmpty(); }, listingTimeoutMs))
            return {};
        return updates.first().first().value<QList<RoomOverview>>();
    }

    ApiClient api;
    Directory directory;
    QSignalSpy updates;
    QStringList paths;
};
} // namespace

class TestDirectory : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void refreshFollowsEveryPageThenReportsAllRooms();
    void refreshAskedForDuringOneRunsAfterItNotAlongside();
    void endlessPagesStopAtTheCap();
    void endlessTinyPagesStopAtThePageCap();
    void emptyPageEndsTheList();
    void nextElsewhereIsNotFollowed();

private:
    ServerProcess m_server;
    QNetworkAccessManager m_nam;
    QStringList m_rooms; // every room on m_server, in name order
};

void TestDirectory::initTestCase()
{
    // ServerProcess lifts the send limit, which counts room creations.
    QVERIFY2(m_server.start(), m_server.stderrOutput().constData());
    m_rooms.append(QStringLiteral("general"));
    for (int i = 0; i < createdRooms; ++i) {
        const QString name = QStringLiteral("dir%1").arg(i, 3, 10, QLatin1Char('0'));
        const HttpReply reply = request(m_nam, "PUT", m_server.url(QStringLiteral("/api/v1/rooms/") + name));
        QVERIFY2(reply.status == 201, reply.describe().constData());
        m_rooms.append(name);
    }
    std::sort(m_rooms.begin(), m_rooms.end());
}

void TestDirectory::cleanupTestCase()
{
    m_server.stop();
}

void TestDirectory::refreshFollowsEveryPageThenReportsAllRooms()
{
    Listing listing(m_server.baseUrl());
    const auto rooms = listing.refreshed();
    QCOMPARE(listing.updates.size(), 1);
    QCOMPARE(namesOf(rooms), m_rooms);
    // The default page is 100 rooms: the first page, then the one its `next` names.
    QCOMPARE(listing.paths, QStringList({QStringLiteral("/api/v1/rooms"),
                                 QStringLiteral("/api/v1/rooms?after=%1&limit=100").arg(m_rooms[99])}));
    const auto general = std::find_if(rooms.cbegin(), rooms.cend(),
                                      [](const RoomOverview &room) { return room.name.value() == u"general"; });
    QVERIFY(general != rooms.cend());
    QCOMPARE(general->lastId, MessageId(0));
}

void TestDirectory::refreshAskedForDuringOneRunsAfterItNotAlongside()
{
    Listing listing(m_server.baseUrl());
    listing.directory.refreshNow();
    listing.directory.refreshNow();
    listing.directory.refreshNow();
    // The later asks come while the first listing is under way: one more listing after
    // it (the room list may have changed since it began), never two side by side.
    QTRY_COMPARE_WITH_TIMEOUT(listing.updates.size(), 2, 2 * listingTimeoutMs);
    const QStringList oneListing = {QStringLiteral("/api/v1/rooms"),
                                    QStringLiteral("/api/v1/rooms?after=%1&limit=100").arg(m_rooms[99])};
    QCOMPARE(listing.paths, oneListing + oneListing);
    QCOMPARE(namesOf(listing.updates.at(0).first().value<QList<RoomOverview>>()), m_rooms);
    QCOMPARE(namesOf(listing.updates.at(1).first().value<QList<RoomOverview>>()), m_rooms);
}

void TestDirectory::endlessPagesStopAtTheCap()
{
    // Every page is full and names a next one, for ever.
    FakeServer endless([](const QHttpServerRequest &request) {
        const int page = QUrlQuery(request.url()).queryItemValue(QStringLiteral("page")).toInt();
        return QJsonObject{{QStringLiteral("rooms"), roomObjects(page * 1000, 1000)},
                           {QStringLiteral("next"), QStringLiteral("/api/v1/rooms?page=%1").arg(page + 1)}};
    });
    QVERIFY(endless.port != 0);
    Listing listing(endless.url());
    const auto rooms = listing.refreshed();
    QCOMPARE(rooms.size(), Directory::maxListedRooms);
    QCOMPARE(rooms.last().name.value(), QStringLiteral("r%1").arg(Directory::maxListedRooms - 1, 6, 10, QLatin1Char('0')));
    QCOMPARE(endless.served, int(Directory::maxListedRooms / 1000));
}

void TestDirectory::endlessTinyPagesStopAtThePageCap()
{
    // A room a page: far below the room cap, the number of requests is what must end.
    FakeServer tiny([](const QHttpServerRequest &request) {
        const int page = QUrlQuery(request.url()).queryItemValue(QStringLiteral("page")).toInt();
        return QJsonObject{{QStringLiteral("rooms"), roomObjects(page, 1)},
                           {QStringLiteral("next"), QStringLiteral("/api/v1/rooms?page=%1").arg(page + 1)}};
    });
    QVERIFY(tiny.port != 0);
    Listing listing(tiny.url());
    QCOMPARE(listing.refreshed().size(), Directory::maxRoomPages);
    QCOMPARE(tiny.served, Directory::maxRoomPages);
}

void TestDirectory::emptyPageEndsTheList()
{
    // A page with no rooms cannot move a cursor on: following its `next` could only loop.
    FakeServer empty([](const QHttpServerRequest &) {
        return QJsonObject{{QStringLiteral("rooms"), QJsonArray()},
                           {QStringLiteral("next"), QStringLiteral("/api/v1/rooms?after=a")}};
    });
    QVERIFY(empty.port != 0);
    Listing listing(empty.url());
    QVERIFY(listing.refreshed().isEmpty());
    QCOMPARE(listing.updates.size(), 1);
    QCOMPARE(empty.served, 1);
}

void TestDirectory::nextElsewhereIsNotFollowed()
{
    // The token goes with every request, so the directory follows `next` only on the
    // server it asked, and only to the room list.
    for (const QString &next : {QStringLiteral("http://127.0.0.1:9/api/v1/rooms?after=r000001"),
                                QStringLiteral("//evil.example/api/v1/rooms?after=r000001"),
                                QStringLiteral("/api/v1/sessions?after=r000001")}) {
        FakeServer server([next](const QHttpServerRequest &) {
            return QJsonObject{{QStringLiteral("rooms"), roomObjects(0, 2)}, {QStringLiteral("next"), next}};
        });
        QVERIFY(server.port != 0);
        Listing listing(server.url());
        QCOMPARE(listing.refreshed().size(), 2);
        QCOMPARE(server.served, 1);
    }
}

QTEST_GUILESS_MAIN(TestDirectory)
#include "tst_directory.moc"
