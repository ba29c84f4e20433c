#pragma once

#include <QFile>
#include <QObject>
#include <memory>

class Reply;

// Sends the rest of an open file as the body of a reply whose head is written, reading
// the next chunk only when the socket has passed on the last: a downloader that reads
// slowly, or not at all, holds about two chunks of the server's memory, not the file.
// It lives as long as the connection: when the client goes away mid-way the file is
// closed and the reply released at once.
class FileStreamer : public QObject
{
    Q_OBJECT

public:
    // Streams `length` bytes of `file` from its current position through `reply`
    // (started with startStream), then ends the reply.
    static void start(std::unique_ptr<QFile> file, qint64 length, std::shared_ptr<Reply> reply);

private:
    FileStreamer(std::unique_ptr<QFile> file, qint64 length, std::shared_ptr<Reply> reply,
                 QObject *parent);
    // Tops up the socket's buffer to a chunk's worth; called again as it drains.
    void pump();
    // The connection is being closed by someone else before the file was all sent.
    void cutShort();
    void finish();

    std::unique_ptr<QFile> m_file;
    qint64 m_remaining;
    std::shared_ptr<Reply> m_reply;
    bool m_pumping = false;
    bool m_finished = false;
};
