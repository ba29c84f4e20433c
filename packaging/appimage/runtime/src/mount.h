// Mounting the payload for the app: a mount point in ${TMPDIR:-/tmp}, a helper process
// that mounts it with fusermount and serves it, and the handshake that tells us it is
// ready (or why FUSE cannot be used here).
#ifndef RUNTIME_MOUNT_H
#define RUNTIME_MOUNT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

enum mount_result {
    MOUNTED,
    MOUNT_UNAVAILABLE,   // FUSE cannot be used here: run from a copy instead
    MOUNT_FAILED,        // something else went wrong, already said on stderr
};

struct mount {
    char mountpoint[PATH_MAX];
    // Held by us and, after exec, by the app and its children: when the last holder is
    // gone, the helper unmounts.
    int keepalive;
    // Reads end-of-file once the helper has unmounted, removed the mount point and exited.
    int finished;
};

// The payload is read from source; image (the AppImage's path) names the mount point.
enum mount_result mount_payload(const char *source, const char *image, uint64_t offset,
                                const char *helper, struct mount *mount, char *why, size_t why_size);

#endif
