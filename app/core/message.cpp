#include "message.h"

#include <QJsonDocument>
#include <QTimeZone>

QString formatTimestamp(const QDateTime &timestamp)
{
    return timestamp.toUTC().toString(Qt::ISODateWithMs);
}

QJsonObject Message::toJsonObject() const
{
    return QJsonObject{
        {QStringLiteral("id"), id},
        {QStringLiteral("room"), room},
        {QStringLiteral("author"), author},
        {QStringLiteral("text"), text},
        {QStringLiteral("ts"), formatTimestamp(timestamp)},
    };
}

void Message::serialise()
{
    json = QJsonDocument(toJsonObject()).toJson(QJsonDocument::Compact);
}

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
    if (message.id <= 0 || !message.timestamp.isValid())
        return std::nullopt;
    return message;
}
