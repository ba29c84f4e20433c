#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

using MessageId = qint64;

// What an entry of a room's sequence is. Every change to a room takes the room's next
// id, so that one cursor follows messages and what happens to them alike.
enum class EntryType {
    Message,
    Edit,            // `target` now says `text`
    Deletion,        // `target` is deleted, its text gone
    Reaction,        // `author` reacted to `target` with `emoji`
    ReactionRemoved, // `author` took that reaction back
};

struct Reaction
{
    QString emoji;
    QStringList names; // in the order they reacted

    bool operator==(const Reaction &) const = default;
};

// A stored entry of a room: a message, or a change to one. `json` is its serialised
// form, made once when it is stored or loaded so that every reader and subscriber is
// sent the same bytes.
struct Message
{
    MessageId id = 0;
    QString room;
    QString author;
    QString text;
    QDateTime timestamp;
    QByteArray json;

    EntryType type = EntryType::Message;
    MessageId target = 0;  // the message a change is about
    MessageId replyTo = 0; // a message this one answers; 0 for none
    QString emoji;         // of a reaction entry

    // A message as it is now (history): set only once it was edited, deleted or reacted
    // to, so that a message nobody touched serialises to the bytes it always had.
    QDateTime editedAt;
    bool deleted = false;
    QList<Reaction> reactions;

    bool isMessage() const { return type == EntryType::Message; }
    QJsonObject toJsonObject() const;
    // Fills `json` from the other fields; call once after they are set.
    void serialise();
};

// The entry a server sent, or nullopt when `object` lacks a field or has the wrong type.
std::optional<Message> messageFromJson(const QJsonObject &object);

// ISO 8601, UTC, milliseconds: "2026-11-24T03:49:00.123Z".
QString formatTimestamp(const QDateTime &timestamp);

// The `type` of an entry in the API ("edit", ...), empty for a message; and back.
QString entryTypeName(EntryType type);
std::optional<EntryType> entryTypeFromName(const QString &name);
