#pragma once

#include "core/message.h"

#include <QJsonObject>
#include <QList>
#include <QString>

// A room as the server lists it, in the room list and in the rooms a poll reports
// changed (docs/api.md, "rooms").
struct RoomOverview
{
    QString name;
    qint64 messageCount = 0;
    MessageId lastId = 0;
    int online = 0;
};

RoomOverview roomOverviewFrom(const QJsonObject &object);
