#include "sqlitereader.h"

#include "sqliteconnection.h"

#include <QSqlError>
#include <QSqlQuery>
#include <algorithm>

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
        qWarning("chatapp: the reader cannot open the database: %s", qPrintable(error));
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
                      .arg(QLatin1String(messageColumns),
                           newestFirst ? QStringLiteral("DESC") : QStringLiteral("ASC")));
    query.addBindValue(room.value());
    query.addBindValue(request.after.value_or(0));
    query.addBindValue(request.before.value_or(std::numeric_limits<qint64>::max()));
    query.addBindValue(request.limit);
    if (!query.exec()) {
        qWarning("chatapp: reading %s failed: %s", qPrintable(room.value()),
                 qPrintable(query.lastError().text()));
        return page;
    }
    while (query.next())
        page.messages.append(messageFromRow(query, room.value()));
    if (newestFirst)
        std::reverse(page.messages.begin(), page.messages.end());
    page.ok = true;
    return page;
}

bool SqliteReader::ping()
{
    QSqlQuery query(m_database);
    return query.exec(QStringLiteral("SELECT count(*) FROM rooms")) && query.next();
}
