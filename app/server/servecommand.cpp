#include "servecommand.h"

#include "chatserver.h"
#include "clusterpresence.h"
#include "epolldispatcher.h"
#include "openfiles.h"
#include "serveoptions.h"
#include "signalwatcher.h"
#include "tlsconfiguration.h"
#include "storage/postgresstorage.h"
#include "storage/sqlitestorage.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <cstdio>
#include <cstring>

bool isServeInvocation(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--serve") == 0)
            return true;
    }
    return false;
}

int runServeCommand(int argc, char *argv[])
{
    // The sockets are served by our epoll loop (see EpollEventDispatcher for why).
    // CHATAPP_QT_EVENT_LOOP=1 keeps Qt's own, to compare the two in a benchmark.
    if (qEnvironmentVariableIntValue("CHATAPP_QT_EVENT_LOOP") != 1)
        QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    // The storage threads keep Qt's dispatcher; its poll() one rather than GLib's, which
    // removes a socket notifier by walking a list of all of them.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("chatapp"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CHATAPP_VERSION));

    auto options = parseServeOptions(app);
    if (!options)
        return 2;
    // QHttpServer warns on stderr of what clients send it (a WebSocket handshake, a write
    // to a socket already closed), one line each: any client could fill the log, --quiet
    // or not. The server answers those requests itself. QT_LOGGING_RULES still wins.
    QLoggingCategory::setFilterRules(QStringLiteral("qt.httpserver*.warning=false"));
    // Connections past the descriptors the process may open would not be refused with a
    // 503 but left unanswered, so the limit is raised as far as allowed and the
    // connections fitted under it.
    const int openFileLimit = raiseOpenFileLimit();
    const int fittingConnections = connectionsThatFit(openFileLimit);
    if (options->limits.maxConnections > fittingConnections) {
        std::fprintf(stderr,
                     "chatapp: warning: --max-connections %d does not fit in the %d open files "
                     "this process may have (%d are kept for the store, the log and a reserve); "
                     "serving at most %d connections. Raise the limit (LimitNOFILE= in a systemd "
                     "unit, ulimit -n in a shell) to serve more.\n",
                     options->limits.maxConnections, openFileLimit, descriptorsKeptBack,
                     fittingConnections);
        options->limits.maxConnections = fittingConnections;
    }

    std::optional<QSslConfiguration> tls;
    if (!options->tlsCertificate.isEmpty()) {
        QString error;
        tls = loadTlsConfiguration(options->tlsCertificate, options->tlsKey, &error);
        if (!tls) {
            std::fprintf(stderr, "chatapp: cannot serve HTTPS: %s\n", qPrintable(error));
            return 2;
        }
    }

    std::unique_ptr<Storage> store;
    if (options->postgres)
        store = std::make_unique<PostgresStorage>(*options->postgres);
    else
        store = std::make_unique<SqliteStorage>(options->dataDirectory);
    Storage &storage = *store;
    QString error;
    if (!storage.open(&error)) {
        std::fprintf(stderr, "chatapp: cannot open the store in %s: %s\n",
                     qPrintable(options->postgres ? options->postgres->display() : options->dataDirectory),
                     qPrintable(error));
        return 1;
    }

    // Declared before the server, which tells it of streams closing as it ends.
    std::unique_ptr<ClusterPresence> presence;
    if (options->postgres) {
        presence = std::make_unique<ClusterPresence>(*options->postgres, Hub::onlineWindowMs);
        if (!presence->open(&error)) {
            std::fprintf(stderr, "chatapp: cannot open the store in %s: %s\n",
                         qPrintable(options->postgres->display()), qPrintable(error));
            return 1;
        }
    }
    ChatServer server(storage, !options->quiet, options->limits, options->password,
                      options->allowedHosts, options->trustedProxies);
    if (presence)
        server.sharePresence(*presence);
    const quint16 port = server.listenGuarded(options->address, options->port, tls);
    if (port == 0) {
        std::fprintf(stderr, "chatapp: cannot listen on %s port %u\n", qPrintable(options->host),
                     options->port);
        return 1;
    }
    // Before the line below: whoever reads it may send SIGTERM at once, and must get a
    // clean stop, not the default action.
    SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &server, [&server] {
        server.shutDown();
    });
    QObject::connect(&server, &ChatServer::drained, &server, [&server] {
        server.closeConnections([] { QCoreApplication::exit(0); });
    });

    const QString shownHost = options->address.protocol() == QAbstractSocket::IPv6Protocol
                                ? u'[' + options->host + u']'
                                : options->host;
    // Tests and scripts read the port from this line when they asked for port 0.
    std::printf("chatapp: listening on %s://%s:%u\n", tls ? "https" : "http", qPrintable(shownHost),
                port);
    std::fflush(stdout);
    return app.exec();
}
