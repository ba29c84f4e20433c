#include "roomoverview.h"

RoomOverview roomOverviewFrom(const QJsonObject &object)
{
    return {object.value(QLatin1String("name")).toString(),
            object.value(QLatin1String("message_count")).toInteger(),
            object.value(QLatin1String("last_id")).toInteger(),
            object.value(QLatin1String("online")).toInt()};
}
