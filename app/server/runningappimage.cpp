#include "runningappimage.h"

#include <QFileInfo>
#include <cstdio>

QString runningAppImagePath()
{
    const QString named = qEnvironmentVariable("APPIMAGE");
    if (named.isEmpty())
        return {};
    const QFileInfo file(named);
    if (!file.isFile() || !file.isReadable()) {
        // The download would otherwise vanish without a word on a server that looks healthy.
        std::fprintf(stderr, "chatapp: APPIMAGE=%s is not a readable file; /download is off\n",
                     qPrintable(named));
        return {};
    }
    return file.absoluteFilePath();
}
