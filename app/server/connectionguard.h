#pragma once

#include "limits.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTimer>
#include <optional>
#include <utility>

class QTcpSocket;

// The listening socket, with the limits QHttpServer 6.4 does not have: a cap on open
// connections, a deadline for each request to arrive whole, a cap on its size before
// QHttpServer buffers it, and an idle timeout. It only counts bytes and time; the
// HTTP itself is still parsed by QHttpServer, which is told about every connection
// this lets through.
class ConnectionGuard : public QTcpServer
{
    Q_OBJECT

public:
    // Headers and a body at its limit, with room to spare: beyond this a request is
    // refused before it is buffered.
    static constexpr qint64 maxRequestBytes = 64 * 1024 + 32 * 1024;

    // With `tls`, every connection is a QSslSocket that must finish its handshake within
    // the request timeout.
    ConnectionGuard(const ServerLimits &limits, std::optional<QSslConfiguration> tls,
                    QObject *parent = nullptr);

    // QHttpServer has parsed a whole request on `socket`: its deadline is met.
    void requestArrived(QTcpSocket *socket);
    // The answer being written is the connection's last: what follows is read and
    // dropped, never parsed, and the connection closes shortly.
    void closeAfterAnswer(QTcpSocket *socket);
    // The connection this let through from that peer, or null. QHttpServer 6.8 tells a
    // handler its request's peer but not its socket.
    QTcpSocket *socketFrom(const QHostAddress &address, quint16 port) const;
    qsizetype openConnections() const { return m_connections.size(); }
    quint64 refusedConnections() const { return m_refused; }
    quint64 timedOutRequests() const { return m_timedOut; }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    struct Connection
    {
        qint64 lastActivityMs = 0;
        qint64 requestStartedMs = -1; // -1: no request partly received
        qint64 requestBytes = 0;
        qint64 closeAtMs = -1; // refused: what arrives is thrown away until then
    };

    void bytesArrived(QTcpSocket *socket);
    void sweep();
    // Answers with a bare HTTP error; the request never reaches QHttpServer.
    static void writeError(QTcpSocket *socket, int status, const QByteArray &reason,
                           const QByteArray &code, const QByteArray &message, int retryAfterSeconds = 0);
    // Answers a connection QHttpServer serves with an error, then reads and drops what
    // the client still sends for a moment before closing: closing with unread input
    // would reset the connection and the client might never see the answer.
    void refuseAndLinger(QTcpSocket *socket, Connection &connection, int status,
                         const QByteArray &reason, const QByteArray &code, const QByteArray &message);

    ServerLimits m_limits;
    std::optional<QSslConfiguration> m_tls;
    QElapsedTimer m_clock;
    QTimer m_sweepTimer;
    QHash<QTcpSocket *, Connection> m_connections;
    // Every socket let through, until it is deleted (which may be a while after it
    // disconnects: a pending answer keeps it).
    QHash<std::pair<QHostAddress, quint16>, QTcpSocket *> m_socketsByPeer;
    quint64 m_refused = 0;
    quint64 m_timedOut = 0;
};
