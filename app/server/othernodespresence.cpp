#include "othernodespresence.h"

OtherNodesPresence::OtherNodesPresence(qint64 onlineWindowMs) : m_onlineWindowMs(onlineWindowMs)
{
}

OtherNodesPresence::Changes OtherNodesPresence::apply(const PresenceSnapshot &snapshot, const QDateTime &now)
{
    Changes changes;
    const QDateTime cutoff = now.addMSecs(-m_onlineWindowMs);
    forgetDeadNodes(snapshot.liveNodes, now, changes);
    const QSet<QString> live(snapshot.liveNodes.cbegin(), snapshot.liveNodes.cend());
    for (const PresenceRow &row : snapshot.rows) {
        if (!live.contains(row.node))
            continue;
        ByNode &nodes = m_rooms[row.room][row.name];
        if (const auto known = nodes.constFind(row.node); known != nodes.cend() && known->version == row.version)
            continue; // read again (reads overlap, so that none is missed): nothing new
        const bool wasOnline = isOnline(nodes, cutoff);
        const bool wasTyping = isTyping(nodes, now);
        Known &known = nodes[row.node];
        known.version = row.version;
        known.lastSeen = row.seenAgoMs < 0 ? QDateTime() : now.addMSecs(-row.seenAgoMs);
        known.openStreams = row.seenAgoMs < 0 ? 0 : row.openStreams;
        known.typingUntil = row.typingForMs > 0 ? now.addMSecs(row.typingForMs) : QDateTime();
        m_keysOfNode[row.node].insert({row.room, row.name});
        if (isOnline(nodes, cutoff) != wasOnline)
            changes.rooms.insert(row.room);
        if (row.seenAgoMs < 0)
            changes.left.append({row.room, row.name, now.addMSecs(-row.writtenAgoMs)});
        // Every new notice counts: the hub's board forgets a typist it is not told of again.
        if (row.typingForMs > 0)
            changes.startedTyping.append({row.room, row.name});
        else if (wasTyping && !isTyping(nodes, now))
            changes.stoppedTyping.append({row.room, row.name});
    }
    forgetStale(now);
    return changes;
}

void OtherNodesPresence::forgetDeadNodes(const QStringList &liveNodes, const QDateTime &now, Changes &changes)
{
    const QSet<QString> live(liveNodes.cbegin(), liveNodes.cend());
    const QDateTime cutoff = now.addMSecs(-m_onlineWindowMs);
    const QStringList nodes = m_keysOfNode.keys();
    for (const QString &node : nodes) {
        if (live.contains(node))
            continue;
        const QSet<Key> keys = m_keysOfNode.take(node);
        for (const Key &key : keys) {
            ByNode &byNode = m_rooms[key.first][key.second];
            const bool wasOnline = isOnline(byNode, cutoff);
            const bool wasTyping = isTyping(byNode, now);
            forget(key, node);
            const ByNode rest = m_rooms.value(key.first).value(key.second);
            if (wasOnline && !isOnline(rest, cutoff))
                changes.rooms.insert(key.first);
            if (wasTyping && !isTyping(rest, now))
                changes.stoppedTyping.append(key);
        }
    }
}

void OtherNodesPresence::forget(const Key &key, const QString &node)
{
    const auto room = m_rooms.find(key.first);
    if (room == m_rooms.end())
        return;
    const auto name = room->find(key.second);
    if (name == room->end())
        return;
    name->remove(node);
    if (name->isEmpty())
        room->erase(name);
    if (room->isEmpty())
        m_rooms.erase(room);
}

// Rows that say nothing any more (gone, or seen too long ago, with no stream and no
// typing) are dropped, so that names that came and went do not pile up.
void OtherNodesPresence::forgetStale(const QDateTime &now)
{
    const QDateTime cutoff = now.addMSecs(-m_onlineWindowMs);
    QList<QPair<Key, QString>> stale;
    for (auto room = m_rooms.cbegin(); room != m_rooms.cend(); ++room) {
        for (auto name = room->cbegin(); name != room->cend(); ++name) {
            for (auto node = name->cbegin(); node != name->cend(); ++node) {
                const Known &known = node.value();
                const bool online = !known.lastSeen.isNull() && (known.openStreams > 0 || known.lastSeen >= cutoff);
                const bool typing = !known.typingUntil.isNull() && known.typingUntil > now;
                if (!online && !typing)
                    stale.append({{room.key(), name.key()}, node.key()});
            }
        }
    }
    for (const auto &[key, node] : stale) {
        forget(key, node);
        if (const auto keys = m_keysOfNode.find(node); keys != m_keysOfNode.end()) {
            keys->remove(key);
            if (keys->isEmpty())
                m_keysOfNode.erase(keys);
        }
    }
}

bool OtherNodesPresence::isOnline(const ByNode &nodes, const QDateTime &cutoff) const
{
    for (const Known &known : nodes) {
        if (!known.lastSeen.isNull() && (known.openStreams > 0 || known.lastSeen >= cutoff))
            return true;
    }
    return false;
}

bool OtherNodesPresence::isTyping(const ByNode &nodes, const QDateTime &now)
{
    for (const Known &known : nodes) {
        if (!known.typingUntil.isNull() && known.typingUntil > now)
            return true;
    }
    return false;
}

QList<MemberElsewhere> OtherNodesPresence::online(const QString &room, const QDateTime &cutoff) const
{
    QList<MemberElsewhere> members;
    const auto names = m_rooms.constFind(room);
    if (names == m_rooms.cend())
        return members;
    for (auto name = names->cbegin(); name != names->cend(); ++name) {
        QDateTime latest;
        bool online = false;
        for (const Known &known : name.value()) {
            if (known.lastSeen.isNull() || (known.openStreams == 0 && known.lastSeen < cutoff))
                continue;
            online = true;
            if (latest.isNull() || known.lastSeen > latest)
                latest = known.lastSeen;
        }
        if (online)
            members.append({name.key(), latest});
    }
    return members;
}

bool OtherNodesPresence::isTyping(const QString &room, const QString &name, const QDateTime &now) const
{
    return isTyping(m_rooms.value(room).value(name), now);
}

qsizetype OtherNodesPresence::rows() const
{
    qsizetype count = 0;
    for (const auto &names : m_rooms) {
        for (const ByNode &nodes : names)
            count += nodes.size();
    }
    return count;
}
