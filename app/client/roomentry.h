#pragma once

#include "core/message.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <optional>

// One emoji on a message and who chose it, in the order they did.
struct Reaction
{
    QString emoji;
    QStringList names;

    bool operator==(const Reaction &) const = default;
};

// What the room's sequence says besides "a message": each entry of a room is a Message
// (id, author, text, time) and, for the entries this describes, these fields (see
// docs/api.md, room events). Kept out of core's Message so that the client alone reads
// them; the server writes them.
struct RoomEntry
{
    enum class Type { Message, Edit, Delete, React, Unreact };

    Type type = Type::Message;
    MessageId target = 0; // the message an edit, delete or reaction is about
    QString emoji; // of a reaction
    // A message's state as a history page gives it:
    MessageId replyTo = 0;
    bool edited = false;
    bool deleted = false;
    QList<Reaction> reactions;

    bool isMessage() const { return type == Type::Message; }
};

// The entry the server sent as `object`; nullopt when its core fields are malformed.
// The Message keeps `object`'s bytes in `json` only when the entry has more than a plain
// message, so that entryOf() can read them back and plain messages cost nothing extra.
std::optional<Message> receivedEntry(const QJsonObject &object);
RoomEntry entryOf(const Message &message);
RoomEntry entryFromJson(const QJsonObject &object);
