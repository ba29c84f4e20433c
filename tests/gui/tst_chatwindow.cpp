// The chat window against a real `chatapp --serve`, driven with key clicks and judged
// by what a person sees: the message list, the composer and the status bar.

#include "client/directory.h"
#include "busyroom.h"
#include "client/roomlistmodel.h"
#include "httpclient.h"
#include "roomcontent.h"
#include "ui/messagelistview.h"
#include "ui/protocolpanel.h"
#include "ui/translations.h"
#include "windowdriver.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QDockWidget>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeView>

namespace {
constexpr int deliveryTimeoutMs = 10000;
// News of other rooms and of who is online (issue 14): within a second, where the room
// list's refresh took up to 10 s (now a minute). It comes with the poll at once; the bound
// has room for a machine loaded by the rest of the suite.
constexpr int roomNewsTimeoutMs = 3000;
// The window retries an absent server with a back-off capped at a few seconds.
constexpr int reconnectTimeoutMs = 30000;

QStringList shownMembers(const MainWindow &window)
{
    QStringList names;
    const QAbstractItemModel *members = listModel(window, QStringLiteral("memberList"));
    for (int i = 0; i < members->rowCount(); ++i)
        names.append(members->index(i, 0).data().toString());
    return names;
}
} // namespace

class TestChatWindow : public QObject
{
    Q_OBJECT

public slots:
    // QDesktopServices' handler for https links, instead of a browser.
    void openUrl(const QUrl &url) { m_openedUrls.append(url); }

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void textTypedInOneWindowAppearsInTheOther();
    void statusBarShowsCreatedAfterSendAndOkAfterPoll();
    void protocolPanelListsExchanges();
    void protocolPanelShowsTheSelectedExchangeWhole();
    void exportActionWritesTheLogAsHar();
    void tooLongTextShowsServerErrorAndKeepsComposerText();
    void shiftEnterStartsNewLine();
    void outboxDeliversOnceAfterServerReturns();
    void scrollingUpLoadsOlderHistory();
    void linksAreClickableAndMarkupIsShownAsText();
    void joiningCreatesRoomAndCountsUnread();
    void keyboardSwitchesRoomsBothWays();
    void errorGoesWhenTheComposerIsEmptied();
    void windowDoesNotShrinkBelowItsLayout();
    void characterCountShowsAsTheLimitNears();
    void onlineListIsReachableWithTab();
    void helpListsTheKeyboardShortcuts();
    void onlineListShowsYouAtOnceAndOthersComeAndGoAtOnce();
    void screenshot();

private:
    QString freshRoom();
    QList<std::pair<qint64, QString>> storedMessages(const QString &room);
    void seed(const QString &room, int count);

    ServerProcess m_server;
    QNetworkAccessManager m_nam;
    QList<QUrl> m_openedUrls; // what a click asked the desktop to open
    int m_roomCounter = 0;
};

void TestChatWindow::initTestCase()
{
    // As the app does: English comes from its own translation too (plural forms).
    QCOMPARE(installTranslations(*QCoreApplication::instance(), QStringLiteral("en")), QStringLiteral("en"));
    QVERIFY2(m_server.start(), m_server.stderrOutput().constData());
}

void TestChatWindow::cleanupTestCase()
{
    m_server.stop();
}

void TestChatWindow::init()
{
    if (!m_server.isRunning())
        QVERIFY(m_server.start());
}

void TestChatWindow::keyboardSwitchesRoomsBothWays()
{
    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    auto *roomList = ana->findChild<QAbstractItemView *>(QStringLiteral("roomList"));
    QAbstractItemModel *rooms = roomList->model();
    QTRY_VERIFY_WITH_TIMEOUT(rooms->rowCount() >= 2 && roomList->currentIndex().isValid(), deliveryTimeoutMs);
    const auto roomAt = [rooms](int row) {
        const int count = rooms->rowCount();
        return rooms->index(((row % count) + count) % count, 0).data(RoomListModel::NameRole).toString();
    };
    const int row = roomList->currentIndex().row();
    QCOMPARE(roomAt(row), room);
    QPlainTextEdit *composer = composerOf(*ana);
    composer->setFocus();
    // Typing in the composer, as one would be when wanting another room.
    const struct
    {
        Qt::Key key;
        Qt::KeyboardModifiers modifiers;
        int step;
    } presses[] = {{Qt::Key_Tab, Qt::ControlModifier, 1},
                   {Qt::Key_Backtab, Qt::ControlModifier | Qt::ShiftModifier, -1},
                   {Qt::Key_PageDown, Qt::ControlModifier, 1},
                   {Qt::Key_PageUp, Qt::ControlModifier, -1},
                   {Qt::Key_Up, Qt::AltModifier, -1},
                   {Qt::Key_Down, Qt::AltModifier, 1}};
    int at = row;
    for (const auto &press : presses) {
        QTest::keyClick(QApplication::focusWidget(), press.key, press.modifiers);
        at += press.step;
        QTRY_COMPARE_WITH_TIMEOUT(ana->currentRoom(), roomAt(at), deliveryTimeoutMs);
    }
    QCOMPARE(ana->currentRoom(), room);
}

void TestChatWindow::errorGoesWhenTheComposerIsEmptied()
{
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), freshRoom());
    QPlainTextEdit *composer = composerOf(*ana);
    composer->setFocus();
    composer->setPlainText(QString(4001, u'x'));
    QTest::keyClick(composer, Qt::Key_Return);
    auto *error = ana->findChild<QLabel *>(QStringLiteral("sendError"));
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), deliveryTimeoutMs);
    QTest::keyClick(composer, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(composer, Qt::Key_Delete);
    QVERIFY(composer->toPlainText().isEmpty());
    QVERIFY(!error->isVisible());
}

void TestChatWindow::windowDoesNotShrinkBelowItsLayout()
{
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), freshRoom());
    ana->resize(300, 200);
    QVERIFY2(ana->width() >= 520 && ana->height() >= 380,
             qPrintable(QStringLiteral("%1x%2").arg(ana->width()).arg(ana->height())));
}

void TestChatWindow::characterCountShowsAsTheLimitNears()
{
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), freshRoom());
    QPlainTextEdit *composer = composerOf(*ana);
    auto *counter = ana->findChild<QLabel *>(QStringLiteral("characterCounter"));
    QVERIFY(counter);
    composer->setFocus();
    QTest::keyClicks(composer, QStringLiteral("hola"));
    QVERIFY(!counter->isVisible()); // no count under every short message
    const QLocale locale;
    // An emoji is one character, as the server counts.
    composer->setPlainText(QString(3598, u'x') + QStringLiteral("😀"));
    QTest::keyClick(composer, Qt::Key_Y);
    QVERIFY(counter->isVisible());
    QCOMPARE(counter->text(), QStringLiteral("%1 / %2").arg(locale.toString(3600), locale.toString(4000)));
    QVERIFY(!counter->styleSheet().contains(QStringLiteral("#b71c1c")));
    composer->setPlainText(QString(4001, u'x'));
    QCOMPARE(counter->text(), QStringLiteral("%1 / %2").arg(locale.toString(4001), locale.toString(4000)));
    QVERIFY(counter->styleSheet().contains(QStringLiteral("#b71c1c")));
    composer->clear();
    QVERIFY(!counter->isVisible());
}

void TestChatWindow::onlineListIsReachableWithTab()
{
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), freshRoom());
    QVERIFY(QTest::qWaitForWindowActive(ana.get()));
    auto *online = ana->findChild<QAbstractItemView *>(QStringLiteral("memberList"));
    composerOf(*ana)->setFocus();
    bool reached = false;
    // Round the whole window once: composer, Send, rooms, join field and button, ...
    for (int press = 0; press < 12 && !reached; ++press) {
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        reached = QApplication::focusWidget() == online;
    }
    QVERIFY(reached);
}

void TestChatWindow::helpListsTheKeyboardShortcuts()
{
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), freshRoom());
    QString shown;
    // The list is a modal dialog: read it, then close it, from inside its event loop.
    QTimer::singleShot(0, ana.get(), [&shown] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        shown = box->text();
        box->close();
    });
    ana->findChild<QAction *>(QStringLiteral("shortcutsAction"))->trigger();
    for (const QString &expected : {QStringLiteral("Ctrl+Tab"), QStringLiteral("Ctrl+Shift+Tab"), QStringLiteral("Alt+Down"), QStringLiteral("Ctrl+K"),
                                    QStringLiteral("F12"), QStringLiteral("Next Room"), QStringLiteral("Shift+Enter")})
        QVERIFY2(shown.contains(expected), qPrintable(expected + QStringLiteral(" not in: ") + shown));
}

QString TestChatWindow::freshRoom()
{
    return QStringLiteral("room%1-%2").arg(++m_roomCounter).arg(QCoreApplication::applicationPid());
}

QList<std::pair<qint64, QString>> TestChatWindow::storedMessages(const QString &room)
{
    return ::storedMessages(m_nam, m_server, room);
}

void TestChatWindow::seed(const QString &room, int count)
{
    QVERIFY(seedRoom(m_nam, m_server, room, count));
}

void TestChatWindow::textTypedInOneWindowAppearsInTheOther()
{
    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    auto bea = openChatWindow(m_server, QStringLiteral("bea"), room);

    typeAndSend(*ana, QStringLiteral("hola bea, ¿qué tal?"));
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*bea).contains(QStringLiteral("hola bea, ¿qué tal?")),
                             deliveryTimeoutMs);
    typeAndSend(*bea, QStringLiteral("muy bien, ana"));
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("muy bien, ana")),
                             deliveryTimeoutMs);

    QVERIFY(composerOf(*ana)->toPlainText().isEmpty());
    QCOMPARE(occurrences(*ana, QStringLiteral("hola bea")), 1);
    QCOMPARE(occurrences(*bea, QStringLiteral("hola bea")), 1);
    const auto stored = storedMessages(room);
    QCOMPARE(stored.size(), 2);
    QCOMPARE(stored[0].second, QStringLiteral("hola bea, ¿qué tal?"));
    QCOMPARE(stored[1].second, QStringLiteral("muy bien, ana"));
}

void TestChatWindow::statusBarShowsCreatedAfterSendAndOkAfterPoll()
{
    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    // What the status bar says right after each exchange, read once the window has shown it.
    QStringList shown;
    recordStatusBar(*ana, shown);

    QTRY_VERIFY_WITH_TIMEOUT(!shown.filter(QStringLiteral("GET /api/v1/rooms/%1/messages").arg(room)).isEmpty(),
                             deliveryTimeoutMs);
    const QStringList polls = shown.filter(QStringLiteral("GET /api/v1/rooms/%1/messages").arg(room));
    QVERIFY2(polls.first().contains(QStringLiteral("→ 200 OK")), qPrintable(polls.first()));

    const qsizetype beforeSend = shown.size();
    typeAndSend(*ana, QStringLiteral("status please"));
    const QString sendLine = QStringLiteral("POST /api/v1/rooms/%1/messages → 201 Created · ").arg(room);
    QTRY_VERIFY_WITH_TIMEOUT(!shown.filter(sendLine).isEmpty(), deliveryTimeoutMs);
    QVERIFY2(shown.filter(sendLine).first().endsWith(QStringLiteral(" ms")), qPrintable(shown.join(u'\n')));
    // The held long poll is answered by that message (the server wakes it right after
    // it answers the POST): a 200 long before the 25 s wait is over.
    QTRY_VERIFY_WITH_TIMEOUT(
        !shown.mid(beforeSend).filter(QStringLiteral("wait=25")).filter(QStringLiteral("200 OK")).isEmpty(),
        deliveryTimeoutMs);
}

namespace {
// The rows of the Protocol panel as "METHOD PATH → STATUS", top to bottom.
QStringList protocolRows(const MainWindow &window)
{
    const QAbstractItemModel *model = window.findChild<QTreeView *>(QStringLiteral("protocolTable"))->model();
    QStringList rows;
    for (int row = 0; row < model->rowCount(); ++row)
        rows.append(model->index(row, 1).data().toString() + u' ' + model->index(row, 2).data().toString()
                    + QStringLiteral(" → ") + model->index(row, 3).data().toString());
    return rows;
}

// Opens the Protocol panel as a person does, with F12.
bool openProtocolPanel(MainWindow &window)
{
    auto *panel = window.findChild<QDockWidget *>(QStringLiteral("protocolPanel"));
    if (!panel || panel->isVisible())
        return false;
    window.activateWindow();
    if (!QTest::qWaitForWindowActive(&window))
        return false;
    QTest::keyClick(&window, Qt::Key_F12);
    return QTest::qWaitFor([panel] { return panel->isVisible(); });
}
} // namespace

void TestChatWindow::protocolPanelListsExchanges()
{
    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    QVERIFY(openProtocolPanel(*ana));

    typeAndSend(*ana, QStringLiteral("watch the POST"));
    const QString send = QStringLiteral("POST /api/v1/rooms/%1/messages → 201 Created").arg(room);
    QTRY_VERIFY_WITH_TIMEOUT(protocolRows(*ana).contains(send), deliveryTimeoutMs);
    QVERIFY2(!protocolRows(*ana).filter(QStringLiteral("GET ")).filter(QStringLiteral("200 OK")).isEmpty(),
             qPrintable(protocolRows(*ana).join(u'\n')));
}

void TestChatWindow::protocolPanelShowsTheSelectedExchangeWhole()
{
    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    QVERIFY(openProtocolPanel(*ana));
    typeAndSend(*ana, QStringLiteral("show me the details"));
    const QString send = QStringLiteral("POST /api/v1/rooms/%1/messages → 201 Created").arg(room);
    QTRY_VERIFY_WITH_TIMEOUT(protocolRows(*ana).contains(send), deliveryTimeoutMs);

    // With the keyboard: into the list, to its first row, then down to the send.
    auto *table = ana->findChild<QTreeView *>(QStringLiteral("protocolTable"));
    auto *details = ana->findChild<QPlainTextEdit *>(QStringLiteral("protocolDetails"));
    QVERIFY(details);
    QVERIFY(details->toPlainText().isEmpty());
    table->setFocus();
    QTest::keyClick(table, Qt::Key_Home);
    const int sendRow = int(protocolRows(*ana).indexOf(send));
    for (int row = 0; row < sendRow; ++row)
        QTest::keyClick(table, Qt::Key_Down);
    QCOMPARE(table->currentIndex().row(), sendRow);

    const QString text = details->toPlainText();
    const QStringList lines = text.split(u'\n');
    QCOMPARE(lines.first(), QStringLiteral("POST /api/v1/rooms/%1/messages HTTP/1.1").arg(room));
    QVERIFY2(!lines.filter(QRegularExpression(QStringLiteral("^Idempotency-Key: \\S+$"))).isEmpty(), qPrintable(text));
    QVERIFY2(lines.contains(QStringLiteral(R"({"author":"ana","text":"show me the details"})")), qPrintable(text));
    const qsizetype status = lines.indexOf(QStringLiteral("HTTP/1.1 201 Created"));
    QVERIFY2(status > 0, qPrintable(text));
    // The answer's body: the message as the server stored it.
    QVERIFY2(!lines.mid(status).filter(QStringLiteral(R"("text":"show me the details")")).isEmpty(), qPrintable(text));
}

void TestChatWindow::exportActionWritesTheLogAsHar()
{
    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    typeAndSend(*ana, QStringLiteral("into the archive"));
    const QString send = QStringLiteral("POST /api/v1/rooms/%1/messages → 201 Created").arg(room);
    QTRY_VERIFY_WITH_TIMEOUT(protocolRows(*ana).contains(send), deliveryTimeoutMs);

    // File is the first menu, and the export is in it.
    const QList<QAction *> menus = ana->menuBar()->actions();
    QVERIFY(!menus.isEmpty());
    QCOMPARE(menus.first()->text(), QStringLiteral("&File"));
    auto *exportAction = ana->findChild<QAction *>(QStringLiteral("exportProtocolAction"));
    QVERIFY(exportAction);
    QVERIFY(menus.first()->menu()->actions().contains(exportAction));

    // What the action does once the dialog has its file name.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("chatapp-protocol.har"));
    auto *panel = ana->findChild<ProtocolPanel *>();
    QString error;
    // No event is handled between the two, so no exchange can slip in.
    const qsizetype rows = protocolRows(*ana).size();
    QVERIFY2(panel->exportTo(path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject log = QJsonDocument::fromJson(file.readAll()).object().value(QLatin1String("log")).toObject();
    QCOMPARE(log.value(QLatin1String("version")).toString(), QStringLiteral("1.2"));
    QStringList urls;
    for (const QJsonValue &entry : log.value(QLatin1String("entries")).toArray())
        urls.append(entry.toObject().value(QLatin1String("request")).toObject().value(QLatin1String("url")).toString());
    QCOMPARE(urls.size(), rows);
    QVERIFY2(urls.contains(m_server.url(QStringLiteral("/api/v1/rooms/%1/messages").arg(room)).toString()),
             qPrintable(urls.join(u'\n')));
}

void TestChatWindow::tooLongTextShowsServerErrorAndKeepsComposerText()
{
    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    QStringList shown;
    recordStatusBar(*ana, shown);
    const QString tooLong = QString(4001, u'x');
    QPlainTextEdit *composer = composerOf(*ana);
    composer->setFocus();
    composer->setPlainText(tooLong);
    QTest::keyClick(composer, Qt::Key_Return);

    auto *error = ana->findChild<QLabel *>(QStringLiteral("sendError"));
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), deliveryTimeoutMs);
    QVERIFY2(error->text().contains(QStringLiteral("4000")), qPrintable(error->text()));
    QCOMPARE(composer->toPlainText(), tooLong);
    QVERIFY2(!shown.filter(QStringLiteral("POST /api/v1/rooms/%1/messages → 413 ").arg(room)).isEmpty(),
             qPrintable(shown.join(u'\n')));
    QVERIFY(storedMessages(room).isEmpty());
    QVERIFY(!messageListText(*ana).contains(QStringLiteral("xxxxxxxxxx")));
}

void TestChatWindow::shiftEnterStartsNewLine()
{
    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    QPlainTextEdit *composer = composerOf(*ana);
    composer->setFocus();
    QTest::keyClicks(composer, QStringLiteral("first line"));
    QTest::keyClick(composer, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(composer, QStringLiteral("second line"));
    QCOMPARE(composer->toPlainText(), QStringLiteral("first line\nsecond line"));
    QVERIFY(storedMessages(room).isEmpty());
    QTest::keyClick(composer, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(storedMessages(room).size(), 1, deliveryTimeoutMs);
    QCOMPARE(storedMessages(room).first().second, QStringLiteral("first line\nsecond line"));
}

void TestChatWindow::outboxDeliversOnceAfterServerReturns()
{
    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    auto bea = openChatWindow(m_server, QStringLiteral("bea"), room);
    typeAndSend(*ana, QStringLiteral("before the outage"));
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*bea).contains(QStringLiteral("before the outage")),
                             deliveryTimeoutMs);

    QVERIFY(m_server.stop());
    typeAndSend(*ana, QStringLiteral("typed offline one"));
    typeAndSend(*ana, QStringLiteral("typed offline two"));
    auto *connection = ana->findChild<QLabel *>(QStringLiteral("connectionStatus"));
    QTRY_VERIFY_WITH_TIMEOUT(connection->text().contains(QStringLiteral("Offline")), deliveryTimeoutMs);
    // Both wait, visibly: shown in the list as not yet delivered.
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("waiting for the server")),
                             deliveryTimeoutMs);
    QVERIFY(messageListText(*ana).contains(QStringLiteral("typed offline two")));
    QVERIFY(composerOf(*ana)->toPlainText().isEmpty());

    // Quitting now would lose them: the window asks, and Cancel keeps it open.
    QString question;
    QTimer::singleShot(0, this, [&question] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        question = box->text();
        box->button(QMessageBox::Cancel)->click();
    });
    QVERIFY(!ana->close());
    QVERIFY2(question.contains(QStringLiteral("2 messages have not reached the server")), qPrintable(question));
    QVERIFY(ana->isVisible());

    QVERIFY(m_server.start());
    for (const auto *window : {ana.get(), bea.get()}) {
        QTRY_VERIFY_WITH_TIMEOUT(messageListText(*window).contains(QStringLiteral("typed offline two")),
                                 reconnectTimeoutMs);
    }
    QTRY_VERIFY_WITH_TIMEOUT(!messageListText(*ana).contains(QStringLiteral("waiting for the server")),
                             deliveryTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!connection->text().contains(QStringLiteral("Offline")), reconnectTimeoutMs);

    const auto stored = storedMessages(room);
    QCOMPARE(stored.size(), 3);
    for (qsizetype i = 0; i < stored.size(); ++i)
        QCOMPARE(stored[i].first, i + 1);
    QCOMPARE(stored[1].second, QStringLiteral("typed offline one"));
    QCOMPARE(stored[2].second, QStringLiteral("typed offline two"));
    for (const auto *window : {ana.get(), bea.get()}) {
        for (const QString &text : {QStringLiteral("before the outage"), QStringLiteral("typed offline one"),
                                   QStringLiteral("typed offline two")})
            QCOMPARE(occurrences(*window, text), 1);
    }
}

void TestChatWindow::scrollingUpLoadsOlderHistory()
{
    const QString room = freshRoom();
    seed(room, 250);
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("old-250.")), deliveryTimeoutMs);
    // The first page is the newest hundred.
    QVERIFY(messageListText(*ana).contains(QStringLiteral("old-151.")));
    QVERIFY(!messageListText(*ana).contains(QStringLiteral("old-150.")));

    QScrollBar *bar = messageViewOf(*ana)->verticalScrollBar();
    QCOMPARE(bar->value(), bar->maximum());
    bar->setValue(bar->minimum());
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("old-51.")), deliveryTimeoutMs);
    QVERIFY(!messageListText(*ana).contains(QStringLiteral("old-50.")));
    // The reader is left where he was, not thrown back to the top or the bottom.
    QVERIFY(bar->value() > bar->minimum());
    QVERIFY(bar->value() < bar->maximum());

    QTRY_VERIFY_WITH_TIMEOUT((bar->setValue(bar->minimum()),
                              messageListText(*ana).contains(QStringLiteral("old-1."))),
                             deliveryTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("This is the beginning of #") + room),
                             deliveryTimeoutMs);
    for (int i : {1, 50, 51, 150, 151, 250})
        QCOMPARE(occurrences(*ana, QStringLiteral("old-%1.").arg(i)), 1);
}

void TestChatWindow::linksAreClickableAndMarkupIsShownAsText()
{
    const QString room = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    typeAndSend(*ana, QStringLiteral("see https://example.org/a?b=1&c=2 and <b>not bold</b>"));
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("<b>not bold</b>")),
                             deliveryTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!messageListText(*ana).contains(QStringLiteral("sending")), deliveryTimeoutMs);
    auto *view = qobject_cast<MessageListView *>(messageViewOf(*ana));
    QVERIFY(view);
    // Where a person would click: somewhere in the row the link is under the pointer.
    const QModelIndex row = view->model()->index(view->model()->rowCount() - 1, 0);
    const QRect area = view->visualRect(row);
    QPoint onLink(-1, -1);
    for (int y = area.top(); y <= area.bottom() && onLink.x() < 0; y += 2) {
        for (int x = area.left(); x <= area.right() && onLink.x() < 0; x += 4) {
            if (!view->linkAt(QPoint(x, y)).isEmpty())
                onLink = QPoint(x, y);
        }
    }
    QVERIFY2(onLink.x() >= 0, "no link in the row");
    QCOMPARE(view->linkAt(onLink), QStringLiteral("https://example.org/a?b=1&c=2"));
    m_openedUrls.clear();
    QDesktopServices::setUrlHandler(QStringLiteral("https"), this, "openUrl");
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, onLink);
    QDesktopServices::unsetUrlHandler(QStringLiteral("https"));
    QCOMPARE(m_openedUrls, QList<QUrl>{QUrl(QStringLiteral("https://example.org/a?b=1&c=2"))});
}

void TestChatWindow::joiningCreatesRoomAndCountsUnread()
{
    const QString lobby = freshRoom();
    const QString side = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), lobby);
    auto *joinEdit = ana->findChild<QLineEdit *>(QStringLiteral("joinRoomEdit"));
    joinEdit->setFocus();
    QTest::keyClicks(joinEdit, side);
    QTest::keyClick(joinEdit, Qt::Key_Return);
    QCOMPARE(ana->currentRoom(), side);
    QTRY_COMPARE_WITH_TIMEOUT(request(m_nam, "GET", m_server.url(QStringLiteral("/api/v1/rooms/") + side)).status,
                              200, deliveryTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("No messages in #") + side),
                             deliveryTimeoutMs);

    // Back in the lobby, three messages arrive in the side room from someone else.
    ana->switchToRoom(lobby);
    QTRY_VERIFY_WITH_TIMEOUT(ana->windowTitle().contains(lobby), deliveryTimeoutMs);
    seed(side, 3);
    QAbstractItemModel *rooms = listModel(*ana, QStringLiteral("roomList"));
    const auto sideUnread = [rooms, side]() -> qint64 {
        for (int i = 0; i < rooms->rowCount(); ++i) {
            if (rooms->index(i, 0).data(RoomListModel::NameRole).toString() == side)
                return rooms->index(i, 0).data(RoomListModel::UnreadRole).toLongLong();
        }
        return -1;
    };
    QTRY_COMPARE_WITH_TIMEOUT(sideUnread(), 3, roomNewsTimeoutMs);
    ana->switchToRoom(side);
    QTRY_COMPARE_WITH_TIMEOUT(sideUnread(), 0, deliveryTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("old-3.")), deliveryTimeoutMs);
}

void TestChatWindow::onlineListShowsYouAtOnceAndOthersComeAndGoAtOnce()
{
    const QString room = freshRoom();
    const QString elsewhere = freshRoom();
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    QTRY_VERIFY_WITH_TIMEOUT(shownMembers(*ana).contains(QStringLiteral("ana (you)")), roomNewsTimeoutMs);

    auto bea = openChatWindow(m_server, QStringLiteral("bea"), room);
    QTRY_VERIFY_WITH_TIMEOUT(shownMembers(*ana).contains(QStringLiteral("bea")), roomNewsTimeoutMs);
    bea->switchToRoom(elsewhere);
    QTRY_VERIFY_WITH_TIMEOUT(!shownMembers(*ana).contains(QStringLiteral("bea")), roomNewsTimeoutMs);

    auto cy = openChatWindow(m_server, QStringLiteral("cy"), room);
    QTRY_VERIFY_WITH_TIMEOUT(shownMembers(*ana).contains(QStringLiteral("cy")), roomNewsTimeoutMs);
    // As the app quits: the window closes, then its leave gets a moment to go out.
    cy->close();
    cy->finishLeaving(deliveryTimeoutMs);
    cy.reset();
    QTRY_VERIFY_WITH_TIMEOUT(!shownMembers(*ana).contains(QStringLiteral("cy")), roomNewsTimeoutMs);
}

void TestChatWindow::screenshot()
{
    const QString directory = qEnvironmentVariable("CHATAPP_SCREENSHOT_DIR");
    if (directory.isEmpty())
        QSKIP("set CHATAPP_SCREENSHOT_DIR to save the README's screenshots (make screenshots)");
    const BusyRoomScript script{
        QStringLiteral("ana"), QStringLiteral("lab"),
        {{QStringLiteral("bea"), QStringLiteral("Hi all! Is the server up for the lab?")},
         {QStringLiteral("ana"), QStringLiteral("Yes: chatapp --serve 0.0.0.0 3550 on the EC2 box.")},
         {QStringLiteral("ana"), QStringLiteral("Docs are at https://example.org/chatapp")},
         {QStringLiteral("carlos"), QStringLiteral("Great, I see 201 Created in my status bar!")},
         {QStringLiteral("carlos"), QStringLiteral("And the long poll held for 25 s, then 200 OK.")},
         {QStringLiteral("bea"), QStringLiteral("@ana which port did you open in the security group?")},
         {QStringLiteral("ana"), QStringLiteral("3550, TCP, from the lab's range only.")}},
        QStringLiteral("help"), QStringLiteral("project"),
        {QStringLiteral("eli"), QStringLiteral("ana, can you review my PR?")}};
    auto ana = stageBusyRoom(m_server, m_nam, script);
    QVERIFY(ana);
    QVERIFY(ana->grab().save(QDir(directory).filePath(QStringLiteral("screenshot-en.png"))));
}

QTEST_MAIN(TestChatWindow)
#include "tst_chatwindow.moc"
