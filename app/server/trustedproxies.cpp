#include "trustedproxies.h"

#include <algorithm>

namespace {

// An IPv4 peer of a dual-stack socket shows as ::ffff:a.b.c.d; the ranges and the
// rate limiters must see the one address it is.
QHostAddress unmapped(const QHostAddress &address)
{
    bool isMapped = false;
    const quint32 ipv4 = address.toIPv4Address(&isMapped);
    const bool isIpv6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    return isMapped && isIpv6 ? QHostAddress(ipv4) : address;
}

// A bare IP address, as nginx's $proxy_add_x_forwarded_for and HAProxy's
// option forwardfor write them: no port, no brackets, no scope, IPv4 in four parts.
std::optional<QHostAddress> bareAddress(QStringView text)
{
    if (text.isEmpty() || text.contains(u'%'))
        return std::nullopt;
    QHostAddress address;
    if (!address.setAddress(text.toString()))
        return std::nullopt;
    if (address.protocol() == QAbstractSocket::IPv4Protocol && address.toString() != text)
        return std::nullopt;
    return unmapped(address);
}

} // namespace

std::optional<TrustedProxies::Range> TrustedProxies::parseRange(QStringView text)
{
    text = text.trimmed();
    const qsizetype slash = text.indexOf(u'/');
    const QStringView written = slash < 0 ? text : text.left(slash);
    const auto address = bareAddress(written);
    if (!address)
        return std::nullopt;
    const bool writtenAsIpv6 = written.contains(u':');
    const int longest = writtenAsIpv6 ? 128 : 32;
    int prefix = longest;
    if (slash >= 0) {
        const QStringView digits = text.mid(slash + 1);
        bool ok = !digits.isEmpty() && digits.size() <= 3
               && std::all_of(digits.begin(), digits.end(), [](QChar c) { return c.isDigit(); });
        prefix = ok ? digits.toInt(&ok) : -1;
        if (!ok || prefix > longest)
            return std::nullopt;
    }
    // ::ffff:10.0.0.0/104 is the IPv4 range 10.0.0.0/8, which is how its peers are seen.
    if (writtenAsIpv6 && address->protocol() == QAbstractSocket::IPv4Protocol) {
        if (prefix < 96)
            return std::nullopt;
        prefix -= 96;
    }
    return Range{*address, prefix};
}

bool TrustedProxies::contains(const QHostAddress &address) const
{
    const QHostAddress seen = unmapped(address);
    return std::any_of(m_ranges.begin(), m_ranges.end(),
                       [&seen](const Range &range) { return seen.isInSubnet(range); });
}

QHostAddress TrustedProxies::clientAddress(const QHostAddress &peer,
                                           const QList<QByteArray> &headers) const
{
    if (!contains(peer))
        return peer;
    QByteArrayList entries;
    for (const QByteArray &header : headers) {
        for (const QByteArray &entry : header.split(',')) {
            // RFC 9110, 5.6.1: empty list elements are allowed and mean nothing.
            if (!entry.trimmed().isEmpty())
                entries.append(entry.trimmed());
        }
    }
    QHostAddress client = peer;
    for (auto entry = entries.crbegin(); entry != entries.crend(); ++entry) {
        const auto address = bareAddress(QString::fromLatin1(*entry));
        if (!address)
            return peer;
        client = *address;
        if (!contains(client))
            break;
    }
    return client;
}
