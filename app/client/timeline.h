#pragma once

#include "core/message.h"

#include <QMap>

// The messages of one room that the window has loaded, in id order and each once, no
// matter how often a poll, a send's answer or a history page brings it.
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

private:
    QMap<MessageId, Message> m_messages;
};
