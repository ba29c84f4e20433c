#include "sqliteconnection.h"

#include "schemamigrations.h"

#include <QSqlError>

namespace {

// synchronous=FULL: in WAL mode NORMAL survives a process crash but not a power cut,
// and a 201 promises the message survives both.
const char *const pragmas[] = {
    "PRAGMA journal_mode=WAL",
    // A deleted message's text must leave the file, not linger in a freed cell or page.
    "PRAGMA secure_delete=ON",
    "PRAGMA synchronous=FULL",
    "PRAGMA busy_timeout=5000",
};

bool runAll(QSqlDatabase &database, const auto &statements, QString *error)
{
    QSqlQuery query(database);
    for (const char *statement : statements) {
        if (!query.exec(QString::fromLatin1(statement))) {
            *error = QStringLiteral("%1: %2").arg(QString::fromLatin1(statement),
                                                  query.lastError().text());
            return false;
        }
    }
    return true;
}

} // namespace

bool createChatAppSchema(QSqlDatabase &database, QString *error)
{
    const QString mark = QStringLiteral("PRAGMA application_id = %1").arg(chatAppApplicationId);
    QSqlQuery query(database);
    if (!query.exec(mark)) {
        *error = QStringLiteral("%1: %2").arg(mark, query.lastError().text());
        return false;
    }
    return migrateSchema(database, false, error);
}

QSqlDatabase openSqliteConnection(const QString &path, const QString &connectionName,
                                  QString *error)
{
    QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
    database.setDatabaseName(path);
    if (!database.open()) {
        *error = database.lastError().text();
        return database;
    }
    if (!runAll(database, pragmas, error))
        database.close();
    return database;
}

void closeSqliteConnection(const QString &connectionName)
{
    {
        QSqlDatabase database = QSqlDatabase::database(connectionName, false);
        database.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
}
