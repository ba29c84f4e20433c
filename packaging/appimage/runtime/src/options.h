// The runtime's own options: only a first argument starting with --appimage- is ours;
// everything else goes to the app untouched.
#ifndef RUNTIME_OPTIONS_H
#define RUNTIME_OPTIONS_H

enum action {
    ACTION_RUN,              // no option of ours: mount (or unpack) and become AppRun
    ACTION_HELP,
    ACTION_VERSION,
    ACTION_OFFSET,
    ACTION_EXTRACT,
    ACTION_MOUNT,
    ACTION_EXTRACT_AND_RUN,
    ACTION_UPDATE_INFORMATION,
    ACTION_SIGNATURE,
};

struct options {
    enum action action;
    const char *pattern;     // --appimage-extract's PATTERN, or NULL for everything
    int app_argc;            // the arguments that AppRun gets
    char **app_argv;
};

// 0, or the exit status to leave with (2, after saying why) for an option we do not know.
int options_parse(int argc, char **argv, struct options *options);

void options_print_help(const char *argv0);

#endif
