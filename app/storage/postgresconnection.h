#pragma once

#include "postgresaddress.h"

#include <QSqlDatabase>
#include <QString>

// Opens a QPSQL connection to `address`, named `connectionName`, with full synchronous
// commits (a 201 promises the message survives a crash of the database's machine too).
// On failure `error` says why and the returned connection is closed. A connection
// belongs to the thread that opened it. `applicationName` is what pg_stat_activity shows
// of it.
QSqlDatabase openPostgresConnection(const PostgresAddress &address, const QString &connectionName, QString *error,
                                    const QString &applicationName = QStringLiteral("chatapp"));
void closePostgresConnection(const QString &connectionName);

// The schema of ChatApp's PostgreSQL store, its version kept in chatapp_schema (as
// SQLite's user_version): creates or migrates it, in one transaction under an advisory
// lock, so nodes starting together migrate once.
inline constexpr int chatAppPostgresSchemaVersion = 3;
bool migratePostgresSchema(QSqlDatabase &database, QString *error);
