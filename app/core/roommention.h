#pragma once

#include <QStringView>

// Whether `text` calls everyone in its room: "@room" as a word of its own ("@room,",
// "(@room)"), in any case; "@roomba" and "room" do not. It notifies every member (the
// window's Notifications) and is rate-limited by the server for that reason.
bool mentionsEveryone(QStringView text);
