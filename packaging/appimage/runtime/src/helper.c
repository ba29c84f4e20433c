#include "helper.h"

#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool keepalive_open(struct keepalive *keepalive)
{
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0)
        return false;
    keepalive->read_end = ends[0];
    keepalive->write_end = ends[1];
    return true;
}

void keepalive_wait(int read_end)
{
    char ignored[64];
    for (;;) {
        ssize_t got = read(read_end, ignored, sizeof ignored);
        if (got == 0 || (got < 0 && errno != EINTR))
            return;
    }
}

static bool kept(int fd, const int *keep, size_t keep_count)
{
    for (size_t i = 0; i < keep_count; i++) {
        if (keep[i] == fd)
            return true;
    }
    return false;
}

static void close_others(const int *keep, size_t keep_count)
{
    DIR *listing = opendir("/proc/self/fd");
    if (!listing)
        return;   // without /proc, the runtime has already failed to find itself
    int own = dirfd(listing);
    // Collected first: closing while reading the listing would change it.
    int doomed[256];
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(listing)) != NULL && count < sizeof doomed / sizeof doomed[0]) {
        char *end;
        long fd = strtol(entry->d_name, &end, 10);
        if (*end == '\0' && end != entry->d_name && fd > STDERR_FILENO && fd != own
            && !kept((int)fd, keep, keep_count))
            doomed[count++] = (int)fd;
    }
    closedir(listing);
    for (size_t i = 0; i < count; i++)
        close(doomed[i]);
}

static void detach(const int *keep, size_t keep_count)
{
    setsid();
    static const int deaf_to[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
    struct sigaction ignore = { .sa_handler = SIG_IGN };
    for (size_t i = 0; i < sizeof deaf_to / sizeof deaf_to[0]; i++)
        sigaction(deaf_to[i], &ignore, NULL);
    // The runtime blocks signals while --appimage-mount waits for them: not here.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    // Not the caller's working folder, which the helper must not keep busy, nor its
    // stdin and stdout: a caller reading the app's output until end-of-file, as
    // $(...) does, must get it when the app ends. stderr stays, for the rare message.
    if (chdir("/") != 0) {
        // Nothing depends on it; a folder kept busy is the only cost.
    }
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        if (null > STDERR_FILENO)
            close(null);
    }
    close_others(keep, keep_count);
}

bool helper_start(void (*body)(void *context), void *context, const int *keep, size_t keep_count)
{
    // Output still buffered here would otherwise be written twice, by us and the helper.
    fflush(NULL);
    pid_t child = fork();
    if (child < 0)
        return false;
    if (child == 0) {
        pid_t grandchild = fork();
        if (grandchild != 0)
            _exit(grandchild > 0 ? 0 : 1);
        detach(keep, keep_count);
        body(context);
        _exit(0);
    }
    return wait_exit_status(child) == 0;
}

static void remove_entries(int folder)
{
    DIR *listing = fdopendir(folder);
    if (!listing) {
        close(folder);
        return;
    }
    struct stat own;
    bool known_device = fstat(folder, &own) == 0;
    struct dirent *entry;
    while ((entry = readdir(listing)) != NULL) {
        const char *name = entry->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        int sub = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0 && errno == EACCES) {
            // A folder the payload made unreadable: it is ours, so make it readable.
            fchmodat(folder, name, S_IRWXU, 0);
            sub = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (sub < 0) {
            unlinkat(folder, name, 0);
            continue;
        }
        struct stat inside;
        if (known_device && fstat(sub, &inside) == 0 && inside.st_dev != own.st_dev) {
            // Something is mounted there: leave it, and the folder, alone.
            close(sub);
            continue;
        }
        // A read-only folder from the payload would refuse to let go of its entries.
        fchmod(sub, S_IRWXU);
        remove_entries(sub);
        unlinkat(folder, name, AT_REMOVEDIR);
    }
    closedir(listing);
}

void remove_tree(const char *path)
{
    int folder = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (folder < 0) {
        unlink(path);
        return;
    }
    fchmod(folder, S_IRWXU);
    remove_entries(folder);
    rmdir(path);
}
