#pragma once

#include <QByteArray>
#include <QCoreApplication>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QUrl>

#include <utility>

// Header name and value as they travel, in their order (QNetworkReply::RawHeaderPair).
using HttpHeaders = QList<std::pair<QByteArray, QByteArray>>;

// A request or response body as the log keeps it: a long poll answered with a page of
// history every few seconds must not grow the window's memory without end, so only the
// first maxBytes are kept; `size` is what travelled.
struct ExchangeBody
{
    static constexpr qsizetype maxBytes = 64 * 1024;

    QByteArray bytes; // at most maxBytes, secrets masked
    qint64 size = 0; // bytes on the wire
    bool truncated = false;

    bool isEmpty() const { return size == 0; }
};

// One finished HTTP request and its answer, as the status bar and the Protocol panel
// show it: the point of the window is to let a student see HTTP at work. Secrets (the
// bearer token, a password, a token in a sign-in answer) are masked when it is made, so
// nothing that shows or saves an Exchange can leak them.
struct Exchange
{
    Q_DECLARE_TR_FUNCTIONS(Exchange)

public:
    enum class Outcome { Success, Redirect, ClientError, ServerError, NoConnection };

    QByteArray method;
    QString path; // path and query, as sent
    int status = 0; // 0 when no HTTP answer arrived
    QString reason; // the reason phrase, or the network error when status is 0
    qint64 elapsedMs = 0;
    QDateTime finishedAt;

    QDateTime startedAt; // when the request was handed to the network
    QUrl url; // scheme, host, port, path and query
    QByteArray httpVersion = QByteArrayLiteral("HTTP/1.1");
    HttpHeaders requestHeaders;
    ExchangeBody requestBody;
    HttpHeaders responseHeaders; // empty when no answer arrived
    ExchangeBody responseBody;
    // From sending to the response's headers; -1 when they never came (then all of
    // elapsedMs was spent waiting).
    qint64 waitMs = -1;

    Outcome outcome() const;
    // "POST /api/v1/rooms/lab/messages → 201 Created · 6 ms"
    QString summary() const;
    // "201 Created", or "no connection" in the user's language.
    QString statusText() const;
    // "POST /api/v1/rooms/lab/messages HTTP/1.1"
    QByteArray requestLine() const;
    // "HTTP/1.1 201 Created"; empty when no answer arrived.
    QByteArray statusLine() const;
    // The value of the first request or response header called `name`, any case.
    QByteArray requestHeader(QByteArrayView name) const;
    QByteArray responseHeader(QByteArrayView name) const;
};

// The standard reason phrase for `status`; QNetworkReply reports the server's own
// phrase, and this fills in when a server sent none.
QString standardReasonPhrase(int status);
