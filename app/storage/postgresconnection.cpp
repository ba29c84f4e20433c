#include "postgresconnection.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace {

struct Migration
{
    int version;
    const char *what;
    QList<const char *> statements;
};

// The same tables and columns as SQLite's schema version 3 (schemamigrations.cpp), so
// that entryrows.h reads both; what differs is said where it does.
const Migration migrations[] = {
    {1,
     "the tables of ChatApp's SQLite schema 3, and full-text search by tsvector",
     {// Each batch updates its rooms' counters: half-full pages keep those updates HOT.
      "CREATE TABLE rooms ("
      " name TEXT PRIMARY KEY,"
      " last_id BIGINT NOT NULL DEFAULT 0,"
      " created_ms BIGINT NOT NULL) WITH (fillfactor = 50)",
      // search_seq orders search results newest first across rooms, as SQLite's
      // search_rowid does; a sequence is fine there (gaps and commit order do not matter).
      "CREATE TABLE messages ("
      " room TEXT NOT NULL,"
      " id BIGINT NOT NULL,"
      " author TEXT NOT NULL,"
      " text TEXT NOT NULL,"
      " ts_ms BIGINT NOT NULL,"
      " kind SMALLINT NOT NULL DEFAULT 0,"
      " target BIGINT,"
      " emoji TEXT,"
      " reply_to BIGINT,"
      " author_secret BYTEA,"
      " edited_ms BIGINT,"
      " deleted_ms BIGINT,"
      " search_seq BIGINT GENERATED ALWAYS AS IDENTITY,"
      " PRIMARY KEY (room, id))",
      "CREATE INDEX changes_by_target ON messages (room, target) WHERE target IS NOT NULL",
      "CREATE TABLE idempotency_keys ("
      " room TEXT NOT NULL,"
      " key TEXT NOT NULL,"
      " message_id BIGINT NOT NULL,"
      " created_ms BIGINT NOT NULL,"
      " PRIMARY KEY (room, key))",
      "CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_ms)",
      "CREATE TABLE reactions ("
      " room TEXT NOT NULL,"
      " message_id BIGINT NOT NULL,"
      " emoji TEXT NOT NULL,"
      " name TEXT NOT NULL,"
      " entry_id BIGINT NOT NULL,"
      " PRIMARY KEY (room, message_id, emoji, name))",
      "CREATE TABLE sessions ("
      " token_sha256 BYTEA PRIMARY KEY,"
      " password_tag BYTEA NOT NULL,"
      " created_ms BIGINT NOT NULL)",
      // unaccent is a trusted extension (PostgreSQL 13+): the database's owner may create
      // it. It is not IMMUTABLE, so an index needs it wrapped, with its dictionary named.
      "CREATE EXTENSION IF NOT EXISTS unaccent",
      "CREATE FUNCTION chatapp_search_words(text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE"
      " AS $$ SELECT to_tsvector('simple', public.unaccent('public.unaccent'::regdictionary, $1)) $$",
      "CREATE FUNCTION chatapp_search_query(text) RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE"
      " AS $$ SELECT plainto_tsquery('simple', public.unaccent('public.unaccent'::regdictionary, $1)) $$",
      // Only messages are searched; their changes are entries with a kind.
      "CREATE INDEX messages_search ON messages USING gin (chatapp_search_words(text)) WHERE kind = 0",
      "CREATE INDEX messages_by_search_seq ON messages (search_seq) WHERE kind = 0"}},
    {2,
     "a log of revoked sessions, which every node reads to refuse them within 2 s",
     {// Numbers commit in order (PostgresSessions takes the table's lock to append), so a
      // node reads on from the last one it saw; rows older than 10 minutes are purged.
      "CREATE TABLE session_revocations ("
      " seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
      " token_sha256 BYTEA NOT NULL,"
      " revoked_ms BIGINT NOT NULL)",
      "CREATE INDEX session_revocations_by_age ON session_revocations (revoked_ms)"}},
    {3,
     "who is online on which node (presence, nodes), unlogged",
     {// UNLOGGED: rewritten every few seconds by live nodes, worthless after a crash of
      // PostgreSQL (which empties such tables), so not worth a WAL flush.
      "CREATE UNLOGGED TABLE nodes ("
      " node TEXT PRIMARY KEY,"
      " heartbeat TIMESTAMPTZ NOT NULL)",
      // last_seen NULL: the name left. changed: when the row was last written, so that a
      // node reads only what changed since its last read.
      "CREATE UNLOGGED TABLE presence ("
      " node TEXT NOT NULL,"
      " room TEXT NOT NULL,"
      " name TEXT NOT NULL,"
      " last_seen TIMESTAMPTZ,"
      " open_streams INTEGER NOT NULL DEFAULT 0,"
      " typing_until TIMESTAMPTZ,"
      " changed TIMESTAMPTZ NOT NULL,"
      " PRIMARY KEY (node, room, name))",
      "CREATE INDEX presence_by_change ON presence (changed)"}},
};

static_assert(std::size(migrations) == chatAppPostgresSchemaVersion, "one migration per schema version");

// Any number will do as long as no other program on the cluster locks it for migrations.
constexpr qint64 migrationLockKey = 0x43684170; // "ChAp"

bool run(QSqlQuery &query, const QString &statement, QString *error, const QString &what)
{
    if (query.exec(statement))
        return true;
    *error = QStringLiteral("%1: %2").arg(what, query.lastError().text());
    return false;
}

bool migrateInTransaction(QSqlDatabase &database, QString *error)
{
    QSqlQuery query(database);
    if (!run(query, QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(migrationLockKey), error,
             QStringLiteral("cannot lock the schema for migration"))
        || !run(query, QStringLiteral("CREATE TABLE IF NOT EXISTS chatapp_schema (version INTEGER NOT NULL)"), error,
                QStringLiteral("cannot create the schema version table"))
        || !run(query, QStringLiteral("SELECT coalesce(max(version), 0) FROM chatapp_schema"), error,
                QStringLiteral("cannot read the schema version")))
        return false;
    const int found = query.next() ? query.value(0).toInt() : 0;
    if (found > chatAppPostgresSchemaVersion) {
        *error = QStringLiteral("the database was written by a newer ChatApp (schema version %1; this one knows "
                                "up to %2): run that version")
                     .arg(found)
                     .arg(chatAppPostgresSchemaVersion);
        return false;
    }
    for (const Migration &migration : migrations) {
        if (migration.version <= found)
            continue;
        for (const char *statement : migration.statements) {
            if (!run(query, QString::fromLatin1(statement), error,
                     QStringLiteral("cannot bring the database to schema version %1 (%2)")
                         .arg(migration.version)
                         .arg(QString::fromLatin1(migration.what))))
                return false;
        }
        if (!run(query, QStringLiteral("DELETE FROM chatapp_schema"), error, QStringLiteral("cannot record the schema version"))
            || !run(query, QStringLiteral("INSERT INTO chatapp_schema (version) VALUES (%1)").arg(migration.version),
                    error, QStringLiteral("cannot record the schema version")))
            return false;
        qInfo("chatapp: database schema brought to version %d: %s", migration.version, migration.what);
    }
    return true;
}

} // namespace

QSqlDatabase openPostgresConnection(const PostgresAddress &address, const QString &connectionName, QString *error,
                                    const QString &applicationName)
{
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL"))) {
        *error = QStringLiteral("Qt's PostgreSQL driver (QPSQL) is not installed: apt-get install libqt6sql6-psql");
        return {};
    }
    QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connectionName);
    database.setHostName(address.host);
    database.setPort(address.port);
    database.setDatabaseName(address.database);
    if (!address.user.isEmpty())
        database.setUserName(address.user);
    if (!address.password.isEmpty())
        database.setPassword(address.password);
    // An unreachable server fails the start within seconds, not after TCP's minutes.
    database.setConnectOptions(QStringLiteral("connect_timeout=5;application_name='%1'").arg(applicationName));
    if (!database.open()) {
        *error = QStringLiteral("cannot connect to %1: %2").arg(address.display(), database.lastError().text());
        return database;
    }
    QSqlQuery query(database);
    // A node frozen inside a transaction holds its rooms' locks; these bound the wait.
    // client_min_messages: libpq prints the server's NOTICEs (CREATE ... IF NOT EXISTS
    // on every start) on stderr, which is the access log's.
    for (const char *setting : {"SET synchronous_commit = on", "SET lock_timeout = '5s'",
                                "SET client_min_messages = warning",
                                "SET idle_in_transaction_session_timeout = '5s'"}) {
        if (!query.exec(QString::fromLatin1(setting))) {
            *error = QStringLiteral("%1: %2").arg(QString::fromLatin1(setting), query.lastError().text());
            database.close();
            return database;
        }
    }
    return database;
}

void closePostgresConnection(const QString &connectionName)
{
    {
        QSqlDatabase database = QSqlDatabase::database(connectionName, false);
        database.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
}

bool migratePostgresSchema(QSqlDatabase &database, QString *error)
{
    if (!database.transaction()) {
        *error = QStringLiteral("cannot begin the schema migration: %1").arg(database.lastError().text());
        return false;
    }
    if (!migrateInTransaction(database, error)) {
        database.rollback();
        return false;
    }
    if (!database.commit()) {
        *error = QStringLiteral("cannot commit the schema migration: %1").arg(database.lastError().text());
        return false;
    }
    return true;
}
