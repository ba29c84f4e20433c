#pragma once

#include "apierror.h"
#include "message.h"

#include <QString>
#include <QUrlQuery>
#include <optional>
#include <variant>

namespace Limits {
constexpr int defaultPageSize = 100;
constexpr int maxPageSize = 1000;
constexpr int maxWaitSeconds = 60;
} // namespace Limits

// The query of GET .../messages and .../events, validated.
struct HistoryQuery
{
    std::optional<MessageId> after;
    std::optional<MessageId> before;
    // The entries around this id, about half older and the rest newer: a page to show a
    // message in its context (a quoted message, a search result).
    std::optional<MessageId> around;
    int limit = Limits::defaultPageSize;
    int waitSeconds = 0;
    QString name; // empty: the reader did not say who they are
    // The reader also wants the rooms changed after this room activity sequence number.
    std::optional<qint64> roomsSince;
};

std::variant<HistoryQuery, ApiError> parseHistoryQuery(const QUrlQuery &query);

// A non-negative id as written in a path, a query or Last-Event-ID.
std::optional<MessageId> parseMessageId(QStringView text);

// A page size as written in `limit=`: 1 to Limits::maxPageSize, digits only. Every list
// that pages takes the same limits, and refuses a bad one with the same words.
std::optional<int> parsePageSize(QStringView text);
ApiError invalidPageSize();
