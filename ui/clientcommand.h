#pragma once

// Runs the chat window: `chatapp`, `chatapp HOST PORT`, `chatapp --connect HOST:PORT ...`.
int runClientCommand(int argc, char *argv[]);
