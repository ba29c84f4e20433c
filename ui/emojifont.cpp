#include "emojifont.h"

#include "core/bundledloader.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFont>
#include <QFontDatabase>
#include <QFontInfo>

namespace EmojiFont {

QString bundledPath()
{
    return QDir(BundledLoader::executableDir())
        .filePath(QStringLiteral("../share/chatapp/fonts/NotoColorEmoji.ttf"));
}

bool useAsFallback(const QString &path)
{
    if (!QFile::exists(path))
        return false;
    // Resolved before the emoji font exists. Asked for a name the database does not hold
    // as such ("Sans Serif", Qt's default on X11), Qt takes the first font that fits,
    // which could then be this one: its digits and spaces (keycap bases) would be drawn
    // wide in every line of the window.
    QFont uiFont = QApplication::font();
    const QString uiFamily = QFontInfo(uiFont).family();
    const int id = QFontDatabase::addApplicationFont(path);
    if (id < 0)
        return false;
    const QStringList emojiFamilies = QFontDatabase::applicationFontFamilies(id);
    // A font's later families are where Qt looks for a glyph the first one lacks.
    uiFont.setFamilies(QStringList { uiFamily } + emojiFamilies);
    QApplication::setFont(uiFont);
    // The fixed-width font (the Protocol panel's) needs nothing more: its family resolves,
    // and fontconfig's fallbacks for it include application fonts (tst_emojifont).
    return true;
}

} // namespace EmojiFont
