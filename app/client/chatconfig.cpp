#include "chatconfig.h"

#include "launchoptions.h"

ChatConfig chatConfigFor(const ServerAddress &server, const QString &name, const QString &room,
                         const LaunchOptions &options)
{
    ChatConfig config;
    config.serverUrl = server.baseUrl();
    config.serverLabel = server.toString();
    config.name = name;
    if (const auto parsed = RoomName::parse(room))
        config.room = *parsed;
    config.pollIntervalMs = options.pollIntervalMs;
    config.password = options.password;
    config.caCertificates = options.caCertificates;
    return config;
}
