#pragma once

#include "client/launchoptions.h"
#include "mainwindow.h"

// Runs the chat window: `chatapp`, `chatapp HOST PORT`, `chatapp --connect HOST:PORT ...`.
int runClientCommand(int argc, char *argv[]);

// What the window is opened with: the server, name and room (from the command line or
// the connect dialog; an empty room means general) and the rest of the command line.
ChatConfig chatConfigFor(const ServerAddress &server, const QString &name, const QString &room,
                         const LaunchOptions &options);
