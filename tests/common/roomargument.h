#pragma once

#include "core/roomname.h"

#include <QVariant>

// The room name in a signal argument that QSignalSpy recorded. QVariant::value<RoomName>()
// cannot be used: it needs a default value, and a RoomName has none (only parse() makes one).
inline QString roomIn(const QVariant &argument)
{
    if (argument.metaType() != QMetaType::fromType<RoomName>())
        return {};
    return static_cast<const RoomName *>(argument.constData())->value();
}
