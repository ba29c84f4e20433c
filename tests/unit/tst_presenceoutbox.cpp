// What a node writes of its members for the others (PresenceOutbox): comings, goings,
// streams and typing at once, other sightings at most every refreshMs, and names long
// gone forgotten.

#include "server/presenceoutbox.h"

#include <QTest>

namespace {
const QString lab = QStringLiteral("lab");
const QString ana = QStringLiteral("ana");
const QString ben = QStringLiteral("ben");
constexpr qint64 refresh = PresenceOutbox::refreshMs;

LocalPresence seen(const QString &name, int streams = 0, bool typing = false)
{
    return {lab, name, true, streams, typing};
}

LocalPresence left(const QString &name)
{
    return {lab, name, false, 0, false};
}
} // namespace

class TestPresenceOutbox : public QObject
{
    Q_OBJECT

private slots:
    void aNewNameIsWrittenAtOnce();
    void anotherSightingWaitsForTheRefresh();
    void streamsAndLeavingAreWrittenAtOnce();
    void typingIsWrittenWithWhatIsLeftOfIt();
    void everythingIsWrittenAgainAfterALoss();
    void aNameGoneLongIsForgottenButNotOneStreaming();
    void aNamePushedOutOfAFullRoomIsWrittenAsSeenTooLongAgo();
};

void TestPresenceOutbox::aNewNameIsWrittenAtOnce()
{
    PresenceOutbox outbox;
    outbox.record(seen(ana), false, 1000);
    const QList<PresenceRow> rows = outbox.take(1000);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().name, ana);
    QCOMPARE(rows.first().seenAgoMs, 0);
    QVERIFY(!outbox.pending());
}

void TestPresenceOutbox::anotherSightingWaitsForTheRefresh()
{
    PresenceOutbox outbox;
    outbox.record(seen(ana), false, 0);
    outbox.take(0);
    outbox.record(seen(ana), false, 1000);
    QVERIFY(outbox.take(1000).isEmpty());
    QVERIFY(outbox.take(refresh - 1).isEmpty());
    QVERIFY(outbox.pending());
    const QList<PresenceRow> rows = outbox.take(refresh);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().seenAgoMs, refresh - 1000); // as of the sighting, not of the write
    QVERIFY(!outbox.pending());
}

void TestPresenceOutbox::streamsAndLeavingAreWrittenAtOnce()
{
    PresenceOutbox outbox;
    outbox.record(seen(ana), false, 0);
    outbox.take(0);
    outbox.record(seen(ana, 1), true, 100);
    QList<PresenceRow> rows = outbox.take(100);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().openStreams, 1);
    outbox.record(left(ana), true, 200);
    rows = outbox.take(200);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().seenAgoMs, -1);
    QCOMPARE(rows.first().openStreams, 0); // a stream left open no longer counts
    QCOMPARE(outbox.known(), 0);
    // A name never here leaving is written too: it may be polling through another node.
    outbox.record(left(ben), true, 300);
    rows = outbox.take(300);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().name, ben);
    QCOMPARE(rows.first().seenAgoMs, -1);
    QCOMPARE(outbox.known(), 0);
}

void TestPresenceOutbox::typingIsWrittenWithWhatIsLeftOfIt()
{
    PresenceOutbox outbox;
    outbox.record(seen(ana, 0, true), true, 0);
    QCOMPARE(outbox.take(0).first().typingForMs, PresenceOutbox::typingLastsMs);
    outbox.record(seen(ana), true, 2000); // a stream opened meanwhile, say
    QCOMPARE(outbox.take(2000).first().typingForMs, PresenceOutbox::typingLastsMs - 2000);
    outbox.record(seen(ana), true, 6000);
    QCOMPARE(outbox.take(6000).first().typingForMs, 0);
}

void TestPresenceOutbox::everythingIsWrittenAgainAfterALoss()
{
    PresenceOutbox outbox;
    outbox.record(seen(ana), false, 0);
    outbox.record(seen(ben), false, 0);
    QCOMPARE(outbox.take(0).size(), 2);
    outbox.rewriteAll();
    QCOMPARE(outbox.take(10).size(), 2);
}

void TestPresenceOutbox::aNameGoneLongIsForgottenButNotOneStreaming()
{
    PresenceOutbox outbox;
    outbox.record(seen(ana), false, 0);
    outbox.record(seen(ben, 1), true, 0);
    outbox.take(0);
    outbox.take(PresenceOutbox::forgetAfterMs);
    QCOMPARE(outbox.known(), 1); // ben, streaming
    outbox.rewriteAll();
    const QList<PresenceRow> rows = outbox.take(PresenceOutbox::forgetAfterMs + 1);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().name, ben);
}

void TestPresenceOutbox::aNamePushedOutOfAFullRoomIsWrittenAsSeenTooLongAgo()
{
    PresenceOutbox outbox;
    outbox.record(seen(ana, 0, true), false, 0);
    outbox.take(0);
    LocalPresence forgotten = left(ana);
    forgotten.forgotten = true;
    outbox.record(forgotten, true, 100);
    const QList<PresenceRow> rows = outbox.take(100);
    QCOMPARE(rows.size(), 1);
    QVERIFY(rows.first().seenAgoMs > PresenceOutbox::forgetAfterMs); // offline, but not a leave
    QCOMPARE(rows.first().typingForMs, 0);
    QCOMPARE(outbox.known(), 0);
}

QTEST_GUILESS_MAIN(TestPresenceOutbox)
#include "tst_presenceoutbox.moc"
