#pragma once

#include "core/message.h"
#include "reply.h"
#include "storage/storage.h"

#include <QString>
#include <optional>

// The answer last built for a page of a room, kept while the page cannot have changed:
// every poll that one message wakes asks for the page after the same cursor, and each
// would otherwise join the same messages into its own copy and write the same head.
// They are woken one after the other, so one page is enough. Only pages the hub answered
// from memory are kept: those depend on nothing but the key (Hub::readRecent).
class LastPage
{
public:
    struct Key
    {
        QString room;
        PageRequest request;
        MessageId lastId = 0; // the room's, when the page was read

        bool operator==(const Key &) const = default;
    };

    const PreparedJson *find(const Key &key) const
    {
        return m_kept && m_kept->first == key ? &m_kept->second : nullptr;
    }
    const PreparedJson &keep(Key key, QByteArray json)
    {
        m_kept.emplace(std::move(key), PreparedJson(std::move(json)));
        return m_kept->second;
    }

private:
    std::optional<std::pair<Key, PreparedJson>> m_kept;
};
