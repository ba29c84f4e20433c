#include "passwordrequest.h"

#include "bodyfields.h"

std::variant<QString, ApiError> parsePasswordRequest(const QByteArray &contentType,
                                                     const QByteArray &body)
{
    const QString field = QStringLiteral("password");
    const auto raw = readBodyFields(contentType, body, {field});
    if (const auto *error = std::get_if<ApiError>(&raw))
        return *error;
    const QString password = std::get<BodyFields>(raw).value(field);
    if (password.isEmpty())
        return Errors::missingField(field);
    if (password.size() > Limits::maxPasswordCharacters)
        return Errors::fieldTooLong(field, Limits::maxPasswordCharacters);
    return password;
}
