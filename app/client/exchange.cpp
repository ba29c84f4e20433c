#include "exchange.h"

Exchange::Outcome Exchange::outcome() const
{
    if (status >= 500)
        return Outcome::ServerError;
    if (status >= 400)
        return Outcome::ClientError;
    if (status >= 300)
        return Outcome::Redirect;
    if (status >= 100)
        return Outcome::Success;
    return Outcome::NoConnection;
}

QString Exchange::statusText() const
{
    if (outcome() == Outcome::NoConnection)
        return reason.isEmpty() ? tr("no connection") : tr("no connection (%1)").arg(reason);
    const QString phrase = reason.isEmpty() ? standardReasonPhrase(status) : reason;
    return phrase.isEmpty() ? QString::number(status) : QString::number(status) + u' ' + phrase;
}

QString Exchange::summary() const
{
    //: Status bar line for one HTTP exchange: method, path, status, duration.
    return tr("%1 %2 → %3 · %4 ms")
        .arg(QString::fromLatin1(method), path, statusText())
        .arg(elapsedMs);
}

QByteArray Exchange::requestLine() const
{
    // The request target as sent: origin-form, path and query, already percent-encoded.
    const QByteArray target = url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority);
    return method + ' ' + (target.isEmpty() ? path.toUtf8() : target) + ' ' + httpVersion;
}

QByteArray Exchange::statusLine() const
{
    if (status == 0)
        return {};
    const QString phrase = reason.isEmpty() ? standardReasonPhrase(status) : reason;
    return httpVersion + ' ' + QByteArray::number(status) + ' ' + phrase.toLatin1();
}

namespace {
QByteArray headerIn(const HttpHeaders &headers, QByteArrayView name)
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}
} // namespace

QByteArray Exchange::requestHeader(QByteArrayView name) const
{
    return headerIn(requestHeaders, name);
}

QByteArray Exchange::responseHeader(QByteArrayView name) const
{
    return headerIn(responseHeaders, name);
}

QString standardReasonPhrase(int status)
{
    switch (status) {
    case 200: return QStringLiteral("OK");
    case 201: return QStringLiteral("Created");
    case 204: return QStringLiteral("No Content");
    case 304: return QStringLiteral("Not Modified");
    case 400: return QStringLiteral("Bad Request");
    case 401: return QStringLiteral("Unauthorized");
    case 404: return QStringLiteral("Not Found");
    case 405: return QStringLiteral("Method Not Allowed");
    case 408: return QStringLiteral("Request Timeout");
    case 413: return QStringLiteral("Payload Too Large");
    case 415: return QStringLiteral("Unsupported Media Type");
    case 429: return QStringLiteral("Too Many Requests");
    case 500: return QStringLiteral("Internal Server Error");
    case 502: return QStringLiteral("Bad Gateway");
    case 503: return QStringLiteral("Service Unavailable");
    case 504: return QStringLiteral("Gateway Timeout");
    default: return {};
    }
}
