#pragma once

#include "sharedpresence.h"
#include "storage/presencerows.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QPair>
#include <QSet>
#include <QStringList>

// What this node knows of the other nodes' members: their rows as last read from the
// store, merged per (room, name) across nodes, and the changes each read brings (a room's
// online names, who started or stopped typing), so that the hub tells only what changed.
// No database here: rows come in, times are this node's clock.
class OtherNodesPresence
{
public:
    struct Departure
    {
        QString room;
        QString name;
        QDateTime at; // on this node's clock
    };
    struct Changes
    {
        QSet<QString> rooms; // rooms whose names online elsewhere changed
        QList<QPair<QString, QString>> startedTyping; // (room, name)
        QList<QPair<QString, QString>> stoppedTyping;
        QList<Departure> left; // names that left on another node: gone here too, if not seen since
    };

    // How long a name stays online after it was last seen (Hub::onlineWindowMs).
    explicit OtherNodesPresence(qint64 onlineWindowMs);

    // Applies one read at `now`: rows of nodes no longer live are dropped, rows read
    // before (the same version) change nothing.
    Changes apply(const PresenceSnapshot &snapshot, const QDateTime &now);
    QList<MemberElsewhere> online(const QString &room, const QDateTime &cutoff) const;
    bool isTyping(const QString &room, const QString &name, const QDateTime &now) const;
    qsizetype rows() const;

private:
    struct Known
    {
        QDateTime lastSeen; // null: not there
        int openStreams = 0;
        QDateTime typingUntil; // null: not typing
        qint64 version = 0;
    };
    using ByNode = QHash<QString, Known>; // node -> its row
    using Key = QPair<QString, QString>;  // (room, name)

    bool isOnline(const ByNode &nodes, const QDateTime &cutoff) const;
    static bool isTyping(const ByNode &nodes, const QDateTime &now);
    void forget(const Key &key, const QString &node);
    void forgetDeadNodes(const QStringList &liveNodes, const QDateTime &now, Changes &changes);
    void forgetStale(const QDateTime &now);

    qint64 m_onlineWindowMs;
    QHash<QString, QHash<QString, ByNode>> m_rooms; // room -> name -> node -> row
    QHash<QString, QSet<Key>> m_keysOfNode;
};
