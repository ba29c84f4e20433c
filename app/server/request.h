#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QHttpServerRequest>
#include <QtHttpServer/qthttpserverversion.h>
#if QTHTTPSERVER_VERSION >= QT_VERSION_CHECK(6, 8, 0)
#include <QHttpHeaders> // what 6.8's headers() returns; 6.4 returns a list of pairs
#endif
#include <QUrl>
#include <QUrlQuery>
#include <memory>
#include <type_traits>

// A request as the route handlers see it. Usually it borrows QHttpServer's own object,
// which is valid only until handleRequest() returns (QHttpServer reuses or deletes it);
// a handler that must run later, once the store has said whether the request's token is
// a session of another node, gets a copy() instead, which owns what it holds.
class Request
{
public:
    using Method = QHttpServerRequest::Method;
    // A value: Qt 6.4 returns its headers by value, 6.8 by reference to its own.
    using Headers = std::remove_cvref_t<decltype(std::declval<const QHttpServerRequest &>().headers())>;

    explicit Request(const QHttpServerRequest &request)
        : m_borrowed(&request)
    {
    }

    Request copy() const;

    // As QHttpServerRequest answers them, for a borrowed request and a copy alike.
    QByteArray value(const QByteArray &key) const;
    QUrl url() const { return m_borrowed ? m_borrowed->url() : m_owned->url; }
    QUrlQuery query() const { return m_borrowed ? m_borrowed->query() : m_owned->query; }
    Method method() const { return m_borrowed ? m_borrowed->method() : m_owned->method; }
    Headers headers() const { return m_borrowed ? m_borrowed->headers() : m_owned->headers; }
    QByteArray body() const { return m_borrowed ? m_borrowed->body() : m_owned->body; }
    QHostAddress remoteAddress() const { return m_borrowed ? m_borrowed->remoteAddress() : m_owned->remoteAddress; }

private:
    struct Owned
    {
        // Qt's value() for each header name the request has, under its lower-case name.
        QHash<QByteArray, QByteArray> values;
        QUrl url;
        QUrlQuery query;
        Method method = Method::Unknown;
        Headers headers;
        QByteArray body;
        QHostAddress remoteAddress;
    };

    Request() = default;

    const QHttpServerRequest *m_borrowed = nullptr;
    std::shared_ptr<const Owned> m_owned;
};
