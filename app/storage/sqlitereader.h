#pragma once

#include "storage.h"

#include <QElapsedTimer>
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
    // Why open() failed; empty when it did not. On any thread once open() has returned.
    QString openError() const { return m_openError; }
    void close();
    Page read(const RoomName &room, const PageRequest &request);
    SearchPage search(const SearchQuery &query);
    // Why the store cannot read, from a small read now and the reads of the last minute;
    // empty when it can.
    QString readProblem();

private:
    void noteFailure(const QString &what, const QSqlQuery &query);

    const QString m_databasePath;
    const QString m_connectionName;
    QSqlDatabase m_database;
    QString m_openError;
    QString m_lastFailure;
    QElapsedTimer m_sinceLastFailure;
};
