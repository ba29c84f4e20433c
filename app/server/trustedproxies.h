#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QStringView>
#include <optional>

// The networks of the reverse proxies in front of this server (--trusted-proxy), and
// what follows from them: which address a request comes from. Only a connection from
// one of them may say, in X-Forwarded-For, whom it forwards for; anyone else could
// write any address there and escape every per-address limit.
class TrustedProxies
{
public:
    using Range = QPair<QHostAddress, int>; // network and prefix length

    // "10.0.0.0/8", "2001:db8::/32", or a bare address, which is a range of one
    // (/32, /128); nullopt for anything else. An IPv4 address must be written in full,
    // four decimal parts: "127.1" reads as 127.0.0.1 to some and as nothing to others.
    static std::optional<Range> parseRange(QStringView text);

    void add(const Range &range) { m_ranges.append(range); }
    bool isEmpty() const { return m_ranges.isEmpty(); }
    bool contains(const QHostAddress &address) const;

    // The address of the client that a request from `peer` is made for. Without trusted
    // proxies, or from a peer that is not one, the peer itself. From a trusted proxy, the
    // X-Forwarded-For `headers` (several are one list, in order) are walked from the
    // right, where the nearest proxy appended whom it heard from, past every address
    // that is itself a trusted proxy; the first that is not is the client. Entries to
    // its left are the client's own to write and are never read. When every entry is a
    // trusted proxy, the leftmost is the client. The peer stands in when there is no
    // entry, or when the walk meets one that is not a bare IP address before it finds
    // the client: the proxies did not say whom they forward for in a way that can be
    // believed.
    QHostAddress clientAddress(const QHostAddress &peer, const QList<QByteArray> &headers) const;

private:
    QList<Range> m_ranges;
};
