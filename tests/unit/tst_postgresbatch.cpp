#include "storage/postgresbatch.h"

#include <QJsonObject>
#include <QTest>

// The rules of a PostgreSQL batch, without a server: what the writer read under the lock
// goes in, outcomes and rows come out. tests/postgres/ checks them against PostgreSQL.
class TestPostgresBatch : public QObject
{
    Q_OBJECT

private slots:
    void appendsTakeTheRoomsNextIds();
    void aKeyIsStoredOnceAndRetriesAreToldFromReuse();
    void aReplyNeedsAMessageOfTheRoomEvenOneOfThisBatch();
    void aRoomInsertedForNothingIsUndone();
    void aMessageStoredAndChangedInOneBatchIsInsertedAsItEnds();
    void reactionsTakenBackAndGivenAgainKeepTheirLastEntry();
    void changesThatMayNotHappenAddNoEntry();
    void aRoomThatIsNotThereFailsItsAppends();

private:
    static RoomName room(const char *name) { return *RoomName::parse(QString::fromLatin1(name)); }
    static PostgresJob append(const char *roomName, const char *author, const char *text, QByteArray key = {},
                              MessageId replyTo = 0)
    {
        MessageDraft draft{QString::fromUtf8(author), QString::fromUtf8(text), replyTo, QByteArray("secret-hash")};
        return {PostgresJob::Kind::Append, room(roomName), draft, key, nullptr, {}, {}};
    }
    static PostgresJob change(const char *roomName, EntryChange change)
    {
        PostgresJob job{PostgresJob::Kind::Change, room(roomName), {}, {}, nullptr, {}, {}};
        job.change = std::move(change);
        return job;
    }
    static PostgresBatch::Entry stored(const char *roomName, MessageId id, const char *text)
    {
        PostgresBatch::Entry entry;
        entry.message.id = id;
        entry.message.room = QString::fromLatin1(roomName);
        entry.message.author = QStringLiteral("ana");
        entry.message.text = QString::fromUtf8(text);
        entry.secretHash = "secret-hash";
        return entry;
    }
    static std::vector<PostgresJobResult> run(PostgresBatch &batch, const std::vector<PostgresJob> &jobs)
    {
        std::vector<PostgresJobResult> results(jobs.size());
        batch.apply(jobs, results);
        return results;
    }
};

void TestPostgresBatch::appendsTakeTheRoomsNextIds()
{
    PostgresBatch batch;
    batch.storedLastIds = {{QStringLiteral("lab"), 7}, {QStringLiteral("hall"), 0}};
    batch.nowMs = 1'800'000'000'000;
    const auto results = run(batch, {append("lab", "ana", "a"), append("hall", "bea", "b"), append("lab", "cy", "c")});
    QCOMPARE(results[0].appended.message.id, 8);
    QCOMPARE(results[1].appended.message.id, 1);
    QCOMPARE(results[2].appended.message.id, 9);
    QCOMPARE(results[2].appended.message.timestamp.toMSecsSinceEpoch(), batch.nowMs);
    QCOMPARE(batch.stored, 3u);
    const PostgresBatch::Rows rows = batch.rows();
    QCOMPARE(rows.inserts.size(), 3);
    QCOMPARE(rows.counters.size(), 2);
    for (const QJsonValue &counter : rows.counters) {
        const QJsonObject object = counter.toObject();
        QCOMPARE(object[u"last_id"].toInteger(), object[u"name"].toString() == u"lab" ? 9 : 1);
    }
}

void TestPostgresBatch::aKeyIsStoredOnceAndRetriesAreToldFromReuse()
{
    PostgresBatch batch;
    batch.storedLastIds = {{QStringLiteral("lab"), 3}};
    Message earlier;
    earlier.id = 2;
    earlier.author = QStringLiteral("ana");
    earlier.text = QStringLiteral("old");
    batch.storedKeys.insert(PostgresBatch::keyOf(QStringLiteral("lab"), "k-old"), earlier);
    const auto results = run(batch, {append("lab", "ana", "new", "k-new"), append("lab", "ana", "new", "k-new"),
                                     append("lab", "ana", "other", "k-new"), append("lab", "ana", "old", "k-old"),
                                     append("lab", "bea", "old", "k-old")});
    QCOMPARE(results[0].appended.kind, AppendOutcome::Kind::Stored);
    QCOMPARE(results[1].appended.kind, AppendOutcome::Kind::Replayed);
    QCOMPARE(results[1].appended.message.id, 4);
    QCOMPARE(results[2].appended.kind, AppendOutcome::Kind::KeyReused);
    QCOMPARE(results[3].appended.kind, AppendOutcome::Kind::Replayed);
    QCOMPARE(results[3].appended.message.id, 2);
    QCOMPARE(results[4].appended.kind, AppendOutcome::Kind::KeyReused);
    QCOMPARE(batch.rows().keys.size(), 1);
    QCOMPARE(batch.stored, 1u);
}

void TestPostgresBatch::aReplyNeedsAMessageOfTheRoomEvenOneOfThisBatch()
{
    PostgresBatch batch;
    batch.storedLastIds = {{QStringLiteral("lab"), 5}};
    PostgresBatch::Entry edit = stored("lab", 5, "an edit");
    edit.message.type = EntryType::Edit;
    batch.entries.insert({QStringLiteral("lab"), 5}, edit);
    batch.entries.insert({QStringLiteral("lab"), 4}, stored("lab", 4, "a message"));
    const auto results = run(batch, {append("lab", "ana", "to 4", {}, 4), append("lab", "ana", "to 5", {}, 5),
                                     append("lab", "ana", "to 99", {}, 99), append("lab", "ana", "to 6", {}, 6)});
    QCOMPARE(results[0].appended.kind, AppendOutcome::Kind::Stored);
    QCOMPARE(results[0].appended.message.id, 6);
    QCOMPARE(results[1].appended.kind, AppendOutcome::Kind::ReplyTargetInvalid);
    QCOMPARE(results[2].appended.kind, AppendOutcome::Kind::ReplyTargetInvalid);
    QCOMPARE(results[3].appended.kind, AppendOutcome::Kind::Stored);
    QCOMPARE(results[3].appended.message.replyTo, 6);
}

void TestPostgresBatch::aRoomInsertedForNothingIsUndone()
{
    PostgresBatch batch;
    batch.storedLastIds = {{QStringLiteral("new"), 0}, {QStringLiteral("made"), 0}};
    batch.createdHere = {QStringLiteral("new"), QStringLiteral("made")};
    const auto results = run(batch, {append("new", "ana", "to nothing", {}, 1), append("made", "ana", "first"),
                                     append("made", "ana", "second")});
    QCOMPARE(results[0].appended.kind, AppendOutcome::Kind::ReplyTargetInvalid);
    QVERIFY(results[1].appended.roomCreated);
    QVERIFY(!results[2].appended.roomCreated);
    QCOMPARE(batch.rows().unclaimedRooms, QJsonArray{QStringLiteral("new")});
    QCOMPARE(batch.foundRooms(), QSet<QString>{QStringLiteral("made")});
}

void TestPostgresBatch::aMessageStoredAndChangedInOneBatchIsInsertedAsItEnds()
{
    PostgresBatch batch;
    batch.storedLastIds = {{QStringLiteral("lab"), 0}};
    batch.nowMs = 1'800'000'000'000;
    EntryChange edit{EntryChange::Kind::Edit, 1, QStringLiteral("edited"), "secret-hash", {}, {}};
    EntryChange removal{EntryChange::Kind::Delete, 1, {}, "secret-hash", {}, {}};
    const auto results = run(batch, {append("lab", "ana", "first"), change("lab", edit), change("lab", removal),
                                     change("lab", removal)});
    QCOMPARE(results[1].changed.kind, ChangeOutcome::Kind::Stored);
    QCOMPARE(results[1].changed.entry.id, 2);
    QCOMPARE(results[1].changed.message.text, QStringLiteral("edited"));
    QCOMPARE(results[2].changed.kind, ChangeOutcome::Kind::Stored);
    QCOMPARE(results[2].changed.entry.id, 3);
    QVERIFY(results[2].changed.message.deleted);
    QCOMPARE(results[3].changed.kind, ChangeOutcome::Kind::Unchanged);
    const PostgresBatch::Rows rows = batch.rows();
    QCOMPARE(rows.inserts.size(), 3);
    QCOMPARE(rows.updates.size(), 0); // nothing was stored before: the inserts say it all
    const QJsonObject message = rows.inserts[0].toObject();
    QCOMPARE(message[u"text"].toString(), QString());
    QCOMPARE(message[u"deleted_ms"].toInteger(), batch.nowMs);
    QCOMPARE(message[u"edited_ms"].toInteger(), batch.nowMs);
    QCOMPARE(rows.inserts[1].toObject()[u"text"].toString(), QString()); // the edit loses its text too
}

void TestPostgresBatch::reactionsTakenBackAndGivenAgainKeepTheirLastEntry()
{
    PostgresBatch batch;
    batch.storedLastIds = {{QStringLiteral("lab"), 10}};
    PostgresBatch::Entry message = stored("lab", 3, "hola");
    message.reactions = {{QStringLiteral("👍"), QStringLiteral("bea"), 4}, {QStringLiteral("🎉"), QStringLiteral("cy"), 5}};
    message.storedReactions = message.reactions;
    batch.entries.insert({QStringLiteral("lab"), 3}, message);
    const auto react = [](const char *kind, const char *name, const char *emoji) {
        const bool give = qstrcmp(kind, "react") == 0;
        return change("lab", {give ? EntryChange::Kind::React : EntryChange::Kind::Unreact, 3, {}, {},
                              QString::fromUtf8(name), QString::fromUtf8(emoji)});
    };
    const auto results = run(batch, {react("react", "bea", "👍"), react("unreact", "bea", "👍"),
                                     react("react", "bea", "👍"), react("unreact", "cy", "🎉"),
                                     react("unreact", "cy", "🎉")});
    QCOMPARE(results[0].changed.kind, ChangeOutcome::Kind::Unchanged);
    QCOMPARE(results[1].changed.entry.id, 11);
    QCOMPARE(results[2].changed.entry.id, 12);
    QCOMPARE(results[3].changed.entry.id, 13);
    QCOMPARE(results[4].changed.kind, ChangeOutcome::Kind::Unchanged);
    const QList<Reaction> now = results[4].changed.message.reactions;
    QCOMPARE(now.size(), 1);
    QCOMPARE(now[0].emoji, QStringLiteral("👍"));
    const PostgresBatch::Rows rows = batch.rows();
    QCOMPARE(rows.reactionUpserts.size(), 1); // bea's, with its new entry
    QCOMPARE(rows.reactionUpserts[0].toObject()[u"entry_id"].toInteger(), 12);
    QCOMPARE(rows.reactionRemovals.size(), 1); // cy's
    QCOMPARE(rows.reactionRemovals[0].toObject()[u"name"].toString(), QStringLiteral("cy"));
}

void TestPostgresBatch::changesThatMayNotHappenAddNoEntry()
{
    PostgresBatch batch;
    batch.storedLastIds = {{QStringLiteral("lab"), 9}};
    PostgresBatch::Entry gone = stored("lab", 2, "");
    gone.message.deleted = true;
    PostgresBatch::Entry entry = stored("lab", 3, "");
    entry.message.type = EntryType::Reaction;
    batch.entries.insert({QStringLiteral("lab"), 1}, stored("lab", 1, "mine"));
    batch.entries.insert({QStringLiteral("lab"), 2}, gone);
    batch.entries.insert({QStringLiteral("lab"), 3}, entry);
    const auto results = run(batch, {
        change("lab", {EntryChange::Kind::Edit, 1, QStringLiteral("x"), "another-hash", {}, {}}),
        change("lab", {EntryChange::Kind::Edit, 2, QStringLiteral("x"), "secret-hash", {}, {}}),
        change("lab", {EntryChange::Kind::Edit, 3, QStringLiteral("x"), "secret-hash", {}, {}}),
        change("lab", {EntryChange::Kind::Edit, 42, QStringLiteral("x"), "secret-hash", {}, {}}),
        change("nowhere", {EntryChange::Kind::React, 1, {}, {}, QStringLiteral("bea"), QStringLiteral("👍")}),
        change("lab", {EntryChange::Kind::Edit, 1, QStringLiteral("mine"), "secret-hash", {}, {}})});
    QCOMPARE(results[0].changed.kind, ChangeOutcome::Kind::NotYours);
    QCOMPARE(results[1].changed.kind, ChangeOutcome::Kind::MessageDeleted);
    QCOMPARE(results[2].changed.kind, ChangeOutcome::Kind::NotAMessage);
    QCOMPARE(results[3].changed.kind, ChangeOutcome::Kind::NotFound);
    QCOMPARE(results[4].changed.kind, ChangeOutcome::Kind::NotFound);
    QCOMPARE(results[5].changed.kind, ChangeOutcome::Kind::Unchanged);
    const PostgresBatch::Rows rows = batch.rows();
    QVERIFY(rows.inserts.isEmpty());
    QVERIFY(rows.updates.isEmpty());
    QVERIFY(rows.counters.isEmpty());
}

void TestPostgresBatch::aRoomThatIsNotThereFailsItsAppends()
{
    PostgresBatch batch; // the lock found no row for "lab": removed behind this node's back
    const auto results = run(batch, {append("lab", "ana", "a")});
    QCOMPARE(results[0].appended.kind, AppendOutcome::Kind::Failed);
    QCOMPARE(batch.missingRooms, QSet<QString>{QStringLiteral("lab")});
}

QTEST_GUILESS_MAIN(TestPostgresBatch)
#include "tst_postgresbatch.moc"
