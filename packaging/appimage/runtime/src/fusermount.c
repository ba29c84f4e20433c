#include "fusermount.h"

#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static bool executable_file(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0 && S_ISREG(info.st_mode) && access(path, X_OK) == 0;
}

static bool find_on_path(const char *name, char *path, size_t size)
{
    const char *search = getenv("PATH");
    if (!search || !*search)
        search = "/usr/local/bin:/usr/bin:/bin";
    while (*search) {
        const char *end = strchr(search, ':');
        size_t length = end ? (size_t)(end - search) : strlen(search);
        // Only absolute folders: an empty or relative PATH entry means the working
        // folder, and whatever file happens to be there is not the system's helper.
        if (length > 0 && search[0] == '/') {
            int written = snprintf(path, size, "%.*s/%s", (int)length, search, name);
            if (written > 0 && (size_t)written < size && executable_file(path))
                return true;
        }
        search += length + (end ? 1 : 0);
    }
    return false;
}

bool fusermount_find(char *path, size_t size)
{
    return find_on_path("fusermount3", path, size) || find_on_path("fusermount", path, size);
}

static int receive_descriptor(int socket)
{
    char byte;
    struct iovec data = { .iov_base = &byte, .iov_len = 1 };
    union {
        struct cmsghdr align;
        char buffer[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr message = {
        .msg_iov = &data,
        .msg_iovlen = 1,
        .msg_control = control.buffer,
        .msg_controllen = sizeof control.buffer,
    };
    ssize_t got;
    do
        got = recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
    while (got < 0 && errno == EINTR);
    // fusermount closes the socket without a word when it fails.
    if (got <= 0 || (message.msg_flags & MSG_CTRUNC))
        return -1;
    for (struct cmsghdr *item = CMSG_FIRSTHDR(&message); item; item = CMSG_NXTHDR(&message, item)) {
        if (item->cmsg_level == SOL_SOCKET && item->cmsg_type == SCM_RIGHTS
            && item->cmsg_len == CMSG_LEN(sizeof(int))) {
            int descriptor;
            memcpy(&descriptor, CMSG_DATA(item), sizeof descriptor);
            return descriptor;
        }
    }
    return -1;
}

// What fusermount wrote to stderr, as one line: its first, without the newline.
static void read_message(int pipe, char *why, size_t why_size)
{
    size_t used = 0;
    char chunk[512];
    for (;;) {
        ssize_t got = read(pipe, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        for (ssize_t i = 0; i < got && used + 1 < why_size; i++)
            why[used++] = chunk[i];
    }
    why[used] = '\0';
    why[strcspn(why, "\n")] = '\0';
}

int fusermount_mount(const char *helper, const char *mountpoint, const char *options,
                     char *why, size_t why_size)
{
    int channel[2], errors[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) != 0) {
        snprintf(why, why_size, "socketpair: %s", strerror(errno));
        return -1;
    }
    if (pipe2(errors, O_CLOEXEC) != 0) {
        snprintf(why, why_size, "pipe: %s", strerror(errno));
        close(channel[0]);
        close(channel[1]);
        return -1;
    }

    pid_t child = fork();
    if (child == 0) {
        char number[16];
        snprintf(number, sizeof number, "%d", channel[1]);
        setenv("_FUSE_COMMFD", number, 1);
        fcntl(channel[1], F_SETFD, 0);
        dup2(errors[1], STDERR_FILENO);
        execl(helper, helper, "-o", options, "--", mountpoint, (char *)NULL);
        dprintf(STDERR_FILENO, "cannot run %s: %s\n", helper, strerror(errno));
        _exit(EXIT_CANNOT_RUN);
    }
    close(channel[1]);
    close(errors[1]);
    if (child < 0) {
        snprintf(why, why_size, "fork: %s", strerror(errno));
        close(channel[0]);
        close(errors[0]);
        return -1;
    }

    int descriptor = receive_descriptor(channel[0]);
    close(channel[0]);
    read_message(errors[0], why, why_size);
    close(errors[0]);
    int status = wait_exit_status(child);
    if (descriptor >= 0)
        return descriptor;
    if (!*why)
        snprintf(why, why_size, "%s did not mount (exit status %d)", helper, status);
    return -1;
}

int fusermount_unmount_start(const char *helper, const char *mountpoint, int *done)
{
    int ended[2];
    if (pipe2(ended, O_CLOEXEC) != 0)
        return -1;
    pid_t child = fork();
    if (child == 0) {
        // Held open by fusermount until it exits: that is how the caller hears of it
        // without waiting.
        fcntl(ended[1], F_SETFD, 0);
        execl(helper, helper, "-u", "-z", "--", mountpoint, (char *)NULL);
        _exit(EXIT_CANNOT_RUN);
    }
    close(ended[1]);
    if (child < 0) {
        close(ended[0]);
        return -1;
    }
    *done = ended[0];
    return child;
}

bool fusermount_unmount(const char *helper, const char *mountpoint)
{
    int done;
    pid_t child = fusermount_unmount_start(helper, mountpoint, &done);
    if (child < 0)
        return false;
    close(done);
    return wait_exit_status(child) == 0;
}
