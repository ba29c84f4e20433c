// The window and an HTTPS server (--tls-cert) with a self-signed certificate made here by
// openssl: trusted through --ca-file, the window chats as over plain HTTP; without it,
// the window says the certificate is not trusted and sends nothing.

#include "ui/clientcommand.h"
#include "windowdriver.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>

namespace {
constexpr int deliveryTimeoutMs = 10000;

// What `chatapp https://127.0.0.1:PORT --name NAME [--ca-file FILE]` would open.
std::unique_ptr<MainWindow> openFromCommandLine(const QStringList &arguments)
{
    const LaunchRequest request = parseLaunchArguments(QStringList{QStringLiteral("chatapp")} + arguments);
    if (request.action != LaunchRequest::Action::Run) {
        qWarning("the command line was refused: %s", qPrintable(request.message));
        return nullptr;
    }
    const ChatConfig config = chatConfigFor(*request.options.server, request.options.name,
                                            QStringLiteral("lab"), request.options);
    auto window = std::make_unique<MainWindow>(config);
    window->resize(900, 640);
    window->show();
    return window;
}

} // namespace

class TestTls : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void aTrustedCertificateCarriesTheChat();
    void anUntrustedCertificateIsShownAndNothingIsSent();
    void aCaFileWithoutCertificatesIsRefused();

private:
    QString address() const { return QStringLiteral("https://127.0.0.1:%1").arg(m_server.port()); }

    QTemporaryDir m_folder;
    QString m_certificate;
    ServerProcess m_server;
};

void TestTls::initTestCase()
{
    QVERIFY(m_folder.isValid());
    m_certificate = m_folder.filePath(QStringLiteral("cert.pem"));
    const QString key = m_folder.filePath(QStringLiteral("key.pem"));
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                   QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                   QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                   QStringLiteral("-keyout"), key, QStringLiteral("-out"), m_certificate,
                   QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                   QStringLiteral("/CN=chatapp test"), QStringLiteral("-addext"),
                   QStringLiteral("subjectAltName=IP:127.0.0.1")});
    QSignalSpy finished(&openssl, &QProcess::finished);
    QVERIFY2(finished.wait(30000), "openssl did not finish");
    QCOMPARE(openssl.exitCode(), 0);
    QVERIFY(m_server.start({QStringLiteral("--tls-cert"), m_certificate, QStringLiteral("--tls-key"), key}));
    QCOMPARE(m_server.baseUrl().scheme(), QStringLiteral("https"));
}

void TestTls::aTrustedCertificateCarriesTheChat()
{
    const auto window = openFromCommandLine({address(), QStringLiteral("--name"), QStringLiteral("ana"),
                                             QStringLiteral("--ca-file"), m_certificate});
    QVERIFY(window);
    QStringList shown;
    recordStatusBar(*window, shown);
    QTRY_VERIFY_WITH_TIMEOUT(!shown.filter(QStringLiteral("→ 200 OK")).isEmpty(), deliveryTimeoutMs);
    typeAndSend(*window, QStringLiteral("sobre TLS"));
    QTRY_VERIFY_WITH_TIMEOUT(!shown.filter(QStringLiteral("POST /api/v1/rooms/lab/messages → 201 Created")).isEmpty(),
                             deliveryTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(occurrences(*window, QStringLiteral("sobre TLS")), 1, deliveryTimeoutMs);
    QVERIFY(!connectionText(*window).contains(QStringLiteral("certificate")));
}

void TestTls::anUntrustedCertificateIsShownAndNothingIsSent()
{
    const auto window = openFromCommandLine({address(), QStringLiteral("--name"), QStringLiteral("bea")});
    QVERIFY(window);
    QTRY_VERIFY_WITH_TIMEOUT(connectionText(*window).contains(QStringLiteral("certificate is not trusted")),
                             deliveryTimeoutMs);
    QVERIFY2(connectionText(*window).contains(QStringLiteral("--ca-file")), qPrintable(connectionText(*window)));
    QVERIFY2(statusBarText(*window).contains(QStringLiteral("certificate not trusted")),
             qPrintable(statusBarText(*window)));
    QStringList posts;
    connect(apiClientOf(*window), &ApiClient::exchangeFinished, this, [&posts](const Exchange &exchange) {
        if (exchange.method == "POST")
            posts.append(exchange.summary());
    });
    typeAndSend(*window, QStringLiteral("no debe llegar"));
    QTRY_VERIFY_WITH_TIMEOUT(!posts.isEmpty(), deliveryTimeoutMs);
    QVERIFY2(posts.first().contains(QStringLiteral("certificate not trusted")), qPrintable(posts.first()));

    // What the server holds, asked by a window that trusts it.
    const auto trusting = openFromCommandLine({address(), QStringLiteral("--name"), QStringLiteral("eva"),
                                               QStringLiteral("--ca-file"), m_certificate});
    QTRY_VERIFY_WITH_TIMEOUT(statusBarText(*trusting).contains(QStringLiteral("→ 200 OK")), deliveryTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*trusting).contains(QStringLiteral("sobre TLS")), deliveryTimeoutMs);
    QVERIFY(!messageListText(*trusting).contains(QStringLiteral("no debe llegar")));
}

void TestTls::aCaFileWithoutCertificatesIsRefused()
{
    const QString notACertificate = m_folder.filePath(QStringLiteral("not-a-cert.pem"));
    QFile file(notACertificate);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("hello\n");
    file.close();
    const LaunchRequest request = parseLaunchArguments(
        {QStringLiteral("chatapp"), address(), QStringLiteral("--ca-file"), notACertificate});
    QCOMPARE(request.action, LaunchRequest::Action::Fail);
    QVERIFY2(request.message.contains(QStringLiteral("no PEM certificate")), qPrintable(request.message));
}

QTEST_MAIN(TestTls)
#include "tst_tls.moc"
