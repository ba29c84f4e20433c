#pragma once

#include <QByteArray>
#include <QObject>
#include <deque>

class QSocketNotifier;
class QTimer;

// Receives what a StreamWriter holds back, so that every unsent byte of the server is
// counted in one budget (ConnectionGuard, --output-budget).
class UnsentOutputCounter
{
public:
    virtual ~UnsentOutputCounter() = default;
    virtual void writerOpened(class StreamWriter *writer) = 0;
    // `unsent` is the writer's whole backlog now.
    virtual void writerUnsentChanged(StreamWriter *writer, qint64 unsent) = 0;
    virtual void writerClosed(StreamWriter *writer) = 0;
};

// One event stream's connection once its response has started: the descriptor, taken
// from QTcpSocket, written with send()/sendmsg() straight from the bytes the room built
// once for all its readers. QTcpSocket would copy every frame into a ring buffer of its
// own per reader and toggle a notifier and emit bytesWritten around each write.
//
// A reader that keeps up costs one system call per write and no allocation. One that
// cannot take everything keeps references to the shared frames and how far into the
// first it got: a position, not a copy. Its descriptor is watched for writability only
// while something waits, and always for the end of the connection (EOF or an error),
// which closes it at once. The descriptor is closed exactly once, by close() or abort()
// or the destructor, whichever comes first.
class StreamWriter : public QObject
{
    Q_OBJECT

public:
    // Takes `descriptor` (a connected, non-blocking stream socket).
    StreamWriter(int descriptor, UnsentOutputCounter *counter, QObject *parent = nullptr);
    ~StreamWriter() override;

    bool isOpen() const { return m_descriptor >= 0; }
    int descriptor() const { return m_descriptor; }
    qint64 unsentBytes() const { return m_unsent; }
    // Since output began to wait, or last went into the kernel: a reader that takes
    // nothing for this long is gone. Meaningful only while output waits.
    qint64 msSinceProgress() const;

    // Queues `bytes` behind what waits, sharing them (QByteArray's implicit sharing).
    // False when the connection is closed.
    bool write(const QByteArray &bytes);
    // The response is complete: the connection closes once what waits is written, the
    // reader is gone, or `lingerMs` passed.
    void finish(int lingerMs = 5000);
    // Closes now; what waits is dropped.
    void abort();

signals:
    // The connection is closed (the reader went away, an error, abort(), or a finished
    // response got out). Emitted once.
    void closed();

private:
    // Writes as much of what waits as the kernel takes. False when the connection broke.
    bool flushPending();
    void readable();
    void writable();
    void setUnsent(qint64 unsent);
    void closeDescriptor();

    int m_descriptor;
    UnsentOutputCounter *m_counter;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QTimer *m_lingerTimer = nullptr;
    // Shared frames still to write; the first from m_offset on.
    std::deque<QByteArray> m_pending;
    qsizetype m_offset = 0;
    qint64 m_unsent = 0;
    qint64 m_lastProgressMs = 0;
    bool m_finishing = false;
};
