#include "historyquery.h"

#include "messagedraft.h"

namespace {

std::optional<qint64> parseBoundedInteger(QStringView text, qint64 minimum, qint64 maximum)
{
    // Digits only: toLongLong would also take "+5", " 5" and "0x5".
    if (text.isEmpty() || text.size() > 18)
        return std::nullopt;
    for (QChar c : text) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
    }
    const qint64 value = text.toLongLong();
    if (value < minimum || value > maximum)
        return std::nullopt;
    return value;
}

} // namespace

std::optional<MessageId> parseMessageId(QStringView text)
{
    return parseBoundedInteger(text, 0, std::numeric_limits<qint64>::max());
}

std::optional<int> parsePageSize(QStringView text)
{
    const auto size = parseBoundedInteger(text, 1, Limits::maxPageSize);
    return size ? std::optional<int>(int(*size)) : std::nullopt;
}

ApiError invalidPageSize()
{
    return Errors::invalidQuery(QStringLiteral("limit"),
                                QStringLiteral("must be from 1 to %1").arg(Limits::maxPageSize));
}

std::variant<HistoryQuery, ApiError> parseHistoryQuery(const QUrlQuery &query)
{
    HistoryQuery parsed;
    auto value = [&](const QString &key) { return query.queryItemValue(key, QUrl::FullyDecoded); };

    for (const QString &key : {QStringLiteral("after"), QStringLiteral("before"), QStringLiteral("around")}) {
        if (!query.hasQueryItem(key))
            continue;
        const auto id = parseMessageId(value(key));
        if (!id)
            return Errors::invalidQuery(key, QStringLiteral("must be a message id (0 or more)"));
        (key == u"after" ? parsed.after : key == u"before" ? parsed.before : parsed.around) = *id;
    }
    if (parsed.around && (parsed.after || parsed.before))
        return Errors::invalidQuery(QStringLiteral("around"), QStringLiteral("cannot go with after or before"));
    if (query.hasQueryItem(QStringLiteral("limit"))) {
        const auto limit = parsePageSize(value(QStringLiteral("limit")));
        if (!limit)
            return invalidPageSize();
        parsed.limit = *limit;
    }
    if (query.hasQueryItem(QStringLiteral("wait"))) {
        const auto wait = parseBoundedInteger(value(QStringLiteral("wait")), 0, Limits::maxWaitSeconds);
        if (!wait)
            return Errors::invalidQuery(QStringLiteral("wait"),
                                        QStringLiteral("must be from 0 to %1 seconds")
                                            .arg(Limits::maxWaitSeconds));
        parsed.waitSeconds = int(*wait);
    }
    if (query.hasQueryItem(QStringLiteral("rooms_since"))) {
        // Below 2^53: what any JSON reader, JavaScript's included, holds exactly.
        constexpr qint64 maxExactJsonInteger = (qint64(1) << 53) - 1;
        const auto since = parseBoundedInteger(value(QStringLiteral("rooms_since")), 0, maxExactJsonInteger);
        if (!since)
            return Errors::invalidQuery(QStringLiteral("rooms_since"),
                                        QStringLiteral("must be a rooms_seq the server gave "
                                                       "(an integer from 0 to 2^53 - 1)"));
        parsed.roomsSince = *since;
    }
    if (query.hasQueryItem(QStringLiteral("name"))) {
        const auto name = normalisedPersonName(value(QStringLiteral("name")));
        if (!name)
            return Errors::invalidQuery(QStringLiteral("name"),
                                        QStringLiteral("must be 1 to %1 characters with no control, "
                                                       "invisible or direction-changing characters")
                                            .arg(Limits::maxAuthorCharacters));
        parsed.name = *name;
    }
    return parsed;
}
