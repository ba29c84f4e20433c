#pragma once

#include "postgresaddress.h"
#include "postgresbatch.h"
#include "storage.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QPointer>
#include <QSet>
#include <QSqlDatabase>
#include <QTimer>
#include <atomic>
#include <memory>
#include <vector>

// The one connection that writes messages, on a thread of its own, with group commit as
// SqliteWriter has; but other nodes may write the same rooms, so nothing about a room is
// taken from memory. Per batch, a fixed number of statements whatever its size
// (docs/postgres-status.md, /work/shared/design/scaleout.md §2): lock the batch's rooms in
// name order and read their counters under the lock, look up its idempotency keys and
// the messages its changes and replies name, then write every row of a kind in one
// statement over json_to_recordset. QPSQL sends each statement as one round trip, so a
// statement per message would cost a round trip per message.
class PostgresWriter : public QObject
{
    Q_OBJECT

public:
    using Job = PostgresJob;

    PostgresWriter(PostgresAddress address, const QList<RoomRecord> &rooms);
    ~PostgresWriter() override;

    // Thread-safe.
    void submit(Job job);
    // Before open(): told the heads of the rooms each commit moved, after its answers.
    void setCommitted(std::function<void(const QHash<QString, MessageId> &)> committed)
    {
        m_committed = std::move(committed);
    }
    CommitStats stats() const;
    StoreHealth health() const;

    // On the writer's thread.
    void open();
    QString openError() const { return m_openError; }
    void close();
    void flush();

private:
    using Result = PostgresJobResult;
    struct Statements;

    bool connect(QString *error);
    std::vector<Result> writeBatch(const std::vector<Job> &jobs);
    bool writeInTransaction(const std::vector<Job> &jobs, std::vector<Result> &results);
    bool exec(QSqlQuery &query, const QString &json = {});
    void failed(size_t writes);
    void probeWrites();
    void setWriteProblem(const QString &problem);
    void purgeOldKeys();

    const PostgresAddress m_address;
    const QString m_connectionName;
    QSqlDatabase m_database;
    std::unique_ptr<Statements> m_statements;
    // Rooms this node has seen in the database: the others are inserted (ON CONFLICT DO
    // NOTHING) by the batch that first names them. Never their counters: other nodes move those.
    QSet<QString> m_knownRooms;
    QString m_openError;
    QString m_batchError;
    quint64 m_batchStored = 0; // messages the batch stores, counted once it commits
    QSet<QString> m_batchRooms; // rooms the batch found, known once it commits
    QHash<QString, MessageId> m_batchHeads; // told once it commits
    std::function<void(const QHash<QString, MessageId> &)> m_committed;
    quint64 m_failedCommitsInARow = 0;
    std::unique_ptr<QTimer> m_probeTimer;
    QElapsedTimer m_sinceLastPurge;

    mutable QMutex m_healthMutex;
    QString m_writeProblem;

    QMutex m_queueMutex;
    std::vector<Job> m_queue;
    bool m_flushScheduled = false;

    std::atomic<quint64> m_commits{0};
    std::atomic<quint64> m_messagesCommitted{0};
    std::atomic<quint64> m_commitNanoseconds{0};
};
