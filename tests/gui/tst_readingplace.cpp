// Where the message list keeps the reader: at the newest message while he is there,
// where he was when he scrolled up, told of what arrived below, and taken back at once.

#include "client/chatclient.h"
#include "client/roomlistmodel.h"
#include "client/messagemodel.h"
#include "httpclient.h"
#include "roomcontent.h"
#include "ui/messagelistview.h"
#include "ui/translations.h"
#include "windowdriver.h"

#include <QAbstractButton>
#include <QApplication>
#include <QLineEdit>
#include <QDockWidget>
#include <QNetworkAccessManager>
#include <QScrollBar>
#include <QTest>

namespace {
constexpr int deliveryTimeoutMs = 10000;
// Room news comes with the poll the window holds, within a second; the margin is for a
// loaded machine.
constexpr int roomNewsTimeoutMs = 3000;
}

class TestReadingPlace : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void staysAtTheNewestWhenTheListGetsShorter();
    void newsBelowAReaderWhoScrolledUpIsCountedAndMarked();
    void ctrlEndFromTheComposerJumpsToTheNewest();
    void titleCountsWhatIsUnread();
    void ctrlFFindsAMessageAndShowsItInContext();

private:
    std::unique_ptr<MainWindow> openSeeded(const QString &name, int messages, QString *roomOut = nullptr);

    ServerProcess m_server;
    QNetworkAccessManager m_nam;
    int m_roomCounter = 0;
};

void TestReadingPlace::initTestCase()
{
    // As the app does: English comes from its own translation too (plural forms).
    QCOMPARE(installTranslations(*QCoreApplication::instance(), QStringLiteral("en")), QStringLiteral("en"));
    QVERIFY2(m_server.start(), m_server.stderrOutput().constData());
}

void TestReadingPlace::cleanupTestCase()
{
    m_server.stop();
}

std::unique_ptr<MainWindow> TestReadingPlace::openSeeded(const QString &name, int messages, QString *roomOut)
{
    const QString room = QStringLiteral("place%1-%2").arg(++m_roomCounter).arg(QCoreApplication::applicationPid());
    if (!seedRoom(m_nam, m_server, room, messages))
        return nullptr;
    auto window = openChatWindow(m_server, name, room);
    if (!QTest::qWaitForWindowActive(window.get()))
        return nullptr;
    // The first page: the newest hundred.
    if (!QTest::qWaitFor([&] { return messageViewOf(*window)->model()->rowCount() == std::min(messages, 100); },
                         deliveryTimeoutMs))
        return nullptr;
    if (roomOut)
        *roomOut = room;
    return window;
}

void TestReadingPlace::staysAtTheNewestWhenTheListGetsShorter()
{
    auto ana = openSeeded(QStringLiteral("ana"), 60);
    QVERIFY(ana);
    auto *view = qobject_cast<MessageListView *>(messageViewOf(*ana));
    QScrollBar *bar = view->verticalScrollBar();
    QTRY_VERIFY_WITH_TIMEOUT(bar->maximum() > 0 && bar->value() == bar->maximum(), deliveryTimeoutMs);

    // F12 opens the Protocol panel below the messages: the list gets shorter.
    QTest::keyClick(ana.get(), Qt::Key_F12);
    QTRY_VERIFY(ana->findChild<QDockWidget *>(QStringLiteral("protocolPanel"))->isVisible());
    QTRY_VERIFY(view->height() < 300);
    QTRY_COMPARE(bar->value(), bar->maximum());
    // And when the window shrinks.
    ana->resize(600, 420);
    QTRY_COMPARE(bar->value(), bar->maximum());
    QVERIFY(view->isAtBottom());
}

void TestReadingPlace::newsBelowAReaderWhoScrolledUpIsCountedAndMarked()
{
    QString room;
    auto ana = openSeeded(QStringLiteral("ana"), 60, &room);
    QVERIFY(ana);
    auto *view = qobject_cast<MessageListView *>(messageViewOf(*ana));
    QScrollBar *bar = view->verticalScrollBar();
    QTRY_VERIFY_WITH_TIMEOUT(bar->maximum() > 0 && bar->value() == bar->maximum(), deliveryTimeoutMs);
    auto *jump = ana->findChild<QAbstractButton *>(QStringLiteral("jumpToLatestButton"));
    QVERIFY(!jump->isVisible());

    bar->setValue(bar->maximum() / 2);
    const int place = bar->value();
    QVERIFY(seedRoom(m_nam, m_server, room, 2, QStringLiteral("bea"), QStringLiteral("news %1")));
    QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), 62, deliveryTimeoutMs);
    QCOMPARE(bar->value(), place); // the reader is not moved
    QTRY_VERIFY(jump->isVisible());
    QCOMPARE(jump->text(), QStringLiteral("↓ 2 new messages"));
    // A line says where the news starts.
    QVERIFY(view->model()->index(60, 0).data(MessageModel::FirstUnreadRole).toBool());

    QTest::mouseClick(jump, Qt::LeftButton);
    QTRY_COMPARE(bar->value(), bar->maximum());
    QVERIFY(!jump->isVisible());
}

void TestReadingPlace::ctrlEndFromTheComposerJumpsToTheNewest()
{
    auto ana = openSeeded(QStringLiteral("ana"), 60);
    QVERIFY(ana);
    QScrollBar *bar = messageViewOf(*ana)->verticalScrollBar();
    QTRY_VERIFY_WITH_TIMEOUT(bar->maximum() > 0 && bar->value() == bar->maximum(), deliveryTimeoutMs);
    bar->setValue(bar->maximum() / 2);
    QPlainTextEdit *composer = composerOf(*ana);
    composer->setFocus();
    QTest::keyClicks(composer, QStringLiteral("half a thought"));
    QTest::keyClick(composer, Qt::Key_End, Qt::ControlModifier);
    QTRY_COMPARE(bar->value(), bar->maximum());
    QCOMPARE(composer->toPlainText(), QStringLiteral("half a thought"));
}

void TestReadingPlace::titleCountsWhatIsUnread()
{
    auto ana = openSeeded(QStringLiteral("ana"), 1);
    QVERIFY(ana);
    const QString side = QStringLiteral("side%1").arg(QCoreApplication::applicationPid());
    QCOMPARE(request(m_nam, "PUT", m_server.url(QStringLiteral("/api/v1/rooms/") + side)).status, 201);
    QTRY_VERIFY_WITH_TIMEOUT(ana->client()->rooms()->rowOf(*RoomName::parse(side)) >= 0,
                             roomNewsTimeoutMs);
    QVERIFY(!ana->windowTitle().startsWith(u'('));
    QVERIFY(seedRoom(m_nam, m_server, side, 3, QStringLiteral("bea")));
    QTRY_VERIFY_WITH_TIMEOUT(ana->windowTitle().startsWith(QStringLiteral("(3) ")), roomNewsTimeoutMs);
    ana->switchToRoom(side);
    QTRY_VERIFY(!ana->windowTitle().startsWith(u'('));
}

void TestReadingPlace::ctrlFFindsAMessageAndShowsItInContext()
{
    QString room;
    auto ana = openSeeded(QStringLiteral("ana"), 180, &room);
    QVERIFY(ana);
    auto *view = qobject_cast<MessageListView *>(messageViewOf(*ana));
    QTRY_VERIFY_WITH_TIMEOUT(view->isAtBottom(), deliveryTimeoutMs);

    QTest::keyClick(QApplication::focusWidget(), Qt::Key_F, Qt::ControlModifier);
    auto *edit = ana->findChild<QLineEdit *>(QStringLiteral("searchEdit"));
    QTRY_VERIFY(edit->hasFocus());
    QTest::keyClicks(edit, QStringLiteral("old 5"));
    // This room's only: the other tests' rooms hold an old-5. too.
    ana->findChild<QAbstractButton *>(QStringLiteral("searchThisRoomOnly"))->click();
    QTest::keyClick(edit, Qt::Key_Return);
    auto *results = ana->findChild<QAbstractItemView *>(QStringLiteral("searchResults"));
    QTRY_COMPARE_WITH_TIMEOUT(results->model()->rowCount(), 1, deliveryTimeoutMs);
    QVERIFY(results->model()->index(0, 0).data().toString().contains(QStringLiteral("old-5.")));

    // Enter on the result: the message, 175 back and beyond the first page, in view.
    results->setFocus();
    results->setCurrentIndex(results->model()->index(0, 0));
    QTest::keyClick(results, Qt::Key_Return);
    const auto rowOfFive = [view] {
        for (int row = 0; row < view->model()->rowCount(); ++row) {
            if (view->model()->index(row, 0).data(MessageModel::TextRole).toString() == u"old-5.")
                return row;
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(rowOfFive() >= 0, deliveryTimeoutMs);
    const QModelIndex five = view->model()->index(rowOfFive(), 0);
    QTRY_VERIFY(view->viewport()->rect().intersects(view->visualRect(five)));
    QVERIFY(view->selectionModel()->isSelected(five));
    QVERIFY(!view->isAtBottom());
}

QTEST_MAIN(TestReadingPlace)
#include "tst_readingplace.moc"
