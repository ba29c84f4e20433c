#include "serve.h"

#include "common.h"
#include "fusermount.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

sqfs_ll *serve_open_payload(const char *image, uint64_t offset, char *why, size_t why_size)
{
    sqfs_ll *ll = calloc(1, sizeof *ll);
    if (!ll) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    if (!payload_open(&ll->fs, image, offset, why, why_size)) {
        free(ll);
        return NULL;
    }
    if (sqfs_ll_init(ll) != SQFS_OK) {
        snprintf(why, why_size, "cannot read the payload's inodes");
        payload_close(&ll->fs);
        free(ll);
        return NULL;
    }
    return ll;
}

void serve_close_payload(sqfs_ll *ll)
{
    int fd = ll->fs.fd;
    // sqfs_ll_destroy() releases the filesystem and the inode table, not the descriptor.
    sqfs_ll_destroy(ll);
    close(fd);
    free(ll);
}

struct fuse_session *serve_session(int fuse_fd, sqfs_ll *ll)
{
    // Read-only: no create, write or setattr; the kernel answers EROFS for those anyway,
    // as fusermount mounted with "ro".
    static const struct fuse_lowlevel_ops operations = {
        .lookup = sqfs_ll_op_lookup,
        .forget = sqfs_ll_op_forget,
        .getattr = sqfs_ll_op_getattr,
        .readlink = sqfs_ll_op_readlink,
        .open = sqfs_ll_op_open,
        .read = sqfs_ll_op_read,
        .release = sqfs_ll_op_release,
        .opendir = sqfs_ll_op_opendir,
        .readdir = sqfs_ll_op_readdir,
        .releasedir = sqfs_ll_op_releasedir,
        .statfs = stfs_ll_op_statfs,
        .getxattr = sqfs_ll_op_getxattr,
        .listxattr = sqfs_ll_op_listxattr,
    };
    char program[] = "appimage-runtime";
    char *argv[] = { program, NULL };
    struct fuse_args args = FUSE_ARGS_INIT(1, argv);
    struct fuse_session *session = fuse_session_new(&args, &operations, sizeof operations, ll);
    fuse_opt_free_args(&args);
    if (!session) {
        close(fuse_fd);
        return NULL;
    }
    // libfuse (3.3 and later) takes /dev/fd/N as "already mounted, use descriptor N",
    // which keeps it away from its own mounting code (see CMakeLists.txt).
    char device[32];
    snprintf(device, sizeof device, "/dev/fd/%d", fuse_fd);
    if (fuse_session_mount(session, device) != 0) {
        fuse_session_destroy(session);
        close(fuse_fd);
        return NULL;
    }
    return session;
}

static bool hung_up(short events) { return events & (POLLIN | POLLHUP | POLLERR | POLLNVAL); }

// Reads what is there; true at end-of-file (or an error, which means the same here).
static bool drained_to_end(int fd)
{
    char ignored[64];
    ssize_t got;
    do
        got = read(fd, ignored, sizeof ignored);
    while (got < 0 && errno == EINTR);
    return got <= 0;
}

void serve_until_released(struct fuse_session *session, int keepalive_fd,
                          const char *helper, const char *mountpoint)
{
    struct fuse_buf request = { .mem = NULL };
    int unmounter_done = -1;
    pid_t unmounter = -1;

    while (!fuse_session_exited(session)) {
        struct pollfd watched[3] = { { .fd = fuse_session_fd(session), .events = POLLIN } };
        nfds_t count = 1;
        int keepalive_slot = -1, unmounter_slot = -1;
        if (keepalive_fd >= 0) {
            keepalive_slot = (int)count;
            watched[count++] = (struct pollfd){ .fd = keepalive_fd, .events = POLLIN };
        }
        if (unmounter_done >= 0) {
            unmounter_slot = (int)count;
            watched[count++] = (struct pollfd){ .fd = unmounter_done, .events = POLLIN };
        }
        if (poll(watched, count, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }

        if (keepalive_slot >= 0 && hung_up(watched[keepalive_slot].revents) && drained_to_end(keepalive_fd)) {
            close(keepalive_fd);
            keepalive_fd = -1;
            unmounter = fusermount_unmount_start(helper, mountpoint, &unmounter_done);
            if (unmounter < 0) {
                say("cannot start %s to unmount %s", helper, mountpoint);
                break;
            }
        }
        if (unmounter_slot >= 0 && hung_up(watched[unmounter_slot].revents) && drained_to_end(unmounter_done)) {
            close(unmounter_done);
            unmounter_done = -1;
            if (wait_exit_status(unmounter) != 0) {
                // Serving on would keep a mount nobody asked for; leaving closes the
                // connection, and whatever still uses it gets errors.
                say("%s could not unmount %s", helper, mountpoint);
                break;
            }
        }

        short fuse_events = watched[0].revents;
        if (fuse_events & POLLIN) {
            int got = fuse_session_receive_buf(session, &request);
            if (got == -EINTR || got == -EAGAIN)
                continue;
            if (got <= 0)
                break;   // 0: the kernel released the filesystem (ENODEV)
            fuse_session_process_buf(session, &request);
        } else if (fuse_events & (POLLERR | POLLHUP | POLLNVAL)) {
            break;       // the connection was ended: unmounted and no longer in use
        }
    }

    free(request.mem);
    if (keepalive_fd >= 0)
        close(keepalive_fd);
    if (unmounter_done >= 0) {
        close(unmounter_done);
        wait_exit_status(unmounter);
    }
}
