#pragma once

#include "exchange.h"

#include <QJsonObject>
#include <QObject>
#include <QUrl>
#include <QUrlQuery>

#include <functional>

class QNetworkAccessManager;
class QNetworkReply;

// What one API call came back with: the exchange as the status bar shows it, the JSON
// body when there was one, and the sentence to show a person when it failed.
struct ApiResult
{
    Exchange exchange;
    QJsonObject body;
    QString errorMessage; // the server's error.message, or the network error

    bool succeeded() const { return exchange.outcome() == Exchange::Outcome::Success; }
    bool reachedServer() const { return exchange.status != 0; }
};

// Every HTTP request the window makes goes through here, so that each one is reported
// as an Exchange, whoever made it.
class ApiClient : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const ApiResult &)>;

    explicit ApiClient(const QUrl &baseUrl, QObject *parent = nullptr);

    QUrl baseUrl() const { return m_baseUrl; }

    // `context` going away cancels the callback (the request itself still completes).
    // The returned reply is deleted by the client once finished.
    QNetworkReply *get(const QString &path, const QUrlQuery &query, int timeoutMs,
                       QObject *context, Callback done);
    QNetworkReply *put(const QString &path, QObject *context, Callback done);
    QNetworkReply *post(const QString &path, const QJsonObject &body,
                        const QByteArray &idempotencyKey, QObject *context, Callback done);

    // Aborts a request the caller no longer wants; its callback and exchange are dropped.
    static void cancel(QNetworkReply *reply);

    static constexpr int defaultTimeoutMs = 10000;

signals:
    void exchangeFinished(const Exchange &exchange);

private:
    QNetworkReply *track(QNetworkReply *reply, const QByteArray &method, const QString &shownPath,
                         QObject *context, Callback done);
    QUrl urlFor(const QString &path, const QUrlQuery &query = {}) const;

    QUrl m_baseUrl;
    QNetworkAccessManager *m_network;
};

// "/api/v1/rooms/lab/messages" for the parts ("rooms", "lab", "messages").
QString apiPath(std::initializer_list<QStringView> parts);
