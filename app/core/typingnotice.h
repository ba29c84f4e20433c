#pragma once

#include "apierror.h"

#include <QString>
#include <variant>

// Who says they are typing, from a POST .../typing body ({"author": "ana"} or
// author=ana): held to the rules of a message's author, as the message being typed will
// be. Or the 400, 413 or 415 the body deserves.
std::variant<QString, ApiError> parseTypingNotice(const QByteArray &contentType, const QByteArray &body);
