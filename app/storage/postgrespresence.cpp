#include "postgrespresence.h"

#include "postgresconnection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace {
// Reads overlap by this much, so that a row whose write took its time stamp before a read
// began but committed after it is still read next time (a row read twice changes nothing).
constexpr qint64 readOverlapUs = 5 * 1000 * 1000;
// Any number will do as long as no other program on the cluster uses it (the migrations' is 0x43684170).
constexpr qint64 purgeLockKey = 0x43684171;

QString toJson(const QJsonArray &array)
{
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QString toJson(const QSet<QString> &strings)
{
    QJsonArray array;
    for (const QString &string : strings)
        array.append(string);
    return toJson(array);
}
} // namespace

// Prepared once per connection: preparing is a round trip of its own.
struct PostgresPresence::Statements
{
    explicit Statements(const QSqlDatabase &database)
        : upsertRows(database), beat(database), liveNodes(database), changedRows(database), takePurgeLock(database),
          purgeNodes(database), purgeRows(database)
    {
        const QString silent = QStringLiteral("interval '%1 milliseconds'").arg(silentNodeMs);
        prepared =
            upsertRows.prepare(QStringLiteral(
                "INSERT INTO presence (node, room, name, last_seen, open_streams, typing_until, changed)"
                " SELECT ?, r.room, r.name,"
                "  CASE WHEN r.seen_ago_ms >= 0 THEN clock_timestamp() - r.seen_ago_ms * interval '1 millisecond' END,"
                "  r.open_streams,"
                "  CASE WHEN r.typing_ms > 0 THEN clock_timestamp() + r.typing_ms * interval '1 millisecond' END,"
                "  clock_timestamp()"
                " FROM json_to_recordset(?::json)"
                "  AS r(room text, name text, seen_ago_ms bigint, open_streams integer, typing_ms bigint)"
                " ON CONFLICT (node, room, name) DO UPDATE SET last_seen = excluded.last_seen,"
                "  open_streams = excluded.open_streams, typing_until = excluded.typing_until,"
                "  changed = excluded.changed"))
            // xmax = 0 on a row just inserted: the node's row was gone (purged while this
            // node was frozen), and its presence rows with it.
            && beat.prepare(QStringLiteral(
                "INSERT INTO nodes (node, heartbeat) VALUES (?, clock_timestamp())"
                " ON CONFLICT (node) DO UPDATE SET heartbeat = excluded.heartbeat RETURNING xmax = 0"))
            && liveNodes.prepare(QStringLiteral(
                "SELECT floor(extract(epoch FROM clock_timestamp()) * 1000000)::bigint,"
                " coalesce(json_agg(node), '[]'::json) FROM nodes"
                " WHERE node <> ? AND heartbeat > clock_timestamp() - %1").arg(silent))
            && changedRows.prepare(QStringLiteral(
                "SELECT p.node, p.room, p.name,"
                " CASE WHEN p.last_seen IS NULL THEN -1"
                "  ELSE greatest(0, floor(extract(epoch FROM t.now - p.last_seen) * 1000)) END::bigint,"
                " p.open_streams,"
                " CASE WHEN p.typing_until > t.now THEN ceil(extract(epoch FROM p.typing_until - t.now) * 1000)"
                "  ELSE 0 END::bigint,"
                " floor(extract(epoch FROM p.changed) * 1000000)::bigint,"
                " greatest(0, floor(extract(epoch FROM t.now - p.changed) * 1000))::bigint"
                " FROM presence p, (SELECT clock_timestamp() AS now) t"
                " WHERE p.node IN (SELECT json_array_elements_text(?::json))"
                " AND (p.changed > to_timestamp(?::double precision / 1000000)"
                "  OR p.node IN (SELECT json_array_elements_text(?::json)))"))
            && takePurgeLock.prepare(QStringLiteral("SELECT pg_try_advisory_lock(%1)").arg(purgeLockKey))
            && purgeNodes.prepare(QStringLiteral(
                "DELETE FROM nodes WHERE heartbeat < clock_timestamp() - 4 * %1").arg(silent))
            // Rows of nodes gone, and rows nobody reads as online any more (changed, and so
            // seen, long before the online window, no stream open, not typing).
            && purgeRows.prepare(QStringLiteral(
                "DELETE FROM presence p WHERE NOT EXISTS (SELECT 1 FROM nodes n WHERE n.node = p.node)"
                " OR (p.open_streams = 0 AND p.changed < clock_timestamp() - interval '2 minutes'"
                "     AND (p.typing_until IS NULL OR p.typing_until < clock_timestamp()))"));
    }

    QSqlQuery upsertRows, beat, liveNodes, changedRows, takePurgeLock, purgeNodes, purgeRows;
    bool prepared = false;
};

PostgresPresence::PostgresPresence(PostgresAddress address, QString node)
    : m_address(std::move(address))
    , m_node(std::move(node))
    , m_connectionName(QStringLiteral("chatapp-postgres-presence"))
{
}

PostgresPresence::~PostgresPresence() = default;

void PostgresPresence::setListener(QObject *context, std::function<void(const PresenceSnapshot &)> read,
                                   std::function<void()> lost)
{
    m_context = context;
    m_onRead = std::move(read);
    m_onLost = std::move(lost);
}

void PostgresPresence::open()
{
    if (!connected()) {
        m_openError = QStringLiteral("presence: %1").arg(m_database.lastError().text());
        return;
    }
    beat();
    m_readTimer = std::make_unique<QTimer>();
    m_beatTimer = std::make_unique<QTimer>();
    m_purgeTimer = std::make_unique<QTimer>();
    connect(m_readTimer.get(), &QTimer::timeout, this, &PostgresPresence::readOthers);
    connect(m_beatTimer.get(), &QTimer::timeout, this, &PostgresPresence::beat);
    connect(m_purgeTimer.get(), &QTimer::timeout, this, &PostgresPresence::purge);
    m_readTimer->start(readIntervalMs);
    m_beatTimer->start(heartbeatIntervalMs);
    m_purgeTimer->start(purgeIntervalMs);
}

void PostgresPresence::close()
{
    m_readTimer.reset();
    m_beatTimer.reset();
    m_purgeTimer.reset();
    if (m_statements) {
        QSqlQuery query(m_database);
        query.prepare(QStringLiteral("DELETE FROM presence WHERE node = ?"));
        query.addBindValue(m_node);
        query.exec();
        query.prepare(QStringLiteral("DELETE FROM nodes WHERE node = ?"));
        query.addBindValue(m_node);
        query.exec();
    }
    m_statements.reset();
    m_database = QSqlDatabase();
    closePostgresConnection(m_connectionName);
}

// QPSQL never reconnects by itself: a lost connection is opened again by the next tick,
// and what this node had written is written again (the lost statement may not have run).
bool PostgresPresence::connected()
{
    if (m_statements && m_database.isOpen())
        return true;
    m_statements.reset();
    m_database = QSqlDatabase();
    closePostgresConnection(m_connectionName);
    QString error;
    m_database = openPostgresConnection(m_address, m_connectionName, &error);
    if (!m_database.isOpen())
        return false;
    QSqlQuery query(m_database);
    // Presence is redone every few seconds anyway: no write here waits for the disk.
    if (!query.exec(QStringLiteral("SET synchronous_commit = off")))
        return false;
    m_statements = std::make_unique<Statements>(m_database);
    if (!m_statements->prepared) {
        qWarning("chatapp: cannot prepare the presence statements: %s", qPrintable(m_database.lastError().text()));
        m_statements.reset();
        return false;
    }
    m_purger = false;
    m_liveNodes.clear();
    m_readSinceUs = 0;
    if (m_onLost && m_context)
        QMetaObject::invokeMethod(m_context.data(), m_onLost, Qt::QueuedConnection);
    return true;
}

void PostgresPresence::disconnectAfter(const QString &what)
{
    qWarning("chatapp: presence: %s failed: %s", qPrintable(what), qPrintable(m_database.lastError().text()));
    m_statements.reset(); // the next tick connects again
}

void PostgresPresence::write(const QList<PresenceRow> &rows)
{
    if (rows.isEmpty() || !connected())
        return;
    QJsonArray array;
    for (const PresenceRow &row : rows) {
        array.append(QJsonObject{{QStringLiteral("room"), row.room},
                                 {QStringLiteral("name"), row.name},
                                 {QStringLiteral("seen_ago_ms"), row.seenAgoMs},
                                 {QStringLiteral("open_streams"), row.openStreams},
                                 {QStringLiteral("typing_ms"), row.typingForMs}});
    }
    QSqlQuery &upsert = m_statements->upsertRows;
    upsert.addBindValue(m_node);
    upsert.addBindValue(toJson(array));
    if (!upsert.exec())
        disconnectAfter(QStringLiteral("writing %1 rows").arg(rows.size()));
}

void PostgresPresence::beat()
{
    if (!connected())
        return;
    QSqlQuery &beat = m_statements->beat;
    beat.addBindValue(m_node);
    if (!beat.exec() || !beat.next()) {
        disconnectAfter(QStringLiteral("the heartbeat"));
        return;
    }
    const bool inserted = beat.value(0).toBool();
    beat.finish();
    if (inserted && m_readTimer && m_onLost && m_context) // not the first beat: the row had been purged
        QMetaObject::invokeMethod(m_context.data(), m_onLost, Qt::QueuedConnection);
}

void PostgresPresence::readOthers()
{
    if (!connected())
        return;
    QSqlQuery &nodes = m_statements->liveNodes;
    nodes.addBindValue(m_node);
    if (!nodes.exec() || !nodes.next()) {
        disconnectAfter(QStringLiteral("reading the nodes"));
        return;
    }
    const qint64 startedUs = nodes.value(0).toLongLong();
    const QJsonArray liveArray = QJsonDocument::fromJson(nodes.value(1).toString().toUtf8()).array();
    nodes.finish();
    PresenceSnapshot snapshot;
    QSet<QString> live;
    for (const QJsonValue &node : liveArray) {
        snapshot.liveNodes.append(node.toString());
        live.insert(node.toString());
    }
    if (!live.isEmpty()) {
        QSqlQuery &rows = m_statements->changedRows;
        rows.addBindValue(toJson(live));
        rows.addBindValue(double(m_readSinceUs));
        rows.addBindValue(toJson(live - m_liveNodes)); // new since the last read: all their rows
        if (!rows.exec()) {
            disconnectAfter(QStringLiteral("reading the others' presence"));
            return;
        }
        while (rows.next()) {
            PresenceRow row;
            row.node = rows.value(0).toString();
            row.room = rows.value(1).toString();
            row.name = rows.value(2).toString();
            row.seenAgoMs = rows.value(3).toLongLong();
            row.openStreams = rows.value(4).toInt();
            row.typingForMs = rows.value(5).toLongLong();
            row.version = rows.value(6).toLongLong();
            row.writtenAgoMs = rows.value(7).toLongLong();
            snapshot.rows.append(row);
        }
        rows.finish();
    }
    m_liveNodes = live;
    m_readSinceUs = startedUs - readOverlapUs;
    if (m_onRead && m_context)
        QMetaObject::invokeMethod(m_context.data(), [read = m_onRead, snapshot] { read(snapshot); },
                                  Qt::QueuedConnection);
}

void PostgresPresence::purge()
{
    if (!connected())
        return;
    if (!m_purger) {
        // Held for the connection's life (a session lock): one purger at a time, and when
        // its node dies the lock goes with its connection, to whichever node asks next.
        QSqlQuery &lock = m_statements->takePurgeLock;
        if (!lock.exec() || !lock.next()) {
            disconnectAfter(QStringLiteral("taking the purge lock"));
            return;
        }
        m_purger = lock.value(0).toBool();
        lock.finish();
        if (!m_purger)
            return;
    }
    if (!m_statements->purgeNodes.exec() || !m_statements->purgeRows.exec())
        disconnectAfter(QStringLiteral("purging presence"));
}
