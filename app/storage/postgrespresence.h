#pragma once

#include "postgresaddress.h"
#include "presencerows.h"

#include <QObject>
#include <QPointer>
#include <QSet>
#include <QSqlDatabase>
#include <QTimer>
#include <functional>
#include <memory>

// This node's side of the presence tables (UNLOGGED: who is online is not worth a WAL
// flush, and a crash of PostgreSQL forgets it as it should): on a thread and connection
// of its own, with synchronous_commit off, it writes this node's rows, beats the node's
// heartbeat, reads the other live nodes' rows changed since the last read, and, on the
// one node holding an advisory lock, purges what dead nodes left behind.
class PostgresPresence : public QObject
{
    Q_OBJECT

public:
    static constexpr int readIntervalMs = 1000;
    static constexpr int heartbeatIntervalMs = 3000;
    // A node silent this long is dead to the others: its names drop out of their lists.
    static constexpr int silentNodeMs = 15 * 1000;
    static constexpr int purgeIntervalMs = 30 * 1000;

    PostgresPresence(PostgresAddress address, QString node);
    ~PostgresPresence() override;

    // Where reads and losses are told, on `context`'s thread. `lost`: rows written before
    // may be gone (the connection or this node's row was lost), so all must be written again.
    void setListener(QObject *context, std::function<void(const PresenceSnapshot &)> read,
                     std::function<void()> lost);

    // On its thread. open() registers the node and starts the timers.
    void open();
    QString openError() const { return m_openError; }
    // A clean stop: the node's rows go at once, rather than when the others notice its silence.
    void close();
    void write(const QList<PresenceRow> &rows);

private:
    struct Statements;
    bool connected();
    void disconnectAfter(const QString &what);
    void beat();
    void readOthers();
    void purge();

    const PostgresAddress m_address;
    const QString m_node;
    const QString m_connectionName;
    QString m_openError;
    QSqlDatabase m_database;
    std::unique_ptr<Statements> m_statements;
    std::unique_ptr<QTimer> m_readTimer;
    std::unique_ptr<QTimer> m_beatTimer;
    std::unique_ptr<QTimer> m_purgeTimer;
    QPointer<QObject> m_context;
    std::function<void(const PresenceSnapshot &)> m_onRead;
    std::function<void()> m_onLost;
    QSet<QString> m_liveNodes; // as of the last read: a node new since has all its rows read
    qint64 m_readSinceUs = 0;  // the store's clock; 0: read everything
    bool m_purger = false;     // this connection holds the purge lock
};
