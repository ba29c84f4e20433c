#include "client/launchoptions.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
using Action = LaunchRequest::Action;

QStringList commandLine(std::initializer_list<const char *> arguments)
{
    QStringList list { QStringLiteral("/usr/bin/chatapp") };
    for (const char *argument : arguments)
        list << QString::fromUtf8(argument);
    return list;
}

// A file in `directory` holding exactly `bytes`; its path.
QString fileWith(const QTemporaryDir &directory, const QByteArray &bytes)
{
    static int counter = 0;
    const QString path = directory.filePath(QStringLiteral("password-%1").arg(++counter));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    return path;
}
} // namespace

// Parsing runs before any Q*Application exists, so these tests run without one too
// (QTEST_APPLESS_MAIN): a parser that needed an instance would crash here.
class TestLaunchOptions : public QObject
{
    Q_OBJECT

private slots:
    void serverAddressParses_data();
    void serverAddressParses();
    void serverAddressRefuses_data();
    void serverAddressRefuses();
    void serverAddressUsesTheFallbackPortOnlyWhenNoneIsGiven();
    void serverAddressFormsUrlAndText_data();
    void serverAddressFormsUrlAndText();

    void splitsOurOptionsFromQts_data();
    void splitsOurOptionsFromQts();
    void refusesBadCommandLines_data();
    void refusesBadCommandLines();
    void showsHelpAndVersion_data();
    void showsHelpAndVersion();

    void readsThePasswordFile_data();
    void readsThePasswordFile();
    void refusesBadPasswordFiles_data();
    void refusesBadPasswordFiles();
};

void TestLaunchOptions::serverAddressParses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<bool>("portGiven");

    QTest::newRow("host") << "chat.example.org"
                          << "chat.example.org" << 3550 << false;
    QTest::newRow("host:port") << "chat.example.org:8080"
                               << "chat.example.org" << 8080 << true;
    QTest::newRow("ipv4") << "203.0.113.7"
                          << "203.0.113.7" << 3550 << false;
    QTest::newRow("ipv4:port") << "203.0.113.7:80"
                               << "203.0.113.7" << 80 << true;
    QTest::newRow("localhost:65535") << "localhost:65535"
                                     << "localhost" << 65535 << true;
    QTest::newRow("bare ipv6") << "::1"
                               << "::1" << 3550 << false;
    QTest::newRow("bare ipv6 long") << "2001:db8::7"
                                    << "2001:db8::7" << 3550 << false;
    QTest::newRow("bracketed ipv6") << "[::1]"
                                    << "::1" << 3550 << false;
    QTest::newRow("bracketed ipv6:port") << "[::1]:3551"
                                         << "::1" << 3551 << true;
    QTest::newRow("url") << "http://chat.example.org:8080"
                         << "chat.example.org" << 8080 << true;
    QTest::newRow("url with slash") << "http://10.0.0.2:9000/"
                                    << "10.0.0.2" << 9000 << true;
    QTest::newRow("url without port") << "http://chat.example.org"
                                      << "chat.example.org" << 3550 << false;
    QTest::newRow("url ipv6") << "http://[2001:db8::1]:3550/"
                              << "2001:db8::1" << 3550 << true;
    QTest::newRow("https") << "https://chat.example.org:8443/"
                           << "chat.example.org" << 8443 << true;
    QTest::newRow("https without port") << "HTTPS://chat.example.org"
                                        << "chat.example.org" << 3550 << false;
    QTest::newRow("upper case") << "HTTP://Chat.Example.ORG"
                                << "chat.example.org" << 3550 << false;
    QTest::newRow("surrounding spaces") << "  localhost:4000 "
                                        << "localhost" << 4000 << true;
}

void TestLaunchOptions::serverAddressParses()
{
    QFETCH(QString, text);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(bool, portGiven);

    bool given = !portGiven;
    const auto address = ServerAddress::parse(text, ServerAddress::defaultPort, &given);
    QVERIFY(address);
    QCOMPARE(address->host, host);
    QCOMPARE(int(address->port), port);
    QCOMPARE(given, portGiven);
    QCOMPARE(address->secure, text.trimmed().startsWith(u"https://", Qt::CaseInsensitive));
}

void TestLaunchOptions::serverAddressRefuses_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("empty") << "";
    QTest::newRow("blank") << "   ";
    QTest::newRow("https without host") << "https://:3550";
    QTest::newRow("ftp") << "ftp://chat.example.org";
    QTest::newRow("no host") << "http://:3550";
    QTest::newRow("port 0") << "localhost:0";
    QTest::newRow("port too big") << "localhost:65536";
    QTest::newRow("port not a number") << "localhost:abc";
    QTest::newRow("negative port") << "localhost:-1";
    QTest::newRow("colon without port") << "localhost:";
    QTest::newRow("path") << "http://localhost:3550/api";
    QTest::newRow("path without scheme") << "localhost/chat";
    QTest::newRow("query") << "http://localhost/?room=lab";
    QTest::newRow("user info") << "ana@localhost";
    QTest::newRow("space in host") << "my host";
    QTest::newRow("short ipv4") << "1.2.3";
    QTest::newRow("octal ipv4") << "010.0.0.1";
    QTest::newRow("ipv4 out of range") << "256.1.1.1";
    QTest::newRow("unclosed bracket") << "[::1";
    QTest::newRow("not ipv6 in brackets") << "[localhost]:3550";
}

void TestLaunchOptions::serverAddressRefuses()
{
    QFETCH(QString, text);

    const auto address = ServerAddress::parse(text);
    QVERIFY2(!address, qPrintable(address ? address->toString() : QString()));
}

void TestLaunchOptions::serverAddressUsesTheFallbackPortOnlyWhenNoneIsGiven()
{
    QCOMPARE(ServerAddress::parse(QStringLiteral("localhost"), 4000)->port, 4000);
    QCOMPARE(ServerAddress::parse(QStringLiteral("localhost:5000"), 4000)->port, 5000);
    QVERIFY(!ServerAddress::parse(QStringLiteral("localhost"), 0));
}

void TestLaunchOptions::serverAddressFormsUrlAndText_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("secure");

    QTest::newRow("name") << "localhost" << 3550 << "http://localhost:3550"
                          << "localhost:3550" << false;
    QTest::newRow("ipv4") << "203.0.113.7" << 80 << "http://203.0.113.7:80"
                          << "203.0.113.7:80" << false;
    QTest::newRow("ipv6") << "::1" << 3550 << "http://[::1]:3550"
                          << "[::1]:3550" << false;
    QTest::newRow("https") << "chat.example.org" << 443 << "https://chat.example.org:443"
                           << "https://chat.example.org:443" << true;
    QTest::newRow("https ipv6") << "::1" << 3550 << "https://[::1]:3550"
                                << "https://[::1]:3550" << true;
}

void TestLaunchOptions::serverAddressFormsUrlAndText()
{
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, url);
    QFETCH(QString, text);
    QFETCH(bool, secure);

    const ServerAddress address { host, quint16(port), secure };
    QCOMPARE(address.baseUrl().toString(), url);
    QCOMPARE(address.toString(), text);
    // What toString() writes, parse() reads back.
    QCOMPARE(ServerAddress::parse(address.toString()), address);
}

void TestLaunchOptions::splitsOurOptionsFromQts_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("server"); // ServerAddress::toString(); empty: none
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("room");
    QTest::addColumn<QString>("language");
    QTest::addColumn<int>("pollIntervalMs"); // -1: not given
    QTest::addColumn<QStringList>("qtArguments"); // after argv[0]

    const QStringList none;
    QTest::newRow("no arguments") << commandLine({}) << ""
                                  << ""
                                  << ""
                                  << "" << -1 << none;
    QTest::newRow("HOST PORT") << commandLine({ "203.0.113.7", "3551" }) << "203.0.113.7:3551"
                               << ""
                               << ""
                               << "" << -1 << none;
    QTest::newRow("HOST:PORT") << commandLine({ "chat.example.org:8080" })
                               << "chat.example.org:8080"
                               << ""
                               << ""
                               << "" << -1 << none;
    QTest::newRow("HOST") << commandLine({ "localhost" }) << "localhost:3550"
                          << ""
                          << ""
                          << "" << -1 << none;
    QTest::newRow("ipv6 HOST PORT") << commandLine({ "::1", "4000" }) << "[::1]:4000"
                                    << ""
                                    << ""
                                    << "" << -1 << none;
    QTest::newRow("bracketed ipv6") << commandLine({ "[::1]:4000" }) << "[::1]:4000"
                                    << ""
                                    << ""
                                    << "" << -1 << none;
    QTest::newRow("url") << commandLine({ "http://chat.example.org:8080/" })
                         << "chat.example.org:8080"
                         << ""
                         << ""
                         << "" << -1 << none;
    QTest::newRow("connect name room")
        << commandLine({ "--connect", "h:1", "--name", "ana", "--room", "lab" }) << "h:1"
        << "ana"
        << "lab"
        << "" << -1 << none;
    QTest::newRow("--name=ana") << commandLine({ "--name=ana" }) << ""
                                << "ana"
                                << ""
                                << "" << -1 << none;
    QTest::newRow("name trimmed") << commandLine({ "--name", "  José  " }) << ""
                                  << "José"
                                  << ""
                                  << "" << -1 << none;
    QTest::newRow("-name is ours, not WM_CLASS") << commandLine({ "-name", "ana" }) << ""
                                                 << "ana"
                                                 << ""
                                                 << "" << -1 << none;
    QTest::newRow("-platform xcb --name ana")
        << commandLine({ "-platform", "xcb", "--name", "ana" }) << ""
        << "ana"
        << ""
        << "" << -1 << QStringList { u"-platform"_s, u"xcb"_s };
    QTest::newRow("-display :99") << commandLine({ "-display", ":99", "localhost" })
                                  << "localhost:3550"
                                  << ""
                                  << ""
                                  << "" << -1 << QStringList { u"-display"_s, u":99"_s };
    QTest::newRow("--platform with two dashes")
        << commandLine({ "--platform", "offscreen" }) << ""
        << ""
        << ""
        << "" << -1 << QStringList { u"--platform"_s, u"offscreen"_s };
    QTest::newRow("-style=fusion keeps its value")
        << commandLine({ "-style=fusion", "localhost" }) << "localhost:3550"
        << ""
        << ""
        << "" << -1 << QStringList { u"-style=fusion"_s };
    QTest::newRow("-reverse takes no value")
        << commandLine({ "-reverse", "localhost" }) << "localhost:3550"
        << ""
        << ""
        << "" << -1 << QStringList { u"-reverse"_s };
    QTest::newRow("qt options keep their order")
        << commandLine({ "-style", "fusion", "--room", "lab", "-geometry", "640x480+0+0" }) << ""
        << ""
        << "lab"
        << "" << -1 << QStringList { u"-style"_s, u"fusion"_s, u"-geometry"_s, u"640x480+0+0"_s };
    QTest::newRow("--lang es") << commandLine({ "--lang", "es" }) << ""
                               << ""
                               << ""
                               << "es" << -1 << none;
    QTest::newRow("--lang=EN") << commandLine({ "--lang=EN" }) << ""
                               << ""
                               << ""
                               << "en" << -1 << none;
    QTest::newRow("--poll-interval") << commandLine({ "--poll-interval", "250" }) << ""
                                     << ""
                                     << ""
                                     << "" << 250 << none;
    QTest::newRow("--poll-interval lowest") << commandLine({ "--poll-interval=100" }) << ""
                                            << ""
                                            << ""
                                            << "" << 100 << none;
    QTest::newRow("--poll-interval highest") << commandLine({ "--poll-interval", "600000" }) << ""
                                             << ""
                                             << ""
                                             << "" << 600000 << none;
    QTest::newRow("after --, a dash is positional")
        << commandLine({ "--", "localhost", "3552" }) << "localhost:3552"
        << ""
        << ""
        << "" << -1 << none;
}

void TestLaunchOptions::splitsOurOptionsFromQts()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, server);
    QFETCH(QString, name);
    QFETCH(QString, room);
    QFETCH(QString, language);
    QFETCH(int, pollIntervalMs);
    QFETCH(QStringList, qtArguments);

    const LaunchRequest request = parseLaunchArguments(arguments);
    QVERIFY2(request.action == Action::Run, qPrintable(request.message));
    QCOMPARE(request.options.server ? request.options.server->toString() : QString(), server);
    QCOMPARE(request.options.name, name);
    QCOMPARE(request.options.room, room);
    QCOMPARE(request.options.language, language);
    QCOMPARE(request.options.pollIntervalMs.value_or(-1), pollIntervalMs);
    QCOMPARE(request.qtArguments, QStringList { arguments.first() } + qtArguments);
}

void TestLaunchOptions::refusesBadCommandLines_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("mentions"); // what the message must point at

    QTest::newRow("--lang fr") << commandLine({ "--lang", "fr" }) << "'fr'";
    QTest::newRow("port 0") << commandLine({ "localhost", "0" }) << "'0'";
    QTest::newRow("port too big") << commandLine({ "localhost", "65536" }) << "'65536'";
    QTest::newRow("port not a number") << commandLine({ "localhost", "http" }) << "'http'";
    QTest::newRow("bad port in HOST:PORT")
        << commandLine({ "localhost:99999" }) << "'localhost:99999'";
    QTest::newRow("port twice") << commandLine({ "localhost:1", "2" }) << "'localhost:1'";
    QTest::newRow("https with a path") << commandLine({ "https://chat.example.org/chat" })
                                       << "'https://chat.example.org/chat'";
    QTest::newRow("bad --connect") << commandLine({ "--connect", "h:0" }) << "'h:0'";
    QTest::newRow("--connect and HOST") << commandLine({ "--connect", "h:1", "g" }) << "--connect";
    QTest::newRow("too many arguments") << commandLine({ "h", "1", "extra" }) << "HOST and PORT";
    QTest::newRow("bad room") << commandLine({ "--room", "Lab" }) << "'Lab'";
    QTest::newRow("empty name") << commandLine({ "--name", "  " }) << "--name";
    QTest::newRow("name too long")
        << commandLine({ "--name", "abcdefghijklmnopqrstuvwxyz0123456" }) << "--name";
    QTest::newRow("poll interval too short") << commandLine({ "--poll-interval", "99" }) << "'99'";
    QTest::newRow("poll interval too long")
        << commandLine({ "--poll-interval", "600001" }) << "'600001'";
    QTest::newRow("poll interval not a number")
        << commandLine({ "--poll-interval", "1s" }) << "'1s'";
    QTest::newRow("unknown option") << commandLine({ "--nmae", "ana" }) << "'--nmae'";
    QTest::newRow("unknown single-dash option") << commandLine({ "-x" }) << "'-x'";
    QTest::newRow("missing value") << commandLine({ "--room", "lab", "--name" }) << "--name";
    QTest::newRow("value for a flag") << commandLine({ "--help=yes" }) << "help";
    QTest::newRow("--password-file without a file")
        << commandLine({ "localhost", "--password-file" }) << "--password-file";
}

void TestLaunchOptions::refusesBadCommandLines()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, mentions);

    const LaunchRequest request = parseLaunchArguments(arguments);
    QCOMPARE(int(request.action), int(Action::Fail));
    QVERIFY2(request.message.contains(mentions), qPrintable(request.message));
    QVERIFY2(!request.message.contains(u'\n'), "an error is one line");
}

void TestLaunchOptions::showsHelpAndVersion_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("action");
    QTest::addColumn<QStringList>("mentions");

    const QStringList help { u"Usage: chatapp "_s, u"--connect <HOST:PORT>"_s,
        u"--poll-interval <MS>"_s, u"--lang"_s, u"--password-file <FILE>"_s, u"-platform"_s };
    const QStringList version { QStringLiteral("chatapp " CHATAPP_VERSION) };
    QTest::newRow("--help") << commandLine({ "--help" }) << int(Action::ShowHelp) << help;
    QTest::newRow("-h") << commandLine({ "-h" }) << int(Action::ShowHelp) << help;
    QTest::newRow("help wins over a bad value")
        << commandLine({ "--lang", "fr", "--help" }) << int(Action::ShowHelp) << help;
    QTest::newRow("--version") << commandLine({ "--version" }) << int(Action::ShowVersion)
                               << version;
    QTest::newRow("-v") << commandLine({ "-v" }) << int(Action::ShowVersion) << version;
}

void TestLaunchOptions::showsHelpAndVersion()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, action);
    QFETCH(QStringList, mentions);

    const LaunchRequest request = parseLaunchArguments(arguments);
    QCOMPARE(int(request.action), action);
    for (const QString &text : mentions)
        QVERIFY2(request.message.contains(text), qPrintable(request.message));
}

void TestLaunchOptions::readsThePasswordFile_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("password");

    QTest::newRow("echo secret > file") << QByteArray("secret\n") << u"secret"_s;
    QTest::newRow("no line break") << QByteArray("secret") << u"secret"_s;
    QTest::newRow("CRLF") << QByteArray("secret\r\n") << u"secret"_s;
    QTest::newRow("only the first line") << QByteArray("first\nsecond\n") << u"first"_s;
    QTest::newRow("spaces are part of it") << QByteArray(" two words \n") << u" two words "_s;
    QTest::newRow("UTF-8") << QByteArray("contraseña\n") << u"contraseña"_s;
    QTest::newRow("longest") << QByteArray(1024, 'p') << QString(1024, u'p');
}

void TestLaunchOptions::readsThePasswordFile()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, password);
    QTemporaryDir directory;
    const QString path = fileWith(directory, content);
    QVERIFY(!path.isEmpty());

    for (const QStringList &arguments :
         { QStringList { u"chatapp"_s, u"--password-file"_s, path, u"localhost"_s },
             QStringList { u"chatapp"_s, u"--password-file="_s + path } }) {
        const LaunchRequest request = parseLaunchArguments(arguments);
        QVERIFY2(request.action == Action::Run, qPrintable(request.message));
        QCOMPARE(request.options.password, password);
    }
    QVERIFY(parseLaunchArguments(commandLine({ "localhost" })).options.password.isEmpty());
}

void TestLaunchOptions::refusesBadPasswordFiles_data()
{
    QTest::addColumn<QByteArray>("content"); // null: the file does not exist
    QTest::addColumn<QString>("mentions");

    QTest::newRow("missing") << QByteArray() << u"Cannot read"_s;
    QTest::newRow("empty") << QByteArray("") << u"is empty"_s;
    QTest::newRow("empty first line") << QByteArray("\nsecret\n") << u"is empty"_s;
    QTest::newRow("too long") << QByteArray(1025, 'p') << u"1024"_s;
}

void TestLaunchOptions::refusesBadPasswordFiles()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, mentions);
    QTemporaryDir directory;
    const QString path = content.isNull() ? directory.filePath(u"absent"_s) : fileWith(directory, content);
    QVERIFY(!path.isEmpty());

    const LaunchRequest request
        = parseLaunchArguments({ u"chatapp"_s, u"--password-file"_s, path, u"localhost"_s });
    QCOMPARE(int(request.action), int(Action::Fail));
    QVERIFY2(request.message.contains(mentions), qPrintable(request.message));
    QVERIFY2(request.message.contains(path), qPrintable(request.message));
    QVERIFY2(!request.message.contains(u'\n'), "an error is one line");
    QVERIFY(request.options.password.isEmpty());
}

QTEST_APPLESS_MAIN(TestLaunchOptions)
#include "tst_launchoptions.moc"
