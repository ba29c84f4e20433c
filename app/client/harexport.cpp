#include "harexport.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QSaveFile>
#include <QUrlQuery>

namespace HarExport {

namespace {
QJsonArray headersJson(const HttpHeaders &headers)
{
    QJsonArray array;
    for (const auto &[name, value] : headers)
        array.append(QJsonObject { { QStringLiteral("name"), QString::fromLatin1(name) },
            { QStringLiteral("value"), QString::fromUtf8(value) } });
    return array;
}

QJsonArray queryJson(const QUrl &url)
{
    QJsonArray array;
    const auto items = QUrlQuery(url).queryItems(QUrl::FullyDecoded);
    for (const auto &[name, value] : items)
        array.append(
            QJsonObject { { QStringLiteral("name"), name }, { QStringLiteral("value"), value } });
    return array;
}

QString mimeTypeOf(const QByteArray &contentType)
{
    return QString::fromLatin1(contentType).trimmed();
}

// HAR has no field for "cut short"; its comment fields are for exactly such notes.
void noteTruncation(QJsonObject &object, const ExchangeBody &body)
{
    if (body.truncated)
        object.insert(QStringLiteral("comment"),
            QStringLiteral("text truncated to the first %1 bytes").arg(ExchangeBody::maxBytes));
}

QJsonObject requestJson(const Exchange &exchange)
{
    QJsonObject request {
        { QStringLiteral("method"), QString::fromLatin1(exchange.method) },
        { QStringLiteral("url"), QString::fromUtf8(exchange.url.toEncoded()) },
        { QStringLiteral("httpVersion"), QString::fromLatin1(exchange.httpVersion) },
        { QStringLiteral("cookies"), QJsonArray() },
        { QStringLiteral("headers"), headersJson(exchange.requestHeaders) },
        { QStringLiteral("queryString"), queryJson(exchange.url) },
        // -1: the spec's "not available"; QNetworkAccessManager adds headers of its own.
        { QStringLiteral("headersSize"), -1 },
        { QStringLiteral("bodySize"), exchange.requestBody.size },
    };
    if (!exchange.requestBody.isEmpty()) {
        QJsonObject postData {
            { QStringLiteral("mimeType"), mimeTypeOf(exchange.requestHeader("Content-Type")) },
            { QStringLiteral("text"), QString::fromUtf8(exchange.requestBody.bytes) },
        };
        noteTruncation(postData, exchange.requestBody);
        request.insert(QStringLiteral("postData"), postData);
    }
    return request;
}

QJsonObject responseJson(const Exchange &exchange)
{
    QJsonObject content {
        { QStringLiteral("size"), exchange.responseBody.size },
        { QStringLiteral("mimeType"), mimeTypeOf(exchange.responseHeader("Content-Type")) },
        { QStringLiteral("text"), QString::fromUtf8(exchange.responseBody.bytes) },
    };
    noteTruncation(content, exchange.responseBody);
    QJsonObject response {
        // 0 with no statusText is how browsers record a request that got no answer.
        { QStringLiteral("status"), exchange.status },
        { QStringLiteral("statusText"), exchange.status == 0 ? QString() : exchange.reason },
        { QStringLiteral("httpVersion"), QString::fromLatin1(exchange.httpVersion) },
        { QStringLiteral("cookies"), QJsonArray() },
        { QStringLiteral("headers"), headersJson(exchange.responseHeaders) },
        { QStringLiteral("content"), content },
        { QStringLiteral("redirectURL"), QString::fromUtf8(exchange.responseHeader("Location")) },
        { QStringLiteral("headersSize"), -1 },
        { QStringLiteral("bodySize"), exchange.status == 0 ? -1 : exchange.responseBody.size },
    };
    if (exchange.status == 0)
        response.insert(QStringLiteral("_error"), exchange.reason);
    return response;
}

QJsonObject entryJson(const Exchange &exchange)
{
    // The client sees when its request went and when the headers came back; the upload
    // of these small bodies is inside "wait".
    const qint64 total = qMax<qint64>(0, exchange.elapsedMs);
    const qint64 wait = exchange.waitMs < 0 ? total : qMin(exchange.waitMs, total);
    const QJsonObject timings {
        { QStringLiteral("send"), 0 },
        { QStringLiteral("wait"), wait },
        { QStringLiteral("receive"), total - wait },
    };
    const QDateTime started
        = exchange.startedAt.isValid() ? exchange.startedAt : exchange.finishedAt.addMSecs(-total);
    return QJsonObject {
        { QStringLiteral("startedDateTime"), started.toUTC().toString(Qt::ISODateWithMs) },
        { QStringLiteral("time"), total },
        { QStringLiteral("request"), requestJson(exchange) },
        { QStringLiteral("response"), responseJson(exchange) },
        { QStringLiteral("cache"), QJsonObject() },
        { QStringLiteral("timings"), timings },
    };
}
} // namespace

QJsonDocument document(const QList<Exchange> &exchanges)
{
    QJsonArray entries;
    for (const Exchange &exchange : exchanges)
        entries.append(entryJson(exchange));
    const QJsonObject creator {
        { QStringLiteral("name"), QStringLiteral("ChatApp") },
        { QStringLiteral("version"), QStringLiteral(CHATAPP_VERSION) },
    };
    const QJsonObject log {
        { QStringLiteral("version"), QStringLiteral("1.2") },
        { QStringLiteral("creator"), creator },
        { QStringLiteral("entries"), entries },
    };
    return QJsonDocument(QJsonObject { { QStringLiteral("log"), log } });
}

bool write(const QList<Exchange> &exchanges, const QString &path, QString *error)
{
    // QSaveFile: a full disk or a failed write leaves the previous file, not half a HAR.
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly) && file.write(document(exchanges).toJson()) >= 0
        && file.commit())
        return true;
    if (error)
        *error = file.errorString();
    return false;
}

} // namespace HarExport
