#include "serveoptions.h"

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
    {"quiet", nullptr, QT_TRANSLATE_NOOP("ServeOptions", "Do not log each request on stderr."),
     "CHATAPP_QUIET"},
};

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

} // namespace

std::optional<ServeOptions> parseServeOptions(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        translated(QT_TRANSLATE_NOOP("ServeOptions", "ChatApp server: a group chat over plain HTTP.")));
    parser.addHelpOption();
    parser.addVersionOption();
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
    parser.process(app);

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
    for (const OptionSpec &spec : optionTable) {
        const auto value = valueOf(parser, spec);
        if (!value)
            continue;
        if (qstrcmp(spec.name, "data-dir") == 0)
            options.dataDirectory = *value;
        else if (qstrcmp(spec.name, "quiet") == 0)
            options.quiet = isTrue(*value);
    }
    return options;
}
