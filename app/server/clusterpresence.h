#pragma once

#include "othernodespresence.h"
#include "presenceoutbox.h"
#include "sharedpresence.h"
#include "storage/postgresaddress.h"

#include <QElapsedTimer>
#include <QThread>
#include <QTimer>
#include <memory>

class PostgresPresence;

// Presence shared through PostgreSQL with the other nodes of the store: what the hub
// tells goes out through a PresenceOutbox to the presence thread; what that thread reads
// of the others every second is merged by OtherNodesPresence and announced. Nothing here
// waits for the database: the server thread only queues and reads memory.
class ClusterPresence final : public SharedPresence
{
    Q_OBJECT

public:
    // `onlineWindowMs` as the hub's (Hub::onlineWindowMs).
    ClusterPresence(PostgresAddress address, qint64 onlineWindowMs, QObject *parent = nullptr);
    ~ClusterPresence() override;

    // Synchronous, for start-up: connects and registers this node.
    bool open(QString *error);

    void tell(const LocalPresence &presence, bool prompt) override;
    QList<MemberElsewhere> elsewhere(const QString &room, const QDateTime &cutoff) const override;

    // How soon a prompt change is written: changes within it share one statement.
    static constexpr int promptWriteMs = 200;

private:
    void flush();
    void received(const PresenceSnapshot &snapshot);

    QThread m_thread;
    std::unique_ptr<PostgresPresence> m_worker;
    PresenceOutbox m_outbox;
    OtherNodesPresence m_others;
    QTimer m_flushTimer;
    QElapsedTimer m_clock;
};
