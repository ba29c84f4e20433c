#include "sqlitesessions.h"

#include "sqliteconnection.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

SqliteSessions::SqliteSessions(QString databasePath)
    : m_databasePath(std::move(databasePath))
    , m_connectionName(QStringLiteral("chatapp-sessions-%1").arg(quintptr(this)))
{
}

SqliteSessions::~SqliteSessions() = default;

QList<QByteArray> SqliteSessions::load(const QByteArray &passwordTag, QString *error)
{
    const QString connectionName = QStringLiteral("chatapp-startup-sessions");
    QList<QByteArray> hashes;
    {
        QSqlDatabase database = openSqliteConnection(m_databasePath, connectionName, error);
        if (database.isOpen()) {
            QSqlQuery query(database);
            query.prepare(QStringLiteral("DELETE FROM sessions WHERE password_tag <> ?"));
            query.addBindValue(passwordTag);
            bool ok = query.exec()
                   && query.exec(QStringLiteral("SELECT token_sha256 FROM sessions"));
            while (ok && query.next())
                hashes.append(query.value(0).toByteArray());
            if (!ok)
                *error = query.lastError().text();
        }
    }
    closeSqliteConnection(connectionName);
    return hashes;
}

void SqliteSessions::open()
{
    QString error;
    QSqlDatabase database = openSqliteConnection(m_databasePath, m_connectionName, &error);
    if (!database.isOpen())
        qWarning("chatapp: cannot open the sessions table: %s", qPrintable(error));
}

void SqliteSessions::close()
{
    closeSqliteConnection(m_connectionName);
}

bool SqliteSessions::save(const QByteArray &tokenHash, const QByteArray &passwordTag)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.prepare(QStringLiteral(
        "INSERT OR REPLACE INTO sessions (token_sha256, password_tag, created_ms) VALUES (?, ?, ?)"));
    query.addBindValue(tokenHash);
    query.addBindValue(passwordTag);
    query.addBindValue(QDateTime::currentMSecsSinceEpoch());
    return query.exec();
}

bool SqliteSessions::remove(const QByteArray &tokenHash)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.prepare(QStringLiteral("DELETE FROM sessions WHERE token_sha256 = ?"));
    query.addBindValue(tokenHash);
    return query.exec();
}
