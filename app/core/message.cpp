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
