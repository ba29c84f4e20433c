#pragma once

#include "apierror.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <variant>

namespace Limits {
constexpr qsizetype maxBodyBytes = 64 * 1024;
} // namespace Limits

// The string fields named in `names` of a POST body, JSON or form-encoded, as sent
// (not yet validated); a field absent or null in the body is absent from the result.
// Or the 400, 413 or 415 the body deserves: too big, another media type, invalid UTF-8,
// not a JSON object, a named field that is not a string. A field of `numberNames` may
// also be a JSON integer (an id), given as its digits.
using BodyFields = QHash<QString, QString>;
std::variant<BodyFields, ApiError> readBodyFields(const QByteArray &contentType,
                                                  const QByteArray &body, const QStringList &names,
                                                  const QStringList &numberNames = {});
