#pragma once

#include "postgresaddress.h"
#include "storage.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <functional>
#include <memory>

class QSqlQuery;

// The sessions of every node on the database, through a connection of its own on a
// thread of its own (a lookup must not wait behind the writer's batches, nor a writer
// stuck on a lock). Sign-ins insert a row; a sign-out deletes it and appends the token's
// hash to session_revocations, which every node reads about once a second from where it
// last stopped: how a token revoked on one node is refused on all of them within 2 s,
// also when a notification would have been lost. Log entries are numbered in commit
// order (appends take the table's lock in turn), so reading past the last number seen
// skips none; they are kept 10 minutes.
class PostgresSessions : public QObject
{
    Q_OBJECT

public:
    using Revoked = std::function<void(const QList<QByteArray> &revoked, bool lostTrack)>;

    explicit PostgresSessions(PostgresAddress address);
    ~PostgresSessions() override;

    // On the sessions' thread. open() reads where the revocation log ends, before any
    // request is served: a revocation after that is always seen.
    void open();
    QString openError() const { return m_openError; }
    void close();
    bool save(const QByteArray &tokenHash, const QByteArray &passwordTag);
    bool remove(const QByteArray &tokenHash);
    Storage::SessionFound find(const QByteArray &tokenHash, const QByteArray &passwordTag);
    void watch(QPointer<QObject> context, Revoked revoked);

private:
    bool exec(QSqlQuery &query);
    bool reconnect(QString *error);
    bool appendRevocation(const QByteArray &tokenHash);
    void readRevocations();
    void purgeRevocations();

    const PostgresAddress m_address;
    const QString m_connectionName;
    QString m_openError;
    qint64 m_lastRevocation = -1; // -1: the log's end is not known yet
    QPointer<QObject> m_watcher;
    Revoked m_revoked;
    std::unique_ptr<QTimer> m_pollTimer;
    QElapsedTimer m_sinceLastRead;
    QElapsedTimer m_sinceLastPurge;
};
