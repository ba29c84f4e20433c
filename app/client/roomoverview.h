#pragma once

#include "core/message.h"
#include "core/roomname.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

// A room as the server lists it, in the room list and in the rooms a poll reports
// changed (docs/api.md, "rooms").
struct RoomOverview
{
    RoomName name;
    qint64 messageCount = 0;
    MessageId lastId = 0;
    int online = 0;
};

// nullopt for an object whose name is not a room name: a server's word is checked too.
std::optional<RoomOverview> roomOverviewFrom(const QJsonObject &object);
