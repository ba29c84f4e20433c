#pragma once

#include "core/apierror.h"

#include <QByteArray>
#include "request.h"
#include <variant>

namespace Limits {
// Long enough that it cannot be guessed by trying (a client makes a random one), short
// enough to stay a header.
constexpr qsizetype minAuthorSecretLength = 16;
constexpr qsizetype maxAuthorSecretLength = 128;
} // namespace Limits

// The SHA-256 of the request's Author-Secret header, which proves who sent a message
// (names are free text): empty when there is none, or the 400 a malformed one deserves.
// Only the hash is ever kept, and the header is never logged.
std::variant<QByteArray, ApiError> authorSecretHash(const Request &request);
