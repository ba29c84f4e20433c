#include "postgresstorage.h"

#include "postgresconnection.h"
#include "postgresreader.h"
#include "postgressessions.h"
#include "postgreswakeups.h"
#include "postgreswriter.h"

#include <QPointer>
#include <QSqlError>
#include <QSqlQuery>

namespace {
// Runs `work` on `worker`'s thread and answers `done` with its result on `context`'s.
template <typename Worker, typename Result>
void answerLater(Worker *worker, QObject *context, std::function<void(const Result &)> done,
                 std::function<Result(Worker *)> work)
{
    QMetaObject::invokeMethod(
        worker,
        [worker, context = QPointer<QObject>(context), done = std::move(done), work = std::move(work)] {
            Result result = work(worker);
            if (context)
                QMetaObject::invokeMethod(context.data(), [done, result] { done(result); }, Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}
} // namespace

PostgresStorage::PostgresStorage(PostgresAddress address)
    : m_address(std::move(address))
{
    m_writerThread.setObjectName(QStringLiteral("postgres-writer"));
    m_readerThread.setObjectName(QStringLiteral("postgres-reader"));
    m_sessionsThread.setObjectName(QStringLiteral("postgres-sessions"));
    m_wakeupsThread.setObjectName(QStringLiteral("postgres-wakeups"));
}

PostgresStorage::~PostgresStorage()
{
    // Whatever was accepted is written before the threads end.
    if (m_writer) {
        QMetaObject::invokeMethod(m_writer.get(), [writer = m_writer.get()] {
            writer->flush();
            writer->close();
        }, Qt::BlockingQueuedConnection);
    }
    if (m_wakeups)
        QMetaObject::invokeMethod(m_wakeups.get(), [wakeups = m_wakeups.get()] { wakeups->close(); },
                                  Qt::BlockingQueuedConnection);
    if (m_sessions)
        QMetaObject::invokeMethod(m_sessions.get(), [sessions = m_sessions.get()] { sessions->close(); },
                                  Qt::BlockingQueuedConnection);
    if (m_reader)
        QMetaObject::invokeMethod(m_reader.get(), [reader = m_reader.get()] { reader->close(); },
                                  Qt::BlockingQueuedConnection);
    m_writerThread.quit();
    m_readerThread.quit();
    m_sessionsThread.quit();
    m_wakeupsThread.quit();
    m_writerThread.wait();
    m_readerThread.wait();
    m_sessionsThread.wait();
    m_wakeupsThread.wait();
}

bool PostgresStorage::open(QString *error)
{
    if (!prepareDatabase(error))
        return false;
    m_writer = std::make_unique<PostgresWriter>(m_address, m_rooms);
    m_reader = std::make_unique<PostgresReader>(m_address);
    m_sessions = std::make_unique<PostgresSessions>(m_address);
    m_wakeups = std::make_unique<PostgresWakeups>(m_address);
    m_writer->setCommitted([wakeups = m_wakeups.get()](const QHash<QString, MessageId> &heads) {
        wakeups->tell(heads);
    });
    m_wakeups->moveToThread(&m_wakeupsThread);
    m_writer->moveToThread(&m_writerThread);
    m_sessions->moveToThread(&m_sessionsThread);
    m_reader->moveToThread(&m_readerThread);
    m_writerThread.start();
    m_readerThread.start();
    m_sessionsThread.start();
    m_wakeupsThread.start();
    QMetaObject::invokeMethod(m_writer.get(), &PostgresWriter::open, Qt::BlockingQueuedConnection);
    QMetaObject::invokeMethod(m_wakeups.get(), &PostgresWakeups::open, Qt::BlockingQueuedConnection);
    QMetaObject::invokeMethod(m_reader.get(), &PostgresReader::open, Qt::BlockingQueuedConnection);
    QMetaObject::invokeMethod(m_sessions.get(), &PostgresSessions::open, Qt::BlockingQueuedConnection);
    for (const QString &problem : {m_writer->openError(), m_reader->openError(), m_sessions->openError()}) {
        if (error->isEmpty())
            *error = problem;
    }
    return error->isEmpty();
}

// On the calling thread, once: the schema, the room `general`, and the rooms as they are
// now. Rooms other nodes create later are not in rooms() (docs/postgres-status.md).
bool PostgresStorage::prepareDatabase(QString *error)
{
    const QString connectionName = QStringLiteral("chatapp-postgres-startup");
    bool ok = false;
    {
        QSqlDatabase database = openPostgresConnection(m_address, connectionName, error);
        if (database.isOpen() && migratePostgresSchema(database, error)) {
            QSqlQuery query(database);
            ok = query.exec(QStringLiteral(
                     "INSERT INTO rooms (name, last_id, created_ms)"
                     " VALUES ('general', 0, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint)"
                     " ON CONFLICT (name) DO NOTHING"))
              && query.exec(QStringLiteral("SELECT name, last_id FROM rooms ORDER BY name"));
            while (ok && query.next()) {
                if (auto name = RoomName::parse(query.value(0).toString()))
                    m_rooms.append({*name, query.value(1).toLongLong()});
            }
            if (!ok)
                *error = query.lastError().text();
        }
    }
    closePostgresConnection(connectionName);
    return ok;
}

QList<RoomRecord> PostgresStorage::rooms() const
{
    return m_rooms;
}

void PostgresStorage::append(const RoomName &room, const MessageDraft &draft, const QByteArray &idempotencyKey,
                             QObject *context, std::function<void(const AppendOutcome &)> done)
{
    m_writer->submit({PostgresWriter::Job::Kind::Append, room, draft, idempotencyKey, context, std::move(done), {}});
}

void PostgresStorage::change(const RoomName &room, const EntryChange &change, QObject *context,
                             std::function<void(const ChangeOutcome &)> done)
{
    PostgresWriter::Job job{PostgresWriter::Job::Kind::Change, room, {}, {}, context, {}, {}};
    job.change = change;
    job.onChanged = std::move(done);
    m_writer->submit(std::move(job));
}

void PostgresStorage::createRoom(const RoomName &room, QObject *context, std::function<void(RoomOutcome)> done)
{
    m_writer->submit({PostgresWriter::Job::Kind::CreateRoom, room, {}, {}, context, {}, std::move(done)});
}

void PostgresStorage::read(const RoomName &room, const PageRequest &request, QObject *context,
                           std::function<void(const Page &)> done)
{
    answerLater<PostgresReader, Page>(m_reader.get(), context, std::move(done),
                                      [room, request](PostgresReader *reader) { return reader->read(room, request); });
}

void PostgresStorage::search(const SearchQuery &query, QObject *context, std::function<void(const SearchPage &)> done)
{
    answerLater<PostgresReader, SearchPage>(m_reader.get(), context, std::move(done),
                                            [query](PostgresReader *reader) { return reader->search(query); });
}

void PostgresStorage::checkHealth(QObject *context, std::function<void(const StoreHealth &)> done)
{
    answerLater<PostgresReader, StoreHealth>(m_reader.get(), context, std::move(done),
                                             [writer = m_writer.get()](PostgresReader *reader) {
                                                 StoreHealth health = writer->health();
                                                 health.readProblem = reader->readProblem();
                                                 return health;
                                             });
}

void PostgresStorage::followHeads(QObject *context, std::function<void(const QList<RoomRecord> &)> moved)
{
    m_wakeups->setHeadsMoved([context = QPointer<QObject>(context), moved = std::move(moved)](const QList<RoomRecord> &heads) {
        if (context)
            QMetaObject::invokeMethod(context.data(), [moved, heads] { moved(heads); }, Qt::QueuedConnection);
    });
}

void PostgresStorage::findRoom(const RoomName &room, QObject *context, std::function<void(const RoomLookup &)> done)
{
    answerLater<PostgresReader, RoomLookup>(m_reader.get(), context, std::move(done),
                                            [room](PostgresReader *reader) { return reader->findRoom(room); });
}

CommitStats PostgresStorage::commitStats() const
{
    return m_writer ? m_writer->stats() : CommitStats{};
}

// Never called: sharesSessions(), so a node looks each token up when it first sees it.
QList<QByteArray> PostgresStorage::loadSessions(const QByteArray &)
{
    return {};
}

void PostgresStorage::saveSession(const QByteArray &tokenHash, const QByteArray &passwordTag, QObject *context,
                                  std::function<void(bool)> done)
{
    answerLater<PostgresSessions, bool>(m_sessions.get(), context, std::move(done),
                                        [tokenHash, passwordTag](PostgresSessions *sessions) {
                                            return sessions->save(tokenHash, passwordTag);
                                        });
}

void PostgresStorage::deleteSession(const QByteArray &tokenHash, QObject *context, std::function<void(bool)> done)
{
    answerLater<PostgresSessions, bool>(m_sessions.get(), context, std::move(done),
                                        [tokenHash](PostgresSessions *sessions) { return sessions->remove(tokenHash); });
}

void PostgresStorage::findSession(const QByteArray &tokenHash, const QByteArray &passwordTag, QObject *context,
                                  std::function<void(SessionFound)> done)
{
    answerLater<PostgresSessions, SessionFound>(m_sessions.get(), context,
                                                [done = std::move(done)](const SessionFound &found) { done(found); },
                                                [tokenHash, passwordTag](PostgresSessions *sessions) {
                                                    return sessions->find(tokenHash, passwordTag);
                                                });
}

void PostgresStorage::watchRevokedSessions(QObject *context, std::function<void(const QList<QByteArray> &, bool)> revoked)
{
    QMetaObject::invokeMethod(
        m_sessions.get(),
        [sessions = m_sessions.get(), context = QPointer<QObject>(context), revoked = std::move(revoked)] {
            sessions->watch(context, revoked);
        },
        Qt::BlockingQueuedConnection);
}
