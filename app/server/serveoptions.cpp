#include "serveoptions.h"

#include "core/firstline.h"
#include "core/passwordrequest.h"
#include "originpolicy.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <cstdio>

namespace {

struct OptionSpec
{
    const char *name;
    const char *valueName; // nullptr: a flag
    const char *description;
    const char *environment;
};

// The one table behind --help, the parser and the environment variables.
const OptionSpec optionTable[] = {
    {"serve", nullptr, QT_TRANSLATE_NOOP("ServeOptions", "Run the server, headless."), nullptr},
    {"data-dir", "DIR",
     QT_TRANSLATE_NOOP("ServeOptions", "Where the messages are stored (default ./chatapp-data)."),
     "CHATAPP_DATA_DIR"},
    {"store", "URL",
     QT_TRANSLATE_NOOP("ServeOptions", "Store in PostgreSQL at postgresql://USER@HOST:PORT/DATABASE rather than SQLite in --data-dir; the password from --store-password-file or libpq's PGPASSFILE, never in the URL."),
     "CHATAPP_STORE"},
    {"store-password-file", "FILE",
     QT_TRANSLATE_NOOP("ServeOptions", "Read the PostgreSQL password of --store from the first line of FILE."),
     "CHATAPP_STORE_PASSWORD_FILE"},
    {"quiet", nullptr, QT_TRANSLATE_NOOP("ServeOptions", "Do not log each request on stderr."),
     "CHATAPP_QUIET"},
    {"password", "TEXT",
     QT_TRANSLATE_NOOP("ServeOptions", "Require this password: clients exchange it for a token at POST /api/v1/sessions (default: none, open to all). Visible to other users in the process list; prefer --password-file."),
     "CHATAPP_PASSWORD"},
    {"password-file", "FILE",
     QT_TRANSLATE_NOOP("ServeOptions", "Read the password from the first line of FILE."),
     "CHATAPP_PASSWORD_FILE"},
    {"password-attempts", "N",
     QT_TRANSLATE_NOOP("ServeOptions", "Wrong passwords per client address per minute; more get 429 (default 10)."),
     "CHATAPP_PASSWORD_ATTEMPTS"},
    {"tls-cert", "FILE",
     QT_TRANSLATE_NOOP("ServeOptions", "Serve HTTPS with this PEM certificate (its chain after it); needs --tls-key."),
     "CHATAPP_TLS_CERT"},
    {"tls-key", "FILE",
     QT_TRANSLATE_NOOP("ServeOptions", "The certificate's PEM private key, unencrypted."),
     "CHATAPP_TLS_KEY"},
    {"allowed-host", "NAME",
     QT_TRANSLATE_NOOP("ServeOptions", "Answer requests whose Host is NAME, a DNS name of this server (repeatable; the variable takes a comma-separated list). Besides these, only IP addresses, localhost and the machine's own names are answered; others get 421."),
     "CHATAPP_ALLOWED_HOSTS"},
    {"trusted-proxy", "CIDR",
     QT_TRANSLATE_NOOP("ServeOptions", "A reverse proxy in front of this server, an address or a network like 10.0.0.0/8 (repeatable; the variable takes a comma-separated list). A request from it is counted, limited and logged under the client's address that X-Forwarded-For gives; without this option that header is ignored."),
     "CHATAPP_TRUSTED_PROXIES"},
    {"max-connections", "N",
     QT_TRANSLATE_NOOP("ServeOptions", "Open connections allowed; a new one beyond gets 503 (default 10000, lowered to fit the open-file limit)."),
     "CHATAPP_MAX_CONNECTIONS"},
    {"request-timeout", "SECONDS",
     QT_TRANSLATE_NOOP("ServeOptions", "Time for a request to arrive whole; a slower one gets 408 (default 10)."),
     "CHATAPP_REQUEST_TIMEOUT"},
    {"idle-timeout", "SECONDS",
     QT_TRANSLATE_NOOP("ServeOptions", "A connection silent this long is closed (default 90)."),
     "CHATAPP_IDLE_TIMEOUT"},
    {"send-rate", "N",
     QT_TRANSLATE_NOOP("ServeOptions", "Sends per second per client address; more get 429 (default 20)."),
     "CHATAPP_SEND_RATE"},
    {"max-pending-sends", "N",
     QT_TRANSLATE_NOOP("ServeOptions", "Sends waiting for the disk; more get 503 (default 10000)."),
     "CHATAPP_MAX_PENDING_SENDS"},
    {"stream-backlog", "KIB",
     QT_TRANSLATE_NOOP("ServeOptions", "Unread output a stream may have before it is closed; the reader resumes (default 4096)."),
     "CHATAPP_STREAM_BACKLOG"},
    {"output-budget", "MIB",
     QT_TRANSLATE_NOOP("ServeOptions", "Output all clients together may leave unread; past it the connections with the most are closed (default 256)."),
     "CHATAPP_OUTPUT_BUDGET"},
    {"send-burst", "N",
     QT_TRANSLATE_NOOP("ServeOptions", "Sends a client address may save up for a burst (default 60)."),
     "CHATAPP_SEND_BURST"},
};

// Reads a whole number in [minimum, maximum] into `target`; false (after saying why) if it is not.
bool readNumber(const QString &name, const QString &text, int minimum, int maximum, int *target)
{
    bool ok = false;
    const int value = text.trimmed().toInt(&ok);
    if (!ok || value < minimum || value > maximum) {
        std::fprintf(stderr, "chatapp: --%s takes a whole number from %d to %d, not '%s'\n",
                     qPrintable(name), minimum, maximum, qPrintable(text));
        return false;
    }
    *target = value;
    return true;
}

QString translated(const char *text)
{
    return QCoreApplication::translate("ServeOptions", text);
}

std::optional<QString> valueOf(const QCommandLineParser &parser, const OptionSpec &spec)
{
    const QString name = QString::fromLatin1(spec.name);
    if (parser.isSet(name))
        return spec.valueName ? parser.value(name) : QStringLiteral("1");
    if (spec.environment && qEnvironmentVariableIsSet(spec.environment))
        return qEnvironmentVariable(spec.environment);
    return std::nullopt;
}

bool isTrue(const QString &value)
{
    const QString lower = value.trimmed().toLower();
    return !lower.isEmpty() && lower != u"0" && lower != u"false" && lower != u"no";
}

void fail(const QString &message)
{
    std::fprintf(stderr, "chatapp: %s\n", qPrintable(message));
}

std::optional<QString> readPasswordFile(const QString &path)
{
    QString ioError;
    const auto password = readFirstLine(path, &ioError);
    if (!password) {
        fail(QStringLiteral("cannot read the password file %1: %2").arg(path, ioError));
        return std::nullopt;
    }
    if (password->isEmpty()) {
        fail(QStringLiteral("the password file %1 is empty").arg(path));
        return std::nullopt;
    }
    return password;
}

// Sign-in takes at most Limits::maxPasswordCharacters; a longer password would lock
// everyone out of a server that looks healthy.
bool passwordFitsSignIn(const QString &password, const QString &from)
{
    if (password.size() <= Limits::maxPasswordCharacters)
        return true;
    fail(translated(QT_TRANSLATE_NOOP("ServeOptions",
                                      "the password from %1 is longer than %2 characters, which no client can send"))
             .arg(from)
             .arg(Limits::maxPasswordCharacters));
    return false;
}

// Names as --allowed-host takes them, normalised into `target`; false (after saying why)
// if one is not a host name.
bool readHostNames(const QStringList &given, QStringList *target)
{
    for (const QString &text : given) {
        if (text.trimmed().isEmpty())
            continue; // "a,,b" or a trailing comma in the variable
        const QString name = OriginPolicy::normalisedHostName(text);
        if (name.isEmpty()) {
            fail(translated(QT_TRANSLATE_NOOP("ServeOptions",
                                              "--allowed-host takes a host name without a port or "
                                              "scheme, like chat.example.org, not '%1'"))
                     .arg(text));
            return false;
        }
        target->append(name);
    }
    return true;
}

// Ranges as --trusted-proxy takes them into `target`; false (after saying why) if one is
// not an address or network.
bool readProxyRanges(const QStringList &given, TrustedProxies *target)
{
    for (const QString &text : given) {
        if (text.trimmed().isEmpty())
            continue; // "a,,b" or a trailing comma in the variable
        const auto range = TrustedProxies::parseRange(text);
        if (!range) {
            fail(translated(QT_TRANSLATE_NOOP("ServeOptions",
                                              "--trusted-proxy takes an IP address or a network in CIDR "
                                              "notation, like 127.0.0.1, 10.0.0.0/8 or ::1/128, not '%1'"))
                     .arg(text));
            return false;
        }
        target->add(*range);
    }
    return true;
}

} // namespace

std::optional<ServeOptions> parseServeOptions(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        translated(QT_TRANSLATE_NOOP("ServeOptions", "ChatApp server: a group chat over plain HTTP.")));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    for (const OptionSpec &spec : optionTable) {
        QString description = translated(spec.description);
        if (spec.environment)
            description += QStringLiteral(" [%1]").arg(QString::fromLatin1(spec.environment));
        parser.addOption(spec.valueName ? QCommandLineOption(QString::fromLatin1(spec.name), description,
                                                             QString::fromLatin1(spec.valueName))
                                        : QCommandLineOption(QString::fromLatin1(spec.name), description));
    }
    parser.addPositionalArgument(
        QStringLiteral("host"),
        translated(QT_TRANSLATE_NOOP("ServeOptions", "Address to listen on (default 0.0.0.0) [CHATAPP_HOST].")),
        QStringLiteral("[host"));
    parser.addPositionalArgument(
        QStringLiteral("port"),
        translated(QT_TRANSLATE_NOOP("ServeOptions", "Port to listen on (default 3550; 0 picks a free one) [CHATAPP_PORT].")),
        QStringLiteral("[port]]"));
    // Not process(), which exits 1 on an unknown option: a usage error is 2, as everywhere
    // else in chatapp, and systemd and scripts tell it from a failure to start.
    if (!parser.parse(app.arguments())) {
        fail(parser.errorText());
        return std::nullopt;
    }
    if (parser.isSet(help))
        parser.showHelp(0);
    if (parser.isSet(version))
        parser.showVersion();

    ServeOptions options;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 2) {
        fail(translated(QT_TRANSLATE_NOOP("ServeOptions", "too many arguments; see --help")));
        return std::nullopt;
    }
    if (positional.size() > 0)
        options.host = positional[0];
    else if (qEnvironmentVariableIsSet("CHATAPP_HOST"))
        options.host = qEnvironmentVariable("CHATAPP_HOST");
    const QString portText = positional.size() > 1 ? positional[1]
                           : qEnvironmentVariableIsSet("CHATAPP_PORT") ? qEnvironmentVariable("CHATAPP_PORT")
                                                                       : QStringLiteral("3550");
    bool portOk = false;
    const uint port = portText.toUInt(&portOk);
    if (!portOk || port > 65535) {
        fail(translated(QT_TRANSLATE_NOOP("ServeOptions", "'%1' is not a port number")).arg(portText));
        return std::nullopt;
    }
    options.port = quint16(port);
    if (options.host == u"localhost")
        options.address = QHostAddress(QHostAddress::LocalHost);
    else if (!options.address.setAddress(options.host)) {
        fail(translated(QT_TRANSLATE_NOOP("ServeOptions", "'%1' is not an IP address to listen on"))
                 .arg(options.host));
        return std::nullopt;
    }
    QString storePassword;
    for (const OptionSpec &spec : optionTable) {
        const auto value = valueOf(parser, spec);
        if (!value)
            continue;
        const QString name = QString::fromLatin1(spec.name);
        ServerLimits &limits = options.limits;
        int sendRate = int(limits.sendsPerSecond);
        bool ok = true;
        if (name == u"data-dir")
            options.dataDirectory = *value;
        else if (name == u"store") {
            QString error;
            options.postgres = parsePostgresAddress(*value, &error);
            ok = options.postgres.has_value();
            if (!ok)
                fail(error);
        } else if (name == u"store-password-file") {
            const auto password = readPasswordFile(*value);
            ok = password.has_value();
            storePassword = password.value_or(QString());
        }
        else if (name == u"quiet")
            options.quiet = isTrue(*value);
        else if (name == u"password") {
            // An unset shell variable ("--password $PW") must not open the server to all.
            options.password = *value;
            ok = !options.password.isEmpty();
            if (!ok)
                fail(QStringLiteral("--password is empty; leave it out to run without a password"));
            ok = ok && passwordFitsSignIn(options.password, QStringLiteral("--password"));
        } else if (name == u"password-file") {
            const auto password = readPasswordFile(*value);
            ok = password.has_value() && passwordFitsSignIn(*password, *value);
            options.password = password.value_or(QString());
        } else if (name == u"tls-cert") {
            options.tlsCertificate = *value;
        } else if (name == u"tls-key") {
            options.tlsKey = *value;
        } else if (name == u"allowed-host") {
            ok = readHostNames(parser.isSet(name) ? parser.values(name) : value->split(u','),
                               &options.allowedHosts);
        } else if (name == u"trusted-proxy") {
            ok = readProxyRanges(parser.isSet(name) ? parser.values(name) : value->split(u','),
                                 &options.trustedProxies);
        } else if (name == u"password-attempts")
            ok = readNumber(name, *value, 1, 1000000, &limits.wrongPasswordsPerMinute);
        else if (name == u"max-connections")
            ok = readNumber(name, *value, 1, 1000000, &limits.maxConnections);
        else if (name == u"request-timeout")
            ok = readNumber(name, *value, 1, 3600, &limits.requestTimeoutSeconds);
        else if (name == u"idle-timeout")
            ok = readNumber(name, *value, 1, 86400, &limits.idleTimeoutSeconds);
        else if (name == u"max-pending-sends")
            ok = readNumber(name, *value, 1, 1000000, &limits.maxPendingSends);
        else if (name == u"stream-backlog")
            ok = readNumber(name, *value, 16, 1024 * 1024, &limits.streamBacklogKiB);
        else if (name == u"output-budget")
            ok = readNumber(name, *value, 1, 1024 * 1024, &limits.outputBudgetMiB);
        else if (name == u"send-rate") {
            ok = readNumber(name, *value, 1, 1000000, &sendRate);
            limits.sendsPerSecond = sendRate;
        } else if (name == u"send-burst")
            ok = readNumber(name, *value, 1, 1000000, &limits.sendBurst);
        if (!ok)
            return std::nullopt;
    }
    if (!storePassword.isEmpty()) {
        if (!options.postgres) {
            fail(QStringLiteral("--store-password-file goes with --store postgresql://..."));
            return std::nullopt;
        }
        options.postgres->password = storePassword;
    }
    if (options.tlsCertificate.isEmpty() != options.tlsKey.isEmpty()) {
        fail(translated(QT_TRANSLATE_NOOP("ServeOptions", "--tls-cert and --tls-key go together")));
        return std::nullopt;
    }
    return options;
}
