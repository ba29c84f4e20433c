#include "presenceoutbox.h"

void PresenceOutbox::record(const LocalPresence &presence, bool prompt, qint64 nowMs)
{
    const Key key{presence.room, presence.name};
    // A name may leave through this node while its polls go to another: its leaving is
    // written even when it was never here.
    Entry &entry = m_entries[key];
    if (presence.forgotten) {
        // Written as seen longer ago than the window: offline everywhere, as it is here.
        entry = Entry{true, nowMs - forgetAfterMs - 1, 0, -1, entry.writtenMs, true, true};
        m_dirty.insert(key);
        return;
    }
    entry.forgotten = false;
    // A name new here is news to the others, however it came.
    prompt = prompt || entry.writtenMs < 0 || entry.here != presence.here;
    entry.here = presence.here;
    entry.seenMs = nowMs;
    entry.openStreams = presence.here ? presence.openStreams : 0;
    if (presence.startedTyping)
        entry.typingUntilMs = nowMs + typingLastsMs;
    else if (!presence.here)
        entry.typingUntilMs = -1;
    entry.prompt = entry.prompt || prompt;
    m_dirty.insert(key);
}

QList<PresenceRow> PresenceOutbox::take(qint64 nowMs)
{
    QList<PresenceRow> rows;
    for (auto key = m_dirty.begin(); key != m_dirty.end();) {
        const auto found = m_entries.find(*key);
        if (found == m_entries.end()) {
            key = m_dirty.erase(key);
            continue;
        }
        Entry &entry = *found;
        if (!entry.prompt && entry.writtenMs >= 0 && nowMs - entry.writtenMs < refreshMs) {
            ++key;
            continue;
        }
        PresenceRow row;
        row.room = key->first;
        row.name = key->second;
        row.seenAgoMs = entry.here ? nowMs - entry.seenMs : -1;
        row.openStreams = entry.openStreams;
        row.typingForMs = entry.typingUntilMs > nowMs ? entry.typingUntilMs - nowMs : 0;
        rows.append(row);
        entry.writtenMs = nowMs;
        entry.prompt = false;
        if (!entry.here || entry.forgotten)
            m_entries.erase(found); // its going is written: nothing more to say of it
        key = m_dirty.erase(key);
    }
    if (nowMs - m_lastSweepMs >= refreshMs)
        forgetStale(nowMs);
    return rows;
}

void PresenceOutbox::rewriteAll()
{
    for (auto entry = m_entries.begin(); entry != m_entries.end(); ++entry) {
        entry->prompt = true;
        m_dirty.insert(entry.key());
    }
}

void PresenceOutbox::forgetStale(qint64 nowMs)
{
    m_lastSweepMs = nowMs;
    for (auto entry = m_entries.begin(); entry != m_entries.end();) {
        const bool stale = entry->openStreams == 0 && nowMs - entry->seenMs >= forgetAfterMs
            && !m_dirty.contains(entry.key());
        entry = stale ? m_entries.erase(entry) : std::next(entry);
    }
}
