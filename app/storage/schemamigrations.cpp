#include "schemamigrations.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace {

struct Migration
{
    int version;
    const char *what; // for the log, and for whoever adds the next one
    QList<const char *> statements;
};

// Messages are keyed by (room, id) without a rowid, so a room's history is one
// contiguous range of the primary key and paging is a range scan.
const Migration migrations[] = {
    {1,
     "the tables of ChatApp 0.1 (a file from before versioning may lack the later ones)",
     {"CREATE TABLE IF NOT EXISTS rooms ("
      " name TEXT PRIMARY KEY,"
      " last_id INTEGER NOT NULL DEFAULT 0,"
      " created_ms INTEGER NOT NULL)",
      "CREATE TABLE IF NOT EXISTS messages ("
      " room TEXT NOT NULL,"
      " id INTEGER NOT NULL,"
      " author TEXT NOT NULL,"
      " text TEXT NOT NULL,"
      " ts_ms INTEGER NOT NULL,"
      " PRIMARY KEY (room, id)) WITHOUT ROWID",
      "CREATE TABLE IF NOT EXISTS idempotency_keys ("
      " room TEXT NOT NULL,"
      " key TEXT NOT NULL,"
      " message_id INTEGER NOT NULL,"
      " created_ms INTEGER NOT NULL,"
      " PRIMARY KEY (room, key)) WITHOUT ROWID",
      "CREATE INDEX IF NOT EXISTS idempotency_keys_by_age ON idempotency_keys (created_ms)",
      // Hashes of bearer tokens only: a copy of the database signs nobody in.
      "CREATE TABLE IF NOT EXISTS sessions ("
      " token_sha256 BLOB PRIMARY KEY,"
      " password_tag BLOB NOT NULL,"
      " created_ms INTEGER NOT NULL) WITHOUT ROWID"}},
    {2,
     "full-text search: message_search, and messages.search_rowid joining it to messages",
     // FTS5 rows need a rowid, and messages has none: search_rowid is each message's,
     // given in the order messages are stored, so newer messages have greater ones.
     {"ALTER TABLE messages ADD COLUMN search_rowid INTEGER",
      // Written in every send's transaction, so as cheap as it can be: content='' keeps
      // no second copy of the text (messages has it; a later edit or deletion gives the
      // old text to FTS5's 'delete'), detail=none no word positions and columnsize=0 no
      // lengths, since a search is words that must all be there, never a phrase or a rank.
      "CREATE VIRTUAL TABLE message_search USING fts5(text, tokenize = 'unicode61 remove_diacritics 2',"
      " content = '', detail = none, columnsize = 0)",
      "UPDATE messages SET search_rowid = numbered.n"
      " FROM (SELECT room, id, row_number() OVER (ORDER BY ts_ms, room, id) AS n FROM messages) AS numbered"
      " WHERE messages.room = numbered.room AND messages.id = numbered.id",
      "INSERT INTO message_search (rowid, text) SELECT search_rowid, text FROM messages",
      "CREATE UNIQUE INDEX messages_by_search_rowid ON messages (search_rowid)"}},
    {3,
     "room events: edits, deletions, reactions and replies as entries of the room's sequence",
     // Changes are rows of `messages` too, so that one gapless id sequence, one range scan,
     // holds everything a follower must apply. `kind` 0 is a message (EntryType).
     {"ALTER TABLE messages ADD COLUMN kind INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE messages ADD COLUMN target INTEGER",
      "ALTER TABLE messages ADD COLUMN emoji TEXT",
      "ALTER TABLE messages ADD COLUMN reply_to INTEGER",
      // SHA-256 of the Author-Secret the message was sent with: the secret itself would
      // let anyone holding a copy of the file edit and delete as its authors.
      "ALTER TABLE messages ADD COLUMN author_secret BLOB",
      "ALTER TABLE messages ADD COLUMN edited_ms INTEGER",
      "ALTER TABLE messages ADD COLUMN deleted_ms INTEGER",
      // A deletion blanks the text of the message's edits too; plain messages, which have
      // no target, cost this index nothing.
      "CREATE INDEX changes_by_target ON messages (room, target) WHERE target IS NOT NULL",
      // Who reacts with what now, for history; the entries say when.
      "CREATE TABLE reactions ("
      " room TEXT NOT NULL,"
      " message_id INTEGER NOT NULL,"
      " emoji TEXT NOT NULL,"
      " name TEXT NOT NULL,"
      " entry_id INTEGER NOT NULL,"
      " PRIMARY KEY (room, message_id, emoji, name)) WITHOUT ROWID"}},
};

static_assert(std::size(migrations) == chatAppSchemaVersion, "one migration per schema version");

} // namespace

int schemaVersion(QSqlDatabase &database, QString *error)
{
    QSqlQuery query(database);
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next()) {
        *error = QStringLiteral("cannot read the schema version: %1").arg(query.lastError().text());
        return -1;
    }
    return query.value(0).toInt();
}

bool migrateSchema(QSqlDatabase &database, bool announce, QString *error)
{
    const int found = schemaVersion(database, error);
    if (found < 0)
        return false;
    if (found > chatAppSchemaVersion) {
        *error = QStringLiteral("the database was written by a newer ChatApp (schema version %1; this one "
                                "knows up to %2): run that version, or restore a backup made by this one")
                     .arg(found)
                     .arg(chatAppSchemaVersion);
        return false;
    }
    QSqlQuery query(database);
    for (const Migration &migration : migrations) {
        if (migration.version <= found)
            continue;
        for (const char *statement : migration.statements) {
            if (!query.exec(QString::fromLatin1(statement))) {
                *error = QStringLiteral("cannot bring the database to schema version %1 (%2): %3")
                             .arg(migration.version)
                             .arg(QString::fromLatin1(migration.what), query.lastError().text());
                return false;
            }
        }
        // A pragma's value cannot be bound; the number is ours.
        if (!query.exec(QStringLiteral("PRAGMA user_version = %1").arg(migration.version))) {
            *error = QStringLiteral("cannot record schema version %1: %2")
                         .arg(migration.version)
                         .arg(query.lastError().text());
            return false;
        }
        if (announce)
            qInfo("chatapp: database schema brought to version %d: %s", migration.version, migration.what);
    }
    return true;
}
