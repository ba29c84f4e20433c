// The chat client without a window, against the real `chatapp --serve`: what the window
// shows is in ChatClient's models, so every behaviour here needs no widget.

#include "client/apiclient.h"
#include "client/chosenname.h"
#include "client/directory.h"
#include "client/chatclient.h"
#include "client/messagemodel.h"
#include "client/roomlistmodel.h"
#include "client/searchresults.h"
#include "client/typingnotifier.h"
#include "server/typingboard.h"
#include "clientconfig.h"
#include "httpclient.h"
#include "roomcontent.h"
#include "serverprocess.h"
#include "settingssandbox.h"

#include <QAbstractItemModelTester>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QStringListModel>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

namespace {
constexpr int answerTimeoutMs = 10000;
// Room news comes with the poll the client holds, within a second; the margin is for a
// loaded machine.
constexpr int roomNewsTimeoutMs = 3000;
// Who is typing comes with the members, asked for every Directory::typingRefreshMs while
// a conversation is on; the margin is for a loaded machine.
constexpr int typingShownTimeoutMs = Directory::typingRefreshMs + 3000;

MessageModel::Delivery deliveryAt(const ChatClient &client, int row)
{
    return client.messages()->index(row).data(MessageModel::DeliveryRole).value<MessageModel::Delivery>();
}

int rowOfText(const ChatClient &client, const QString &text)
{
    const MessageModel *model = client.messages();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row).data(MessageModel::TextRole).toString() == text)
            return row;
    }
    return -1;
}
} // namespace

class TestChatClient : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void sendIsPendingThenDelivered();
    void sendsMadeOfflineArriveOnceAndTheClientIsBackAtOnce();
    void anotherRoomsNewsCountsAsUnreadWithMentions();
    void loadOlderPagesBackToTheStart();
    void nothingListeningSaysUnreachable();
    void changedNameIsUsedAndRemembered();
    void searchPagesAndShowsAnOldMessageInItsRoom();
    void typingIsToldAtMostEveryFewSecondsAndShownToOthers();
    void editsDeletionsAndReactionsReachEveryoneInPlace();
    void onlyTheAuthorsSecretEditsAndItOutlivesTheClient();
    void aReplyQuotesAnOriginalNotLoadedAndTheJumpLoadsAroundIt();
    void aChangeInAnotherRoomIsNotAnUnreadMessage();

private:
    std::unique_ptr<ChatClient> openClient(const QString &name, const QString &room);
    QString freshRoom();

    QTemporaryDir m_settingsDir;
    ServerProcess m_server;
    QNetworkAccessManager m_nam;
    int m_roomCounter = 0;
};

void TestChatClient::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    QVERIFY(sandboxSettings(m_settingsDir.path()));
    QVERIFY2(m_server.start(), m_server.stderrOutput().constData());
}

void TestChatClient::cleanupTestCase()
{
    m_server.stop();
}

void TestChatClient::init()
{
    if (!m_server.isRunning())
        QVERIFY(m_server.start());
}

std::unique_ptr<ChatClient> TestChatClient::openClient(const QString &name, const QString &room)
{
    auto client = std::make_unique<ChatClient>(clientConfigFor(m_server, name, room));
    client->start();
    return client;
}

QString TestChatClient::freshRoom()
{
    return QStringLiteral("client%1-%2").arg(++m_roomCounter).arg(QCoreApplication::applicationPid());
}

void TestChatClient::sendIsPendingThenDelivered()
{
    const QString room = freshRoom();
    auto ana = openClient(QStringLiteral("ana"), room);
    QAbstractItemModelTester tester(ana->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_VERIFY_WITH_TIMEOUT(ana->isRoomLoaded(), answerTimeoutMs);
    QSignalSpy resets(ana->messages(), &QAbstractItemModel::modelReset);

    ana->send(QStringLiteral("hola"));
    QCOMPARE(ana->messages()->rowCount(), 1);
    QCOMPARE(deliveryAt(*ana, 0), MessageModel::Delivery::Sending);
    QTRY_COMPARE_WITH_TIMEOUT(deliveryAt(*ana, 0), MessageModel::Delivery::Stored, answerTimeoutMs);
    QCOMPARE(ana->messages()->rowCount(), 1);
    QCOMPARE(ana->messages()->index(0).data(MessageModel::IdRole).toLongLong(), 1);
    QCOMPARE(resets.size(), 0); // a send changes rows, never the whole room
    QCOMPARE(storedMessages(m_nam, m_server, room).size(), 1);
}

void TestChatClient::sendsMadeOfflineArriveOnceAndTheClientIsBackAtOnce()
{
    const QString room = freshRoom();
    auto ana = openClient(QStringLiteral("ana"), room);
    QTRY_VERIFY_WITH_TIMEOUT(ana->isRoomLoaded(), answerTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(ana->status().connection, ChatClient::Connection::Online, answerTimeoutMs);

    int unanswered = 0;
    connect(ana->api(), &ApiClient::exchangeFinished, this, [&unanswered](const Exchange &exchange) {
        unanswered += exchange.status == 0 ? 1 : 0;
    });
    QVERIFY(m_server.stop());
    ana->send(QStringLiteral("uno"));
    ana->send(QStringLiteral("dos"));
    QTRY_COMPARE_WITH_TIMEOUT(ana->status().connection, ChatClient::Connection::Offline, answerTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(deliveryAt(*ana, rowOfText(*ana, QStringLiteral("uno"))),
                              MessageModel::Delivery::WaitingForServer, answerTimeoutMs);
    // Long enough away for a back-off to have grown: the client must not sleep through
    // the server's return (it said Offline for seconds once it was back).
    QTRY_VERIFY_WITH_TIMEOUT(unanswered >= 8, 4 * answerTimeoutMs);

    QVERIFY(m_server.start());
    QTRY_COMPARE_WITH_TIMEOUT(ana->status().connection, ChatClient::Connection::Online, 2500);
    QTRY_COMPARE_WITH_TIMEOUT(ana->pendingCount(), 0, answerTimeoutMs);
    const auto stored = storedMessages(m_nam, m_server, room);
    QCOMPARE(stored.size(), 2);
    QCOMPARE(stored[0].second, QStringLiteral("uno"));
    QCOMPARE(stored[1].second, QStringLiteral("dos"));
    QTRY_COMPARE_WITH_TIMEOUT(ana->messages()->rowCount(), 2, answerTimeoutMs);
    QCOMPARE(deliveryAt(*ana, 1), MessageModel::Delivery::Stored);
}

void TestChatClient::anotherRoomsNewsCountsAsUnreadWithMentions()
{
    const QString lobby = freshRoom();
    const QString side = freshRoom();
    QCOMPARE(request(m_nam, "PUT", m_server.url(QStringLiteral("/api/v1/rooms/") + side)).status, 201);
    auto ana = openClient(QStringLiteral("ana"), lobby);
    RoomListModel *rooms = ana->rooms();
    QAbstractItemModelTester tester(rooms, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const RoomName sideRoom = *RoomName::parse(side);
    QTRY_VERIFY_WITH_TIMEOUT(rooms->rowOf(sideRoom) >= 0, answerTimeoutMs);
    QStringList roomsWithNews;
    connect(ana.get(), &ChatClient::newsArrived, this,
            [&roomsWithNews](const RoomName &room) { roomsWithNews.append(room.value()); });

    QVERIFY(seedRoom(m_nam, m_server, side, 2, QStringLiteral("bea")));
    QVERIFY(seedRoom(m_nam, m_server, side, 1, QStringLiteral("bea"), QStringLiteral("@ana, %1 question")));
    const auto unreadOf = [&] { return rooms->index(rooms->rowOf(sideRoom)).data(RoomListModel::UnreadRole).toLongLong(); };
    const auto mentionsOf = [&] { return rooms->index(rooms->rowOf(sideRoom)).data(RoomListModel::MentionRole).toInt(); };
    QTRY_COMPARE_WITH_TIMEOUT(unreadOf(), 3, roomNewsTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(mentionsOf(), 1, answerTimeoutMs);
    QCOMPARE(ana->unreadTotal(), 3);
    // The news itself came, for whoever notifies.
    QVERIFY(roomsWithNews.contains(side));

    ana->openRoom(sideRoom);
    QCOMPARE(unreadOf(), 0);
    QCOMPARE(mentionsOf(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(ana->messages()->rowCount(), 3, answerTimeoutMs);
}

void TestChatClient::loadOlderPagesBackToTheStart()
{
    const QString room = freshRoom();
    QVERIFY(seedRoom(m_nam, m_server, room, 150));
    auto ana = openClient(QStringLiteral("ana"), room);
    QTRY_VERIFY_WITH_TIMEOUT(ana->isRoomLoaded(), answerTimeoutMs);
    QCOMPARE(ana->messages()->rowCount(), 100);
    QVERIFY(ana->hasOlder());
    QSignalSpy inserted(ana->messages(), &QAbstractItemModel::rowsInserted);
    ana->loadOlder();
    QVERIFY(ana->isLoadingOlder());
    QTRY_COMPARE_WITH_TIMEOUT(ana->messages()->rowCount(), 150, answerTimeoutMs);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.first().at(1).toInt(), 0); // above what was there
    QVERIFY(!ana->hasOlder());
    QVERIFY(!ana->isLoadingOlder());
    QVERIFY(ana->messages()->index(0).data(MessageModel::RoomStartRole).toBool());
}

void TestChatClient::nothingListeningSaysUnreachable()
{
    // A port that was free a moment ago: nothing answers there.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 port = probe.serverPort();
    probe.close();
    ChatConfig config;
    config.serverUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    config.serverLabel = QStringLiteral("127.0.0.1:%1").arg(port);
    config.name = QStringLiteral("ana");
    ChatClient ana(config);
    ana.start();
    QTRY_COMPARE_WITH_TIMEOUT(ana.status().connection, ChatClient::Connection::Unreachable, answerTimeoutMs);
    QVERIFY(ana.status().alarming);
    QVERIFY2(ana.status().text.contains(QStringLiteral("Connect to Another Server")), qPrintable(ana.status().text));
    QVERIFY(!ana.isRoomLoaded());
}

void TestChatClient::changedNameIsUsedAndRemembered()
{
    const QString room = freshRoom();
    auto client = openClient(QStringLiteral("ana"), room);
    QTRY_VERIFY_WITH_TIMEOUT(client->isRoomLoaded(), answerTimeoutMs);
    client->setName(QStringLiteral("anita"));
    client->send(QStringLiteral("soy anita"));
    QTRY_COMPARE_WITH_TIMEOUT(client->pendingCount(), 0, answerTimeoutMs);
    const HttpReply page = request(m_nam, "GET", m_server.url(QStringLiteral("/api/v1/rooms/%1/messages").arg(room)));
    QCOMPARE(page.json.value(QLatin1String("messages")).toArray().first().toObject().value(QLatin1String("author")).toString(),
             QStringLiteral("anita"));
    QVERIFY(client->messages()->index(0).data(MessageModel::OwnRole).toBool());
    QTRY_VERIFY_WITH_TIMEOUT(client->members()->stringList().contains(QStringLiteral("anita (you)")),
                             roomNewsTimeoutMs);
    QCOMPARE(chosenName(QString()), QStringLiteral("anita"));
}

void TestChatClient::searchPagesAndShowsAnOldMessageInItsRoom()
{
    const QString room = freshRoom();
    // Words of this test only: the other tests' rooms are on the same server.
    QVERIFY(seedRoom(m_nam, m_server, room, 250, QStringLiteral("seed"), QStringLiteral("archived-%1.")));
    auto ana = openClient(QStringLiteral("ana"), freshRoom());
    QTRY_VERIFY_WITH_TIMEOUT(ana->isRoomLoaded(), answerTimeoutMs);
    SearchResults *results = ana->searchResults();
    QAbstractItemModelTester tester(results, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(results, &SearchResults::finished);

    // Every room (ana is elsewhere), newest first, a page at a time.
    ana->search(QStringLiteral("archived"), false);
    QVERIFY(finished.wait(answerTimeoutMs));
    QCOMPARE(results->rowCount(), 20);
    QCOMPARE(results->index(0).data(SearchResults::TextRole).toString(), QStringLiteral("archived-250."));
    QVERIFY(results->hasMore());
    results->loadMore();
    QVERIFY(finished.wait(answerTimeoutMs));
    QCOMPARE(results->rowCount(), 40);
    QCOMPARE(results->index(39).data(SearchResults::TextRole).toString(), QStringLiteral("archived-211."));

    ana->search(QStringLiteral("ARCHIVED 10"), false);
    QVERIFY(finished.wait(answerTimeoutMs));
    QCOMPARE(results->rowCount(), 1);
    QCOMPARE(results->index(0).data(SearchResults::RoomRole).toString(), room);
    const MessageId id = results->index(0).data(SearchResults::IdRole).toLongLong();
    QCOMPARE(id, MessageId(10));

    // Shown in its room: the room opens and its history is loaded back to the message.
    QSignalSpy shown(ana.get(), &ChatClient::messageShown);
    ana->showMessage(*RoomName::parse(room), id);
    QVERIFY(shown.wait(answerTimeoutMs));
    QCOMPARE(ana->currentRoom().value(), room);
    const int row = shown.first().first().toInt();
    QCOMPARE(ana->messages()->index(row).data(MessageModel::IdRole).toLongLong(), id);
    QCOMPARE(ana->messages()->index(row).data(MessageModel::TextRole).toString(), QStringLiteral("archived-10."));
}

void TestChatClient::typingIsToldAtMostEveryFewSecondsAndShownToOthers()
{
    const QString room = freshRoom();
    auto ana = openClient(QStringLiteral("ana"), room);
    auto ben = openClient(QStringLiteral("ben"), room);
    QTRY_VERIFY_WITH_TIMEOUT(ana->isRoomLoaded() && ben->isRoomLoaded(), answerTimeoutMs);
    QList<Exchange> notices;
    QDateTime anaAskedMembersAt;
    connect(ana->api(), &ApiClient::exchangeFinished, this, [&](const Exchange &exchange) {
        if (exchange.path.endsWith(u"/typing"))
            notices.append(exchange);
        else if (exchange.path.endsWith(u"/members"))
            anaAskedMembersAt = exchange.startedAt;
    });
    QSignalSpy benSaw(ben.get(), &ChatClient::typingChanged);

    // An empty composer is not typing: the first notice comes with the first character.
    ana->composerEdited(QString());
    ana->composerEdited(QStringLiteral(" \n"));
    const QDateTime firstCharacter = QDateTime::currentDateTimeUtc().addMSecs(1);
    QVERIFY(QTest::qWaitFor([&] { return QDateTime::currentDateTimeUtc() >= firstCharacter; }));
    for (const QString &text : {QStringLiteral("h"), QStringLiteral("ho"), QStringLiteral("hol")})
        ana->composerEdited(text);
    QTRY_COMPARE_WITH_TIMEOUT(notices.size(), 1, answerTimeoutMs);
    QCOMPARE(notices.first().status, 204);
    QVERIFY(notices.first().startedAt >= firstCharacter);

    // Typing on without a pause: the next notice only once the interval has passed.
    QVERIFY(QTest::qWaitFor([&] {
        ana->composerEdited(QStringLiteral("hola, ben"));
        return notices.size() >= 2;
    }, 3 * TypingNotifier::intervalMs));
    QCOMPARE(notices.size(), 2);
    QVERIFY2(notices[0].startedAt.msecsTo(notices[1].startedAt) >= TypingNotifier::intervalMs,
             qPrintable(QStringLiteral("%1 ms apart").arg(notices[0].startedAt.msecsTo(notices[1].startedAt))));
    QElapsedTimer sinceLastNotice;
    sinceLastNotice.start();

    QTRY_COMPARE_WITH_TIMEOUT(ben->typing(), QStringList{QStringLiteral("ana")}, typingShownTimeoutMs);
    QCOMPARE(benSaw.size(), 1);
    // Ana's own notices are never shown to her.
    QTRY_VERIFY_WITH_TIMEOUT(anaAskedMembersAt > notices.last().finishedAt, typingShownTimeoutMs);
    QVERIFY(ana->typing().isEmpty());

    // Sending ends it, well before the notice would have run out.
    ana->send(QStringLiteral("hola, ben"));
    QTRY_VERIFY_WITH_TIMEOUT(ben->typing().isEmpty(), roomNewsTimeoutMs);
    QVERIFY2(sinceLastNotice.elapsed() < TypingBoard::typingLastsMs,
             "too slow to tell the send from the notice running out");
    QCOMPARE(benSaw.size(), 2);
}

void TestChatClient::editsDeletionsAndReactionsReachEveryoneInPlace()
{
    const QString room = freshRoom();
    auto ana = openClient(QStringLiteral("ana"), room);
    auto ben = openClient(QStringLiteral("ben"), room);
    QTRY_VERIFY_WITH_TIMEOUT(ana->isRoomLoaded() && ben->isRoomLoaded(), answerTimeoutMs);
    ana->send(QStringLiteral("hola"));
    QTRY_VERIFY_WITH_TIMEOUT(rowOfText(*ben, QStringLiteral("hola")) == 0, answerTimeoutMs);
    const MessageId id = ana->messages()->index(0).data(MessageModel::IdRole).toLongLong();
    QAbstractItemModelTester tester(ben->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(ben->messages(), &QAbstractItemModel::modelReset);
    QSignalSpy news(ben.get(), &ChatClient::newsArrived);
    QStringList exchanges;
    connect(ana->api(), &ApiClient::exchangeFinished, this,
            [&exchanges](const Exchange &exchange) { exchanges.append(exchange.summary()); });

    // The author's window shows the answer; the other's gets the entry, in place.
    ana->editMessage(id, QStringLiteral("hola a todos"));
    QTRY_COMPARE_WITH_TIMEOUT(rowOfText(*ana, QStringLiteral("hola a todos")), 0, answerTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(rowOfText(*ben, QStringLiteral("hola a todos")), 0, answerTimeoutMs);
    QVERIFY(ben->messages()->index(0).data(MessageModel::EditedRole).toBool());
    QCOMPARE(ben->messages()->rowCount(), 1);
    QVERIFY(std::any_of(exchanges.cbegin(), exchanges.cend(),
                        [](const QString &line) { return line.startsWith(u"PATCH") && line.contains(u"200"); }));

    ben->toggleReaction(id, QStringLiteral("👍"));
    const auto reactionsOf = [id](const ChatClient &client) {
        const int row = client.messages()->rowOfMessage(id);
        return client.messages()->index(row).data(MessageModel::ReactionsRole).value<QList<Reaction>>();
    };
    const QList<Reaction> bens{{QStringLiteral("👍"), {QStringLiteral("ben")}}};
    QTRY_COMPARE_WITH_TIMEOUT(reactionsOf(*ana), bens, answerTimeoutMs);
    QCOMPARE(reactionsOf(*ben), bens);
    QCOMPARE(ben->messages()->index(0).data(MessageModel::MyReactionsRole).toStringList(), QStringList{QStringLiteral("👍")});
    ben->toggleReaction(id, QStringLiteral("👍")); // toggled: taken back
    QTRY_VERIFY_WITH_TIMEOUT(reactionsOf(*ana).isEmpty(), answerTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(reactionsOf(*ben).isEmpty(), answerTimeoutMs);

    ana->deleteMessage(id);
    QTRY_VERIFY_WITH_TIMEOUT(ben->messages()->index(0).data(MessageModel::DeletedRole).toBool(), answerTimeoutMs);
    QVERIFY(ana->messages()->index(0).data(MessageModel::DeletedRole).toBool());
    QCOMPARE(ben->messages()->rowCount(), 1);
    QCOMPARE(resets.size(), 0);
    // A change to what is there is not news to be told about.
    QCOMPARE(news.size(), 0);

    // The room shown anew (another room and back) is as it is now.
    ben->openRoom(*RoomName::parse(freshRoom()));
    ben->openRoom(*RoomName::parse(room));
    QTRY_COMPARE_WITH_TIMEOUT(ben->messages()->rowCount(), 1, answerTimeoutMs);
    QVERIFY(ben->messages()->index(0).data(MessageModel::DeletedRole).toBool());
}

void TestChatClient::onlyTheAuthorsSecretEditsAndItOutlivesTheClient()
{
    const QString room = freshRoom();
    auto ana = openClient(QStringLiteral("ana"), room);
    QTRY_VERIFY_WITH_TIMEOUT(ana->isRoomLoaded(), answerTimeoutMs);
    ana->send(QStringLiteral("mío"));
    QTRY_COMPARE_WITH_TIMEOUT(ana->pendingCount(), 0, answerTimeoutMs);
    const MessageId id = ana->messages()->index(0).data(MessageModel::IdRole).toLongLong();

    // Someone calling himself ana, from another place: names prove nothing.
    const HttpReply forged = request(m_nam, "PATCH", m_server.url(QStringLiteral("/api/v1/rooms/%1/messages/%2").arg(room).arg(id)),
                                     jsonBody({{QStringLiteral("text"), QStringLiteral("robado")}}),
                                     {{"Content-Type", "application/json"}, {"Author-Secret", QByteArray(32, 'x')}});
    QCOMPARE(forged.status, 403);

    // The window restarted: the secret is the server's, kept in the settings.
    ana.reset();
    auto again = openClient(QStringLiteral("ana"), room);
    QTRY_COMPARE_WITH_TIMEOUT(again->messages()->rowCount(), 1, answerTimeoutMs);
    QSignalSpy errors(again.get(), &ChatClient::errorOccurred);
    again->editMessage(id, QStringLiteral("mío, editado"));
    QTRY_COMPARE_WITH_TIMEOUT(rowOfText(*again, QStringLiteral("mío, editado")), 0, answerTimeoutMs);
    QCOMPARE(errors.size(), 0);

    // Another machine's window (other settings, another secret) is refused, in the
    // window's words, and the text stays.
    QTemporaryDir elsewhere;
    QVERIFY(sandboxSettings(elsewhere.path()));
    auto impostor = std::make_unique<ChatClient>(clientConfigFor(m_server, QStringLiteral("ana"), room));
    QVERIFY(sandboxSettings(m_settingsDir.path()));
    impostor->start();
    QTRY_COMPARE_WITH_TIMEOUT(impostor->messages()->rowCount(), 1, answerTimeoutMs);
    QSignalSpy refused(impostor.get(), &ChatClient::errorOccurred);
    impostor->deleteMessage(id);
    QVERIFY(refused.wait(answerTimeoutMs));
    QCOMPARE(refused.first().first().toString(),
             QStringLiteral("Only the person who sent a message can change it, from the window it was sent from."));
    QCOMPARE(storedMessages(m_nam, m_server, room).first().second, QStringLiteral("mío, editado"));
}

void TestChatClient::aReplyQuotesAnOriginalNotLoadedAndTheJumpLoadsAroundIt()
{
    const QString room = freshRoom();
    QVERIFY(seedRoom(m_nam, m_server, room, 250, QStringLiteral("seed"), QStringLiteral("old-%1.")));
    auto ana = openClient(QStringLiteral("ana"), room);
    QTRY_VERIFY_WITH_TIMEOUT(ana->isRoomLoaded(), answerTimeoutMs);
    QVERIFY(ana->messages()->rowOfMessage(5) < 0); // far beyond the newest page

    ana->send(QStringLiteral("¿seguro?"), 5);
    QTRY_COMPARE_WITH_TIMEOUT(ana->pendingCount(), 0, answerTimeoutMs);
    const int reply = rowOfText(*ana, QStringLiteral("¿seguro?"));
    QCOMPARE(ana->messages()->index(reply).data(MessageModel::ReplyToRole).toLongLong(), 5);
    // The original is fetched for the quote (GET .../messages/5), not its page.
    QTRY_COMPARE_WITH_TIMEOUT(ana->messages()->index(reply).data(MessageModel::QuoteTextRole).toString(),
                              QStringLiteral("old-5."), answerTimeoutMs);
    QCOMPARE(ana->messages()->index(reply).data(MessageModel::QuoteAuthorRole).toString(), QStringLiteral("seed"));
    QVERIFY(ana->messages()->rowOfMessage(5) < 0);

    QStringList asked;
    connect(ana->api(), &ApiClient::exchangeFinished, this,
            [&asked](const Exchange &exchange) { asked.append(exchange.path); });
    QSignalSpy shown(ana.get(), &ChatClient::messageShown);
    ana->jumpToMessage(5);
    QVERIFY(shown.wait(answerTimeoutMs));
    const int row = shown.first().first().toInt();
    QCOMPARE(ana->messages()->index(row).data(MessageModel::IdRole).toLongLong(), 5);
    QCOMPARE(ana->messages()->index(row).data(MessageModel::TextRole).toString(), QStringLiteral("old-5."));
    QVERIFY2(asked.first().contains(u"around=5"), qPrintable(asked.join(u'\n')));
    // The pages between follow: the room is whole again, each message once.
    QTRY_COMPARE_WITH_TIMEOUT(ana->messages()->storedCount(), 251, answerTimeoutMs);
    for (int i = 0; i < 251; ++i)
        QCOMPARE(ana->messages()->index(i).data(MessageModel::IdRole).toLongLong(), MessageId(i + 1));
}

void TestChatClient::aChangeInAnotherRoomIsNotAnUnreadMessage()
{
    const QString side = freshRoom();
    QCOMPARE(request(m_nam, "PUT", m_server.url(QStringLiteral("/api/v1/rooms/") + side)).status, 201);
    auto ana = openClient(QStringLiteral("ana"), freshRoom());
    RoomListModel *rooms = ana->rooms();
    const RoomName sideRoom = *RoomName::parse(side);
    QTRY_VERIFY_WITH_TIMEOUT(rooms->rowOf(sideRoom) >= 0, answerTimeoutMs);
    QSignalSpy news(ana.get(), &ChatClient::newsArrived);
    QVERIFY(seedRoom(m_nam, m_server, side, 1, QStringLiteral("bea"), QStringLiteral("@ana, %1 question")));
    const auto unreadOf = [&] { return rooms->index(rooms->rowOf(sideRoom)).data(RoomListModel::UnreadRole).toLongLong(); };
    QTRY_COMPARE_WITH_TIMEOUT(unreadOf(), 1, roomNewsTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(news.size(), 1, answerTimeoutMs);

    // Two more ids in the room, and still one message to read, of which nobody is told.
    int newsFetches = 0;
    connect(ana->api(), &ApiClient::exchangeFinished, this, [&newsFetches, side](const Exchange &exchange) {
        newsFetches += exchange.path.contains(side + QStringLiteral("/messages?after=1")) ? 1 : 0;
    });
    for (const QString &emoji : {QStringLiteral("👍"), QStringLiteral("🎉")}) {
        const HttpReply reacted =
            request(m_nam, "POST", m_server.url(QStringLiteral("/api/v1/rooms/%1/messages/1/reactions").arg(side)),
                    jsonBody({{QStringLiteral("author"), QStringLiteral("cai")}, {QStringLiteral("emoji"), emoji}}),
                    {{"Content-Type", "application/json"}});
        QCOMPARE(reacted.status, 201);
    }
    // Read with the room's news (GET .../messages?after=1), and counted for what they are.
    QTRY_VERIFY_WITH_TIMEOUT(newsFetches > 0 && unreadOf() == 1, answerTimeoutMs);
    QCOMPARE(news.size(), 1);
}

QTEST_GUILESS_MAIN(TestChatClient)
#include "tst_chatclient.moc"
