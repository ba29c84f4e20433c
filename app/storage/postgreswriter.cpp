#include "postgreswriter.h"

#include "batchanswers.h"
#include "entryrows.h"
#include "postgresconnection.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace {
constexpr qint64 keyLifetimeMs = 48 * 3600 * 1000;
constexpr qint64 purgeIntervalMs = 3600 * 1000;
constexpr int probeTickMs = 2000;

QString toJson(const QJsonArray &rows)
{
    return QString::fromUtf8(QJsonDocument(rows).toJson(QJsonDocument::Compact));
}
} // namespace

// Every statement a batch may run, prepared once per connection: preparing is a round
// trip of its own. Each takes one parameter, a JSON array.
struct PostgresWriter::Statements
{
    explicit Statements(const QSqlDatabase &database)
        : insertRooms(database), lockRooms(database), findKeys(database), findTargets(database),
          findReactions(database), insertEntries(database), updateMessages(database), blankEdits(database),
          upsertReactions(database), deleteReactions(database), rememberKeys(database),
          updateCounters(database), forgetRooms(database)
    {
        const QString now = QStringLiteral("floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint");
        const QString ids = QStringLiteral("json_to_recordset(?::json) AS q(room text, id bigint)");
        // New rooms in name order too: two nodes inserting the same new rooms in their
        // batches' orders would each wait for a row the other inserted.
        prepared = insertRooms.prepare(QStringLiteral(
                       "INSERT INTO rooms (name, last_id, created_ms) SELECT value, 0, %1"
                       " FROM json_array_elements_text(?::json) ORDER BY value ON CONFLICT (name) DO NOTHING RETURNING name").arg(now))
                // One lock order for every node: name order, or two batches deadlock.
                && lockRooms.prepare(QStringLiteral(
                       "SELECT name, last_id, %1 FROM rooms WHERE name IN (SELECT json_array_elements_text(?::json))"
                       " ORDER BY name FOR UPDATE").arg(now))
                && findKeys.prepare(QStringLiteral(
                       "SELECT %1, k.room, k.key FROM json_to_recordset(?::json) AS q(room text, key text)"
                       " JOIN idempotency_keys k ON k.room = q.room AND k.key = q.key"
                       " JOIN messages m ON m.room = k.room AND m.id = k.message_id").arg(messageColumns(QStringLiteral("m"))))
                && findTargets.prepare(QStringLiteral(
                       "SELECT %1, m.room, encode(m.author_secret, 'hex') FROM %2"
                       " JOIN messages m ON m.room = q.room AND m.id = q.id").arg(messageColumns(QStringLiteral("m")), ids))
                && findReactions.prepare(QStringLiteral(
                       "SELECT r.room, r.message_id, r.emoji, r.name, r.entry_id FROM %1"
                       " JOIN reactions r ON r.room = q.room AND r.message_id = q.id"
                       " ORDER BY r.room, r.message_id, r.entry_id").arg(ids))
                // In id order, so that search_seq grows with ids within a room.
                && insertEntries.prepare(QStringLiteral(
                       "INSERT INTO messages (room, id, kind, target, author, text, emoji, reply_to, author_secret,"
                       " ts_ms, edited_ms, deleted_ms)"
                       " SELECT room, id, kind, target, author, text, emoji, reply_to, decode(author_secret, 'hex'),"
                       " ts_ms, edited_ms, deleted_ms FROM json_to_recordset(?::json) AS q(room text, id bigint,"
                       " kind smallint, target bigint, author text, text text, emoji text, reply_to bigint,"
                       " author_secret text, ts_ms bigint, edited_ms bigint, deleted_ms bigint) ORDER BY room, id"))
                && updateMessages.prepare(QStringLiteral(
                       "UPDATE messages m SET text = q.text, edited_ms = q.edited_ms, deleted_ms = q.deleted_ms"
                       " FROM json_to_recordset(?::json) AS q(room text, id bigint, text text, edited_ms bigint,"
                       " deleted_ms bigint) WHERE m.room = q.room AND m.id = q.id"))
                // A deletion takes the text from the message's edits too (kind 1, EntryType::Edit).
                && blankEdits.prepare(QStringLiteral(
                       "UPDATE messages m SET text = '' FROM %1"
                       " WHERE m.room = q.room AND m.target = q.id AND m.kind = 1 AND m.text <> ''").arg(ids))
                && upsertReactions.prepare(QStringLiteral(
                       "INSERT INTO reactions (room, message_id, emoji, name, entry_id)"
                       " SELECT room, message_id, emoji, name, entry_id FROM json_to_recordset(?::json)"
                       " AS q(room text, message_id bigint, emoji text, name text, entry_id bigint)"
                       " ON CONFLICT (room, message_id, emoji, name) DO UPDATE SET entry_id = excluded.entry_id"))
                && deleteReactions.prepare(QStringLiteral(
                       "DELETE FROM reactions r USING json_to_recordset(?::json)"
                       " AS q(room text, message_id bigint, emoji text, name text)"
                       " WHERE r.room = q.room AND r.message_id = q.message_id AND r.emoji = q.emoji AND r.name = q.name"))
                && rememberKeys.prepare(QStringLiteral(
                       "INSERT INTO idempotency_keys (room, key, message_id, created_ms)"
                       " SELECT room, key, message_id, created_ms FROM json_to_recordset(?::json)"
                       " AS q(room text, key text, message_id bigint, created_ms bigint)"
                       " ON CONFLICT (room, key) DO UPDATE SET message_id = excluded.message_id,"
                       " created_ms = excluded.created_ms"))
                && updateCounters.prepare(QStringLiteral(
                       "UPDATE rooms r SET last_id = q.last_id FROM json_to_recordset(?::json)"
                       " AS q(name text, last_id bigint) WHERE r.name = q.name"))
                && forgetRooms.prepare(QStringLiteral(
                       "DELETE FROM rooms WHERE name IN (SELECT json_array_elements_text(?::json)) AND last_id = 0"));
    }

    QSqlQuery insertRooms, lockRooms, findKeys, findTargets, findReactions, insertEntries, updateMessages,
        blankEdits, upsertReactions, deleteReactions, rememberKeys, updateCounters, forgetRooms;
    bool prepared = false;
};

PostgresWriter::PostgresWriter(PostgresAddress address, const QList<RoomRecord> &rooms)
    : m_address(std::move(address))
    , m_connectionName(QStringLiteral("chatapp-postgres-writer"))
{
    for (const RoomRecord &room : rooms)
        m_knownRooms.insert(room.name.value());
}

PostgresWriter::~PostgresWriter() = default;

bool PostgresWriter::connect(QString *error)
{
    m_statements.reset();
    m_database = QSqlDatabase();
    closePostgresConnection(m_connectionName);
    m_database = openPostgresConnection(m_address, m_connectionName, error);
    if (!m_database.isOpen())
        return false;
    m_statements = std::make_unique<Statements>(m_database);
    if (!m_statements->prepared) {
        *error = QStringLiteral("cannot prepare the writer's statements: %1").arg(m_database.lastError().text());
        m_statements.reset();
        return false;
    }
    return true;
}

void PostgresWriter::open()
{
    QString error;
    if (!connect(&error))
        m_openError = QStringLiteral("the writer: %1").arg(error);
    m_sinceLastPurge.start();
    m_probeTimer = std::make_unique<QTimer>();
    QObject::connect(m_probeTimer.get(), &QTimer::timeout, this, &PostgresWriter::probeWrites);
    m_probeTimer->start(probeTickMs);
}

void PostgresWriter::close()
{
    m_probeTimer.reset();
    m_statements.reset();
    m_database = QSqlDatabase();
    closePostgresConnection(m_connectionName);
}

void PostgresWriter::submit(Job job)
{
    QMutexLocker lock(&m_queueMutex);
    m_queue.push_back(std::move(job));
    if (!m_flushScheduled) {
        m_flushScheduled = true;
        QMetaObject::invokeMethod(this, &PostgresWriter::flush, Qt::QueuedConnection);
    }
}

CommitStats PostgresWriter::stats() const
{
    return {m_commits.load(), m_messagesCommitted.load(), m_commitNanoseconds.load() / 1e9};
}

StoreHealth PostgresWriter::health() const
{
    QMutexLocker lock(&m_healthMutex);
    StoreHealth health;
    health.writeProblem = m_writeProblem;
    return health;
}

void PostgresWriter::flush()
{
    std::vector<Job> jobs;
    {
        QMutexLocker lock(&m_queueMutex);
        jobs.swap(m_queue);
        m_flushScheduled = false;
    }
    if (jobs.empty())
        return;
    QElapsedTimer timer;
    timer.start();
    const std::vector<Result> results = writeBatch(jobs);
    m_commitNanoseconds += quint64(timer.nsecsElapsed());
    answerBatch(jobs, results);
    // After the answers: a node waking on this never needs what this node has not said.
    if (m_committed && !m_batchHeads.isEmpty())
        m_committed(std::exchange(m_batchHeads, {}));
    if (m_sinceLastPurge.elapsed() > purgeIntervalMs)
        purgeOldKeys();
}

std::vector<PostgresWriter::Result> PostgresWriter::writeBatch(const std::vector<Job> &jobs)
{
    std::vector<Result> results(jobs.size());
    m_batchError.clear();
    m_batchStored = 0;
    m_batchHeads.clear();
    // QPSQL never reconnects by itself: a connection lost (a restart of PostgreSQL, a
    // terminated backend) is opened again by the next batch.
    if (!m_statements || !m_database.isOpen()) {
        QString error;
        if (!connect(&error)) {
            m_batchError = error;
            failed(jobs.size());
            return results;
        }
    }
    // A failed BEGIN wrote nothing: most likely the connection was lost since the last
    // batch (a terminated backend, a restart of PostgreSQL), so this batch tries a new one.
    if (!m_database.transaction()) {
        QString error;
        if (!connect(&error) || !m_database.transaction()) {
            m_batchError = error.isEmpty() ? m_database.lastError().text() : error;
            m_statements.reset();
            failed(jobs.size());
            return results;
        }
    }
    if (!writeInTransaction(jobs, results) || !m_database.commit()) {
        if (m_batchError.isEmpty())
            m_batchError = m_database.lastError().text();
        if (!m_database.rollback())
            m_statements.reset();
        failed(jobs.size());
        m_batchHeads.clear();
        // None of the batch was stored, whatever `results` says of it.
        return std::vector<Result>(jobs.size());
    }
    if (m_failedCommitsInARow > 0) {
        qWarning("chatapp: commits to PostgreSQL succeed again, after %llu failed", m_failedCommitsInARow);
        m_failedCommitsInARow = 0;
        QMutexLocker lock(&m_healthMutex);
        m_writeProblem.clear();
    }
    ++m_commits;
    m_messagesCommitted += m_batchStored;
    // Only now: a room inserted by a batch that did not commit is not there.
    m_knownRooms.unite(m_batchRooms);
    return results;
}

bool PostgresWriter::exec(QSqlQuery &query, const QString &json)
{
    query.bindValue(0, json);
    if (query.exec())
        return true;
    m_batchError = query.lastError().text();
    return false;
}

bool PostgresWriter::writeInTransaction(const std::vector<Job> &jobs, std::vector<Result> &results)
{
    Statements &s = *m_statements;
    PostgresBatch batch;

    // Rooms this node has not seen yet: created by whichever node's batch comes first.
    QJsonArray unknownRooms, batchRooms, keys, targets, reactionTargets;
    QSet<QString> listed;
    QSet<PostgresBatch::EntryKey> targetsListed, reactionsListed;
    for (const Job &job : jobs) {
        const QString &room = job.room.value();
        if (!listed.contains(room)) {
            listed.insert(room);
            batchRooms.append(room);
            if (job.kind != Job::Kind::Change && !m_knownRooms.contains(room))
                unknownRooms.append(room);
        }
        if (job.kind == Job::Kind::Append && !job.idempotencyKey.isEmpty())
            keys.append(QJsonObject{{u"room"_s, room}, {u"key"_s, QString::fromLatin1(job.idempotencyKey)}});
        const MessageId target = job.kind == Job::Kind::Change ? job.change.target
                               : job.kind == Job::Kind::Append ? job.draft.replyTo
                                                               : 0;
        if (target > 0 && !targetsListed.contains({room, target})) {
            targetsListed.insert({room, target});
            targets.append(QJsonObject{{u"room"_s, room}, {u"id"_s, target}});
        }
        if (job.kind == Job::Kind::Change && !reactionsListed.contains({room, target})) {
            reactionsListed.insert({room, target});
            reactionTargets.append(QJsonObject{{u"room"_s, room}, {u"id"_s, target}});
        }
    }
    if (!unknownRooms.isEmpty()) {
        if (!exec(s.insertRooms, toJson(unknownRooms)))
            return false;
        while (s.insertRooms.next())
            batch.createdHere.insert(s.insertRooms.value(0).toString());
        s.insertRooms.finish();
    }
    // Counters are read under the lock, never remembered: other nodes move them.
    if (!exec(s.lockRooms, toJson(batchRooms)))
        return false;
    while (s.lockRooms.next()) {
        batch.storedLastIds.insert(s.lockRooms.value(0).toString(), s.lockRooms.value(1).toLongLong());
        batch.nowMs = std::max(batch.nowMs, s.lockRooms.value(2).toLongLong());
    }
    s.lockRooms.finish();
    // After the lock, so that one key sent to two nodes at once is stored once.
    if (!keys.isEmpty()) {
        if (!exec(s.findKeys, toJson(keys)))
            return false;
        while (s.findKeys.next()) {
            const QString room = s.findKeys.value(10).toString();
            batch.storedKeys.insert(PostgresBatch::keyOf(room, s.findKeys.value(11).toString().toLatin1()),
                                    messageFromRow(s.findKeys, room));
        }
        s.findKeys.finish();
    }
    if (!targets.isEmpty()) {
        if (!exec(s.findTargets, toJson(targets)))
            return false;
        while (s.findTargets.next()) {
            const QString room = s.findTargets.value(10).toString();
            PostgresBatch::Entry entry;
            entry.message = messageFromRow(s.findTargets, room);
            entry.secretHash = QByteArray::fromHex(s.findTargets.value(11).toString().toLatin1());
            entry.editedMs = entry.message.editedAt.isValid() ? entry.message.editedAt.toMSecsSinceEpoch() : 0;
            entry.deletedMs = s.findTargets.value(9).toLongLong();
            batch.entries.insert({room, entry.message.id}, entry);
        }
        s.findTargets.finish();
    }
    if (!reactionTargets.isEmpty()) {
        if (!exec(s.findReactions, toJson(reactionTargets)))
            return false;
        while (s.findReactions.next()) {
            auto entry = batch.entries.find({s.findReactions.value(0).toString(), s.findReactions.value(1).toLongLong()});
            if (entry == batch.entries.end())
                continue;
            entry->reactions.append({s.findReactions.value(2).toString(), s.findReactions.value(3).toString(),
                                     s.findReactions.value(4).toLongLong()});
        }
        s.findReactions.finish();
        for (PostgresBatch::Entry &entry : batch.entries)
            entry.storedReactions = entry.reactions;
    }

    // Each job in order, in memory; then every row of a kind in one statement.
    batch.apply(jobs, results);
    m_knownRooms.subtract(batch.missingRooms);
    const PostgresBatch::Rows rows = batch.rows();
    const bool ok = (rows.inserts.isEmpty() || exec(s.insertEntries, toJson(rows.inserts)))
                 && (rows.updates.isEmpty() || exec(s.updateMessages, toJson(rows.updates)))
                 && (rows.deletedMessages.isEmpty() || exec(s.blankEdits, toJson(rows.deletedMessages)))
                 && (rows.reactionRemovals.isEmpty() || exec(s.deleteReactions, toJson(rows.reactionRemovals)))
                 && (rows.reactionUpserts.isEmpty() || exec(s.upsertReactions, toJson(rows.reactionUpserts)))
                 && (rows.keys.isEmpty() || exec(s.rememberKeys, toJson(rows.keys)))
                 && (rows.counters.isEmpty() || exec(s.updateCounters, toJson(rows.counters)))
                 && (rows.unclaimedRooms.isEmpty() || exec(s.forgetRooms, toJson(rows.unclaimedRooms)));
    if (!ok)
        return false;
    m_batchRooms = batch.foundRooms();
    m_batchHeads = batch.heads();
    m_batchStored = batch.stored;
    return true;
}

void PostgresWriter::failed(size_t writes)
{
    setWriteProblem(m_batchError);
    ++m_failedCommitsInARow;
    if (m_failedCommitsInARow == 1 || m_failedCommitsInARow % 1000 == 0)
        qWarning("chatapp: a commit of %zu writes to PostgreSQL failed, none of them was stored (%llu in a row): %s",
                 writes, m_failedCommitsInARow, qPrintable(m_batchError));
}

void PostgresWriter::setWriteProblem(const QString &problem)
{
    QMutexLocker lock(&m_healthMutex);
    if (m_writeProblem.isEmpty())
        m_writeProblem = QStringLiteral("commits fail since %1: %2")
                             .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODate), problem);
}

// While commits fail, whether a transaction that writes its commit record goes through,
// so that /healthz recovers without waiting for a send.
void PostgresWriter::probeWrites()
{
    {
        QMutexLocker lock(&m_healthMutex);
        if (m_writeProblem.isEmpty())
            return;
    }
    QString error;
    if ((!m_statements || !m_database.isOpen()) && !connect(&error))
        return;
    QSqlQuery probe(m_database);
    const bool ok = m_database.transaction() && probe.exec(QStringLiteral("SELECT txid_current()"))
                 && m_database.commit();
    if (!ok) {
        if (!m_database.rollback())
            m_statements.reset();
        return;
    }
    m_failedCommitsInARow = 0;
    QMutexLocker lock(&m_healthMutex);
    m_writeProblem.clear();
}

void PostgresWriter::purgeOldKeys()
{
    m_sinceLastPurge.restart();
    if (!m_statements)
        return;
    QSqlQuery purge(m_database);
    purge.prepare(QStringLiteral("DELETE FROM idempotency_keys WHERE created_ms < ?"));
    purge.addBindValue(QDateTime::currentMSecsSinceEpoch() - keyLifetimeMs);
    if (!purge.exec())
        qWarning("chatapp: purging old idempotency keys failed: %s", qPrintable(purge.lastError().text()));
}

