#pragma once

#include "core/apierror.h"

#include <QByteArray>
#include <QHttpServerRequest>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

// Which names this server answers to, and whether a browser was made to send a request
// by another site's page: the defences against DNS rebinding and cross-site requests
// (docs/security.md). It decides from header values alone, so that it is tested apart
// from any socket (tests/unit/tst_originpolicy.cpp).
class OriginPolicy
{
public:
    // `allowedHosts`: the names, beyond IP literals and localhost, that Host may give
    // (--allowed-host and machineHostNames()), each as normalisedHostName() made it.
    explicit OriginPolicy(QStringList allowedHosts = {});

    // The names this machine gives itself: its host name, and with its DNS domain its
    // fully qualified name. The domain is read from the resolver's configuration, not
    // looked up, so this never waits on the network; call it once, at start-up.
    static QStringList machineHostNames();
    // `name` as Host values are compared (lower case, IDNA's ASCII form, no final dot),
    // or empty when it is not a host name (with a port, a path, spaces...).
    static QString normalisedHostName(const QString &name);

    // 421 when Host does not name this server (400 when it names nothing, or twice), 403
    // when a request that changes something comes from another site's page, otherwise
    // nullopt. Every value of each header, in
    // the order received.
    std::optional<ApiError> refusal(QHttpServerRequest::Method method,
                                    const QList<QByteArray> &hosts,
                                    const QList<QByteArray> &origins,
                                    const QList<QByteArray> &fetchSites) const;

    // No Host (an HTTP/1.0 client), or one Host naming an IP address, localhost or an
    // allowed name, on any port.
    bool hostIsThisServer(const QList<QByteArray> &hosts) const;
    // Whether a page at `origin` (an Origin value) is on the server the client reached
    // as `host` (a Host value). "null", sent from sandboxed frames and local files, never is.
    static bool isSameOrigin(const QByteArray &origin, const QByteArray &host);
    static bool changesState(QHttpServerRequest::Method method);

private:
    QStringList m_allowedHosts;
};
