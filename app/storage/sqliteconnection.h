#pragma once

#include "core/message.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

// Opens a connection to the ChatApp database at `path`, in WAL mode with full
// synchronous commits, and creates the schema if it is missing. A connection belongs
// to the thread that opened it.
QSqlDatabase openSqliteConnection(const QString &path, const QString &connectionName,
                                  QString *error);
void closeSqliteConnection(const QString &connectionName);

// The columns every message query selects, in this order; messageFromRow reads them.
inline constexpr char messageColumns[] = "id, author, text, ts_ms";
Message messageFromRow(const QSqlQuery &query, const QString &room);
