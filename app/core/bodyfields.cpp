#include "bodyfields.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>
#include <cmath>
#include <optional>

namespace {

std::optional<QString> decodeUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

// Whole numbers a double holds exactly, as ids are.
std::optional<qint64> wholeNumber(const QJsonValue &value)
{
    constexpr double largestExact = 9007199254740991.0; // 2^53 - 1
    const double number = value.toDouble();
    if (!value.isDouble() || number != std::floor(number) || std::abs(number) > largestExact)
        return std::nullopt;
    return qint64(number);
}

std::variant<BodyFields, ApiError> readJson(const QByteArray &body, const QStringList &names,
                                            const QStringList &numberNames)
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
    BodyFields fields;
    for (const QString &name : names + numberNames) {
        const QJsonValue value = object.value(name);
        if (value.isUndefined() || value.isNull())
            continue;
        if (value.isString()) {
            fields.insert(name, value.toString());
            continue;
        }
        const auto number = numberNames.contains(name) ? wholeNumber(value) : std::nullopt;
        if (!number) {
            return Errors::invalidField(name, numberNames.contains(name) ? QStringLiteral("is not a whole number")
                                                                         : QStringLiteral("is not a string"));
        }
        fields.insert(name, QString::number(*number));
    }
    return fields;
}

// application/x-www-form-urlencoded: '&'-separated key=value pairs, '+' for space, then
// percent-encoding. Decoded by hand only because QUrlQuery would silently replace
// invalid UTF-8, which we must refuse instead.
std::variant<BodyFields, ApiError> readForm(const QByteArray &body, const QStringList &names)
{
    BodyFields fields;
    for (const QByteArray &pair : body.split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype equals = pair.indexOf('=');
        const QString key = QString::fromLatin1(QByteArray::fromPercentEncoding(
            QByteArray(pair.left(equals < 0 ? pair.size() : equals)).replace('+', ' ')));
        if (!names.contains(key) || fields.contains(key))
            continue; // unknown keys are ignored; the first of a repeated key wins
        const QByteArray rawValue = equals < 0 ? QByteArray() : pair.mid(equals + 1);
        const auto value = decodeUtf8(
            QByteArray::fromPercentEncoding(QByteArray(rawValue).replace('+', ' ')));
        if (!value)
            return Errors::invalidField(key, QStringLiteral("is not valid UTF-8"));
        fields.insert(key, *value);
    }
    return fields;
}

} // namespace

std::variant<BodyFields, ApiError> readBodyFields(const QByteArray &contentType,
                                                  const QByteArray &body, const QStringList &names,
                                                  const QStringList &numberNames)
{
    if (body.size() > Limits::maxBodyBytes)
        return Errors::payloadTooLarge(Limits::maxBodyBytes);
    const QByteArray mediaType = contentType.split(';').first().trimmed().toLower();
    if (mediaType == "application/json")
        return readJson(body, names, numberNames);
    if (mediaType == "application/x-www-form-urlencoded")
        return readForm(body, names + numberNames);
    return Errors::unsupportedMediaType(contentType);
}
