#include "message.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTimeZone>

QString formatTimestamp(const QDateTime &timestamp)
{
    return timestamp.toUTC().toString(Qt::ISODateWithMs);
}

QString entryTypeName(EntryType type)
{
    switch (type) {
    case EntryType::Message: return {};
    case EntryType::Edit: return QStringLiteral("edit");
    case EntryType::Deletion: return QStringLiteral("delete");
    case EntryType::Reaction: return QStringLiteral("react");
    case EntryType::ReactionRemoved: return QStringLiteral("unreact");
    }
    return {};
}

std::optional<EntryType> entryTypeFromName(const QString &name)
{
    for (EntryType type : {EntryType::Message, EntryType::Edit, EntryType::Deletion, EntryType::Reaction,
                           EntryType::ReactionRemoved}) {
        if (entryTypeName(type) == name)
            return type;
    }
    return std::nullopt;
}

QJsonObject Message::toJsonObject() const
{
    QJsonObject object{
        {QStringLiteral("id"), id},
        {QStringLiteral("room"), room},
        {QStringLiteral("author"), author},
        {QStringLiteral("text"), text},
        {QStringLiteral("ts"), formatTimestamp(timestamp)},
    };
    if (type != EntryType::Message) {
        object.insert(QStringLiteral("type"), entryTypeName(type));
        object.insert(QStringLiteral("target"), target);
    }
    if (!emoji.isEmpty())
        object.insert(QStringLiteral("emoji"), emoji);
    if (replyTo > 0)
        object.insert(QStringLiteral("reply_to"), replyTo);
    if (editedAt.isValid())
        object.insert(QStringLiteral("edited_ts"), formatTimestamp(editedAt));
    if (deleted)
        object.insert(QStringLiteral("deleted"), true);
    if (!reactions.isEmpty()) {
        QJsonArray list;
        for (const Reaction &reaction : reactions) {
            list.append(QJsonObject{{QStringLiteral("emoji"), reaction.emoji},
                                    {QStringLiteral("names"), QJsonArray::fromStringList(reaction.names)}});
        }
        object.insert(QStringLiteral("reactions"), list);
    }
    return object;
}

void Message::serialise()
{
    json = QJsonDocument(toJsonObject()).toJson(QJsonDocument::Compact);
}

namespace {
// The fields of an entry beyond a message's; false when one has the wrong type.
bool readEntryFields(const QJsonObject &object, Message &message)
{
    const QJsonValue type = object.value(QLatin1String("type"));
    if (!type.isUndefined()) {
        const auto known = type.isString() ? entryTypeFromName(type.toString()) : std::nullopt;
        // A type this client does not know yet is not a message it could show.
        if (!known || *known == EntryType::Message)
            return false;
        message.type = *known;
        message.target = object.value(QLatin1String("target")).toInteger();
        if (message.target <= 0)
            return false;
    }
    message.emoji = object.value(QLatin1String("emoji")).toString();
    message.replyTo = object.value(QLatin1String("reply_to")).toInteger();
    const QJsonValue edited = object.value(QLatin1String("edited_ts"));
    if (edited.isString())
        message.editedAt = QDateTime::fromString(edited.toString(), Qt::ISODateWithMs);
    message.deleted = object.value(QLatin1String("deleted")).toBool();
    for (const QJsonValue &value : object.value(QLatin1String("reactions")).toArray()) {
        const QJsonObject reaction = value.toObject();
        Reaction parsed{reaction.value(QLatin1String("emoji")).toString(), {}};
        for (const QJsonValue &name : reaction.value(QLatin1String("names")).toArray())
            parsed.names.append(name.toString());
        if (!parsed.emoji.isEmpty() && !parsed.names.isEmpty())
            message.reactions.append(parsed);
    }
    return true;
}
} // namespace

std::optional<Message> messageFromJson(const QJsonObject &object)
{
    const QJsonValue id = object.value(QLatin1String("id"));
    const QJsonValue room = object.value(QLatin1String("room"));
    const QJsonValue author = object.value(QLatin1String("author"));
    const QJsonValue text = object.value(QLatin1String("text"));
    const QJsonValue ts = object.value(QLatin1String("ts"));
    if (!id.isDouble() || !room.isString() || !author.isString() || !text.isString() || !ts.isString())
        return std::nullopt;
    Message message;
    message.id = id.toInteger();
    message.room = room.toString();
    message.author = author.toString();
    message.text = text.toString();
    message.timestamp = QDateTime::fromString(ts.toString(), Qt::ISODateWithMs);
    if (message.id <= 0 || !message.timestamp.isValid() || !readEntryFields(object, message))
        return std::nullopt;
    return message;
}
