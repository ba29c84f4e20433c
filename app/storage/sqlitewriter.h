#pragma once

#include "storage.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QMap>
#include <QMutex>
#include <QPointer>
#include <QSqlDatabase>
#include <QSqlError>
#include <QTimer>
#include <atomic>
#include <memory>
#include <vector>

// Owns the one connection that writes, on a thread of its own. Jobs submitted from any
// thread queue up while a commit is running; the next flush writes all of them in one
// transaction (group commit), so a burst of N sends costs one fsync, not N.
class SqliteWriter : public QObject
{
    Q_OBJECT

public:
    struct Job
    {
        enum class Kind { Append, CreateRoom, Change };
        Kind kind;
        RoomName room;
        MessageDraft draft;
        QByteArray idempotencyKey;
        QPointer<QObject> context;
        std::function<void(const AppendOutcome &)> onAppended;
        std::function<void(RoomOutcome)> onRoom;
        EntryChange change = {};
        std::function<void(const ChangeOutcome &)> onChanged = {};
    };

    SqliteWriter(QString databasePath, QHash<QString, MessageId> lastIds);
    ~SqliteWriter() override;

    // Thread-safe.
    void submit(Job job);
    CommitStats stats() const;
    // Whether commits succeed, and which rooms refuse appends (writeProblem and
    // inconsistentRooms).
    StoreHealth health() const;

    // On the writer's thread.
    void open();
    // Why open() failed; empty when it did not. On any thread once open() has returned.
    QString openError() const { return m_openError; }
    void close();
    void flush();

private:
    struct Result
    {
        AppendOutcome appended;
        RoomOutcome room = RoomOutcome::Failed;
        ChangeOutcome changed;
    };
    // A message's row as a change needs it.
    struct StoredMessage
    {
        Message message;
        QByteArray authorSecretHash;
        std::optional<qint64> searchRowid;
    };

    std::vector<Result> writeBatch(const std::vector<Job> &jobs);
    bool exec(QSqlQuery &query);
    void noteFailedCommit(size_t writes);
    void noteCommit();
    bool writeJob(const Job &job, QHash<QString, MessageId> &lastIds,
                  QHash<QString, Message> &keysInBatch, Result &result);
    std::optional<Message> findByKey(const RoomName &room, const QByteArray &key, bool *ok);
    bool isRepliable(const RoomName &room, MessageId id, bool *ok);
    bool writeChange(const Job &job, QHash<QString, MessageId> &lastIds, ChangeOutcome &outcome);
    std::optional<StoredMessage> loadMessage(const RoomName &room, MessageId id, bool *ok);
    bool applyChange(const EntryChange &change, MessageId entryId, StoredMessage &stored, bool *changed);
    bool insertEntry(Message &entry);
    bool reindex(const StoredMessage &stored, const QString &newText);
    void optimizeSearchIndex();
    bool insertRoom(const RoomName &room);
    bool failsOnlyThisRoom(const RoomName &room);
    void noteRoomsAfterCommit(const std::vector<Job> &jobs, const std::vector<Result> &results);
    void probeWrites();
    void setWriteProblem(const QString &problem);
    void purgeOldKeys();

    const QString m_databasePath;
    const QString m_connectionName;
    QSqlDatabase m_database;
    // Prepared once per connection: preparing a statement per message showed up as
    // SQLite's parser in the profile of the send path.
    struct Statements;
    std::unique_ptr<Statements> m_statements;
    QHash<QString, MessageId> m_lastIds;
    // The search_rowid of the next message stored (committed), and of the batch's next.
    qint64 m_nextSearchRowid = 1;
    qint64 m_batchSearchRowid = 1;
    // A deleted message's words stay in the search index's older segments until they are
    // merged: the index is rebuilt (optimized) after deletions, at most this often, so
    // that the words leave the file soon without a deletion flood rebuilding it each time.
    bool m_batchDeletes = false;
    bool m_deletionsNotOptimized = false;
    QElapsedTimer m_sinceOptimized;
    qint64 m_optimizeIntervalMs = 10 * 1000;
    std::unique_ptr<QTimer> m_optimizeTimer;
    QElapsedTimer m_sinceLastPurge;
    QString m_openError;

    // Why the batch being written failed: the statement that failed, not whatever the
    // connection saw last.
    QString m_batchError;
    QSqlError m_statementError;
    // A full disk fails every commit until space returns; these turn a line per failed
    // commit into a few per run of failures (see noteFailedCommit).
    quint64 m_failedCommitsInARow = 0;
    quint64 m_refusedWritesInARow = 0;
    QElapsedTimer m_sinceFailureLogged;

    // Commits alone cannot tell /healthz when the disk filled while nobody sent, nor
    // when it has space again if clients stopped sending because /healthz said it had
    // none: so a small write now and then (probeWrites), never one per health check.
    std::unique_ptr<QTimer> m_probeTimer;
    QElapsedTimer m_sinceLastCommit;
    bool m_writesFailing = false;
    // Rooms whose stored messages collided with the next id in this batch, and why.
    QHash<QString, QString> m_roomsOutOfStepInBatch;

    mutable QMutex m_healthMutex;
    QString m_writeProblem;
    QDateTime m_writesFailingSince;
    QMap<QString, QString> m_roomsOutOfStep;

    QMutex m_queueMutex;
    std::vector<Job> m_queue;
    bool m_flushScheduled = false;

    std::atomic<quint64> m_commits{0};
    std::atomic<quint64> m_messagesCommitted{0};
    std::atomic<quint64> m_commitNanoseconds{0};
};
