#pragma once

#include <QString>

// `text` escaped for rich text, with its http(s) links made clickable. Message text is
// always shown as plain text; only the links found in it become anchors.
QString plainTextToHtml(const QString &text);
