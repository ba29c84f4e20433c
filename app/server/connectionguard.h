#pragma once

#include "limits.h"
#include "streamwriter.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QSet>
#include <QPointer>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTimer>
#include <optional>
#include <utility>

class QSocketNotifier;
class QTcpSocket;

// The listening socket, with the limits QHttpServer 6.4 does not have: a cap on open
// connections, a deadline for each request to arrive whole, a cap on its size before
// QHttpServer buffers it, and an idle timeout. It only counts bytes and time; the
// HTTP itself is still parsed by QHttpServer, which is told about every connection
// this lets through.
class ConnectionGuard : public QTcpServer, public UnsentOutputCounter
{
    Q_OBJECT

public:
    // Headers and a body at its limit, with room to spare: beyond this a request is
    // refused before it is buffered.
    static constexpr qint64 maxRequestBytes = 64 * 1024 + 32 * 1024;
    // Input a connection may have buffered: a request at its limit and a little of the
    // next. Past it the socket is not read until some is parsed, so requests pipelined
    // behind an answer the client does not take wait in the client's kernel, not here.
    static constexpr qint64 maxBufferedInputBytes = maxRequestBytes + 32 * 1024;

    // With `tls`, every connection is a QSslSocket that must finish its handshake within
    // the request timeout.
    ConnectionGuard(const ServerLimits &limits, std::optional<QSslConfiguration> tls,
                    QObject *parent = nullptr);
    ~ConnectionGuard() override;

    // listen(), then accepts connections itself instead of through QTcpServer, whose
    // accept loop takes running out of descriptors for a passing hitch and retries at
    // once, forever: the listening socket stays readable, so the loop spins at full CPU
    // and the client waits unanswered. This answers it 503 through a reserve descriptor.
    bool listenAndAccept(const QHostAddress &address, quint16 port);

    // QHttpServer has parsed a whole request on `socket`: its deadline is met, and the
    // requests pipelined behind it wait until its answer is out (requestAnswered()).
    // Returns the request's HTTP version as its request line gave it ("HTTP/1.0"), or
    // empty when not known. Qt's QHttpServerRequest does not tell it, and it decides
    // whether Host is required and whether the connection stays open.
    QByteArray requestArrived(QTcpSocket *socket);
    // The handler given the request has returned, answered or not.
    void handlerReturned(QTcpSocket *socket);
    // The whole answer is written to the socket. Once the client has taken it (the
    // socket's buffer is empty), the connection's next request is read: answers go out in
    // request order (RFC 9112, 9.3.2), and a client that does not read its answers is not
    // read from either, so it cannot make the server buffer answer after answer.
    void requestAnswered(QTcpSocket *socket);
    // Output was written to `socket`: counted against the budget for all connections,
    // and past it the connections with the most unsent output are closed.
    void outputQueued(QTcpSocket *socket);
    // Hands a whole answer to the kernel now: with one sendmsg() from `head` and `body`
    // themselves when nothing of the connection waits in QTcpSocket and it is plain TCP;
    // what the kernel does not take then (or all of it, otherwise) goes through the
    // socket, counted as outputQueued() counts it. The connection stays QHttpServer's.
    void writeAnswer(QTcpSocket *socket, const QByteArray &head, const QByteArray &body);
    // The answer being written is the connection's last: what follows is read and
    // dropped, never parsed, and the connection closes shortly.
    void closeAfterAnswer(QTcpSocket *socket);
    // Takes a plain (not TLS) connection away from QTcpSocket once a stream's answer has
    // started, for a StreamWriter to write from then on (docs/architecture.md, "Readers").
    // Null, and the socket left as it was, when that cannot be done cleanly: TLS, output
    // still buffered, or the connection gone. The writer stays counted here: as an open
    // connection, in the output budget, and for the idle timeout.
    StreamWriter *takeStream(QTcpSocket *socket);
    void writerOpened(StreamWriter *writer) override;
    void writerUnsentChanged(StreamWriter *writer, qint64 unsent) override;
    void writerClosed(StreamWriter *writer) override;
    // The connection this let through from that peer, or null. QHttpServer 6.8 tells a
    // handler its request's peer but not its socket.
    QTcpSocket *socketFrom(const QHostAddress &address, quint16 port) const;
    qsizetype openConnections() const { return m_connections.size() + m_writers.size(); }
    quint64 refusedConnections() const { return m_refused; }
    quint64 timedOutRequests() const { return m_timedOut; }
    quint64 evictedConnections() const { return m_evicted; }
    qint64 unsentBytes() const { return m_unsentTotal; }

protected:
    void incomingConnection(qintptr descriptor) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Connection
    {
        qint64 lastActivityMs = 0;
        qint64 requestStartedMs = -1; // -1: no request partly received
        qint64 requestBytes = 0;
        qint64 closeAtMs = -1; // refused: what arrives is thrown away until then
        QByteArray requestLine; // the current request's, while it arrives
        bool requestLineWhole = false;
        // From requestArrived() until the answer has left the socket's buffer.
        bool busy = false;
        bool answered = false;
        // A read transaction of ours holds what arrived meanwhile, unseen by QHttpServer.
        bool holding = false;
        // Buffered bytes already counted: requests pipelined behind the one just parsed.
        qint64 countedAhead = 0;
        quint64 requestsArrived = 0;
    };

    // Keeps the start of the request QHttpServer is about to read, up to its first line.
    static void noteRequestLine(QTcpSocket *socket, Connection &connection);

    // Handled: that waiting connection is dealt with (answered, or gone by itself).
    enum class Refusal { Handled, NobodyWaiting, Stuck };

    void acceptWaiting();
    // Every descriptor is taken: frees the reserve for a moment to accept one waiting
    // connection, answer it 503 and close it.
    Refusal refuseWithReserve();
    bool holdReserve();
    // Stops reading the listening socket for a moment when even the reserve cannot help:
    // left readable, it would wake the event loop in a busy loop.
    void pauseBriefly();
    void bytesArrived(QTcpSocket *socket);
    void bytesLeft(QTcpSocket *socket);
    void refuseIfStillTooLarge(QTcpSocket *socket, quint64 arrivedBefore);
    // Keeps what has arrived on a busy connection from QHttpServer until release().
    static void hold(QTcpSocket *socket, Connection &connection);
    static void release(QTcpSocket *socket, Connection &connection);
    void countUnsent(QTcpSocket *socket);
    void closeLargestOffenders();
    void forget(QTcpSocket *socket);
    void sweep();
    // A bare HTTP error, written before (or instead of) QHttpServer seeing the request.
    static QByteArray errorAnswer(int status, const QByteArray &reason, const QByteArray &code,
                                  const QByteArray &message, int retryAfterSeconds = 0);
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
    quint64 m_evicted = 0;
    qint64 m_unsentTotal = 0;
    // The connections with output the kernel has not taken, and how much, as last seen:
    // few while clients keep up, so a write that leaves nothing behind costs no lookup.
    QHash<QTcpSocket *, qint64> m_unsentBySocket;
    // Streams taken from their sockets (takeStream), and those with output waiting.
    QSet<StreamWriter *> m_writers;
    QHash<StreamWriter *, qint64> m_unsentByWriter;
    qint64 m_budgetLoggedMs = -1;
    // QTcpServer's notifier for the listening socket, whose activations this takes over.
    QPointer<QSocketNotifier> m_listeningNotifier;
    int m_reserveDescriptor = -1;
    QTimer m_resumeTimer;
    qint64 m_outOfDescriptorsLoggedMs = -1;
};
