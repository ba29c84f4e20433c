// What the room's entries besides messages do to the message list's model: an edit, a
// deletion, a reaction changes its message's row in place (dataChanged, never a reset or
// a row of its own), and a reply quotes the message it answers. Entries are made as the
// server sends them (docs/api.md, room events), as JSON.

#include "client/messagemodel.h"
#include "client/timeline.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
const RoomName lab = *RoomName::parse(u"lab");

Message entry(QJsonObject object)
{
    static qint64 clock = 0;
    object.insert(QStringLiteral("room"), QStringLiteral("lab"));
    object.insert(QStringLiteral("ts"), QStringLiteral("2026-12-01T12:00:%1.000Z").arg(++clock % 60, 2, 10, QChar(u'0')));
    if (!object.contains(QStringLiteral("text")))
        object.insert(QStringLiteral("text"), QString());
    return *messageFromJson(object);
}

Message said(MessageId id, const QString &author, const QString &text, MessageId replyTo = 0)
{
    QJsonObject object{{u"id"_s, id}, {u"author"_s, author}, {u"text"_s, text}};
    if (replyTo)
        object.insert(QStringLiteral("reply_to"), replyTo);
    return entry(object);
}

Message change(MessageId id, const QString &type, MessageId target, const QString &author, const QString &text = {},
               const QString &emoji = {})
{
    QJsonObject object{{u"id"_s, id}, {u"author"_s, author}, {u"text"_s, text}, {u"type"_s, type}, {u"target"_s, target}};
    if (!emoji.isEmpty())
        object.insert(QStringLiteral("emoji"), emoji);
    return entry(object);
}

QString textAt(const MessageModel &model, int row)
{
    return model.index(row).data(MessageModel::TextRole).toString();
}

QList<Reaction> reactionsAt(const MessageModel &model, int row)
{
    return model.index(row).data(MessageModel::ReactionsRole).value<QList<Reaction>>();
}

const QString thumbs = QStringLiteral("👍");
const QString party = QStringLiteral("🎉");
} // namespace

class TestRoomEntries : public QObject
{
    Q_OBJECT

private slots:
    void parsesWhatTheSpecSends();
    void anEditChangesTheRowInPlace();
    void aDeletionLeavesAPlaceholder();
    void reactionsAreSetsOfNames();
    void aReplyQuotesTheMessageItAnswers();
    void aReplyToAMessageNotLoadedAsksForIt();
    void reopeningReplaysWhatChangedOnTopOfThePage();
    void theAnswerToAChangeShowsAtOnce();
    void aJumpsPageLeavesAGapInTheTimeline();
};

void TestRoomEntries::parsesWhatTheSpecSends()
{
    // core's messageFromJson is the server's; here, what the client relies on from it.
    const Message plain = said(1, u"ana"_s, u"hola"_s);
    QVERIFY(plain.isMessage());
    QCOMPARE(plain.replyTo, 0);

    const Message reaction = change(11, u"react"_s, 9, u"ben"_s, thumbs, thumbs);
    QCOMPARE(reaction.type, EntryType::Reaction);
    QCOMPARE(reaction.target, 9);
    QCOMPARE(reaction.emoji, thumbs);

    const Message state = entry(QJsonObject{
        {u"id"_s, 9}, {u"author"_s, u"ana"_s}, {u"reply_to"_s, 7}, {u"edited_ts"_s, u"2026-12-01T12:00:00.000Z"_s},
        {u"reactions"_s, QJsonArray{QJsonObject{{u"emoji"_s, thumbs}, {u"names"_s, QJsonArray{u"ana"_s, u"ben"_s}}}}}});
    QVERIFY(state.isMessage());
    QCOMPARE(state.replyTo, 7);
    QVERIFY(state.editedAt.isValid());
    QVERIFY(!state.deleted);
    QCOMPARE(state.reactions, (QList<Reaction>{{thumbs, {u"ana"_s, u"ben"_s}}}));
}

void TestRoomEntries::anEditChangesTheRowInPlace()
{
    MessageModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setOwnName(QStringLiteral("ana"));
    Timeline timeline;
    timeline.merge({said(9, QStringLiteral("ana"), QStringLiteral("hola")), said(10, QStringLiteral("ben"), QStringLiteral("qué tal"))});
    model.showRoom(lab, timeline, {}, 0);
    QCOMPARE(model.lastEditableId(), 9);

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    const quint64 layoutBefore = model.index(0).data(MessageModel::LayoutKeyRole).toULongLong();
    model.addMessages({change(11, QStringLiteral("edit"), 9, QStringLiteral("ana"), QStringLiteral("hola!"))});
    QCOMPARE(model.rowCount(), 2); // not a row of its own
    QCOMPARE(resets.size(), 0);
    QCOMPARE(inserted.size(), 0);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().first().value<QModelIndex>().row(), 0);
    QCOMPARE(textAt(model, 0), QStringLiteral("hola!"));
    QVERIFY(model.index(0).data(MessageModel::EditedRole).toBool());
    QVERIFY(!model.index(1).data(MessageModel::EditedRole).toBool());
    QVERIFY(model.index(0).data(Qt::AccessibleTextRole).toString().contains(QStringLiteral("(edited)")));
    // Measured again: the text changed.
    QVERIFY(model.index(0).data(MessageModel::LayoutKeyRole).toULongLong() != layoutBefore);

    // An edit of a message not loaded changes nothing here.
    model.addMessages({change(12, QStringLiteral("edit"), 3, QStringLiteral("ana"), QStringLiteral("x"))});
    QCOMPARE(model.rowCount(), 2);
}

void TestRoomEntries::aDeletionLeavesAPlaceholder()
{
    MessageModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setOwnName(QStringLiteral("ana"));
    Timeline timeline;
    timeline.merge({said(9, QStringLiteral("ana"), QStringLiteral("secreto")),
                    change(10, QStringLiteral("react"), 9, QStringLiteral("ben"), thumbs, thumbs)});
    model.showRoom(lab, timeline, {}, 0);
    QVERIFY(model.index(0).data(MessageModel::CanEditRole).toBool());
    QCOMPARE(reactionsAt(model, 0).size(), 1);

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.addMessages({change(11, QStringLiteral("edit"), 9, QStringLiteral("ana")),
                       change(12, QStringLiteral("delete"), 9, QStringLiteral("ana"))});
    QCOMPARE(resets.size(), 0);
    QVERIFY(!changed.isEmpty());
    QCOMPARE(model.rowCount(), 1);
    QVERIFY(model.index(0).data(MessageModel::DeletedRole).toBool());
    QCOMPARE(textAt(model, 0), QStringLiteral("This message was deleted."));
    QVERIFY(!model.index(0).data(Qt::AccessibleTextRole).toString().contains(QStringLiteral("secreto")));
    QVERIFY(!model.index(0).data(MessageModel::EditedRole).toBool());
    QVERIFY(reactionsAt(model, 0).isEmpty());
    QVERIFY(!model.index(0).data(MessageModel::CanEditRole).toBool());
    QCOMPARE(model.lastEditableId(), 0);
}

void TestRoomEntries::reactionsAreSetsOfNames()
{
    MessageModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setOwnName(QStringLiteral("ana"));
    Timeline timeline;
    timeline.merge({said(9, QStringLiteral("ben"), QStringLiteral("¡terminé!"))});
    model.showRoom(lab, timeline, {}, 0);

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.addMessages({change(10, QStringLiteral("react"), 9, QStringLiteral("cai"), thumbs, thumbs),
                       change(11, QStringLiteral("react"), 9, QStringLiteral("ana"), party, party),
                       change(12, QStringLiteral("react"), 9, QStringLiteral("ana"), thumbs, thumbs)});
    QCOMPARE(reactionsAt(model, 0), (QList<Reaction>{{thumbs, {QStringLiteral("cai"), QStringLiteral("ana")}},
                                                     {party, {QStringLiteral("ana")}}}));
    QCOMPARE(model.index(0).data(MessageModel::MyReactionsRole).toStringList(), (QStringList{thumbs, party}));
    // The same again (a poll bringing it twice, or a page that already shows it): no change.
    model.addMessages({change(12, QStringLiteral("react"), 9, QStringLiteral("ana"), thumbs, thumbs)});
    QCOMPARE(reactionsAt(model, 0).first().names.size(), 2);

    model.addMessages({change(13, QStringLiteral("unreact"), 9, QStringLiteral("ana"), {}, party),
                       change(14, QStringLiteral("unreact"), 9, QStringLiteral("ana"), {}, thumbs)});
    QCOMPARE(reactionsAt(model, 0), (QList<Reaction>{{thumbs, {QStringLiteral("cai")}}}));
    QVERIFY(model.index(0).data(MessageModel::MyReactionsRole).toStringList().isEmpty());
    QVERIFY(model.index(0).data(Qt::AccessibleTextRole).toString().contains(thumbs + QStringLiteral(" from cai")));
    QCOMPARE(resets.size(), 0);
    QCOMPARE(model.rowCount(), 1);
}

void TestRoomEntries::aReplyQuotesTheMessageItAnswers()
{
    MessageModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy wanted(&model, &MessageModel::quoteWanted);
    Timeline timeline;
    timeline.merge({said(7, QStringLiteral("ana"), QStringLiteral("¿quién trae café?\nyo no puedo"))});
    model.showRoom(lab, timeline, {}, 0);
    model.addMessages({said(8, QStringLiteral("ben"), QStringLiteral("yo"), 7)});
    QCOMPARE(wanted.size(), 0);
    QCOMPARE(model.index(1).data(MessageModel::ReplyToRole).toLongLong(), 7);
    QCOMPARE(model.index(1).data(MessageModel::QuoteAuthorRole).toString(), QStringLiteral("ana"));
    QCOMPARE(model.index(1).data(MessageModel::QuoteTextRole).toString(), QStringLiteral("¿quién trae café?"));
    QCOMPARE(model.index(0).data(MessageModel::ReplyToRole).toLongLong(), 0);

    // The quote follows the original: edited, then deleted.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.addMessages({change(9, QStringLiteral("edit"), 7, QStringLiteral("ana"), QStringLiteral("¿quién trae té?"))});
    QCOMPARE(model.index(1).data(MessageModel::QuoteTextRole).toString(), QStringLiteral("¿quién trae té?"));
    QVERIFY(std::any_of(changed.cbegin(), changed.cend(),
                        [](const QList<QVariant> &args) { return args.first().value<QModelIndex>().row() == 1; }));
    model.addMessages({change(10, QStringLiteral("delete"), 7, QStringLiteral("ana"))});
    QCOMPARE(model.index(1).data(MessageModel::QuoteTextRole).toString(), QStringLiteral("This message was deleted."));
}

void TestRoomEntries::aReplyToAMessageNotLoadedAsksForIt()
{
    MessageModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy wanted(&model, &MessageModel::quoteWanted);
    Timeline timeline;
    timeline.merge({said(500, QStringLiteral("ben"), QStringLiteral("eso ya se dijo"), 3)});
    model.showRoom(lab, timeline, {}, 0);
    QCOMPARE(wanted.size(), 1);
    QCOMPARE(wanted.first().first().toLongLong(), 3);
    QCOMPARE(model.index(0).data(MessageModel::QuoteAuthorRole).toString(), QString());
    QCOMPARE(model.index(0).data(MessageModel::QuoteTextRole).toString(), QStringLiteral("a message"));

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.addQuoted(said(3, QStringLiteral("cai"), QStringLiteral("la reunión es el martes")));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(model.index(0).data(MessageModel::QuoteAuthorRole).toString(), QStringLiteral("cai"));
    QCOMPARE(model.index(0).data(MessageModel::QuoteTextRole).toString(), QStringLiteral("la reunión es el martes"));
    // Not a row: the list still starts at 500.
    QCOMPARE(model.rowCount(), 1);
    // Its edits reach the quote too.
    model.addMessages({change(501, QStringLiteral("edit"), 3, QStringLiteral("cai"), QStringLiteral("el miércoles"))});
    QCOMPARE(model.index(0).data(MessageModel::QuoteTextRole).toString(), QStringLiteral("el miércoles"));
}

void TestRoomEntries::reopeningReplaysWhatChangedOnTopOfThePage()
{
    // A history page gives messages as they are now; the entries held after it are
    // applied again when the room is shown anew, and those the page already shows
    // change nothing.
    QJsonObject edited{{u"id"_s, 9}, {u"author"_s, u"ana"_s}, {u"text"_s, u"hola!"_s}, {u"edited_ts"_s, u"2026-12-01T12:01:00.000Z"_s},
                       {u"reactions"_s, QJsonArray{QJsonObject{{u"emoji"_s, thumbs}, {u"names"_s, QJsonArray{u"ben"_s}}}}}};
    Timeline timeline;
    timeline.merge({entry(edited), change(10, QStringLiteral("edit"), 9, QStringLiteral("ana"), QStringLiteral("hola!")),
                    change(11, QStringLiteral("react"), 9, QStringLiteral("ben"), thumbs, thumbs),
                    change(12, QStringLiteral("react"), 9, QStringLiteral("cai"), party, party)});
    MessageModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.showRoom(lab, timeline, {}, 0);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(textAt(model, 0), QStringLiteral("hola!"));
    QVERIFY(model.index(0).data(MessageModel::EditedRole).toBool());
    QCOMPARE(reactionsAt(model, 0), (QList<Reaction>{{thumbs, {QStringLiteral("ben")}}, {party, {QStringLiteral("cai")}}}));
}

void TestRoomEntries::theAnswerToAChangeShowsAtOnce()
{
    MessageModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Timeline timeline;
    timeline.merge({said(9, QStringLiteral("ana"), QStringLiteral("hola"))});
    model.showRoom(lab, timeline, {}, 0);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.updateMessage(entry(QJsonObject{{u"id"_s, 9}, {u"author"_s, u"ana"_s}, {u"text"_s, u"hola!"_s},
                                          {u"edited_ts"_s, u"2026-12-01T12:01:00.000Z"_s}}));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(textAt(model, 0), QStringLiteral("hola!"));
    QVERIFY(model.index(0).data(MessageModel::EditedRole).toBool());
    // The entry that follows says the same: nothing more to draw.
    model.updateMessage(entry(QJsonObject{{u"id"_s, 9}, {u"author"_s, u"ana"_s}, {u"text"_s, u"hola!"_s},
                                          {u"edited_ts"_s, u"2026-12-01T12:01:00.000Z"_s}}));
    QCOMPARE(changed.size(), 1);
}

void TestRoomEntries::aJumpsPageLeavesAGapInTheTimeline()
{
    Timeline timeline;
    timeline.merge({said(300, QStringLiteral("a"), QStringLiteral("x")), said(301, QStringLiteral("a"), QStringLiteral("y"))});
    QCOMPARE(timeline.runStart(), 300);
    QVERIFY(!timeline.hasGap());
    timeline.merge({said(10, QStringLiteral("a"), QStringLiteral("p")), said(11, QStringLiteral("a"), QStringLiteral("q"))});
    QCOMPARE(timeline.runStart(), 300);
    QVERIFY(timeline.hasGap());
    QList<Message> between;
    for (MessageId id = 12; id < 300; ++id)
        between.append(said(id, QStringLiteral("a"), QStringLiteral("z")));
    timeline.merge(between);
    QCOMPARE(timeline.runStart(), 10);
    QVERIFY(!timeline.hasGap());
}

QTEST_GUILESS_MAIN(TestRoomEntries)
#include "tst_roomentries.moc"
