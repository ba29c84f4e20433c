// StreamWriter writes an event stream straight to its descriptor once QTcpSocket has let
// it go. These drive it over a local socket pair with a small send buffer, so that the
// kernel refuses part of a write as a slow reader's would, on the server's own loop.

#include "server/epolldispatcher.h"
#include "server/streamwriter.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTest>

#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

namespace {
// Both ends of a local stream connection. The writer takes ends[0]; the test reads ends[1].
struct SocketPair
{
    int ends[2] = {-1, -1};
    SocketPair()
    {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, ends) != 0)
            qFatal("socketpair: %s", strerror(errno));
        // As small as the kernel allows: a few frames fill it.
        const int small = 4096;
        setsockopt(ends[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
        setsockopt(ends[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    }
    ~SocketPair()
    {
        // ends[0] is the writer's to close once it has taken it.
        if (ends[1] >= 0)
            close(ends[1]);
    }
    int takeWriterEnd() { return std::exchange(ends[0], -1); }
    void closeReader() { close(std::exchange(ends[1], -1)); }
    // All the reader can read now; sets `eof` when the writer has closed.
    QByteArray drain(bool *eof = nullptr) const
    {
        QByteArray got;
        char buffer[65536];
        for (;;) {
            const ssize_t n = read(ends[1], buffer, sizeof buffer);
            if (n > 0) {
                got.append(buffer, n);
                continue;
            }
            if (n == 0 && eof)
                *eof = true;
            return got;
        }
    }
};

// Reads the reader's end as soon as there is something, as a client keeping up would.
struct Reader
{
    explicit Reader(const SocketPair &pair)
        : notifier(pair.ends[1], QSocketNotifier::Read)
    {
        QObject::connect(&notifier, &QSocketNotifier::activated, &notifier, [this, &pair] {
            received += pair.drain(&eof);
            if (eof)
                notifier.setEnabled(false);
        });
    }
    QSocketNotifier notifier;
    QByteArray received;
    bool eof = false;
};

bool isOpenDescriptor(int descriptor)
{
    return fcntl(descriptor, F_GETFD) != -1;
}

// The budget's view of the writer: what it was told, and when.
struct Counter : UnsentOutputCounter
{
    int opened = 0;
    int closed = 0;
    int changes = 0;
    qint64 unsent = 0;
    qint64 cutAbove = -1; // like the output budget: cut the writer past this
    void writerOpened(StreamWriter *) override { ++opened; }
    void writerUnsentChanged(StreamWriter *writer, qint64 now) override
    {
        ++changes;
        unsent = now;
        if (cutAbove >= 0 && now > cutAbove)
            writer->abort();
    }
    void writerClosed(StreamWriter *) override
    {
        ++closed;
        unsent = 0;
    }
};

QByteArray frame(int id, int size = 1000)
{
    QByteArray bytes = "id: " + QByteArray::number(id) + "\ndata: ";
    bytes += QByteArray(size, char('a' + id % 26));
    return bytes + "\n\n";
}

// The ids of the whole frames in `bytes`, in order; a cut-off frame at the end is left out.
QList<int> wholeFrameIds(const QByteArray &bytes)
{
    QList<int> ids;
    qsizetype at = 0;
    for (;;) {
        const qsizetype end = bytes.indexOf("\n\n", at);
        if (end < 0)
            return ids;
        const QByteArray one = bytes.mid(at, end - at);
        const qsizetype newline = one.indexOf('\n');
        if (!one.startsWith("id: ") || newline < 0)
            return ids << -1;
        const int id = one.mid(4, newline - 4).toInt();
        if (one != frame(id).chopped(2))
            return ids << -1; // damaged: bytes lost or repeated inside
        ids << id;
        at = end + 2;
    }
}
} // namespace

class TestStreamWriter : public QObject
{
    Q_OBJECT

private slots:
    void aReaderThatKeepsUpCostsNoBacklog();
    void aPartialWriteKeepsItsPlaceAndTheRestGoesWhenWritable();
    void waitingFramesAreSharedNotCopied();
    void aReaderLeavingWhileOutputWaitsClosesTheStreamOnce();
    void aReaderLeavingAnIdleStreamIsSeen();
    void theDescriptorIsClosedExactlyOnce();
    void finishWritesWhatWaitsThenCloses();
    void finishGivesUpOnAReaderThatTakesNothing();
    void theBudgetMayCutAWriterInTheMiddleOfAWrite();
    void aReaderCutAtItsBoundResumesWithNothingMissing();
};

void TestStreamWriter::aReaderThatKeepsUpCostsNoBacklog()
{
    SocketPair pair;
    Counter counter;
    StreamWriter writer(pair.takeWriterEnd(), &counter);
    QCOMPARE(counter.opened, 1);
    const QByteArray expected = frame(1, 100) + frame(2, 100) + frame(3, 100);
    QVERIFY(writer.write(frame(1, 100)));
    QVERIFY(writer.write(frame(2, 100)));
    QVERIFY(writer.write(frame(3, 100)));
    QCOMPARE(writer.unsentBytes(), 0);
    QCOMPARE(counter.changes, 0);
    QCOMPARE(pair.drain(), expected);
}

void TestStreamWriter::aPartialWriteKeepsItsPlaceAndTheRestGoesWhenWritable()
{
    SocketPair pair;
    Counter counter;
    StreamWriter writer(pair.takeWriterEnd(), &counter);
    QByteArray expected;
    for (int id = 1; id <= 200; ++id) {
        const QByteArray one = frame(id, 10000);
        QVERIFY(writer.write(one));
        expected += one;
    }
    // The kernel took part (EAGAIN on the rest): the rest waits, counted.
    QVERIFY(writer.unsentBytes() > 0);
    QVERIFY(writer.unsentBytes() < expected.size());
    QCOMPARE(counter.unsent, writer.unsentBytes());

    Reader reader(pair);
    QTRY_VERIFY_WITH_TIMEOUT(reader.received.size() >= expected.size(), 10000);
    QCOMPARE(reader.received.size(), expected.size());
    QVERIFY(reader.received == expected);
    QTRY_COMPARE_WITH_TIMEOUT(writer.unsentBytes(), 0, 5000);
    QCOMPARE(counter.unsent, 0);
    QVERIFY(writer.isOpen());
}

void TestStreamWriter::waitingFramesAreSharedNotCopied()
{
    SocketPair pair;
    StreamWriter writer(pair.takeWriterEnd(), nullptr);
    const QByteArray filler(256 * 1024, 'x');
    writer.write(filler); // fills the kernel's buffer; the rest waits
    QVERIFY(writer.unsentBytes() > 0);
    const QByteArray shared = frame(1, 5000);
    QVERIFY(shared.isDetached());
    writer.write(shared);
    // The writer holds a reference to the room's bytes, not bytes of its own.
    QVERIFY(!shared.isDetached());
    QVERIFY(!filler.isDetached());
}

void TestStreamWriter::aReaderLeavingWhileOutputWaitsClosesTheStreamOnce()
{
    SocketPair pair;
    Counter counter;
    const int descriptor = pair.ends[0];
    StreamWriter writer(pair.takeWriterEnd(), &counter);
    QSignalSpy closed(&writer, &StreamWriter::closed);
    writer.write(QByteArray(256 * 1024, 'x'));
    QVERIFY(writer.unsentBytes() > 0);
    pair.closeReader();
    QVERIFY(closed.wait(5000));
    QVERIFY(!writer.isOpen());
    QCOMPARE(writer.unsentBytes(), 0);
    QCOMPARE(counter.closed, 1);
    QCOMPARE(counter.unsent, 0);
    QVERIFY(!isOpenDescriptor(descriptor));
    QVERIFY(!writer.write("more"));
    QCOMPARE(closed.size(), 1);
}

void TestStreamWriter::aReaderLeavingAnIdleStreamIsSeen()
{
    SocketPair pair;
    StreamWriter writer(pair.takeWriterEnd(), nullptr);
    QSignalSpy closed(&writer, &StreamWriter::closed);
    QVERIFY(writer.write(frame(1)));
    pair.drain();
    pair.closeReader();
    QVERIFY(closed.wait(5000));
    QVERIFY(!writer.isOpen());
}

void TestStreamWriter::theDescriptorIsClosedExactlyOnce()
{
    SocketPair first;
    const int descriptor = first.ends[0];
    auto writer = std::make_unique<StreamWriter>(first.takeWriterEnd(), nullptr);
    QSignalSpy closed(writer.get(), &StreamWriter::closed);
    writer->write(QByteArray(256 * 1024, 'x'));
    writer->abort();
    QCOMPARE(closed.size(), 1);
    QVERIFY(!isOpenDescriptor(descriptor));

    // The number goes to the next descriptor opened; closing it again would cut that one.
    SocketPair second;
    QVERIFY(second.ends[0] == descriptor || second.ends[1] == descriptor);
    writer->abort();
    writer->finish();
    QVERIFY(!writer->write("late"));
    writer.reset();
    QCoreApplication::processEvents(); // the notifiers' deferred deletion
    QVERIFY(isOpenDescriptor(descriptor));
    QCOMPARE(closed.size(), 1);
    if (second.ends[0] >= 0)
        close(second.ends[0]);
}

void TestStreamWriter::finishWritesWhatWaitsThenCloses()
{
    SocketPair pair;
    Counter counter;
    StreamWriter writer(pair.takeWriterEnd(), &counter);
    QSignalSpy closed(&writer, &StreamWriter::closed);
    QByteArray expected;
    for (int id = 1; id <= 50; ++id) {
        writer.write(frame(id, 10000));
        expected += frame(id, 10000);
    }
    QVERIFY(writer.unsentBytes() > 0);
    writer.finish();
    QVERIFY(writer.isOpen()); // not before what waits is out
    Reader reader(pair);
    QTRY_VERIFY_WITH_TIMEOUT(reader.eof, 10000);
    QVERIFY(reader.received == expected);
    QCOMPARE(closed.size(), 1);
    QCOMPARE(counter.closed, 1);
}

void TestStreamWriter::finishGivesUpOnAReaderThatTakesNothing()
{
    SocketPair pair;
    StreamWriter writer(pair.takeWriterEnd(), nullptr);
    QSignalSpy closed(&writer, &StreamWriter::closed);
    writer.write(QByteArray(256 * 1024, 'x'));
    writer.finish(50);
    QVERIFY(closed.wait(5000));
    QVERIFY(!writer.isOpen());
}

void TestStreamWriter::theBudgetMayCutAWriterInTheMiddleOfAWrite()
{
    SocketPair pair;
    Counter counter;
    counter.cutAbove = 64 * 1024;
    StreamWriter writer(pair.takeWriterEnd(), &counter);
    QSignalSpy closed(&writer, &StreamWriter::closed);
    bool accepted = true;
    for (int id = 1; id <= 100 && accepted; ++id)
        accepted = writer.write(frame(id, 10000));
    QVERIFY(!accepted);
    QCOMPARE(closed.size(), 1);
    QCOMPARE(counter.closed, 1);
    QCOMPARE(counter.unsent, 0);
    QVERIFY(!writer.isOpen());
}

void TestStreamWriter::aReaderCutAtItsBoundResumesWithNothingMissing()
{
    // What EventStream does with a reader past its backlog bound: cut it; the reader
    // reconnects with the id of the last whole frame it got, and is written from there.
    constexpr int total = 300;
    constexpr qint64 bound = 64 * 1024;
    SocketPair first;
    StreamWriter cut(first.takeWriterEnd(), nullptr);
    int written = 0;
    while (written < total && cut.unsentBytes() <= bound)
        cut.write(frame(++written));
    QVERIFY(written < total); // it did fall behind
    QByteArray received = first.drain();
    cut.abort();
    received += first.drain();
    const QList<int> beforeCut = wholeFrameIds(received);
    QVERIFY(!beforeCut.isEmpty());
    QVERIFY(!beforeCut.contains(-1));

    SocketPair second;
    StreamWriter resumed(second.takeWriterEnd(), nullptr);
    const int lastEventId = beforeCut.last();
    Reader reader(second);
    QByteArray expected;
    for (int id = lastEventId + 1; id <= total; ++id) {
        resumed.write(frame(id));
        expected += frame(id);
    }
    QTRY_VERIFY_WITH_TIMEOUT(reader.received.size() >= expected.size(), 10000);

    QList<int> all = beforeCut + wholeFrameIds(reader.received);
    QCOMPARE(all.size(), total);
    for (int i = 0; i < total; ++i)
        QCOMPARE(all.at(i), i + 1);
}

int main(int argc, char *argv[])
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestStreamWriter test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_streamwriter.moc"
