#include "roomentry.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace {
RoomEntry::Type typeOf(const QJsonValue &value)
{
    const QString type = value.toString();
    if (type == u"edit")
        return RoomEntry::Type::Edit;
    if (type == u"delete")
        return RoomEntry::Type::Delete;
    if (type == u"react")
        return RoomEntry::Type::React;
    if (type == u"unreact")
        return RoomEntry::Type::Unreact;
    return RoomEntry::Type::Message;
}

// reply_to and target are integers; a digit string is taken too, as the server takes it.
MessageId idOf(const QJsonValue &value)
{
    if (value.isDouble())
        return std::max<MessageId>(0, value.toInteger());
    return value.isString() ? std::max<MessageId>(0, value.toString().toLongLong()) : 0;
}

const QLatin1String beyondAMessage[] = {QLatin1String("type"), QLatin1String("reply_to"), QLatin1String("edited_ts"),
                                       QLatin1String("deleted"), QLatin1String("reactions")};
} // namespace

std::optional<Message> receivedEntry(const QJsonObject &object)
{
    std::optional<Message> message = messageFromJson(object);
    if (!message)
        return std::nullopt;
    for (const QLatin1String &key : beyondAMessage) {
        if (object.contains(key)) {
            message->json = QJsonDocument(object).toJson(QJsonDocument::Compact);
            break;
        }
    }
    return message;
}

RoomEntry entryOf(const Message &message)
{
    if (message.json.isEmpty())
        return {};
    return entryFromJson(QJsonDocument::fromJson(message.json).object());
}

RoomEntry entryFromJson(const QJsonObject &object)
{
    RoomEntry entry;
    entry.type = typeOf(object.value(QLatin1String("type")));
    if (!entry.isMessage()) {
        entry.target = idOf(object.value(QLatin1String("target")));
        entry.emoji = object.value(QLatin1String("emoji")).toString();
        return entry;
    }
    entry.replyTo = idOf(object.value(QLatin1String("reply_to")));
    entry.edited = object.value(QLatin1String("edited_ts")).isString();
    entry.deleted = object.value(QLatin1String("deleted")).toBool();
    for (const QJsonValue &value : object.value(QLatin1String("reactions")).toArray()) {
        Reaction reaction;
        reaction.emoji = value.toObject().value(QLatin1String("emoji")).toString();
        for (const QJsonValue &name : value.toObject().value(QLatin1String("names")).toArray())
            reaction.names.append(name.toString());
        if (!reaction.emoji.isEmpty() && !reaction.names.isEmpty())
            entry.reactions.append(reaction);
    }
    return entry;
}
