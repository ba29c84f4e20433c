#pragma once

#include "apierror.h"
#include "historyquery.h"
#include "roomname.h"

#include <QUrlQuery>
#include <optional>
#include <variant>

// The query of GET /api/v1/rooms, validated: a page of the room list in name order.
struct RoomListQuery
{
    std::optional<RoomName> after; // the last name of the previous page; none: from the first
    int limit = Limits::defaultPageSize;
};

std::variant<RoomListQuery, ApiError> parseRoomListQuery(const QUrlQuery &query);

// Where the page after `lastListed` is, as the answer's `next` and Link header give it:
// "/api/v1/rooms?after=NAME&limit=N", percent-encoded.
QString roomListPageAfter(const QString &lastListed, int limit);
