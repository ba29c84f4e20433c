#include "router.h"

void Router::add(const char *pattern, Method method)
{
    m_routes.append({QString::fromLatin1(pattern).split(u'/', Qt::SkipEmptyParts), method});
}

Router::Match Router::match(Method method, const QString &path) const
{
    Match result;
    if (!path.startsWith(u'/'))
        return result;
    // "/" is the root, a path of no segments; split() would make it one empty segment.
    const QStringList segments = path == u"/" ? QStringList{QString()} : path.split(u'/');
    for (qsizetype index = 0; index < m_routes.size(); ++index) {
        const Route &route = m_routes[index];
        if (segments.size() != route.segments.size() + 1)
            continue;
        Arguments arguments;
        bool matches = true;
        for (qsizetype i = 0; matches && i < route.segments.size(); ++i) {
            const QString &expected = route.segments[i];
            const QString &actual = segments[i + 1];
            if (expected == u"{room}")
                arguments.room = actual;
            else if (expected == u"{id}")
                arguments.id = actual;
            else if (expected == u"{name}")
                arguments.name = actual;
            else
                matches = expected == actual;
        }
        if (!matches)
            continue;
        // HEAD is GET without the body (RFC 9110, 9.3.2), which Reply leaves out.
        if (route.method == method || (method == Method::Head && route.method == Method::Get)) {
            result.route = index;
            result.arguments = std::move(arguments);
            result.allowed.clear();
            return result;
        }
        result.allowed.append(methodName(route.method));
        if (route.method == Method::Get)
            result.allowed.append(methodName(Method::Head));
    }
    return result;
}

QByteArray Router::methodName(Method method)
{
    switch (method) {
    case Method::Get: return "GET";
    case Method::Put: return "PUT";
    case Method::Delete: return "DELETE";
    case Method::Post: return "POST";
    case Method::Head: return "HEAD";
    case Method::Options: return "OPTIONS";
    case Method::Patch: return "PATCH";
    case Method::Connect: return "CONNECT";
    case Method::Trace: return "TRACE";
    default: return "UNKNOWN";
    }
}
