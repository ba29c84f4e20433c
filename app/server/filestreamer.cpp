#include "filestreamer.h"

#include "reply.h"

#include <QScopedValueRollback>
#include <QTimer>
#include <QTcpSocket>
#include <cstdio>

namespace {
// Big enough that a fast client is fed with few wake-ups, small enough that a thousand
// stalled downloaders cost the server little more than a hundred megabytes at worst.
constexpr qint64 chunkBytes = 64 * 1024;
} // namespace

void FileStreamer::start(std::unique_ptr<QFile> file, qint64 length, std::shared_ptr<Reply> reply)
{
    QTcpSocket *socket = reply->socket();
    if (!socket || !reply->isConnected()) {
        reply->endStream();
        return;
    }
    // A child of the socket: whatever ends the connection also ends the download.
    auto *streamer = new FileStreamer(std::move(file), length, std::move(reply), socket);
    connect(socket, &QTcpSocket::bytesWritten, streamer, &FileStreamer::pump);
    connect(socket, &QTcpSocket::disconnected, streamer, &QObject::deleteLater);
    connect(socket, &QTcpSocket::stateChanged, streamer, [streamer](QAbstractSocket::SocketState state) {
        if (state == QAbstractSocket::ClosingState)
            streamer->cutShort();
    });
    streamer->pump();
}

FileStreamer::FileStreamer(std::unique_ptr<QFile> file, qint64 length,
                           std::shared_ptr<Reply> reply, QObject *parent)
    : QObject(parent), m_file(std::move(file)), m_remaining(length), m_reply(std::move(reply))
{
}

void FileStreamer::pump()
{
    // Each write is flushed at once, and a flush reports bytesWritten from within it:
    // this loop checks the buffer again after every write, so the nested call can go.
    if (m_pumping || m_finished)
        return;
    const QScopedValueRollback pumping(m_pumping, true);
    QTcpSocket *socket = m_reply->socket();
    while (m_remaining > 0 && m_reply->isConnected() && socket->bytesToWrite() < chunkBytes) {
        const QByteArray chunk = m_file->read(std::min(chunkBytes, m_remaining));
        if (chunk.isEmpty()) {
            // Truncated or unreadable since the head promised its length: the body ends
            // short, and the client, counting against Content-Length, knows it failed.
            std::fprintf(stderr, "chatapp: %s could not be read to its end: %s\n",
                         qPrintable(m_file->fileName()), qPrintable(m_file->errorString()));
            finish();
            return;
        }
        m_remaining -= chunk.size();
        m_reply->writeToStream(chunk);
    }
    if (m_remaining == 0 || !m_reply->isConnected())
        finish();
}

void FileStreamer::cutShort()
{
    if (m_finished)
        return; // our own close after the last byte, which must still go out
    finish();
    // Closed before its end (idle, shutdown), the download is of no use to the client,
    // and a graceful close would wait for it to read its buffer, which may be never.
    // Not from within the state change being reported: the socket is mid-close.
    if (QTcpSocket *socket = m_reply->socket())
        QTimer::singleShot(0, socket, &QAbstractSocket::abort);
}

void FileStreamer::finish()
{
    m_finished = true;
    m_reply->endStream(); // closes the connection once the last bytes are out
    m_file.reset();
    deleteLater();
}
