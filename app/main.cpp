#include "core/bundledloader.h"
#include "server/servecommand.h"
#include "ui/clientcommand.h"

int main(int argc, char *argv[])
{
    BundledLoader::adoptRealExecutable(argc, argv);
    // Decided before any Q*Application exists: `--serve` runs on a headless VM with no
    // display, so it must never construct a QApplication.
    if (isServeInvocation(argc, argv))
        return runServeCommand(argc, argv);
    return runClientCommand(argc, argv);
}
