#include "sqlitestartup.h"

#include "schemamigrations.h"
#include "sqliteconnection.h"

#include "core/message.h"
#include "core/roomname.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace {

// The first 16 bytes of every SQLite database file.
const QByteArray sqliteMagic("SQLite format 3\0", 16);

struct RequiredTable
{
    const char *name;
    QStringList columns;
};

// What a file from before the application id must hold to be taken for ChatApp's: the
// tables and columns the server reads (sqliteconnection.cpp creates them). The other
// tables are created when missing, as after an upgrade.
const RequiredTable requiredTables[] = {
    {"rooms", {QStringLiteral("name"), QStringLiteral("last_id"), QStringLiteral("created_ms")}},
    {"messages", {QStringLiteral("room"), QStringLiteral("id"), QStringLiteral("author"),
                  QStringLiteral("text"), QStringLiteral("ts_ms")}},
};

QString refusal(const QString &path, const QString &what)
{
    return QStringLiteral("%1 %2. ChatApp will not start on it, so as not to serve an empty or "
                          "broken chat in its place: restore it from a backup, or move it away "
                          "to start a new, empty chat.")
        .arg(path, what);
}

bool refuse(const QString &path, const QString &what, QString *error)
{
    *error = refusal(path, what);
    return false;
}

bool unreadable(const QString &path, const QSqlQuery &query, QString *error)
{
    return refuse(path, QStringLiteral("cannot be read as a database (%1)").arg(query.lastError().text()),
                  error);
}

// Only reads: a file that turns out not to be ours is left exactly as it was.
bool vetSchema(QSqlDatabase &database, const QString &path, QString *error)
{
    QSqlQuery query(database);
    if (!query.exec(QStringLiteral("PRAGMA application_id")) || !query.next())
        return unreadable(path, query, error);
    const qint32 applicationId = query.value(0).toInt();
    QString versionError;
    const int version = schemaVersion(database, &versionError);
    if (version < 0)
        return refuse(path, QStringLiteral("cannot be read as a database (%1)").arg(versionError), error);
    if (version > chatAppSchemaVersion && applicationId == chatAppApplicationId) {
        return refuse(path, QStringLiteral("was written by a newer ChatApp (schema version %1; this one knows "
                                           "up to %2): run that version, or restore a backup made by this one")
                                .arg(version)
                                .arg(chatAppSchemaVersion),
                      error);
    }
    if (applicationId == chatAppApplicationId)
        return true;
    if (applicationId != 0) {
        return refuse(path, QStringLiteral("belongs to another program: its application id is "
                                           "0x%1, ChatApp's is 0x%2")
                                .arg(quint32(applicationId), 8, 16, QLatin1Char('0'))
                                .arg(quint32(chatAppApplicationId), 8, 16, QLatin1Char('0')),
                      error);
    }

    QStringList tables;
    if (!query.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'"
                                   " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")))
        return unreadable(path, query, error);
    while (query.next())
        tables.append(query.value(0).toString());
    if (query.lastError().isValid())
        return unreadable(path, query, error);
    if (tables.isEmpty())
        return refuse(path, QStringLiteral("is an SQLite database without a single table"), error);

    for (const RequiredTable &table : requiredTables) {
        const QString name = QString::fromLatin1(table.name);
        if (!tables.contains(name)) {
            return refuse(path, QStringLiteral("is not a ChatApp database: it holds the tables %1, "
                                               "and no table '%2'")
                                    .arg(tables.join(QStringLiteral(", ")), name),
                          error);
        }
        QStringList columns;
        if (!query.exec(QStringLiteral("PRAGMA table_info(%1)").arg(name)))
            return unreadable(path, query, error);
        while (query.next())
            columns.append(query.value(1).toString());
        for (const QString &column : table.columns) {
            if (!columns.contains(column)) {
                return refuse(path, QStringLiteral("is not a ChatApp database: its table '%1' has "
                                                   "no column '%2'")
                                        .arg(name, column),
                              error);
            }
        }
    }
    return true;
}

bool vetExistingFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    // SQLite would take an empty file for a new, empty database and serve it as one.
    if (file.size() == 0)
        return refuse(path, QStringLiteral("is empty (0 bytes): it holds no chat"), error);
    if (file.read(sqliteMagic.size()) != sqliteMagic)
        return refuse(path, QStringLiteral("is not an SQLite database"), error);
    file.close();

    const QString connectionName = QStringLiteral("chatapp-vetting");
    bool ok = false;
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
        database.setDatabaseName(path);
        database.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (database.open())
            ok = vetSchema(database, path, error);
        else
            *error = QStringLiteral("cannot open %1: %2").arg(path, database.lastError().text());
    }
    closeSqliteConnection(connectionName);
    return ok;
}

// The rename is durable only once the directory that holds it is.
bool syncDirectory(const QString &directory, QString *error)
{
    const int descriptor = ::open(QFile::encodeName(directory).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const bool ok = descriptor >= 0 && ::fsync(descriptor) == 0;
    if (!ok)
        *error = QStringLiteral("cannot sync the directory %1: %2").arg(directory, QString::fromLocal8Bit(strerror(errno)));
    if (descriptor >= 0)
        ::close(descriptor);
    return ok;
}

// Built beside its final name and renamed into place: a start cut short leaves either
// no chatapp.db, to be built again, or a whole one, never a half-made file that the next
// start would refuse.
bool createDatabase(const QString &path, QString *error)
{
    const QString building = path + QStringLiteral(".new");
    QFile::remove(building);
    QFile::remove(building + QStringLiteral("-journal"));
    const QString connectionName = QStringLiteral("chatapp-creating");
    bool ok = false;
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
        database.setDatabaseName(building);
        if (!database.open() || !database.transaction()) {
            *error = database.lastError().text();
        } else if (!createChatAppSchema(database, error)) {
            database.rollback();
        } else if (!database.commit()) {
            *error = database.lastError().text();
        } else {
            ok = true;
        }
    }
    closeSqliteConnection(connectionName);
    if (ok && !QFile::rename(building, path)) {
        *error = QStringLiteral("cannot rename %1 to %2").arg(building, path);
        ok = false;
    }
    if (ok)
        ok = syncDirectory(QFileInfo(path).absolutePath(), error);
    if (!ok) {
        QFile::remove(building);
        *error = QStringLiteral("cannot create %1: %2").arg(path, *error);
    }
    return ok;
}

} // namespace

bool prepareDatabaseFile(const QString &path, QString *error)
{
    if (QFileInfo::exists(path))
        return vetExistingFile(path, error);
    // SQLite would replay an orphaned log into the new file it creates.
    if (QFileInfo(path + QStringLiteral("-wal")).size() > 0) {
        *error = QStringLiteral("%1 is missing, but its write-ahead log %1-wal, which may hold "
                                "messages, is there. Put %1 back; or, to start a new, empty chat, "
                                "move %1-wal and %1-shm away.")
                     .arg(path);
        return false;
    }
    return createDatabase(path, error);
}

bool repairRoomCounters(QSqlDatabase &database, QString *error)
{
    struct Repair
    {
        QString room;
        MessageId newest = 0;
        QVariant counted; // null: the room has no row in `rooms`
    };
    QList<Repair> repairs;
    // Each room that has messages, with its newest: one seek of the primary key per room
    // rather than a scan of every message.
    QSqlQuery query(database);
    const bool listed = query.exec(QStringLiteral(
        "WITH RECURSIVE stored(room) AS ("
        " SELECT (SELECT min(room) FROM messages)"
        " UNION ALL SELECT (SELECT min(room) FROM messages WHERE room > stored.room)"
        " FROM stored WHERE stored.room IS NOT NULL)"
        " SELECT stored.room, (SELECT max(id) FROM messages WHERE room = stored.room), rooms.last_id"
        " FROM stored LEFT JOIN rooms ON rooms.name = stored.room WHERE stored.room IS NOT NULL"));
    while (listed && query.next()) {
        const MessageId newest = query.value(1).toLongLong();
        const QVariant counted = query.value(2);
        if ((counted.isNull() || counted.toLongLong() < newest) && RoomName::parse(query.value(0).toString()))
            repairs.append({query.value(0).toString(), newest, counted});
    }
    if (!listed || query.lastError().isValid()) {
        *error = QStringLiteral("cannot compare the rooms' counters with their messages: %1")
                     .arg(query.lastError().text());
        return false;
    }
    query.finish();

    for (const Repair &repair : std::as_const(repairs)) {
        if (repair.counted.isNull()) {
            query.prepare(QStringLiteral("INSERT INTO rooms (name, last_id, created_ms) VALUES (?, ?, ?)"));
            query.addBindValue(repair.room);
            query.addBindValue(repair.newest);
            query.addBindValue(QDateTime::currentMSecsSinceEpoch());
        } else {
            query.prepare(QStringLiteral("UPDATE rooms SET last_id = ? WHERE name = ?"));
            query.addBindValue(repair.newest);
            query.addBindValue(repair.room);
        }
        if (!query.exec()) {
            *error = QStringLiteral("cannot repair the counter of room '%1': %2")
                         .arg(repair.room, query.lastError().text());
            return false;
        }
        const QString counted = repair.counted.isNull()
                                  ? QStringLiteral("had no counter")
                                  : QStringLiteral("counted %1 messages").arg(repair.counted.toLongLong());
        qWarning("chatapp: room '%s' %s, but messages up to id %lld are stored (the database was "
                 "changed outside ChatApp?); its counter is now %lld, so no id is given twice",
                 qPrintable(repair.room), qPrintable(counted), repair.newest, repair.newest);
    }
    return true;
}
