#pragma once

#include "entryrows.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QList>
#include <QString>

// Opens a connection to the ChatApp database at `path`, in WAL mode with full
// synchronous commits. The schema is start-up's to create or migrate (migrateSchema),
// once, before any connection is opened. A connection belongs to the thread that opened it.
QSqlDatabase openSqliteConnection(const QString &path, const QString &connectionName,
                                  QString *error);
void closeSqliteConnection(const QString &connectionName);

// ChatApp's mark in the database header ("ChAp", PRAGMA application_id), so that another
// program's SQLite file is never taken for a chat.
inline constexpr qint32 chatAppApplicationId = 0x43684170;

// Marks the file as ChatApp's and creates the tables of the current schema version, in
// the caller's transaction.
bool createChatAppSchema(QSqlDatabase &database, QString *error);
