#include "bundledloader.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLibraryInfo>
#include <QSettings>

#include <cstring>
#include <sys/prctl.h>

namespace {
QString &bundledTranslationsPath()
{
    static QString path;
    return path;
}

QString &realExecutableDir()
{
    static QString path;
    return path;
}

// ps shows the process's command line, which is still the loader's ("ld-linux-x86-64.so.2
// --library-path ... --argv0 ..."). The kernel reads it from the block of NUL-terminated
// strings the arguments were given in, which ends with ours: move ours to the block's
// start and clear the rest, as setproctitle() does elsewhere.
void showOwnCommandLine(int argc, char *argv[])
{
    QFile cmdline(QStringLiteral("/proc/self/cmdline"));
    if (!cmdline.open(QIODevice::ReadOnly))
        return;
    const QByteArray original = cmdline.readAll();
    char *const end = argv[argc - 1] + std::strlen(argv[argc - 1]) + 1;
    char *const start = end - original.size();
    // Anything but the expected layout is left alone.
    if (original.isEmpty() || start > argv[0] || std::memcmp(start, original.constData(), original.size()) != 0)
        return;
    char *next = start;
    for (int i = 0; i < argc; ++i) {
        const std::size_t size = std::strlen(argv[i]) + 1;
        std::memmove(next, argv[i], size); // never forward: ours come in order, after the loader's
        argv[i] = next;
        next += size;
    }
    std::memset(next, 0, std::size_t(end - next));
}

bool executableIsTheLoader()
{
    return QFileInfo(QStringLiteral("/proc/self/exe")).symLinkTarget().section(u'/', -1).startsWith(
        QLatin1String("ld-linux"));
}
} // namespace

void BundledLoader::adoptRealExecutable(int argc, char *argv[])
{
    if (argc < 1 || !executableIsTheLoader())
        return;
    const QFileInfo binary(QFile::decodeName(argv[0]));
    if (!binary.isAbsolute() || !binary.isFile())
        return;
    // The same qt.conf Qt would have read had it been started directly: relative paths
    // in it are relative to its own folder's Prefix.
    const QDir binaryDir = binary.absoluteDir();
    realExecutableDir() = binaryDir.absolutePath();
    QSettings qtConf(binaryDir.filePath(QStringLiteral("qt.conf")), QSettings::IniFormat);
    qtConf.beginGroup(QStringLiteral("Paths"));
    const QDir prefix(binaryDir.absoluteFilePath(qtConf.value(QStringLiteral("Prefix"), QStringLiteral(".")).toString()));
    const QString plugins = prefix.absoluteFilePath(qtConf.value(QStringLiteral("Plugins"), QStringLiteral("plugins")).toString());
    bundledTranslationsPath() =
        prefix.absoluteFilePath(qtConf.value(QStringLiteral("Translations"), QStringLiteral("translations")).toString());
    // Only the bundle's plugins: the machine's own Qt, if it has one, is another version.
    QCoreApplication::setLibraryPaths({QDir::cleanPath(plugins)});
    // ps, top and pgrep show the command name, which would otherwise be the loader's.
    prctl(PR_SET_NAME, binary.fileName().toLocal8Bit().left(15).constData());
    showOwnCommandLine(argc, argv);
}

QString BundledLoader::executableDir()
{
    const QString &real = realExecutableDir();
    return real.isEmpty() ? QCoreApplication::applicationDirPath() : real;
}

QString BundledLoader::qtTranslationsPath()
{
    const QString &bundled = bundledTranslationsPath();
    return bundled.isEmpty() ? QLibraryInfo::path(QLibraryInfo::TranslationsPath) : bundled;
}
