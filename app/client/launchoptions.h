#pragma once

#include <QCoreApplication>
#include <QString>
#include <QStringList>
#include <QSslCertificate>
#include <QUrl>
#include <optional>

// Where a chat server listens, and whether it speaks HTTPS (a server started with
// --tls-cert) or plain HTTP.
struct ServerAddress
{
    static constexpr quint16 defaultPort = 3550;

    QString host; // a host name or an IP address; IPv6 without brackets
    quint16 port = defaultPort;
    bool secure = false; // https://

    // Accepts "host", "host:port", "1.2.3.4", "::1", "[::1]:3550", "http://host:port",
    // "https://host:port" and either with a trailing "/"; a text without a port gets
    // `fallbackPort`. Returns nullopt for anything else: other schemes, a path, a query,
    // user info, port 0 or out of range. `portGiven`, when not null, says whether the text named a port itself.
    static std::optional<ServerAddress> parse(
        const QString &text, quint16 fallbackPort = defaultPort, bool *portGiven = nullptr);

    QUrl baseUrl() const; // http://host:port or https://, an IPv6 host in brackets
    QString toString() const; // "host:port", "[::1]:3550", "https://host:port"

    bool operator==(const ServerAddress &other) const = default;
};

// The client's own options; every field is already valid once parsing succeeded.
struct LaunchOptions
{
    Q_DECLARE_TR_FUNCTIONS(LaunchOptions)

public:
    static constexpr int minPollIntervalMs = 100;
    static constexpr int maxPollIntervalMs = 600000;

    std::optional<ServerAddress> server; // HOST, HOST:PORT, HOST PORT or --connect
    QString name; // --name, trimmed; empty when not given
    QString room; // --room, a valid RoomName; empty when not given
    // The first line of --password-file, read while parsing so that a missing file is a
    // command-line error, not a surprise once the window is open; empty when not given.
    QString password;
    // --ca-file: certificates to trust besides the system's, for a server whose
    // certificate no public authority signed (a self-signed one). Read while parsing too.
    QList<QSslCertificate> caCertificates;
    std::optional<int> pollIntervalMs; // --poll-interval
    QString language; // --lang: "es" or "en"; empty follows the system locale
};

struct LaunchRequest
{
    enum class Action { Run, ShowHelp, ShowVersion, Fail };

    LaunchOptions options; // on Fail, holds what was valid before the failure
    // argv[0] and the arguments meant for Qt (-platform xcb, -display :99, -style
    // fusion, ...), in their order: what QApplication is to be constructed with.
    QStringList qtArguments;
    Action action = Action::Run;
    // For ShowHelp and ShowVersion the text to print; for Fail one line saying what is
    // wrong, without the program's name in front.
    QString message;
};

// Splits the client's command line (arguments[0] is the program) before any
// Q*Application exists: QApplication would otherwise take `--name` for X11's `-name`
// and eat it. Our options are accepted with one dash or two, `--opt value` or
// `--opt=value`; Qt's known options go to qtArguments with their values, and an
// unknown option is an error rather than something Qt silently ignores.
//
// Parsing has no side effects (it reads the --password-file, nothing more), and
// `message` is translated with the translators installed at the time of the call. To
// print help or an error in the user's language, create a QCoreApplication (it needs
// no display), install the translator for options.language or the system locale, and
// parse again.
LaunchRequest parseLaunchArguments(const QStringList &arguments);
