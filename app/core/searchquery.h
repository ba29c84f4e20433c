#pragma once

#include "apierror.h"
#include "roomname.h"

#include <QString>
#include <QUrlQuery>
#include <optional>
#include <variant>

namespace Limits {
constexpr int defaultSearchPageSize = 20;
constexpr int maxSearchPageSize = 100;
constexpr qsizetype maxSearchCharacters = 200;
} // namespace Limits

// The query of GET /api/v1/search, validated.
struct SearchQuery
{
    QString text; // the words to find, as typed
    std::optional<RoomName> room; // unset: every room
    // Only results older than this cursor (the `next` of the previous page).
    std::optional<qint64> before;
    int limit = Limits::defaultSearchPageSize;
};

std::variant<SearchQuery, ApiError> parseSearchQuery(const QUrlQuery &query);

// `text` as an FTS5 query that finds messages holding every word of it, whatever
// characters it has: each word is a quoted string, so nothing typed is taken for FTS5's
// own syntax (AND, NEAR, *, column filters, unbalanced quotes). Empty for no words.
QString fullTextMatch(QStringView text);

// The path and query of the page after one whose last result had `cursor`.
QString searchPageBefore(const SearchQuery &query, qint64 cursor);
