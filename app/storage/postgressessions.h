#pragma once

#include "postgresaddress.h"

#include <QByteArray>
#include <QList>
#include <QObject>

class QSqlQuery;

// The sessions table through a connection of its own, on the writer's thread: sign-ins
// are rare and need no group commit.
class PostgresSessions : public QObject
{
    Q_OBJECT

public:
    explicit PostgresSessions(PostgresAddress address);

    // On the calling thread, before any request is served. Unlike SQLite's, it forgets
    // no session of another password: another node, started with the old password, may
    // still be serving them (each node checks the tag of its own password).
    QList<QByteArray> load(const QByteArray &passwordTag, QString *error);

    // On the writer's thread.
    void open();
    void close();
    bool save(const QByteArray &tokenHash, const QByteArray &passwordTag);
    bool remove(const QByteArray &tokenHash);

private:
    bool exec(QSqlQuery &query);

    const PostgresAddress m_address;
    const QString m_connectionName;
};
