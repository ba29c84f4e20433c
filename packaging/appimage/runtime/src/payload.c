#include "payload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool payload_open(sqfs *fs, const char *image, uint64_t offset, char *why, size_t why_size)
{
    // Our own descriptor and sqfs_init() rather than sqfs_open_image(), which prints its
    // own messages on stderr.
    int fd = open(image, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, why_size, "cannot open %s: %s", image, strerror(errno));
        return false;
    }
    sqfs_err error = sqfs_init(fs, fd, (size_t)offset);
    if (error == SQFS_OK)
        return true;

    switch (error) {
    case SQFS_BADFORMAT:
        snprintf(why, why_size, "no squashfs image at offset %llu of this AppImage (is the file complete?)",
                 (unsigned long long)offset);
        break;
    case SQFS_BADVERSION:
        snprintf(why, why_size, "the payload is a squashfs version this runtime cannot read");
        break;
    case SQFS_BADCOMP: {
        const char *name = sqfs_compression_name(sqfs_compression(fs));
        snprintf(why, why_size, "the payload is compressed with %s, which this runtime cannot read",
                 name ? name : "an unknown method");
        break;
    }
    default:
        snprintf(why, why_size, "cannot read the payload's squashfs image");
        break;
    }
    close(fd);
    return false;
}

void payload_close(sqfs *fs)
{
    int fd = fs->fd;
    sqfs_destroy(fs);
    close(fd);
}
