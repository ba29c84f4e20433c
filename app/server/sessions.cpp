#include "sessions.h"

#include <QCryptographicHash>
#include <QPasswordDigestor>
#include <QRandomGenerator>
#include <array>

namespace {
constexpr int tokenBytes = 32;
constexpr int tagIterations = 100000;

QByteArray digestOf(const QString &password)
{
    return QCryptographicHash::hash(password.toUtf8(), QCryptographicHash::Sha256);
}

// Takes as long whatever bytes differ, so timing tells nothing about the password.
bool sameBytes(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}
} // namespace

Sessions::Sessions(const QString &password, int wrongPasswordsPerMinute)
    : m_wrongPasswords(wrongPasswordsPerMinute / 60.0, wrongPasswordsPerMinute)
{
    m_clock.start();
    if (password.isEmpty())
        return;
    m_passwordDigest = digestOf(password);
    m_passwordTag = QPasswordDigestor::deriveKeyPbkdf2(QCryptographicHash::Sha256, password.toUtf8(),
                                                       "chatapp sessions", tagIterations, 32);
}

Sessions::Credential Sessions::check(const QByteArray &authorization, QByteArray *tokenHash) const
{
    const QByteArray value = authorization.trimmed();
    if (value.isEmpty())
        return Credential::Missing;
    // RFC 6750: the scheme is case-insensitive, then one space, then the token.
    if (value.size() < 7 || value.left(7).toLower() != "bearer ")
        return Credential::Invalid;
    const QByteArray hash = hashOf(value.mid(7).trimmed());
    if (tokenHash)
        *tokenHash = hash;
    if (!m_shared)
        return m_tokenHashes.contains(hash) ? Credential::Valid : Credential::Invalid;
    switch (m_cache.find(hash, nowMs())) {
    case SessionCache::Known::Valid:
        return Credential::Valid;
    case SessionCache::Known::Invalid:
        return Credential::Invalid;
    case SessionCache::Known::Unknown:
        break;
    }
    return Credential::Unknown;
}

std::optional<int> Sessions::throttled(const QHostAddress &client)
{
    return m_wrongPasswords.wouldWait(client);
}

bool Sessions::tryPassword(const QHostAddress &client, const QString &candidate)
{
    if (sameBytes(digestOf(candidate), m_passwordDigest))
        return true;
    m_wrongPasswords.admit(client);
    return false;
}

QByteArray Sessions::newToken()
{
    std::array<quint32, tokenBytes / sizeof(quint32)> words;
    QRandomGenerator::system()->fillRange(words.data(), qsizetype(words.size()));
    const QByteArray bytes(reinterpret_cast<const char *>(words.data()), tokenBytes);
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray Sessions::hashOf(const QByteArray &token)
{
    return QCryptographicHash::hash(token, QCryptographicHash::Sha256);
}

bool Sessions::isValid(const QByteArray &tokenHash) const
{
    // Shared: a session whose entry merely expired while a poll was held is not revoked.
    if (m_shared)
        return m_cache.find(tokenHash, nowMs()) != SessionCache::Known::Invalid;
    return m_tokenHashes.contains(tokenHash);
}

void Sessions::accept(const QByteArray &tokenHash)
{
    if (m_shared)
        m_cache.remember(tokenHash, true, nowMs());
    else
        m_tokenHashes.insert(tokenHash);
}

void Sessions::revoke(const QByteArray &tokenHash)
{
    if (m_shared)
        m_cache.remember(tokenHash, false, nowMs());
    else
        m_tokenHashes.remove(tokenHash);
}

void Sessions::learn(const QByteArray &tokenHash, bool valid)
{
    m_cache.remember(tokenHash, valid, nowMs());
}

void Sessions::load(const QList<QByteArray> &tokenHashes)
{
    for (const QByteArray &hash : tokenHashes)
        m_tokenHashes.insert(hash);
}
