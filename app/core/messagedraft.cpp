#include "messagedraft.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>

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
        if (isForbiddenControl(c, field))
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
    if (value.trimmed().isEmpty())
        return Errors::missingField(name);
    const auto characters = countCharacters(value, field);
    if (!characters)
        return Errors::invalidField(name, field == Field::Text
                                              ? QStringLiteral("holds control characters")
                                              : QStringLiteral("holds control characters or line breaks"));
    const qsizetype limit = field == Field::Author ? Limits::maxAuthorCharacters
                                                   : Limits::maxTextCharacters;
    if (*characters > limit)
        return Errors::fieldTooLong(name, limit);
    return value;
}

std::optional<QString> decodeUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

struct RawFields
{
    std::optional<QString> author;
    std::optional<QString> text;
};

std::variant<RawFields, ApiError> readJson(const QByteArray &body)
{
    if (!decodeUtf8(body))
        return Errors::invalidJson(QStringLiteral("it is not valid UTF-8"));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Errors::invalidJson(parseError.errorString());
    if (!document.isObject())
        return Errors::invalidJson(QStringLiteral("it is not an object"));
    const QJsonObject object = document.object();
    RawFields fields;
    for (Field field : {Field::Author, Field::Text}) {
        const QJsonValue value = object.value(fieldName(field));
        if (value.isUndefined() || value.isNull())
            continue;
        if (!value.isString())
            return Errors::invalidField(fieldName(field), QStringLiteral("is not a string"));
        (field == Field::Author ? fields.author : fields.text) = value.toString();
    }
    return fields;
}

// application/x-www-form-urlencoded: '&'-separated key=value pairs, '+' for space, then
// percent-encoding. Decoded by hand only because QUrlQuery would silently replace
// invalid UTF-8, which we must refuse instead.
std::variant<RawFields, ApiError> readForm(const QByteArray &body)
{
    RawFields fields;
    for (const QByteArray &pair : body.split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype equals = pair.indexOf('=');
        const QByteArray key = QByteArray::fromPercentEncoding(
            QByteArray(pair.left(equals < 0 ? pair.size() : equals)).replace('+', ' '));
        const QByteArray rawValue = equals < 0 ? QByteArray() : pair.mid(equals + 1);
        std::optional<QString> *slot = key == "author" ? &fields.author
                                     : key == "text"   ? &fields.text
                                                       : nullptr;
        if (!slot || slot->has_value())
            continue; // unknown keys are ignored; the first of a repeated key wins
        const auto value = decodeUtf8(
            QByteArray::fromPercentEncoding(QByteArray(rawValue).replace('+', ' ')));
        if (!value)
            return Errors::invalidField(QString::fromLatin1(key), QStringLiteral("is not valid UTF-8"));
        *slot = *value;
    }
    return fields;
}

} // namespace

std::variant<MessageDraft, ApiError> parseMessageDraft(const QByteArray &contentType,
                                                       const QByteArray &body)
{
    if (body.size() > Limits::maxBodyBytes)
        return Errors::payloadTooLarge(Limits::maxBodyBytes);
    const QByteArray mediaType = contentType.split(';').first().trimmed().toLower();
    std::variant<RawFields, ApiError> raw;
    if (mediaType == "application/json")
        raw = readJson(body);
    else if (mediaType == "application/x-www-form-urlencoded")
        raw = readForm(body);
    else
        return Errors::unsupportedMediaType(contentType);
    if (auto *error = std::get_if<ApiError>(&raw))
        return *error;
    const RawFields &fields = std::get<RawFields>(raw);

    MessageDraft draft;
    for (Field field : {Field::Author, Field::Text}) {
        const std::optional<QString> &value = field == Field::Author ? fields.author : fields.text;
        if (!value)
            return Errors::missingField(fieldName(field));
        auto checked = validateField(field, *value);
        if (auto *error = std::get_if<ApiError>(&checked))
            return *error;
        (field == Field::Author ? draft.author : draft.text) = std::get<QString>(checked);
    }
    return draft;
}

std::optional<QString> normalisedPersonName(const QString &name)
{
    auto checked = validateField(Field::Author, name);
    if (std::holds_alternative<ApiError>(checked))
        return std::nullopt;
    return std::get<QString>(checked);
}
