#include "roomjson.h"

#include <QJsonArray>
#include <QJsonDocument>

QJsonObject roomObject(const RoomSummary &room)
{
    return {
        {QStringLiteral("name"), room.name},
        {QStringLiteral("message_count"), room.lastId}, // ids are gapless and never deleted
        {QStringLiteral("last_id"), room.lastId},
        {QStringLiteral("online"), room.online},
    };
}

QByteArray roomChangesJson(const RoomChanges &changes)
{
    QJsonArray rooms;
    for (const RoomSummary &room : changes.rooms)
        rooms.append(roomObject(room));
    const QJsonObject object{{QStringLiteral("rooms_seq"), changes.seq},
                             {QStringLiteral("rooms"), rooms}};
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}
