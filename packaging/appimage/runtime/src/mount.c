#include "serve.h"   // first: see payload.h

#include "mount.h"

#include "common.h"
#include "fusermount.h"
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// The helper's first word on the status pipe.
enum { STATUS_READY = 'R', STATUS_NO_FUSE = 'F', STATUS_ERROR = 'E' };

struct job {
    const char *source;
    const char *image;
    uint64_t offset;
    const char *helper;
    const char *mountpoint;
    struct keepalive keepalive;
    int status[2];
};

static void tell(int fd, char word, const char *text)
{
    char line[1024];
    int length = snprintf(line, sizeof line, "%c%s", word, text);
    if (length > (int)sizeof line - 1)
        length = (int)sizeof line - 1;
    write_all(fd, line, (size_t)length);
}

// fusermount splits its options at commas; the name only labels the mount in
// /proc/mounts, so anything awkward in it is simply replaced.
static void mount_options(const char *image, char *options, size_t size)
{
    const char *slash = strrchr(image, '/');
    char name[256];
    snprintf(name, sizeof name, "%s", slash ? slash + 1 : image);
    for (char *c = name; *c; c++) {
        if (*c == ',' || *c == '\\' || *c == '=' || *c == ' ' || *c == '\t' || *c == '\n')
            *c = '_';
    }
    snprintf(options, size, "ro,nosuid,nodev,fsname=%s,subtype=appimage", name);
}

// In the helper process (see helper_start()).
static void serve_mount(void *context)
{
    struct job *job = context;
    int status = job->status[1];

    char options[512], why[512] = "";
    mount_options(job->image, options, sizeof options);
    int fuse_fd = fusermount_mount(job->helper, job->mountpoint, options, why, sizeof why);
    if (fuse_fd < 0) {
        rmdir(job->mountpoint);
        tell(status, STATUS_NO_FUSE, why);
        return;
    }

    sqfs_ll *ll = serve_open_payload(job->source, job->offset, why, sizeof why);
    struct fuse_session *session = NULL;
    char word = STATUS_ERROR;
    if (ll) {
        session = serve_session(fuse_fd, ll);
        if (!session) {
            snprintf(why, sizeof why, "libfuse could not start a session on %s", job->mountpoint);
            word = STATUS_NO_FUSE;
        }
    } else {
        close(fuse_fd);
    }
    if (!session) {
        // The descriptor is closed: the unmount cannot wait on us.
        fusermount_unmount(job->helper, job->mountpoint);
        rmdir(job->mountpoint);
        if (ll)
            serve_close_payload(ll);
        tell(status, word, why);
        return;
    }

    // Requests that come before we poll (the kernel's INIT first) wait in the queue.
    tell(status, STATUS_READY, "");
    serve_until_released(session, job->keepalive.read_end, job->helper, job->mountpoint);
    fuse_session_destroy(session);
    serve_close_payload(ll);
    if (rmdir(job->mountpoint) != 0 && errno != ENOENT)
        say("cannot remove the mount point %s: %s", job->mountpoint, strerror(errno));
    // status closes as the helper exits: that is the "finished" the caller may wait for.
}

// The status pipe's whole content after its first byte.
static void read_rest(int fd, char *text, size_t size)
{
    size_t used = 0;
    for (;;) {
        ssize_t got = read(fd, text + used, size - 1 - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0 || (used += (size_t)got) >= size - 1)
            break;
    }
    text[used] = '\0';
}

enum mount_result mount_payload(const char *source, const char *image, uint64_t offset,
                                const char *helper, struct mount *mount, char *why, size_t why_size)
{
    // .mount_ and the first six characters of the AppImage's name, as other AppImages do,
    // so that a user who finds it in /tmp can tell what it is.
    const char *slash = strrchr(image, '/');
    const char *name = slash ? slash + 1 : image;
    int written = snprintf(mount->mountpoint, sizeof mount->mountpoint, "%s/.mount_%.6sXXXXXX",
                           temp_base(), name);
    if (written < 0 || (size_t)written >= sizeof mount->mountpoint || !mkdtemp(mount->mountpoint)) {
        snprintf(why, why_size, "cannot make a mount point in %s: %s", temp_base(),
                 written < 0 || (size_t)written >= sizeof mount->mountpoint ? "name too long" : strerror(errno));
        return MOUNT_UNAVAILABLE;
    }

    struct job job = { .source = source, .image = image, .offset = offset, .helper = helper, .mountpoint = mount->mountpoint };
    if (!keepalive_open(&job.keepalive)) {
        say("cannot make a pipe: %s", strerror(errno));
        rmdir(mount->mountpoint);
        return MOUNT_FAILED;
    }
    if (pipe2(job.status, O_CLOEXEC) != 0) {
        say("cannot make a pipe: %s", strerror(errno));
        close(job.keepalive.read_end);
        close(job.keepalive.write_end);
        rmdir(mount->mountpoint);
        return MOUNT_FAILED;
    }
    const int keep[] = { job.keepalive.read_end, job.status[1] };
    bool started = helper_start(serve_mount, &job, keep, sizeof keep / sizeof keep[0]);
    close(job.keepalive.read_end);
    close(job.status[1]);
    if (!started) {
        say("cannot start the process that serves the mount: %s", strerror(errno));
        close(job.keepalive.write_end);
        close(job.status[0]);
        rmdir(mount->mountpoint);
        return MOUNT_FAILED;
    }

    char word = 0;
    ssize_t got;
    do
        got = read(job.status[0], &word, 1);
    while (got < 0 && errno == EINTR);
    if (got == 1 && word == STATUS_READY) {
        mount->keepalive = job.keepalive.write_end;
        mount->finished = job.status[0];
        return MOUNTED;
    }

    char text[1024] = "";
    if (got == 1)
        read_rest(job.status[0], text, sizeof text);
    close(job.status[0]);
    close(job.keepalive.write_end);
    if (got == 1 && word == STATUS_NO_FUSE) {
        snprintf(why, why_size, "%s", text);
        return MOUNT_UNAVAILABLE;
    }
    say("cannot mount the payload: %s", got == 1 ? text : "the process serving it ended");
    // Left behind only if the helper died before it could clean up.
    rmdir(mount->mountpoint);
    return MOUNT_FAILED;
}
