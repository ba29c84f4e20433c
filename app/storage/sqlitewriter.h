#pragma once

#include "storage.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QPointer>
#include <QSqlDatabase>
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
        enum class Kind { Append, CreateRoom };
        Kind kind;
        RoomName room;
        MessageDraft draft;
        QByteArray idempotencyKey;
        QPointer<QObject> context;
        std::function<void(const AppendOutcome &)> onAppended;
        std::function<void(RoomOutcome)> onRoom;
    };

    SqliteWriter(QString databasePath, QHash<QString, MessageId> lastIds);
    ~SqliteWriter() override;

    // Thread-safe.
    void submit(Job job);
    CommitStats stats() const;

    // On the writer's thread.
    void open();
    void close();
    void flush();

private:
    struct Result
    {
        AppendOutcome appended;
        RoomOutcome room = RoomOutcome::Failed;
    };

    std::vector<Result> writeBatch(const std::vector<Job> &jobs);
    bool exec(QSqlQuery &query);
    void noteFailedCommit(size_t writes);
    void noteCommit();
    bool writeJob(const Job &job, QHash<QString, MessageId> &lastIds,
                  QHash<QString, Message> &keysInBatch, Result &result);
    std::optional<Message> findByKey(const RoomName &room, const QByteArray &key, bool *ok);
    bool insertRoom(const RoomName &room);
    void purgeOldKeys();
    static void deliver(std::vector<Job> &jobs, const std::vector<Result> &results);

    const QString m_databasePath;
    const QString m_connectionName;
    QSqlDatabase m_database;
    // Prepared once per connection: preparing a statement per message showed up as
    // SQLite's parser in the profile of the send path.
    struct Statements;
    std::unique_ptr<Statements> m_statements;
    QHash<QString, MessageId> m_lastIds;
    QElapsedTimer m_sinceLastPurge;

    // Why the batch being written failed: the statement that failed, not whatever the
    // connection saw last.
    QString m_batchError;
    // A full disk fails every commit until space returns; these turn a line per failed
    // commit into a few per run of failures (see noteFailedCommit).
    quint64 m_failedCommitsInARow = 0;
    quint64 m_refusedWritesInARow = 0;
    QElapsedTimer m_sinceFailureLogged;

    QMutex m_queueMutex;
    std::vector<Job> m_queue;
    bool m_flushScheduled = false;

    std::atomic<quint64> m_commits{0};
    std::atomic<quint64> m_messagesCommitted{0};
    std::atomic<quint64> m_commitNanoseconds{0};
};
