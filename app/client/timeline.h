#pragma once

#include "core/message.h"

#include <QMap>

// The entries of one room that the window has loaded (messages and what changed them),
// in id order and each once, no matter how often a poll, a send's answer or a history
// page brings it. They are the newest of the room and what is older down to the oldest
// held, except after a jump to a message far back: that page is held apart, with a gap
// above it (runStart()) until the pages between are loaded.
class Timeline
{
public:
    // Adds what is new; returns how many were.
    qsizetype merge(const QList<Message> &messages);

    const QMap<MessageId, Message> &messages() const { return m_messages; }
    bool isEmpty() const { return m_messages.isEmpty(); }
    MessageId oldestId() const { return m_messages.isEmpty() ? 0 : m_messages.firstKey(); }
    MessageId newestId() const { return m_messages.isEmpty() ? 0 : m_messages.lastKey(); }
    // Ids in a room start at 1 and have no gaps, so anything above 1 has older history.
    bool hasOlder() const { return oldestId() > 1; }
    // The oldest id of the run of ids that reaches the newest: above oldestId() when a
    // gap separates the run from a page loaded apart.
    MessageId runStart() const { return m_runStart; }
    bool hasGap() const { return m_runStart > oldestId(); }

private:
    QMap<MessageId, Message> m_messages;
    MessageId m_runStart = 0;
};
