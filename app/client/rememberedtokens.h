#pragma once

#include <QByteArray>
#include <QString>

// Tokens the user asked the window to remember, one per server (QSettings "ChatApp"/
// "chatapp", key "sessions/HOST:PORT"), so that a restarted window is signed in without
// asking. Only tokens: a password never reaches the disk, and a token can be revoked.
namespace RememberedTokens {
QByteArray load(const QString &server);
void save(const QString &server, const QByteArray &token);
void forget(const QString &server);
} // namespace RememberedTokens
