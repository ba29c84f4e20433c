#include "storage/sqlitestorage.h"

#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/resource.h>

namespace {
MessageDraft draft(const QString &text, const QString &author = QStringLiteral("ana"))
{
    MessageDraft draft;
    draft.author = author;
    draft.text = text;
    return draft;
}

RoomName room(const char *name)
{
    return *RoomName::parse(QString::fromLatin1(name));
}

// While it lives, no file of this process may grow past `bytes` (RLIMIT_FSIZE): a write
// there fails with EFBIG, as one fails with ENOSPC on a full disk, and SQLite reports
// the commit as failed either way. SIGXFSZ is ignored meanwhile, or it would kill the
// test. The limit holds for the whole process, so nothing else may write files then.
class FileSizeCap
{
public:
    explicit FileSizeCap(qint64 bytes)
    {
        getrlimit(RLIMIT_FSIZE, &m_saved);
        m_savedHandler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit capped = m_saved;
        capped.rlim_cur = rlim_t(bytes);
        m_capped = capped.rlim_cur <= capped.rlim_max && setrlimit(RLIMIT_FSIZE, &capped) == 0;
    }
    ~FileSizeCap()
    {
        setrlimit(RLIMIT_FSIZE, &m_saved);
        std::signal(SIGXFSZ, m_savedHandler);
    }
    bool capped() const { return m_capped; }

private:
    rlimit m_saved {};
    void (*m_savedHandler)(int) = SIG_DFL;
    bool m_capped = false;
};
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
    void aKeyReusedForAnotherMessageStoresNothing();
    void createRoomSaysWhetherItWasNew();
    void readsPagesForwardAndBackward();
    void reopeningKeepsEverything();
    void aFailedCommitStoresNothingAndTheNextGetsTheNextId();
    void healthySaysSo();
    void aCollisionFailsOnlyItsRoomNotItsCommits();
    void aFailedCommitShowsInHealthUntilAWriteSucceeds();

private:
    std::unique_ptr<SqliteStorage> openStore();
    QList<AppendOutcome> appendAll(Storage &store, const RoomName &into, int count,
                                   const QByteArray &keyPrefix = {});
    Page readPage(Storage &store, const RoomName &from, const PageRequest &request);
    StoreHealth healthOf(Storage &store);

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

StoreHealth TestSqliteStorage::healthOf(Storage &store)
{
    std::optional<StoreHealth> health;
    store.checkHealth(this, [&health](const StoreHealth &answer) { health = answer; });
    [&] { QTRY_VERIFY_WITH_TIMEOUT(health.has_value(), 5000); }();
    return health.value_or(StoreHealth{QStringLiteral("no answer"), {}, {}});
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

void TestSqliteStorage::aKeyReusedForAnotherMessageStoresNothing()
{
    const auto store = openStore();
    QList<AppendOutcome> outcomes;
    const auto record = [&outcomes](const AppendOutcome &outcome) { outcomes.append(outcome); };
    store->append(room("lab"), draft(QStringLiteral("first")), "k", this, record);
    QTRY_COMPARE_WITH_TIMEOUT(outcomes.size(), qsizetype(1), 5000);
    // Submitted at once, so that the stored key and one first used within the same
    // commit are both compared.
    store->append(room("lab"), draft(QStringLiteral("other text")), "k", this, record);
    store->append(room("lab"), draft(QStringLiteral("first"), QStringLiteral("bo")), "k", this, record);
    store->append(room("lab"), draft(QStringLiteral("first")), "k", this, record);
    store->append(room("lab"), draft(QStringLiteral("second")), "n", this, record);
    store->append(room("lab"), draft(QStringLiteral("not second")), "n", this, record);
    store->append(room("lab"), draft(QStringLiteral("second")), "n", this, record);
    QTRY_COMPARE_WITH_TIMEOUT(outcomes.size(), qsizetype(7), 5000);
    using Kind = AppendOutcome::Kind;
    const QList<Kind> expected{Kind::Stored, Kind::KeyReused, Kind::KeyReused, Kind::Replayed,
                               Kind::Stored, Kind::KeyReused, Kind::Replayed};
    for (qsizetype i = 0; i < outcomes.size(); ++i)
        QCOMPARE(outcomes[i].kind, expected[i]);
    QCOMPARE(outcomes[1].message.id, 1);
    QCOMPARE(outcomes[5].message.id, 2);
    QCOMPARE(readPage(*store, room("lab"), {0, std::nullopt, 100}).messages.size(), 2);
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

// A full disk: every append of the failed commits is answered Failed (never Stored with
// an id that is not on disk), they leave no message, key, room or id behind, and the
// store takes the next append as soon as space returns, without reopening.
void TestSqliteStorage::aFailedCommitStoresNothingAndTheNextGetsTheNextId()
{
    auto store = openStore();
    appendAll(*store, room("lab"), 5);
    const quint64 storedBefore = store->commitStats().messages;

    // Each commit appends frames at the end of the WAL; nothing here checkpoints, so
    // capping files at the WAL's size makes every commit need space it cannot get.
    const QFileInfo wal(m_directory->filePath(QStringLiteral("chatapp.db-wal")));
    QVERIFY2(wal.size() > 0, "no WAL to cap");
    constexpr int failingCount = 2000;
    QList<AppendOutcome> failed;
    {
        FileSizeCap cap(wal.size());
        QVERIFY(cap.capped());
        // Long texts, submitted at once: the writer takes them in batches of hundreds,
        // and whole batches fail, the larger ones (more than SQLite's 2 MB page cache)
        // in an INSERT as pages spill, the others in the COMMIT. Half have keys, and
        // one goes to a room not yet there.
        const QString filler(4000, u'x');
        for (int i = 0; i < failingCount; ++i) {
            const QByteArray key = i % 2 ? "full-" + QByteArray::number(i / 2) : QByteArray();
            store->append(room(i == failingCount / 2 ? "new" : "lab"),
                          draft(QStringLiteral("lost %1 ").arg(i) + filler), key, this,
                          [&failed](const AppendOutcome &outcome) { failed.append(outcome); });
        }
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), qsizetype(failingCount), 20000);
    }
    for (const AppendOutcome &outcome : std::as_const(failed))
        QCOMPARE(outcome.kind, AppendOutcome::Kind::Failed);
    QCOMPARE(store->commitStats().messages, storedBefore);

    // Space is back: the next ids follow on, the keys of the failed appends were not
    // remembered (Stored, not Replayed), and the room the failed batch made is not there.
    const QList<AppendOutcome> next = appendAll(*store, room("lab"), 3, "full-");
    for (qsizetype i = 0; i < next.size(); ++i) {
        QCOMPARE(next[i].kind, AppendOutcome::Kind::Stored);
        QCOMPARE(next[i].message.id, 6 + i);
    }
    const QList<AppendOutcome> inNew = appendAll(*store, room("new"), 1);
    QCOMPARE(inNew.first().message.id, 1);
    QVERIFY(inNew.first().roomCreated);

    const auto texts = [](const Page &page) {
        QStringList list;
        for (qsizetype i = 0; i < page.messages.size(); ++i) {
            if (page.messages[i].id != i + 1)
                return QStringList{
                    QStringLiteral("id %1 at %2").arg(page.messages[i].id).arg(i + 1)};
            list.append(page.messages[i].text);
        }
        return list;
    };
    const QStringList expected{QStringLiteral("m0"), QStringLiteral("m1"), QStringLiteral("m2"),
                               QStringLiteral("m3"), QStringLiteral("m4"), QStringLiteral("m0"),
                               QStringLiteral("m1"), QStringLiteral("m2")};
    QCOMPARE(texts(readPage(*store, room("lab"), {0, std::nullopt, 1000})), expected);

    store.reset();
    store = openStore();
    QCOMPARE(store->rooms().size(), 3);
    QCOMPARE(store->rooms()[1].name.value(), QStringLiteral("lab"));
    QCOMPARE(store->rooms()[1].lastId, 8);
    QCOMPARE(store->rooms()[2].lastId, 1);
    QCOMPARE(texts(readPage(*store, room("lab"), {0, std::nullopt, 1000})), expected);
}

void TestSqliteStorage::healthySaysSo()
{
    const auto store = openStore();
    std::optional<StoreHealth> answer;
    store->checkHealth(this, [&answer](const StoreHealth &health) { answer = health; });
    QTRY_VERIFY(answer.has_value());
    QVERIFY2(answer->healthy(), qPrintable(answer->readProblem + answer->writeProblem));
}

// Another program takes a room's next ids: appends to that room fail, alone, and those to
// another room in the same commits are stored; a restart repairs the room's counter.
void TestSqliteStorage::aCollisionFailsOnlyItsRoomNotItsCommits()
{
    auto store = openStore();
    appendAll(*store, room("lab"), 3);
    {
        QSqlDatabase intruder = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("intruder"));
        intruder.setDatabaseName(m_directory->filePath(QStringLiteral("chatapp.db")));
        intruder.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        QVERIFY(intruder.open());
        QSqlQuery insert(intruder);
        QVERIFY(insert.exec(QStringLiteral("INSERT INTO messages (room, id, author, text, ts_ms) VALUES ('lab', 4, 'intruder', 'x', 0),"
                                           " ('lab', 5, 'intruder', 'y', 0)")));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("intruder"));

    // Interleaved and submitted at once, so that the commits hold both rooms.
    constexpr int count = 300;
    const quint64 commitsBefore = store->commitStats().commits;
    QList<std::pair<bool, AppendOutcome>> outcomes; // (to lab, outcome)
    for (int i = 0; i < count; ++i) {
        const bool toLab = i % 2 == 0;
        store->append(room(toLab ? "lab" : "other"), draft(QStringLiteral("m%1").arg(i)), {}, this,
                      [&outcomes, toLab](const AppendOutcome &outcome) { outcomes.append({toLab, outcome}); });
    }
    QTRY_COMPARE_WITH_TIMEOUT(outcomes.size(), qsizetype(count), 10000);
    const quint64 commits = store->commitStats().commits - commitsBefore;
    QVERIFY2(commits < count / 4, qPrintable(QStringLiteral("%1 commits for %2 appends").arg(commits).arg(count)));
    MessageId nextInOther = 1;
    for (const auto &[toLab, outcome] : std::as_const(outcomes)) {
        if (toLab) {
            QCOMPARE(outcome.kind, AppendOutcome::Kind::RoomInconsistent);
        } else {
            QCOMPARE(outcome.kind, AppendOutcome::Kind::Stored);
            QCOMPARE(outcome.message.id, nextInOther++);
        }
    }
    const StoreHealth health = healthOf(*store);
    QCOMPARE(health.inconsistentRooms, QStringList{QStringLiteral("lab")});
    QVERIFY2(health.writeProblem.isEmpty(), qPrintable(health.writeProblem));

    store.reset();
    store = openStore();
    QCOMPARE(store->rooms()[1].name.value(), QStringLiteral("lab"));
    QCOMPARE(store->rooms()[1].lastId, 5);
    QCOMPARE(appendAll(*store, room("lab"), 1).first().message.id, 6);
    QVERIFY(healthOf(*store).healthy());
}

// /healthz must not wait for a send to learn that the disk is full, nor that it has space
// again: a client that trusts it would never send to find out.
void TestSqliteStorage::aFailedCommitShowsInHealthUntilAWriteSucceeds()
{
    const auto store = openStore();
    appendAll(*store, room("lab"), 2);
    const QFileInfo wal(m_directory->filePath(QStringLiteral("chatapp.db-wal")));
    QVERIFY2(wal.size() > 0, "no WAL to cap");
    {
        FileSizeCap cap(wal.size());
        QVERIFY(cap.capped());
        QCOMPARE(appendAll(*store, room("lab"), 1).first().kind, AppendOutcome::Kind::Failed);
        const StoreHealth health = healthOf(*store);
        QVERIFY2(health.writeProblem.contains(QStringLiteral("commits fail since")), qPrintable(health.writeProblem));
        QVERIFY2(health.readProblem.isEmpty(), qPrintable(health.readProblem));
    }
    QTRY_VERIFY_WITH_TIMEOUT(healthOf(*store).healthy(), 10000);
    QCOMPARE(appendAll(*store, room("lab"), 1).first().message.id, 3);
}

QTEST_GUILESS_MAIN(TestSqliteStorage)
#include "tst_sqlitestorage.moc"
