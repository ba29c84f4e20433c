#pragma once

#include <QByteArray>
#include <QHttpServerRequest>
#include "request.h"
#include <QHttpServerResponder>
#include <QLatin1StringView>
#include <QList>
#include <QPointer>
#include <QTcpSocket>
#include <QtHttpServer/qthttpserverversion.h>
#include <memory>

class ConnectionGuard;

// The one place that knows both Qt HttpServers the server is built with: 6.4 (Debian 12)
// and 6.8 (Debian 13). They are not binary compatible, and their QAbstractHttpServer
// differs in what it tells a handler of the connection a request came on.
//
// 6.4 passes handleRequest() the client's socket and reads the connection's next request
// as soon as the handler returns, answered or not.
// 6.8 passes a QHttpServerResponder instead and keeps the socket to itself. It reads no
// further request from the connection while that responder exists, and it deletes the
// connection (socket included) when the responder goes while the socket is not connected.
// Its responder writes only whole responses (with a Content-Length, which a 204 must not
// have) or chunked ones (which a stream read until the connection closes is not), and
// lower-cases header names.
//
// So on both the server writes HTTP/1.1 itself, straight to the socket (Reply); this
// finds the socket, and on 6.8 holds the responder until the answer is out.
#if QTHTTPSERVER_VERSION >= QT_VERSION_CHECK(6, 8, 0)
#define CHATAPP_QT_RESPONDER_API 1
using HttpConnection = QHttpServerResponder &;
#elif QTHTTPSERVER_VERSION >= QT_VERSION_CHECK(6, 5, 0)
#error "Qt HttpServer 6.5 to 6.7 are not supported: their QAbstractHttpServer is neither 6.4's nor 6.8's"
#else
using HttpConnection = QTcpSocket *;
#endif

// Every value of the header `name` (in any case) in `request`, in the order received.
QList<QByteArray> headerValues(const Request &request, QLatin1StringView name);
inline QList<QByteArray> headerValues(const QHttpServerRequest &request, QLatin1StringView name)
{
    return headerValues(Request(request), name);
}
// Whether the request's Connection header lists `option` ("close", "keep-alive"), in any
// case, in any of its comma-separated values (RFC 9110, 7.6.1).
bool hasConnectionOption(const Request &request, QLatin1StringView option);
inline bool hasConnectionOption(const QHttpServerRequest &request, QLatin1StringView option)
{
    return hasConnectionOption(Request(request), option);
}

// One request's connection, from QAbstractHttpServer::handleRequest() until its answer
// is written.
class HttpExchange
{
public:
    // `guard` is the listening socket the request came through, if the server has one.
    HttpExchange(const QHttpServerRequest &request, HttpConnection connection,
                 const ConnectionGuard *guard);
    ~HttpExchange();
    HttpExchange(const HttpExchange &) = delete;
    HttpExchange &operator=(const HttpExchange &) = delete;

    // Null when the client has gone (or, on 6.8, when the request did not come through
    // the guard).
    QTcpSocket *socket() const { return m_socket; }

    // handleRequest() is returning. An exchange whose answer is not out yet keeps 6.8's
    // responder beyond it, so that the connection's next request waits for this answer.
    void handlerReturned();
    // The whole answer has been handed to the socket (and, for a stream, the connection
    // told to close).
    void done();

private:
    QPointer<QTcpSocket> m_socket;
#ifdef CHATAPP_QT_RESPONDER_API
    class HeldResponder;
    void release();

    // QAbstractHttpServer's, valid only until handleRequest() returns.
    QHttpServerResponder *m_lent = nullptr;
    std::unique_ptr<HeldResponder> m_held;
    bool m_done = false;
#endif
};
