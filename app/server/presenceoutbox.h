#pragma once

#include "sharedpresence.h"
#include "storage/presencerows.h"

#include <QHash>
#include <QList>
#include <QPair>
#include <QSet>

// What this node has yet to tell the others of its members: a row per (room, name),
// written promptly when the name comes or goes, a stream opens or closes, or it types,
// and otherwise at most every refreshMs, so that a crowd polling costs the store a few
// writes a second rather than one a poll. Times are a monotonic clock's milliseconds.
class PresenceOutbox
{
public:
    // Well inside Hub::onlineWindowMs: a name polling here never looks gone elsewhere.
    static constexpr qint64 refreshMs = 15 * 1000;
    // As TypingBoard::typingLastsMs: the others count a typist as long as this node does.
    static constexpr qint64 typingLastsMs = 5000;
    // A name neither seen within this long nor streaming is forgotten here: the others
    // forget it by its age on their own.
    static constexpr qint64 forgetAfterMs = 60 * 1000;

    void record(const LocalPresence &presence, bool prompt, qint64 nowMs);
    // The rows due now: every prompt change, and any other change not written for refreshMs.
    QList<PresenceRow> take(qint64 nowMs);
    // Changes recorded and not yet taken (some maybe not due yet).
    bool pending() const { return !m_dirty.isEmpty(); }
    // The store lost what was written (its connection or the node's row was gone): write
    // every name known here again, at once.
    void rewriteAll();
    qsizetype known() const { return m_entries.size(); }

private:
    using Key = QPair<QString, QString>; // (room, name)
    struct Entry
    {
        bool here = false;
        qint64 seenMs = 0; // when here; the clock may be below zero
        int openStreams = 0;
        qint64 typingUntilMs = -1;
        qint64 writtenMs = -1; // -1: never written
        bool prompt = false;
        bool forgotten = false;
    };
    void forgetStale(qint64 nowMs);

    QHash<Key, Entry> m_entries;
    QSet<Key> m_dirty;
    qint64 m_lastSweepMs = 0;
};
