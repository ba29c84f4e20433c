#include "apiclient.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>

#include <memory>

namespace {
constexpr char cancelledProperty[] = "chatapp_cancelled";
}

ApiClient::ApiClient(const QUrl &baseUrl, QObject *parent)
    : QObject(parent), m_baseUrl(baseUrl), m_network(new QNetworkAccessManager(this))
{
    // A retry must be ours, with its Idempotency-Key, never a silent re-send by Qt.
    m_network->setAutoDeleteReplies(false);
}

QUrl ApiClient::urlFor(const QString &path, const QUrlQuery &query) const
{
    QUrl url = m_baseUrl;
    url.setPath(path);
    url.setQuery(query);
    return url;
}

QNetworkReply *ApiClient::get(const QString &path, const QUrlQuery &query, int timeoutMs,
                              QObject *context, Callback done)
{
    QNetworkRequest request(urlFor(path, query));
    request.setTransferTimeout(timeoutMs);
    const QString shown = query.isEmpty() ? path : path + u'?' + query.toString(QUrl::FullyEncoded);
    return track(m_network->get(request), "GET", shown, context, std::move(done));
}

QNetworkReply *ApiClient::put(const QString &path, QObject *context, Callback done)
{
    QNetworkRequest request(urlFor(path));
    request.setTransferTimeout(defaultTimeoutMs);
    return track(m_network->put(request, QByteArray()), "PUT", path, context, std::move(done));
}

QNetworkReply *ApiClient::post(const QString &path, const QJsonObject &body,
                               const QByteArray &idempotencyKey, QObject *context, Callback done)
{
    QNetworkRequest request(urlFor(path));
    request.setTransferTimeout(defaultTimeoutMs);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!idempotencyKey.isEmpty())
        request.setRawHeader("Idempotency-Key", idempotencyKey);
    const QByteArray json = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return track(m_network->post(request, json), "POST", path, context, std::move(done));
}

QNetworkReply *ApiClient::track(QNetworkReply *reply, const QByteArray &method,
                                const QString &shownPath, QObject *context, Callback done)
{
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    QPointer<QObject> guard(context);
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, method, shownPath, clock, guard, hasContext = context != nullptr,
             done = std::move(done)] {
        reply->deleteLater();
        ApiResult result;
        Exchange &exchange = result.exchange;
        exchange.method = method;
        exchange.path = shownPath;
        exchange.elapsedMs = clock->elapsed();
        exchange.finishedAt = QDateTime::currentDateTime();
        exchange.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (exchange.status != 0) {
            exchange.reason = QString::fromLatin1(
                reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray());
            const QJsonDocument document = QJsonDocument::fromJson(reply->readAll());
            result.body = document.object();
            if (!result.succeeded()) {
                result.errorMessage = result.body.value(QLatin1String("error")).toObject()
                                          .value(QLatin1String("message")).toString();
                if (result.errorMessage.isEmpty())
                    result.errorMessage = exchange.statusText();
            }
        } else {
            // The window gave up on it (a poll for a room the user left): not news.
            if (reply->property(cancelledProperty).toBool())
                return;
            exchange.reason = reply->errorString();
            result.errorMessage = exchange.reason;
        }
        emit exchangeFinished(exchange);
        if (done && (!hasContext || guard))
            done(result);
    });
    return reply;
}

void ApiClient::cancel(QNetworkReply *reply)
{
    if (!reply || reply->isFinished())
        return;
    reply->setProperty(cancelledProperty, true);
    reply->abort();
}

QString apiPath(std::initializer_list<QStringView> parts)
{
    QString path = QStringLiteral("/api/v1");
    for (QStringView part : parts)
        path += u'/' + part;
    return path;
}
