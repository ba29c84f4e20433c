#pragma once

#include <QString>

// Emoji (and symbols such as ⏳, which the window shows on a message waiting to be sent)
// need a colour emoji font; many machines have none, a server reached over ssh -X or a
// minimal container least of all. The AppImage carries Debian's Noto Color Emoji
// (packaging/appimage/build-appimage.sh); these make it a fallback of the fonts the
// window uses, so a character the text font lacks is drawn from it instead of as a box.
namespace EmojiFont {

// Where the AppImage puts the font, relative to the real chatapp binary: usr/bin/chatapp
// and usr/share/chatapp/fonts/NotoColorEmoji.ttf.
QString bundledPath();

// Loads the font at `path` as an application font and puts it after the family of the
// application's font, for glyphs that family lacks. Call after the QApplication exists
// and before widgets are made. False, and nothing changed, when the file is missing or
// is no font.
bool useAsFallback(const QString &path);

} // namespace EmojiFont
