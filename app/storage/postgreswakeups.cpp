#include "postgreswakeups.h"

#include "postgresconnection.h"

#include <QCoreApplication>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>

namespace {
const QString channel = QStringLiteral("chatapp");
// PostgreSQL refuses payloads of 8,000 bytes and more: a commit that moved more rooms
// than fit is told in several notifications.
constexpr qsizetype maxPayloadBytes = 7900;
constexpr int checkIntervalMs = 1000;
constexpr int readIntervalMs = 2000;

QString randomNodeId()
{
    return QString::number(QRandomGenerator::system()->generate64(), 36);
}

// "node room:head,room:head": room names are [a-z0-9_-], so neither ' ', ':' nor ',' can
// be part of one.
QList<RoomRecord> headsOf(const QString &payload, const QString &ownNode)
{
    QList<RoomRecord> heads;
    const qsizetype space = payload.indexOf(u' ');
    if (space < 0 || QStringView(payload).left(space) == ownNode)
        return heads;
    const QStringList pairs = payload.mid(space + 1).split(u',', Qt::SkipEmptyParts);
    for (const QString &pair : pairs) {
        const qsizetype colon = pair.indexOf(u':');
        bool ok = false;
        const MessageId head = colon < 0 ? 0 : QStringView(pair).mid(colon + 1).toLongLong(&ok);
        const auto room = RoomName::parse(QStringView(pair).left(colon));
        if (room && ok && head >= 0)
            heads.append({*room, head});
    }
    return heads;
}
} // namespace

PostgresWakeups::PostgresWakeups(PostgresAddress address)
    : m_address(std::move(address))
    , m_nodeId(randomNodeId())
    , m_checkTimer(this) // children, so that they move to this object's thread with it
    , m_readTimer(this)
{
    m_checkTimer.setInterval(checkIntervalMs);
    m_readTimer.setInterval(readIntervalMs);
    connect(&m_checkTimer, &QTimer::timeout, this, &PostgresWakeups::checkConnection);
    connect(&m_readTimer, &QTimer::timeout, this, &PostgresWakeups::readHeads);
}

PostgresWakeups::~PostgresWakeups() = default;

QString PostgresWakeups::applicationName()
{
    return QStringLiteral("chatapp listener %1").arg(QCoreApplication::applicationPid());
}

void PostgresWakeups::open()
{
    // A node whose listener cannot connect yet still serves: the check retries.
    connectAndListen();
    m_checkTimer.start();
    m_readTimer.start();
}

void PostgresWakeups::close()
{
    m_checkTimer.stop();
    m_readTimer.stop();
    sendTold();
    dropConnection();
}

void PostgresWakeups::dropConnection()
{
    if (m_connectionName.isEmpty())
        return;
    m_notify.reset();
    m_database = QSqlDatabase();
    closePostgresConnection(m_connectionName);
    m_connectionName.clear();
}

bool PostgresWakeups::connectAndListen()
{
    dropConnection();
    // A new name each time, so a new driver: QPSQL keeps a driver's subscriptions and
    // signal connections across close() and open(), and connecting again delivered twice.
    m_connectionName = QStringLiteral("chatapp-postgres-wakeups-%1").arg(++m_generation);
    QString error;
    m_database = openPostgresConnection(m_address, m_connectionName, &error, applicationName());
    if (!m_database.isOpen()) {
        qWarning("chatapp: cannot listen for other nodes' messages: %s", qPrintable(error));
        return false;
    }
    QSqlQuery query(m_database);
    // A wake-up needs no durability: a lost one costs latency only.
    query.exec(QStringLiteral("SET synchronous_commit = off"));
    QSqlDriver *driver = m_database.driver();
    connect(driver, &QSqlDriver::notification, this, &PostgresWakeups::heard);
    if (!driver->subscribeToNotification(channel)) {
        qWarning("chatapp: cannot listen for other nodes' messages: %s",
                 qPrintable(driver->lastError().text()));
        return false;
    }
    m_notify = std::make_unique<QSqlQuery>(m_database);
    m_notify->prepare(QStringLiteral("SELECT pg_notify('chatapp', ?)"));
    // Whatever was notified while nobody listened.
    m_heads.clear();
    readHeads();
    return true;
}

void PostgresWakeups::checkConnection()
{
    // QPSQL does not report a listening connection that died (pg_terminate_backend, a
    // restart of PostgreSQL): only a statement tells.
    if (m_database.isOpen() && QSqlQuery(m_database).exec(QStringLiteral("SELECT 1")))
        return;
    qWarning("chatapp: the connection listening for other nodes' messages was lost; opening another");
    connectAndListen();
}

void PostgresWakeups::heard(const QString &name, QSqlDriver::NotificationSource, const QVariant &payload)
{
    if (name != channel)
        return;
    const QList<RoomRecord> heads = headsOf(payload.toString(), m_nodeId);
    if (!heads.isEmpty())
        report(heads);
}

void PostgresWakeups::readHeads()
{
    if (!m_database.isOpen())
        return;
    QSqlQuery query(m_database);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT name, last_id FROM rooms")))
        return; // checkConnection() will tell
    QList<RoomRecord> moved;
    while (query.next()) {
        const QString name = query.value(0).toString();
        const MessageId head = query.value(1).toLongLong();
        auto known = m_heads.find(name);
        if (known != m_heads.end() && *known == head)
            continue;
        if (const auto room = RoomName::parse(name)) {
            m_heads.insert(name, head);
            moved.append({*room, head});
        }
    }
    if (!moved.isEmpty())
        report(moved);
}

void PostgresWakeups::report(const QList<RoomRecord> &heads)
{
    HeadsMoved moved;
    {
        QMutexLocker lock(&m_mutex);
        moved = m_moved;
    }
    if (moved)
        moved(heads);
}

void PostgresWakeups::setHeadsMoved(HeadsMoved moved)
{
    {
        QMutexLocker lock(&m_mutex);
        m_moved = std::move(moved);
    }
    QMetaObject::invokeMethod(this, [this] {
        m_heads.clear();
        readHeads();
    }, Qt::QueuedConnection);
}

void PostgresWakeups::tell(const QHash<QString, MessageId> &heads)
{
    QMutexLocker lock(&m_mutex);
    for (auto head = heads.cbegin(); head != heads.cend(); ++head) {
        MessageId &told = m_told[head.key()];
        told = std::max(told, head.value());
    }
    // While a notification is on its way, the next commits' heads gather into one.
    if (!m_sendScheduled) {
        m_sendScheduled = true;
        QMetaObject::invokeMethod(this, &PostgresWakeups::sendTold, Qt::QueuedConnection);
    }
}

void PostgresWakeups::sendTold()
{
    QHash<QString, MessageId> told;
    {
        QMutexLocker lock(&m_mutex);
        told.swap(m_told);
        m_sendScheduled = false;
    }
    if (told.isEmpty() || !m_notify)
        return; // the others read heads every two seconds anyway
    QStringList payloads;
    QString payload = m_nodeId + u' ';
    const qsizetype emptyPayload = payload.size();
    for (auto head = told.cbegin(); head != told.cend(); ++head) {
        const QString pair = head.key() + u':' + QString::number(head.value());
        if (payload.size() + pair.size() + 1 > maxPayloadBytes) {
            payloads.append(payload);
            payload.truncate(emptyPayload);
        }
        if (payload.size() > emptyPayload)
            payload += u',';
        payload += pair;
    }
    payloads.append(payload);
    for (const QString &each : payloads) {
        m_notify->bindValue(0, each);
        if (!m_notify->exec())
            return; // checkConnection() will tell
    }
}
