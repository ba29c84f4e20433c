// The process that stays behind when the runtime becomes AppRun: it serves the FUSE mount
// or, for an unpacked copy, waits to delete it, and learns that the app is gone through
// a keep-alive pipe.
//
// The pipe's write end is held by the process that becomes AppRun (kept open across
// exec) and so by the app and every child it starts; the helper holds the read end, which
// reads end-of-file once all of them have exited, however they ended.
#ifndef RUNTIME_HELPER_H
#define RUNTIME_HELPER_H

#include <stdbool.h>
#include <stddef.h>

struct keepalive {
    int read_end;
    int write_end;
};

// Both ends close-on-exec, so that no other program the runtime starts (fusermount)
// holds it; launch_apprun() lets the write end cross the exec into AppRun.
bool keepalive_open(struct keepalive *keepalive);

// Blocks until every holder of the write end has gone.
void keepalive_wait(int read_end);

// Runs body(context) in a new process that is not our child, in a session of its own and
// deaf to the signals that stop an app: a terminal's Ctrl+C goes to its foreground group
// and systemd's stop signals every process of the service, and neither may take the
// files away from an app that is still shutting down. The helper is a grandchild so that
// the app, once we have become it, finds no unknown child of its own, and so that
// nobody but init has to reap it. Of our descriptors it keeps stderr and those in keep:
// no socket or pipe we inherited (systemd's, a caller's $(...)) stays open for the
// helper's lifetime. False if it could not be started.
bool helper_start(void (*body)(void *context), void *context, const int *keep, size_t keep_count);

// rm -rf, without following symbolic links or entering other filesystems.
void remove_tree(const char *path);

#endif
