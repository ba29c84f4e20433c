#pragma once

// True when the command line asks for server mode (`--serve` anywhere in it).
bool isServeInvocation(int argc, char *argv[]);

// `chatapp --serve [HOST [PORT]] [--data-dir DIR] [--quiet]`: runs headless with a
// QCoreApplication until SIGTERM or SIGINT, then exits 0.
int runServeCommand(int argc, char *argv[]);
