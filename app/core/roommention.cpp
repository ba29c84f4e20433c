#include "roommention.h"

bool mentionsEveryone(QStringView text)
{
    static constexpr QStringView mark = u"@room";
    for (qsizetype at = text.indexOf(mark, 0, Qt::CaseInsensitive); at >= 0;
         at = text.indexOf(mark, at + 1, Qt::CaseInsensitive)) {
        const qsizetype end = at + mark.size();
        const bool openBefore = at == 0 || !(text[at - 1].isLetterOrNumber() || text[at - 1] == u'_');
        const bool openAfter = end >= text.size() || !(text[end].isLetterOrNumber() || text[end] == u'_');
        if (openBefore && openAfter)
            return true;
    }
    return false;
}
