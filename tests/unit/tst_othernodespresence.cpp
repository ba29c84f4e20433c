// What a node makes of the other nodes' presence rows (OtherNodesPresence), without a
// database: rows of live nodes merge per name, a row read twice is no news, a dead node's
// names drop out, and typing starts and stops as the rows say.

#include "server/othernodespresence.h"

#include <QTest>
#include <QTimeZone>

namespace {
constexpr qint64 windowMs = 60 * 1000;
const QString lab = QStringLiteral("lab");
const QString ana = QStringLiteral("ana");
const QString ben = QStringLiteral("ben");
const QString nodeB = QStringLiteral("node-b");
const QString nodeC = QStringLiteral("node-c");
const QDateTime start = QDateTime::fromMSecsSinceEpoch(1'800'000'000'000, QTimeZone::utc());

PresenceRow row(const QString &node, const QString &name, qint64 seenAgoMs, qint64 version, int streams = 0,
                qint64 typingForMs = 0)
{
    PresenceRow made;
    made.node = node;
    made.room = lab;
    made.name = name;
    made.seenAgoMs = seenAgoMs;
    made.openStreams = streams;
    made.typingForMs = typingForMs;
    made.version = version;
    return made;
}

QStringList namesOnline(const OtherNodesPresence &others, const QDateTime &now)
{
    QStringList names;
    for (const MemberElsewhere &member : others.online(lab, now.addMSecs(-windowMs)))
        names.append(member.name);
    names.sort();
    return names;
}

using Pairs = QList<QPair<QString, QString>>;
} // namespace

class TestOtherNodesPresence : public QObject
{
    Q_OBJECT

private slots:
    void aNameSeenOnALiveNodeIsOnlineAsOfThenOnThisClock();
    void aRowReadAgainIsNoNews();
    void aNameOnTwoNodesIsListedOnceAsLastSeenAnywhere();
    void aDeadNodesNamesAndTypistsDropOut();
    void rowsOfANodeNotLiveAreIgnored();
    void aNameThatLeftIsGoneAtOnce();
    void aStreamKeepsANameOnlinePastTheWindowAndTheWindowEndsTheRest();
    void everyTypingNoticeCountsAndItsEndIsTold();
};

void TestOtherNodesPresence::aNameSeenOnALiveNodeIsOnlineAsOfThenOnThisClock()
{
    OtherNodesPresence others(windowMs);
    const auto changes = others.apply({{nodeB}, {row(nodeB, ana, 1500, 1)}}, start);
    QCOMPARE(changes.rooms, QSet<QString>{lab});
    const QList<MemberElsewhere> online = others.online(lab, start.addMSecs(-windowMs));
    QCOMPARE(online.size(), 1);
    QCOMPARE(online.first().name, ana);
    QCOMPARE(online.first().lastSeen, start.addMSecs(-1500));
    QVERIFY(others.online(QStringLiteral("elsewhere"), start.addMSecs(-windowMs)).isEmpty());
}

void TestOtherNodesPresence::aRowReadAgainIsNoNews()
{
    OtherNodesPresence others(windowMs);
    others.apply({{nodeB}, {row(nodeB, ana, 0, 1, 0, 4000)}}, start);
    const auto again = others.apply({{nodeB}, {row(nodeB, ana, 500, 1, 0, 3500)}}, start.addMSecs(500));
    QVERIFY(again.rooms.isEmpty());
    QVERIFY(again.startedTyping.isEmpty());
    // A sighting that keeps it online changes no count either.
    const auto later = others.apply({{nodeB}, {row(nodeB, ana, 0, 2)}}, start.addMSecs(1000));
    QVERIFY(later.rooms.isEmpty());
}

void TestOtherNodesPresence::aNameOnTwoNodesIsListedOnceAsLastSeenAnywhere()
{
    OtherNodesPresence others(windowMs);
    others.apply({{nodeB, nodeC}, {row(nodeB, ana, 9000, 1), row(nodeC, ana, 2000, 1), row(nodeC, ben, 0, 2)}}, start);
    QCOMPARE(namesOnline(others, start), (QStringList{ana, ben}));
    for (const MemberElsewhere &member : others.online(lab, start.addMSecs(-windowMs))) {
        if (member.name == ana)
            QCOMPARE(member.lastSeen, start.addMSecs(-2000));
    }
    // C dies: ana is still online through B.
    const auto changes = others.apply({{nodeB}, {}}, start.addMSecs(1000));
    QCOMPARE(namesOnline(others, start.addMSecs(1000)), QStringList{ana});
    QCOMPARE(changes.rooms, QSet<QString>{lab}); // ben went
}

void TestOtherNodesPresence::aDeadNodesNamesAndTypistsDropOut()
{
    OtherNodesPresence others(windowMs);
    others.apply({{nodeB}, {row(nodeB, ana, 0, 1, 1), row(nodeB, ben, 0, 1, 0, 5000)}}, start);
    QCOMPARE(namesOnline(others, start), (QStringList{ana, ben}));
    QVERIFY(others.isTyping(lab, ben, start));
    const auto changes = others.apply({{}, {}}, start.addMSecs(1000));
    QVERIFY(namesOnline(others, start.addMSecs(1000)).isEmpty());
    QCOMPARE(changes.rooms, QSet<QString>{lab});
    QCOMPARE(changes.stoppedTyping, (Pairs{{lab, ben}}));
    QCOMPARE(others.rows(), 0);
}

void TestOtherNodesPresence::rowsOfANodeNotLiveAreIgnored()
{
    OtherNodesPresence others(windowMs);
    const auto changes = others.apply({{nodeC}, {row(nodeB, ana, 0, 1, 0, 5000)}}, start);
    QVERIFY(changes.rooms.isEmpty());
    QVERIFY(changes.startedTyping.isEmpty());
    QVERIFY(namesOnline(others, start).isEmpty());
}

void TestOtherNodesPresence::aNameThatLeftIsGoneAtOnce()
{
    OtherNodesPresence others(windowMs);
    others.apply({{nodeB}, {row(nodeB, ana, 0, 1, 2, 5000)}}, start);
    PresenceRow left = row(nodeB, ana, -1, 2);
    left.writtenAgoMs = 40;
    const auto changes = others.apply({{nodeB}, {left}}, start.addMSecs(100));
    QVERIFY(namesOnline(others, start.addMSecs(100)).isEmpty());
    QCOMPARE(changes.left.size(), 1);
    QCOMPARE(changes.left.first().name, ana);
    QCOMPARE(changes.left.first().at, start.addMSecs(60)); // when it left, on this clock
    QCOMPARE(changes.rooms, QSet<QString>{lab});
    QCOMPARE(changes.stoppedTyping, (Pairs{{lab, ana}}));
    QCOMPARE(others.rows(), 0); // nothing kept of a name that left
}

void TestOtherNodesPresence::aStreamKeepsANameOnlinePastTheWindowAndTheWindowEndsTheRest()
{
    OtherNodesPresence others(windowMs);
    others.apply({{nodeB}, {row(nodeB, ana, windowMs + 60000, 1, 1), row(nodeB, ben, 1000, 1)}}, start);
    QCOMPARE(namesOnline(others, start), (QStringList{ana, ben}));
    const QDateTime later = start.addMSecs(windowMs);
    QCOMPARE(namesOnline(others, later), QStringList{ana});
    // Its stream closed long after it was seen: gone, and the room's count changed.
    const auto changes = others.apply({{nodeB}, {row(nodeB, ana, windowMs + 1000, 2, 0)}}, later);
    QVERIFY(namesOnline(others, later).isEmpty());
    QCOMPARE(changes.rooms, QSet<QString>{lab});
}

void TestOtherNodesPresence::everyTypingNoticeCountsAndItsEndIsTold()
{
    OtherNodesPresence others(windowMs);
    auto changes = others.apply({{nodeB}, {row(nodeB, ana, 0, 1, 0, 5000)}}, start);
    QCOMPARE(changes.startedTyping, (Pairs{{lab, ana}}));
    QVERIFY(others.isTyping(lab, ana, start.addMSecs(4999)));
    QVERIFY(!others.isTyping(lab, ana, start.addMSecs(5000)));
    // The next notice (a window sends one every 3 s) starts it again, so it lasts on.
    changes = others.apply({{nodeB}, {row(nodeB, ana, 0, 2, 0, 5000)}}, start.addMSecs(3000));
    QCOMPARE(changes.startedTyping, (Pairs{{lab, ana}}));
    changes = others.apply({{nodeB}, {row(nodeB, ana, 0, 3, 0, 0)}}, start.addMSecs(4000));
    QVERIFY(changes.startedTyping.isEmpty());
    QCOMPARE(changes.stoppedTyping, (Pairs{{lab, ana}}));
}

QTEST_GUILESS_MAIN(TestOtherNodesPresence)
#include "tst_othernodespresence.moc"
