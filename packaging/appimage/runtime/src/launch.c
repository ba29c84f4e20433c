#include "launch.h"

#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void launch_apprun(const struct launch *launch)
{
    char apprun[PATH_MAX];
    if (snprintf(apprun, sizeof apprun, "%s/AppRun", launch->appdir) >= (int)sizeof apprun) {
        say("the path %s/AppRun is too long", launch->appdir);
        return;
    }
    // The variables the AppImage conventions promise the app.
    setenv("APPIMAGE", launch->appimage, 1);
    setenv("APPDIR", launch->appdir, 1);
    setenv("ARGV0", launch->argv0, 1);
    if (launch->owd)
        setenv("OWD", launch->owd, 1);

    char **argv = calloc((size_t)launch->argc + 2, sizeof *argv);
    if (!argv) {
        say("out of memory");
        return;
    }
    argv[0] = apprun;
    for (int i = 0; i < launch->argc; i++)
        argv[i + 1] = launch->argv[i];

    if (launch->keepalive >= 0 && fcntl(launch->keepalive, F_SETFD, 0) != 0) {
        say("cannot pass on the keep-alive pipe: %s", strerror(errno));
        free(argv);
        return;
    }
    execv(apprun, argv);
    say("cannot run %s: %s", apprun, strerror(errno));
    free(argv);
}
