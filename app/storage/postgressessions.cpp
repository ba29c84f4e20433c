#include "postgressessions.h"

#include "postgresconnection.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

namespace {
constexpr int pollIntervalMs = 1000;
constexpr qint64 revocationsKeptMs = 10 * 60 * 1000;
constexpr qint64 purgeIntervalMs = 60 * 1000;
// Revocations are kept 10 minutes: a node that could not read them for longer may have
// missed some, and asks about every token again (with a margin for clocks and purges).
constexpr qint64 lostTrackAfterMs = revocationsKeptMs / 2;
constexpr int revocationsPerRead = 10000;
} // namespace

PostgresSessions::PostgresSessions(PostgresAddress address)
    : m_address(std::move(address))
    , m_connectionName(QStringLiteral("chatapp-postgres-sessions"))
{
}

PostgresSessions::~PostgresSessions() = default;

void PostgresSessions::open()
{
    QString error;
    QSqlDatabase database = openPostgresConnection(m_address, m_connectionName, &error);
    if (!database.isOpen()) {
        m_openError = QStringLiteral("the sessions: %1").arg(error);
        return;
    }
    QSqlQuery query(database);
    if (!query.exec(QStringLiteral("SELECT coalesce(max(seq), 0) FROM session_revocations")) || !query.next()) {
        m_openError = QStringLiteral("the sessions: cannot read the revocation log: %1").arg(query.lastError().text());
        return;
    }
    m_lastRevocation = query.value(0).toLongLong();
    m_sinceLastRead.start();
    m_sinceLastPurge.start();
    m_pollTimer = std::make_unique<QTimer>();
    connect(m_pollTimer.get(), &QTimer::timeout, this, &PostgresSessions::readRevocations);
    m_pollTimer->start(pollIntervalMs);
}

void PostgresSessions::close()
{
    m_pollTimer.reset();
    closePostgresConnection(m_connectionName);
}

void PostgresSessions::watch(QPointer<QObject> context, Revoked revoked)
{
    m_watcher = std::move(context);
    m_revoked = std::move(revoked);
}

bool PostgresSessions::reconnect(QString *error)
{
    closePostgresConnection(m_connectionName);
    return openPostgresConnection(m_address, m_connectionName, error).isOpen();
}

// A connection lost since the last statement is opened again, once.
bool PostgresSessions::exec(QSqlQuery &query)
{
    if (query.exec())
        return true;
    QString error;
    if (!reconnect(&error))
        return false;
    QSqlQuery again(QSqlDatabase::database(m_connectionName, false));
    again.prepare(query.lastQuery());
    const QVariantList values = query.boundValues();
    for (const QVariant &value : values)
        again.addBindValue(value);
    if (!again.exec())
        return false;
    query = again;
    return true;
}

bool PostgresSessions::save(const QByteArray &tokenHash, const QByteArray &passwordTag)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.prepare(QStringLiteral("INSERT INTO sessions (token_sha256, password_tag, created_ms) VALUES (?, ?, ?)"
                                 " ON CONFLICT (token_sha256) DO UPDATE SET password_tag = excluded.password_tag"));
    query.addBindValue(tokenHash);
    query.addBindValue(passwordTag);
    query.addBindValue(QDateTime::currentMSecsSinceEpoch());
    return exec(query);
}

Storage::SessionFound PostgresSessions::find(const QByteArray &tokenHash, const QByteArray &passwordTag)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.prepare(QStringLiteral("SELECT 1 FROM sessions WHERE token_sha256 = ? AND password_tag = ?"));
    query.addBindValue(tokenHash);
    query.addBindValue(passwordTag);
    if (!exec(query))
        return Storage::SessionFound::Failed;
    return query.next() ? Storage::SessionFound::Yes : Storage::SessionFound::No;
}

bool PostgresSessions::remove(const QByteArray &tokenHash)
{
    if (appendRevocation(tokenHash))
        return true;
    // Most likely the connection was lost since the last statement: once more on a new one.
    QString error;
    return reconnect(&error) && appendRevocation(tokenHash);
}

// The row goes and the log says so in one transaction. The log's lock makes appends take
// turns, so that their numbers commit in order: a reader that has seen number n has
// seen every number below it. Sign-outs are rare; the turn costs nothing measurable.
bool PostgresSessions::appendRevocation(const QByteArray &tokenHash)
{
    QSqlDatabase database = QSqlDatabase::database(m_connectionName, false);
    if (!database.isOpen() || !database.transaction())
        return false;
    QSqlQuery query(database);
    query.prepare(QStringLiteral(
        "WITH gone AS (DELETE FROM sessions WHERE token_sha256 = ?)"
        " INSERT INTO session_revocations (token_sha256, revoked_ms) VALUES (?, ?)"));
    query.addBindValue(tokenHash);
    query.addBindValue(tokenHash);
    query.addBindValue(QDateTime::currentMSecsSinceEpoch());
    QSqlQuery lock(database);
    const bool ok = lock.exec(QStringLiteral("LOCK TABLE session_revocations IN SHARE ROW EXCLUSIVE MODE"))
                 && query.exec() && database.commit();
    if (!ok) {
        qWarning("chatapp: revoking a session failed: %s",
                 qPrintable(query.lastError().isValid() ? query.lastError().text() : lock.lastError().text()));
        database.rollback();
    }
    return ok;
}

void PostgresSessions::readRevocations()
{
    if (!m_revoked || m_lastRevocation < 0)
        return;
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.prepare(QStringLiteral("SELECT seq, token_sha256 FROM session_revocations WHERE seq > ? ORDER BY seq LIMIT %1")
                      .arg(revocationsPerRead));
    query.addBindValue(m_lastRevocation);
    if (!exec(query))
        return; // tried again in a second; the time since the last read tells how long
    const bool lostTrack = m_sinceLastRead.elapsed() > lostTrackAfterMs;
    m_sinceLastRead.restart();
    QList<QByteArray> revoked;
    while (query.next()) {
        m_lastRevocation = query.value(0).toLongLong();
        revoked.append(query.value(1).toByteArray());
    }
    if (lostTrack)
        qWarning("chatapp: the session revocation log was out of reach for minutes; every token is checked again");
    if ((!revoked.isEmpty() || lostTrack) && m_watcher) {
        QMetaObject::invokeMethod(
            m_watcher.data(), [revokedCall = m_revoked, revoked, lostTrack] { revokedCall(revoked, lostTrack); },
            Qt::QueuedConnection);
    }
    // A full read leaves more: the next one comes at once.
    if (revoked.size() == revocationsPerRead)
        QMetaObject::invokeMethod(this, &PostgresSessions::readRevocations, Qt::QueuedConnection);
    if (m_sinceLastPurge.elapsed() > purgeIntervalMs)
        purgeRevocations();
}

void PostgresSessions::purgeRevocations()
{
    m_sinceLastPurge.restart();
    QSqlQuery purge(QSqlDatabase::database(m_connectionName, false));
    purge.prepare(QStringLiteral("DELETE FROM session_revocations WHERE revoked_ms < ?"));
    purge.addBindValue(QDateTime::currentMSecsSinceEpoch() - revocationsKeptMs);
    if (!purge.exec())
        qWarning("chatapp: purging old session revocations failed: %s", qPrintable(purge.lastError().text()));
}
