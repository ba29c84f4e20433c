#pragma once

// Every connection costs the server one file descriptor, and a process may only have so
// many open: past that, accept() fails with EMFILE and the client is never answered.
// systemd starts services with a soft limit of 1,024, far below --max-connections.

// Descriptors --serve keeps back from its connections. About 20 are open once it
// listens (stdio, the epoll loop and its wake-up, the listening socket, the signal pipe,
// SQLite's database, write-ahead log and shared memory for the writer and the reader,
// the storage threads' wake-ups). One is the reserve ConnectionGuard answers 503 with
// when every other is taken, one the connection it refuses at the limit. The rest is
// room for what opens while serving: SQLite's temporary files and the AppImage each
// download reads. Should all of that still run out, the reserve answers.
constexpr int descriptorsKeptBack = 64;

// Raises the soft limit on open descriptors to the hard limit, which any process may
// do; returns the soft limit now in force.
int raiseOpenFileLimit();

// The most connections that fit in `openFileLimit` descriptors (at least one).
int connectionsThatFit(int openFileLimit);
