// Messages and small I/O helpers that every part of the runtime shares.
#ifndef RUNTIME_COMMON_H
#define RUNTIME_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#ifndef APP_NAME
#define APP_NAME "ChatApp"
#endif

// What the runtime exits with when it cannot start the app at all, as a shell does for a
// command it cannot run: the app's own codes (0, 1, 2...) keep their meaning.
#define EXIT_CANNOT_RUN 127

// One line on stderr, starting with the app's name, so that a user or a journal can tell
// the runtime's words from the app's.
void say(const char *format, ...) __attribute__((format(printf, 1, 2)));

bool write_all(int fd, const void *data, size_t size);

// ${TMPDIR:-/tmp}, if TMPDIR is an absolute path
const char *temp_base(void);

// waitpid, through EINTR; the exit status, or -1 if the process did not exit by itself.
int wait_exit_status(pid_t pid);

#endif
