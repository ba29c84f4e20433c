#pragma once

#include <QString>

// On a machine whose glibc is older than the one ChatApp was built against, the
// AppImage's AppRun starts chatapp through the glibc loader it bundles
// (packaging/appimage/AppRun), passing the real binary's path as argv[0]. The process's
// executable is then the loader: Qt would look for qt.conf, and so for its plugins and
// translations, beside the loader instead of beside chatapp, and ps would name the
// loader. These functions put that right; elsewhere they change nothing.
namespace BundledLoader {

// Call first in main(), before any Q*Application exists.
void adoptRealExecutable(int argc, char *argv[]);

// The folder of the real chatapp binary: argv[0]'s when started through the loader,
// otherwise QCoreApplication::applicationDirPath(). Needs the application object.
QString executableDir();

// Where Qt's own translations (qtbase_*.qm) are: the bundle's when started through the
// loader, otherwise QLibraryInfo's.
QString qtTranslationsPath();

} // namespace BundledLoader
