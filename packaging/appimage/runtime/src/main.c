// ChatApp's AppImage type-2 runtime: the ELF program at the head of the AppImage file.
// Without an option of its own it mounts the squashfs payload appended to it (or, where
// FUSE cannot be used, unpacks it to a temporary folder), leaves a helper process behind
// to serve or delete those files, and becomes the payload's AppRun.
#include "common.h"
#include "elf.h"
#include "extract.h"
#include "fusermount.h"
#include "helper.h"
#include "launch.h"
#include "mount.h"
#include "options.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

// The payload is read through this name, which stays our own file even if the AppImage
// is replaced or removed meanwhile (an update in place), in the helper processes too.
static const char self_path[] = "/proc/self/exe";

// SIGCHLD as we found it: SIG_IGN, inherited from whoever started us, would make the
// kernel reap our children itself and every waitpid() here fail; the app gets it back.
static struct sigaction inherited_sigchld;

struct runtime {
    char image[PATH_MAX];    // the AppImage's absolute real path
    uint64_t offset;         // where the payload starts
    const char *argv0;
    char owd[PATH_MAX];
    bool have_owd;
};

// With 0, 1 or 2 closed at start, the first pipe would take its number and our messages
// or the app's output would go into it.
static void ensure_standard_descriptors(void)
{
    int fd;
    do
        fd = open("/dev/null", O_RDWR);
    while (fd >= 0 && fd <= STDERR_FILENO);
    if (fd > STDERR_FILENO)
        close(fd);
}

static int print_section(int self, const char *name)
{
    char *text = elf_section_text(self, name);
    if (!text) {
        say("this AppImage has no %s section", name);
        return 1;
    }
    if (*text)
        printf("%s\n", text);
    free(text);
    return 0;
}

static void launch_from(const struct runtime *runtime, const struct options *options,
                        const char *appdir, int keepalive)
{
    struct launch launch = {
        .appdir = appdir,
        .appimage = runtime->image,
        .argv0 = runtime->argv0,
        .owd = runtime->have_owd ? runtime->owd : NULL,
        .keepalive = keepalive,
        .argc = options->app_argc,
        .argv = options->app_argv,
    };
    sigaction(SIGCHLD, &inherited_sigchld, NULL);
    launch_apprun(&launch);
}

struct cleanup {
    const char *folder;
    struct keepalive keepalive;
};

// In the helper process (see helper_start()).
static void remove_when_done(void *context)
{
    struct cleanup *cleanup = context;
    keepalive_wait(cleanup->keepalive.read_end);
    remove_tree(cleanup->folder);
}

// asked: what asked for the copy, or NULL when FUSE could not be used (why says why).
static int run_from_copy(const struct runtime *runtime, const struct options *options,
                         const char *asked, const char *why)
{
    char folder[PATH_MAX];
    int written = snprintf(folder, sizeof folder, "%s/appimage_extracted_XXXXXX", temp_base());
    if (written < 0 || (size_t)written >= sizeof folder || !mkdtemp(folder)) {
        say("cannot make a temporary folder in %s: %s", temp_base(), strerror(errno));
        return EXIT_CANNOT_RUN;
    }
    // The helper that deletes the copy starts before the copy does: if we are stopped
    // while unpacking, it still cleans up.
    struct cleanup cleanup = { .folder = folder };
    if (!keepalive_open(&cleanup.keepalive)) {
        say("cannot make a pipe: %s", strerror(errno));
        rmdir(folder);
        return EXIT_CANNOT_RUN;
    }
    if (!helper_start(remove_when_done, &cleanup, &cleanup.keepalive.read_end, 1)) {
        say("cannot start the process that removes %s: %s", folder, strerror(errno));
        rmdir(folder);
        return EXIT_CANNOT_RUN;
    }
    close(cleanup.keepalive.read_end);

    if (asked)
        say("running from a temporary copy in %s, as %s asks (it is deleted when the app ends)",
            folder, asked);
    else
        say("FUSE is not available (%s); running from a temporary copy in %s", why, folder);

    if (extract_payload(self_path, runtime->offset, folder, NULL, false))
        launch_from(runtime, options, folder, cleanup.keepalive.write_end);
    // Exiting closes the keep-alive pipe: the helper deletes the copy.
    return EXIT_CANNOT_RUN;
}

static int run(const struct runtime *runtime, const struct options *options)
{
    const char *asked = NULL;
    const char *forced = getenv("APPIMAGE_EXTRACT_AND_RUN");
    if (options->action == ACTION_EXTRACT_AND_RUN)
        asked = "--appimage-extract-and-run";
    else if (forced && strcmp(forced, "1") == 0)
        asked = "APPIMAGE_EXTRACT_AND_RUN=1";

    char why[1024] = "";
    if (!asked) {
        char helper[PATH_MAX];
        struct stat device;
        if (!fusermount_find(helper, sizeof helper)) {
            snprintf(why, sizeof why, "no fusermount3 or fusermount on PATH");
        } else if (stat("/dev/fuse", &device) != 0) {
            snprintf(why, sizeof why, "no /dev/fuse");
        } else {
            struct mount mount;
            switch (mount_payload(self_path, runtime->image, runtime->offset, helper, &mount, why, sizeof why)) {
            case MOUNTED:
                launch_from(runtime, options, mount.mountpoint, mount.keepalive);
                // Exiting closes the keep-alive pipe: the helper unmounts.
                return EXIT_CANNOT_RUN;
            case MOUNT_FAILED:
                return EXIT_CANNOT_RUN;
            case MOUNT_UNAVAILABLE:
                break;
            }
        }
    }
    return run_from_copy(runtime, options, asked, why);
}

static int mount_until_stopped(const struct runtime *runtime)
{
    char helper[PATH_MAX];
    if (!fusermount_find(helper, sizeof helper)) {
        say("cannot mount: no fusermount3 or fusermount on PATH");
        return 1;
    }
    // Blocked from now on, so that a signal while mounting is not lost: it is taken
    // below, once there is a mount to take down.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    sigprocmask(SIG_BLOCK, &stop, NULL);

    struct mount mount;
    char why[1024] = "";
    switch (mount_payload(self_path, runtime->image, runtime->offset, helper, &mount, why, sizeof why)) {
    case MOUNTED:
        break;
    case MOUNT_UNAVAILABLE:
        say("cannot mount: %s", why);
        return 1;
    case MOUNT_FAILED:
        return 1;
    }
    printf("%s\n", mount.mountpoint);
    fflush(stdout);

    int signal;
    sigwait(&stop, &signal);
    close(mount.keepalive);
    // Exit once the helper has unmounted and removed the mount point, so that the caller
    // finds it gone; but not forever, if something still holds files open in it (the
    // mount is already detached then, and the helper finishes on its own).
    struct pollfd finished = { .fd = mount.finished, .events = POLLIN };
    for (int waited = 0; waited < 100; waited++) {
        char ignored;
        if (poll(&finished, 1, 100) > 0 && read(mount.finished, &ignored, 1) <= 0)
            break;
    }
    return 0;
}

int main(int argc, char **argv)
{
    ensure_standard_descriptors();
    struct sigaction default_action = { .sa_handler = SIG_DFL };
    sigaction(SIGCHLD, &default_action, &inherited_sigchld);

    struct options options;
    int refused = options_parse(argc, argv, &options);
    if (refused)
        return refused;

    struct runtime runtime = { .argv0 = argc > 0 && argv[0] ? argv[0] : "" };
    switch (options.action) {
    case ACTION_HELP:
        options_print_help(runtime.argv0);
        return 0;
    case ACTION_VERSION:
        printf("%s AppImage runtime %s\n", APP_NAME, RUNTIME_VERSION);
        return 0;
    default:
        break;
    }

    ssize_t length = readlink(self_path, runtime.image, sizeof runtime.image - 1);
    int self = open(self_path, O_RDONLY | O_CLOEXEC);
    if (length <= 0 || self < 0 || !elf_end(self, &runtime.offset)) {
        say("cannot read this AppImage's own file (%s): %s", self_path,
            length <= 0 || self < 0 ? strerror(errno) : "not a 64-bit ELF file");
        return EXIT_CANNOT_RUN;
    }
    runtime.image[length] = '\0';
    runtime.have_owd = getcwd(runtime.owd, sizeof runtime.owd) != NULL;

    int status;
    switch (options.action) {
    case ACTION_OFFSET:
        printf("%" PRIu64 "\n", runtime.offset);
        status = 0;
        break;
    case ACTION_UPDATE_INFORMATION:
        status = print_section(self, ".upd_info");
        break;
    case ACTION_SIGNATURE:
        status = print_section(self, ".sha256_sig");
        break;
    case ACTION_EXTRACT:
        status = extract_payload(self_path, runtime.offset, "squashfs-root", options.pattern, true) ? 0 : 1;
        break;
    case ACTION_MOUNT:
        close(self);
        return mount_until_stopped(&runtime);
    default:
        close(self);
        return run(&runtime, &options);
    }
    close(self);
    return status;
}
