// Signing in to a server started with --password, through the real window: the dialog
// a 401 brings up (once, however many requests got one), a wrong and a right password, a
// message that waits for the sign-in, a remembered token, signing out, --password-file,
// too many wrong passwords, and no secret where it could leak.

#include "client/launchoptions.h"
#include "client/session.h"
#include "httpclient.h"
#include "settingssandbox.h"
#include "ui/translations.h"
#include "windowdriver.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDirIterator>
#include <QFileInfo>
#include <QJsonArray>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTreeView>

namespace {
constexpr int deliveryTimeoutMs = 10000;
const QString password = QStringLiteral("correct horse battery staple");
const QString wrongPassword = QStringLiteral("tr0ub4dor-and-3");

// Everything the test process logged (qDebug, qWarning, ...), to look for secrets in.
QStringList logged;
QtMessageHandler previousHandler = nullptr;

void recordLog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    logged.append(message);
    previousHandler(type, context, message);
}

// Counts the times a password dialog appeared, in any window: "asked once" is a count.
class DialogShows : public QObject
{
public:
    int count = 0;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Show && watched->objectName() == u"passwordDialog")
            ++count;
        return false;
    }
};

// The password dialog on screen, or null, found the way a person finds it: the modal
// window in front.
QDialog *shownPasswordDialog()
{
    QWidget *modal = QApplication::activeModalWidget();
    if (modal && modal->objectName() == u"passwordDialog" && modal->isVisible())
        return qobject_cast<QDialog *>(modal);
    return nullptr;
}

bool passwordDialogIsOpen()
{
    for (QWidget *widget : QApplication::topLevelWidgets()) {
        if (widget->objectName() == u"passwordDialog" && widget->isVisible())
            return true;
    }
    return false;
}

QString dialogMessage(QDialog *dialog)
{
    auto *label = dialog->findChild<QLabel *>(QStringLiteral("messageLabel"));
    return label->isVisible() ? label->text() : QString();
}

// Types `typed` into the dialog and presses Enter, ticking "Remember" as asked.
void answer(QDialog *dialog, const QString &typed, bool remember = false)
{
    auto *edit = dialog->findChild<QLineEdit *>(QStringLiteral("passwordEdit"));
    auto *check = dialog->findChild<QCheckBox *>(QStringLiteral("rememberCheck"));
    QVERIFY(edit && check);
    QCOMPARE(edit->echoMode(), QLineEdit::Password);
    QVERIFY2(edit->text().isEmpty(), "the last password is still in the field");
    if (check->isChecked() != remember)
        QTest::keyClick(check, Qt::Key_Space);
    QCOMPARE(check->isChecked(), remember);
    QTest::keyClicks(edit, typed);
    QTest::keyClick(edit, Qt::Key_Return);
}

// Whether a poll of `room` was answered 200: the window got in. (The message list says
// "No messages" before any poll, so it proves nothing.)
bool pollAnswered(const QStringList &shown, const QString &room)
{
    return !shown.filter(QStringLiteral("GET /api/v1/rooms/%1/messages").arg(room))
                .filter(QStringLiteral("→ 200 OK"))
                .isEmpty();
}

// Every cell of the Protocol panel, and what it shows of each exchange when selected.
QStringList protocolPanelText(const MainWindow &window)
{
    QStringList texts;
    auto *table = window.findChild<QTreeView *>(QStringLiteral("protocolTable"));
    auto *details = window.findChild<QPlainTextEdit *>(QStringLiteral("protocolDetails"));
    const QAbstractItemModel *model = table->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        for (int column = 0; column < model->columnCount(); ++column)
            texts.append(model->index(row, column).data().toString());
        table->setCurrentIndex(model->index(row, 0));
        texts.append(details->toPlainText());
    }
    return texts;
}

QAction *actionOf(const MainWindow &window, const char *name)
{
    return window.findChild<QAction *>(QLatin1StringView(name));
}
} // namespace

class TestSignIn : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void firstUnauthorizedAsksOnceThenWrongAndRightPassword();
    void cancelThenSignInDeliversAQueuedMessageOnce();
    void rememberedTokenSignsInANewWindowWithoutAsking();
    void refusedRememberedTokenIsForgottenAndAsksAgain();
    void signOutRevokesTheTokenAndTheNext401Asks();
    void passwordFileSignsInWithoutAnyDialog();
    void wrongPasswordFileFallsBackToTheDialog();
    void tooManyWrongPasswordsShowTheServersMessageAndWait();

private:
    QString freshRoom();
    QStringList storedTexts(const QString &room);
    QString tokenKey(const ServerProcess &server) const;
    QString settingsFilesText() const;
    void verifyNoSecretIn(const QStringList &texts, const char *where);
    QString writePasswordFile(const QString &content);

    ServerProcess m_server;
    QNetworkAccessManager m_nam;
    QByteArray m_testToken; // the test's own, for reading what the server stored
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_filesDir;
    DialogShows m_dialogShows;
    int m_roomCounter = 0;
};

void TestSignIn::initTestCase()
{
    QCOMPARE(installTranslations(*QCoreApplication::instance(), QStringLiteral("en")), QStringLiteral("en"));
    previousHandler = qInstallMessageHandler(recordLog);
    QVERIFY(m_settingsDir.isValid() && m_filesDir.isValid());
    QVERIFY(sandboxSettings(m_settingsDir.path()));
    qApp->installEventFilter(&m_dialogShows);

    QVERIFY2(m_server.start({QStringLiteral("--password"), password}), m_server.stderrOutput().constData());
    const HttpReply reply = request(m_nam, "POST", m_server.url(QStringLiteral("/api/v1/sessions")),
                                    jsonBody({{QStringLiteral("password"), password}}),
                                    {{"Content-Type", "application/json"}});
    QVERIFY2(reply.status == 201, reply.describe().constData());
    m_testToken = reply.json.value(QLatin1String("token")).toString().toLatin1();
}

void TestSignIn::cleanupTestCase()
{
    qApp->removeEventFilter(&m_dialogShows);
    verifyNoSecretIn(logged, "the log");
    qInstallMessageHandler(previousHandler);
    m_server.stop();
}

void TestSignIn::init()
{
    QSettings(QStringLiteral("ChatApp"), QStringLiteral("chatapp")).clear();
    m_dialogShows.count = 0;
}

void TestSignIn::cleanup()
{
    verifyNoSecretIn({settingsFilesText()}, "the settings");
}

QString TestSignIn::freshRoom()
{
    return QStringLiteral("signin%1-%2").arg(++m_roomCounter).arg(QCoreApplication::applicationPid());
}

QStringList TestSignIn::storedTexts(const QString &room)
{
    const HttpReply reply = request(
        m_nam, "GET", m_server.url(QStringLiteral("/api/v1/rooms/%1/messages?after=0&limit=1000").arg(room)),
        {}, {{"Authorization", "Bearer " + m_testToken}});
    QStringList texts;
    for (const QJsonValue &value : reply.json.value(QLatin1String("messages")).toArray())
        texts.append(value.toObject().value(QLatin1String("text")).toString());
    return texts;
}

QString TestSignIn::tokenKey(const ServerProcess &server) const
{
    return QStringLiteral("sessions/127.0.0.1:%1").arg(server.port());
}

QString TestSignIn::settingsFilesText() const
{
    QString text;
    QDirIterator files(m_settingsDir.path(), QDir::Files, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        QFile file(files.next());
        if (file.open(QIODevice::ReadOnly))
            text += QString::fromUtf8(file.readAll());
    }
    return text;
}

void TestSignIn::verifyNoSecretIn(const QStringList &texts, const char *where)
{
    for (const QString &text : texts) {
        for (const QString &secret : {password, wrongPassword}) {
            if (text.contains(secret))
                QFAIL(qPrintable(QStringLiteral("a password in %1: %2").arg(QLatin1StringView(where), text)));
        }
    }
}

QString TestSignIn::writePasswordFile(const QString &content)
{
    const QString path = m_filesDir.filePath(QStringLiteral("password-%1").arg(++m_roomCounter));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content.toUtf8()) < 0)
        return {};
    return path;
}

void TestSignIn::firstUnauthorizedAsksOnceThenWrongAndRightPassword()
{
    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    QStringList shown;
    recordStatusBar(*ana, shown);
    // The dialog is one and stays open, so a second question would not show it again;
    // it would wipe what the person was typing.
    QSignalSpy questions(ana->findChild<Session *>(), &Session::passwordNeeded);

    QTRY_VERIFY_WITH_TIMEOUT(shownPasswordDialog(), deliveryTimeoutMs);
    QDialog *dialog = shownPasswordDialog();
    QCOMPARE(dialog->parentWidget(), ana.get());
    QCOMPARE(dialogMessage(dialog), QString());
    QVERIFY2(connectionText(*ana).contains(QStringLiteral("Signing in")), qPrintable(connectionText(*ana)));
    // The PUT of the room, the room list, then the poll and the members: four 401s, one question.
    QTRY_VERIFY_WITH_TIMEOUT(shown.filter(QStringLiteral("→ 401 ")).size() >= 4, deliveryTimeoutMs);
    QCOMPARE(m_dialogShows.count, 1);
    QCOMPARE(questions.size(), 1);

    answer(dialog, wrongPassword);
    QTRY_VERIFY_WITH_TIMEOUT(!shown.filter(QStringLiteral("POST /api/v1/sessions → 401 ")).isEmpty(),
                             deliveryTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(shownPasswordDialog(), deliveryTimeoutMs);
    QCOMPARE(dialogMessage(shownPasswordDialog()), QStringLiteral("The password is not right."));
    QCOMPARE(m_dialogShows.count, 2);
    QCOMPARE(questions.size(), 2);

    answer(shownPasswordDialog(), password);
    QTRY_VERIFY_WITH_TIMEOUT(!shown.filter(QStringLiteral("POST /api/v1/sessions → 201 Created · ")).isEmpty(),
                             deliveryTimeoutMs);
    QVERIFY(!passwordDialogIsOpen());
    QTRY_VERIFY_WITH_TIMEOUT(pollAnswered(shown, room), deliveryTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(connectionText(*ana).startsWith(QStringLiteral("ana at ")), deliveryTimeoutMs);
    QCOMPARE(m_dialogShows.count, 2);
    QCOMPARE(questions.size(), 2);
    QVERIFY(!actionOf(*ana, "signInAction")->isEnabled());
    QVERIFY(actionOf(*ana, "signOutAction")->isEnabled());
    // Not remembered unless asked.
    QVERIFY(!QSettings(QStringLiteral("ChatApp"), QStringLiteral("chatapp")).contains(tokenKey(m_server)));

    verifyNoSecretIn(shown, "the status bar");
    const QStringList panel = protocolPanelText(*ana);
    verifyNoSecretIn(panel, "the Protocol panel");
    // The sign-in's answer and every request after it carry the token.
    const QByteArray token = apiClientOf(*ana)->token();
    QVERIFY(!token.isEmpty());
    QVERIFY2(!panel.join(u'\n').contains(QString::fromLatin1(token)), "the token in the Protocol panel");
    QVERIFY2(panel.join(u'\n').contains(QStringLiteral("Authorization: Bearer ")), qPrintable(panel.join(u'\n')));
}

void TestSignIn::cancelThenSignInDeliversAQueuedMessageOnce()
{
    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    QStringList shown;
    recordStatusBar(*ana, shown);
    QSignalSpy questions(ana->findChild<Session *>(), &Session::passwordNeeded);

    QTRY_VERIFY_WITH_TIMEOUT(shownPasswordDialog(), deliveryTimeoutMs);
    QDialog *dialog = shownPasswordDialog();
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Cancel)->click();
    QTRY_VERIFY(!passwordDialogIsOpen());
    QVERIFY(ana->isVisible());
    QVERIFY2(connectionText(*ana).contains(QStringLiteral("Not signed in")), qPrintable(connectionText(*ana)));
    QVERIFY(actionOf(*ana, "signInAction")->isEnabled());
    // Nothing was read: the list says how to read it, not that the room is empty.
    QVERIFY2(messageListText(*ana).contains(QStringLiteral("Sign in to read #") + room), qPrintable(messageListText(*ana)));
    QVERIFY(!messageListText(*ana).contains(QStringLiteral("Say hello")));

    const QString text = QStringLiteral("typed before signing in");
    typeAndSend(*ana, text);
    QTRY_VERIFY_WITH_TIMEOUT(
        !shown.filter(QStringLiteral("POST /api/v1/rooms/%1/messages → 401 ").arg(room)).isEmpty(),
        deliveryTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("waiting for you to sign in")),
                             deliveryTimeoutMs);
    QVERIFY(messageListText(*ana).contains(text));
    QVERIFY(composerOf(*ana)->toPlainText().isEmpty());
    QVERIFY(!ana->findChild<QLabel *>(QStringLiteral("sendError"))->isVisible());
    // Cancel means cancel: the send's 401 does not bring the dialog back, and the poller
    // is not hammering the server with requests bound to fail.
    QVERIFY(!passwordDialogIsOpen());
    QCOMPARE(m_dialogShows.count, 1);
    QCOMPARE(questions.size(), 1);
    QCOMPARE(shown.filter(QStringLiteral("GET /api/v1/rooms/%1/messages").arg(room)).size(), 1);
    QVERIFY(storedTexts(room).isEmpty());

    actionOf(*ana, "signInAction")->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(shownPasswordDialog(), deliveryTimeoutMs);
    answer(shownPasswordDialog(), password);
    QTRY_COMPARE_WITH_TIMEOUT(storedTexts(room), QStringList{text}, deliveryTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!messageListText(*ana).contains(QStringLiteral("waiting for you")),
                             deliveryTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(occurrences(*ana, text), 1, deliveryTimeoutMs);
    QVERIFY(!shown.filter(QStringLiteral("POST /api/v1/rooms/%1/messages → 201 Created").arg(room)).isEmpty());
    QCOMPARE(storedTexts(room), QStringList{text});
}

void TestSignIn::rememberedTokenSignsInANewWindowWithoutAsking()
{
    const QString room = freshRoom();
    {
        auto first = openChatWindow(m_server, QStringLiteral("ana"), room);
        QStringList shown;
        recordStatusBar(*first, shown);
        QTRY_VERIFY_WITH_TIMEOUT(shownPasswordDialog(), deliveryTimeoutMs);
        answer(shownPasswordDialog(), password, true);
        QTRY_VERIFY_WITH_TIMEOUT(pollAnswered(shown, room), deliveryTimeoutMs);
        typeAndSend(*first, QStringLiteral("said before the restart"));
        QTRY_COMPARE_WITH_TIMEOUT(storedTexts(room).size(), 1, deliveryTimeoutMs);
        const QSettings settings(QStringLiteral("ChatApp"), QStringLiteral("chatapp"));
        QCOMPARE(settings.value(tokenKey(m_server)).toByteArray(), apiClientOf(*first)->token());
        QCOMPARE(QFileInfo(settings.fileName()).permissions() & ~(QFile::ReadUser | QFile::WriteUser),
                 QFile::ReadOwner | QFile::WriteOwner);
    }
    m_dialogShows.count = 0;

    auto second = openChatWindow(m_server, QStringLiteral("ana"), room);
    QStringList shown;
    recordStatusBar(*second, shown);
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*second).contains(QStringLiteral("said before the restart")),
                             deliveryTimeoutMs);
    QCOMPARE(m_dialogShows.count, 0);
    QVERIFY2(shown.filter(QStringLiteral("→ 401 ")).isEmpty(), qPrintable(shown.join(u'\n')));
    QVERIFY(shown.filter(QStringLiteral("/api/v1/sessions")).isEmpty());
    QVERIFY(actionOf(*second, "signOutAction")->isEnabled());
}

void TestSignIn::refusedRememberedTokenIsForgottenAndAsksAgain()
{
    QSettings(QStringLiteral("ChatApp"), QStringLiteral("chatapp"))
        .setValue(tokenKey(m_server), QStringLiteral("revoked-long-ago"));
    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    QStringList shown;
    recordStatusBar(*ana, shown);
    QCOMPARE(apiClientOf(*ana)->token(), QByteArray("revoked-long-ago"));

    QTRY_VERIFY_WITH_TIMEOUT(shownPasswordDialog(), deliveryTimeoutMs);
    QVERIFY2(dialogMessage(shownPasswordDialog()).contains(QStringLiteral("no longer accepts")),
             qPrintable(dialogMessage(shownPasswordDialog())));
    QVERIFY(!QSettings(QStringLiteral("ChatApp"), QStringLiteral("chatapp")).contains(tokenKey(m_server)));
    QVERIFY(apiClientOf(*ana)->token().isEmpty());

    answer(shownPasswordDialog(), password);
    QTRY_VERIFY_WITH_TIMEOUT(pollAnswered(shown, room), deliveryTimeoutMs);
    QCOMPARE(m_dialogShows.count, 1);
    QVERIFY(!QSettings(QStringLiteral("ChatApp"), QStringLiteral("chatapp")).contains(tokenKey(m_server)));
}

void TestSignIn::signOutRevokesTheTokenAndTheNext401Asks()
{
    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    QStringList shown;
    recordStatusBar(*ana, shown);
    QTRY_VERIFY_WITH_TIMEOUT(shownPasswordDialog(), deliveryTimeoutMs);
    answer(shownPasswordDialog(), password, true);
    QTRY_VERIFY_WITH_TIMEOUT(pollAnswered(shown, room), deliveryTimeoutMs);
    const QByteArray token = apiClientOf(*ana)->token();
    QVERIFY(!token.isEmpty());
    const QUrl rooms = m_server.url(QStringLiteral("/api/v1/rooms"));
    QCOMPARE(request(m_nam, "GET", rooms, {}, {{"Authorization", "Bearer " + token}}).status, 200);

    actionOf(*ana, "signOutAction")->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(
        !shown.filter(QStringLiteral("DELETE /api/v1/sessions/current → 204 ")).isEmpty(), deliveryTimeoutMs);
    const HttpReply refused = request(m_nam, "GET", rooms, {}, {{"Authorization", "Bearer " + token}});
    QCOMPARE(refused.status, 401);
    QCOMPARE(refused.errorCode(), QStringLiteral("invalid_token"));
    QVERIFY(apiClientOf(*ana)->token().isEmpty());
    QVERIFY(!QSettings(QStringLiteral("ChatApp"), QStringLiteral("chatapp")).contains(tokenKey(m_server)));
    QVERIFY(!actionOf(*ana, "signOutAction")->isEnabled());

    // The long poll the window had waiting under the token is answered 401 as the token
    // is revoked, and the next one, without a token, asks.
    QTRY_VERIFY_WITH_TIMEOUT(shownPasswordDialog(), deliveryTimeoutMs);
    QCOMPARE(m_dialogShows.count, 2);
    QVERIFY(!shown.filter(QStringLiteral("GET /api/v1/rooms/%1/messages").arg(room))
                 .filter(QStringLiteral("→ 401 "))
                 .isEmpty());
    answer(shownPasswordDialog(), password);
    const QString text = QStringLiteral("sent after signing in again");
    typeAndSend(*ana, text);
    QTRY_COMPARE_WITH_TIMEOUT(storedTexts(room), QStringList{text}, deliveryTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(occurrences(*ana, text), 1, deliveryTimeoutMs);
    QVERIFY(apiClientOf(*ana)->token() != token);
    verifyNoSecretIn(shown, "the status bar");
}

void TestSignIn::passwordFileSignsInWithoutAnyDialog()
{
    const QString file = writePasswordFile(password + u'\n');
    QVERIFY(!file.isEmpty());
    const LaunchRequest launch = parseLaunchArguments(
        {QStringLiteral("chatapp"), QStringLiteral("--password-file"), file,
         QStringLiteral("127.0.0.1:%1").arg(m_server.port())});
    QVERIFY2(launch.action == LaunchRequest::Action::Run, qPrintable(launch.message));

    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room, launch.options.password);
    QStringList shown;
    recordStatusBar(*ana, shown);
    QTRY_VERIFY_WITH_TIMEOUT(pollAnswered(shown, room), deliveryTimeoutMs);
    QVERIFY2(!shown.filter(QStringLiteral("POST /api/v1/sessions → 201 Created")).isEmpty(),
             qPrintable(shown.join(u'\n')));
    QCOMPARE(m_dialogShows.count, 0);
    // Scripted use reads the file every time; nothing needs to be remembered.
    QVERIFY(!QSettings(QStringLiteral("ChatApp"), QStringLiteral("chatapp")).contains(tokenKey(m_server)));
    typeAndSend(*ana, QStringLiteral("from a script"));
    QTRY_COMPARE_WITH_TIMEOUT(storedTexts(room), QStringList{QStringLiteral("from a script")}, deliveryTimeoutMs);
    QCOMPARE(m_dialogShows.count, 0);
}

void TestSignIn::wrongPasswordFileFallsBackToTheDialog()
{
    const QString file = writePasswordFile(wrongPassword + u'\n');
    const LaunchRequest launch = parseLaunchArguments({QStringLiteral("chatapp"), QStringLiteral("--password-file"), file});
    QVERIFY2(launch.action == LaunchRequest::Action::Run, qPrintable(launch.message));

    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room, launch.options.password);
    QStringList shown;
    recordStatusBar(*ana, shown);
    QTRY_VERIFY_WITH_TIMEOUT(shownPasswordDialog(), deliveryTimeoutMs);
    QCOMPARE(dialogMessage(shownPasswordDialog()), QStringLiteral("The password is not right."));
    QVERIFY(!shown.filter(QStringLiteral("POST /api/v1/sessions → 401 ")).isEmpty());
    answer(shownPasswordDialog(), password);
    QTRY_VERIFY_WITH_TIMEOUT(pollAnswered(shown, room), deliveryTimeoutMs);
    QCOMPARE(m_dialogShows.count, 1);
}

void TestSignIn::tooManyWrongPasswordsShowTheServersMessageAndWait()
{
    // Its own server: one wrong password a minute, so the second is refused with 429.
    ServerProcess strict;
    QVERIFY2(strict.start({QStringLiteral("--password"), password, QStringLiteral("--password-attempts"),
                           QStringLiteral("1")}),
             strict.stderrOutput().constData());
    auto ana = openChatWindow(strict, QStringLiteral("ana"), freshRoom());
    QStringList shown;
    recordStatusBar(*ana, shown);
    QTRY_VERIFY_WITH_TIMEOUT(shownPasswordDialog(), deliveryTimeoutMs);
    answer(shownPasswordDialog(), wrongPassword);
    QTRY_VERIFY_WITH_TIMEOUT(shownPasswordDialog() && !dialogMessage(shownPasswordDialog()).isEmpty(),
                             deliveryTimeoutMs);
    answer(shownPasswordDialog(), wrongPassword + u'!');

    QTRY_VERIFY_WITH_TIMEOUT(!shown.filter(QStringLiteral("POST /api/v1/sessions → 429 ")).isEmpty(),
                             deliveryTimeoutMs);
    // The server's own words, with its wait, and no dialog to type into meanwhile.
    QVERIFY2(connectionText(*ana).contains(QStringLiteral("Too many wrong passwords from your address; try again in ")),
             qPrintable(connectionText(*ana)));
    QVERIFY(!passwordDialogIsOpen());
    QCOMPARE(m_dialogShows.count, 2);
    QVERIFY(!actionOf(*ana, "signInAction")->isEnabled());
    QVERIFY(strict.stop());
}

QTEST_MAIN(TestSignIn)
#include "tst_signin.moc"
