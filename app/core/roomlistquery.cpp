#include "roomlistquery.h"

#include <QUrl>

std::variant<RoomListQuery, ApiError> parseRoomListQuery(const QUrlQuery &query)
{
    RoomListQuery parsed;
    if (query.hasQueryItem(QStringLiteral("after"))) {
        // Any room name will do, listed or not: the page starts after where it would be.
        parsed.after = RoomName::parse(query.queryItemValue(QStringLiteral("after"), QUrl::FullyDecoded));
        if (!parsed.after)
            return Errors::invalidQuery(QStringLiteral("after"),
                                        QStringLiteral("must be a room name (the last one of the "
                                                       "previous page)"));
    }
    if (query.hasQueryItem(QStringLiteral("limit"))) {
        const auto limit = parsePageSize(query.queryItemValue(QStringLiteral("limit"), QUrl::FullyDecoded));
        if (!limit)
            return invalidPageSize();
        parsed.limit = *limit;
    }
    return parsed;
}

QString roomListPageAfter(const QString &lastListed, int limit)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("after"), lastListed);
    query.addQueryItem(QStringLiteral("limit"), QString::number(limit));
    QUrl url;
    url.setPath(QStringLiteral("/api/v1/rooms"));
    url.setQuery(query);
    return url.toString(QUrl::FullyEncoded);
}
