#pragma once

#include "limits.h"
#include "storage/postgresaddress.h"
#include "trustedproxies.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>
#include <optional>

class QCoreApplication;

struct ServeOptions
{
    QString host = QStringLiteral("0.0.0.0");
    QHostAddress address = QHostAddress(QHostAddress::AnyIPv4);
    quint16 port = 3550;
    QString dataDirectory = QStringLiteral("./chatapp-data");
    // Set: store in this PostgreSQL rather than SQLite in dataDirectory.
    std::optional<PostgresAddress> postgres;
    bool quiet = false;
    QString password; // empty: no access control
    QString tlsCertificate; // both empty, or both set: HTTPS
    QString tlsKey;
    // Names besides IP addresses, localhost and the machine's own that the Host header may
    // give, normalised (OriginPolicy::normalisedHostName).
    QStringList allowedHosts;
    // Reverse proxies whose X-Forwarded-For names the client; none: the header is ignored.
    TrustedProxies trustedProxies;
    ServerLimits limits;
};

// Reads the server's options from the command line, then the environment
// (CHATAPP_<OPTION>), then the defaults. Prints --help or --version and exits, as
// QCommandLineParser does; on a bad value prints why and returns nullopt.
std::optional<ServeOptions> parseServeOptions(const QCoreApplication &app);
