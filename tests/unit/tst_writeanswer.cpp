// ConnectionGuard::writeAnswer hands a whole answer to the kernel itself when nothing of
// the connection waits in QTcpSocket, and through QTcpSocket otherwise. Either way the
// client must get every byte once and in order, the connection must stay open for its
// next request, and what the kernel did not take must count in the output budget. These
// drive a real guard on loopback, on the server's own loop, with a client whose receive
// buffer is small, so that the kernel refuses part of an answer as a slow reader's would.

#include "server/connectionguard.h"
#include "server/epolldispatcher.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

namespace {
// The client's end of one connection to the guard, read without blocking.
struct Client
{
    int descriptor = -1;

    Client(quint16 port, int receiveBuffer)
    {
        descriptor = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (receiveBuffer > 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        // Completes in the kernel's backlog on loopback, before the guard accepts it.
        if (::connect(descriptor, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
            qFatal("connect: %s", strerror(errno));
        fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK);
    }
    ~Client() { close(descriptor); }

    // Appends what can be read now to `received`; false once the server has closed.
    bool readInto(QByteArray &received) const
    {
        char buffer[65536];
        for (;;) {
            const ssize_t n = read(descriptor, buffer, sizeof buffer);
            if (n > 0) {
                received.append(buffer, n);
                continue;
            }
            return n != 0;
        }
    }
};

QByteArray patterned(qsizetype size, char seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char('a' + (seed + i % 251) % 26);
    return bytes;
}
} // namespace

class TestWriteAnswer : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void anAnswerReachesTheClientWholeAndTheConnectionStaysOpen();
    void whatTheKernelRefusesFollowsInOrderAndCountsInTheBudget();
    void anAnswerToAClosedConnectionIsDroppedQuietly();

private:
    // Accepts one connection from `client` through the guard: the server's socket for it.
    QTcpSocket *serverSide();

    std::unique_ptr<ConnectionGuard> m_guard;
};

void TestWriteAnswer::init()
{
    m_guard = std::make_unique<ConnectionGuard>(ServerLimits{}, std::nullopt);
    QVERIFY(m_guard->listenAndAccept(QHostAddress::LocalHost, 0));
}

void TestWriteAnswer::cleanup()
{
    m_guard.reset();
}

QTcpSocket *TestWriteAnswer::serverSide()
{
    if (!QTest::qWaitFor([this] { return m_guard->hasPendingConnections(); }, 5000))
        return nullptr;
    return m_guard->nextPendingConnection();
}

void TestWriteAnswer::anAnswerReachesTheClientWholeAndTheConnectionStaysOpen()
{
    Client client(m_guard->serverPort(), 0);
    QTcpSocket *socket = serverSide();
    QVERIFY(socket);

    QSignalSpy throughTheSocket(socket, &QTcpSocket::bytesWritten);
    const QByteArray head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
    m_guard->writeAnswer(socket, head, "hello");
    // Taken by the kernel in the call, past QTcpSocket, which never held any of it.
    QCOMPARE(socket->bytesToWrite(), 0);
    QCOMPARE(throughTheSocket.count(), 0);
    m_guard->writeAnswer(socket, head, "again");

    QByteArray received;
    const QByteArray expected = head + "hello" + head + "again";
    QTRY_VERIFY(!client.readInto(received) || received.size() >= expected.size());
    QCOMPARE(received, expected);
    QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(m_guard->unsentBytes(), 0);

    // The connection is still QTcpSocket's to read: the client's next request arrives.
    QCOMPARE(write(client.descriptor, "GET / HTTP/1.1\r\n", 16), 16);
    QTRY_VERIFY(socket->bytesAvailable() > 0);
}

void TestWriteAnswer::whatTheKernelRefusesFollowsInOrderAndCountsInTheBudget()
{
    Client client(m_guard->serverPort(), 4096);
    QTcpSocket *socket = serverSide();
    QVERIFY(socket);
    const int small = 4096;
    setsockopt(int(socket->socketDescriptor()), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);

    // Far more than both buffers hold: the kernel takes a part, the socket keeps the rest.
    const QByteArray firstHead = "HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n";
    const QByteArray firstBody = patterned(300000, 0);
    m_guard->writeAnswer(socket, firstHead, firstBody);
    QVERIFY(socket->bytesToWrite() > 0);
    QVERIFY(socket->bytesToWrite() < firstHead.size() + firstBody.size());
    QCOMPARE(m_guard->unsentBytes(), socket->bytesToWrite());

    // The client takes some, without the server's loop turning: the kernel has room again
    // while the socket still holds the rest of the first answer.
    QByteArray received;
    // (Loopback delivers in the sender's call, so it is there to read already.)
    QVERIFY(client.readInto(received));
    QVERIFY(!received.isEmpty());
    QVERIFY(socket->bytesToWrite() > 0);

    // Written while the first still waits: it must queue behind it, not jump ahead.
    const QByteArray secondHead = "HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n";
    const QByteArray secondBody = patterned(3000, 7);
    m_guard->writeAnswer(socket, secondHead, secondBody);

    const QByteArray expected = firstHead + firstBody + secondHead + secondBody;
    QTRY_VERIFY_WITH_TIMEOUT(
        !client.readInto(received) || received.size() >= expected.size(), 20000);
    QCOMPARE(received.size(), expected.size());
    QVERIFY(received == expected);
    QTRY_COMPARE(m_guard->unsentBytes(), 0);
    QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);
}

void TestWriteAnswer::anAnswerToAClosedConnectionIsDroppedQuietly()
{
    auto client = std::make_unique<Client>(m_guard->serverPort(), 0);
    QTcpSocket *socket = serverSide();
    QVERIFY(socket);
    client.reset(); // gone before its answer

    // Before the loop has seen the client go: the first answer may still be taken by the
    // kernel, and the reset it brings back makes the next fail. As Reply does, none is
    // written once the socket knows it is not connected.
    for (int i = 0; i < 3 && socket->state() == QAbstractSocket::ConnectedState; ++i)
        m_guard->writeAnswer(socket, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "hello");
    QTRY_COMPARE(socket->state(), QAbstractSocket::UnconnectedState);
    QTRY_COMPARE(m_guard->unsentBytes(), 0);
}

int main(int argc, char *argv[])
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestWriteAnswer test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_writeanswer.moc"
