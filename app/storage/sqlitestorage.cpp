#include "sqlitestorage.h"

#include "sqliteconnection.h"
#include "sqlitereader.h"
#include "sqlitesessions.h"
#include "schemamigrations.h"
#include "sqlitestartup.h"
#include "sqlitewriter.h"

#include <QDateTime>
#include <QDir>
#include <QPointer>
#include <QSqlError>
#include <QSqlQuery>

SqliteStorage::SqliteStorage(QString dataDirectory)
    : m_dataDirectory(std::move(dataDirectory))
{
    m_writerThread.setObjectName(QStringLiteral("sqlite-writer"));
    m_readerThread.setObjectName(QStringLiteral("sqlite-reader"));
}

SqliteStorage::~SqliteStorage()
{
    // Whatever was accepted is written before the threads end.
    if (m_writer) {
        QMetaObject::invokeMethod(m_writer.get(), [writer = m_writer.get()] {
            writer->flush();
            writer->close();
        }, Qt::BlockingQueuedConnection);
    }
    if (m_sessions)
        QMetaObject::invokeMethod(m_sessions.get(), [sessions = m_sessions.get()] { sessions->close(); },
                                  Qt::BlockingQueuedConnection);
    if (m_reader)
        QMetaObject::invokeMethod(m_reader.get(), [reader = m_reader.get()] { reader->close(); },
                                  Qt::BlockingQueuedConnection);
    m_writerThread.quit();
    m_readerThread.quit();
    m_writerThread.wait();
    m_readerThread.wait();
}

bool SqliteStorage::open(QString *error)
{
    if (!QDir().mkpath(m_dataDirectory)) {
        *error = QStringLiteral("cannot create the data directory %1").arg(m_dataDirectory);
        return false;
    }
    m_databasePath = QDir(m_dataDirectory).absoluteFilePath(QStringLiteral("chatapp.db"));
    if (!prepareDatabaseFile(m_databasePath, error) || !loadRooms(error))
        return false;

    QHash<QString, MessageId> lastIds;
    for (const RoomRecord &room : std::as_const(m_rooms))
        lastIds.insert(room.name.value(), room.lastId);
    m_writer = std::make_unique<SqliteWriter>(m_databasePath, lastIds);
    m_reader = std::make_unique<SqliteReader>(m_databasePath);
    m_sessions = std::make_unique<SqliteSessions>(m_databasePath);
    m_writer->moveToThread(&m_writerThread);
    m_sessions->moveToThread(&m_writerThread);
    m_reader->moveToThread(&m_readerThread);
    m_writerThread.start();
    m_readerThread.start();
    QMetaObject::invokeMethod(m_writer.get(), &SqliteWriter::open, Qt::BlockingQueuedConnection);
    QMetaObject::invokeMethod(m_reader.get(), &SqliteReader::open, Qt::BlockingQueuedConnection);
    QMetaObject::invokeMethod(m_sessions.get(), &SqliteSessions::open, Qt::BlockingQueuedConnection);
    // Served anyway, the store would refuse every send, or every read, until a restart.
    *error = m_writer->openError().isEmpty() ? m_reader->openError() : m_writer->openError();
    return error->isEmpty();
}

// Reads the rooms once at start-up, on the calling thread, creating `general` on a new
// database and repairing counters that fell behind; after this every write goes through
// the writer. It always writes (the application id at least), so that a store that cannot
// write stops the start here, with the reason, rather than refusing every send later.
bool SqliteStorage::loadRooms(QString *error)
{
    const QString connectionName = QStringLiteral("chatapp-startup");
    bool ok = false;
    {
        QSqlDatabase database = openSqliteConnection(m_databasePath, connectionName, error);
        if (database.isOpen()) {
            QSqlQuery query(database);
            query.prepare(QStringLiteral(
                "INSERT OR IGNORE INTO rooms (name, last_id, created_ms) VALUES ('general', 0, ?)"));
            query.addBindValue(QDateTime::currentMSecsSinceEpoch());
            const bool began = database.transaction();
            ok = began && migrateSchema(database, true, error) && query.exec() && repairRoomCounters(database, error)
              && query.exec(QStringLiteral("PRAGMA application_id = %1").arg(chatAppApplicationId));
            if (ok && !database.commit()) {
                ok = false;
                *error = database.lastError().text();
            } else if (!ok) {
                if (error->isEmpty())
                    *error = began ? query.lastError().text() : database.lastError().text();
                database.rollback();
            }
            ok = ok && query.exec(QStringLiteral("SELECT name, last_id FROM rooms ORDER BY name"));
            while (ok && query.next()) {
                if (auto name = RoomName::parse(query.value(0).toString()))
                    m_rooms.append({*name, query.value(1).toLongLong()});
            }
            if (!ok && error->isEmpty())
                *error = query.lastError().text();
        }
    }
    closeSqliteConnection(connectionName);
    return ok;
}

QList<RoomRecord> SqliteStorage::rooms() const
{
    return m_rooms;
}

void SqliteStorage::append(const RoomName &room, const MessageDraft &draft,
                           const QByteArray &idempotencyKey, QObject *context,
                           std::function<void(const AppendOutcome &)> done)
{
    m_writer->submit({SqliteWriter::Job::Kind::Append, room, draft, idempotencyKey, context,
                      std::move(done), {}});
}

void SqliteStorage::change(const RoomName &room, const EntryChange &change, QObject *context,
                           std::function<void(const ChangeOutcome &)> done)
{
    SqliteWriter::Job job{SqliteWriter::Job::Kind::Change, room, {}, {}, context, {}, {}};
    job.change = change;
    job.onChanged = std::move(done);
    m_writer->submit(std::move(job));
}

void SqliteStorage::createRoom(const RoomName &room, QObject *context,
                               std::function<void(RoomOutcome)> done)
{
    m_writer->submit({SqliteWriter::Job::Kind::CreateRoom, room, {}, {}, context, {}, std::move(done)});
}

void SqliteStorage::read(const RoomName &room, const PageRequest &request, QObject *context,
                         std::function<void(const Page &)> done)
{
    QMetaObject::invokeMethod(
        m_reader.get(),
        [reader = m_reader.get(), room, request, context = QPointer<QObject>(context),
         done = std::move(done)] {
            Page page = reader->read(room, request);
            if (context)
                QMetaObject::invokeMethod(context.data(), [done, page] { done(page); },
                                          Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void SqliteStorage::search(const SearchQuery &query, QObject *context, std::function<void(const SearchPage &)> done)
{
    QMetaObject::invokeMethod(
        m_reader.get(),
        [reader = m_reader.get(), query, context = QPointer<QObject>(context), done = std::move(done)] {
            SearchPage page = reader->search(query);
            if (context)
                QMetaObject::invokeMethod(context.data(), [done, page] { done(page); }, Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void SqliteStorage::checkHealth(QObject *context, std::function<void(const StoreHealth &)> done)
{
    QMetaObject::invokeMethod(
        m_reader.get(),
        [reader = m_reader.get(), writer = m_writer.get(), context = QPointer<QObject>(context),
         done = std::move(done)] {
            StoreHealth health = writer->health();
            health.readProblem = reader->readProblem();
            if (context)
                QMetaObject::invokeMethod(context.data(), [done, health] { done(health); },
                                          Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

CommitStats SqliteStorage::commitStats() const
{
    return m_writer ? m_writer->stats() : CommitStats{};
}

QList<QByteArray> SqliteStorage::loadSessions(const QByteArray &passwordTag)
{
    QString error;
    const QList<QByteArray> hashes = m_sessions->load(passwordTag, &error);
    if (!error.isEmpty())
        qWarning("chatapp: cannot read the sessions: %s", qPrintable(error));
    return hashes;
}

namespace {
// Runs `change` on the sessions' thread and answers `done` on `context`'s.
void changeSessions(SqliteSessions *sessions, QObject *context, std::function<void(bool)> done,
                    std::function<bool(SqliteSessions *)> change)
{
    QMetaObject::invokeMethod(
        sessions,
        [sessions, context = QPointer<QObject>(context), done = std::move(done),
         change = std::move(change)] {
            const bool ok = change(sessions);
            if (context)
                QMetaObject::invokeMethod(context.data(), [done, ok] { done(ok); },
                                          Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}
} // namespace

void SqliteStorage::saveSession(const QByteArray &tokenHash, const QByteArray &passwordTag,
                                QObject *context, std::function<void(bool)> done)
{
    changeSessions(m_sessions.get(), context, std::move(done),
                   [tokenHash, passwordTag](SqliteSessions *sessions) {
                       return sessions->save(tokenHash, passwordTag);
                   });
}

void SqliteStorage::deleteSession(const QByteArray &tokenHash, QObject *context,
                                  std::function<void(bool)> done)
{
    changeSessions(m_sessions.get(), context, std::move(done),
                   [tokenHash](SqliteSessions *sessions) { return sessions->remove(tokenHash); });
}
