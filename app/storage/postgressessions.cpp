#include "postgressessions.h"

#include "postgresconnection.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

PostgresSessions::PostgresSessions(PostgresAddress address)
    : m_address(std::move(address))
    , m_connectionName(QStringLiteral("chatapp-postgres-sessions"))
{
}

QList<QByteArray> PostgresSessions::load(const QByteArray &passwordTag, QString *error)
{
    const QString connectionName = QStringLiteral("chatapp-postgres-startup-sessions");
    QList<QByteArray> hashes;
    {
        QSqlDatabase database = openPostgresConnection(m_address, connectionName, error);
        if (database.isOpen()) {
            QSqlQuery query(database);
            query.prepare(QStringLiteral("SELECT token_sha256 FROM sessions WHERE password_tag = ?"));
            query.addBindValue(passwordTag);
            const bool ok = query.exec();
            while (ok && query.next())
                hashes.append(query.value(0).toByteArray());
            if (!ok)
                *error = query.lastError().text();
        }
    }
    closePostgresConnection(connectionName);
    return hashes;
}

void PostgresSessions::open()
{
    QString error;
    if (!openPostgresConnection(m_address, m_connectionName, &error).isOpen())
        qWarning("chatapp: cannot open the sessions table: %s", qPrintable(error));
}

void PostgresSessions::close()
{
    closePostgresConnection(m_connectionName);
}

// A connection lost since the last sign-in is opened again, once.
bool PostgresSessions::exec(QSqlQuery &query)
{
    if (query.exec())
        return true;
    QString error;
    closePostgresConnection(m_connectionName);
    QSqlDatabase database = openPostgresConnection(m_address, m_connectionName, &error);
    if (!database.isOpen())
        return false;
    QSqlQuery again(database);
    again.prepare(query.lastQuery());
    const QVariantList values = query.boundValues();
    for (const QVariant &value : values)
        again.addBindValue(value);
    return again.exec();
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

bool PostgresSessions::remove(const QByteArray &tokenHash)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.prepare(QStringLiteral("DELETE FROM sessions WHERE token_sha256 = ?"));
    query.addBindValue(tokenHash);
    return exec(query);
}
