// Opening the squashfs payload inside the AppImage file with libsquashfuse.
#ifndef RUNTIME_PAYLOAD_H
#define RUNTIME_PAYLOAD_H

// libsquashfuse's config.h sets _POSIX_C_SOURCE: it must come before any system header,
// which would otherwise have set it already (from _GNU_SOURCE) to another value.
#include <squashfuse/squashfuse.h>

#include <stdint.h>

// Opens image read-only and reads the squashfs superblock at offset. False, with the
// reason in why, if that is not a squashfs image this runtime can read.
bool payload_open(sqfs *fs, const char *image, uint64_t offset, char *why, size_t why_size);

void payload_close(sqfs *fs);

#endif
