#include "reply.h"

#include "accesslog.h"
#include "connectionguard.h"
#include "metrics.h"
#include "streamwriter.h"

namespace {
// Clients go by the number; the phrase is for people reading a trace. These are the
// phrases Qt 6.4's responder wrote, so that its answers look as they always did.
QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Requested Range Not Satisfiable";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Entity";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 507: return "Insufficient Storage";
    }
    return {};
}

// The status line and headers, without the empty line that ends them.
QByteArray statusHead(int status, const QByteArray &contentType, const HeaderPairs &headers,
                      bool closeAfter)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    // A browser that guessed HTML in a JSON error or in a message it was sent would run
    // what a sender wrote there.
    head += "X-Content-Type-Options: nosniff\r\n";
    if (!contentType.isEmpty())
        head += "Content-Type: " + contentType + "\r\n";
    for (const auto &[name, value] : headers)
        head += name + ": " + value + "\r\n";
    if (closeAfter)
        head += "Connection: close\r\n";
    return head;
}

QByteArray contentLength(qsizetype size)
{
    return "Content-Length: " + QByteArray::number(size) + "\r\n\r\n";
}

const QByteArray jsonType = QByteArrayLiteral("application/json");
} // namespace

PreparedJson::PreparedJson(QByteArray body)
    : head(statusHead(200, jsonType, {}, false) + contentLength(body.size()))
    , json(std::move(body))
{
}

Reply::Reply(const QHttpServerRequest &request, HttpConnection connection,
             ConnectionGuard *guard, QHostAddress client, QByteArray method, QString path,
             const AccessLog &log, Metrics &metrics)
    : m_exchange(request, connection, guard)
    , m_guard(guard)
    // RFC 9112, 9.3: a client that sends "close" reads nothing after this answer.
    , m_closeAfter(hasConnectionOption(request, QLatin1StringView("close")))
    , m_client(std::move(client))
    , m_method(std::move(method))
    , m_headOnly(m_method == "HEAD")
    , m_path(std::move(path))
    , m_log(log)
    , m_metrics(metrics)
{
    m_timer.start();
}

Reply::~Reply()
{
    // A stream usually ends when its reader goes away; it is logged then.
    if (m_streamStatus && !m_finished)
        finish(m_streamStatus);
    if (m_writer) {
        // It goes once what waits is out (finish() lingers), or now if nothing does.
        m_writer->finish();
        if (m_writer->isOpen())
            QObject::connect(m_writer, &StreamWriter::closed, m_writer, &QObject::deleteLater);
        else
            m_writer->deleteLater();
    }
}

bool Reply::isConnected() const
{
    if (m_tookSocket)
        return m_writer && m_writer->isOpen();
    const QTcpSocket *socket = m_exchange.socket();
    return socket && socket->state() == QAbstractSocket::ConnectedState;
}

QByteArray Reply::head(int status, const QByteArray &contentType, const HeaderPairs &headers) const
{
    return statusHead(status, contentType, headers, m_closeAfter);
}

void Reply::send(int status, const QByteArray &body, const QByteArray &contentType,
                 const HeaderPairs &headers)
{
    if (m_finished)
        return;
    if (isConnected()) {
        writeAnswer(head(status, contentType, headers) + contentLength(body.size()),
                    m_headOnly ? QByteArray() : body);
        if (!m_headOnly)
            m_bodyBytes = body.size();
        closeIfLast();
    }
    finish(status);
}

void Reply::sendJson(int status, const QByteArray &json, const HeaderPairs &headers)
{
    send(status, json, jsonType, headers);
}

void Reply::sendPrepared(const PreparedJson &answer)
{
    if (m_closeAfter || m_headOnly) {
        sendJson(200, answer.json);
        return;
    }
    if (m_finished)
        return;
    if (isConnected()) {
        writeAnswer(answer.head, answer.json);
        m_bodyBytes = answer.json.size();
    }
    finish(200);
}

void Reply::writeAnswer(const QByteArray &head, const QByteArray &body)
{
    QTcpSocket *socket = m_exchange.socket();
    if (m_guard) {
        m_guard->writeAnswer(socket, head, body);
        return;
    }
    socket->write(head);
    socket->write(body);
    socket->flush(); // as sendNow(), for the same reason
}

void Reply::sendError(const ApiError &error, const HeaderPairs &headers)
{
    sendJson(error.status, error.toJson(), headers);
}

void Reply::sendNoContent()
{
    if (m_finished)
        return;
    if (isConnected()) {
        m_exchange.socket()->write(head(204, {}, {}) + "\r\n");
        sendNow();
        closeIfLast();
    }
    finish(204);
}

void Reply::startStream(int status, const QByteArray &contentType, const HeaderPairs &headers,
                        bool takeSocket)
{
    if (m_finished || m_streamStatus || !isConnected())
        return;
    m_streamStatus = status;
    // The body starts now and is delimited by the end of the connection.
    const QByteArray streamHead = head(status, contentType, headers) + "\r\n";
    if (takeSocket && !m_headOnly && m_guard) {
        m_writer = m_guard->takeStream(m_exchange.socket());
        m_tookSocket = !m_writer.isNull();
    }
    if (m_writer) {
        m_writer->write(streamHead);
        return;
    }
    m_exchange.socket()->write(streamHead);
    sendNow();
}

void Reply::writeToStream(const QByteArray &chunk)
{
    if (m_finished || !m_streamStatus || m_headOnly || !isConnected())
        return;
    m_bodyBytes += chunk.size();
    if (m_writer) {
        m_writer->write(chunk);
        return;
    }
    m_exchange.socket()->write(chunk);
    sendNow();
}

qint64 Reply::unsentStreamBytes() const
{
    if (m_writer)
        return m_writer->unsentBytes();
    const QTcpSocket *socket = m_exchange.socket();
    return socket && !m_tookSocket ? socket->bytesToWrite() : 0;
}

void Reply::sendNow()
{
    // QTcpSocket only buffers a write and waits for the event loop to report the socket
    // writable. When one message wakes thousands of readers, those reports pile up and
    // Qt 6.4's dispatcher handles each in time linear in the pile (QList::contains in
    // setSocketNotifierPending), and the first reader gets nothing until all are queued.
    // Handing the bytes to the kernel now costs one send() and leaves nothing pending
    // unless the kernel's buffer is full.
    QTcpSocket *socket = m_exchange.socket();
    if (!socket || m_tookSocket)
        return;
    socket->flush();
    // What the kernel did not take waits in memory, counted against the server's budget.
    if (m_guard)
        m_guard->outputQueued(socket);
}

void Reply::handlerReturned()
{
    m_exchange.handlerReturned();
    if (m_guard && m_exchange.socket())
        m_guard->handlerReturned(m_exchange.socket());
}

void Reply::endStream()
{
    if (m_finished || !m_streamStatus)
        return;
    if (m_writer)
        m_writer->finish();
    else if (isConnected())
        m_exchange.socket()->disconnectFromHost();
    finish(m_streamStatus);
}

void Reply::closeIfLast()
{
    QTcpSocket *socket = m_exchange.socket();
    if (!m_closeAfter || !socket)
        return;
    if (m_guard)
        m_guard->closeAfterAnswer(socket);
    else
        socket->disconnectFromHost();
}

void Reply::finish(int status)
{
    m_finished = true;
    m_exchange.done();
    if (m_guard && m_exchange.socket())
        m_guard->requestAnswered(m_exchange.socket());
    m_metrics.countResponse(status);
    m_log.record(m_client, m_method, m_path, status, m_bodyBytes, m_timer.nsecsElapsed() / 1000);
}
