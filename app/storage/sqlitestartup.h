#pragma once

#include <QSqlDatabase>
#include <QString>

// What start-up checks before the chat is served from chatapp.db. A damaged or foreign
// file stops the server with the reason (in `error`, a sentence for the operator) rather
// than being served as an empty or broken chat.

// A missing file is created, and appears under its name only once it holds the whole
// schema. An existing one must be ChatApp's: not empty, an SQLite database, and either
// marked as ours or holding our tables (a file from before the mark). Nothing is written
// to a file that fails these checks.
bool prepareDatabaseFile(const QString &path, QString *error);

// Raises every room's counter (rooms.last_id) that is behind the room's newest stored
// message to that message's id, and adds the counter of a room that has messages but
// none, logging each repair. This gives no id twice and drops nothing; without it every
// send to such a room would collide with a stored message. Runs in the caller's
// transaction.
bool repairRoomCounters(QSqlDatabase &database, QString *error);
