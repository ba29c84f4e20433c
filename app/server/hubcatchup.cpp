// How the hub learns of entries it did not publish itself: with several nodes on one
// store, other nodes write the same rooms. Their entries are read from the store, in
// order, and published as this node's own are; this node's own entries that come back
// before the ids below them wait in RoomState::ahead. With one node the store answers
// every write in id order, so none of this runs.
#include "hub.h"

#include <QTimer>

namespace {
// A read's worth: a node that fell far behind catches up a page at a time.
constexpr int catchUpPageSize = 256;
// A failed read is tried again after this long, as long as it keeps failing.
constexpr int catchUpRetryMs = 500;
} // namespace

void Hub::headMoved(const RoomName &room, MessageId head)
{
    addRoom(room);
    RoomState &state = m_rooms[room.value()];
    state.knownHead = std::max(state.knownHead, head);
    if (state.knownHead <= state.lastId)
        return;
    // Reading every other node's entries of every room cost a send three to four times
    // the CPU on three nodes sharing rooms (docs/benchmarks.md, issue 16).
    if (hasReaders(state) || state.catchingUp || !state.ahead.isEmpty())
        catchUp(room.value());
    else
        skipTo(room.value(), state.knownHead);
}

void Hub::skipTo(const QString &room, MessageId head)
{
    RoomState &state = m_rooms[room];
    state.lastId = head;
    state.recent.clear();
    state.toldId = std::max(state.toldId, head); // nobody to tell
    roomChanged(room);
}

void Hub::readerArrived(const QString &room)
{
    // What other nodes stored while nobody here read the room was skipped: a reader's
    // cursor in it is served from the store, and what comes next is read in order.
    auto state = m_rooms.find(room);
    if (state != m_rooms.end() && state->knownHead > state->lastId)
        catchUp(room);
}

void Hub::publishAhead(const QString &room)
{
    for (;;) {
        RoomState &state = m_rooms[room];
        while (!state.ahead.isEmpty() && state.ahead.firstKey() <= state.lastId)
            state.ahead.erase(state.ahead.begin());
        if (state.ahead.isEmpty() || state.ahead.firstKey() != state.lastId + 1)
            return;
        publishNext(state.ahead.take(state.ahead.firstKey()));
    }
}

void Hub::catchUp(const QString &room)
{
    RoomState &state = m_rooms[room];
    if (state.catchingUp)
        return;
    const bool behind = state.knownHead > state.lastId || !state.ahead.isEmpty();
    if (!behind)
        return;
    state.catchingUp = true;
    m_storage.read(*RoomName::parse(room), PageRequest{state.lastId, std::nullopt, catchUpPageSize}, this,
                   [this, room](const Page &page) { caughtUp(room, page); });
}

void Hub::caughtUp(const QString &room, const Page &page)
{
    if (!page.ok) {
        // The store cannot be read for now. This node's own entries go out without the
        // ones below them rather than wait for it (a reader reads those from the store
        // itself, when it can); the rest is read when the store answers again.
        RoomState &state = m_rooms[room];
        while (!state.ahead.isEmpty())
            publishNext(state.ahead.take(state.ahead.firstKey()));
        QTimer::singleShot(catchUpRetryMs, this, [this, room] {
            m_rooms[room].catchingUp = false;
            catchUp(room);
        });
        return;
    }
    m_rooms[room].catchingUp = false;
    const MessageId firstRead = m_rooms[room].lastId + 1;
    bool progressed = false;
    for (const Message &entry : page.messages) {
        RoomState &state = m_rooms[room];
        if (entry.id != state.lastId + 1)
            continue;
        if (entry.type != EntryType::Message)
            applyStoredChange(state, entry, firstRead);
        publishNext(entry);
        progressed = true;
    }
    publishAhead(room);
    RoomState &state = m_rooms[room];
    if (!progressed && !state.ahead.isEmpty()) {
        // The store has nothing after lastId, yet this node stored an id past it: only a
        // store changed behind ChatApp's back can do that. Never hold an entry back for
        // good; followers read the ids in between, if any appear, from the store.
        publishNext(state.ahead.take(state.ahead.firstKey()));
        publishAhead(room);
    }
    if (progressed || !m_rooms[room].ahead.isEmpty())
        catchUp(room);
}

void Hub::applyStoredChange(RoomState &state, const Message &change, MessageId firstRead)
{
    // A target read in the same page is already as it is now; an older one in `recent`
    // is as it was before the change, and the change does not say what it became (a
    // reaction, say, is one name among several). Forget it and everything before it:
    // reads that far back go to the store, which has it right.
    if (change.target >= firstRead || state.recent.isEmpty() || change.target < state.recent.first().id)
        return;
    const qsizetype stale = qsizetype(change.target - state.recent.first().id) + 1;
    state.recent.remove(0, std::min(stale, state.recent.size()));
    if (change.type == EntryType::Deletion)
        blankEditsOf(state.recent, change.target);
}
