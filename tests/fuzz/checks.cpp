#include "checks.h"

#include "core/message.h"
#include "request.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTimeZone>
#include <cstdio>
#include <cstdlib>

namespace {

// Printable either way: the detail of a failure is often made of control characters.
QString quoted(QStringView text)
{
    QString out = QStringLiteral("\"");
    for (QChar c : text) {
        if (c.unicode() >= 0x20 && c.unicode() < 0x7f && c != u'"' && c != u'\\')
            out += c;
        else
            out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
    }
    return out + u'"';
}

// The rules for author and text, written apart from messagedraft.cpp so that the two
// can disagree: "control characters" is Unicode's category Cc.
void checkField(const QString &value, qsizetype limit, bool isText)
{
    const QString shown = quoted(value);
    FUZZ_CHECK(value.isValidUtf16(), shown);
    const QList<uint> characters = value.toUcs4();
    FUZZ_CHECK(!characters.isEmpty() && characters.size() <= limit, shown);
    FUZZ_CHECK(!value.trimmed().isEmpty(), shown);
    FUZZ_CHECK(isText || value == value.trimmed(), shown);
    for (uint c : characters) {
        const bool allowed = isText && (c == u'\n' || c == u'\t');
        FUZZ_CHECK(allowed || QChar::category(char32_t(c)) != QChar::Other_Control, shown);
        // docs/api.md: a name holds no bidi override or isolate, nothing zero-width, no
        // byte order mark and no soft hyphen.
        static const QList<uint> invisibleOrBidi{0x00ad, 0x200b, 0x200c, 0x200d, 0x202a, 0x202b,
                                                 0x202c, 0x202d, 0x202e, 0x2060, 0x2066, 0x2067,
                                                 0x2068, 0x2069, 0xfeff};
        FUZZ_CHECK(isText || !invisibleOrBidi.contains(c), shown);
    }
}

void expectSameDraft(const std::variant<MessageDraft, ApiError> &again, const MessageDraft &draft,
                     const char *encoding)
{
    const QString shown = QString::fromLatin1(encoding) + u' ' + quoted(draft.author) + u' '
                          + quoted(draft.text);
    const auto *decoded = std::get_if<MessageDraft>(&again);
    FUZZ_CHECK(decoded, shown + u' ' + std::get<ApiError>(again).message);
    FUZZ_CHECK(decoded->author == draft.author, shown + u' ' + quoted(decoded->author));
    FUZZ_CHECK(decoded->text == draft.text, shown + u' ' + quoted(decoded->text));
}

} // namespace

void checkPersonName(const QString &name)
{
    checkField(name, Limits::maxAuthorCharacters, false);
}

void invariantFailed(const char *condition, const char *file, int line, const QString &detail)
{
    std::fprintf(stderr, "\n==fuzz_requests== broken invariant at %s:%d: %s\n    %s\n", file, line,
                 condition, qUtf8Printable(detail));
    std::abort();
}

void checkError(const ApiError &error)
{
    static const QRegularExpression codePattern(
        QRegularExpression::anchoredPattern(QStringLiteral("[a-z]+(_[a-z]+)*")));
    FUZZ_CHECK(error.status >= 400 && error.status < 500, error.code);
    FUZZ_CHECK(codePattern.match(error.code).hasMatch(), quoted(error.code));
    FUZZ_CHECK(!error.message.isEmpty(), error.code);

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(error.toJson(), &parseError);
    FUZZ_CHECK(parseError.error == QJsonParseError::NoError, parseError.errorString());
    const QJsonObject body = document.object().value(QLatin1String("error")).toObject();
    FUZZ_CHECK(body.value(QLatin1String("status")).toInt() == error.status, error.code);
    FUZZ_CHECK(body.value(QLatin1String("code")).toString() == error.code, error.code);
    FUZZ_CHECK(body.value(QLatin1String("message")).toString() == error.message,
               quoted(error.message));
}

void checkDraft(const MessageDraft &draft)
{
    checkField(draft.author, Limits::maxAuthorCharacters, false);
    checkField(draft.text, Limits::maxTextCharacters, true);

    // A client may send the same message either way; both must store the same thing.
    const QByteArray json = QJsonDocument(QJsonObject{{QLatin1String("author"), draft.author},
                                                      {QLatin1String("text"), draft.text}})
                                .toJson(QJsonDocument::Compact);
    expectSameDraft(parseMessageDraft("application/json", json), draft, "as JSON");
    const QByteArray form = "author=" + draft.author.toUtf8().toPercentEncoding()
                            + "&text=" + draft.text.toUtf8().toPercentEncoding();
    expectSameDraft(parseMessageDraft("application/x-www-form-urlencoded", form), draft,
                    "as a form");

    // What readers are sent, read back as the client reads it.
    Message message;
    message.id = 1;
    message.room = RoomName::general().value();
    message.author = draft.author;
    message.text = draft.text;
    message.timestamp = QDateTime::fromMSecsSinceEpoch(1795000000123, QTimeZone::utc());
    message.serialise();
    const auto read = messageFromJson(QJsonDocument::fromJson(message.json).object());
    FUZZ_CHECK(read && read->author == draft.author && read->text == draft.text,
               QString::fromUtf8(message.json));
}

void checkHistoryQuery(const HistoryQuery &query)
{
    FUZZ_CHECK(!query.after || *query.after >= 0, QString::number(*query.after));
    FUZZ_CHECK(!query.before || *query.before >= 0, QString::number(*query.before));
    FUZZ_CHECK(query.limit >= 1 && query.limit <= Limits::maxPageSize,
               QString::number(query.limit));
    FUZZ_CHECK(query.waitSeconds >= 0 && query.waitSeconds <= Limits::maxWaitSeconds,
               QString::number(query.waitSeconds));
    // A rooms_seq goes back to clients in JSON: below 2^53, exact in any reader.
    FUZZ_CHECK(!query.roomsSince || (*query.roomsSince >= 0 && *query.roomsSince < (qint64(1) << 53)),
               QString::number(query.roomsSince.value_or(-1)));
    if (!query.name.isEmpty()) {
        checkField(query.name, Limits::maxAuthorCharacters, false);
        // The members list sends the name to clients in JSON.
        const QByteArray json = QJsonDocument(QJsonObject{{QLatin1String("name"), query.name}})
                                    .toJson(QJsonDocument::Compact);
        const QString read =
            QJsonDocument::fromJson(json).object().value(QLatin1String("name")).toString();
        FUZZ_CHECK(read == query.name, quoted(query.name) + u' ' + quoted(read));
    }

    QByteArrayList items;
    if (query.after)
        items << "after=" + QByteArray::number(*query.after);
    if (query.before)
        items << "before=" + QByteArray::number(*query.before);
    if (query.around)
        items << "around=" + QByteArray::number(*query.around);
    items << "limit=" + QByteArray::number(query.limit);
    items << "wait=" + QByteArray::number(query.waitSeconds);
    if (!query.name.isEmpty())
        items << "name=" + query.name.toUtf8().toPercentEncoding();
    if (query.roomsSince)
        items << "rooms_since=" + QByteArray::number(*query.roomsSince);
    const QByteArray target = "/api/v1/rooms/general/messages?" + items.join('&');
    const auto again = parseHistoryQuery(requestQuery(requestUrl(target)));
    const auto *parsed = std::get_if<HistoryQuery>(&again);
    const QString shown = QString::fromLatin1(target);
    FUZZ_CHECK(parsed, shown + u' ' + std::get<ApiError>(again).message);
    FUZZ_CHECK(parsed->after == query.after && parsed->before == query.before && parsed->around == query.around,
               shown);
    FUZZ_CHECK(!query.around || (!query.after && !query.before), shown);
    FUZZ_CHECK(parsed->limit == query.limit && parsed->waitSeconds == query.waitSeconds, shown);
    FUZZ_CHECK(parsed->name == query.name, shown + u' ' + quoted(parsed->name));
    FUZZ_CHECK(parsed->roomsSince == query.roomsSince, shown);
}

void checkReaction(const ReactionDraft &reaction)
{
    checkPersonName(reaction.author);
    FUZZ_CHECK(!reaction.emoji.isEmpty() && reaction.emoji.size() <= 2 * Limits::maxEmojiCharacters,
               quoted(reaction.emoji));
    // Stored and sent back in JSON, it reads back the same.
    const QByteArray json = QJsonDocument(QJsonObject{{QLatin1String("emoji"), reaction.emoji}})
                                .toJson(QJsonDocument::Compact);
    const QString read = QJsonDocument::fromJson(json).object().value(QLatin1String("emoji")).toString();
    FUZZ_CHECK(read == reaction.emoji, quoted(reaction.emoji) + u' ' + quoted(read));
}

void checkRoomListQuery(const RoomListQuery &query)
{
    FUZZ_CHECK(query.limit >= 1 && query.limit <= Limits::maxPageSize,
               QString::number(query.limit));
    if (!query.after)
        return;
    checkRoomName(query.after->value(), query.after);
    const QString next = roomListPageAfter(query.after->value(), query.limit);
    const auto again = parseRoomListQuery(requestQuery(requestUrl(next.toLatin1())));
    const auto *parsed = std::get_if<RoomListQuery>(&again);
    FUZZ_CHECK(parsed, next + u' ' + std::get<ApiError>(again).message);
    FUZZ_CHECK(parsed->after == query.after && parsed->limit == query.limit, next);
}

void checkRoomName(const QString &candidate, const std::optional<RoomName> &room)
{
    static const QRegularExpression pattern(
        QRegularExpression::anchoredPattern(QStringLiteral("[a-z0-9][a-z0-9_-]{0,63}")));
    const QString shown = quoted(candidate);
    FUZZ_CHECK(room.has_value() == pattern.match(candidate).hasMatch(), shown);
    if (!room)
        return;
    FUZZ_CHECK(room->value() == candidate, shown);
    const auto again = RoomName::parse(room->value());
    FUZZ_CHECK(again && *again == *room, shown);
}

void checkMessageId(QStringView text, std::optional<MessageId> id)
{
    const bool digits = !text.isEmpty() && text.size() <= 18
                        && std::all_of(text.begin(), text.end(),
                                       [](QChar c) { return c >= u'0' && c <= u'9'; });
    const QString shown = quoted(text);
    FUZZ_CHECK(id.has_value() == digits, shown);
    if (!id)
        return;
    qsizetype zeros = 0;
    while (zeros + 1 < text.size() && text[zeros] == u'0')
        ++zeros;
    FUZZ_CHECK(QString::number(*id) == text.sliced(zeros), shown);
}
