#include "sessioncache.h"

SessionCache::Known SessionCache::find(const QByteArray &tokenHash, qint64 nowMs) const
{
    const auto entry = m_entries.constFind(tokenHash);
    if (entry == m_entries.cend() || entry->expiresMs <= nowMs)
        return Known::Unknown;
    return entry->valid ? Known::Valid : Known::Invalid;
}

void SessionCache::remember(const QByteArray &tokenHash, bool valid, qint64 nowMs)
{
    // A revocation must never be left behind as the valid entry it replaces.
    m_entries.remove(tokenHash);
    if (m_entries.size() >= m_lifetimes.capacity)
        makeRoom(nowMs);
    if (m_entries.size() >= m_lifetimes.capacity)
        return;
    m_entries.insert(tokenHash, {nowMs + (valid ? m_lifetimes.validMs : m_lifetimes.invalidMs), valid});
}

void SessionCache::makeRoom(qint64 nowMs)
{
    m_entries.removeIf([nowMs](QHash<QByteArray, Entry>::iterator entry) { return entry->expiresMs <= nowMs; });
    if (m_entries.size() >= m_lifetimes.capacity)
        m_entries.removeIf([](QHash<QByteArray, Entry>::iterator entry) { return !entry->valid; });
}
