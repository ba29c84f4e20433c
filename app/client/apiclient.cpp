#include "apiclient.h"

#include "errortexts.h"
#include "exchangecapture.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>

#include <memory>

namespace {
constexpr char cancelledProperty[] = "chatapp_cancelled";
constexpr char certificateErrorsProperty[] = "chatapp_certificate_errors";

// Its 401 means "wrong password", an answer for whoever signs in, not a call to sign in.
bool isSignIn(const QByteArray &method, const QString &path)
{
    return method == "POST" && path == apiPath({u"sessions"});
}
} // namespace

ApiClient::ApiClient(const QUrl &baseUrl, QObject *parent)
    : QObject(parent), m_baseUrl(baseUrl), m_network(new QNetworkAccessManager(this))
{
    // A retry must be ours, with its Idempotency-Key, never a silent re-send by Qt.
    m_network->setAutoDeleteReplies(false);
}

void ApiClient::setToken(const QByteArray &token)
{
    m_token = token;
    ++m_tokenGeneration;
}

void ApiClient::setCaCertificates(const QList<QSslCertificate> &certificates)
{
    if (certificates.isEmpty()) {
        m_tls.reset();
        return;
    }
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.addCaCertificates(certificates);
    m_tls = tls;
}

QNetworkRequest ApiClient::requestFor(const QString &path, const QUrlQuery &query,
                                      int timeoutMs) const
{
    QNetworkRequest request(urlFor(path, query));
    request.setTransferTimeout(timeoutMs);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    if (m_tls)
        request.setSslConfiguration(*m_tls);
    return request;
}

QUrl ApiClient::urlFor(const QString &path, const QUrlQuery &query) const
{
    QUrl url = m_baseUrl;
    // Tolerant, not decoded: a segment that may hold '/' (a member's name) comes
    // percent-encoded, and must reach the server so, not encoded twice.
    url.setPath(path, QUrl::TolerantMode);
    url.setQuery(query);
    return url;
}

QNetworkReply *ApiClient::get(const QString &path, const QUrlQuery &query, int timeoutMs,
                              QObject *context, Callback done)
{
    const QNetworkRequest request = requestFor(path, query, timeoutMs);
    const QString shown = query.isEmpty() ? path : path + u'?' + query.toString(QUrl::FullyEncoded);
    return track(m_network->get(request), "GET", shown, {}, context, std::move(done));
}

QNetworkReply *ApiClient::put(const QString &path, QObject *context, Callback done)
{
    const QNetworkRequest request = requestFor(path, {}, defaultTimeoutMs);
    return track(m_network->put(request, QByteArray()), "PUT", path, {}, context, std::move(done));
}

QNetworkReply *ApiClient::post(const QString &path, const QJsonObject &body,
                               const QByteArray &idempotencyKey, QObject *context, Callback done,
                               const Headers &headers)
{
    QNetworkRequest request = requestFor(path, {}, defaultTimeoutMs);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!idempotencyKey.isEmpty())
        request.setRawHeader("Idempotency-Key", idempotencyKey);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    const QByteArray json = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return track(m_network->post(request, json), "POST", path, json, context, std::move(done));
}

QNetworkReply *ApiClient::deleteResource(const QString &path, QObject *context, Callback done)
{
    const QNetworkRequest request = requestFor(path, {}, defaultTimeoutMs);
    return track(m_network->deleteResource(request), "DELETE", path, {}, context,
                 std::move(done));
}

QNetworkReply *ApiClient::send(const QByteArray &method, const QString &path, const QUrlQuery &query,
                               const QJsonObject &body, const Headers &headers, QObject *context, Callback done)
{
    QNetworkRequest request = requestFor(path, query, defaultTimeoutMs);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QByteArray json;
    if (!body.isEmpty()) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        json = QJsonDocument(body).toJson(QJsonDocument::Compact);
    }
    const QString shown = query.isEmpty() ? path : path + u'?' + query.toString(QUrl::FullyEncoded);
    return track(m_network->sendCustomRequest(request, method, json), method, shown, json, context, std::move(done));
}

QNetworkReply *ApiClient::track(QNetworkReply *reply, const QByteArray &method,
                                const QString &shownPath, const QByteArray &requestBody,
                                QObject *context, Callback done)
{
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    auto sent = std::make_shared<Exchange>();
    sent->method = method;
    sent->path = shownPath;
    ExchangeCapture::captureRequest(*sent, *reply, requestBody);
    // The headers' arrival splits the time into waiting for the server and receiving.
    connect(reply, &QNetworkReply::metaDataChanged, reply, [reply, clock, sent] {
        if (sent->waitMs < 0 && reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid())
            sent->waitMs = clock->elapsed();
    });
    QPointer<QObject> guard(context);
    // Never ignored: a certificate the window cannot trust ends the request, and the
    // person is told why rather than shown a bare "handshake failed".
    connect(reply, &QNetworkReply::sslErrors, reply, [reply](const QList<QSslError> &errors) {
        QStringList texts;
        for (const QSslError &error : errors)
            texts.append(error.errorString());
        reply->setProperty(certificateErrorsProperty, texts.join(QStringLiteral("; ")));
    });
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, method, shownPath, clock, sent, guard, hasContext = context != nullptr,
             generation = m_tokenGeneration, done = std::move(done)] {
        reply->deleteLater();
        // The window gave up on it (a poll for a room the user left, or one restarted to
        // ask for more): not news, even if its head had come (its body then reads empty).
        if (reply->property(cancelledProperty).toBool())
            return;
        ApiResult result;
        result.exchange = *sent;
        Exchange &exchange = result.exchange;
        exchange.elapsedMs = clock->elapsed();
        exchange.finishedAt = QDateTime::currentDateTime();
        exchange.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (exchange.status != 0) {
            exchange.reason = QString::fromLatin1(
                reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray());
            const QByteArray body = reply->readAll();
            ExchangeCapture::captureResponse(exchange, *reply, body);
            const QJsonDocument document = QJsonDocument::fromJson(body);
            result.body = document.object();
            if (!result.succeeded()) {
                result.serverMessage = result.errorField(QLatin1String("message"));
                result.errorMessage = ErrorTexts::forCode(result.errorCode());
                if (result.errorMessage.isEmpty())
                    result.errorMessage = result.serverMessage;
                if (result.errorMessage.isEmpty())
                    result.errorMessage = exchange.statusText();
            }
            result.retryAfterSeconds = reply->rawHeader("Retry-After").trimmed().toInt();
            result.credentialsReplaced = exchange.status == 401 && generation != m_tokenGeneration;
        } else {
            const QString certificateErrors = reply->property(certificateErrorsProperty).toString();
            if (!certificateErrors.isEmpty()) {
                exchange.reason = tr("certificate not trusted");
                result.errorMessage =
                    tr("The server's certificate is not trusted: %1. If the server uses a "
                       "certificate of its own (self-signed), start the window with "
                       "--ca-file and that certificate.")
                        .arg(certificateErrors);
                emit certificateRejected(result.errorMessage);
            } else {
                exchange.reason = reply->errorString();
                result.errorMessage = exchange.reason;
            }
        }
        emit exchangeFinished(exchange);
        if (result.awaitsSignIn() && !isSignIn(method, shownPath))
            emit unauthorized(result);
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

QString ApiResult::errorField(QLatin1String name) const
{
    return body.value(QLatin1String("error")).toObject().value(name).toString();
}

QString apiPath(std::initializer_list<QStringView> parts)
{
    QString path = QStringLiteral("/api/v1");
    for (QStringView part : parts)
        path += u'/' + part;
    return path;
}
