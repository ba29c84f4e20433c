// Typing (issue 15) between two chat windows on a real `chatapp --serve`: what is typed
// in one is said in the other, under its messages, and goes when it is sent or stops.

#include "client/chatclient.h"
#include "client/directory.h"
#include "httpclient.h"
#include "server/typingboard.h"
#include "ui/translations.h"
#include "windowdriver.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>

namespace {
constexpr int loadTimeoutMs = 10000;
// Who is typing comes with the members, asked for every Directory::typingRefreshMs while
// a conversation is on; the margin is for a machine loaded by the rest of the suite.
constexpr int typingShownTimeoutMs = Directory::typingRefreshMs + 3000;
// A message reaches the other window with its poll, within a second.
constexpr int messageTimeoutMs = 3000;

QString typingLine(const MainWindow &window)
{
    return window.findChild<QLabel *>(QStringLiteral("typingIndicator"))->text();
}

void typeWithoutSending(const MainWindow &window, const QString &text)
{
    QPlainTextEdit *composer = composerOf(window);
    composer->setFocus();
    QTest::keyClicks(composer, text);
}
} // namespace

class TestTyping : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void typingInOneWindowIsShownInTheOtherUntilSent();
    void typingThatStopsGoesAwayAndManyTypistsAreSeveral();

private:
    QString freshRoom();
    void sayTyping(const QString &room, const QString &name);

    ServerProcess m_server;
    QNetworkAccessManager m_nam;
    int m_roomCounter = 0;
};

void TestTyping::initTestCase()
{
    // As the app does: English comes from its own translation too.
    QCOMPARE(installTranslations(*QCoreApplication::instance(), QStringLiteral("en")), QStringLiteral("en"));
    QVERIFY2(m_server.start(), m_server.stderrOutput().constData());
}

void TestTyping::cleanupTestCase()
{
    m_server.stop();
}

QString TestTyping::freshRoom()
{
    return QStringLiteral("typing%1-%2").arg(++m_roomCounter).arg(QCoreApplication::applicationPid());
}

// Someone typing elsewhere, as a program would say it.
void TestTyping::sayTyping(const QString &room, const QString &name)
{
    const HttpReply reply = request(m_nam, "POST", m_server.url(QStringLiteral("/api/v1/rooms/%1/typing").arg(room)),
                                    "author=" + name.toUtf8(),
                                    {{"Content-Type", "application/x-www-form-urlencoded"}});
    QVERIFY2(reply.status == 204, reply.describe().constData());
}

void TestTyping::typingInOneWindowIsShownInTheOtherUntilSent()
{
    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    auto bea = openChatWindow(m_server, QStringLiteral("bea"), room);
    QTRY_VERIFY_WITH_TIMEOUT(ana->client()->isRoomLoaded() && bea->client()->isRoomLoaded(), loadTimeoutMs);
    QVERIFY(typingLine(*bea).isEmpty());

    typeWithoutSending(*ana, QStringLiteral("hola bea"));
    QElapsedTimer sinceTyped;
    sinceTyped.start();
    QTRY_COMPARE_WITH_TIMEOUT(typingLine(*bea), QStringLiteral("ana is typing…"), typingShownTimeoutMs);
    QVERIFY(bea->findChild<QLabel *>(QStringLiteral("typingIndicator"))->isVisible());
    // Never oneself.
    QVERIFY(typingLine(*ana).isEmpty());

    QTest::keyClick(composerOf(*ana), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*bea).contains(QStringLiteral("hola bea")), messageTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(typingLine(*bea).isEmpty(), messageTimeoutMs);
    QVERIFY2(sinceTyped.elapsed() < TypingBoard::typingLastsMs,
             "too slow to tell the send from the typing running out");
    QVERIFY(typingLine(*ana).isEmpty());
}

void TestTyping::typingThatStopsGoesAwayAndManyTypistsAreSeveral()
{
    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    auto bea = openChatWindow(m_server, QStringLiteral("bea"), room);
    QTRY_VERIFY_WITH_TIMEOUT(ana->client()->isRoomLoaded() && bea->client()->isRoomLoaded(), loadTimeoutMs);

    typeWithoutSending(*bea, QStringLiteral("un momento"));
    sayTyping(room, QStringLiteral("carlos"));
    QTRY_COMPARE_WITH_TIMEOUT(typingLine(*ana), QStringLiteral("bea and carlos are typing…"), typingShownTimeoutMs);
    sayTyping(room, QStringLiteral("dani"));
    QTRY_COMPARE_WITH_TIMEOUT(typingLine(*ana), QStringLiteral("Several people are typing…"), typingShownTimeoutMs);
    // Said again, so that what bea sees is not a race with their first notices running out.
    sayTyping(room, QStringLiteral("carlos"));
    sayTyping(room, QStringLiteral("dani"));
    QTRY_COMPARE_WITH_TIMEOUT(typingLine(*bea), QStringLiteral("carlos and dani are typing…"), typingShownTimeoutMs);

    // Nobody sends; bea's composer still holds her words, but she typed nothing more.
    QTRY_VERIFY_WITH_TIMEOUT(typingLine(*ana).isEmpty(), TypingBoard::typingLastsMs + typingShownTimeoutMs);
    QVERIFY(typingLine(*bea).isEmpty());
    QCOMPARE(composerOf(*bea)->toPlainText(), QStringLiteral("un momento"));
}

QTEST_MAIN(TestTyping)
#include "tst_typing.moc"
