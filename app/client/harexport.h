#pragma once

#include "exchange.h"

#include <QJsonDocument>
#include <QList>
#include <QString>

// The protocol log as an HTTP Archive (HAR 1.2, http://www.softwareishard.com/blog/har-12-spec/),
// the format browsers' developer tools save and open: a student's capture can be opened
// in Firefox or Chrome, or in any HAR viewer, next to one taken in a browser. Secrets are
// already masked in each Exchange (ExchangeCapture), so the file holds none.
namespace HarExport {

QJsonDocument document(const QList<Exchange> &exchanges);

// Writes document(exchanges) to `path`, whole or not at all; on failure returns false and
// says why, for a person, in `error`.
bool write(const QList<Exchange> &exchanges, const QString &path, QString *error);

} // namespace HarExport
