#include "postgresreader.h"

#include "entryrows.h"
#include "postgresconnection.h"

#include <QSqlError>
#include <algorithm>
#include <limits>

namespace {
constexpr qint64 failureRememberedMs = 60 * 1000;
} // namespace

PostgresReader::PostgresReader(PostgresAddress address)
    : m_address(std::move(address))
    , m_connectionName(QStringLiteral("chatapp-postgres-reader"))
{
}

void PostgresReader::open()
{
    QString error;
    m_database = openPostgresConnection(m_address, m_connectionName, &error);
    if (!m_database.isOpen())
        m_openError = QStringLiteral("the reader: %1").arg(error);
}

void PostgresReader::close()
{
    m_database = QSqlDatabase();
    closePostgresConnection(m_connectionName);
}

// QPSQL does not reconnect by itself; a connection found closed is opened again.
bool PostgresReader::connected()
{
    return m_database.isOpen() || reconnected();
}

// After a failed read: true when the connection was lost and a new one is open, so that
// the read (idempotent) is worth one more try.
bool PostgresReader::reconnected()
{
    if (m_database.isOpen()) {
        QSqlQuery alive(m_database);
        if (alive.exec(QStringLiteral("SELECT 1")))
            return false; // the connection is fine: the read itself failed
    }
    QString error;
    m_database = QSqlDatabase();
    closePostgresConnection(m_connectionName);
    m_database = openPostgresConnection(m_address, m_connectionName, &error);
    if (m_database.isOpen())
        return true;
    m_lastFailure = error;
    m_sinceLastFailure.start();
    return false;
}

Page PostgresReader::read(const RoomName &room, const PageRequest &request)
{
    QString failure;
    Page page = readOnce(room, request, &failure);
    if (!page.ok && reconnected())
        page = readOnce(room, request, &failure);
    if (!page.ok)
        noteFailure(failure);
    return page;
}

Page PostgresReader::readOnce(const RoomName &room, const PageRequest &request, QString *failure)
{
    Page page;
    if (!connected()) {
        *failure = m_lastFailure;
        return page;
    }
    const bool newestFirst = request.before.has_value() || !request.after.has_value();
    QSqlQuery query(m_database);
    query.prepare(QStringLiteral("SELECT %1 FROM messages WHERE room = ? AND id > ? AND id < ?"
                                 " ORDER BY id %2 LIMIT ?")
                      .arg(messageColumns(), newestFirst ? QStringLiteral("DESC") : QStringLiteral("ASC")));
    query.addBindValue(room.value());
    query.addBindValue(request.after.value_or(0));
    query.addBindValue(request.before.value_or(std::numeric_limits<qint64>::max()));
    query.addBindValue(request.limit);
    if (!query.exec()) {
        *failure = describe(QStringLiteral("reading room '%1'").arg(room.value()), query);
        return page;
    }
    while (query.next())
        page.messages.append(messageFromRow(query, room.value()));
    query.finish();
    if (newestFirst)
        std::reverse(page.messages.begin(), page.messages.end());
    if (!addReactions(query, room.value(), page.messages)) {
        *failure = describe(QStringLiteral("reading the reactions in room '%1'").arg(room.value()), query);
        page.messages.clear();
        return page;
    }
    page.ok = true;
    return page;
}

Storage::RoomLookup PostgresReader::findRoom(const RoomName &room)
{
    QString failure;
    Storage::RoomLookup lookup = findRoomOnce(room, &failure);
    if (!lookup.ok && reconnected())
        lookup = findRoomOnce(room, &failure);
    if (!lookup.ok)
        noteFailure(failure);
    return lookup;
}

Storage::RoomLookup PostgresReader::findRoomOnce(const RoomName &room, QString *failure)
{
    Storage::RoomLookup lookup;
    if (!connected()) {
        *failure = m_lastFailure;
        return lookup;
    }
    QSqlQuery query(m_database);
    query.prepare(QStringLiteral("SELECT last_id FROM rooms WHERE name = ?"));
    query.addBindValue(room.value());
    if (!query.exec()) {
        *failure = describe(QStringLiteral("looking up room '%1'").arg(room.value()), query);
        return lookup;
    }
    if (query.next())
        lookup.head = query.value(0).toLongLong();
    lookup.ok = true;
    return lookup;
}

// PostgreSQL's full text search where SQLite has FTS5: words as the 'simple' parser
// splits them, lower-cased and without accents (unaccent), all of them, whole words.
SearchPage PostgresReader::search(const SearchQuery &request)
{
    QString failure;
    SearchPage page = searchOnce(request, &failure);
    if (!page.ok && reconnected())
        page = searchOnce(request, &failure);
    if (!page.ok)
        noteFailure(failure);
    return page;
}

SearchPage PostgresReader::searchOnce(const SearchQuery &request, QString *failure)
{
    SearchPage page;
    if (!connected()) {
        *failure = m_lastFailure;
        return page;
    }
    QSqlQuery query(m_database);
    query.prepare(QStringLiteral("SELECT %1, m.room, m.search_seq FROM messages m"
                                 " WHERE m.kind = 0 AND chatapp_search_words(m.text) @@ chatapp_search_query(?)"
                                 " AND m.search_seq < ?%2 ORDER BY m.search_seq DESC LIMIT ?")
                      .arg(messageColumns(QStringLiteral("m")),
                           request.room ? QStringLiteral(" AND m.room = ?") : QString()));
    query.addBindValue(request.text);
    query.addBindValue(request.before.value_or(std::numeric_limits<qint64>::max()));
    if (request.room)
        query.addBindValue(request.room->value());
    query.addBindValue(request.limit);
    if (!query.exec()) {
        *failure = describe(QStringLiteral("searching"), query);
        return page;
    }
    while (query.next())
        page.hits.append({messageFromRow(query, query.value(10).toString()), query.value(11).toLongLong()});
    query.finish();
    for (SearchHit &hit : page.hits) {
        QList<Message> one{hit.message};
        if (!addReactions(query, hit.message.room, one)) {
            *failure = describe(QStringLiteral("reading the reactions of search results"), query);
            page.hits.clear();
            return page;
        }
        hit.message = one.first();
    }
    page.ok = true;
    return page;
}

QString PostgresReader::readProblem()
{
    const auto probe = [this] {
        QSqlQuery query(m_database);
        return query.exec(QStringLiteral("SELECT count(*) FROM rooms")) ? QString() : describe(QStringLiteral("a test read"), query);
    };
    if (connected()) {
        QString failure = probe();
        if (!failure.isEmpty() && reconnected())
            failure = probe();
        if (!failure.isEmpty())
            noteFailure(failure);
    }
    if (m_lastFailure.isEmpty() || m_sinceLastFailure.elapsed() > failureRememberedMs)
        return {};
    return QStringLiteral("%1 (%2 s ago)").arg(m_lastFailure).arg(m_sinceLastFailure.elapsed() / 1000);
}

QString PostgresReader::describe(const QString &what, const QSqlQuery &query)
{
    return QStringLiteral("%1 failed: %2").arg(what, query.lastError().text());
}

void PostgresReader::noteFailure(const QString &failure)
{
    // Logged when it changes, not for every read that meets the same trouble.
    if (failure != m_lastFailure || m_sinceLastFailure.elapsed() > failureRememberedMs)
        qWarning("chatapp: %s", qPrintable(failure));
    m_lastFailure = failure;
    m_sinceLastFailure.start();
}
