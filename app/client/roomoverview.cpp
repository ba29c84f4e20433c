#include "roomoverview.h"

std::optional<RoomOverview> roomOverviewFrom(const QJsonObject &object)
{
    const auto name = RoomName::parse(object.value(QLatin1String("name")).toString());
    if (!name)
        return std::nullopt;
    return RoomOverview{*name, object.value(QLatin1String("message_count")).toInteger(),
                        object.value(QLatin1String("last_id")).toInteger(),
                        object.value(QLatin1String("online")).toInt()};
}
