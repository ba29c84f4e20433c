#include "clusterpresence.h"

#include "storage/postgrespresence.h"

#include <QUuid>

namespace {
// Changes that may wait (a name polling again) are looked at this often; each is written
// once PresenceOutbox::refreshMs has passed since its row was.
constexpr int unhurriedWriteMs = 1000;
} // namespace

ClusterPresence::ClusterPresence(PostgresAddress address, qint64 onlineWindowMs, QObject *parent)
    : SharedPresence(parent)
    , m_others(onlineWindowMs)
{
    // A new id at every start: a restarted node is a new node, and its old rows die with
    // the old id's heartbeat.
    m_worker = std::make_unique<PostgresPresence>(std::move(address), QUuid::createUuid().toString(QUuid::WithoutBraces));
    m_worker->setListener(this, [this](const PresenceSnapshot &snapshot) { received(snapshot); },
                          [this] { m_outbox.rewriteAll(); flush(); });
    m_thread.setObjectName(QStringLiteral("postgres-presence"));
    m_worker->moveToThread(&m_thread);
    m_flushTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &ClusterPresence::flush);
    m_clock.start();
}

ClusterPresence::~ClusterPresence()
{
    if (m_thread.isRunning()) {
        QMetaObject::invokeMethod(m_worker.get(), [worker = m_worker.get()] { worker->close(); },
                                  Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
}

bool ClusterPresence::open(QString *error)
{
    m_thread.start();
    QMetaObject::invokeMethod(m_worker.get(), &PostgresPresence::open, Qt::BlockingQueuedConnection);
    *error = m_worker->openError();
    return error->isEmpty();
}

void ClusterPresence::tell(const LocalPresence &presence, bool prompt)
{
    m_outbox.record(presence, prompt, m_clock.elapsed());
    const int wait = prompt ? promptWriteMs : unhurriedWriteMs;
    if (!m_flushTimer.isActive() || m_flushTimer.remainingTime() > wait)
        m_flushTimer.start(wait);
}

void ClusterPresence::flush()
{
    const QList<PresenceRow> rows = m_outbox.take(m_clock.elapsed());
    if (!rows.isEmpty())
        QMetaObject::invokeMethod(m_worker.get(), [worker = m_worker.get(), rows] { worker->write(rows); },
                                  Qt::QueuedConnection);
    if (m_outbox.pending() && !m_flushTimer.isActive())
        m_flushTimer.start(unhurriedWriteMs);
}

void ClusterPresence::received(const PresenceSnapshot &snapshot)
{
    const OtherNodesPresence::Changes changes = m_others.apply(snapshot, QDateTime::currentDateTimeUtc());
    for (const QString &room : changes.rooms)
        emit othersChanged(room);
    for (const auto &[room, name] : changes.startedTyping)
        emit othersStartedTyping(room, name);
    for (const auto &[room, name] : changes.stoppedTyping)
        emit othersStoppedTyping(room, name);
    for (const OtherNodesPresence::Departure &departure : changes.left)
        emit othersSawLeave(departure.room, departure.name, departure.at);
}

QList<MemberElsewhere> ClusterPresence::elsewhere(const QString &room, const QDateTime &cutoff) const
{
    return m_others.online(room, cutoff);
}
