#pragma once

#include <QList>
#include <QString>
#include <QStringList>

// One (room, name) as one node sees it, shared with the other nodes of a store. Times are
// ages and durations, not clock readings: each node turns them into times on its own
// clock, so that nodes whose clocks disagree still agree on who was seen when.
struct PresenceRow
{
    QString room;
    QString name;
    qint64 seenAgoMs = -1;  // how long ago the name was last seen there; -1: not there (it left)
    int openStreams = 0;    // its event streams open on that node
    qint64 typingForMs = 0; // how much longer it counts as typing; 0: not typing
    // Read from the store only: the node that wrote the row, and when (the store's clock,
    // in microseconds), so that a row read twice is known to be the same; and how long
    // ago that was, which for a name that left is when it left.
    QString node;
    qint64 version = 0;
    qint64 writtenAgoMs = 0;
};

// What one read of the store found about the other nodes.
struct PresenceSnapshot
{
    QStringList liveNodes;   // the other nodes still beating: rows of any other are void
    QList<PresenceRow> rows; // rows of live nodes changed since the last read (maybe again)
};
