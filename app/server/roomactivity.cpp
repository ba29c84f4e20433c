#include "roomactivity.h"

#include <chrono>

RoomActivity::RoomActivity(qint64 start) : m_start(start), m_current(start) {}

qint64 RoomActivity::startOfProcess()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

void RoomActivity::changed(const QString &room)
{
    const qint64 stamp = ++m_current;
    auto old = m_stampOf.find(room);
    if (old != m_stampOf.end()) {
        m_roomAt.erase(*old);
        *old = stamp;
    } else {
        m_stampOf.insert(room, stamp);
    }
    m_roomAt.emplace_hint(m_roomAt.end(), stamp, room);
}

RoomActivity::Changes RoomActivity::since(qint64 since, qsizetype limit) const
{
    if (since > m_current)
        since = m_start;
    Changes changes;
    changes.seq = m_current;
    for (auto it = m_roomAt.upper_bound(since); it != m_roomAt.end(); ++it) {
        if (changes.rooms.size() == limit) {
            changes.seq = std::prev(it)->first;
            break;
        }
        changes.rooms.append(it->second);
    }
    return changes;
}

bool RoomActivity::changedSince(qint64 since) const
{
    if (since > m_current)
        since = m_start;
    return !m_roomAt.empty() && m_roomAt.rbegin()->first > since;
}
