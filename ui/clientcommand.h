#pragma once

#include "client/launchoptions.h"
#include "client/chatconfig.h"

// Runs the chat window: `chatapp`, `chatapp HOST PORT`, `chatapp --connect HOST:PORT ...`.
int runClientCommand(int argc, char *argv[]);
