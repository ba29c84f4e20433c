// Becoming AppRun: the process the user (or systemd) started turns into the app, so that
// signals sent to it and its exit status are the app's own.
#ifndef RUNTIME_LAUNCH_H
#define RUNTIME_LAUNCH_H

struct launch {
    const char *appdir;      // the mount point or the unpacked copy
    const char *appimage;    // absolute real path of the AppImage file
    const char *argv0;       // argv[0] as the runtime got it
    const char *owd;         // the working folder at start, or NULL if unknown
    int keepalive;           // write end that must cross the exec (see helper.h)
    int argc;
    char **argv;             // the arguments for AppRun
};

// Only returns (after saying why) if AppRun could not be started.
void launch_apprun(const struct launch *launch);

#endif
