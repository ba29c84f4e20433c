#include "options.h"

#include "common.h"

#include <stdio.h>
#include <string.h>

static const char prefix[] = "--appimage-";

static const struct {
    const char *name;
    enum action action;
} known[] = {
    { "--appimage-help", ACTION_HELP },
    { "--appimage-version", ACTION_VERSION },
    { "--appimage-offset", ACTION_OFFSET },
    { "--appimage-extract", ACTION_EXTRACT },
    { "--appimage-mount", ACTION_MOUNT },
    { "--appimage-extract-and-run", ACTION_EXTRACT_AND_RUN },
    { "--appimage-updateinformation", ACTION_UPDATE_INFORMATION },
    { "--appimage-signature", ACTION_SIGNATURE },
};

int options_parse(int argc, char **argv, struct options *options)
{
    options->action = ACTION_RUN;
    options->pattern = NULL;
    options->app_argc = argc > 1 ? argc - 1 : 0;
    options->app_argv = argv + (argc > 1 ? 1 : argc);

    if (argc < 2 || strncmp(argv[1], prefix, sizeof prefix - 1) != 0)
        return 0;

    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(argv[1], known[i].name) != 0)
            continue;
        options->action = known[i].action;
        if (options->action == ACTION_EXTRACT && argc > 2)
            options->pattern = argv[2];
        // The app gets what follows the option, as if the option had not been there.
        options->app_argc = argc - 2;
        options->app_argv = argv + 2;
        return 0;
    }
    // Refused rather than passed on: an --appimage- option is the runtime's by
    // convention, and one that another runtime knows (--appimage-portable-home...) must
    // not silently reach the app as an argument it does not understand.
    say("unknown option %s (see --appimage-help)", argv[1]);
    return 2;
}

void options_print_help(const char *argv0)
{
    printf("Usage: %s [ARGUMENT...]       run %s with these arguments\n"
           "       %s --appimage-OPTION\n"
           "\n"
           "Runs the app in this AppImage: its files are mounted read-only with FUSE or, where\n"
           "FUSE cannot be used, copied to a temporary folder, and its AppRun becomes this\n"
           "process, with the arguments, signals and exit status of the app.\n"
           "\n"
           "Options of the AppImage itself (as the first argument only):\n"
           "  --appimage-help                 this help\n"
           "  --appimage-version              the version of this AppImage runtime\n"
           "  --appimage-offset               where the payload (a squashfs image) starts in the file\n"
           "  --appimage-extract [PATTERN]    copy the payload's files to ./squashfs-root: all of them,\n"
           "                                  or the paths matching the shell PATTERN ('*' matches '/'\n"
           "                                  too, and a matching folder brings what it holds)\n"
           "  --appimage-mount                mount the payload, print where, and keep it mounted\n"
           "                                  until Ctrl+C or SIGTERM\n"
           "  --appimage-extract-and-run [ARGUMENT...]\n"
           "                                  run the app from a temporary copy instead of a mount\n"
           "  --appimage-updateinformation    print the update information (ELF section .upd_info)\n"
           "  --appimage-signature            print the signature (ELF section .sha256_sig)\n"
           "\n"
           "Environment:\n"
           "  APPIMAGE_EXTRACT_AND_RUN=1      as --appimage-extract-and-run\n"
           "  TMPDIR                          where the mount point or the copy goes (default /tmp)\n"
           "The app finds APPIMAGE (this file), APPDIR (its files), ARGV0 and OWD (the working\n"
           "folder at start) in its environment.\n"
           "\n"
           "Exit status: the app's own; %d when the app could not be started; 2 for an unknown\n"
           "--appimage- option.\n",
           argv0, APP_NAME, argv0, EXIT_CANNOT_RUN);
}
