#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QNetworkReply>
#include <QUrl>

#include <optional>
#include <utility>

class QNetworkAccessManager;

using HeaderList = QList<std::pair<QByteArray, QByteArray>>;

// One finished HTTP exchange, flattened so that a test can compare and print it.
struct HttpReply
{
    int status = 0; // 0 when no HTTP answer arrived (see networkError, timedOut)
    QByteArray body;
    QJsonObject json; // the body when it is a JSON object, else empty
    QList<QNetworkReply::RawHeaderPair> headers;
    QNetworkReply::NetworkError networkError = QNetworkReply::NoError;
    QString errorString;
    bool timedOut = false;
    qint64 elapsedMs = 0;

    // The first header with this name, compared case-insensitively; empty if absent.
    QByteArray header(const QByteArray &name) const;
    bool hasHeader(const QByteArray &name) const;
    // `error.code` of an error body, or empty.
    QString errorCode() const;
    // "415 {...}" or "no answer: ..." for failure messages.
    QByteArray describe() const;
};

constexpr int defaultRequestTimeoutMs = 10000;

// Sends `method` with `body` and waits for the whole answer (QSignalSpy with a deadline;
// on timeout the request is aborted and `timedOut` is set).
HttpReply request(QNetworkAccessManager &nam, const QByteArray &method, const QUrl &url,
    const QByteArray &body = {}, const HeaderList &headers = {},
    int timeoutMs = defaultRequestTimeoutMs);

// For requests the test keeps in flight while it does something else (long polls,
// concurrent sends): start one, then `awaitReply` or `collectReply` it.
QNetworkReply *startRequest(QNetworkAccessManager &nam, const QByteArray &method, const QUrl &url,
    const QByteArray &body = {}, const HeaderList &headers = {});
// Waits for `reply` to finish (aborting it at the deadline), collects it and deletes it later.
HttpReply awaitReply(QNetworkReply *reply, int timeoutMs = defaultRequestTimeoutMs);
// Reads an already finished reply; does not delete it.
HttpReply collectReply(QNetworkReply *reply);

// Writes `requestBytes` as they are to 127.0.0.1:`port` and parses the answer. For what
// QNetworkAccessManager would not send, such as a POST without any Content-Type.
HttpReply rawRequest(
    quint16 port, const QByteArray &requestBytes, int timeoutMs = defaultRequestTimeoutMs);

QByteArray jsonBody(const QJsonObject &object);
// application/x-www-form-urlencoded, every byte outside [A-Za-z0-9*-._] percent-encoded.
QByteArray formBody(const QList<std::pair<QByteArray, QString>> &fields);

// Value of an unlabelled or labelled sample in Prometheus text, e.g.
// `chatapp_http_requests_total{status="201"}`; nullopt if the series is absent.
std::optional<double> metricValue(const QByteArray &metricsText, const QByteArray &series);
