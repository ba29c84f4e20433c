#include "httpexchange.h"

#include "connectionguard.h"

#include <utility>

QList<QByteArray> headerValues(const Request &request, QLatin1StringView name)
{
#ifdef CHATAPP_QT_RESPONDER_API
    return request.headers().values(name);
#else
    QList<QByteArray> values;
    for (const auto &[key, value] : request.headers()) {
        if (QLatin1StringView(key).compare(name, Qt::CaseInsensitive) == 0)
            values.append(value);
    }
    return values;
#endif
}

bool hasConnectionOption(const Request &request, QLatin1StringView option)
{
    for (const QByteArray &value : headerValues(request, QLatin1StringView("Connection"))) {
        for (const QByteArray &listed : value.split(',')) {
            if (QLatin1StringView(listed.trimmed()).compare(option, Qt::CaseInsensitive) == 0)
                return true;
        }
    }
    return false;
}

#ifdef CHATAPP_QT_RESPONDER_API

// Destroying a responder calls into the connection's protocol handler, the socket's
// parent. When a server is torn down, the handlers may go before the answers that were
// still pending: then the responder is let go of rather than destroyed.
class HttpExchange::HeldResponder
{
public:
    HeldResponder(QHttpServerResponder &&responder, QObject *handler)
        : m_responder(new QHttpServerResponder(std::move(responder))), m_handler(handler)
    {
    }
    ~HeldResponder()
    {
        if (m_handler)
            delete m_responder;
    }
    HeldResponder(const HeldResponder &) = delete;
    HeldResponder &operator=(const HeldResponder &) = delete;

private:
    QHttpServerResponder *m_responder;
    QPointer<QObject> m_handler;
};

HttpExchange::HttpExchange(const QHttpServerRequest &request, HttpConnection connection,
                           const ConnectionGuard *guard)
    : m_socket(guard ? guard->socketFrom(request.remoteAddress(), request.remotePort()) : nullptr)
    , m_lent(&connection)
{
}

HttpExchange::~HttpExchange() = default;

void HttpExchange::handlerReturned()
{
    QHttpServerResponder *lent = std::exchange(m_lent, nullptr);
    // Answered, and the connection open (or gone): QAbstractHttpServer destroys its
    // responder as soon as this returns and goes on. Destroying it here instead, inside
    // handleRequest(), would leave 6.8 reading the socket twice over.
    const bool closing = m_socket && m_socket->state() == QAbstractSocket::ClosingState;
    if (!lent || !m_socket || (m_done && !closing))
        return;
    m_held = std::make_unique<HeldResponder>(std::move(*lent), m_socket->parent());
    if (m_done)
        release();
}

void HttpExchange::done()
{
    m_done = true;
    if (!m_lent)
        release();
}

void HttpExchange::release()
{
    if (!m_held)
        return;
    // 6.8 deletes a connection that is no longer connected once its responder goes; one
    // still writing its last bytes before it closes would lose them.
    if (m_socket && m_socket->state() == QAbstractSocket::ClosingState) {
        std::shared_ptr<HeldResponder> held(std::move(m_held));
        QObject::connect(m_socket, &QTcpSocket::disconnected, m_socket,
                         [held]() mutable { held.reset(); }, Qt::SingleShotConnection);
        return;
    }
    m_held.reset();
}

#else

HttpExchange::HttpExchange([[maybe_unused]] const QHttpServerRequest &request,
                           HttpConnection connection,
                           [[maybe_unused]] const ConnectionGuard *guard)
    : m_socket(connection)
{
}

HttpExchange::~HttpExchange() = default;

// 6.4 goes on to the connection's next request without waiting for this one's answer.
void HttpExchange::handlerReturned() {}
void HttpExchange::done() {}

#endif
