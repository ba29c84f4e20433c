#pragma once

#include <QByteArray>
#include <QDateTime>

// Strong entity tags (RFC 9110, 8.8.3) for files served as they are on disk.
namespace EntityTag {

// Changes whenever the file is replaced or rewritten: built from its size and its
// modification time to the millisecond, quoted as the header wants it.
QByteArray ofFile(qint64 size, const QDateTime &modified);

// Whether an If-None-Match header names `tag` (or is "*"): the client already holds
// this very file. The comparison is the weak one RFC 9110, 13.1.2 asks for here.
bool noneMatchHits(const QByteArray &ifNoneMatch, const QByteArray &tag);

} // namespace EntityTag
