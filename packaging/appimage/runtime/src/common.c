#include "common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

void say(const char *format, ...)
{
    // Built in one buffer and written at once, so that a line from the helper process and
    // one from the app cannot interleave mid-line.
    char line[2048];
    int used = snprintf(line, sizeof line, "%s: ", APP_NAME);
    va_list args;
    va_start(args, format);
    int more = vsnprintf(line + used, sizeof line - (size_t)used - 1, format, args);
    va_end(args);
    size_t length = (size_t)used + (more < 0 ? 0 : (size_t)more);
    if (length > sizeof line - 2)
        length = sizeof line - 2;
    line[length++] = '\n';
    (void)write_all(STDERR_FILENO, line, length);
}

bool write_all(int fd, const void *data, size_t size)
{
    const char *at = data;
    while (size > 0) {
        ssize_t written = write(fd, at, size);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        at += written;
        size -= (size_t)written;
    }
    return true;
}

const char *temp_base(void)
{
    // Relative, it would give the app a relative APPDIR that breaks once it changes
    // folder.
    const char *base = getenv("TMPDIR");
    return base && base[0] == '/' ? base : "/tmp";
}

int wait_exit_status(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
