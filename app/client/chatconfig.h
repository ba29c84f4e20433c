#pragma once

#include "core/roomname.h"

#include <QList>
#include <QSslCertificate>
#include <QString>
#include <QUrl>

#include <optional>

// Who the client talks to and as whom.
struct ChatConfig
{
    QUrl serverUrl;
    QString serverLabel; // "203.0.113.7:3550", for people
    QString name;
    RoomName room = RoomName::general();
    std::optional<int> pollIntervalMs; // unset: long poll
    QString password; // from --password-file: tried before asking, when the server wants one
    QList<QSslCertificate> caCertificates; // from --ca-file
};

struct LaunchOptions;
struct ServerAddress;

// What the window is opened with: the server, name and room (from the command line or
// the connect dialog; an empty room means general) and the rest of the command line.
ChatConfig chatConfigFor(const ServerAddress &server, const QString &name, const QString &room,
                         const LaunchOptions &options);
