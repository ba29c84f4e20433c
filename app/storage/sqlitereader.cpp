#include "sqlitereader.h"

#include "sqliteconnection.h"

#include <QSqlError>
#include <QSqlQuery>
#include <algorithm>

namespace {
// A damaged page fails only the reads that reach it, and those may come seldom: one
// failure keeps the store reported unreadable this long, however many reads succeed.
constexpr qint64 failureRememberedMs = 60 * 1000;
} // namespace

SqliteReader::SqliteReader(QString databasePath)
    : m_databasePath(std::move(databasePath))
    , m_connectionName(QStringLiteral("chatapp-reader"))
{
}

void SqliteReader::open()
{
    QString error;
    m_database = openSqliteConnection(m_databasePath, m_connectionName, &error);
    if (!m_database.isOpen())
        m_openError = QStringLiteral("the reader cannot open the database: %1").arg(error);
}

void SqliteReader::close()
{
    m_database = QSqlDatabase();
    closeSqliteConnection(m_connectionName);
}

Page SqliteReader::read(const RoomName &room, const PageRequest &request)
{
    Page page;
    const bool newestFirst = request.before.has_value() || !request.after.has_value();
    QSqlQuery query(m_database);
    query.prepare(QStringLiteral("SELECT %1 FROM messages WHERE room = ? AND id > ? AND id < ?"
                                 " ORDER BY id %2 LIMIT ?")
                      .arg(messageColumns(),
                           newestFirst ? QStringLiteral("DESC") : QStringLiteral("ASC")));
    query.addBindValue(room.value());
    query.addBindValue(request.after.value_or(0));
    query.addBindValue(request.before.value_or(std::numeric_limits<qint64>::max()));
    query.addBindValue(request.limit);
    if (!query.exec()) {
        noteFailure(QStringLiteral("reading room '%1'").arg(room.value()), query);
        return page;
    }
    while (query.next())
        page.messages.append(messageFromRow(query, room.value()));
    // A damaged page further on ends the rows early: that is a failed read, not a short page.
    if (query.lastError().isValid()) {
        noteFailure(QStringLiteral("reading room '%1'").arg(room.value()), query);
        page.messages.clear();
        return page;
    }
    if (newestFirst)
        std::reverse(page.messages.begin(), page.messages.end());
    if (!addReactions(query, room.value(), page.messages)) {
        noteFailure(QStringLiteral("reading the reactions in room '%1'").arg(room.value()), query);
        page.messages.clear();
        return page;
    }
    page.ok = true;
    return page;
}

SearchPage SqliteReader::search(const SearchQuery &request)
{
    SearchPage page;
    QSqlQuery query(m_database);
    // The newest first: the greater a message's search_rowid, the later it was stored.
    query.prepare(QStringLiteral("SELECT %1, m.room, s.rowid"
                                 " FROM message_search s JOIN messages m ON m.search_rowid = s.rowid"
                                 " WHERE message_search MATCH ? AND s.rowid < ?%2"
                                 " ORDER BY s.rowid DESC LIMIT ?")
                      .arg(messageColumns(QStringLiteral("m")),
                           request.room ? QStringLiteral(" AND m.room = ?") : QString()));
    query.addBindValue(fullTextMatch(request.text));
    query.addBindValue(request.before.value_or(std::numeric_limits<qint64>::max()));
    if (request.room)
        query.addBindValue(request.room->value());
    query.addBindValue(request.limit);
    if (!query.exec()) {
        noteFailure(QStringLiteral("searching"), query);
        return page;
    }
    while (query.next())
        page.hits.append({messageFromRow(query, query.value(10).toString()), query.value(11).toLongLong()});
    if (query.lastError().isValid()) {
        noteFailure(QStringLiteral("searching"), query);
        page.hits.clear();
        return page;
    }
    // Each as history gives it; at most a page of point reads, as the hits are of any room.
    for (SearchHit &hit : page.hits) {
        QList<Message> one{hit.message};
        if (!addReactions(query, hit.message.room, one)) {
            noteFailure(QStringLiteral("reading the reactions of search results"), query);
            page.hits.clear();
            return page;
        }
        hit.message = one.first();
    }
    page.ok = true;
    return page;
}

QString SqliteReader::readProblem()
{
    // Both tables, each down one path of its tree: cheap enough for every health check.
    QSqlQuery query(m_database);
    for (const char *probe : {"SELECT count(*) FROM rooms",
                              "SELECT room, id FROM messages ORDER BY room DESC, id DESC LIMIT 1"}) {
        if (!query.exec(QString::fromLatin1(probe)) || (!query.next() && query.lastError().isValid())) {
            noteFailure(QStringLiteral("a test read"), query);
            break;
        }
    }
    if (m_lastFailure.isEmpty() || m_sinceLastFailure.elapsed() > failureRememberedMs)
        return {};
    return QStringLiteral("%1 (%2 s ago)").arg(m_lastFailure).arg(m_sinceLastFailure.elapsed() / 1000);
}

void SqliteReader::noteFailure(const QString &what, const QSqlQuery &query)
{
    const QString failure = QStringLiteral("%1 failed: %2").arg(what, query.lastError().text());
    // Logged when it changes, not for every read of the same damaged page.
    if (failure != m_lastFailure || m_sinceLastFailure.elapsed() > failureRememberedMs)
        qWarning("chatapp: %s", qPrintable(failure));
    m_lastFailure = failure;
    m_sinceLastFailure.start();
}
