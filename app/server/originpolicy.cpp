#include "originpolicy.h"

#include <QHostAddress>
#include <QHostInfo>
#include <QUrl>

namespace {
int defaultPort(const QString &scheme)
{
    return scheme == u"https" ? 443 : 80;
}

QString comparableHost(const QUrl &url)
{
    QString host = url.host(QUrl::EncodeUnicode).toLower();
    if (host.endsWith(u'.'))
        host.chop(1);
    return host;
}

// A Host value read as URLs read an authority: "name", "name:port", "[v6]:port".
std::optional<QUrl> hostUrl(const QByteArray &host)
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setAuthority(QString::fromLatin1(host), QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() || !url.userInfo().isEmpty())
        return std::nullopt;
    return url;
}

// An Origin value, "scheme://host[:port]" and nothing else (RFC 6454, 7).
std::optional<QUrl> originUrl(const QByteArray &origin)
{
    const QUrl url = QUrl::fromEncoded(origin.trimmed(), QUrl::StrictMode);
    const bool web = url.scheme() == u"http" || url.scheme() == u"https";
    if (!url.isValid() || !web || url.host().isEmpty() || !url.userInfo().isEmpty()
        || !url.path().isEmpty() || url.hasQuery() || url.hasFragment())
        return std::nullopt;
    return url;
}
} // namespace

OriginPolicy::OriginPolicy(QStringList allowedHosts) : m_allowedHosts(std::move(allowedHosts)) {}

QStringList OriginPolicy::machineHostNames()
{
    const QString host = normalisedHostName(QHostInfo::localHostName());
    if (host.isEmpty())
        return {};
    QStringList names{host};
    const QString domain = normalisedHostName(QHostInfo::localDomainName());
    if (host.contains(u'.'))
        names.append(host.section(u'.', 0, 0)); // the short name the search domain completes
    else if (!domain.isEmpty())
        names.append(host + u'.' + domain);
    return names;
}

QString OriginPolicy::normalisedHostName(const QString &name)
{
    QUrl url;
    url.setHost(name.trimmed(), QUrl::StrictMode);
    return url.isValid() ? comparableHost(url) : QString();
}

std::optional<ApiError> OriginPolicy::refusal(QHttpServerRequest::Method method,
                                              const QList<QByteArray> &hosts,
                                              const QList<QByteArray> &origins,
                                              const QList<QByteArray> &fetchSites) const
{
    // Two Hosts could be read as two servers (RFC 9112, 3.2).
    if (hosts.size() > 1)
        return Errors::invalidHeader(QStringLiteral("Host"), QStringLiteral("is given more than once"));
    if (!hostIsThisServer(hosts)) {
        const auto url = hostUrl(hosts.first());
        if (!url)
            return Errors::invalidHeader(QStringLiteral("Host"), QStringLiteral("is not a host name and port"));
        return Errors::misdirectedRequest(url->host(QUrl::EncodeUnicode).toLatin1());
    }
    if (!changesState(method))
        return std::nullopt;
    const QByteArray origin = origins.value(0);
    for (const QByteArray &site : fetchSites) {
        if (site.trimmed().compare("cross-site", Qt::CaseInsensitive) == 0)
            return Errors::crossSiteRequest(origin);
    }
    // Browsers send Origin with every request that may change something; programs
    // (curl, urllib, the chat window) send none, and are not what this defends against.
    if (origins.isEmpty())
        return std::nullopt;
    if (origins.size() > 1 || hosts.isEmpty() || !isSameOrigin(origin, hosts.first()))
        return Errors::crossSiteRequest(origin);
    return std::nullopt;
}

bool OriginPolicy::hostIsThisServer(const QList<QByteArray> &hosts) const
{
    if (hosts.isEmpty())
        return true;
    if (hosts.size() > 1)
        return false;
    const auto url = hostUrl(hosts.first());
    if (!url)
        return false;
    // No DNS answer leads to an address literal, so no rebinding can either.
    if (!QHostAddress(url->host()).isNull())
        return true;
    const QString name = comparableHost(*url);
    return name == u"localhost" || m_allowedHosts.contains(name);
}

bool OriginPolicy::isSameOrigin(const QByteArray &origin, const QByteArray &host)
{
    const auto page = originUrl(origin);
    const auto server = hostUrl(host);
    if (!page || !server)
        return false;
    // A Host without a port was reached on the default port of the page's scheme: a
    // proxy in front (TLS on 443) may pass Host on as the browser sent it. The scheme
    // itself cannot be compared: behind such a proxy this server sees plain HTTP.
    const int defaultOfPage = defaultPort(page->scheme());
    return comparableHost(*page) == comparableHost(*server)
        && page->port(defaultOfPage) == server->port(defaultOfPage);
}

bool OriginPolicy::changesState(QHttpServerRequest::Method method)
{
    // The safe methods of RFC 9110, 9.2.1; anything else may change something.
    switch (method) {
    case QHttpServerRequest::Method::Get:
    case QHttpServerRequest::Method::Head:
    case QHttpServerRequest::Method::Options:
    case QHttpServerRequest::Method::Trace:
        return false;
    default:
        return true;
    }
}
