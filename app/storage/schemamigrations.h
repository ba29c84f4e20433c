#pragma once

#include <QSqlDatabase>
#include <QString>

// The schema's version is the database's PRAGMA user_version: 0 for a file from before
// versioning, then the number of the last migration applied. A release that changes the
// schema adds a migration at the end of the list in schemamigrations.cpp and raises this;
// it never edits one that shipped, since databases made by it exist.
inline constexpr int chatAppSchemaVersion = 3;

// The version `database` says it has, or -1 (with `error`) when it cannot be read.
int schemaVersion(QSqlDatabase &database, QString *error);

// Applies, in order, every migration after the database's version, each followed by its
// number in user_version, all in the caller's transaction: a start cut short leaves the
// file at the version it had. A database of a newer ChatApp is refused (in `error`), as
// this one cannot know what its tables mean. With `announce`, each migration applied is
// logged: an operator wants to know that the chat's file changed, not that a new one was made.
bool migrateSchema(QSqlDatabase &database, bool announce, QString *error);
