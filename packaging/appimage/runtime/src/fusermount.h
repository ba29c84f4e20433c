// Mounting and unmounting through fusermount3 (or FUSE 2's fusermount), the setuid
// helper that lets an ordinary user mount: it opens /dev/fuse, mounts it on the mount
// point and passes the descriptor back over a socket named in $_FUSE_COMMFD.
#ifndef RUNTIME_FUSERMOUNT_H
#define RUNTIME_FUSERMOUNT_H

#include <stdbool.h>
#include <stddef.h>

// The first fusermount3 on PATH, else the first fusermount; false if there is neither.
bool fusermount_find(char *path, size_t size);

// The /dev/fuse descriptor (close-on-exec) of a new mount on mountpoint, or -1 with the
// reason (fusermount's own message where it gave one) in why.
int fusermount_mount(const char *helper, const char *mountpoint, const char *options,
                     char *why, size_t why_size);

// Starts `helper -u -z mountpoint` (a lazy unmount: it detaches the mount now, and the
// kernel lets the filesystem go once nothing uses it any more) without waiting for it,
// since the helper looks at the mount and so needs our FUSE loop to keep answering.
// The process id, or -1; *done reads end-of-file once that process has ended.
int fusermount_unmount_start(const char *helper, const char *mountpoint, int *done);

// The same, waiting for it: only for a mount whose FUSE descriptor is already closed.
bool fusermount_unmount(const char *helper, const char *mountpoint);

#endif
