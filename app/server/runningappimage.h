#pragma once

#include <QString>

// The AppImage this process runs from, which the server offers for download. The
// AppImage runtime names it in the environment variable APPIMAGE.
//
// Returns its absolute path when APPIMAGE names a readable regular file, and an empty
// string otherwise (not started from an AppImage, or the variable names nothing usable,
// which is reported on stderr once).
QString runningAppImagePath();
