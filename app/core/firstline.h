#pragma once

#include <QString>
#include <optional>

// The first line of the file at `path` without its line break (LF or CRLF), the way
// `echo secret > file` writes a secret: what --password-file reads, for the server and
// the window alike. Nullopt when the file cannot be read, with the reason in `error`.
std::optional<QString> readFirstLine(const QString &path, QString *error);
