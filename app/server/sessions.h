#pragma once

#include "ratelimiter.h"
#include "sessioncache.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QSet>
#include <QString>
#include <optional>

// Who may use a server that has a password (--password): whoever holds a bearer token
// that POST /api/v1/sessions gave in exchange for the password. Only SHA-256 hashes of
// tokens are kept, here and in the store, and the password only as a digest.
//
// Alone on its store (SQLite) a node knows every session: they are loaded at start-up
// and only it adds or revokes them. When other nodes share the store (PostgreSQL), it
// knows only what it has asked the store recently (SessionCache): a token it does not
// know is Unknown until the store answers, and revocations come from the store's log.
class Sessions
{
public:
    // An empty password turns access control off.
    Sessions(const QString &password, int wrongPasswordsPerMinute);

    bool enabled() const { return !m_passwordDigest.isEmpty(); }
    // Derived from the password slowly (PBKDF2), so that the tag stored beside each
    // session does not make guessing the password from a copy of the database cheap.
    const QByteArray &passwordTag() const { return m_passwordTag; }

    // Other nodes issue and revoke sessions in the same store.
    void shareWithOtherNodes() { m_shared = true; }
    bool shared() const { return m_shared; }

    // Unknown: only the store can tell (shared sessions).
    enum class Credential { Missing, Invalid, Valid, Unknown };
    // Reads an "Authorization: Bearer TOKEN" header value; `tokenHash` is set whenever a
    // token was given.
    Credential check(const QByteArray &authorization, QByteArray *tokenHash = nullptr) const;

    // Seconds `client` must wait before trying a password again, or nullopt.
    std::optional<int> throttled(const QHostAddress &client);
    // Compares in constant time; a wrong password counts against `client`.
    bool tryPassword(const QHostAddress &client, const QString &candidate);

    static QByteArray newToken();
    static QByteArray hashOf(const QByteArray &token);

    // Whether what was admitted under `tokenHash` may still be answered: not revoked since.
    bool isValid(const QByteArray &tokenHash) const;
    void accept(const QByteArray &tokenHash);
    void revoke(const QByteArray &tokenHash);
    // What the store answered about a token this node did not know (shared sessions).
    void learn(const QByteArray &tokenHash, bool valid);
    // Shared sessions: revocations may have been missed, so every token is asked again.
    void forgetLearned() { m_cache.clear(); }
    void load(const QList<QByteArray> &tokenHashes);

private:
    qint64 nowMs() const { return m_clock.elapsed(); }

    QByteArray m_passwordDigest;
    QByteArray m_passwordTag;
    bool m_shared = false;
    QSet<QByteArray> m_tokenHashes; // alone on the store: every session there is
    SessionCache m_cache;           // shared: what the store said lately
    QElapsedTimer m_clock;
    RateLimiter m_wrongPasswords;
};
