#include "sqlitewriter.h"

#include "batchanswers.h"
#include "sqliteconnection.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>

namespace {
// Keys must be remembered for at least 24 h; twice that leaves room for clock trouble.
constexpr qint64 keyLifetimeMs = 48 * 3600 * 1000;
constexpr qint64 purgeIntervalMs = 3600 * 1000;
// While commits keep failing, how often to say so again.
constexpr qint64 failureLogIntervalMs = 60 * 1000;
// How often the writer asks itself whether to probe; it probes while commits fail, and
// when none has been made for a while.
constexpr int probeTickMs = 2000;
constexpr qint64 idleProbeAfterMs = 30 * 1000;
// How soon after a deletion its words leave the search index (see m_sinceOptimized):
// every 10 s at most, and a rebuild may take at most a twentieth of the writer's time,
// since the sends of its batch wait for it (0.2 s for 300,000 messages here).
constexpr qint64 minOptimizeIntervalMs = 10 * 1000;
constexpr qint64 optimizeCostShare = 20;

// SQLITE_CONSTRAINT, whatever its extended code: the statement that failed is undone,
// and the transaction goes on (SQLite's default ABORT).
bool isConstraintViolation(const QSqlError &error)
{
    bool number = false;
    const int code = error.nativeErrorCode().toInt(&number);
    return number && (code & 0xff) == 19;
}

QString keyInBatch(const RoomName &room, const QByteArray &key)
{
    return room.value() + u'\n' + QString::fromLatin1(key);
}

// A retry sends the same message again, though perhaps encoded otherwise (JSON or a
// form, fields in another order): what was stored is compared, not the bytes that came.
AppendOutcome outcomeOfKnownKey(const Message &original, const MessageDraft &draft)
{
    // Edited or deleted since, its text no longer tells a retry from another message.
    const bool textChanged = original.editedAt.isValid() || original.deleted;
    const bool sameMessage = original.author == draft.author && (textChanged || original.text == draft.text);
    return {sameMessage ? AppendOutcome::Kind::Replayed : AppendOutcome::Kind::KeyReused, original,
            false};
}
} // namespace

SqliteWriter::SqliteWriter(QString databasePath, QHash<QString, MessageId> lastIds)
    : m_databasePath(std::move(databasePath))
    , m_connectionName(QStringLiteral("chatapp-writer"))
    , m_lastIds(std::move(lastIds))
{
}

struct SqliteWriter::Statements
{
    explicit Statements(const QSqlDatabase &database)
        : insertMessage(database), indexMessage(database), rememberKey(database), findKey(database),
          updateLastId(database)
    {
        prepared = insertMessage.prepare(QStringLiteral(
                       "INSERT INTO messages (room, id, author, text, ts_ms, search_rowid, reply_to, author_secret)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"))
                // In the same transaction as the message: search never disagrees with history.
                && indexMessage.prepare(QStringLiteral("INSERT INTO message_search (rowid, text) VALUES (?, ?)"))
                // A key whose message is gone (a damaged or hand-edited store: findKey's join
                // finds nothing) now names the message sent again in its place; a plain INSERT
                // would fail on the old row and take the whole group commit down with it.
                && rememberKey.prepare(QStringLiteral(
                       "INSERT OR REPLACE INTO idempotency_keys (room, key, message_id, created_ms)"
                       " VALUES (?, ?, ?, ?)"))
                && findKey.prepare(QStringLiteral("SELECT %1 FROM idempotency_keys k JOIN messages m"
                                                  " ON m.room = k.room AND m.id = k.message_id"
                                                  " WHERE k.room = ? AND k.key = ?")
                                       .arg(messageColumns(QStringLiteral("m"))))
                && updateLastId.prepare(QStringLiteral("UPDATE rooms SET last_id = ? WHERE name = ?"));
    }

    QSqlQuery insertMessage;
    QSqlQuery indexMessage;
    QSqlQuery rememberKey;
    QSqlQuery findKey;
    QSqlQuery updateLastId;
    bool prepared = false;
};

SqliteWriter::~SqliteWriter() = default;

void SqliteWriter::open()
{
    QString error;
    m_database = openSqliteConnection(m_databasePath, m_connectionName, &error);
    if (!m_database.isOpen())
        m_openError = QStringLiteral("the writer cannot open the database: %1").arg(error);
    else
        m_statements = std::make_unique<Statements>(m_database);
    if (m_statements && !m_statements->prepared) {
        m_openError = QStringLiteral("the writer cannot prepare its statements: %1")
                          .arg(m_database.lastError().text());
        m_statements.reset();
    }
    if (m_statements) {
        QSqlQuery newest(m_database);
        if (newest.exec(QStringLiteral("SELECT coalesce(max(search_rowid), 0) FROM messages")) && newest.next()) {
            m_nextSearchRowid = newest.value(0).toLongLong() + 1;
        } else {
            m_openError = QStringLiteral("the writer cannot read the search index: %1").arg(newest.lastError().text());
            m_statements.reset();
        }
    }
    m_sinceLastPurge.start();
    m_sinceLastCommit.start();
    m_probeTimer = std::make_unique<QTimer>();
    connect(m_probeTimer.get(), &QTimer::timeout, this, &SqliteWriter::probeWrites);
    m_probeTimer->start(probeTickMs);
    m_optimizeTimer = std::make_unique<QTimer>();
    m_optimizeTimer->setSingleShot(true);
    connect(m_optimizeTimer.get(), &QTimer::timeout, this, &SqliteWriter::optimizeSearchIndex);
}

void SqliteWriter::close()
{
    if (m_deletionsNotOptimized)
        optimizeSearchIndex();
    m_optimizeTimer.reset();
    m_probeTimer.reset();
    m_statements.reset();
    m_database = QSqlDatabase();
    closeSqliteConnection(m_connectionName);
}

void SqliteWriter::submit(Job job)
{
    QMutexLocker lock(&m_queueMutex);
    m_queue.push_back(std::move(job));
    if (!m_flushScheduled) {
        m_flushScheduled = true;
        QMetaObject::invokeMethod(this, &SqliteWriter::flush, Qt::QueuedConnection);
    }
}

CommitStats SqliteWriter::stats() const
{
    return {m_commits.load(), m_messagesCommitted.load(), m_commitNanoseconds.load() / 1e9};
}

StoreHealth SqliteWriter::health() const
{
    QMutexLocker lock(&m_healthMutex);
    StoreHealth health;
    health.writeProblem = m_writeProblem;
    health.inconsistentRooms = m_roomsOutOfStep.keys();
    return health;
}

void SqliteWriter::flush()
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
    if (m_sinceLastPurge.elapsed() > purgeIntervalMs)
        purgeOldKeys();
}

std::vector<SqliteWriter::Result> SqliteWriter::writeBatch(const std::vector<Job> &jobs)
{
    std::vector<Result> results(jobs.size());
    m_batchError.clear();
    m_roomsOutOfStepInBatch.clear();
    if (!m_statements) {
        m_batchError = QStringLiteral("the writer has no open database");
        noteFailedCommit(jobs.size());
        return results; // all Failed
    }
    if (!m_database.transaction()) {
        m_batchError = m_database.lastError().text();
        noteFailedCommit(jobs.size());
        return results;
    }

    // Work on copies: if the commit fails, nothing of this batch may have happened.
    QHash<QString, MessageId> lastIds = m_lastIds;
    m_batchSearchRowid = m_nextSearchRowid;
    m_batchDeletes = false;
    QHash<QString, Message> keysInBatch;
    bool ok = true;
    for (size_t i = 0; ok && i < jobs.size(); ++i)
        ok = writeJob(jobs[i], lastIds, keysInBatch, results[i]);

    if (ok) {
        QSqlQuery &update = m_statements->updateLastId;
        for (auto it = lastIds.cbegin(); ok && it != lastIds.cend(); ++it) {
            if (m_lastIds.value(it.key(), -1) == it.value())
                continue;
            update.bindValue(0, it.value());
            update.bindValue(1, it.key());
            ok = exec(update);
        }
    }
    if (ok) {
        ok = m_database.commit();
        if (!ok)
            m_batchError = m_database.lastError().text();
    }
    if (!ok) {
        // SQLite has often rolled back already (a full disk or an I/O error does that);
        // then this fails harmlessly, and otherwise it ends the transaction, so that
        // the next batch can begin one.
        m_database.rollback();
        noteFailedCommit(jobs.size());
        // Fresh results, all Failed: `results` holds ids and Stored for jobs written
        // into the transaction that did not commit, and none of those may be answered.
        return std::vector<Result>(jobs.size());
    }
    noteCommit();
    noteRoomsAfterCommit(jobs, results);

    quint64 stored = 0;
    for (const Result &result : results)
        stored += result.appended.kind == AppendOutcome::Kind::Stored ? 1 : 0;
    m_lastIds = std::move(lastIds);
    m_nextSearchRowid = m_batchSearchRowid;
    ++m_commits;
    m_messagesCommitted += stored;
    if (m_batchDeletes) {
        m_deletionsNotOptimized = true;
        if (!m_optimizeTimer->isActive()) {
            const qint64 since = m_sinceOptimized.isValid() ? m_sinceOptimized.elapsed() : m_optimizeIntervalMs;
            m_optimizeTimer->start(int(std::max<qint64>(0, m_optimizeIntervalMs - since)));
        }
    }
    return results;
}

bool SqliteWriter::writeJob(const Job &job, QHash<QString, MessageId> &lastIds,
                            QHash<QString, Message> &keysInBatch, Result &result)
{
    const QString &room = job.room.value();
    if (job.kind == Job::Kind::Change)
        return writeChange(job, lastIds, result.changed);
    if (job.kind == Job::Kind::CreateRoom) {
        if (lastIds.contains(room)) {
            result.room = RoomOutcome::Existed;
            return true;
        }
        if (!insertRoom(job.room))
            return failsOnlyThisRoom(job.room); // result.room stays Failed
        lastIds.insert(room, 0);
        result.room = RoomOutcome::Created;
        return true;
    }

    AppendOutcome &outcome = result.appended;
    if (!job.idempotencyKey.isEmpty()) {
        const QString batchKey = keyInBatch(job.room, job.idempotencyKey);
        if (auto it = keysInBatch.constFind(batchKey); it != keysInBatch.cend()) {
            outcome = outcomeOfKnownKey(*it, job.draft);
            return true;
        }
        bool ok = false;
        if (auto original = findByKey(job.room, job.idempotencyKey, &ok)) {
            outcome = outcomeOfKnownKey(*original, job.draft);
            return true;
        }
        if (!ok)
            return false;
    }

    if (job.draft.replyTo > 0) {
        bool ok = false;
        if (!isRepliable(job.room, job.draft.replyTo, &ok)) {
            outcome.kind = AppendOutcome::Kind::ReplyTargetInvalid;
            return ok;
        }
    }
    if (!lastIds.contains(room)) {
        if (!insertRoom(job.room)) {
            outcome.kind = AppendOutcome::Kind::RoomInconsistent;
            return failsOnlyThisRoom(job.room);
        }
        lastIds.insert(room, 0);
        outcome.roomCreated = true;
    }
    Message &message = outcome.message;
    message.id = lastIds.value(room) + 1;
    message.room = room;
    message.author = job.draft.author;
    message.text = job.draft.text;
    message.timestamp = QDateTime::currentDateTimeUtc();
    message.replyTo = job.draft.replyTo;

    QSqlQuery &insert = m_statements->insertMessage;
    insert.bindValue(0, room);
    insert.bindValue(1, message.id);
    insert.bindValue(2, message.author);
    insert.bindValue(3, message.text);
    insert.bindValue(4, message.timestamp.toMSecsSinceEpoch());
    insert.bindValue(5, m_batchSearchRowid);
    insert.bindValue(6, message.replyTo > 0 ? QVariant(message.replyTo) : QVariant(QMetaType::fromType<qint64>()));
    insert.bindValue(7, job.draft.authorSecretHash.isEmpty() ? QVariant(QMetaType::fromType<QByteArray>())
                                                             : QVariant(job.draft.authorSecretHash));
    if (!exec(insert)) {
        outcome.kind = AppendOutcome::Kind::RoomInconsistent;
        return failsOnlyThisRoom(job.room);
    }
    QSqlQuery &index = m_statements->indexMessage;
    index.bindValue(0, m_batchSearchRowid);
    index.bindValue(1, message.text);
    if (!exec(index))
        return false;
    ++m_batchSearchRowid;
    if (!job.idempotencyKey.isEmpty()) {
        QSqlQuery &remember = m_statements->rememberKey;
        remember.bindValue(0, room);
        remember.bindValue(1, QString::fromLatin1(job.idempotencyKey));
        remember.bindValue(2, message.id);
        remember.bindValue(3, QDateTime::currentMSecsSinceEpoch());
        if (!exec(remember))
            return false;
    }
    message.serialise();
    lastIds[room] = message.id;
    outcome.kind = AppendOutcome::Kind::Stored;
    if (!job.idempotencyKey.isEmpty())
        keysInBatch.insert(keyInBatch(job.room, job.idempotencyKey), message);
    return true;
}

std::optional<Message> SqliteWriter::findByKey(const RoomName &room, const QByteArray &key, bool *ok)
{
    QSqlQuery &query = m_statements->findKey;
    query.bindValue(0, room.value());
    query.bindValue(1, QString::fromLatin1(key));
    *ok = exec(query);
    std::optional<Message> found;
    if (*ok && query.next())
        found = messageFromRow(query, room.value());
    // A SELECT left open would keep its read snapshot past this transaction.
    query.finish();
    return found;
}

bool SqliteWriter::isRepliable(const RoomName &room, MessageId id, bool *ok)
{
    QSqlQuery query(m_database);
    query.prepare(QStringLiteral("SELECT kind FROM messages WHERE room = ? AND id = ?"));
    query.addBindValue(room.value());
    query.addBindValue(id);
    *ok = exec(query);
    const bool repliable = *ok && query.next() && query.value(0).toInt() == int(EntryType::Message);
    query.finish();
    return repliable;
}

std::optional<SqliteWriter::StoredMessage> SqliteWriter::loadMessage(const RoomName &room, MessageId id, bool *ok)
{
    QSqlQuery query(m_database);
    query.prepare(QStringLiteral("SELECT %1, author_secret, search_rowid FROM messages WHERE room = ? AND id = ?")
                      .arg(messageColumns()));
    query.addBindValue(room.value());
    query.addBindValue(id);
    *ok = exec(query);
    std::optional<StoredMessage> found;
    if (*ok && query.next()) {
        found = StoredMessage{messageFromRow(query, room.value()), query.value(10).toByteArray(), std::nullopt};
        if (!query.value(11).isNull())
            found->searchRowid = query.value(11).toLongLong();
    }
    query.finish();
    return found;
}

bool SqliteWriter::writeChange(const Job &job, QHash<QString, MessageId> &lastIds, ChangeOutcome &outcome)
{
    using Kind = ChangeOutcome::Kind;
    const EntryChange &change = job.change;
    bool ok = false;
    std::optional<StoredMessage> stored = loadMessage(job.room, change.target, &ok);
    if (!ok)
        return false;
    if (!stored) {
        outcome.kind = Kind::NotFound;
        return true;
    }
    Message &message = stored->message;
    if (!message.isMessage()) {
        outcome.kind = Kind::NotAMessage;
        return true;
    }
    const bool byAuthor = change.kind == EntryChange::Kind::Edit || change.kind == EntryChange::Kind::Delete;
    if (byAuthor && (stored->authorSecretHash.isEmpty() || stored->authorSecretHash != change.authorSecretHash)) {
        outcome.kind = Kind::NotYours;
        return true;
    }
    if (message.deleted && change.kind != EntryChange::Kind::Delete) {
        outcome.kind = Kind::MessageDeleted;
        return true;
    }
    bool changes = false;
    const MessageId entryId = lastIds.value(job.room.value()) + 1;
    if (!applyChange(change, entryId, *stored, &changes))
        return false;
    if (changes) {
        Message &entry = outcome.entry;
        entry.id = entryId;
        entry.room = job.room.value();
        entry.target = message.id;
        entry.timestamp = QDateTime::currentDateTimeUtc();
        switch (change.kind) {
        case EntryChange::Kind::Edit:
            entry.type = EntryType::Edit;
            entry.author = message.author;
            entry.text = change.text;
            break;
        case EntryChange::Kind::Delete:
            entry.type = EntryType::Deletion;
            entry.author = message.author;
            break;
        case EntryChange::Kind::React:
        case EntryChange::Kind::Unreact:
            const bool added = change.kind == EntryChange::Kind::React;
            entry.type = added ? EntryType::Reaction : EntryType::ReactionRemoved;
            entry.author = change.author;
            entry.emoji = change.emoji;
            entry.text = added ? change.emoji : QString();
            break;
        }
        if (!insertEntry(entry))
            return false;
        entry.serialise();
        lastIds[job.room.value()] = entry.id;
    }
    message.serialise();
    QList<Message> current{message};
    QSqlQuery reactions(m_database);
    if (!addReactions(reactions, job.room.value(), current)) {
        m_statementError = reactions.lastError();
        m_batchError = m_statementError.text();
        return false;
    }
    outcome.message = current.first();
    outcome.kind = changes ? Kind::Stored : Kind::Unchanged;
    return true;
}

// Writes what `change` does to the message and its reactions, if it does anything (it is
// idempotent: the same edit twice, or a second deletion, changes nothing), and updates
// `stored` to match. The entry that records it, `entryId`, is the caller's to write in
// this same transaction.
bool SqliteWriter::applyChange(const EntryChange &change, MessageId entryId, StoredMessage &stored, bool *changed)
{
    Message &message = stored.message;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QSqlQuery query(m_database);
    *changed = false;
    switch (change.kind) {
    case EntryChange::Kind::Edit:
        if (message.text == change.text)
            return true;
        query.prepare(QStringLiteral("UPDATE messages SET text = ?, edited_ms = ? WHERE room = ? AND id = ?"));
        query.addBindValue(change.text);
        query.addBindValue(now.toMSecsSinceEpoch());
        query.addBindValue(message.room);
        query.addBindValue(message.id);
        if (!exec(query) || !reindex(stored, change.text))
            return false;
        message.text = change.text;
        message.editedAt = now;
        break;
    case EntryChange::Kind::Delete:
        if (message.deleted)
            return true;
        // The text goes from the message, from every edit of it, and from the index.
        query.prepare(QStringLiteral("UPDATE messages SET text = '', deleted_ms = ? WHERE room = ? AND id = ?"));
        query.addBindValue(now.toMSecsSinceEpoch());
        query.addBindValue(message.room);
        query.addBindValue(message.id);
        if (!exec(query) || !reindex(stored, {}))
            return false;
        query.prepare(QStringLiteral("UPDATE messages SET text = '' WHERE room = ? AND target = ? AND kind = ?"));
        query.addBindValue(message.room);
        query.addBindValue(message.id);
        query.addBindValue(int(EntryType::Edit));
        if (!exec(query))
            return false;
        message.text.clear();
        message.deleted = true;
        m_batchDeletes = true;
        break;
    case EntryChange::Kind::React:
        query.prepare(QStringLiteral("INSERT OR IGNORE INTO reactions (room, message_id, emoji, name, entry_id)"
                                     " VALUES (?, ?, ?, ?, ?)"));
        query.addBindValue(message.room);
        query.addBindValue(message.id);
        query.addBindValue(change.emoji);
        query.addBindValue(change.author);
        query.addBindValue(entryId);
        if (!exec(query))
            return false;
        break;
    case EntryChange::Kind::Unreact:
        query.prepare(QStringLiteral("DELETE FROM reactions WHERE room = ? AND message_id = ? AND emoji = ? AND name = ?"));
        query.addBindValue(message.room);
        query.addBindValue(message.id);
        query.addBindValue(change.emoji);
        query.addBindValue(change.author);
        if (!exec(query))
            return false;
        break;
    }
    *changed = change.kind == EntryChange::Kind::Edit || change.kind == EntryChange::Kind::Delete
        || query.numRowsAffected() > 0;
    return true;
}

bool SqliteWriter::insertEntry(Message &entry)
{
    QSqlQuery insert(m_database);
    insert.prepare(QStringLiteral("INSERT INTO messages (room, id, kind, target, author, text, emoji, ts_ms)"
                                  " VALUES (?, ?, ?, ?, ?, coalesce(?, ''), ?, ?)"));
    insert.addBindValue(entry.room);
    insert.addBindValue(entry.id);
    insert.addBindValue(int(entry.type));
    insert.addBindValue(entry.target);
    insert.addBindValue(entry.author);
    insert.addBindValue(entry.text);
    insert.addBindValue(entry.emoji.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(entry.emoji));
    insert.addBindValue(entry.timestamp.toMSecsSinceEpoch());
    return exec(insert);
}

// A contentless index is told the words it forgets by giving it the old text back.
bool SqliteWriter::reindex(const StoredMessage &stored, const QString &newText)
{
    if (!stored.searchRowid)
        return true;
    QSqlQuery query(m_database);
    query.prepare(QStringLiteral("INSERT INTO message_search (message_search, rowid, text) VALUES ('delete', ?, ?)"));
    query.addBindValue(*stored.searchRowid);
    query.addBindValue(stored.message.text);
    if (!exec(query))
        return false;
    if (newText.isEmpty())
        return true;
    QSqlQuery &index = m_statements->indexMessage;
    index.bindValue(0, *stored.searchRowid);
    index.bindValue(1, newText);
    return exec(index);
}

void SqliteWriter::optimizeSearchIndex()
{
    m_sinceOptimized.start();
    QSqlQuery optimize(m_database);
    const bool ok = optimize.exec(QStringLiteral("INSERT INTO message_search (message_search) VALUES ('optimize')"));
    m_optimizeIntervalMs = std::max(minOptimizeIntervalMs, optimizeCostShare * m_sinceOptimized.elapsed());
    if (!ok) {
        qWarning("chatapp: rebuilding the search index after deletions failed (the deleted words stay in it "
                 "until the next try): %s", qPrintable(optimize.lastError().text()));
        if (m_optimizeTimer)
            m_optimizeTimer->start(int(m_optimizeIntervalMs));
        return;
    }
    m_deletionsNotOptimized = false;
}

bool SqliteWriter::insertRoom(const RoomName &room)
{
    QSqlQuery insert(m_database);
    insert.prepare(QStringLiteral("INSERT INTO rooms (name, last_id, created_ms) VALUES (?, 0, ?)"));
    insert.addBindValue(room.value());
    insert.addBindValue(QDateTime::currentMSecsSinceEpoch());
    return exec(insert);
}

bool SqliteWriter::exec(QSqlQuery &query)
{
    if (query.exec())
        return true;
    m_statementError = query.lastError();
    m_batchError = m_statementError.text();
    return false;
}

// A row that is already there, where this writer's count of the room says none can be:
// the room's rows were changed behind its back. Only the failed statement was undone,
// so the batch goes on without this job, and the other rooms in it are stored.
bool SqliteWriter::failsOnlyThisRoom(const RoomName &room)
{
    if (!isConstraintViolation(m_statementError))
        return false;
    m_roomsOutOfStepInBatch.insert(room.value(), m_batchError);
    m_batchError.clear();
    return true;
}

// A room is out of step from its first collision until an append to it is stored.
void SqliteWriter::noteRoomsAfterCommit(const std::vector<Job> &jobs, const std::vector<Result> &results)
{
    if (m_roomsOutOfStepInBatch.isEmpty() && m_roomsOutOfStep.isEmpty())
        return;
    QMutexLocker lock(&m_healthMutex);
    for (size_t i = 0; i < jobs.size(); ++i) {
        if (results[i].appended.kind == AppendOutcome::Kind::Stored)
            m_roomsOutOfStep.remove(jobs[i].room.value());
    }
    for (auto it = m_roomsOutOfStepInBatch.cbegin(); it != m_roomsOutOfStepInBatch.cend(); ++it) {
        if (m_roomsOutOfStep.contains(it.key()))
            continue;
        m_roomsOutOfStep.insert(it.key(), it.value());
        qWarning("chatapp: room '%s' cannot take messages: its next id is already stored (%s), so "
                 "the database was changed outside ChatApp; its sends fail until a restart repairs "
                 "its counter", qPrintable(it.key()), qPrintable(it.value()));
    }
}

// On a full disk every commit fails until space returns, and each would log a line:
// one per refused send, written to a log that may live on that same disk. So the first
// failure of a run is logged with its cause, then at most one line a minute, and the
// end of the run when a commit succeeds again, with what the run refused.
void SqliteWriter::noteFailedCommit(size_t writes)
{
    setWriteProblem(m_batchError);
    ++m_failedCommitsInARow;
    m_refusedWritesInARow += writes;
    if (m_failedCommitsInARow == 1 || m_sinceFailureLogged.elapsed() >= failureLogIntervalMs) {
        qWarning("chatapp: a commit of %zu writes failed, none of them was stored"
                 " (%llu failed commits in a row, %llu writes refused): %s",
                 writes, m_failedCommitsInARow, m_refusedWritesInARow, qPrintable(m_batchError));
        m_sinceFailureLogged.start();
    }
}

void SqliteWriter::noteCommit()
{
    m_sinceLastCommit.restart();
    if (m_writesFailing) {
        QMutexLocker lock(&m_healthMutex);
        m_writeProblem.clear();
        m_writesFailing = false;
    }
    if (m_failedCommitsInARow == 0)
        return;
    qWarning("chatapp: commits succeed again, after %llu failed commits refused %llu writes",
             m_failedCommitsInARow, m_refusedWritesInARow);
    m_failedCommitsInARow = 0;
    m_refusedWritesInARow = 0;
}

void SqliteWriter::setWriteProblem(const QString &problem)
{
    QMutexLocker lock(&m_healthMutex);
    if (!m_writesFailing)
        m_writesFailingSince = QDateTime::currentDateTimeUtc();
    m_writesFailing = true;
    m_writeProblem = QStringLiteral("commits fail since %1: %2")
                         .arg(m_writesFailingSince.toString(Qt::ISODate), problem);
}

// The smallest write that goes through the whole commit path (WAL append and fsync): it
// rewrites the application id in the header. Not logged: the commits that fail are.
void SqliteWriter::probeWrites()
{
    if (!m_writesFailing && m_sinceLastCommit.elapsed() < idleProbeAfterMs)
        return;
    if (!m_statements) {
        setWriteProblem(QStringLiteral("the writer has no open database"));
        return;
    }
    QSqlQuery stamp(m_database);
    const bool ok = m_database.transaction()
                 && stamp.exec(QStringLiteral("PRAGMA application_id = %1").arg(chatAppApplicationId))
                 && m_database.commit();
    if (ok) {
        noteCommit();
        return;
    }
    const QString error = stamp.lastError().isValid() ? stamp.lastError().text()
                                                      : m_database.lastError().text();
    m_database.rollback();
    setWriteProblem(error);
}

void SqliteWriter::purgeOldKeys()
{
    m_sinceLastPurge.restart();
    QSqlQuery purge(m_database);
    purge.prepare(QStringLiteral("DELETE FROM idempotency_keys WHERE created_ms < ?"));
    purge.addBindValue(QDateTime::currentMSecsSinceEpoch() - keyLifetimeMs);
    if (!purge.exec())
        qWarning("chatapp: purging old idempotency keys failed: %s",
                 qPrintable(purge.lastError().text()));
}

