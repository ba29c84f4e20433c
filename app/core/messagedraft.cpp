#include "messagedraft.h"

#include <algorithm>

namespace {

enum class Field { Author, Text };

QString fieldName(Field field)
{
    return field == Field::Author ? QStringLiteral("author") : QStringLiteral("text");
}

bool isForbiddenControl(char32_t c, Field field)
{
    if (field == Field::Text && (c == U'\n' || c == U'\t'))
        return false;
    return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f);
}

// In a name, characters that change how the text around it is shown (bidi overrides and
// isolates: "ana" followed by U+202E makes the rest of a line read backwards) or that
// show nothing at all (zero-width ones, a soft hyphen), so that two people look alike.
// Text may hold them: scripts and emoji sequences need some.
bool isDeceptiveInName(char32_t c)
{
    return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
        || (c >= 0x200b && c <= 0x200d) || c == 0x2060 || c == 0xfeff || c == 0x00ad;
}

// Counts code points, so that an emoji is one character as a person sees it, and
// rejects what no valid UTF-8 can carry (lone surrogates from a JSON "\ud800" escape).
std::optional<qsizetype> countCharacters(QStringView text, Field field)
{
    qsizetype count = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        char32_t c = text[i].unicode();
        if (QChar::isHighSurrogate(c)) {
            if (i + 1 >= text.size() || !QChar::isLowSurrogate(text[i + 1].unicode()))
                return std::nullopt;
            c = QChar::surrogateToUcs4(text[i], text[i + 1]);
            ++i;
        } else if (QChar::isLowSurrogate(c)) {
            return std::nullopt;
        }
        if (isForbiddenControl(c, field) || (field == Field::Author && isDeceptiveInName(c)))
            return std::nullopt;
        ++count;
    }
    return count;
}

std::variant<QString, ApiError> validateField(Field field, QString value)
{
    const QString name = fieldName(field);
    if (field == Field::Author) {
        value = value.trimmed();
    } else {
        // Windows clients end lines with \r\n; one stored form keeps every reader simple.
        value.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    }
    // Qt's JSON reader (here and in clients) and the form decoder drop a U+FEFF that
    // begins a string, so one sent as "\ufeff" would be stored, then read back without it.
    while (value.startsWith(QChar::ByteOrderMark))
        value = field == Field::Author ? value.sliced(1).trimmed() : value.sliced(1);
    if (value.trimmed().isEmpty())
        return Errors::missingField(name);
    const auto characters = countCharacters(value, field);
    if (!characters)
        return Errors::invalidField(name, field == Field::Text
                                              ? QStringLiteral("holds control characters")
                                              : QStringLiteral("holds control characters, line breaks, or "
                                                               "invisible or direction-changing "
                                                               "characters"));
    const qsizetype limit = field == Field::Author ? Limits::maxAuthorCharacters
                                                   : Limits::maxTextCharacters;
    if (*characters > limit)
        return Errors::fieldTooLong(name, limit);
    return value;
}

} // namespace

std::variant<MessageDraft, ApiError> parseMessageDraft(const QByteArray &contentType,
                                                       const QByteArray &body)
{
    const QString replyField = QStringLiteral("reply_to");
    const auto raw = readBodyFields(contentType, body, {fieldName(Field::Author), fieldName(Field::Text)},
                                    {replyField});
    if (const auto *error = std::get_if<ApiError>(&raw))
        return *error;
    const BodyFields &fields = std::get<BodyFields>(raw);

    MessageDraft draft;
    for (Field field : {Field::Author, Field::Text}) {
        const auto value = fields.constFind(fieldName(field));
        if (value == fields.constEnd())
            return Errors::missingField(fieldName(field));
        auto checked = validateField(field, *value);
        if (auto *error = std::get_if<ApiError>(&checked))
            return *error;
        (field == Field::Author ? draft.author : draft.text) = std::get<QString>(checked);
    }
    if (const auto reply = fields.constFind(replyField); reply != fields.constEnd()) {
        bool number = false;
        draft.replyTo = reply->toLongLong(&number);
        const bool digitsOnly = std::all_of(reply->cbegin(), reply->cend(), [](QChar c) { return c >= u'0' && c <= u'9'; });
        if (!number || !digitsOnly || draft.replyTo <= 0)
            return Errors::invalidField(replyField, QStringLiteral("is not the id of a message"));
    }
    return draft;
}

std::variant<QString, ApiError> validatedMessageText(const QString &text)
{
    return validateField(Field::Text, text);
}

std::optional<QString> normalisedPersonName(const QString &name)
{
    auto checked = validateField(Field::Author, name);
    if (std::holds_alternative<ApiError>(checked))
        return std::nullopt;
    return std::get<QString>(checked);
}

std::variant<QString, ApiError> validatedAuthor(const QString &author)
{
    return validateField(Field::Author, author);
}

qsizetype characterCount(QStringView text)
{
    qsizetype count = 0;
    for (const QChar c : text)
        count += c.isLowSurrogate() ? 0 : 1;
    return count;
}
