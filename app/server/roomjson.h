#pragma once

#include "hub.h"

#include <QByteArray>
#include <QJsonObject>

// A room as every answer that lists rooms shows it: the room list, GET of one room, and
// the rooms changed that a poll or a stream with rooms_since carries.
QJsonObject roomObject(const RoomSummary &room);
// {"rooms_seq":S,"rooms":[...]}, compact.
QByteArray roomChangesJson(const RoomChanges &changes);
