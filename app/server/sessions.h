#pragma once

#include "ratelimiter.h"

#include <QByteArray>
#include <QHostAddress>
#include <QSet>
#include <QString>
#include <optional>

// Who may use a server that has a password (--password): whoever holds a bearer token
// that POST /api/v1/sessions gave in exchange for the password. Only SHA-256 hashes of
// tokens are kept, here and in the store, and the password only as a digest.
class Sessions
{
public:
    // An empty password turns access control off.
    Sessions(const QString &password, int wrongPasswordsPerMinute);

    bool enabled() const { return !m_passwordDigest.isEmpty(); }
    // Derived from the password slowly (PBKDF2), so that the tag stored beside each
    // session does not make guessing the password from a copy of the database cheap.
    const QByteArray &passwordTag() const { return m_passwordTag; }

    enum class Credential { Missing, Invalid, Valid };
    // Reads an "Authorization: Bearer TOKEN" header value; `tokenHash` is set when Valid.
    Credential check(const QByteArray &authorization, QByteArray *tokenHash = nullptr) const;

    // Seconds `client` must wait before trying a password again, or nullopt.
    std::optional<int> throttled(const QHostAddress &client);
    // Compares in constant time; a wrong password counts against `client`.
    bool tryPassword(const QHostAddress &client, const QString &candidate);

    static QByteArray newToken();
    static QByteArray hashOf(const QByteArray &token);

    bool isValid(const QByteArray &tokenHash) const { return m_tokenHashes.contains(tokenHash); }
    void accept(const QByteArray &tokenHash) { m_tokenHashes.insert(tokenHash); }
    void revoke(const QByteArray &tokenHash) { m_tokenHashes.remove(tokenHash); }
    void load(const QList<QByteArray> &tokenHashes);

private:
    QByteArray m_passwordDigest;
    QByteArray m_passwordTag;
    QSet<QByteArray> m_tokenHashes;
    RateLimiter m_wrongPasswords;
};
