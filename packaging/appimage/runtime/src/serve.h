// The FUSE side of the mount: libfuse3's low-level session, fed squashfuse's low-level
// operations, on a /dev/fuse descriptor that fusermount has already mounted.
#ifndef RUNTIME_SERVE_H
#define RUNTIME_SERVE_H

#include "payload.h"   // first: see there

#include <squashfuse/ll.h>

// The payload as squashfuse's low-level operations want it; NULL with the reason in why.
sqfs_ll *serve_open_payload(const char *image, uint64_t offset, char *why, size_t why_size);
void serve_close_payload(sqfs_ll *ll);

// A session on fuse_fd (which it then owns), or NULL.
struct fuse_session *serve_session(int fuse_fd, sqfs_ll *ll);

// Answers requests until the filesystem is gone. Once keepalive_fd reads end-of-file
// (the app and all its children have exited) it unmounts lazily with the helper and goes
// on answering whatever still uses the files until the kernel lets the filesystem go.
void serve_until_released(struct fuse_session *session, int keepalive_fd,
                          const char *helper, const char *mountpoint);

#endif
