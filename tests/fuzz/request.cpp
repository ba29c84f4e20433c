#include "request.h"

#include <QByteArrayView>

namespace {
using Method = Router::Method;

// The methods Qt 6.4 tells apart; TRACE and the rest are Unknown.
constexpr Method knownMethods[] = {Method::Get,  Method::Put,     Method::Delete, Method::Post,
                                   Method::Head, Method::Options, Method::Patch,  Method::Connect};

QByteArray takeLine(QByteArrayView &rest)
{
    const qsizetype end = rest.indexOf('\n');
    if (end < 0) {
        const QByteArray line = rest.toByteArray();
        rest = {};
        return line;
    }
    const QByteArray line = rest.first(end).toByteArray();
    rest = rest.sliced(end + 1);
    return line;
}
} // namespace

Router::Method methodFromName(const QByteArray &name)
{
    for (Method method : knownMethods) {
        if (Router::methodName(method) == name)
            return method;
    }
    return Method::Unknown;
}

QUrl requestUrl(const QByteArray &line)
{
    // The target ends at the first space; what follows is the protocol.
    const qsizetype space = line.indexOf(' ');
    QUrl url = QUrl::fromEncoded(space < 0 ? line : line.first(space));
    // From the Host header, which every HTTP/1.1 client sends.
    url.setAuthority(QStringLiteral("127.0.0.1:3550"));
    if (url.scheme().isEmpty())
        url.setScheme(QStringLiteral("http"));
    return url;
}

QUrlQuery requestQuery(const QUrl &url)
{
    return QUrlQuery(url.query());
}

FuzzRequest splitInput(const char *data, size_t size)
{
    QByteArrayView rest(data, qsizetype(size));
    FuzzRequest request;
    request.method = methodFromName(takeLine(rest));
    request.url = requestUrl(takeLine(rest));
    request.contentType = takeLine(rest);
    request.lastEventId = takeLine(rest);
    request.body = rest.toByteArray();
    return request;
}
