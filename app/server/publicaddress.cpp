#include "publicaddress.h"

#include <QHostAddress>
#include <QSslSocket>
#include <QTcpSocket>
#include <QUrl>

PublicAddress PublicAddress::of(const QByteArray &hostHeader, const QTcpSocket *socket)
{
    PublicAddress address;
    const auto *tlsSocket = qobject_cast<const QSslSocket *>(socket);
    address.secure = tlsSocket && tlsSocket->isEncrypted();
    address.port = socket ? socket->localPort() : 0;
    if (hostHeader.isEmpty()) {
        if (socket)
            address.host = socket->localAddress().toString();
        return address;
    }
    QUrl url;
    url.setScheme(address.secure ? QStringLiteral("https") : QStringLiteral("http"));
    url.setAuthority(QString::fromUtf8(hostHeader), QUrl::StrictMode);
    if (url.isValid() && !url.host().isEmpty() && url.userInfo().isEmpty()) {
        address.host = url.host();
        // No port in Host means the scheme's own, whatever port the server listens on
        // (a proxy or a port forward in front of it).
        address.port = url.port(address.secure ? 443 : 80);
    } else {
        address.host = QString::fromUtf8(hostHeader);
    }
    return address;
}

QString PublicAddress::origin() const
{
    const bool ipv6 = QHostAddress(host).protocol() == QAbstractSocket::IPv6Protocol;
    const QString shownHost = ipv6 ? u'[' + host + u']' : host;
    return (secure ? QStringLiteral("https://") : QStringLiteral("http://")) + shownHost + u':'
         + QString::number(port);
}

QString PublicAddress::launchArguments() const
{
    return secure ? origin() : host + u' ' + QString::number(port);
}
