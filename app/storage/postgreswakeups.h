#pragma once

#include "postgresaddress.h"
#include "storage.h"

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QTimer>
#include <QSqlQuery>
#include <functional>
#include <memory>

// How nodes on one PostgreSQL learn that the others stored something (design:
// /work/shared/design/scaleout.md §2, "Wake-ups"). After each commit this node NOTIFYs the
// heads of the rooms it moved; it LISTENs for the others'. Both on a connection of this
// thread's own, outside the writer's transaction: NOTIFY inside it takes a lock across the
// whole cluster until the commit is flushed, which cut one-message commits to a third.
// A notification can be lost (the listening connection dies, and QPSQL does not say so), so
// the connection is checked every second and every room's head is read again every two:
// a lost wake-up costs latency, never an entry, since the hub reads what it missed.
class PostgresWakeups : public QObject
{
    Q_OBJECT

public:
    using HeadsMoved = std::function<void(const QList<RoomRecord> &)>;

    explicit PostgresWakeups(PostgresAddress address);
    ~PostgresWakeups() override;

    // Thread-safe. Rooms this node's commit moved to these heads (a new room: 0).
    void tell(const QHash<QString, MessageId> &heads);
    // Thread-safe. Where heads other nodes moved go; called on this object's thread. Every
    // room's head is given once at the next read, so nothing before the call is missed.
    void setHeadsMoved(HeadsMoved moved);

    // On its thread.
    void open();
    void close();

    // What pg_stat_activity calls the listening connection (tests end it on purpose).
    static QString applicationName();

private:
    bool connectAndListen();
    void heard(const QString &channel, QSqlDriver::NotificationSource source, const QVariant &payload);
    void sendTold();
    void checkConnection();
    void readHeads();
    void report(const QList<RoomRecord> &heads);
    void dropConnection();

    const PostgresAddress m_address;
    const QString m_nodeId; // in every payload, so that a node skips its own
    QString m_connectionName;
    int m_generation = 0;
    QSqlDatabase m_database;
    std::unique_ptr<QSqlQuery> m_notify; // prepared once per connection: preparing is a round trip
    QTimer m_checkTimer;
    QTimer m_readTimer;
    // Heads as last given out by readHeads(), so that a read gives only what moved.
    QHash<QString, MessageId> m_heads;

    QMutex m_mutex;
    QHash<QString, MessageId> m_told; // waiting for sendTold()
    bool m_sendScheduled = false;
    HeadsMoved m_moved;
};
