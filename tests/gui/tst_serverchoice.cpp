// Which server and which name: a wrong address says so and offers another server, the
// server going away shows above the messages at any width, and the name changes
// without quitting.

#include "client/chatclient.h"
#include "client/chosenname.h"
#include "client/messagemodel.h"
#include "roomcontent.h"
#include "settingssandbox.h"
#include "ui/translations.h"
#include "windowdriver.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QInputDialog>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QSpinBox>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

namespace {
constexpr int deliveryTimeoutMs = 10000;

quint16 portNobodyListensOn()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost);
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

// Runs `fill` on the modal dialog of type T once it is open, from inside its event loop.
template<typename T, typename Fill>
void whenDialogOpens(QObject *context, Fill fill)
{
    QTimer *poll = new QTimer(context);
    QObject::connect(poll, &QTimer::timeout, context, [poll, fill] {
        if (auto *dialog = qobject_cast<T *>(QApplication::activeModalWidget())) {
            poll->deleteLater();
            fill(dialog);
        }
    });
    poll->start(20);
}
} // namespace

class TestServerChoice : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void wrongPortSaysSoAndOffersAnotherServer();
    void offlineShowsAboveTheMessagesInANarrowWindow();
    void nameChangesWithoutQuitting();

private:
    QString freshRoom();

    QTemporaryDir m_settingsDir;
    ServerProcess m_server;
    QNetworkAccessManager m_nam;
    int m_roomCounter = 0;
};

void TestServerChoice::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    QVERIFY(sandboxSettings(m_settingsDir.path()));
    QCOMPARE(installTranslations(*QCoreApplication::instance(), QStringLiteral("en")), QStringLiteral("en"));
    QVERIFY2(m_server.start(), m_server.stderrOutput().constData());
}

void TestServerChoice::cleanupTestCase()
{
    m_server.stop();
}

void TestServerChoice::init()
{
    if (!m_server.isRunning())
        QVERIFY(m_server.start());
}

QString TestServerChoice::freshRoom()
{
    return QStringLiteral("choice%1-%2").arg(++m_roomCounter).arg(QCoreApplication::applicationPid());
}

void TestServerChoice::wrongPortSaysSoAndOffersAnotherServer()
{
    ChatConfig config;
    const quint16 deadPort = portNobodyListensOn();
    config.serverUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(deadPort));
    config.serverLabel = QStringLiteral("127.0.0.1:%1").arg(deadPort);
    config.name = QStringLiteral("ana");
    MainWindow window(config);
    window.resize(900, 600);
    window.show();

    auto *banner = window.findChild<QWidget *>(QStringLiteral("connectionBanner"));
    auto *bannerText = window.findChild<QLabel *>(QStringLiteral("connectionBannerText"));
    auto *button = window.findChild<QAbstractButton *>(QStringLiteral("connectionBannerButton"));
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), deliveryTimeoutMs);
    QVERIFY2(bannerText->text().contains(QStringLiteral("Nothing answers at 127.0.0.1:%1").arg(deadPort)),
             qPrintable(bannerText->text()));
    QVERIFY(button->isVisible());
    // Not the welcome of an empty room: nothing was read. Nor an error under the list:
    // the banner says it, once.
    QVERIFY(!messageListText(window).contains(QStringLiteral("Say hello")));
    QVERIFY(!window.findChild<QLabel *>(QStringLiteral("sendError"))->isVisible());

    const QString room = freshRoom();
    whenDialogOpens<QDialog>(this, [this, room](QDialog *dialog) {
        dialog->findChild<QLineEdit *>(QStringLiteral("serverEdit"))->setText(QStringLiteral("127.0.0.1"));
        dialog->findChild<QSpinBox *>(QStringLiteral("portSpin"))->setValue(m_server.port());
        dialog->findChild<QLineEdit *>(QStringLiteral("roomEdit"))->setText(room);
        dialog->accept();
    });
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(window.client()->config().serverLabel, QStringLiteral("127.0.0.1:%1").arg(m_server.port()));
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(window).contains(QStringLiteral("No messages in #") + room), deliveryTimeoutMs);
    QTRY_VERIFY(!banner->isVisible());
    QVERIFY(window.windowTitle().contains(QString::number(m_server.port())));
    typeAndSend(window, QStringLiteral("found it"));
    QTRY_COMPARE_WITH_TIMEOUT(storedMessages(m_nam, m_server, room).size(), 1, deliveryTimeoutMs);
}

void TestServerChoice::offlineShowsAboveTheMessagesInANarrowWindow()
{
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), freshRoom());
    ana->resize(520, 420);
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("Say hello")), deliveryTimeoutMs);
    auto *banner = ana->findChild<QWidget *>(QStringLiteral("connectionBanner"));
    auto *bannerText = ana->findChild<QLabel *>(QStringLiteral("connectionBannerText"));
    QVERIFY(!banner->isVisible());

    QVERIFY(m_server.stop());
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), deliveryTimeoutMs);
    QVERIFY(bannerText->text().startsWith(QStringLiteral("Offline")));
    // The room was empty, but nobody can say hello to a server that is away.
    QVERIFY(!messageListText(*ana).contains(QStringLiteral("Say hello")));
    // All of it can be read in a window this narrow: the label wraps instead of cutting.
    QVERIFY(bannerText->wordWrap());
    QTRY_VERIFY(bannerText->height() >= bannerText->heightForWidth(bannerText->width()));
    QVERIFY(bannerText->geometry().right() <= ana->width());

    QVERIFY(m_server.start());
    QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), 2500);
}

void TestServerChoice::nameChangesWithoutQuitting()
{
    const QString room = freshRoom();
    auto window = openChatWindow(m_server, QStringLiteral("ana"), room);
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*window).contains(QStringLiteral("Say hello")), deliveryTimeoutMs);
    whenDialogOpens<QInputDialog>(this, [](QInputDialog *dialog) {
        dialog->setTextValue(QStringLiteral("ana maría"));
        dialog->accept();
    });
    window->findChild<QAction *>(QStringLiteral("changeNameAction"))->trigger();
    QVERIFY(window->windowTitle().contains(QStringLiteral("ana maría")));
    typeAndSend(*window, QStringLiteral("new name, same me"));
    QTRY_COMPARE_WITH_TIMEOUT(window->client()->pendingCount(), 0, deliveryTimeoutMs);
    const HttpReply page = request(m_nam, "GET", m_server.url(QStringLiteral("/api/v1/rooms/%1/messages").arg(room)));
    QCOMPARE(page.json.value(QLatin1String("messages")).toArray().first().toObject().value(QLatin1String("author")).toString(),
             QStringLiteral("ana maría"));
    // The next start without --name uses it.
    QCOMPARE(chosenName(QString()), QStringLiteral("ana maría"));
}

QTEST_MAIN(TestServerChoice)
#include "tst_serverchoice.moc"
