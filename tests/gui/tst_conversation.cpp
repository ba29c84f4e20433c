// Edit, delete, reply and react in the window (issue 15), against a real
// `chatapp --serve`, done the way a person does them: keys in the composer, the bar of
// actions over a message, its context menu, a click on a quote or a reaction.

#include "client/chatclient.h"
#include "client/messagemodel.h"
#include "httpclient.h"
#include "roomcontent.h"
#include "settingssandbox.h"
#include "ui/messagedelegate.h"
#include "ui/messagelistview.h"
#include "ui/reactionpicker.h"
#include "ui/translations.h"
#include "windowdriver.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolButton>

namespace {
constexpr int answerTimeoutMs = 10000;

int rowOfText(const MainWindow &window, const QString &text)
{
    const QAbstractItemModel *model = messageViewOf(window)->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data(MessageModel::TextRole).toString() == text)
            return row;
    }
    return -1;
}

QModelIndex messageAt(const MainWindow &window, int row)
{
    return messageViewOf(window)->model()->index(row, 0);
}

// Where in `row` (viewport coordinates) the delegate draws `kind`: the point a person clicks.
QPoint pointOf(const MainWindow &window, int row, MessageDelegate::Hit::Kind kind, const QString &value = {})
{
    auto *view = window.findChild<MessageListView *>(QStringLiteral("messageView"));
    auto *delegate = qobject_cast<MessageDelegate *>(view->itemDelegate());
    const QModelIndex index = view->model()->index(row, 0);
    view->scrollTo(index);
    QStyleOptionViewItem option;
    option.initFrom(view);
    option.widget = view;
    option.font = view->font();
    option.rect = view->visualRect(index);
    for (int y = option.rect.top(); y <= option.rect.bottom(); y += 2) {
        for (int x = option.rect.left(); x <= option.rect.right(); x += 4) {
            const MessageDelegate::Hit hit = delegate->hitAt(option, index, QPoint(x, y));
            if (hit.kind == kind && (value.isEmpty() || hit.value == value))
                return {x, y};
        }
    }
    return {-1, -1};
}

// Hovers `row` and returns its bar's button `name` ("hoverReply", "hoverDelete", ...).
QToolButton *hoverButton(const MainWindow &window, int row, const QString &name)
{
    QAbstractItemView *view = messageViewOf(window);
    view->scrollTo(messageAt(window, row));
    const QRect rect = view->visualRect(messageAt(window, row));
    QTest::mouseMove(view->viewport(), rect.center());
    // The bar follows the mouse: a second move, as a real pointer sends many.
    QTest::mouseMove(view->viewport(), rect.center() + QPoint(1, 0));
    return view->viewport()->findChild<QToolButton *>(name);
}

bool anyLine(const QStringList &lines, const QString &start, const QString &status)
{
    return std::any_of(lines.cbegin(), lines.cend(), [&](const QString &line) {
        return line.contains(start) && line.contains(status);
    });
}

// The question is modal: answered (by the button `buttonName`, or Cancel) from a timer
// that waits for it to show; `question` gets its text.
void answerDialog(QObject *context, const QString &buttonName, QString *question)
{
    auto *timer = new QTimer(context);
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, context, [timer, buttonName, question] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        timer->stop();
        timer->deleteLater();
        *question = box->text();
        if (buttonName.isEmpty())
            box->button(QMessageBox::Cancel)->click();
        else
            box->findChild<QPushButton *>(buttonName)->click();
    });
    timer->start();
}

QList<Reaction> reactionsAt(const MainWindow &window, int row)
{
    return messageAt(window, row).data(MessageModel::ReactionsRole).value<QList<Reaction>>();
}
} // namespace

class TestConversation : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void upArrowEditsTheLastMessage();
    void deleteAsksFirst();
    void replyThenJumpToAQuoteNotLoaded();
    void reactWithThePickerAndTakeItBackWithTheChip();

private:
    QString freshRoom() { return QStringLiteral("talk%1").arg(++m_roomCounter); }

    QTemporaryDir m_settingsDir;
    ServerProcess m_server;
    QNetworkAccessManager m_nam;
    int m_roomCounter = 0;
};

void TestConversation::initTestCase()
{
    QVERIFY(sandboxSettings(m_settingsDir.path()));
    QCOMPARE(installTranslations(*QCoreApplication::instance(), QStringLiteral("en")), QStringLiteral("en"));
    QVERIFY2(m_server.start(), m_server.stderrOutput().constData());
}

void TestConversation::cleanupTestCase()
{
    m_server.stop();
}

void TestConversation::upArrowEditsTheLastMessage()
{
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), freshRoom());
    QTRY_VERIFY_WITH_TIMEOUT(ana->client()->isRoomLoaded(), answerTimeoutMs);
    QStringList statusLines;
    recordStatusBar(*ana, statusLines);
    typeAndSend(*ana, QStringLiteral("primero"));
    typeAndSend(*ana, QStringLiteral("segundo"));
    QTRY_VERIFY_WITH_TIMEOUT(ana->client()->pendingCount() == 0 && ana->client()->messages()->storedCount() == 2,
                             answerTimeoutMs);
    QPlainTextEdit *composer = composerOf(*ana);
    auto *bar = ana->findChild<QWidget *>(QStringLiteral("composeModeBar"));
    auto *barText = ana->findChild<QLabel *>(QStringLiteral("composeModeText"));

    // Up in a composer with text moves in the text, as ever.
    QTest::keyClicks(composer, QStringLiteral("x"));
    QTest::keyClick(composer, Qt::Key_Up);
    QVERIFY(!bar->isVisible());
    composer->clear();

    // Up in the empty composer: the last message, to edit; Esc leaves it as it was.
    QTest::keyClick(composer, Qt::Key_Up);
    QCOMPARE(composer->toPlainText(), QStringLiteral("segundo"));
    QVERIFY(bar->isVisible());
    QCOMPARE(barText->text(), QStringLiteral("Editing message — Esc to cancel"));
    QTest::keyClick(composer, Qt::Key_Escape);
    QVERIFY(!bar->isVisible());
    QVERIFY(composer->toPlainText().isEmpty());

    QTest::keyClick(composer, Qt::Key_Up);
    QTest::keyClicks(composer, QStringLiteral(", corregido"));
    QTest::keyClick(composer, Qt::Key_Return);
    QVERIFY(!bar->isVisible());
    QVERIFY(composer->toPlainText().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(rowOfText(*ana, QStringLiteral("segundo, corregido")) == 1, answerTimeoutMs);
    QVERIFY(messageAt(*ana, 1).data(MessageModel::EditedRole).toBool());
    QVERIFY(messageListText(*ana).contains(QStringLiteral("segundo, corregido\n(edited)")));
    QCOMPARE(ana->client()->messages()->rowCount(), 2); // changed in place, nothing sent anew
    QTRY_VERIFY_WITH_TIMEOUT(anyLine(statusLines, QStringLiteral("● PATCH /api/v1/rooms/"), QStringLiteral("200 OK")),
                             answerTimeoutMs);

    // Emptied and saved: that is a deletion, asked about first.
    QTest::keyClick(composer, Qt::Key_Up);
    QTest::keyClick(composer, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(composer, Qt::Key_Backspace);
    QString question;
    answerDialog(this, {}, &question);
    QTest::keyClick(composer, Qt::Key_Return);
    QCOMPARE(question, QStringLiteral("Delete this message for everyone? This cannot be undone."));
    QCOMPARE(rowOfText(*ana, QStringLiteral("segundo, corregido")), 1);
    QVERIFY(bar->isVisible()); // still editing, to type something else
    QTest::keyClick(composer, Qt::Key_Escape);
    QVERIFY(!bar->isVisible());
}

void TestConversation::deleteAsksFirst()
{
    const QString room = freshRoom();
    QVERIFY(seedRoom(m_nam, m_server, room, 1, QStringLiteral("ben"), QStringLiteral("de ben %1")));
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    QTRY_VERIFY_WITH_TIMEOUT(ana->client()->isRoomLoaded(), answerTimeoutMs);
    QStringList statusLines;
    recordStatusBar(*ana, statusLines);
    typeAndSend(*ana, QStringLiteral("borrar esto"));
    QTRY_VERIFY_WITH_TIMEOUT(ana->client()->pendingCount() == 0 && ana->client()->messages()->storedCount() == 2,
                             answerTimeoutMs);

    // Someone else's message can be replied to, not deleted.
    QToolButton *othersDelete = hoverButton(*ana, 0, QStringLiteral("hoverDelete"));
    QVERIFY(othersDelete);
    QVERIFY(ana->findChild<QWidget *>(QStringLiteral("messageActions"))->isVisible());
    QVERIFY(!othersDelete->isVisible());
    QVERIFY(hoverButton(*ana, 0, QStringLiteral("hoverReply"))->isVisible());

    QString question;
    QToolButton *remove = hoverButton(*ana, 1, QStringLiteral("hoverDelete"));
    QVERIFY(remove->isVisible());
    answerDialog(this, {}, &question);
    QTest::mouseClick(remove, Qt::LeftButton);
    QCOMPARE(question, QStringLiteral("Delete this message for everyone? This cannot be undone."));
    QVERIFY(!anyLine(statusLines, QStringLiteral("DELETE"), {}));
    QCOMPARE(rowOfText(*ana, QStringLiteral("borrar esto")), 1);

    question.clear();
    remove = hoverButton(*ana, 1, QStringLiteral("hoverDelete"));
    answerDialog(this, QStringLiteral("confirmDeleteButton"), &question);
    QTest::mouseClick(remove, Qt::LeftButton);
    QVERIFY(!question.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(messageAt(*ana, 1).data(MessageModel::DeletedRole).toBool(), answerTimeoutMs);
    QVERIFY(!messageListText(*ana).contains(QStringLiteral("borrar esto")));
    QVERIFY(messageListText(*ana).contains(QStringLiteral("This message was deleted.")));
    QVERIFY(anyLine(statusLines, QStringLiteral("● DELETE /api/v1/rooms/"), QStringLiteral("200 OK")));
    // Nothing left to act on: no bar over it, and Up has nothing of ana's to edit.
    QVERIFY(!hoverButton(*ana, 1, QStringLiteral("hoverDelete"))->isVisible());
    QTest::keyClick(composerOf(*ana), Qt::Key_Up);
    QVERIFY(!ana->findChild<QWidget *>(QStringLiteral("composeModeBar"))->isVisible());
}

void TestConversation::replyThenJumpToAQuoteNotLoaded()
{
    const QString room = freshRoom();
    QVERIFY(seedRoom(m_nam, m_server, room, 250, QStringLiteral("seed"), QStringLiteral("old-%1.")));
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    QTRY_VERIFY_WITH_TIMEOUT(ana->client()->isRoomLoaded(), answerTimeoutMs);
    MessageModel *model = ana->client()->messages();
    QVERIFY(model->rowOfMessage(5) < 0); // beyond the newest page
    QStringList statusLines;
    recordStatusBar(*ana, statusLines);

    // ben answers an old message: the quote shows it, fetched on its own.
    const HttpReply answer =
        request(m_nam, "POST", m_server.url(QStringLiteral("/api/v1/rooms/%1/messages").arg(room)),
                jsonBody({{QStringLiteral("author"), QStringLiteral("ben")}, {QStringLiteral("text"), QStringLiteral("eso ya no vale")},
                          {QStringLiteral("reply_to"), 5}}),
                {{"Content-Type", "application/json"}});
    QCOMPARE(answer.status, 201);
    QTRY_VERIFY_WITH_TIMEOUT(rowOfText(*ana, QStringLiteral("eso ya no vale")) >= 0, answerTimeoutMs);
    const int bens = rowOfText(*ana, QStringLiteral("eso ya no vale"));
    QTRY_COMPARE_WITH_TIMEOUT(messageAt(*ana, bens).data(MessageModel::QuoteTextRole).toString(),
                              QStringLiteral("old-5."), answerTimeoutMs);
    QVERIFY(messageListText(*ana).contains(QStringLiteral("In reply to seed: old-5.\neso ya no vale")));

    // ana replies to ben from the bar over his message.
    QTest::mouseClick(hoverButton(*ana, bens, QStringLiteral("hoverReply")), Qt::LeftButton);
    auto *bar = ana->findChild<QWidget *>(QStringLiteral("composeModeBar"));
    QVERIFY(bar->isVisible());
    QCOMPARE(ana->findChild<QLabel *>(QStringLiteral("composeModeText"))->text(),
             QStringLiteral("Replying to ben: eso ya no vale"));
    QVERIFY(composerOf(*ana)->hasFocus());
    typeAndSend(*ana, QStringLiteral("¿por qué?"));
    QVERIFY(!bar->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(ana->client()->pendingCount() == 0, answerTimeoutMs);
    const int anas = rowOfText(*ana, QStringLiteral("¿por qué?"));
    QCOMPARE(messageAt(*ana, anas).data(MessageModel::ReplyToRole).toLongLong(),
             messageAt(*ana, bens).data(MessageModel::IdRole).toLongLong());
    QCOMPARE(messageAt(*ana, anas).data(MessageModel::QuoteAuthorRole).toString(), QStringLiteral("ben"));
    QVERIFY(anyLine(statusLines, QStringLiteral("● POST /api/v1/rooms/"), QStringLiteral("201 Created")));

    // A click on ben's quote: message 5, loaded around, in view and selected.
    auto *view = ana->findChild<MessageListView *>(QStringLiteral("messageView"));
    const QPoint quote = pointOf(*ana, rowOfText(*ana, QStringLiteral("eso ya no vale")), MessageDelegate::Hit::Kind::Quote);
    QVERIFY(quote.x() >= 0);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, quote);
    QTRY_VERIFY_WITH_TIMEOUT(model->rowOfMessage(5) >= 0
                                 && view->currentIndex().data(MessageModel::IdRole).toLongLong() == 5,
                             answerTimeoutMs);
    QVERIFY(view->viewport()->rect().intersects(view->visualRect(view->currentIndex())));
    QVERIFY(anyLine(statusLines, QStringLiteral("around=5"), QStringLiteral("200 OK")));
    // The pages between follow behind, and the place stays.
    QTRY_COMPARE_WITH_TIMEOUT(model->storedCount(), 252, answerTimeoutMs);
    QVERIFY(view->viewport()->rect().intersects(view->visualRect(model->index(model->rowOfMessage(5)))));
}

void TestConversation::reactWithThePickerAndTakeItBackWithTheChip()
{
    const QString room = freshRoom();
    QVERIFY(seedRoom(m_nam, m_server, room, 1, QStringLiteral("ben"), QStringLiteral("¡terminé %1!")));
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), room);
    QTRY_COMPARE_WITH_TIMEOUT(ana->client()->messages()->storedCount(), 1, answerTimeoutMs);
    QStringList statusLines;
    recordStatusBar(*ana, statusLines);
    const QString party = QStringLiteral("🎉");

    // The context menu's row of emoji.
    QAbstractItemView *view = messageViewOf(*ana);
    const QPoint centre = view->visualRect(messageAt(*ana, 0)).center();
    QStringList offered;
    QTimer menuWatch;
    menuWatch.setInterval(20);
    connect(&menuWatch, &QTimer::timeout, this, [&menuWatch, &offered, party] {
        QWidget *menu = QApplication::activePopupWidget();
        if (!menu)
            return;
        menuWatch.stop();
        for (const QToolButton *button : menu->findChildren<QToolButton *>())
            offered.append(button->text());
        menu->findChild<QToolButton *>(QStringLiteral("reaction ") + party)->click();
    });
    menuWatch.start();
    QContextMenuEvent click(QContextMenuEvent::Mouse, centre, view->viewport()->mapToGlobal(centre));
    QApplication::sendEvent(view->viewport(), &click);
    QCOMPARE(offered, ReactionPicker::commonEmoji());
    QTRY_COMPARE_WITH_TIMEOUT(reactionsAt(*ana, 0), (QList<Reaction>{{party, {QStringLiteral("ana")}}}), answerTimeoutMs);
    QVERIFY(anyLine(statusLines, QStringLiteral("● POST /api/v1/rooms/"), QStringLiteral("201 Created")));
    QVERIFY(messageListText(*ana).contains(party + QStringLiteral(" from ana")));

    // ben's reaction comes with the poll; a click on the chip takes back ana's alone.
    const HttpReply bens = request(m_nam, "POST", m_server.url(QStringLiteral("/api/v1/rooms/%1/messages/1/reactions").arg(room)),
                                   jsonBody({{QStringLiteral("author"), QStringLiteral("ben")}, {QStringLiteral("emoji"), party}}),
                                   {{"Content-Type", "application/json"}});
    QCOMPARE(bens.status, 201);
    QTRY_COMPARE_WITH_TIMEOUT(reactionsAt(*ana, 0).value(0).names.size(), 2, answerTimeoutMs);
    const QPoint chip = pointOf(*ana, 0, MessageDelegate::Hit::Kind::Reaction, party);
    QVERIFY(chip.x() >= 0);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, chip);
    QTRY_COMPARE_WITH_TIMEOUT(reactionsAt(*ana, 0), (QList<Reaction>{{party, {QStringLiteral("ben")}}}), answerTimeoutMs);
    QVERIFY(anyLine(statusLines, QStringLiteral("● DELETE /api/v1/rooms/"), QStringLiteral("200 OK")));
    // And again: added back.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, pointOf(*ana, 0, MessageDelegate::Hit::Kind::Reaction, party));
    QTRY_COMPARE_WITH_TIMEOUT(reactionsAt(*ana, 0).value(0).names,
                              (QStringList{QStringLiteral("ben"), QStringLiteral("ana")}), answerTimeoutMs);
}

QTEST_MAIN(TestConversation)
#include "tst_conversation.moc"
