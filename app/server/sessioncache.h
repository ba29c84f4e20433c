#pragma once

#include <QByteArray>
#include <QHash>

// What a node knows of the sessions other nodes share with it through the store (several
// nodes on one PostgreSQL): token hashes the store said were valid, for 30 s, and those it
// said were not, or that were revoked, for 5 s, so that a flood of bad tokens is not a
// flood of queries. Bounded: when full, expired entries go first, then refusals, and past
// that an answer is simply not kept (it is asked again next time). Revocations reach it
// within a second or so through the store's revocation log; the expiry bounds what a
// revocation that never arrived could leave valid.
class SessionCache
{
public:
    struct Lifetimes
    {
        qint64 validMs = 30'000;
        qint64 invalidMs = 5'000;
        qsizetype capacity = 100'000;
    };
    enum class Known { Valid, Invalid, Unknown };

    SessionCache() = default;
    explicit SessionCache(Lifetimes lifetimes)
        : m_lifetimes(lifetimes)
    {
    }

    Known find(const QByteArray &tokenHash, qint64 nowMs) const;
    void remember(const QByteArray &tokenHash, bool valid, qint64 nowMs);
    // Everything asked again: the revocation log may have lost entries for this node.
    void clear() { m_entries.clear(); }
    qsizetype size() const { return m_entries.size(); }

private:
    struct Entry
    {
        qint64 expiresMs = 0;
        bool valid = false;
    };
    void makeRoom(qint64 nowMs);

    Lifetimes m_lifetimes;
    QHash<QByteArray, Entry> m_entries;
};
