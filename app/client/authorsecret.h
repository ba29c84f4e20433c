#pragma once

#include <QByteArray>
#include <QString>

// The secret the window sends with every message (header Author-Secret), one per server
// and kept in QSettings ("ChatApp"/"chatapp", key "authorSecrets/HOST:PORT"): names are
// free text, so the server lets only whoever holds a message's secret edit or delete it,
// also after the window is restarted.
namespace AuthorSecret {
// The server's secret, made (32 random hex characters) and kept the first time it is asked for.
QByteArray forServer(const QString &server);
} // namespace AuthorSecret
