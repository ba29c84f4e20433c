// The message list's model without a window: rows go in and out one at a time, as
// QAbstractItemModelTester checks, and each row says what a view needs to draw it.

#include "client/messagemodel.h"
#include "client/timeline.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

namespace {
Message message(MessageId id, const QString &author, const QString &text, const QDateTime &at)
{
    Message made;
    made.id = id;
    made.room = QStringLiteral("lab");
    made.author = author;
    made.text = text;
    made.timestamp = at;
    return made;
}

OutgoingMessage outgoing(const QString &localId, const QString &text)
{
    OutgoingMessage made;
    made.localId = localId;
    made.room = *RoomName::parse(u"lab");
    made.author = QStringLiteral("ana");
    made.text = text;
    return made;
}

const RoomName lab = *RoomName::parse(u"lab");
const QDateTime noon = QDateTime(QDate(2026, 12, 1), QTime(12, 0)).toLocalTime();
} // namespace

class TestMessageModel : public QObject
{
    Q_OBJECT

private slots:
    void newsIsInsertedNotReset();
    void olderPageGoesAboveAndChangesTheFirstHeader();
    void pendingThenStored();
    void runsOfOneAuthorShareAHeaderButNotAcrossDaysOrGaps();
    void dividerAndRoomStart();
    void rowsSayWhetherTheyMentionYou();
};

void TestMessageModel::newsIsInsertedNotReset()
{
    MessageModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Timeline timeline;
    timeline.merge({message(1, QStringLiteral("bea"), QStringLiteral("uno"), noon)});
    model.showRoom(lab, timeline, {}, 0);
    QCOMPARE(model.rowCount(), 1);

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.addMessages({message(3, QStringLiteral("bea"), QStringLiteral("tres"), noon.addSecs(2)),
                       message(2, QStringLiteral("bea"), QStringLiteral("dos"), noon.addSecs(1)),
                       message(1, QStringLiteral("bea"), QStringLiteral("uno"), noon)});
    QCOMPARE(resets.size(), 0);
    QCOMPARE(inserted.size(), 1); // one block, after the row that was there
    QCOMPARE(inserted.first().at(1).toInt(), 1);
    QCOMPARE(inserted.first().at(2).toInt(), 2);
    QStringList texts;
    for (int row = 0; row < model.rowCount(); ++row)
        texts.append(model.index(row).data(MessageModel::TextRole).toString());
    QCOMPARE(texts, (QStringList{QStringLiteral("uno"), QStringLiteral("dos"), QStringLiteral("tres")}));

    // One that a poll brings again, or that fills a hole, goes where its id says.
    model.addMessages({message(2, QStringLiteral("bea"), QStringLiteral("dos"), noon.addSecs(1))});
    QCOMPARE(model.rowCount(), 3);
    model.addMessages({message(5, QStringLiteral("bea"), QStringLiteral("cinco"), noon.addSecs(5))});
    model.addMessages({message(4, QStringLiteral("bea"), QStringLiteral("cuatro"), noon.addSecs(4))});
    QCOMPARE(model.index(3).data(MessageModel::IdRole).toLongLong(), 4);
    QCOMPARE(model.index(4).data(MessageModel::IdRole).toLongLong(), 5);
}

void TestMessageModel::olderPageGoesAboveAndChangesTheFirstHeader()
{
    MessageModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Timeline timeline;
    timeline.merge({message(11, QStringLiteral("bea"), QStringLiteral("once"), noon.addSecs(11))});
    model.showRoom(lab, timeline, {}, 0);
    QVERIFY(model.index(0).data(MessageModel::StartsGroupRole).toBool());

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.addMessages({message(10, QStringLiteral("bea"), QStringLiteral("diez"), noon.addSecs(10))});
    QCOMPARE(model.index(0).data(MessageModel::IdRole).toLongLong(), 10);
    // Eleven now continues ten's run: its header goes, and the view is told.
    QVERIFY(!model.index(1).data(MessageModel::StartsGroupRole).toBool());
    QVERIFY(!changed.isEmpty());
    QCOMPARE(changed.last().first().value<QModelIndex>().row(), 1);
}

void TestMessageModel::pendingThenStored()
{
    MessageModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setOwnName(QStringLiteral("ana"));
    model.showRoom(lab, Timeline(), {}, 0);

    OutgoingMessage first = outgoing(QStringLiteral("a"), QStringLiteral("hola"));
    OutgoingMessage second = outgoing(QStringLiteral("b"), QStringLiteral("¿hay alguien?"));
    model.setPending({first, second});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0).data(MessageModel::DeliveryRole).value<MessageModel::Delivery>(),
             MessageModel::Delivery::Sending);
    QVERIFY(model.index(0).data(MessageModel::OwnRole).toBool());

    first.waitingForServer = true;
    model.setPending({first, second});
    QCOMPARE(model.index(0).data(MessageModel::DeliveryRole).value<MessageModel::Delivery>(),
             MessageModel::Delivery::WaitingForServer);
    QVERIFY(model.index(0).data(Qt::AccessibleTextRole).toString().contains(QStringLiteral("waiting for the server")));

    // Acknowledged: the stored message joins the timeline, the pending row goes.
    model.addMessages({message(1, QStringLiteral("ana"), QStringLiteral("hola"), noon)});
    model.setPending({second});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0).data(MessageModel::IdRole).toLongLong(), 1);
    QCOMPARE(model.index(0).data(MessageModel::DeliveryRole).value<MessageModel::Delivery>(),
             MessageModel::Delivery::Stored);
    QCOMPARE(model.index(1).data(MessageModel::TextRole).toString(), QStringLiteral("¿hay alguien?"));
    model.setPending({});
    QCOMPARE(model.rowCount(), 1);
}

void TestMessageModel::runsOfOneAuthorShareAHeaderButNotAcrossDaysOrGaps()
{
    MessageModel model;
    Timeline timeline;
    timeline.merge({message(1, QStringLiteral("bea"), QStringLiteral("a"), noon),
                    message(2, QStringLiteral("bea"), QStringLiteral("b"), noon.addSecs(30)),
                    message(3, QStringLiteral("ana"), QStringLiteral("c"), noon.addSecs(40)),
                    message(4, QStringLiteral("ana"), QStringLiteral("d"), noon.addSecs(40 + 10 * 60)),
                    message(5, QStringLiteral("ana"), QStringLiteral("e"), noon.addDays(1))});
    model.showRoom(lab, timeline, {}, 0);
    const QList<bool> expected{true, false, true, true, true};
    for (int row = 0; row < 5; ++row)
        QCOMPARE(model.index(row).data(MessageModel::StartsGroupRole).toBool(), expected[row]);
    QVERIFY(model.index(0).data(MessageModel::StartsDayRole).toBool());
    QVERIFY(!model.index(3).data(MessageModel::StartsDayRole).toBool());
    QVERIFY(model.index(4).data(MessageModel::StartsDayRole).toBool());
    // Every message keeps its own time, grouped or not.
    QVERIFY(model.index(1).data(MessageModel::TimestampRole).toDateTime().isValid());
    // A row whose header changes gets another layout key, so a size cache measures it again.
    QVERIFY(model.index(0).data(MessageModel::LayoutKeyRole) != model.index(1).data(MessageModel::LayoutKeyRole));
}

void TestMessageModel::dividerAndRoomStart()
{
    MessageModel model;
    Timeline timeline;
    timeline.merge({message(1, QStringLiteral("bea"), QStringLiteral("a"), noon),
                    message(2, QStringLiteral("bea"), QStringLiteral("b"), noon.addSecs(1))});
    model.showRoom(lab, timeline, {}, 2);
    QVERIFY(model.index(0).data(MessageModel::RoomStartRole).toBool());
    QVERIFY(!model.index(1).data(MessageModel::RoomStartRole).toBool());
    QVERIFY(model.index(1).data(MessageModel::FirstUnreadRole).toBool());
    // Under the divider the author is named again.
    QVERIFY(model.index(1).data(MessageModel::StartsGroupRole).toBool());
    const quint64 before = model.index(1).data(MessageModel::LayoutKeyRole).toULongLong();
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setFirstUnread(0);
    QVERIFY(!model.index(1).data(MessageModel::FirstUnreadRole).toBool());
    QCOMPARE(changed.size(), 1);
    QVERIFY(model.index(1).data(MessageModel::LayoutKeyRole).toULongLong() != before);
}

void TestMessageModel::rowsSayWhetherTheyMentionYou()
{
    // The rule itself is tst_notificationpolicy's; here, that rows carry it.
    MessageModel model;
    model.setOwnName(QStringLiteral("ana"));
    Timeline timeline;
    timeline.merge({message(1, QStringLiteral("bea"), QStringLiteral("@ana?"), noon),
                    message(2, QStringLiteral("ana"), QStringLiteral("ana here"), noon)});
    model.showRoom(lab, timeline, {}, 0);
    QVERIFY(model.index(0).data(MessageModel::MentionsMeRole).toBool());
    QVERIFY(!model.index(1).data(MessageModel::MentionsMeRole).toBool()); // one's own words
}

QTEST_GUILESS_MAIN(TestMessageModel)
#include "tst_messagemodel.moc"
