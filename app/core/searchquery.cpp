#include "searchquery.h"

#include "historyquery.h"

#include <QRegularExpression>
#include <QUrl>

std::variant<SearchQuery, ApiError> parseSearchQuery(const QUrlQuery &query)
{
    SearchQuery parsed;
    parsed.text = query.queryItemValue(QStringLiteral("q"), QUrl::FullyDecoded).trimmed();
    if (fullTextMatch(parsed.text).isEmpty())
        return Errors::invalidQuery(QStringLiteral("q"), QStringLiteral("must hold a word to search for"));
    if (parsed.text.size() > Limits::maxSearchCharacters)
        return Errors::invalidQuery(QStringLiteral("q"), QStringLiteral("must be at most %1 characters")
                                                             .arg(Limits::maxSearchCharacters));
    if (query.hasQueryItem(QStringLiteral("room"))) {
        parsed.room = RoomName::parse(query.queryItemValue(QStringLiteral("room"), QUrl::FullyDecoded));
        if (!parsed.room)
            return Errors::invalidQuery(QStringLiteral("room"), QStringLiteral("must be a room name"));
    }
    if (query.hasQueryItem(QStringLiteral("before"))) {
        const auto before = parseMessageId(query.queryItemValue(QStringLiteral("before"), QUrl::FullyDecoded));
        if (!before)
            return Errors::invalidQuery(QStringLiteral("before"),
                                        QStringLiteral("must be the `next` cursor of a previous page"));
        parsed.before = *before;
    }
    if (query.hasQueryItem(QStringLiteral("limit"))) {
        const auto limit = parsePageSize(query.queryItemValue(QStringLiteral("limit"), QUrl::FullyDecoded));
        if (!limit || *limit > Limits::maxSearchPageSize)
            return Errors::invalidQuery(QStringLiteral("limit"), QStringLiteral("must be a number from 1 to %1")
                                                                     .arg(Limits::maxSearchPageSize));
        parsed.limit = *limit;
    }
    return parsed;
}

QString fullTextMatch(QStringView text)
{
    // Words as FTS5's unicode61 tokenizer sees them: runs of letters, digits and marks.
    static const QRegularExpression word(QStringLiteral(R"([\p{L}\p{N}\p{M}]+)"));
    QStringList terms;
    for (const QRegularExpressionMatch &match : word.globalMatch(text))
        terms.append(u'"' + match.captured() + u'"');
    return terms.join(u' ');
}

QString searchPageBefore(const SearchQuery &query, qint64 cursor)
{
    QUrlQuery next;
    next.addQueryItem(QStringLiteral("q"), query.text);
    if (query.room)
        next.addQueryItem(QStringLiteral("room"), query.room->value());
    next.addQueryItem(QStringLiteral("before"), QString::number(cursor));
    next.addQueryItem(QStringLiteral("limit"), QString::number(query.limit));
    QUrl url;
    url.setPath(QStringLiteral("/api/v1/search"));
    url.setQuery(next);
    return url.toString(QUrl::FullyEncoded);
}
