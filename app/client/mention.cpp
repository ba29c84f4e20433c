#include "mention.h"

#include "core/roommention.h"

namespace {
bool continuesWord(QStringView text, qsizetype index)
{
    if (index < 0 || index >= text.size())
        return false;
    // A low surrogate or a letter outside the BMP: read the whole code point.
    char32_t codePoint = text[index].unicode();
    if (QChar::isHighSurrogate(codePoint) && index + 1 < text.size())
        codePoint = QChar::surrogateToUcs4(text[index], text[index + 1]);
    else if (QChar::isLowSurrogate(codePoint) && index > 0)
        codePoint = QChar::surrogateToUcs4(text[index - 1], text[index]);
    return QChar::isLetterOrNumber(codePoint) || QChar::isMark(codePoint) || codePoint == U'_';
}
} // namespace

bool mentions(QStringView text, QStringView name)
{
    if (mentionsEveryone(text))
        return true;
    name = name.trimmed();
    if (name.isEmpty())
        return false;
    for (qsizetype at = text.indexOf(name, 0, Qt::CaseInsensitive); at >= 0;
         at = text.indexOf(name, at + 1, Qt::CaseInsensitive)) {
        const qsizetype before = at > 0 && text[at - 1] == u'@' ? at - 2 : at - 1;
        if (!continuesWord(text, before) && !continuesWord(text, at + name.size()))
            return true;
    }
    return false;
}
