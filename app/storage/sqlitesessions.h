#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>

// The sessions table, through a connection of its own that lives on the writer's
// thread: sign-ins are rare, so they need no group commit, and sharing the thread
// keeps them from contending with the writer for SQLite's write lock.
class SqliteSessions : public QObject
{
    Q_OBJECT

public:
    explicit SqliteSessions(QString databasePath);
    ~SqliteSessions() override;

    // On the calling thread, before any request is served.
    QList<QByteArray> load(const QByteArray &passwordTag, QString *error);

    // On the writer's thread.
    void open();
    void close();
    bool save(const QByteArray &tokenHash, const QByteArray &passwordTag);
    bool remove(const QByteArray &tokenHash);

private:
    const QString m_databasePath;
    const QString m_connectionName;
};
