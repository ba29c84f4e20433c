#include "timeline.h"

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
