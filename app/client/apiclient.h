#pragma once

#include "exchange.h"

#include <QJsonObject>
#include <QObject>
#include <QSslConfiguration>
#include <QUrl>
#include <QUrlQuery>

#include <functional>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

// What one API call came back with: the exchange as the status bar shows it, the JSON
// body when there was one, and the sentence to show a person when it failed.
struct ApiResult
{
    Exchange exchange;
    QJsonObject body;
    // The sentence to show a person: the window's own for the server's error code
    // (ErrorTexts), else the server's error.message, or the network error.
    QString errorMessage;
    QString serverMessage; // the server's error.message as it sent it, a detail
    int retryAfterSeconds = 0; // the Retry-After header, 0 when absent
    // A 401 to a request sent before the client's token changed: the answer is about a
    // credential that is gone, so sending again at once is right, not waiting for a sign-in.
    bool credentialsReplaced = false;

    bool succeeded() const { return exchange.outcome() == Exchange::Outcome::Success; }
    bool reachedServer() const { return exchange.status != 0; }
    // The server wants a token the client does not have yet: the session asks for it,
    // and whoever sent this waits for the sign-in rather than retrying into more 401s.
    bool awaitsSignIn() const { return exchange.status == 401 && !credentialsReplaced; }
    // The server's error.code ("room_not_found", ...), empty when it sent none.
    QString errorCode() const { return errorField(QLatin1String("code")); }
    QString errorField(QLatin1String name) const;
};

// Every HTTP request the window makes goes through here, so that each one is reported
// as an Exchange, whoever made it.
class ApiClient : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const ApiResult &)>;
    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    explicit ApiClient(const QUrl &baseUrl, QObject *parent = nullptr);

    QUrl baseUrl() const { return m_baseUrl; }

    // Sent as "Authorization: Bearer TOKEN" with every request from now on; empty sends
    // none. Requests already in flight keep what they were sent with.
    void setToken(const QByteArray &token);
    QByteArray token() const { return m_token; }
    // Trusted for https:// besides the system's authorities (--ca-file).
    void setCaCertificates(const QList<QSslCertificate> &certificates);

    // `context` going away cancels the callback (the request itself still completes).
    // The returned reply is deleted by the client once finished.
    QNetworkReply *get(const QString &path, const QUrlQuery &query, int timeoutMs,
                       QObject *context, Callback done);
    QNetworkReply *put(const QString &path, QObject *context, Callback done);
    QNetworkReply *post(const QString &path, const QJsonObject &body,
                        const QByteArray &idempotencyKey, QObject *context, Callback done,
                        const Headers &headers = {});
    QNetworkReply *deleteResource(const QString &path, QObject *context, Callback done);
    // Any method, with a JSON body when `body` is not empty, and headers of the caller's
    // (Author-Secret): PATCH, and the DELETE and POST of a message's changes.
    QNetworkReply *send(const QByteArray &method, const QString &path, const QUrlQuery &query,
                        const QJsonObject &body, const Headers &headers, QObject *context, Callback done);

    // Aborts a request the caller no longer wants; its callback and exchange are dropped.
    static void cancel(QNetworkReply *reply);

    static constexpr int defaultTimeoutMs = 10000;

signals:
    // A request ended because the server's certificate is not trusted; `message` says why
    // and what to do, for a person.
    void certificateRejected(const QString &message);
    void exchangeFinished(const Exchange &exchange);
    // A request was answered 401 with the token the client holds now (or without one).
    // Not for the sign-in POST: its 401 is a wrong password, for its caller alone.
    void unauthorized(const ApiResult &result);

private:
    QNetworkRequest requestFor(const QString &path, const QUrlQuery &query, int timeoutMs) const;
    QNetworkReply *track(QNetworkReply *reply, const QByteArray &method, const QString &shownPath,
                         const QByteArray &requestBody, QObject *context, Callback done);
    QUrl urlFor(const QString &path, const QUrlQuery &query = {}) const;

    QUrl m_baseUrl;
    QNetworkAccessManager *m_network;
    QByteArray m_token;
    std::optional<QSslConfiguration> m_tls;
    int m_tokenGeneration = 0; // changes with the token, to tell old 401s from new ones
};

// "/api/v1/rooms/lab/messages" for the parts ("rooms", "lab", "messages").
QString apiPath(std::initializer_list<QStringView> parts);
