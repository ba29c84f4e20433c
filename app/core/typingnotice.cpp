#include "typingnotice.h"

#include "bodyfields.h"
#include "messagedraft.h"

std::variant<QString, ApiError> parseTypingNotice(const QByteArray &contentType, const QByteArray &body)
{
    const QString field = QStringLiteral("author");
    const auto raw = readBodyFields(contentType, body, {field});
    if (const auto *error = std::get_if<ApiError>(&raw))
        return *error;
    const BodyFields &fields = std::get<BodyFields>(raw);
    if (!fields.contains(field))
        return Errors::missingField(field);
    return validatedAuthor(fields.value(field));
}
