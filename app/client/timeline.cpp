#include "timeline.h"

namespace {
constexpr qint64 groupGapSeconds = 5 * 60;
}

qsizetype Timeline::merge(const QList<Message> &messages)
{
    qsizetype added = 0;
    for (const Message &message : messages) {
        if (!m_messages.contains(message.id)) {
            m_messages.insert(message.id, message);
            ++added;
        }
    }
    return added;
}

bool continuesGroup(const Message &previous, const Message &next)
{
    if (previous.author != next.author)
        return false;
    const QDateTime before = previous.timestamp.toLocalTime();
    const QDateTime after = next.timestamp.toLocalTime();
    return before.date() == after.date() && before.secsTo(after) < groupGapSeconds;
}
