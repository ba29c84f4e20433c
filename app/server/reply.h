#pragma once

#include "core/apierror.h"
#include "httpexchange.h"
#include "streamwriter.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QPointer>
#include <QTcpSocket>
#include <utility>

class AccessLog;
class Metrics;

using HeaderPairs = QList<std::pair<QByteArray, QByteArray>>;

// A 200 JSON answer that many readers get alike (the page after one cursor, for every
// poll that one message woke): its head is built once with its body, as most of them
// get it, on a connection that stays open. Reply::sendPrepared writes those bytes as they are.
struct PreparedJson
{
    explicit PreparedJson(QByteArray body);

    QByteArray head; // the status line and headers, through the empty line that ends them
    QByteArray json;
};

// The answer to one request, which may be given later than the handler returns (a
// long poll, a commit) or never end (an event stream). Every response leaves through
// here, so each is logged and counted once, carries X-Content-Type-Options: nosniff,
// and nothing is written to a socket that the client has already closed. It writes HTTP/1.1 itself, the same on every Qt
// (httpexchange.h).
class Reply
{
public:
    Reply(const QHttpServerRequest &request, HttpConnection connection, ConnectionGuard *guard,
          QHostAddress client, QByteArray method, QString path, const AccessLog &log,
          Metrics &metrics);
    ~Reply();
    Reply(const Reply &) = delete;
    Reply &operator=(const Reply &) = delete;

    bool isConnected() const;
    // A stream taken from its socket (startStream); null before, on TLS, or when gone.
    StreamWriter *streamWriter() const { return m_writer; }
    // A stream's output its reader has not taken yet.
    qint64 unsentStreamBytes() const;
    // A HEAD: every answer is written without its body, whatever the handler sends.
    bool headOnly() const { return m_headOnly; }
    QTcpSocket *socket() const { return m_exchange.socket(); }
    const QString &path() const { return m_path; }
    // Whom the request is from (ChatServer::clientAddress): per-address limits count it.
    const QHostAddress &clientAddress() const { return m_client; }
    // The session (its token's hash) the request was admitted under, empty on a server
    // without a password: what a poll or a stream holds ends when that session does.
    const QByteArray &session() const { return m_session; }
    void setSession(const QByteArray &session) { m_session = session; }
    // The answer is the connection's last: it says Connection: close, and nothing more
    // is read from the connection. Set already when the request asked for it.
    void closeConnection() { m_closeAfter = true; }

    void send(int status, const QByteArray &body, const QByteArray &contentType,
              const HeaderPairs &headers = {});
    void sendJson(int status, const QByteArray &json, const HeaderPairs &headers = {});
    // As sendJson(200, answer.json), from the head built beforehand where it fits (not on
    // a HEAD, nor on the connection's last answer, which says Connection: close).
    void sendPrepared(const PreparedJson &answer);
    void sendError(const ApiError &error, const HeaderPairs &headers = {});
    // 204: no body, and no Content-Type or Content-Length either (RFC 9110, 8.6).
    void sendNoContent();

    // A response whose body is written piece by piece until the connection closes. With
    // `takeSocket`, from the head on it is written by a StreamWriter, not QTcpSocket,
    // where the connection allows (ConnectionGuard::takeStream).
    void startStream(int status, const QByteArray &contentType, const HeaderPairs &headers,
                     bool takeSocket = false);
    void writeToStream(const QByteArray &chunk);
    void endStream();

    // The handler that was given the request has returned (see HttpExchange and
    // ConnectionGuard::handlerReturned).
    void handlerReturned();

private:
    // The status line and headers, without the empty line that ends them.
    QByteArray head(int status, const QByteArray &contentType, const HeaderPairs &headers) const;
    void finish(int status);
    void closeIfLast();
    void sendNow();
    // A whole answer, handed to the kernel now (ConnectionGuard::writeAnswer).
    void writeAnswer(const QByteArray &head, const QByteArray &body);

    HttpExchange m_exchange;
    ConnectionGuard *m_guard;
    bool m_closeAfter;
    QHostAddress m_client;
    QByteArray m_method;
    bool m_headOnly;
    QString m_path;
    QByteArray m_session;
    const AccessLog &m_log;
    Metrics &m_metrics;
    QElapsedTimer m_timer;
    qint64 m_bodyBytes = 0;
    int m_streamStatus = 0;
    bool m_finished = false;
    QPointer<StreamWriter> m_writer;
    // The socket is no longer the stream's: once its writer is gone, the stream is over.
    bool m_tookSocket = false;
};
