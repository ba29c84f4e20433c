#include "entitytag.h"

namespace EntityTag {

QByteArray ofFile(qint64 size, const QDateTime &modified)
{
    return '"' + QByteArray::number(size, 16) + '-'
         + QByteArray::number(modified.toMSecsSinceEpoch(), 16) + '"';
}

bool noneMatchHits(const QByteArray &ifNoneMatch, const QByteArray &tag)
{
    // Entity tags are quoted strings that cannot hold a comma, so the list splits on commas.
    const QList<QByteArray> candidates = ifNoneMatch.split(',');
    for (QByteArray candidate : candidates) {
        candidate = candidate.trimmed();
        if (candidate == "*")
            return true;
        if (candidate.startsWith("W/"))
            candidate.remove(0, 2);
        if (candidate == tag)
            return true;
    }
    return false;
}

} // namespace EntityTag
