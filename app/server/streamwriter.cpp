#include "streamwriter.h"

#include <QSocketNotifier>
#include <QTimer>

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace {
// Enough pieces for one sendmsg() to fill a kernel buffer of small frames; a backlog
// longer than this is written over several calls of one pass.
constexpr int piecesPerCall = 64;
// Input a reader sends on a stream means nothing; it is read only to see the end.
constexpr int discardReadsPerPass = 16;

qint64 nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

bool wouldBlock(int error)
{
    return error == EAGAIN || error == EWOULDBLOCK;
}
} // namespace

StreamWriter::StreamWriter(int descriptor, UnsentOutputCounter *counter, QObject *parent)
    : QObject(parent), m_descriptor(descriptor), m_counter(counter), m_lastProgressMs(nowMs())
{
    m_readNotifier = new QSocketNotifier(descriptor, QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &StreamWriter::readable);
    m_writeNotifier = new QSocketNotifier(descriptor, QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &StreamWriter::writable);
    if (m_counter)
        m_counter->writerOpened(this);
}

StreamWriter::~StreamWriter()
{
    closeDescriptor();
}

qint64 StreamWriter::msSinceProgress() const
{
    return nowMs() - m_lastProgressMs;
}

bool StreamWriter::write(const QByteArray &bytes)
{
    if (!isOpen() || m_finishing)
        return false;
    if (bytes.isEmpty())
        return true;
    if (m_pending.empty()) {
        // The common case: the kernel takes it all, and nothing is kept.
        ssize_t sent;
        do {
            sent = ::send(m_descriptor, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL);
        } while (sent < 0 && errno == EINTR);
        if (sent < 0 && !wouldBlock(errno)) {
            abort();
            return false;
        }
        if (sent == bytes.size())
            return true;
        // Only a writer with output waiting is judged on its progress: the clock is read
        // from here on, not for every frame of a reader that keeps up.
        m_lastProgressMs = nowMs();
        m_pending.push_back(bytes);
        m_offset = sent > 0 ? sent : 0;
    } else {
        m_pending.push_back(bytes);
    }
    m_writeNotifier->setEnabled(true);
    setUnsent(m_unsent + bytes.size() - (m_pending.size() == 1 ? m_offset : 0));
    return isOpen(); // the budget may have cut this reader
}

bool StreamWriter::flushPending()
{
    while (!m_pending.empty()) {
        iovec pieces[piecesPerCall];
        int count = 0;
        size_t offered = 0;
        for (auto it = m_pending.begin(); it != m_pending.end() && count < piecesPerCall; ++it, ++count) {
            const qsizetype skip = count == 0 ? m_offset : 0;
            pieces[count].iov_base = const_cast<char *>(it->constData() + skip);
            pieces[count].iov_len = size_t(it->size() - skip);
            offered += pieces[count].iov_len;
        }
        msghdr message{};
        message.msg_iov = pieces;
        message.msg_iovlen = size_t(count);
        const ssize_t sent = ::sendmsg(m_descriptor, &message, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            return wouldBlock(errno);
        }
        m_lastProgressMs = nowMs();
        qint64 left = sent;
        while (left > 0) {
            const qint64 rest = m_pending.front().size() - m_offset;
            if (left < rest) {
                m_offset += left;
                break;
            }
            left -= rest;
            m_pending.pop_front();
            m_offset = 0;
        }
        setUnsent(m_unsent - sent);
        if (size_t(sent) < offered)
            return true; // the kernel's buffer is full
    }
    return true;
}

void StreamWriter::writable()
{
    if (!flushPending()) {
        abort();
        return;
    }
    if (!isOpen() || !m_pending.empty())
        return;
    m_writeNotifier->setEnabled(false);
    if (m_finishing)
        abort(); // everything is out: the end of a finished response
}

void StreamWriter::readable()
{
    char discard[4096];
    for (int i = 0; i < discardReadsPerPass; ++i) {
        const ssize_t got = ::recv(m_descriptor, discard, sizeof discard, MSG_DONTWAIT);
        if (got > 0)
            continue;
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && wouldBlock(errno))
            return;
        abort(); // EOF or an error: the reader is gone
        return;
    }
}

void StreamWriter::finish(int lingerMs)
{
    if (!isOpen() || m_finishing)
        return;
    m_finishing = true;
    if (m_pending.empty()) {
        abort();
        return;
    }
    m_lingerTimer = new QTimer(this);
    m_lingerTimer->setSingleShot(true);
    connect(m_lingerTimer, &QTimer::timeout, this, &StreamWriter::abort);
    m_lingerTimer->start(lingerMs);
}

void StreamWriter::abort()
{
    if (!isOpen())
        return;
    closeDescriptor();
    emit closed();
}

void StreamWriter::setUnsent(qint64 unsent)
{
    if (unsent == m_unsent)
        return;
    m_unsent = unsent;
    if (m_counter)
        m_counter->writerUnsentChanged(this, unsent);
}

void StreamWriter::closeDescriptor()
{
    if (m_descriptor < 0)
        return;
    // Out of the event loop before the number can be reused by another connection.
    for (QSocketNotifier *notifier : {m_readNotifier, m_writeNotifier}) {
        notifier->setEnabled(false);
        notifier->deleteLater();
    }
    m_readNotifier = m_writeNotifier = nullptr;
    if (m_lingerTimer)
        m_lingerTimer->stop();
    const int descriptor = m_descriptor;
    m_descriptor = -1;
    m_pending.clear();
    m_offset = 0;
    m_unsent = 0;
    if (m_counter)
        m_counter->writerClosed(this);
    ::close(descriptor);
}
