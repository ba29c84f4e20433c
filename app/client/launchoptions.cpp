#include "launchoptions.h"

#include "core/firstline.h"
#include "core/messagedraft.h"
#include "core/passwordrequest.h"
#include "core/roomname.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <algorithm>
#include <utility>

namespace {

// ---- server addresses ----------------------------------------------------------------

// Strict on purpose: QUrl reads "1.2.3" as 1.2.0.3 and "010.0.0.1" as octal, the way
// inet_aton does, which would quietly connect somewhere the user did not mean.
bool isDottedQuad(QStringView host)
{
    const auto parts = host.split(u'.');
    if (parts.size() != 4)
        return false;
    for (QStringView part : parts) {
        if (part.isEmpty() || part.size() > 3 || (part.size() > 1 && part.front() == u'0'))
            return false;
        bool ok = false;
        if (part.toUInt(&ok) > 255 || !ok)
            return false;
    }
    return true;
}

bool looksNumeric(QStringView host)
{
    for (QChar c : host) {
        if (!c.isDigit() && c != u'.')
            return false;
    }
    return true;
}

// The host as typed, before QUrl normalised it; `authority` has no user info.
QStringView typedHost(QStringView authority)
{
    if (authority.startsWith(u'['))
        return authority.sliced(1, authority.indexOf(u']') - 1);
    const qsizetype colon = authority.lastIndexOf(u':');
    return colon < 0 ? authority : authority.first(colon);
}

// ---- the command line ----------------------------------------------------------------

struct OptionSpec
{
    const char *name;
    const char *shortName; // nullptr: none
    const char *valueName; // nullptr: a flag
    const char *description;
};

// The one table behind the parser, the splitting of argv and --help.
const OptionSpec optionTable[] = {
    { "connect", nullptr, "HOST:PORT",
        QT_TRANSLATE_NOOP("LaunchOptions",
            "Server to connect to: HOST, HOST:PORT, http://HOST:PORT or "
            "https://HOST:PORT (default port 3550).") },
    { "name", nullptr, "NAME",
        QT_TRANSLATE_NOOP("LaunchOptions",
            "Your name, shown next to your messages (1 to 32 "
            "characters).") },
    { "room", nullptr, "ROOM",
        QT_TRANSLATE_NOOP("LaunchOptions", "Room to open first (default general).") },
    { "password-file", nullptr, "FILE",
        QT_TRANSLATE_NOOP("LaunchOptions",
            "Sign in with the first line of FILE when the server asks for a password, "
            "instead of asking; if it is wrong, the window asks.") },
    { "ca-file", nullptr, "FILE",
        QT_TRANSLATE_NOOP("LaunchOptions",
            "Also trust the PEM certificates in FILE for https:// servers, such as a "
            "server's self-signed certificate.") },
    { "poll-interval", nullptr, "MS",
        QT_TRANSLATE_NOOP(
            "LaunchOptions", "Milliseconds between checks for new messages, 100 to 600000.") },
    { "lang", nullptr, "LANG",
        QT_TRANSLATE_NOOP(
            "LaunchOptions", "Language of the window: es or en (default: the system's).") },
    { "help", "h", nullptr, QT_TRANSLATE_NOOP("LaunchOptions", "Show this help and exit.") },
    { "version", "v", nullptr, QT_TRANSLATE_NOOP("LaunchOptions", "Show the version and exit.") },
};

struct QtOptionSpec
{
    const char *name;
    bool takesValue;
};

// The options QGuiApplication, QApplication and the xcb plugin take out of argv in Qt 6
// (with one dash or two). -name is missing on purpose: it is ours, and under xcb it
// would otherwise become the window's WM_CLASS.
const QtOptionSpec qtOptionTable[] = {
    { "platform", true },
    { "platformpluginpath", true },
    { "platformtheme", true },
    { "plugin", true },
    { "qwindowgeometry", true },
    { "geometry", true },
    { "qwindowtitle", true },
    { "title", true },
    { "qwindowicon", true },
    { "icon", true },
    { "session", true },
    { "display", true },
    { "visual", true },
    { "style", true },
    { "stylesheet", true },
    { "qmljsdebugger", true },
    { "reverse", false },
    { "nograb", false },
    { "dograb", false },
    { "testability", false },
    { "widgetcount", false },
};

QString translated(const char *text)
{
    return LaunchOptions::tr(text);
}

// "--name=ana" -> "name"; "-platform" -> "platform".
QString optionName(const QString &argument)
{
    const qsizetype dashes = argument.startsWith(u"--") ? 2 : 1;
    const qsizetype equals = argument.indexOf(u'=');
    return argument.mid(dashes, equals < 0 ? -1 : equals - dashes);
}

const OptionSpec *ourOption(const QString &name)
{
    for (const OptionSpec &spec : optionTable) {
        if (name == QLatin1StringView(spec.name)
            || (spec.shortName && name == QLatin1StringView(spec.shortName)))
            return &spec;
    }
    return nullptr;
}

const QtOptionSpec *qtOption(const QString &name)
{
    for (const QtOptionSpec &spec : qtOptionTable) {
        if (name == QLatin1StringView(spec.name))
            return &spec;
    }
    return nullptr;
}

struct Split
{
    QStringList ours; // with argv[0], for QCommandLineParser
    QStringList qt; // with argv[0], for QApplication
    QString error;
};

// Decides which argument belongs to whom before anything reads them: QApplication
// removes what it recognises from argv, so our options must be gone from the argv it
// sees, and Qt's must not reach QCommandLineParser as unknown options.
Split splitArguments(const QStringList &arguments)
{
    Split split;
    const QString program = arguments.value(0);
    split.ours << program;
    split.qt << program;
    bool onlyPositional = false;
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (onlyPositional || argument.size() < 2 || !argument.startsWith(u'-')) {
            split.ours << argument;
            continue;
        }
        if (argument == u"--") {
            onlyPositional = true;
            split.ours << argument;
            continue;
        }
        const QString name = optionName(argument);
        const bool inlineValue = argument.contains(u'=');
        if (const OptionSpec *spec = ourOption(name)) {
            split.ours << argument;
            if (spec->valueName && !inlineValue) {
                if (i + 1 >= arguments.size()) {
                    split.error
                        = translated(QT_TRANSLATE_NOOP("LaunchOptions", "%1 needs a value."))
                              .arg(argument);
                    return split;
                }
                split.ours << arguments.at(++i);
            }
        } else if (const QtOptionSpec *qtSpec = qtOption(name)) {
            split.qt << argument;
            if (qtSpec->takesValue && !inlineValue && i + 1 < arguments.size())
                split.qt << arguments.at(++i);
        } else {
            // Passing it to Qt would hide a typo such as --nmae: Qt ignores what it does
            // not know.
            split.error = translated(QT_TRANSLATE_NOOP("LaunchOptions", "Unknown option '%1'."))
                              .arg(argument);
            return split;
        }
    }
    return split;
}

// Breaks `text` into lines of at most `width` characters, at spaces, for an 80-column
// terminal; a translation can be longer than the English.
QStringList wrapped(const QString &text, qsizetype width)
{
    QStringList lines;
    QString line;
    for (const QString &word : text.split(u' ', Qt::SkipEmptyParts)) {
        if (!line.isEmpty() && line.size() + 1 + word.size() > width) {
            lines << line;
            line.clear();
        }
        line += (line.isEmpty() ? QString() : QStringLiteral(" ")) + word;
    }
    lines << line;
    return lines;
}

QString helpText(const QString &program)
{
    QList<std::pair<QString, QString>> rows;
    for (const OptionSpec &spec : optionTable) {
        QString names;
        if (spec.shortName)
            names = u'-' + QLatin1StringView(spec.shortName) + u", ";
        names += u"--" + QLatin1StringView(spec.name);
        if (spec.valueName)
            names += u" <" + QLatin1StringView(spec.valueName) + u'>';
        rows.append({ names, translated(spec.description) });
    }
    const qsizetype optionCount = rows.size();
    rows.append({ QStringLiteral("HOST[:PORT]"),
        translated(
            QT_TRANSLATE_NOOP("LaunchOptions", "Server to connect to, as with --connect.")) });
    rows.append({ QStringLiteral("PORT"),
        translated(QT_TRANSLATE_NOOP("LaunchOptions",
            "Its port, if not given "
            "with HOST.")) });
    qsizetype width = 0;
    for (const auto &row : std::as_const(rows))
        width = std::max(width, row.first.size());

    QString text
        = translated(QT_TRANSLATE_NOOP("LaunchOptions", "Usage: %1 [options] [HOST[:PORT] [PORT]]"))
              .arg(program)
        + u'\n'
        + translated(QT_TRANSLATE_NOOP("LaunchOptions",
            "Opens a ChatApp window on a chat server; "
            "without a server, asks for one."))
        + u"\n\n" + translated(QT_TRANSLATE_NOOP("LaunchOptions", "Options:")) + u'\n';
    for (qsizetype i = 0; i < rows.size(); ++i) {
        if (i == optionCount)
            text += u'\n' + translated(QT_TRANSLATE_NOOP("LaunchOptions", "Arguments:")) + u'\n';
        const QStringList lines
            = wrapped(rows.at(i).second, std::max<qsizetype>(79 - width - 4, 30));
        text += u"  " + rows.at(i).first.leftJustified(width + 2) + lines.first() + u'\n';
        for (const QString &line : lines.sliced(1))
            text += QString(width + 4, u' ') + line + u'\n';
    }
    text += u'\n'
        + wrapped(translated(QT_TRANSLATE_NOOP("LaunchOptions",
                      "Qt's own options, such as -platform, "
                      "-display, -style and -reverse, are passed "
                      "on to Qt.")),
            79)
              .join(u'\n')
        + u'\n'
        + translated(
            QT_TRANSLATE_NOOP("LaunchOptions", "To host a chat instead, see %1 --serve --help."))
              .arg(program)
        + u'\n';
    return text;
}

std::optional<quint16> parsePort(const QString &text)
{
    bool ok = false;
    const uint port = text.toUInt(&ok);
    if (!ok || port == 0 || port > 65535)
        return std::nullopt;
    return quint16(port);
}

QString badServerMessage(const QString &text)
{
    return translated(QT_TRANSLATE_NOOP("LaunchOptions",
                          "'%1' is not a server address; give HOST, "
                          "HOST:PORT, http://HOST:PORT or https://HOST:PORT."))
        .arg(text);
}

// The server from the positional arguments: HOST, HOST:PORT, URL, or HOST PORT.
std::optional<ServerAddress> serverFromPositional(const QStringList &positional, QString *error)
{
    if (positional.size() > 2) {
        *error = translated(QT_TRANSLATE_NOOP(
            "LaunchOptions", "Too many arguments: expected at most HOST and PORT."));
        return std::nullopt;
    }
    quint16 port = ServerAddress::defaultPort;
    if (positional.size() == 2) {
        const auto given = parsePort(positional.at(1));
        if (!given) {
            *error = translated(
                QT_TRANSLATE_NOOP("LaunchOptions", "'%1' is not a port number (1 to 65535)."))
                         .arg(positional.at(1));
            return std::nullopt;
        }
        port = *given;
    }
    bool portGiven = false;
    auto server = ServerAddress::parse(positional.at(0), port, &portGiven);
    if (!server) {
        *error = badServerMessage(positional.at(0));
        return std::nullopt;
    }
    if (portGiven && positional.size() == 2) {
        *error = translated(QT_TRANSLATE_NOOP("LaunchOptions",
                                "'%1' already names a port; give the port "
                                "only once."))
                     .arg(positional.at(0));
        return std::nullopt;
    }
    return server;
}

std::optional<QString> readPasswordFile(const QString &path, QString *error)
{
    QString ioError;
    const auto firstLine = readFirstLine(path, &ioError);
    if (!firstLine) {
        *error = translated(QT_TRANSLATE_NOOP("LaunchOptions",
                                "Cannot read the password file '%1': %2."))
                     .arg(path, ioError);
        return std::nullopt;
    }
    const QString password = *firstLine;
    if (password.isEmpty()) {
        *error = translated(QT_TRANSLATE_NOOP("LaunchOptions",
                                "The password file '%1' is empty."))
                     .arg(path);
        return std::nullopt;
    }
    if (password.size() > Limits::maxPasswordCharacters) {
        *error = translated(QT_TRANSLATE_NOOP("LaunchOptions",
                                "The password in '%1' is longer than %2 characters."))
                     .arg(path)
                     .arg(Limits::maxPasswordCharacters);
        return std::nullopt;
    }
    return password;
}

LaunchRequest failed(LaunchRequest request, const QString &message)
{
    request.action = LaunchRequest::Action::Fail;
    request.message = message;
    return request;
}

} // namespace

std::optional<ServerAddress> ServerAddress::parse(
    const QString &text, quint16 fallbackPort, bool *portGiven)
{
    if (portGiven)
        *portGiven = false;
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty() || fallbackPort == 0)
        return std::nullopt;

    QString urlText;
    const qsizetype schemeEnd = trimmed.indexOf(u"://");
    bool secure = false;
    if (schemeEnd >= 0) {
        const QStringView scheme = QStringView(trimmed).first(schemeEnd);
        secure = scheme.compare(u"https", Qt::CaseInsensitive) == 0;
        if (!secure && scheme.compare(u"http", Qt::CaseInsensitive) != 0)
            return std::nullopt;
        urlText = trimmed;
    } else if (trimmed.count(u':') > 1 && !trimmed.startsWith(u'[')) {
        // A bare IPv6 address: its colons are not a port separator. A port then needs
        // brackets, [::1]:3550, as in a URL.
        urlText = u"http://[" + trimmed + u']';
    } else {
        urlText = u"http://" + trimmed;
    }

    const QUrl url(urlText, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() || !url.userInfo().isEmpty() || url.hasQuery()
        || url.hasFragment() || (!url.path().isEmpty() && url.path() != u"/"))
        return std::nullopt;

    QStringView authority = QStringView(urlText).sliced(urlText.indexOf(u"://") + 3);
    if (const qsizetype slash = authority.indexOf(u'/'); slash >= 0)
        authority = authority.first(slash);
    // QUrl reads "host:" as no port at all; a colon with nothing after it is a slip.
    if (authority.endsWith(u':'))
        return std::nullopt;
    const QStringView host = typedHost(authority);
    if (authority.startsWith(u'[')) {
        if (QHostAddress(host.toString()).protocol() != QAbstractSocket::IPv6Protocol)
            return std::nullopt;
    } else if (looksNumeric(host) && !isDottedQuad(host)) {
        return std::nullopt;
    }

    const int port = url.port(-1);
    if (port == 0)
        return std::nullopt;
    if (portGiven)
        *portGiven = port > 0;
    return ServerAddress { url.host(), port > 0 ? quint16(port) : fallbackPort, secure };
}

QUrl ServerAddress::baseUrl() const
{
    QUrl url;
    url.setScheme(secure ? QStringLiteral("https") : QStringLiteral("http"));
    url.setHost(host);
    url.setPort(port);
    return url;
}

QString ServerAddress::toString() const
{
    const QString shownHost = host.contains(u':') ? u'[' + host + u']' : host;
    // The scheme is shown only when it is not the default, so plain addresses read as before.
    return (secure ? QStringLiteral("https://") : QString()) + shownHost + u':' + QString::number(port);
}

LaunchRequest parseLaunchArguments(const QStringList &arguments)
{
    LaunchRequest request;
    const Split split = splitArguments(arguments);
    request.qtArguments = split.qt;
    if (!split.error.isEmpty())
        return failed(request, split.error);

    QCommandLineParser parser;
    // Single-dash words are whole option names (-name, like Qt's -platform), never a
    // bundle of one-letter flags.
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    for (const OptionSpec &spec : optionTable) {
        QStringList names;
        if (spec.shortName)
            names << QString::fromLatin1(spec.shortName);
        names << QString::fromLatin1(spec.name);
        parser.addOption(QCommandLineOption(
            names, translated(spec.description), QString::fromLatin1(spec.valueName)));
    }
    // Only what splitArguments does not catch gets here, such as --help=yes.
    if (!parser.parse(split.ours))
        return failed(request, parser.errorText());

    LaunchOptions &options = request.options;
    // First, so that help and later errors can already be in the language asked for.
    if (parser.isSet(QStringLiteral("lang"))) {
        const QString language = parser.value(QStringLiteral("lang")).trimmed().toLower();
        const bool wantsHelpOrVersion = parser.isSet(QStringLiteral("help"))
                                     || parser.isSet(QStringLiteral("version"));
        if (language != u"es" && language != u"en" && !wantsHelpOrVersion)
            return failed(request,
                translated(QT_TRANSLATE_NOOP("LaunchOptions",
                               "'%1' is not a language ChatApp "
                               "speaks; use --lang es or --lang en."))
                    .arg(parser.value(QStringLiteral("lang"))));
        if (language == u"es" || language == u"en")
            options.language = language;
    }

    if (parser.isSet(QStringLiteral("help"))) {
        const QString program = QFileInfo(arguments.value(0)).fileName();
        request.action = LaunchRequest::Action::ShowHelp;
        request.message = helpText(program.isEmpty() ? QStringLiteral("chatapp") : program);
        return request;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        request.action = LaunchRequest::Action::ShowVersion;
        request.message = QStringLiteral("chatapp ") + QLatin1StringView(CHATAPP_VERSION) + u'\n';
        return request;
    }

    const QStringList positional = parser.positionalArguments();
    if (parser.isSet(QStringLiteral("connect"))) {
        if (!positional.isEmpty())
            return failed(request,
                translated(QT_TRANSLATE_NOOP("LaunchOptions",
                    "Give the server either with --connect "
                    "or as an argument, not both.")));
        const QString text = parser.value(QStringLiteral("connect"));
        options.server = ServerAddress::parse(text);
        if (!options.server)
            return failed(request, badServerMessage(text));
    } else if (!positional.isEmpty()) {
        QString error;
        options.server = serverFromPositional(positional, &error);
        if (!options.server)
            return failed(request, error);
    }

    if (parser.isSet(QStringLiteral("name"))) {
        const auto name = normalisedPersonName(parser.value(QStringLiteral("name")));
        if (!name)
            return failed(request,
                translated(QT_TRANSLATE_NOOP("LaunchOptions",
                               "--name takes 1 to %1 characters, "
                               "without line breaks or control "
                               "characters."))
                    .arg(Limits::maxAuthorCharacters));
        options.name = *name;
    }

    if (parser.isSet(QStringLiteral("room"))) {
        const QString room = parser.value(QStringLiteral("room"));
        if (!RoomName::parse(room))
            return failed(request,
                translated(QT_TRANSLATE_NOOP("LaunchOptions",
                               "'%1' is not a room name: use up to 64 lowercase letters, "
                               "digits, '-' and '_', starting with a letter or digit."))
                    .arg(room));
        options.room = room;
    }

    if (parser.isSet(QStringLiteral("password-file"))) {
        QString error;
        const auto password = readPasswordFile(parser.value(QStringLiteral("password-file")), &error);
        if (!password)
            return failed(request, error);
        options.password = *password;
    }

    if (parser.isSet(QStringLiteral("ca-file"))) {
        const QString path = parser.value(QStringLiteral("ca-file"));
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return failed(request, translated(QT_TRANSLATE_NOOP("LaunchOptions",
                                       "Cannot read the certificate file '%1': %2."))
                                       .arg(path, file.errorString()));
        options.caCertificates = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
        if (options.caCertificates.isEmpty())
            return failed(request, translated(QT_TRANSLATE_NOOP("LaunchOptions",
                                       "'%1' holds no PEM certificate."))
                                       .arg(path));
    }

    if (parser.isSet(QStringLiteral("poll-interval"))) {
        const QString text = parser.value(QStringLiteral("poll-interval"));
        bool ok = false;
        const int interval = text.toInt(&ok);
        if (!ok || interval < LaunchOptions::minPollIntervalMs
            || interval > LaunchOptions::maxPollIntervalMs)
            return failed(request,
                translated(QT_TRANSLATE_NOOP("LaunchOptions",
                               "--poll-interval takes milliseconds "
                               "from %1 to %2, not '%3'."))
                    .arg(QString::number(LaunchOptions::minPollIntervalMs),
                        QString::number(LaunchOptions::maxPollIntervalMs), text));
        options.pollIntervalMs = interval;
    }
    return request;
}
