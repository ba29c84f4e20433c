#include "exchangecapture.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>

namespace ExchangeCapture {

namespace {
const QLatin1String secretFields[] = { QLatin1String("password"), QLatin1String("token") };

QByteArray maskedJson(const QByteArray &bytes)
{
    QJsonDocument document = QJsonDocument::fromJson(bytes);
    if (!document.isObject())
        return bytes;
    QJsonObject object = document.object();
    bool masked = false;
    for (QLatin1String field : secretFields) {
        if (object.contains(field)) {
            object.insert(field, QString::fromUtf8(mask));
            masked = true;
        }
    }
    return masked ? QJsonDocument(object).toJson(QJsonDocument::Compact) : bytes;
}

QByteArray maskedHeaderValue(const QByteArray &name, const QByteArray &value)
{
    // The secret that proves who sent a message is a credential as much as the token.
    if (name.compare("Author-Secret", Qt::CaseInsensitive) == 0)
        return mask;
    if (name.compare("Authorization", Qt::CaseInsensitive) != 0)
        return value;
    // The scheme stays: "Bearer" is part of the lesson, the credential is not.
    const qsizetype space = value.indexOf(' ');
    return space < 0 ? QByteArray(mask) : value.left(space + 1) + mask;
}
} // namespace

ExchangeBody boundedBody(const QByteArray &bytes)
{
    ExchangeBody body;
    body.size = bytes.size();
    // Masked before it is cut, or a secret would survive in a body cut mid-JSON.
    const QByteArray masked = maskedJson(bytes);
    body.truncated = masked.size() > ExchangeBody::maxBytes;
    body.bytes = masked.left(ExchangeBody::maxBytes);
    return body;
}

void captureRequest(Exchange &exchange, const QNetworkReply &reply, const QByteArray &body)
{
    exchange.startedAt = QDateTime::currentDateTimeUtc();
    const QNetworkRequest request = reply.request();
    exchange.url = request.url();
    // Host is what HTTP/1.1 always sends, from the URL; QNetworkAccessManager records the
    // Content-Length of a body in the request itself. The headers it adds on the wire
    // alone (Connection, Accept-Encoding, Accept-Language, User-Agent) are not visible
    // through its API, so the log does not guess them.
    exchange.requestHeaders.append(
        { "Host", exchange.url.authority(QUrl::FullyEncoded).toLatin1() });
    const QList<QByteArray> names = request.rawHeaderList();
    for (const QByteArray &name : names)
        exchange.requestHeaders.append({ name, maskedHeaderValue(name, request.rawHeader(name)) });
    exchange.requestBody = boundedBody(body);
}

void captureResponse(Exchange &exchange, const QNetworkReply &reply, const QByteArray &body)
{
    if (reply.attribute(QNetworkRequest::Http2WasUsedAttribute).toBool())
        exchange.httpVersion = QByteArrayLiteral("HTTP/2");
    for (const auto &[name, value] : reply.rawHeaderPairs())
        exchange.responseHeaders.append({ name, maskedHeaderValue(name, value) });
    exchange.responseBody = boundedBody(body);
}

} // namespace ExchangeCapture
