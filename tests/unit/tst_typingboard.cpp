// Who is typing where (TypingBoard), on a short lifetime so that expiry is quick to see:
// a change is reported once per room per turn of the loop, only when the set changed,
// and a name goes when its time runs out.

#include "server/typingboard.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

namespace {
constexpr int lastsMs = 300;
constexpr int reportTimeoutMs = 5000;
const QString lab = QStringLiteral("lab");
const QString ana = QStringLiteral("ana");
const QString ben = QStringLiteral("ben");

QStringList namesOf(const QList<QVariant> &report)
{
    return report.at(1).toStringList();
}
} // namespace

class TestTypingBoard : public QObject
{
    Q_OBJECT

private slots:
    void changesOfOneTurnAreOneReport();
    void aNameGoesWhenItsTimeRunsOutNotBefore();
    void stoppingAndStartingAgainInOneTurnIsNoChange();
    void aRoomRecordsAtMostSoManyNames();
};

void TestTypingBoard::changesOfOneTurnAreOneReport()
{
    TypingBoard board(lastsMs);
    QSignalSpy reports(&board, &TypingBoard::changed);
    board.started(lab, ben);
    board.started(lab, ana);
    board.started(lab, ana);
    board.started(QStringLiteral("other"), ana);
    QCOMPARE(board.typing(lab), QStringList({ana, ben})); // at once, in name order
    QVERIFY(reports.isEmpty()); // told on the next turn
    QVERIFY(reports.wait(reportTimeoutMs));
    QCOMPARE(reports.size(), 2); // one a room
    const auto forLab = std::find_if(reports.cbegin(), reports.cend(),
                                     [](const QList<QVariant> &report) { return report.at(0) == lab; });
    QVERIFY(forLab != reports.cend());
    QCOMPARE(namesOf(*forLab), QStringList({ana, ben}));
}

void TestTypingBoard::aNameGoesWhenItsTimeRunsOutNotBefore()
{
    TypingBoard board(lastsMs);
    QSignalSpy reports(&board, &TypingBoard::changed);
    QElapsedTimer sinceStarted;
    sinceStarted.start();
    board.started(lab, ana);
    QVERIFY(reports.wait(reportTimeoutMs));
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 2, reportTimeoutMs);
    // A coarse timer may fire up to 5 % early.
    QVERIFY2(sinceStarted.elapsed() >= lastsMs * 95 / 100, qPrintable(QString::number(sinceStarted.elapsed())));
    QCOMPARE(namesOf(reports.last()), QStringList());
    QVERIFY(!board.isTyping(lab, ana));
}

void TestTypingBoard::stoppingAndStartingAgainInOneTurnIsNoChange()
{
    TypingBoard board(60 * 1000); // nothing runs out during the test
    QSignalSpy reports(&board, &TypingBoard::changed);
    board.started(lab, ana);
    QVERIFY(reports.wait(reportTimeoutMs));
    board.stopped(lab, ana);
    board.started(lab, ana);
    board.stopped(lab, QStringLiteral("nobody"));
    QCoreApplication::processEvents(); // the turn in which a report would be made
    QCOMPARE(reports.size(), 1);
    board.started(lab, ben);
    QVERIFY(reports.wait(reportTimeoutMs));
    QCOMPARE(reports.size(), 2);
    QCOMPARE(namesOf(reports.last()), QStringList({ana, ben}));
    board.stopped(lab, ben);
    QVERIFY(reports.wait(reportTimeoutMs));
    QCOMPARE(namesOf(reports.last()), QStringList({ana}));
}

void TestTypingBoard::aRoomRecordsAtMostSoManyNames()
{
    TypingBoard board(60 * 1000);
    for (int i = 0; i <= TypingBoard::maxTypistsPerRoom; ++i)
        board.started(lab, QStringLiteral("name%1").arg(i, 3, 10, QLatin1Char('0')));
    QCOMPARE(board.typing(lab).size(), TypingBoard::maxTypistsPerRoom);
    QVERIFY(!board.isTyping(lab, QStringLiteral("name%1").arg(TypingBoard::maxTypistsPerRoom, 3, 10, QLatin1Char('0'))));
    // One that is recorded may still say it again, and another room is another board.
    board.started(lab, QStringLiteral("name000"));
    board.started(QStringLiteral("other"), ana);
    QVERIFY(board.isTyping(QStringLiteral("other"), ana));
}

QTEST_GUILESS_MAIN(TestTypingBoard)
#include "tst_typingboard.moc"
