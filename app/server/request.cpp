#include "request.h"

#include "httpexchange.h"

namespace {
QList<QByteArray> headerNames(const Request::Headers &headers)
{
    QList<QByteArray> names;
#ifdef CHATAPP_QT_RESPONDER_API
    for (qsizetype i = 0; i < headers.size(); ++i)
        names.append(QByteArray(headers.nameAt(i).data(), headers.nameAt(i).size()));
#else
    for (const auto &header : headers)
        names.append(header.first);
#endif
    return names;
}
} // namespace

Request Request::copy() const
{
    if (!m_borrowed)
        return *this;
    auto owned = std::make_shared<Owned>();
    owned->headers = m_borrowed->headers();
    // Qt's own answer for every name the request has, so that a copy answers as the
    // original did, duplicates included; a name it does not have is empty either way.
    for (const QByteArray &name : headerNames(owned->headers))
        owned->values.insert(name.toLower(), m_borrowed->value(name));
    owned->url = m_borrowed->url();
    owned->query = m_borrowed->query();
    owned->method = m_borrowed->method();
    owned->body = m_borrowed->body();
    owned->remoteAddress = m_borrowed->remoteAddress();
    Request request;
    request.m_owned = std::move(owned);
    return request;
}

QByteArray Request::value(const QByteArray &key) const
{
    if (m_borrowed)
        return m_borrowed->value(key);
    return m_owned->values.value(key.toLower());
}
