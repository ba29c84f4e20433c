#include "connectionguard.h"

#include "core/apierror.h"

#include <QEvent>
#include <QSocketNotifier>
#include <QSslSocket>
#include <QTcpSocket>

#include <sys/socket.h>
#include <sys/uio.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

namespace {
constexpr int sweepIntervalMs = 1000;
constexpr qint64 lingerMs = 2000;
// A crowd connecting at once is taken a share at a time, so that the connections
// already open are served between shares; the listening socket stays readable meanwhile.
constexpr int acceptsPerPass = 64;
constexpr int pauseWhenStuckMs = 100;
constexpr qint64 outOfDescriptorsLogIntervalMs = 60 * 1000;
constexpr qint64 budgetLogIntervalMs = 60 * 1000;

// accept(2): errors of a connection that went wrong before it was taken; the next may be fine.
bool isThatConnectionsError(int error)
{
    switch (error) {
    case ECONNABORTED:
    case EPROTO:
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
        return true;
    default:
        return false;
    }
}
}

ConnectionGuard::ConnectionGuard(const ServerLimits &limits, std::optional<QSslConfiguration> tls,
                                 QObject *parent)
    : QTcpServer(parent), m_limits(limits), m_tls(std::move(tls))
{
    // A class joining at once, or a benchmark, connects faster than the default queue
    // of 50 half-open connections drains; refused SYNs would cost them a second each.
    setListenBacklogSize(1024);
    m_clock.start();
    m_sweepTimer.setInterval(sweepIntervalMs);
    connect(&m_sweepTimer, &QTimer::timeout, this, &ConnectionGuard::sweep);
    m_sweepTimer.start();
    m_resumeTimer.setSingleShot(true);
    m_resumeTimer.setInterval(pauseWhenStuckMs);
    connect(&m_resumeTimer, &QTimer::timeout, this, [this] {
        if (m_reserveDescriptor < 0)
            holdReserve();
        if (isListening())
            resumeAccepting();
    });
}

ConnectionGuard::~ConnectionGuard()
{
    // Before this object stops being their counter: they would tell it they closed.
    const QSet<StreamWriter *> writers = m_writers;
    qDeleteAll(writers);
    if (m_reserveDescriptor >= 0)
        ::close(m_reserveDescriptor);
}

bool ConnectionGuard::listenAndAccept(const QHostAddress &address, quint16 port)
{
    if (!listen(address, port))
        return false;
    holdReserve();
    // QTcpServer's socket engine reads the listening socket through a notifier of its
    // own; its activations are taken here before QTcpServer sees them.
    const qintptr listening = socketDescriptor();
    for (QSocketNotifier *notifier : findChildren<QSocketNotifier *>()) {
        if (notifier->socket() == listening && notifier->type() == QSocketNotifier::Read) {
            m_listeningNotifier = notifier;
            notifier->installEventFilter(this);
            break;
        }
    }
    if (!m_listeningNotifier)
        std::fprintf(stderr, "chatapp: warning: accepting through QTcpServer, which spins when "
                             "out of descriptors\n");
    return true;
}

bool ConnectionGuard::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_listeningNotifier && event->type() == QEvent::SockAct) {
        acceptWaiting();
        return true;
    }
    return QTcpServer::eventFilter(watched, event);
}

void ConnectionGuard::acceptWaiting()
{
    for (int taken = 0; taken < acceptsPerPass && isListening(); ++taken) {
        const int descriptor = ::accept4(int(socketDescriptor()), nullptr, nullptr,
                                         SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (descriptor >= 0) {
            incomingConnection(descriptor);
            emit newConnection(); // as QTcpServer does
            continue;
        }
        const int error = errno;
        if (error == EINTR || isThatConnectionsError(error))
            continue;
        if (error == EAGAIN || error == EWOULDBLOCK)
            return;
        if (error == EMFILE || error == ENFILE) {
            const Refusal refusal = refuseWithReserve();
            if (refusal == Refusal::Handled)
                continue;
            if (refusal == Refusal::NobodyWaiting)
                return;
        }
        // Out of memory, or out of descriptors with no reserve to answer from.
        pauseBriefly();
        return;
    }
}

bool ConnectionGuard::holdReserve()
{
    if (m_reserveDescriptor < 0)
        m_reserveDescriptor = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return m_reserveDescriptor >= 0;
}

ConnectionGuard::Refusal ConnectionGuard::refuseWithReserve()
{
    const qint64 now = m_clock.elapsed();
    if (m_outOfDescriptorsLoggedMs < 0
        || now - m_outOfDescriptorsLoggedMs >= outOfDescriptorsLogIntervalMs) {
        m_outOfDescriptorsLoggedMs = now;
        std::fprintf(stderr,
                     "chatapp: out of file descriptors with %lld connections open; new ones get "
                     "503 (see LimitNOFILE and --max-connections in docs/security.md)\n",
                     static_cast<long long>(openConnections()));
    }
    if (m_reserveDescriptor < 0)
        return Refusal::Stuck;
    ::close(m_reserveDescriptor);
    m_reserveDescriptor = -1;
    const int descriptor = ::accept4(int(socketDescriptor()), nullptr, nullptr,
                                     SOCK_CLOEXEC | SOCK_NONBLOCK);
    const int error = errno;
    if (descriptor >= 0) {
        ++m_refused;
        // Before a handshake there is no way to say why: a TLS client just sees the close.
        if (!m_tls) {
            const QByteArray answer = errorAnswer(
                503, "Service Unavailable", "too_many_connections",
                "The server has as many connections open as it can; try again shortly.", 5);
            [[maybe_unused]] const auto sent =
                ::send(descriptor, answer.constData(), size_t(answer.size()), MSG_NOSIGNAL);
        }
        // A close with the request unread would reset the connection, and the reset can
        // overtake the answer; what is already here is read first.
        ::shutdown(descriptor, SHUT_WR);
        char discard[4096];
        for (int i = 0; i < 16; ++i) {
            if (::recv(descriptor, discard, sizeof discard, MSG_DONTWAIT) <= 0)
                break;
        }
        ::close(descriptor);
    }
    if (!holdReserve())
        return Refusal::Stuck;
    if (descriptor >= 0)
        return Refusal::Handled;
    if (error == EAGAIN || error == EWOULDBLOCK)
        return Refusal::NobodyWaiting;
    return isThatConnectionsError(error) || error == EINTR ? Refusal::Handled : Refusal::Stuck;
}

void ConnectionGuard::pauseBriefly()
{
    if (isListening())
        pauseAccepting();
    m_resumeTimer.start();
}

void ConnectionGuard::incomingConnection(qintptr descriptor)
{
    QSslSocket *tlsSocket = m_tls ? new QSslSocket(this) : nullptr;
    QTcpSocket *socket = tlsSocket ? tlsSocket : new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    socket->setReadBufferSize(maxBufferedInputBytes);
    if (openConnections() >= m_limits.maxConnections) {
        ++m_refused;
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        // Before a handshake there is no way to say why: a TLS client just sees the close.
        if (!tlsSocket)
            writeError(socket, 503, "Service Unavailable", "too_many_connections",
                       "The server has as many connections open as it allows; try again shortly.", 5);
        // Written and closed now, not on a later turn: a crowd refused in one pass would
        // otherwise hold a descriptor each meanwhile.
        socket->flush();
        socket->disconnectFromHost();
        return;
    }
    const qint64 now = m_clock.elapsed();
    // A handshake trickled byte by byte is slowloris too: it runs on the request's clock.
    Connection connection;
    connection.lastActivityMs = now;
    connection.requestStartedMs = tlsSocket ? now : -1;
    m_connections.insert(socket, connection);
    if (tlsSocket) {
        tlsSocket->setSslConfiguration(*m_tls);
        connect(tlsSocket, &QSslSocket::encrypted, this, [this, tlsSocket] {
            const auto found = m_connections.find(tlsSocket);
            if (found != m_connections.end() && found->requestBytes == 0)
                found->requestStartedMs = -1;
        });
        tlsSocket->startServerEncryption();
    }
    // Connected before QHttpServer's own slot, so the bytes are counted before it reads them.
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { bytesArrived(socket); });
    connect(socket, &QTcpSocket::bytesWritten, this, [this, socket] { bytesLeft(socket); });
    // The newest connection from a peer wins: its port may be reused while the old
    // connection's socket still waits for deletion.
    const std::pair peer{socket->peerAddress(), socket->peerPort()};
    m_socketsByPeer.insert(peer, socket);
    connect(socket, &QObject::destroyed, this, [this, socket, peer] {
        forget(socket);
        const auto byPeer = m_socketsByPeer.constFind(peer);
        if (byPeer != m_socketsByPeer.cend() && *byPeer == socket)
            m_socketsByPeer.erase(byPeer);
    });
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] { forget(socket); });
    addPendingConnection(socket);
}

void ConnectionGuard::bytesArrived(QTcpSocket *socket)
{
    const auto found = m_connections.find(socket);
    // QHttpServer 6.8 signals readyRead itself, with nothing new, each time it is ready
    // for a connection's next request: no request has started then.
    if (found == m_connections.end() || socket->bytesAvailable() == 0)
        return;
    const qint64 now = m_clock.elapsed();
    found->lastActivityMs = now;
    if (found->closeAtMs >= 0) {
        // Read here, before QHttpServer's slot runs, so it never sees these bytes.
        socket->skip(socket->bytesAvailable());
        return;
    }
    if (found->busy) {
        hold(socket, *found);
        return;
    }
    // QHttpServer's slot runs next and reads all that is buffered, unless a whole request
    // is among it: then it stops there, and requestArrived() counts what is left.
    const qint64 fresh = socket->bytesAvailable() - found->countedAhead;
    found->countedAhead = 0;
    if (found->requestStartedMs < 0) {
        found->requestStartedMs = now;
        found->requestBytes = 0;
        found->requestLine.clear();
        found->requestLineWhole = false;
    }
    noteRequestLine(socket, *found);
    found->requestBytes += std::max<qint64>(fresh, 0);
    if (found->requestBytes > maxRequestBytes) {
        // These bytes may hold many small requests pipelined one behind another, and
        // where one ends is for QHttpServer to find, which reads them next. Too large is
        // a request it reads all of without finding its end.
        QMetaObject::invokeMethod(
            this,
            [this, socket = QPointer<QTcpSocket>(socket), arrivedBefore = found->requestsArrived] {
                refuseIfStillTooLarge(socket, arrivedBefore);
            },
            Qt::QueuedConnection);
    }
}

void ConnectionGuard::refuseIfStillTooLarge(QTcpSocket *socket, quint64 arrivedBefore)
{
    const auto found = socket ? m_connections.find(socket) : m_connections.end();
    if (found == m_connections.end() || found->closeAtMs >= 0 || found->busy
        || found->requestsArrived != arrivedBefore || found->requestBytes <= maxRequestBytes)
        return;
    refuseAndLinger(socket, *found, 413, "Payload Too Large", "payload_too_large",
                    "The request is larger than the server accepts.");
}

void ConnectionGuard::noteRequestLine(QTcpSocket *socket, Connection &connection)
{
    // Only the version is ever taken from it; QHttpServer parses the request.
    constexpr qsizetype longestKept = 8 * 1024;
    if (connection.requestLineWhole)
        return;
    // peek(n) allocates n bytes whatever is there: ask only for what is buffered, and give
    // back what the line does not use, or every open connection would keep 8 KiB.
    connection.requestLine += socket->peek(
        qBound<qint64>(0, socket->bytesAvailable(), longestKept - connection.requestLine.size()));
    // RFC 9112, 2.2: empty lines before a request line are ignored.
    while (connection.requestLine.startsWith("\r\n") || connection.requestLine.startsWith('\n'))
        connection.requestLine.remove(0, connection.requestLine.startsWith('\n') ? 1 : 2);
    const qsizetype end = connection.requestLine.indexOf('\n');
    if (end >= 0)
        connection.requestLine.truncate(end);
    connection.requestLineWhole = end >= 0 || connection.requestLine.size() >= longestKept;
    connection.requestLine.squeeze();
}

QByteArray ConnectionGuard::requestArrived(QTcpSocket *socket)
{
    const auto found = m_connections.find(socket);
    if (found == m_connections.end() || found->closeAtMs >= 0)
        return {};
    QByteArray version;
    if (found->requestLineWhole) {
        const QByteArray line = found->requestLine.trimmed();
        version = line.mid(line.lastIndexOf(' ') + 1);
    }
    found->busy = true;
    found->answered = false;
    ++found->requestsArrived;
    // Anything already buffered belongs to a pipelined next request, which starts now.
    const qint64 ahead = socket->bytesAvailable();
    found->requestStartedMs = ahead > 0 ? m_clock.elapsed() : -1;
    found->requestBytes = ahead;
    found->countedAhead = ahead;
    found->requestLine.clear();
    found->requestLineWhole = false;
    if (ahead > 0)
        noteRequestLine(socket, *found);
    return version;
}

void ConnectionGuard::handlerReturned(QTcpSocket *socket)
{
    const auto found = m_connections.find(socket);
    // Not answered yet (a held poll, a commit, a stream): QHttpServer would otherwise go
    // straight on to the next request and answer it first.
    if (found != m_connections.end() && found->busy && found->closeAtMs < 0)
        hold(socket, *found);
}

void ConnectionGuard::requestAnswered(QTcpSocket *socket)
{
    const auto found = m_connections.find(socket);
    if (found == m_connections.end() || !found->busy)
        return;
    found->answered = true;
    if (socket->bytesToWrite() == 0)
        release(socket, *found);
}

void ConnectionGuard::hold(QTcpSocket *socket, Connection &connection)
{
    if (!connection.holding) {
        // Between requests QHttpServer has committed its own transaction; were one open,
        // a request would be half read, which a busy connection never has.
        if (socket->isTransactionStarted())
            return;
        socket->startTransaction();
        connection.holding = true;
    }
    // Read inside the transaction: kept in the buffer, but no longer available to
    // QHttpServer's parser. Their request's clock starts when they are given back.
    socket->skip(socket->bytesAvailable());
    connection.requestStartedMs = -1;
    connection.requestBytes = 0;
    connection.countedAhead = 0;
    connection.requestLine.clear();
    connection.requestLineWhole = false;
}

void ConnectionGuard::release(QTcpSocket *socket, Connection &connection)
{
    connection.busy = false;
    connection.answered = false;
    if (!connection.holding)
        return;
    connection.holding = false;
    if (connection.closeAtMs >= 0) {
        socket->commitTransaction(); // what was held is dropped with the connection
        return;
    }
    socket->rollbackTransaction();
    // Not at once: this may run inside QHttpServer's own handling of the socket.
    if (socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(socket, &QIODevice::readyRead, Qt::QueuedConnection);
}

void ConnectionGuard::bytesLeft(QTcpSocket *socket)
{
    const auto found = m_connections.find(socket);
    if (found == m_connections.end())
        return;
    found->lastActivityMs = m_clock.elapsed();
    countUnsent(socket);
    if (found->busy && found->answered && socket->bytesToWrite() == 0)
        release(socket, *found);
}

void ConnectionGuard::outputQueued(QTcpSocket *socket)
{
    // The common case, costing no lookup: readers keep up, the kernel took it all.
    if (m_unsentBySocket.isEmpty() && socket->bytesToWrite() == 0)
        return;
    countUnsent(socket);
    if (m_unsentTotal > qint64(m_limits.outputBudgetMiB) * 1024 * 1024)
        closeLargestOffenders();
}

void ConnectionGuard::writeAnswer(QTcpSocket *socket, const QByteArray &head, const QByteArray &body)
{
    // Through QTcpSocket, each answer would be copied into the socket's ring buffer, its
    // write notifier enabled and disabled around the write() and bytesWritten signalled
    // back here: 4.5 % of the server's time in a long-poll fan-out, besides the kernel's
    // own (docs/benchmarks.md, "Held long polls"). Unlike takeStream(), the descriptor is
    // only borrowed for this call: the connection stays open for its next request, which
    // a long poll's client sends at once. With nothing buffered in the socket, these
    // bytes are next on the wire either way.
    qint64 sent = 0;
    const auto found = m_connections.find(socket);
    if (found != m_connections.end() && !m_tls && socket->bytesToWrite() == 0
        && socket->state() == QAbstractSocket::ConnectedState) {
        iovec parts[2] = {{const_cast<char *>(head.constData()), size_t(head.size())},
                          {const_cast<char *>(body.constData()), size_t(body.size())}};
        msghdr message{};
        message.msg_iov = parts;
        message.msg_iovlen = body.isEmpty() ? 1 : 2;
        const ssize_t written =
            ::sendmsg(int(socket->socketDescriptor()), &message, MSG_NOSIGNAL | MSG_DONTWAIT);
        // On an error, QTcpSocket is given everything below and meets the error itself.
        if (written > 0) {
            sent = written;
            found->lastActivityMs = m_clock.elapsed(); // as bytesLeft() would have
        }
    }
    if (sent >= head.size() + body.size())
        return;
    if (sent < head.size())
        socket->write(head.constData() + sent, head.size() - sent);
    const qint64 fromBody = std::max<qint64>(0, sent - head.size());
    socket->write(body.constData() + fromBody, body.size() - fromBody);
    socket->flush();
    outputQueued(socket);
}

void ConnectionGuard::countUnsent(QTcpSocket *socket)
{
    const qint64 unsent = socket->bytesToWrite();
    const auto found = m_unsentBySocket.find(socket);
    if (found != m_unsentBySocket.end()) {
        m_unsentTotal += unsent - *found;
        if (unsent > 0)
            *found = unsent;
        else
            m_unsentBySocket.erase(found);
    } else if (unsent > 0 && m_connections.contains(socket)) {
        m_unsentTotal += unsent;
        m_unsentBySocket.insert(socket, unsent);
    }
}

void ConnectionGuard::closeLargestOffenders()
{
    // Down to three quarters, so that a flood does not make this sort every connection
    // at each write once the budget is reached.
    const qint64 budget = qint64(m_limits.outputBudgetMiB) * 1024 * 1024;
    const qint64 target = budget - budget / 4;
    struct Offender
    {
        qint64 unsent;
        QPointer<QTcpSocket> socket;
        QPointer<StreamWriter> writer;
    };
    QList<Offender> offenders;
    offenders.reserve(m_unsentBySocket.size() + m_unsentByWriter.size());
    for (auto it = m_unsentBySocket.cbegin(); it != m_unsentBySocket.cend(); ++it)
        offenders.append({it.value(), it.key(), nullptr});
    for (auto it = m_unsentByWriter.cbegin(); it != m_unsentByWriter.cend(); ++it)
        offenders.append({it.value(), nullptr, it.key()});
    std::sort(offenders.begin(), offenders.end(),
              [](const Offender &a, const Offender &b) { return a.unsent > b.unsent; });
    int closed = 0;
    for (const Offender &offender : offenders) {
        if (m_unsentTotal <= target)
            break;
        if (offender.writer) {
            ++closed;
            ++m_evicted;
            // Drops what waits and tells the stream, which ends its reply.
            offender.writer->abort();
            continue;
        }
        if (!offender.socket)
            continue;
        ++closed;
        ++m_evicted;
        // abort() drops the unsent output at once; disconnected() then forgets the
        // connection (and its count) and ends what it was answering.
        forget(offender.socket);
        offender.socket->abort();
    }
    const qint64 now = m_clock.elapsed();
    if (closed > 0 && (m_budgetLoggedMs < 0 || now - m_budgetLoggedMs >= budgetLogIntervalMs)) {
        m_budgetLoggedMs = now;
        std::fprintf(stderr,
                     "chatapp: clients are not reading %d MiB of answers and events; closed the %d "
                     "connection(s) with the most unsent (see --output-budget in docs/security.md)\n",
                     m_limits.outputBudgetMiB, closed);
    }
}

void ConnectionGuard::forget(QTcpSocket *socket)
{
    const auto found = m_connections.find(socket);
    if (found == m_connections.end())
        return;
    m_connections.erase(found);
    m_unsentTotal -= m_unsentBySocket.take(socket);
}

StreamWriter *ConnectionGuard::takeStream(QTcpSocket *socket)
{
    const auto found = m_connections.find(socket);
    if (found == m_connections.end() || found->closeAtMs >= 0 || qobject_cast<QSslSocket *>(socket)
        || socket->state() != QAbstractSocket::ConnectedState || socket->bytesToWrite() > 0)
        return nullptr;
    // QAbstractSocket cannot hand its descriptor over, only close it. So the stream gets a
    // second descriptor of the same connection, and the socket is aborted: that closes
    // only Qt's descriptor (no FIN, no RST, as the connection is still open through the
    // other), drops its buffers (nothing is unsent, checked above; input on a stream means
    // nothing) and reports it disconnected, on which QHttpServer lets it go.
    const int descriptor = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (descriptor < 0)
        return nullptr;
    forget(socket);
    socket->abort();
    return new StreamWriter(descriptor, this, this);
}

void ConnectionGuard::writerOpened(StreamWriter *writer)
{
    m_writers.insert(writer);
}

void ConnectionGuard::writerUnsentChanged(StreamWriter *writer, qint64 unsent)
{
    qint64 &counted = m_unsentByWriter[writer];
    const bool grew = unsent > counted;
    m_unsentTotal += unsent - counted;
    counted = unsent;
    if (unsent == 0) {
        m_unsentByWriter.remove(writer);
        return;
    }
    // Only on growth: a writer reporting progress is in the middle of its own write loop.
    if (grew && m_unsentTotal > qint64(m_limits.outputBudgetMiB) * 1024 * 1024)
        closeLargestOffenders();
}

void ConnectionGuard::writerClosed(StreamWriter *writer)
{
    m_writers.remove(writer);
    m_unsentTotal -= m_unsentByWriter.take(writer);
}

QTcpSocket *ConnectionGuard::socketFrom(const QHostAddress &address, quint16 port) const
{
    return m_socketsByPeer.value({address, port});
}

void ConnectionGuard::closeAfterAnswer(QTcpSocket *socket)
{
    const auto found = m_connections.find(socket);
    if (found == m_connections.end()) {
        socket->disconnectFromHost();
        return;
    }
    found->closeAtMs = m_clock.elapsed() + lingerMs;
    if (found->holding) {
        found->holding = false;
        socket->commitTransaction();
    }
    socket->skip(socket->bytesAvailable());
    // The client learns the answer is whole at once instead of after the linger: once it
    // is all with the kernel, the sending half closes while unread input is still read.
    // Not under TLS, whose close is a record of its own.
    if (qobject_cast<QSslSocket *>(socket))
        return;
    const auto halfClose = [socket] {
        if (socket->bytesToWrite() == 0 && socket->state() == QAbstractSocket::ConnectedState)
            ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
    };
    socket->flush();
    if (socket->bytesToWrite() == 0)
        halfClose();
    else
        connect(socket, &QTcpSocket::bytesWritten, socket, halfClose);
}

void ConnectionGuard::sweep()
{
    const qint64 now = m_clock.elapsed();
    const qint64 requestDeadline = qint64(m_limits.requestTimeoutSeconds) * 1000;
    const qint64 idleDeadline = qint64(m_limits.idleTimeoutSeconds) * 1000;
    QList<QTcpSocket *> toClose;
    for (auto it = m_connections.begin(); it != m_connections.end(); ++it) {
        Connection &connection = *it;
        if (connection.closeAtMs >= 0) {
            if (now >= connection.closeAtMs)
                toClose.append(it.key());
        } else if (connection.requestStartedMs >= 0 && now - connection.requestStartedMs > requestDeadline) {
            ++m_timedOut;
            const auto *tlsSocket = qobject_cast<QSslSocket *>(it.key());
            if (tlsSocket && !tlsSocket->isEncrypted()) {
                toClose.append(it.key()); // no channel yet to answer 408 on
                continue;
            }
            refuseAndLinger(it.key(), connection, 408, "Request Timeout", "request_timeout",
                            "The request did not arrive in time.");
        } else if (now - connection.lastActivityMs > idleDeadline) {
            toClose.append(it.key());
        }
    }
    for (QTcpSocket *socket : toClose) {
        forget(socket);
        socket->disconnectFromHost();
    }
    // A stream's reader that has taken nothing for as long is gone (the idle timeout);
    // only those with output waiting can be.
    QList<QPointer<StreamWriter>> stalled;
    for (auto it = m_unsentByWriter.cbegin(); it != m_unsentByWriter.cend(); ++it) {
        if (it.key()->msSinceProgress() > idleDeadline)
            stalled.append(it.key());
    }
    for (const QPointer<StreamWriter> &writer : stalled) {
        if (writer)
            writer->abort();
    }
}

void ConnectionGuard::refuseAndLinger(QTcpSocket *socket, Connection &connection, int status,
                                      const QByteArray &reason, const QByteArray &code,
                                      const QByteArray &message)
{
    connection.closeAtMs = m_clock.elapsed() + lingerMs;
    if (connection.holding) {
        connection.holding = false;
        socket->commitTransaction();
    }
    socket->skip(socket->bytesAvailable());
    writeError(socket, status, reason, code, message);
}

void ConnectionGuard::writeError(QTcpSocket *socket, int status, const QByteArray &reason,
                                 const QByteArray &code, const QByteArray &message,
                                 int retryAfterSeconds)
{
    socket->write(errorAnswer(status, reason, code, message, retryAfterSeconds));
}

QByteArray ConnectionGuard::errorAnswer(int status, const QByteArray &reason, const QByteArray &code,
                                        const QByteArray &message, int retryAfterSeconds)
{
    const QByteArray body = ApiError{status, QString::fromLatin1(code), QString::fromLatin1(message)}.toJson();
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Content-Length: " + QByteArray::number(body.size()) + "\r\n"
                    + "X-Content-Type-Options: nosniff\r\n"
                    + "Connection: close\r\n";
    if (retryAfterSeconds > 0)
        head += "Retry-After: " + QByteArray::number(retryAfterSeconds) + "\r\n";
    return head + "\r\n" + body;
}
