#pragma once

#include "apierror.h"

#include <QString>
#include <variant>

namespace Limits {
constexpr qsizetype maxPasswordCharacters = 1024;
} // namespace Limits

// The password in a POST /api/v1/sessions body ({"password": "..."} or password=...),
// or the 400, 413 or 415 the body deserves. Taken exactly as sent: a password may
// begin or end with a space.
std::variant<QString, ApiError> parsePasswordRequest(const QByteArray &contentType,
                                                     const QByteArray &body);
