#include "storage/sqlitestorage.h"

#include <QTemporaryDir>
#include <QTest>

namespace {
MessageDraft draft(const QString &text)
{
    return {QStringLiteral("ana"), text};
}

RoomName room(const char *name)
{
    return *RoomName::parse(QString::fromLatin1(name));
}
} // namespace

class TestSqliteStorage : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void newStoreHasOnlyGeneral();
    void idsAreGaplessPerRoomAndAnsweredInOrder();
    void aBurstSharesCommits();
    void idempotencyKeyReplaysTheOriginal();
    void idempotencyKeysSurviveReopening();
    void createRoomSaysWhetherItWasNew();
    void readsPagesForwardAndBackward();
    void reopeningKeepsEverything();
    void pingAnswers();

private:
    std::unique_ptr<SqliteStorage> openStore();
    QList<AppendOutcome> appendAll(Storage &store, const RoomName &into, int count,
                                   const QByteArray &keyPrefix = {});
    Page readPage(Storage &store, const RoomName &from, const PageRequest &request);

    std::unique_ptr<QTemporaryDir> m_directory;
};

void TestSqliteStorage::init()
{
    m_directory = std::make_unique<QTemporaryDir>();
    QVERIFY(m_directory->isValid());
}

void TestSqliteStorage::cleanup()
{
    m_directory.reset();
}

std::unique_ptr<SqliteStorage> TestSqliteStorage::openStore()
{
    auto store = std::make_unique<SqliteStorage>(m_directory->path());
    QString error;
    if (!store->open(&error))
        qWarning("open failed: %s", qPrintable(error));
    return store;
}

QList<AppendOutcome> TestSqliteStorage::appendAll(Storage &store, const RoomName &into, int count,
                                                  const QByteArray &keyPrefix)
{
    QList<AppendOutcome> outcomes;
    for (int i = 0; i < count; ++i) {
        const QByteArray key = keyPrefix.isEmpty() ? QByteArray() : keyPrefix + QByteArray::number(i);
        store.append(into, draft(QStringLiteral("m%1").arg(i)), key, this,
                     [&outcomes](const AppendOutcome &outcome) { outcomes.append(outcome); });
    }
    [&] { QTRY_COMPARE_WITH_TIMEOUT(outcomes.size(), qsizetype(count), 10000); }();
    return outcomes;
}

Page TestSqliteStorage::readPage(Storage &store, const RoomName &from, const PageRequest &request)
{
    std::optional<Page> page;
    store.read(from, request, this, [&page](const Page &result) { page = result; });
    [&] { QTRY_VERIFY_WITH_TIMEOUT(page.has_value(), 5000); }();
    return page.value_or(Page{});
}

void TestSqliteStorage::newStoreHasOnlyGeneral()
{
    const auto store = openStore();
    const QList<RoomRecord> rooms = store->rooms();
    QCOMPARE(rooms.size(), 1);
    QCOMPARE(rooms.first().name.value(), QStringLiteral("general"));
    QCOMPARE(rooms.first().lastId, 0);
}

void TestSqliteStorage::idsAreGaplessPerRoomAndAnsweredInOrder()
{
    const auto store = openStore();
    const QList<AppendOutcome> lab = appendAll(*store, room("lab"), 50);
    const QList<AppendOutcome> other = appendAll(*store, room("other"), 3);
    for (qsizetype i = 0; i < lab.size(); ++i) {
        QCOMPARE(lab[i].kind, AppendOutcome::Kind::Stored);
        QCOMPARE(lab[i].message.id, i + 1);
        QCOMPARE(lab[i].message.text, QStringLiteral("m%1").arg(i));
        QCOMPARE(lab[i].roomCreated, i == 0);
    }
    QCOMPARE(other.last().message.id, 3);
}

void TestSqliteStorage::aBurstSharesCommits()
{
    const auto store = openStore();
    const quint64 commitsBefore = store->commitStats().commits;
    appendAll(*store, room("lab"), 500);
    const CommitStats stats = store->commitStats();
    QCOMPARE(stats.messages, 500u);
    // Submitted faster than one fsync, the 500 appends must not cost 500 commits.
    QVERIFY2(stats.commits - commitsBefore < 100,
             qPrintable(QStringLiteral("%1 commits").arg(stats.commits - commitsBefore)));
}

void TestSqliteStorage::idempotencyKeyReplaysTheOriginal()
{
    const auto store = openStore();
    const QList<AppendOutcome> first = appendAll(*store, room("lab"), 3, "key-");
    // The same keys again, in one burst, and one of them twice within that burst.
    QList<AppendOutcome> again = appendAll(*store, room("lab"), 3, "key-");
    again += appendAll(*store, room("lab"), 1, "key-");
    for (qsizetype i = 0; i < 3; ++i) {
        QCOMPARE(again[i].kind, AppendOutcome::Kind::Replayed);
        QCOMPARE(again[i].message.id, first[i].message.id);
        QCOMPARE(again[i].message.json, first[i].message.json);
    }
    QCOMPARE(again[3].kind, AppendOutcome::Kind::Replayed);
    // The same key in another room is another message.
    const QList<AppendOutcome> elsewhere = appendAll(*store, room("other"), 1, "key-");
    QCOMPARE(elsewhere.first().kind, AppendOutcome::Kind::Stored);
    QCOMPARE(readPage(*store, room("lab"), {0, std::nullopt, 100}).messages.size(), 3);
}

void TestSqliteStorage::idempotencyKeysSurviveReopening()
{
    {
        const auto store = openStore();
        appendAll(*store, room("lab"), 2, "k");
    }
    const auto store = openStore();
    const QList<AppendOutcome> again = appendAll(*store, room("lab"), 2, "k");
    QCOMPARE(again[1].kind, AppendOutcome::Kind::Replayed);
    QCOMPARE(again[1].message.id, 2);
}

void TestSqliteStorage::createRoomSaysWhetherItWasNew()
{
    const auto store = openStore();
    QList<RoomOutcome> outcomes;
    const auto record = [&outcomes](RoomOutcome outcome) { outcomes.append(outcome); };
    store->createRoom(room("lab"), this, record);
    store->createRoom(room("lab"), this, record);
    store->createRoom(room("general"), this, record);
    QTRY_COMPARE(outcomes.size(), 3);
    QCOMPARE(outcomes[0], RoomOutcome::Created);
    QCOMPARE(outcomes[1], RoomOutcome::Existed);
    QCOMPARE(outcomes[2], RoomOutcome::Existed);
}

void TestSqliteStorage::readsPagesForwardAndBackward()
{
    const auto store = openStore();
    appendAll(*store, room("lab"), 30);
    const auto ids = [](const Page &page) {
        QList<MessageId> list;
        for (const Message &message : page.messages)
            list.append(message.id);
        return list;
    };
    QCOMPARE(ids(readPage(*store, room("lab"), {5, std::nullopt, 3})), (QList<MessageId>{6, 7, 8}));
    QCOMPARE(ids(readPage(*store, room("lab"), {std::nullopt, 10, 3})), (QList<MessageId>{7, 8, 9}));
    QCOMPARE(ids(readPage(*store, room("lab"), {std::nullopt, std::nullopt, 2})), (QList<MessageId>{29, 30}));
    QCOMPARE(ids(readPage(*store, room("lab"), {6, 10, 100})), (QList<MessageId>{7, 8, 9}));
    QCOMPARE(ids(readPage(*store, room("lab"), {30, std::nullopt, 100})), QList<MessageId>{});
    QCOMPARE(readPage(*store, room("lab"), {1, 3, 1}).messages.first().text, QStringLiteral("m1"));
}

void TestSqliteStorage::reopeningKeepsEverything()
{
    {
        const auto store = openStore();
        appendAll(*store, room("lab"), 7);
    }
    const auto store = openStore();
    QCOMPARE(store->rooms().size(), 2);
    QCOMPARE(store->rooms().last().lastId, 7);
    const QList<AppendOutcome> next = appendAll(*store, room("lab"), 1);
    QCOMPARE(next.first().message.id, 8);
}

void TestSqliteStorage::pingAnswers()
{
    const auto store = openStore();
    std::optional<bool> answer;
    store->ping(this, [&answer](bool ok) { answer = ok; });
    QTRY_VERIFY(answer.has_value());
    QVERIFY(*answer);
}

QTEST_GUILESS_MAIN(TestSqliteStorage)
#include "tst_sqlitestorage.moc"
