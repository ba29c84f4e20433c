// The framework's ceiling: the least a QHttpServer 6.4 route can do, a fixed 200 for
// GET and an echo for POST. Benchmarked under the same load as `chatapp --serve`, it
// shows what fraction of what the framework allows our real send path reaches.

#include <QCoreApplication>
#include <QHostAddress>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QTcpServer>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = app.arguments();
    const quint16 port = arguments.size() > 1 ? arguments.at(1).toUShort() : 0;

    QHttpServer server;
    server.route(QStringLiteral("/"), QHttpServerRequest::Method::Get,
                 [] { return QHttpServerResponse(QByteArrayLiteral("text/plain"), QByteArrayLiteral("ok")); });
    server.route(QStringLiteral("/echo"), QHttpServerRequest::Method::Post,
                 [](const QHttpServerRequest &request) {
        return QHttpServerResponse(QByteArrayLiteral("application/json"), request.body(),
                                   QHttpServerResponder::StatusCode::Created);
    });
    // Bound to a QTcpServer of our own, as ChatApp is: QHttpServer::listen() is gone in 6.8.
    auto *tcpServer = new QTcpServer(&server);
    if (!tcpServer->listen(QHostAddress::LocalHost, port)) {
        std::fprintf(stderr, "ceiling: cannot listen on 127.0.0.1:%u\n", port);
        return 1;
    }
    server.bind(tcpServer);
    const quint16 listening = tcpServer->serverPort();
    std::printf("ceiling: listening on http://127.0.0.1:%u\n", listening);
    std::fflush(stdout);
    return app.exec();
}
