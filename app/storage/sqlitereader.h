#pragma once

#include "storage.h"

#include <QSqlDatabase>

// Owns a read-only connection on a thread of its own. WAL mode lets it read while the
// writer commits, so history pages and health checks never wait behind an fsync.
class SqliteReader : public QObject
{
    Q_OBJECT

public:
    explicit SqliteReader(QString databasePath);

    // On the reader's thread.
    void open();
    void close();
    Page read(const RoomName &room, const PageRequest &request);
    bool ping();

private:
    const QString m_databasePath;
    const QString m_connectionName;
    QSqlDatabase m_database;
};
