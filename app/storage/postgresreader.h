#pragma once

#include "postgresaddress.h"
#include "storage.h"

#include <QElapsedTimer>
#include <QSqlDatabase>
#include <QSqlQuery>

// A connection of its own for history pages, search and health checks, on a thread of
// its own: a read never waits behind the writer's commit. Reads see committed rows only,
// and a room's ids commit in order (its row lock), so a page never skips an id that
// commits later.
class PostgresReader : public QObject
{
    Q_OBJECT

public:
    explicit PostgresReader(PostgresAddress address);

    // On the reader's thread.
    void open();
    QString openError() const { return m_openError; }
    void close();
    Page read(const RoomName &room, const PageRequest &request);
    SearchPage search(const SearchQuery &query);
    Storage::RoomLookup findRoom(const RoomName &room);
    QString readProblem();

private:
    // One try; on failure `failure` says why, for noteFailure once the retry failed too.
    Page readOnce(const RoomName &room, const PageRequest &request, QString *failure);
    SearchPage searchOnce(const SearchQuery &query, QString *failure);
    Storage::RoomLookup findRoomOnce(const RoomName &room, QString *failure);
    bool connected();
    bool reconnected();
    static QString describe(const QString &what, const QSqlQuery &query);
    void noteFailure(const QString &failure);

    const PostgresAddress m_address;
    const QString m_connectionName;
    QSqlDatabase m_database;
    QString m_openError;
    QString m_lastFailure;
    QElapsedTimer m_sinceLastFailure;
};
