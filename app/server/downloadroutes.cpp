// GET and HEAD /download/ChatApp-x86_64.AppImage: the AppImage this server runs from,
// so that a class gets the window from the server it is about to join. Open without a
// token (docs/security.md): the binary is no secret, and a newcomer has no token yet.
#include "chatserver.h"

#include "entitytag.h"
#include "filestreamer.h"

#include <QFile>
#include <cstdio>

namespace {
ApiError notFromAnAppImage()
{
    return {404, QStringLiteral("download_unavailable"),
            QStringLiteral("This server is not running from an AppImage, so it has none to offer; "
                           "see ChatApp's README for downloads.")};
}

ApiError appImageUnreadable()
{
    return {404, QStringLiteral("download_unavailable"),
            QStringLiteral("The AppImage this server started from can no longer be read.")};
}
} // namespace

void ChatServer::downloadAppImage(const Request &request, const PathArguments &,
                                  const ReplyPtr &reply)
{
    if (m_appImagePath.isEmpty()) {
        reply->sendError(notFromAnAppImage());
        return;
    }
    // Opened per download, and its size and time read from the open file: a download
    // started before the AppImage is replaced keeps sending the file its head described.
    auto file = std::make_unique<QFile>(m_appImagePath);
    if (!file->open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
        std::fprintf(stderr, "chatapp: cannot open %s for a download: %s\n",
                     qPrintable(m_appImagePath), qPrintable(file->errorString()));
        reply->sendError(appImageUnreadable());
        return;
    }
    const qint64 size = file->size();
    const QByteArray tag = EntityTag::ofFile(size, file->fileTime(QFileDevice::FileModificationTime));
    // Reply writes a length of its own only for a body it holds whole, so these answers
    // are streams that end at once; the connection closes after each, and says so.
    reply->closeConnection();
    HeaderPairs headers{{"ETag", tag}, {"Cache-Control", "no-cache"}};
    if (EntityTag::noneMatchHits(request.value("If-None-Match"), tag)) {
        reply->startStream(304, "application/octet-stream", headers);
        reply->endStream();
        return;
    }
    headers.append({{"Content-Length", QByteArray::number(size)},
                    {"Content-Disposition", R"(attachment; filename="ChatApp-x86_64.AppImage")"},
                    {"Accept-Ranges", "none"}});
    reply->startStream(200, "application/octet-stream", headers);
    if (request.method() == QHttpServerRequest::Method::Head || size == 0) {
        reply->endStream();
        return;
    }
    FileStreamer::start(std::move(file), size, reply);
}
