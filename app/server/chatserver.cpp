#include "chatserver.h"

#include "streamwriter.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>

namespace {
using Method = QHttpServerRequest::Method;

constexpr int closeConnectionsDeadlineMs = 5000;

// What QHttpServer takes for a WebSocket handshake (RFC 6455, 4.1), as it tests it.
bool asksForWebSocket(const Request &request)
{
    bool connectionUpgrade = false;
    for (const QByteArray &value : headerValues(request, QLatin1StringView("Connection")))
        connectionUpgrade = connectionUpgrade || value.toLower().contains("upgrade");
    const QList<QByteArray> upgrades = headerValues(request, QLatin1StringView("Upgrade"));
    return connectionUpgrade && !upgrades.isEmpty()
        && upgrades.first().compare("websocket", Qt::CaseInsensitive) == 0;
}

// Named after the first problem, in the order reads, writes, rooms; telling all of them.
ApiError healthError(const StoreHealth &health)
{
    QList<ApiError> problems;
    if (!health.readProblem.isEmpty())
        problems.append(Errors::storeUnreadable(health.readProblem));
    if (!health.writeProblem.isEmpty())
        problems.append(Errors::storeUnwritable(health.writeProblem));
    if (!health.inconsistentRooms.isEmpty())
        problems.append(Errors::roomsInconsistent(health.inconsistentRooms));
    ApiError error = problems.first();
    for (qsizetype i = 1; i < problems.size(); ++i)
        error.message += u' ' + problems[i].message;
    return error;
}
} // namespace

void ChatServer::RouteTable::add(const char *pattern, Router::Method method, Handler handler,
                                 Access needs)
{
    router.add(pattern, method);
    handlers.append(handler);
    access.append(needs);
}

// The whole API, top to bottom, as docs/api.md lists it.
const ChatServer::RouteTable &ChatServer::routes()
{
    static const RouteTable table = [] {
        RouteTable t;
        t.add("", Method::Get, &ChatServer::homePage, Access::Open);
        t.add("docs/api.md", Method::Get, &ChatServer::apiDocument, Access::Open);
        t.add("download/ChatApp-x86_64.AppImage", Method::Get, &ChatServer::downloadAppImage, Access::Open);
        t.add("healthz", Method::Get, &ChatServer::health, Access::Open);
        t.add("metrics", Method::Get, &ChatServer::metrics);
        t.add("api/v1/sessions", Method::Post, &ChatServer::createSession, Access::Open);
        t.add("api/v1/sessions/current", Method::Delete, &ChatServer::deleteSession);
        t.add("api/v1/rooms", Method::Get, &ChatServer::listRooms);
        t.add("api/v1/rooms/{room}", Method::Get, &ChatServer::getRoom);
        t.add("api/v1/rooms/{room}", Method::Put, &ChatServer::putRoom);
        t.add("api/v1/rooms/{room}/members", Method::Get, &ChatServer::listMembers);
        t.add("api/v1/rooms/{room}/members/{name}", Method::Delete, &ChatServer::leaveRoom);
        t.add("api/v1/rooms/{room}/messages", Method::Get, &ChatServer::getMessages);
        t.add("api/v1/rooms/{room}/messages", Method::Post, &ChatServer::postMessage);
        t.add("api/v1/rooms/{room}/messages/{id}", Method::Get, &ChatServer::getMessage);
        t.add("api/v1/rooms/{room}/messages/{id}", Method::Patch, &ChatServer::editMessage);
        t.add("api/v1/rooms/{room}/messages/{id}", Method::Delete, &ChatServer::deleteMessage);
        t.add("api/v1/rooms/{room}/messages/{id}/reactions", Method::Post, &ChatServer::addReaction);
        t.add("api/v1/rooms/{room}/messages/{id}/reactions", Method::Delete, &ChatServer::removeReaction);
        t.add("api/v1/rooms/{room}/events", Method::Get, &ChatServer::streamEvents);
        t.add("api/v1/rooms/{room}/typing", Method::Post, &ChatServer::postTyping);
        t.add("api/v1/search", Method::Get, &ChatServer::search);
        return t;
    }();
    return table;
}

ChatServer::ChatServer(Storage &storage, bool accessLog, const ServerLimits &limits,
                       const QString &password, const QStringList &allowedHosts,
                       const TrustedProxies &trustedProxies, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_storage(storage)
    , m_accessLog(accessLog)
    , m_hub(storage, m_metrics)
    , m_limits(limits)
    , m_sendLimiter(limits.sendsPerSecond, limits.sendBurst)
    , m_sessions(password, limits.wrongPasswordsPerMinute)
    , m_originPolicy(OriginPolicy::machineHostNames() + allowedHosts)
    , m_trustedProxies(trustedProxies)
{
    m_hub.loadRooms(storage.rooms());
    // Other nodes on the same store: what they store reaches this node's readers.
    storage.followHeads(&m_hub, [hub = &m_hub](const QList<RoomRecord> &heads) {
        for (const RoomRecord &head : heads)
            hub->headMoved(head.name, head.lastId);
    });
    if (m_sessions.enabled())
        startSessions();
}

ChatServer::~ChatServer()
{
    // Streams and held polls refer to the hub and the metrics: end them while both live.
    m_hub.releaseAll();
}

QHostAddress ChatServer::clientAddress(const QHttpServerRequest &request) const
{
    if (m_trustedProxies.isEmpty())
        return request.remoteAddress();
    return m_trustedProxies.clientAddress(request.remoteAddress(),
                                          headerValues(request, QLatin1StringView("X-Forwarded-For")));
}

ReplyPtr ChatServer::makeReply(const QHttpServerRequest &request, HttpConnection connection)
{
    return std::make_shared<Reply>(request, connection, m_guard, clientAddress(request),
                                   Router::methodName(request.method()),
                                   request.url().path(QUrl::FullyEncoded), m_accessLog, m_metrics);
}

std::optional<ApiError> ChatServer::ambiguousFraming(const Request &request)
{
    const QList<QByteArray> lengths = headerValues(request, QLatin1StringView("Content-Length"));
    const QList<QByteArray> codings = headerValues(request, QLatin1StringView("Transfer-Encoding"));
    if (lengths.size() > 1)
        return Errors::invalidHeader(QStringLiteral("Content-Length"), QStringLiteral("is given more than once"));
    if (!codings.isEmpty() && !lengths.isEmpty())
        return Errors::invalidHeader(QStringLiteral("Transfer-Encoding"),
                                     QStringLiteral("cannot come with a Content-Length"));
    // Qt 6.4's http_parser reads "+16" as 16 and skips what it does not understand,
    // where a proxy in front may read another length or refuse: only 1*DIGIT
    // (RFC 9112, 6.3) leaves one reading.
    if (lengths.size() == 1) {
        const QByteArray length = lengths.first().trimmed();
        const bool digits = !length.isEmpty()
            && std::all_of(length.begin(), length.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits)
            return Errors::invalidHeader(QStringLiteral("Content-Length"),
                                         QStringLiteral("must be a number of bytes and nothing else"));
    }
    // http_parser takes any value that mentions chunked, and a second header, as chunked;
    // a proxy may see "xchunked", "gzip, chunked" or chunked twice as the end of the body
    // instead. We decode no coding but chunked, once: anything else is refused.
    if (codings.size() > 1 || (codings.size() == 1 && codings.first().trimmed().toLower() != "chunked"))
        return Errors::invalidHeader(QStringLiteral("Transfer-Encoding"),
                                     QStringLiteral("must be exactly chunked, once"));
    return std::nullopt;
}

quint16 ChatServer::listenGuarded(const QHostAddress &address, quint16 port,
                                  std::optional<QSslConfiguration> tls)
{
    m_guard = new ConnectionGuard(m_limits, std::move(tls), this);
    if (!m_guard->listenAndAccept(address, port)) {
        delete m_guard;
        m_guard = nullptr;
        return 0;
    }
    bind(m_guard);
    return m_guard->serverPort();
}

bool ChatServer::handleRequest(const QHttpServerRequest &request, HttpConnection connection)
{
    const ReplyPtr reply = makeReply(request, connection);
    route(Request(request), reply);
    reply->handlerReturned();
    return true;
}

void ChatServer::route(const Request &request, const ReplyPtr &reply)
{
    QTcpSocket *socket = reply->socket();
    const QByteArray version = m_guard && socket ? m_guard->requestArrived(socket) : QByteArray();
    // RFC 9112, 9.3: an HTTP/1.0 client keeps the connection only when it says so.
    if (version == "HTTP/1.0" && !hasConnectionOption(request, QLatin1StringView("keep-alive")))
        reply->closeConnection();
    if (const auto framing = ambiguousFraming(request)) {
        // Two ways to read where the body ends is how requests are smuggled past a
        // proxy (RFC 9112, 6.3): refuse it, and read nothing more from this connection.
        reply->closeConnection();
        reply->sendError(*framing);
        return;
    }
    // QHttpServer handles a WebSocket handshake apart, with nobody to take it here: 6.4
    // answers it through this handler and then again through missingHandler(), 6.8 only
    // through missingHandler(), and both log a warning for each. One answer, at once,
    // and the connection closed: there is no WebSocket to switch to.
    if (asksForWebSocket(request)) {
        reply->closeConnection();
        reply->sendError(Errors::invalidHeader(
            QStringLiteral("Upgrade"),
            QStringLiteral("asks for WebSocket, which this server does not speak: its API is plain HTTP "
                           "(/docs/api.md)")));
        return;
    }
    // Qt 6.4's parser ends a chunked body two bytes into a trailer section (RFC 9112,
    // 7.1.2) and would read the rest as the next request: a chunked request is answered
    // and its connection closed, so nothing after it is ever taken for a request.
    if (!headerValues(request, QLatin1StringView("Transfer-Encoding")).isEmpty())
        reply->closeConnection();
    // RFC 9112, 3.2: without a Host, the Host allow-list below would have nothing to check.
    if (version == "HTTP/1.1" && headerValues(request, QLatin1StringView("Host")).isEmpty()) {
        reply->sendError(Errors::invalidHeader(QStringLiteral("Host"), QStringLiteral("is required in HTTP/1.1")));
        return;
    }
    // Before any route, open ones included: a page that reached this server through a
    // rebound DNS name must not read even the home page, nor another site's page write.
    if (const auto refusal = m_originPolicy.refusal(
            request.method(), headerValues(request, QLatin1StringView("Host")),
            headerValues(request, QLatin1StringView("Origin")),
            headerValues(request, QLatin1StringView("Sec-Fetch-Site")))) {
        reply->sendError(*refusal);
        return;
    }
    const RouteTable &table = routes();
    const Router::Match match = table.router.match(request.method(), reply->path());
    const bool open = match.route >= 0 && table.access[match.route] == Access::Open;
    if (!open) {
        QByteArray unknownSession;
        switch (admission(request, reply, &unknownSession)) {
        case Admission::Refused:
            return;
        case Admission::AskStore:
            // QHttpServer's request is not valid past this call: the handler gets a copy.
            admitOnceKnown(unknownSession, {match, request.copy(), reply});
            return;
        case Admission::Admitted:
            break;
        }
    }
    dispatch(match, request, reply);
}

void ChatServer::dispatch(const Router::Match &match, const Request &request, const ReplyPtr &reply)
{
    if (match.route >= 0 && mayBeAnotherNodesRoom(match.arguments.room)) {
        // QHttpServer's request is not valid past this call: the handler gets a copy.
        findRoomThenHandle(match, request.copy(), reply);
        return;
    }
    handle(match, request, reply);
}

void ChatServer::handle(const Router::Match &match, const Request &request, const ReplyPtr &reply)
{
    const RouteTable &table = routes();
    if (match.route >= 0)
        (this->*table.handlers[match.route])(request, match.arguments, reply);
    else if (!match.allowed.isEmpty())
        reply->sendError(Errors::methodNotAllowed(QString::fromLatin1(Router::methodName(request.method())),
                                                  reply->path()),
                         {{"Allow", match.allowed.join(", ")}});
    else
        reply->sendError(Errors::notFound(reply->path()));
}

void ChatServer::missingHandler(const QHttpServerRequest &request, HttpConnection connection)
{
#ifndef CHATAPP_QT_RESPONDER_API
    // 6.4 comes here only after handleRequest() has answered a WebSocket handshake.
    if (asksForWebSocket(Request(request)))
        return;
#endif
    handleRequest(request, connection);
}

void ChatServer::health(const Request &, const PathArguments &, const ReplyPtr &reply)
{
    beginStorageCall();
    m_storage.checkHealth(this, [this, reply](const StoreHealth &health) {
        if (health.healthy())
            reply->sendJson(200, R"({"status":"ok"})");
        else
            reply->sendError(healthError(health), {{"Retry-After", "5"}});
        endStorageCall();
    });
}

void ChatServer::metrics(const Request &, const PathArguments &, const ReplyPtr &reply)
{
    QByteArray text = m_metrics.render(m_storage.commitStats());
    const auto add = [&text](const char *name, const char *type, const char *help, qint64 value) {
        text += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n'
              + name + ' ' + QByteArray::number(value) + '\n';
    };
    if (m_guard) {
        add("chatapp_open_connections", "gauge", "Open client connections.", m_guard->openConnections());
        add("chatapp_connections_refused_total", "counter", "Connections refused at the connection limit.",
            qint64(m_guard->refusedConnections()));
        add("chatapp_request_timeouts_total", "counter", "Requests cut off for arriving too slowly.",
            qint64(m_guard->timedOutRequests()));
        add("chatapp_unsent_bytes", "gauge", "Output written for clients that they have not taken yet.",
            m_guard->unsentBytes());
        add("chatapp_connections_evicted_total", "counter",
            "Connections closed to keep unsent output within --output-budget.",
            qint64(m_guard->evictedConnections()));
    }
    reply->send(200, text, "text/plain; version=0.0.4");
}

void ChatServer::endStorageCall()
{
    --m_storageCallsInFlight;
    if (m_shuttingDown && m_storageCallsInFlight == 0)
        emit drained();
}

void ChatServer::shutDown()
{
    m_shuttingDown = true;
    for (QTcpServer *server : servers())
        server->close();
    m_hub.releaseAll();
    if (m_storageCallsInFlight == 0)
        QMetaObject::invokeMethod(this, &ChatServer::drained, Qt::QueuedConnection);
}

void ChatServer::closeConnections(std::function<void()> done)
{
    auto remaining = std::make_shared<int>(0);
    auto finish = std::make_shared<std::function<void()>>(std::move(done));
    auto finishOnce = [finish] {
        if (*finish) {
            auto call = std::move(*finish);
            *finish = nullptr;
            call();
        }
    };
    // Not only the listening sockets' children: QHttpServer 6.8 reparents each socket it
    // serves to a handler of its own.
    QList<QTcpSocket *> open;
    for (QTcpSocket *socket : findChildren<QTcpSocket *>()) {
        if (socket->state() != QAbstractSocket::UnconnectedState)
            open.append(socket);
    }
    // Streams taken from their sockets write out what waits for their readers too.
    QList<StreamWriter *> writing;
    for (StreamWriter *writer : findChildren<StreamWriter *>()) {
        if (writer->isOpen())
            writing.append(writer);
    }
    // Counted before any is closed: a socket with nothing pending disconnects at once.
    *remaining = int(open.size() + writing.size());
    const auto closedOne = [remaining, finishOnce] {
        if (--*remaining == 0)
            finishOnce();
    };
    for (QTcpSocket *socket : open)
        connect(socket, &QTcpSocket::disconnected, this, closedOne);
    for (StreamWriter *writer : writing)
        connect(writer, &StreamWriter::closed, this, closedOne);
    for (QTcpSocket *socket : open)
        socket->disconnectFromHost(); // writes out what is pending, then closes
    for (StreamWriter *writer : writing)
        writer->finish(closeConnectionsDeadlineMs); // the same, for a stream
    if (*remaining == 0)
        QTimer::singleShot(0, this, finishOnce);
    else
        QTimer::singleShot(closeConnectionsDeadlineMs, this, finishOnce);
}
