#pragma once

#include <QSslConfiguration>
#include <QString>
#include <optional>

// The server's certificate (with its chain, as issuers such as Let's Encrypt hand it
// out: the certificate first, then the intermediates) and private key, both PEM.
// Nullopt, with `error` saying why, when either cannot be used.
std::optional<QSslConfiguration> loadTlsConfiguration(const QString &certificatePath,
                                                      const QString &keyPath, QString *error);
