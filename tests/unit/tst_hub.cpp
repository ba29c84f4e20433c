#include "server/hub.h"
#include "server/metrics.h"

#include <QElapsedTimer>
#include <QTcpSocket>
#include <QTest>

#include <algorithm>
#include <vector>

namespace {
// Records what reaches storage, so a test can tell a memory hit from a disk read.
class RecordingStorage final : public Storage
{
public:
    bool open(QString *) override { return true; }
    QList<RoomRecord> rooms() const override { return {}; }
    void append(const RoomName &, const MessageDraft &, const QByteArray &, QObject *,
                std::function<void(const AppendOutcome &)>) override {}
    void change(const RoomName &, const EntryChange &, QObject *, std::function<void(const ChangeOutcome &)>) override {}
    void createRoom(const RoomName &, QObject *, std::function<void(RoomOutcome)>) override {}
    void read(const RoomName &, const PageRequest &request, QObject *,
              std::function<void(const Page &)> done) override
    {
        reads.append(request);
        Page page{!failReads, {}};
        // With `stored` set, the oldest after the cursor (all a catch-up asks for).
        for (const Message &entry : stored) {
            if (page.ok && entry.id > request.after.value_or(0) && page.messages.size() < request.limit)
                page.messages.append(entry);
        }
        done(page);
    }
    void search(const SearchQuery &, QObject *, std::function<void(const SearchPage &)> done) override
    {
        done(SearchPage{true, {}});
    }
    void checkHealth(QObject *, std::function<void(const StoreHealth &)> done) override { done({}); }
    CommitStats commitStats() const override { return {}; }
    QList<QByteArray> loadSessions(const QByteArray &) override { return {}; }
    void saveSession(const QByteArray &, const QByteArray &, QObject *,
                     std::function<void(bool)>) override {}
    void deleteSession(const QByteArray &, QObject *, std::function<void(bool)>) override {}

    QList<PageRequest> reads;
    QList<Message> stored; // as another node left the store, when a test needs it
    bool failReads = false;
};

Message message(const RoomName &room, MessageId id)
{
    Message stored;
    stored.id = id;
    stored.room = room.value();
    stored.author = QStringLiteral("ana");
    stored.text = QStringLiteral("m%1").arg(id);
    stored.timestamp = QDateTime::currentDateTimeUtc();
    stored.serialise();
    return stored;
}

QList<MessageId> ids(const QList<Message> &messages)
{
    QList<MessageId> list;
    for (const Message &m : messages)
        list.append(m.id);
    return list;
}

// Remembers what it was told, one list of ids per telling.
class RecordingFollower final : public RoomFollower
{
public:
    void roomAdvanced(const QList<Message> &news) override { tellings.append(ids(news)); }
    void keepAlive() override {}
    void close() override {}
    QByteArray session() const override { return openedUnder; }
    void sessionEnded() override { ++endings; }
    void typingChanged(const QStringList &names) override { typings.append(names); }

    QList<QList<MessageId>> tellings;
    QList<QStringList> typings;
    QByteArray openedUnder;
    int endings = 0;
};

// Another node's members as a test sets them, and what the hub told it.
class FakeSharedPresence final : public SharedPresence
{
public:
    void tell(const LocalPresence &presence, bool prompt) override { told.append({presence, prompt}); }
    QList<MemberElsewhere> elsewhere(const QString &room, const QDateTime &cutoff) const override
    {
        QList<MemberElsewhere> online;
        for (const MemberElsewhere &member : others.value(room)) {
            if (member.lastSeen >= cutoff)
                online.append(member);
        }
        return online;
    }

    QHash<QString, QList<MemberElsewhere>> others;
    QList<QPair<LocalPresence, bool>> told;
};

QList<MessageId> ids(const Page &page)
{
    return ids(page.messages);
}
} // namespace

class TestHub : public QObject
{
    Q_OBJECT

private slots:
    void servesRecentMessagesFromMemory();
    void readsOlderHistoryFromStorage();
    void afterARestartEverythingOldComesFromStorage();
    void aHeldPollWakesOnPublishAndOnTimeout();
    void heldPollsTimeOutInTheOrderOfTheirDeadlines();
    void followersAreToldOncePerTurnOfAllThatIsNew();
    void entriesAnotherNodeStoredComeInOrderBeforeThisNodesOwn();
    void ownEntriesAreNotHeldBackByAStoreThatCannotBeRead();
    void anotherNodesEntriesAreReadOnlyWhereSomeoneReads();
    void aFollowerGoneBeforeTheTurnIsNotTold();
    void aRoomOfThousandsIsToldASliceATurnWithOtherWorkBetween();
    void newsDuringATellingComesAfterItToEveryFollowerOnceInOrder();
    void newsLongerThanMemoryHoldsIsCutToWhatItHolds();
    void endingASessionEndsWhatItHoldsAndNothingElse();
    void aNameNotSeenForTheWindowIsForgotten();
    void aFullRoomForgetsTheNameSeenLongestAgo();
    void aNameWithAStreamOpenOutlivesTheWindow();
    void roomPagesGoInNameOrderFromTheCursor();
    void everyChangeAListShowsMovesTheRoomsSequence();
    void changedRoomsComeOldestFirstAHundredAtATime();
    void anyChangeWakesThePollsThatWatchRoomsAndNoOthers();
    void aNameThatLeftIsNotBroughtBackByItsOwnPoll();
    void aFloodElsewhereWakesAWatcherAtMostOncePerInterval();
    void membersAndCountsIncludeOtherNodesOncePerName();
    void whatTheHubSeesIsToldToOtherNodes();
    void typingOnOtherNodesReachesFollowersAndMembers();
    void leavingThroughAnotherNodeLeavesHereUnlessSeenSince();
    void aNamePushedOutOfAFullRoomIsToldToOtherNodes();

private:
    Page read(Hub &hub, const RoomName &room, const PageRequest &request)
    {
        Page result;
        hub.read(room, request, this, [&result](const Page &page) { result = page; });
        return result;
    }
};

void TestHub::servesRecentMessagesFromMemory()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    hub.addRoom(lab);
    for (MessageId id = 1; id <= 20; ++id)
        hub.publish(message(lab, id));

    QCOMPARE(ids(read(hub, lab, {17, std::nullopt, 100})), (QList<MessageId>{18, 19, 20}));
    QCOMPARE(ids(read(hub, lab, {std::nullopt, 5, 2})), (QList<MessageId>{3, 4}));
    QCOMPARE(ids(read(hub, lab, {std::nullopt, std::nullopt, 3})), (QList<MessageId>{18, 19, 20}));
    QCOMPARE(ids(read(hub, lab, {20, std::nullopt, 10})), QList<MessageId>{});
    QVERIFY(storage.reads.isEmpty());
}

void TestHub::readsOlderHistoryFromStorage()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    for (MessageId id = 1; id <= 2000; ++id)
        hub.publish(message(lab, id));

    read(hub, lab, {0, std::nullopt, 10});
    QCOMPARE(storage.reads.size(), 1);
    read(hub, lab, {1995, std::nullopt, 10});
    QCOMPARE(storage.reads.size(), 1);
}

void TestHub::afterARestartEverythingOldComesFromStorage()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    hub.loadRooms({{lab, 40}});
    QCOMPARE(hub.lastId(lab), 40);
    read(hub, lab, {39, std::nullopt, 10});
    QCOMPARE(storage.reads.size(), 1);
    hub.publish(message(lab, 41));
    // 41 alone is in memory; asking for 40 and 41 needs the disk, 41 alone does not.
    read(hub, lab, {39, std::nullopt, 10});
    QCOMPARE(storage.reads.size(), 2);
    QCOMPARE(ids(read(hub, lab, {40, std::nullopt, 10})), QList<MessageId>{41});
    QCOMPARE(storage.reads.size(), 2);
}

void TestHub::aHeldPollWakesOnPublishAndOnTimeout()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    hub.addRoom(lab);
    QTcpSocket socket;
    int wokenByMessage = 0;
    int wokenByTimeout = 0;
    hub.holdPoll(lab, 0, 60000, &socket, [&] { ++wokenByMessage; });
    hub.publish(message(lab, 1));
    QCOMPARE(wokenByMessage, 1);
    hub.publish(message(lab, 2));
    QCOMPARE(wokenByMessage, 1); // woken once only

    hub.holdPoll(lab, 2, 50, &socket, [&] { ++wokenByTimeout; });
    QCOMPARE(wokenByTimeout, 0);
    QTRY_COMPARE_WITH_TIMEOUT(wokenByTimeout, 1, 5000);
}

void TestHub::heldPollsTimeOutInTheOrderOfTheirDeadlines()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    const RoomName hall = *RoomName::parse(u"hall");
    hub.addRoom(lab);
    hub.addRoom(hall);
    QTcpSocket socket;
    QStringList woken;
    // Held out of deadline order, in two rooms; one answered early, one gone early.
    hub.holdPoll(lab, 0, 300, &socket, [&] { woken.append(QStringLiteral("lab 300")); });
    hub.holdPoll(hall, 0, 100, &socket, [&] { woken.append(QStringLiteral("hall 100")); });
    hub.holdPoll(lab, 0, 200, &socket, [&] {
        woken.append(QStringLiteral("lab 200"));
        // A wake that holds the next poll: it waits for its own time, not the batch's.
        hub.holdPoll(lab, 0, 250, &socket, [&] { woken.append(QStringLiteral("lab 200 then 250")); });
    });
    hub.holdPoll(hall, 0, 50, &socket, [&] { woken.append(QStringLiteral("hall 50")); });
    hub.publish(message(hall, 1));
    woken.sort(); // a message wakes its room's polls in no particular order
    QCOMPARE(woken, (QStringList{QStringLiteral("hall 100"), QStringLiteral("hall 50")}));
    woken.clear();
    QTRY_COMPARE_WITH_TIMEOUT(woken.size(), 3, 5000);
    QCOMPARE(woken, (QStringList{QStringLiteral("lab 200"), QStringLiteral("lab 300"),
                                 QStringLiteral("lab 200 then 250")}));
}

void TestHub::followersAreToldOncePerTurnOfAllThatIsNew()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    const RoomName hall = *RoomName::parse(u"hall");
    RecordingFollower inLab;
    RecordingFollower inHall;
    hub.follow(lab, &inLab);
    hub.follow(hall, &inHall);
    hub.publish(message(lab, 1));
    hub.publish(message(lab, 2));
    hub.publish(message(hall, 1));
    hub.publish(message(lab, 3));
    QVERIFY(inLab.tellings.isEmpty()); // not one write per message
    QTRY_COMPARE_WITH_TIMEOUT(inLab.tellings, (QList<QList<MessageId>>{{1, 2, 3}}), 5000);
    QCOMPARE(inHall.tellings, (QList<QList<MessageId>>{{1}}));

    hub.publish(message(lab, 4));
    QTRY_COMPARE_WITH_TIMEOUT(inLab.tellings, (QList<QList<MessageId>>{{1, 2, 3}, {4}}), 5000);
    QCOMPARE(inHall.tellings.size(), 1);
}

void TestHub::entriesAnotherNodeStoredComeInOrderBeforeThisNodesOwn()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    RecordingFollower follower;
    hub.follow(lab, &follower);
    hub.publish(message(lab, 1));
    QTRY_COMPARE_WITH_TIMEOUT(follower.tellings.size(), 1, 5000);

    // 2 and 3 were stored by another node; this node's own 4 comes back first.
    for (MessageId id = 1; id <= 4; ++id)
        storage.stored.append(message(lab, id));
    hub.publish(message(lab, 4));
    QCOMPARE(hub.lastId(lab), MessageId(4));
    QTRY_COMPARE_WITH_TIMEOUT(follower.tellings, (QList<QList<MessageId>>{{1}, {2, 3, 4}}), 5000);

    // Another node's wake-up: read and told, and a room it made is known.
    storage.stored.append(message(lab, 5));
    storage.stored.append(message(lab, 6));
    hub.headMoved(lab, 6);
    QTRY_COMPARE_WITH_TIMEOUT(follower.tellings.last(), (QList<MessageId>{5, 6}), 5000);
    QCOMPARE(ids(*hub.readRecent(lab, PageRequest{std::nullopt, std::nullopt, 6})), (QList<MessageId>{1, 2, 3, 4, 5, 6}));
    const RoomName hall = *RoomName::parse(u"hall");
    QVERIFY(!hub.hasRoom(hall));
    hub.headMoved(hall, 0);
    QVERIFY(hub.hasRoom(hall));

    // A head the store does not reach yet (a read that is not back): memory does not
    // answer for the room meanwhile, and what arrives later is told in order.
    storage.stored.append(message(lab, 7));
    hub.headMoved(lab, 8);
    QVERIFY(hub.behindStore(lab));
    QVERIFY(!hub.readRecent(lab, PageRequest{std::nullopt, std::nullopt, 2}));
    storage.stored.append(message(lab, 8));
    hub.publish(message(lab, 8));
    QVERIFY(!hub.behindStore(lab));
    QCOMPARE(ids(*hub.readRecent(lab, PageRequest{6, std::nullopt, 10})), (QList<MessageId>{7, 8}));
    QList<MessageId> told;
    QTRY_VERIFY_WITH_TIMEOUT((told = [&] {
        QList<MessageId> all;
        for (const auto &telling : follower.tellings)
            all += telling;
        return all;
    }()).size() == 8, 5000);
    QCOMPARE(told, (QList<MessageId>{1, 2, 3, 4, 5, 6, 7, 8}));
}

void TestHub::ownEntriesAreNotHeldBackByAStoreThatCannotBeRead()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    RecordingFollower follower;
    hub.follow(lab, &follower);
    hub.publish(message(lab, 1));
    storage.failReads = true;
    hub.publish(message(lab, 3)); // 2 is another node's, and cannot be read now
    QCOMPARE(hub.lastId(lab), MessageId(3));
    // Told at once; the follower reads what lies before it from the store itself.
    QTRY_VERIFY_WITH_TIMEOUT(!follower.tellings.isEmpty() && follower.tellings.last() == QList<MessageId>{3}, 5000);
}

void TestHub::anotherNodesEntriesAreReadOnlyWhereSomeoneReads()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    for (MessageId id = 1; id <= 7; ++id)
        storage.stored.append(message(lab, id));
    hub.publish(message(lab, 1));
    hub.headMoved(lab, 3);
    hub.publish(message(lab, 5)); // this node's own, past another node's 4
    QVERIFY(storage.reads.isEmpty()); // nobody reads the room here
    QCOMPARE(hub.lastId(lab), MessageId(5));
    QCOMPARE(hub.summary(lab).lastId, MessageId(5)); // the room list is right all the same
    QVERIFY(!hub.readRecent(lab, PageRequest{0, std::nullopt, 10})); // the store has what memory skipped

    RecordingFollower follower;
    hub.follow(lab, &follower);
    hub.headMoved(lab, 7);
    QCOMPARE(storage.reads.size(), 1);
    QCOMPARE(storage.reads.first().after, std::optional<MessageId>(5));
    QTRY_COMPARE_WITH_TIMEOUT(follower.tellings, (QList<QList<MessageId>>{{5, 6, 7}}), 5000);
}

void TestHub::aFollowerGoneBeforeTheTurnIsNotTold()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    RecordingFollower staying;
    RecordingFollower leaving;
    hub.follow(lab, &staying);
    hub.follow(lab, &leaving);
    hub.publish(message(lab, 1));
    hub.unfollow(lab, &leaving);
    QTRY_COMPARE_WITH_TIMEOUT(staying.tellings.size(), 1, 5000);
    QVERIFY(leaving.tellings.isEmpty());
}

void TestHub::aRoomOfThousandsIsToldASliceATurnWithOtherWorkBetween()
{
    // A sender's next message must be read while a big room is told of its last one
    // (issue 17): other work queued behind the telling runs before it ends.
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    std::vector<RecordingFollower> followers(2000);
    for (RecordingFollower &follower : followers)
        hub.follow(lab, &follower);
    const auto told = [&followers] {
        return std::count_if(followers.begin(), followers.end(),
                             [](const RecordingFollower &f) { return !f.tellings.isEmpty(); });
    };
    hub.publish(message(lab, 1));
    qsizetype toldWhenOtherWorkRan = -1;
    QMetaObject::invokeMethod(&hub, [&] { toldWhenOtherWorkRan = told(); }, Qt::QueuedConnection);
    QTRY_COMPARE_WITH_TIMEOUT(told(), qsizetype(followers.size()), 5000);
    QVERIFY2(toldWhenOtherWorkRan > 0 && toldWhenOtherWorkRan < qsizetype(followers.size()),
             qPrintable(QString::number(toldWhenOtherWorkRan)));
    for (const RecordingFollower &follower : followers)
        QCOMPARE(follower.tellings, (QList<QList<MessageId>>{{1}}));
}

void TestHub::newsDuringATellingComesAfterItToEveryFollowerOnceInOrder()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    std::vector<RecordingFollower> followers(2000);
    for (RecordingFollower &follower : followers)
        hub.follow(lab, &follower);
    hub.publish(message(lab, 1));
    // Between two slices of the first telling: a second message, and one follower not told
    // yet leaves. Which ones are told first is the hash's order, so it is picked then.
    RecordingFollower *leaving = nullptr;
    QMetaObject::invokeMethod(&hub, [&] {
        hub.publish(message(lab, 2));
        hub.publish(message(lab, 3));
        const auto untold = std::find_if(followers.begin(), followers.end(),
                                         [](const RecordingFollower &f) { return f.tellings.isEmpty(); });
        if (untold != followers.end()) {
            leaving = &*untold;
            hub.unfollow(lab, leaving);
        }
    }, Qt::QueuedConnection);
    const auto done = [&] {
        return leaving && std::all_of(followers.begin(), followers.end(), [&](const RecordingFollower &f) {
            return &f == leaving || f.tellings.size() == 2;
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(done(), 5000);
    for (const RecordingFollower &follower : followers) {
        if (&follower != leaving)
            QCOMPARE(follower.tellings, (QList<QList<MessageId>>{{1}, {2, 3}}));
    }
    QVERIFY(leaving->tellings.isEmpty());
}

void TestHub::newsLongerThanMemoryHoldsIsCutToWhatItHolds()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    RecordingFollower follower;
    hub.follow(lab, &follower);
    for (MessageId id = 1; id <= 2000; ++id)
        hub.publish(message(lab, id));
    QTRY_COMPARE_WITH_TIMEOUT(follower.tellings.size(), 1, 5000);
    // The rest is the follower's to read from storage: its cursor is behind the news.
    const QList<MessageId> told = follower.tellings.first();
    QVERIFY(!told.isEmpty() && told.size() < 2000);
    QCOMPARE(told.last(), 2000);
    for (qsizetype i = 1; i < told.size(); ++i)
        QCOMPARE(told[i], told[i - 1] + 1);
}

void TestHub::endingASessionEndsWhatItHoldsAndNothingElse()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    const RoomName hall = *RoomName::parse(u"hall");
    hub.addRoom(lab);
    hub.addRoom(hall);
    QTcpSocket socket;
    QStringList woken;
    hub.holdPoll(lab, 0, 60000, &socket, [&] { woken.append(QStringLiteral("a in lab")); }, "a");
    hub.holdPoll(hall, 0, 60000, &socket, [&] { woken.append(QStringLiteral("a in hall")); }, "a");
    hub.holdPoll(lab, 0, 60000, &socket, [&] { woken.append(QStringLiteral("b in lab")); }, "b");
    hub.holdPoll(lab, 0, 60000, &socket, [&] { woken.append(QStringLiteral("none in lab")); });
    RecordingFollower underA;
    underA.openedUnder = "a";
    RecordingFollower underB;
    underB.openedUnder = "b";
    RecordingFollower underNone;
    hub.follow(hall, &underA);
    hub.follow(hall, &underB);
    hub.follow(hall, &underNone);

    hub.endSession("a");
    woken.sort();
    QCOMPARE(woken, (QStringList{QStringLiteral("a in hall"), QStringLiteral("a in lab")}));
    QCOMPARE(underA.endings, 1);
    QCOMPARE(underB.endings, 0);
    QCOMPARE(underNone.endings, 0);

    hub.endSession({}); // a server without a password: nothing is anyone's to end
    QCOMPARE(woken.size(), 2);
    QCOMPARE(underNone.endings, 0);
    hub.publish(message(lab, 1));
    QCOMPARE(woken.size(), 4); // the others were still held
}

namespace {
QStringList names(const QList<Member> &members)
{
    QStringList list;
    for (const Member &member : members)
        list.append(member.name);
    return list;
}
} // namespace

namespace {
QStringList changedNames(const RoomChanges &changes)
{
    QStringList names;
    for (const RoomSummary &room : changes.rooms)
        names.append(room.name);
    return names;
}
} // namespace

void TestHub::everyChangeAListShowsMovesTheRoomsSequence()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    QDateTime now = QDateTime::fromString(QStringLiteral("2026-01-01T00:00:00Z"), Qt::ISODate);
    hub.setClock([&now] { return now; });
    const RoomName lab = *RoomName::parse(u"lab");
    // Above any earlier process's numbers: it starts at the time in microseconds.
    QVERIFY(hub.roomsSeq() >= RoomActivity::startOfProcess() - 60LL * 1000 * 1000);

    const auto moves = [&hub](auto change) {
        const qint64 before = hub.roomsSeq();
        change();
        return hub.roomsSeq() > before;
    };
    QVERIFY(moves([&] { hub.addRoom(lab); }));
    QVERIFY(!moves([&] { hub.addRoom(lab); })); // it exists: nothing a list shows changed
    QVERIFY(moves([&] { hub.publish(message(lab, 1)); }));
    QVERIFY(moves([&] { hub.sawMember(lab, QStringLiteral("ana")); }));
    QVERIFY(!moves([&] { hub.sawMember(lab, QStringLiteral("ana")); })); // still online
    QVERIFY(moves([&] { hub.leave(lab, QStringLiteral("ana")); }));
    QVERIFY(!moves([&] { hub.leave(lab, QStringLiteral("ana")); }));
    QVERIFY(moves([&] { hub.memberStreamOpened(lab, QStringLiteral("bo")); }));
    QVERIFY(moves([&] { hub.memberStreamClosed(lab, QStringLiteral("bo")); }));
    hub.sawMember(lab, QStringLiteral("cy"));
    now = now.addMSecs(Hub::onlineWindowMs + 1);
    // bo and cy are forgotten when the hub next looks: a change, though dan was new anyway.
    QVERIFY(moves([&] { hub.sawMember(lab, QStringLiteral("dan")); }));
    QCOMPARE(hub.roomChangesSince(hub.roomsSeq() - 1).rooms.first().online, 1);
}

void TestHub::changedRoomsComeOldestFirstAHundredAtATime()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const qint64 start = hub.roomsSeq();
    QStringList made;
    for (int i = 0; i < Hub::maxChangedRooms + 20; ++i) {
        made.append(QStringLiteral("r%1").arg(i, 3, 10, QLatin1Char('0')));
        hub.addRoom(*RoomName::parse(made.last()));
    }
    const RoomName first = *RoomName::parse(made.first());
    hub.publish(message(first, 1)); // changed again: listed once, at its last change
    made.append(made.takeFirst());

    const RoomChanges page1 = hub.roomChangesSince(start);
    QCOMPARE(changedNames(page1), made.mid(0, Hub::maxChangedRooms));
    QVERIFY(page1.seq < hub.roomsSeq());
    const RoomChanges page2 = hub.roomChangesSince(page1.seq);
    QCOMPARE(changedNames(page2), made.mid(Hub::maxChangedRooms));
    QCOMPARE(page2.seq, hub.roomsSeq());
    QCOMPARE(page2.rooms.last().lastId, MessageId(1));
    QVERIFY(hub.roomChangesSince(page2.seq).rooms.isEmpty());
    QVERIFY(!hub.roomsChangedSince(page2.seq));
    // From another process: one before (below the start) or a clock set back (above now).
    QCOMPARE(changedNames(hub.roomChangesSince(0)), changedNames(page1));
    QCOMPARE(changedNames(hub.roomChangesSince(hub.roomsSeq() + 1000)), changedNames(page1));
}

void TestHub::anyChangeWakesThePollsThatWatchRoomsAndNoOthers()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    const RoomName hall = *RoomName::parse(u"hall");
    hub.addRoom(lab);
    hub.addRoom(hall);
    QTcpSocket socket;
    int watcher = 0;
    int plain = 0;
    hub.holdPoll(lab, 0, 60000, &socket, [&] { ++watcher; }, {}, true);
    hub.holdPoll(lab, 0, 60000, &socket, [&] { ++plain; });
    hub.publish(message(hall, 1));
    QCOMPARE(watcher, 1);
    QCOMPARE(plain, 0);
    hub.holdPoll(lab, 0, 60000, &socket, [&] { ++watcher; }, {}, true);
    hub.leave(hall, QStringLiteral("nobody")); // nothing changed: no wake
    QCOMPARE(watcher, 1);
    hub.sawMember(hall, QStringLiteral("ana"));
    // So soon after the last wake, it waits out the interval (a flood, below).
    QCOMPARE(watcher, 1);
    QTRY_COMPARE_WITH_TIMEOUT(watcher, 2, 5 * Hub::roomsEventIntervalMs);
    hub.publish(message(lab, 1));
    QCOMPARE(plain, 1);
    QCOMPARE(watcher, 2); // released once only
}

void TestHub::aFloodElsewhereWakesAWatcherAtMostOncePerInterval()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    const RoomName busy = *RoomName::parse(u"busy");
    hub.addRoom(lab);
    hub.addRoom(busy);
    QTcpSocket socket;
    int wakes = 0;
    // As a window does: answered, it polls again at once.
    std::function<void()> poll = [&] {
        hub.holdPoll(lab, 0, 60000, &socket, [&] { ++wakes; poll(); }, {}, true);
    };
    poll();
    QElapsedTimer clock;
    clock.start();
    MessageId id = 0;
    while (clock.elapsed() < 3 * Hub::roomsEventIntervalMs) {
        hub.publish(message(busy, ++id));
        QTest::qWait(1);
    }
    // At once for the first, then once per interval: four here, not hundreds.
    QVERIFY2(id > 50, qPrintable(QString::number(id)));
    QVERIFY2(wakes >= 2 && wakes <= 5, qPrintable(QStringLiteral("%1 wakes for %2 messages").arg(wakes).arg(id)));
}

void TestHub::aNameThatLeftIsNotBroughtBackByItsOwnPoll()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    hub.addRoom(lab);
    hub.sawMember(lab, QStringLiteral("ana"));
    hub.sawMember(lab, QStringLiteral("bo"));
    hub.leave(lab, QStringLiteral("ana"));
    // The poll ana held when she left is answered (her leaving woke it) and sees her again.
    hub.sawMemberAgain(lab, QStringLiteral("ana"));
    hub.sawMemberAgain(lab, QStringLiteral("bo"));
    QCOMPARE(names(hub.members(lab)), QStringList{QStringLiteral("bo")});
}

void TestHub::aNameNotSeenForTheWindowIsForgotten()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    QDateTime now = QDateTime::fromString(QStringLiteral("2026-01-01T00:00:00Z"), Qt::ISODate);
    hub.setClock([&now] { return now; });
    const RoomName lab = *RoomName::parse(u"lab");
    hub.addRoom(lab);

    hub.sawMember(lab, QStringLiteral("ana"));
    now = now.addSecs(30);
    hub.sawMember(lab, QStringLiteral("bo"));
    QCOMPARE(names(hub.members(lab)), (QStringList{QStringLiteral("ana"), QStringLiteral("bo")}));

    now = now.addMSecs(Hub::onlineWindowMs - 30 * 1000 + 1);
    QCOMPARE(names(hub.members(lab)), QStringList{QStringLiteral("bo")});
    hub.sawMember(lab, QStringLiteral("cy"));
    // Turning the clock back tells forgotten from merely hidden: a name still held would
    // be inside the window again.
    now = now.addSecs(-40);
    QCOMPARE(names(hub.members(lab)), (QStringList{QStringLiteral("bo"), QStringLiteral("cy")}));
}

void TestHub::aFullRoomForgetsTheNameSeenLongestAgo()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    const RoomName lab = *RoomName::parse(u"lab");
    hub.addRoom(lab);
    for (qsizetype i = 0; i < Hub::maxMembersPerRoom; ++i)
        hub.sawMember(lab, QStringLiteral("n%1").arg(i));
    QCOMPARE(hub.members(lab).size(), Hub::maxMembersPerRoom);

    hub.sawMember(lab, QStringLiteral("n0")); // seen again: now the newest
    hub.sawMember(lab, QStringLiteral("late"));
    const QStringList online = names(hub.members(lab));
    QCOMPARE(online.size(), Hub::maxMembersPerRoom);
    QVERIFY(online.contains(QStringLiteral("n0")));
    QVERIFY(online.contains(QStringLiteral("late")));
    QVERIFY(!online.contains(QStringLiteral("n1")));
    QCOMPARE(hub.summary(lab).online, Hub::maxMembersPerRoom);
}

void TestHub::aNameWithAStreamOpenOutlivesTheWindow()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    QDateTime now = QDateTime::fromString(QStringLiteral("2026-01-01T00:00:00Z"), Qt::ISODate);
    hub.setClock([&now] { return now; });
    const RoomName lab = *RoomName::parse(u"lab");
    hub.addRoom(lab);

    hub.memberStreamOpened(lab, QStringLiteral("ana"));
    now = now.addMSecs(2 * Hub::onlineWindowMs);
    for (qsizetype i = 0; i <= Hub::maxMembersPerRoom; ++i)
        hub.sawMember(lab, QStringLiteral("n%1").arg(i));
    QVERIFY(names(hub.members(lab)).contains(QStringLiteral("ana")));

    hub.memberStreamClosed(lab, QStringLiteral("ana"));
    now = now.addMSecs(Hub::onlineWindowMs - 1);
    QVERIFY(names(hub.members(lab)).contains(QStringLiteral("ana")));
    now = now.addMSecs(2);
    hub.sawMember(lab, QStringLiteral("bo"));
    QCOMPARE(names(hub.members(lab)), QStringList{QStringLiteral("bo")});
}

void TestHub::roomPagesGoInNameOrderFromTheCursor()
{
    RecordingStorage storage;
    Metrics metrics;
    Hub hub(storage, metrics);
    auto room = [](QStringView name) { return *RoomName::parse(name); };
    hub.loadRooms({{room(u"lab"), 3}, {room(u"general"), 0}});
    // Made in no particular order, the way rooms come: by PUT and by a first message.
    hub.addRoom(room(u"a_b"));
    hub.publish(message(room(u"zz"), 1));
    hub.addRoom(room(u"a-b"));
    hub.addRoom(room(u"a0"));
    auto namesIn = [](const RoomPage &page) {
        QStringList listed;
        for (const RoomSummary &summary : page.rooms)
            listed.append(summary.name);
        return listed;
    };

    const RoomPage first = hub.roomsAfter(std::nullopt, 2);
    QCOMPARE(namesIn(first), QStringList({QStringLiteral("a-b"), QStringLiteral("a0")}));
    QVERIFY(first.more);
    const RoomPage second = hub.roomsAfter(room(u"a0"), 3);
    QCOMPARE(namesIn(second), QStringList({QStringLiteral("a_b"), QStringLiteral("general"), QStringLiteral("lab")}));
    QCOMPARE(second.rooms.last().lastId, MessageId(3));
    QVERIFY(second.more);
    const RoomPage last = hub.roomsAfter(room(u"lab"), 3);
    QCOMPARE(namesIn(last), QStringList{QStringLiteral("zz")});
    QVERIFY(!last.more);
    // A cursor need not be a room; a page that ends with the last room says so.
    QCOMPARE(namesIn(hub.roomsAfter(room(u"b"), 3)), QStringList({QStringLiteral("general"), QStringLiteral("lab"), QStringLiteral("zz")}));
    QVERIFY(!hub.roomsAfter(room(u"b"), 3).more);
    QVERIFY(hub.roomsAfter(room(u"zzz"), 3).rooms.isEmpty());
}

void TestHub::membersAndCountsIncludeOtherNodesOncePerName()
{
    RecordingStorage storage;
    Metrics metrics;
    FakeSharedPresence shared;
    Hub hub(storage, metrics);
    hub.sharePresence(shared);
    QDateTime now = QDateTime::fromString(QStringLiteral("2026-01-01T00:00:00Z"), Qt::ISODate);
    hub.setClock([&now] { return now; });
    const RoomName lab = *RoomName::parse(u"lab");
    hub.addRoom(lab);
    hub.sawMember(lab, QStringLiteral("ana"));
    // ana is also on another node, seen there later; bo only there; cy there too long ago.
    shared.others.insert(lab.value(), {{QStringLiteral("ana"), now.addSecs(5)},
                                       {QStringLiteral("bo"), now},
                                       {QStringLiteral("cy"), now.addMSecs(-Hub::onlineWindowMs - 1)}});
    const QList<Member> members = hub.members(lab);
    QCOMPARE(names(members), (QStringList{QStringLiteral("ana"), QStringLiteral("bo")}));
    QCOMPARE(members.first().lastSeen, now.addSecs(5));
    QCOMPARE(hub.summary(lab).online, 2);
    QCOMPARE(hub.roomsAfter(std::nullopt, 10).rooms.first().online, 2);
    // Others' comings and goings move the room list's sequence, as this node's do.
    const qint64 seq = hub.roomsSeq();
    emit shared.othersChanged(lab.value());
    QVERIFY(hub.roomsChangedSince(seq));
}

void TestHub::whatTheHubSeesIsToldToOtherNodes()
{
    RecordingStorage storage;
    Metrics metrics;
    FakeSharedPresence shared;
    Hub hub(storage, metrics);
    hub.sharePresence(shared);
    const RoomName lab = *RoomName::parse(u"lab");
    const QString ana = QStringLiteral("ana");
    hub.addRoom(lab);
    hub.sawMember(lab, ana);
    hub.sawMember(lab, ana);
    hub.memberStreamOpened(lab, ana);
    hub.startedTyping(lab, ana);
    hub.leave(lab, ana);
    hub.memberStreamClosed(lab, ana); // after leaving: stays gone, nothing more to tell
    QCOMPARE(shared.told.size(), 5);
    const auto told = [&shared](qsizetype i) { return shared.told.at(i).first; };
    QVERIFY(told(0).here && shared.told.at(0).second); // came: at once
    QVERIFY(told(1).here && !shared.told.at(1).second); // seen again: may wait
    QCOMPARE(told(2).openStreams, 1);
    QVERIFY(shared.told.at(2).second);
    QVERIFY(told(3).startedTyping && shared.told.at(3).second);
    QVERIFY(!told(4).here && shared.told.at(4).second);
    QCOMPARE(told(4).room, lab.value());
    QCOMPARE(told(4).name, ana);
    // A name never seen here leaving is told too (its polls may go to another node).
    hub.leave(lab, QStringLiteral("bo"));
    QCOMPARE(shared.told.size(), 6);
    QVERIFY(!shared.told.last().first.here);
}

void TestHub::typingOnOtherNodesReachesFollowersAndMembers()
{
    RecordingStorage storage;
    Metrics metrics;
    FakeSharedPresence shared;
    Hub hub(storage, metrics);
    hub.sharePresence(shared);
    const RoomName lab = *RoomName::parse(u"lab");
    const QString bo = QStringLiteral("bo");
    hub.addRoom(lab);
    RecordingFollower follower;
    hub.follow(lab, &follower);
    shared.others.insert(lab.value(), {{bo, QDateTime::currentDateTimeUtc()}});
    emit shared.othersStartedTyping(lab.value(), bo);
    QTRY_COMPARE(follower.typings, QList<QStringList>{QStringList{bo}});
    QCOMPARE(hub.typing(lab), QStringList{bo});
    QVERIFY(hub.members(lab).first().typing);
    emit shared.othersStoppedTyping(lab.value(), bo);
    QTRY_COMPARE(follower.typings.size(), 2);
    QVERIFY(follower.typings.last().isEmpty());
    // A room this node does not know yet is not made up by a typist elsewhere.
    emit shared.othersStartedTyping(QStringLiteral("unknown"), bo);
    QVERIFY(!hub.hasRoom(*RoomName::parse(u"unknown")));
    hub.unfollow(lab, &follower);
}

void TestHub::leavingThroughAnotherNodeLeavesHereUnlessSeenSince()
{
    RecordingStorage storage;
    Metrics metrics;
    FakeSharedPresence shared;
    Hub hub(storage, metrics);
    hub.sharePresence(shared);
    QDateTime now = QDateTime::fromString(QStringLiteral("2026-01-01T00:00:00Z"), Qt::ISODate);
    hub.setClock([&now] { return now; });
    const RoomName lab = *RoomName::parse(u"lab");
    hub.addRoom(lab);
    hub.sawMember(lab, QStringLiteral("ana"));
    now = now.addSecs(10);
    hub.sawMember(lab, QStringLiteral("bo"));
    // Both left elsewhere 5 s ago: ana was last seen here before that, bo after.
    emit shared.othersSawLeave(lab.value(), QStringLiteral("ana"), now.addSecs(-5));
    emit shared.othersSawLeave(lab.value(), QStringLiteral("bo"), now.addSecs(-5));
    QCOMPARE(names(hub.members(lab)), QStringList{QStringLiteral("bo")});
    // And this node tells the others that ana is gone from here too, once: a leave heard
    // of a name not here is not told back (nodes would echo it to each other forever).
    QVERIFY(!shared.told.last().first.here);
    QCOMPARE(shared.told.last().first.name, QStringLiteral("ana"));
    const qsizetype told = shared.told.size();
    emit shared.othersSawLeave(lab.value(), QStringLiteral("ana"), now);
    emit shared.othersSawLeave(lab.value(), QStringLiteral("cy"), now);
    QCOMPARE(shared.told.size(), told);
}

void TestHub::aNamePushedOutOfAFullRoomIsToldToOtherNodes()
{
    RecordingStorage storage;
    Metrics metrics;
    FakeSharedPresence shared;
    Hub hub(storage, metrics);
    hub.sharePresence(shared);
    const RoomName lab = *RoomName::parse(u"lab");
    hub.addRoom(lab);
    for (qsizetype i = 0; i <= Hub::maxMembersPerRoom; ++i)
        hub.sawMember(lab, QStringLiteral("n%1").arg(i));
    QList<QString> forgotten;
    for (const auto &[presence, prompt] : std::as_const(shared.told)) {
        if (presence.forgotten) {
            QVERIFY(!presence.here && prompt);
            forgotten.append(presence.name);
        }
    }
    QCOMPARE(forgotten, QList<QString>{QStringLiteral("n0")});
}

QTEST_GUILESS_MAIN(TestHub)
#include "tst_hub.moc"
