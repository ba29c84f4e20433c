// The pages for people who open the server in a browser: the home page and the API
// document. Open without a token (docs/security.md): they are how a newcomer finds out
// how to join.
#include "chatserver.h"

#include "acceptlanguage.h"
#include "homepage.h"

#include <QFile>
#include <QFileInfo>

namespace {
// Pages of markup that echo the request: nothing but inline style may run or load.
const HeaderPairs pageHeaders{
    {"Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"},
    {"Vary", "Accept-Language"},
};

// docs/api.md as it was built into the binary (CMakeLists.txt), so that a server always
// describes the API it speaks.
const QByteArray &apiDocumentText()
{
    static const QByteArray text = [] {
        QFile file(QStringLiteral(":/docs/api.md"));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }();
    return text;
}
} // namespace

void ChatServer::homePage(const Request &request, const PathArguments &, const ReplyPtr &reply)
{
    HomePage page;
    page.language = preferredLanguage(request.value("Accept-Language"), HomePage::languages);
    page.address = PublicAddress::of(request.value("Host"), reply->socket());
    page.version = QStringLiteral(CHATAPP_VERSION);
    if (!m_appImagePath.isEmpty())
        page.downloadBytes = QFileInfo(m_appImagePath).size();
    page.passwordNeeded = m_sessions.enabled();
    HeaderPairs headers = pageHeaders;
    headers.append({"Content-Language", page.language.toLatin1()});
    reply->send(200, page.html(), "text/html; charset=utf-8", headers);
}

void ChatServer::apiDocument(const Request &, const PathArguments &, const ReplyPtr &reply)
{
    reply->send(200, apiDocumentText(), "text/markdown; charset=utf-8");
}
