#pragma once

#include "client/chatconfig.h"
#include "serverprocess.h"

// What a window or a ChatClient under test is opened with: `server`, as `name`, in `room`.
inline ChatConfig clientConfigFor(const ServerProcess &server, const QString &name, const QString &room)
{
    ChatConfig config;
    config.serverUrl = server.baseUrl();
    config.serverUrl.setPath(QString());
    config.serverLabel = QStringLiteral("127.0.0.1:%1").arg(server.port());
    config.name = name;
    config.room = *RoomName::parse(room);
    return config;
}
