#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

// Of the languages a page is offered in (primary subtags such as "en", "es"), the one an
// Accept-Language header (RFC 9110, 12.5.4) prefers: the highest weight wins, the
// earlier listed among equals. Without a preference for any of them, the first offered.
QString preferredLanguage(const QByteArray &acceptLanguage, const QStringList &offered);
