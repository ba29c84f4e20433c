#include "reply.h"

#include "accesslog.h"
#include "metrics.h"

Reply::Reply(QHttpServerResponder &&responder, QTcpSocket *socket, QByteArray method,
             QString path, const AccessLog &log, Metrics &metrics)
    : m_responder(std::move(responder))
    , m_socket(socket)
    , m_method(std::move(method))
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
}

bool Reply::isConnected() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

void Reply::writeHead(int status, const QByteArray &contentType, const HeaderPairs &headers)
{
    m_responder.writeStatusLine(QHttpServerResponder::StatusCode(status));
    m_responder.writeHeader("Content-Type", contentType);
    for (const auto &[name, value] : headers)
        m_responder.writeHeader(name, value);
}

void Reply::send(int status, const QByteArray &body, const QByteArray &contentType,
                 const HeaderPairs &headers)
{
    if (m_finished)
        return;
    if (isConnected()) {
        writeHead(status, contentType, headers);
        m_responder.writeHeader("Content-Length", QByteArray::number(body.size()));
        m_responder.writeBody(body);
        m_bodyBytes = body.size();
        sendNow();
    }
    finish(status);
}

void Reply::sendJson(int status, const QByteArray &json, const HeaderPairs &headers)
{
    send(status, json, "application/json", headers);
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
        m_responder.writeStatusLine(QHttpServerResponder::StatusCode::NoContent);
        m_responder.writeBody(QByteArray());
        sendNow();
    }
    finish(204);
}

void Reply::startStream(int status, const QByteArray &contentType, const HeaderPairs &headers)
{
    if (m_finished || m_streamStatus || !isConnected())
        return;
    m_streamStatus = status;
    writeHead(status, contentType, headers);
    // The body starts now and is delimited by the end of the connection.
    m_responder.writeBody(QByteArray());
}

void Reply::writeToStream(const QByteArray &chunk)
{
    if (m_finished || !m_streamStatus || !isConnected())
        return;
    m_responder.writeBody(chunk);
    m_bodyBytes += chunk.size();
    sendNow();
}

void Reply::sendNow()
{
    // QTcpSocket only buffers a write and waits for the event loop to report the socket
    // writable. When one message wakes thousands of readers, those reports pile up and
    // Qt 6.4's dispatcher handles each in time linear in the pile (QList::contains in
    // setSocketNotifierPending), and the first reader gets nothing until all are queued.
    // Handing the bytes to the kernel now costs one send() and leaves nothing pending
    // unless the kernel's buffer is full.
    if (m_socket)
        m_socket->flush();
}

void Reply::endStream()
{
    if (m_finished || !m_streamStatus)
        return;
    if (isConnected())
        m_socket->disconnectFromHost();
    finish(m_streamStatus);
}

void Reply::finish(int status)
{
    m_finished = true;
    m_metrics.countResponse(status);
    m_log.record(m_method, m_path, status, m_bodyBytes, m_timer.nsecsElapsed() / 1000);
}
