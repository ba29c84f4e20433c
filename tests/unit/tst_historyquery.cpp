#include "core/historyquery.h"
#include "core/roomlistquery.h"
#include "core/roomname.h"

#include <QTest>

class TestHistoryQuery : public QObject
{
    Q_OBJECT

private slots:
    void defaultsWhenEmpty();
    void readsEveryParameter();
    void refusesBadValues_data();
    void refusesBadValues();
    void roomNames_data();
    void roomNames();
    void roomListReadsItsCursorAndLimit();
    void roomListRefusesBadValues_data();
    void roomListRefusesBadValues();
    void roomListNextNamesTheCursorAndLimit();
};

void TestHistoryQuery::defaultsWhenEmpty()
{
    const auto parsed = parseHistoryQuery(QUrlQuery());
    QVERIFY(std::holds_alternative<HistoryQuery>(parsed));
    const HistoryQuery &query = std::get<HistoryQuery>(parsed);
    QVERIFY(!query.after);
    QVERIFY(!query.before);
    QCOMPARE(query.limit, 100);
    QCOMPARE(query.waitSeconds, 0);
    QVERIFY(query.name.isEmpty());
}

void TestHistoryQuery::readsEveryParameter()
{
    const auto parsed = parseHistoryQuery(
        QUrlQuery(QStringLiteral("after=7&before=20&limit=1000&wait=60&name=Jos%C3%A9")));
    QVERIFY(std::holds_alternative<HistoryQuery>(parsed));
    const HistoryQuery &query = std::get<HistoryQuery>(parsed);
    QCOMPARE(query.after.value_or(-1), 7);
    QCOMPARE(query.before.value_or(-1), 20);
    QCOMPARE(query.limit, 1000);
    QCOMPARE(query.waitSeconds, 60);
    QCOMPARE(query.name, QString::fromUtf8("José"));
}

void TestHistoryQuery::refusesBadValues_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("negative after") << "after=-1";
    QTest::newRow("word after") << "after=abc";
    QTest::newRow("plus sign") << "before=%2B5";
    QTest::newRow("empty before") << "before=";
    QTest::newRow("limit zero") << "limit=0";
    QTest::newRow("limit over max") << "limit=1001";
    QTest::newRow("wait over max") << "wait=61";
    QTest::newRow("huge after") << "after=99999999999999999999";
    QTest::newRow("empty name") << "name=";
    QTest::newRow("long name") << QString(QStringLiteral("name=") + QString(33, u'x'));
    QTest::newRow("control in name") << "name=a%0Ab";
}

void TestHistoryQuery::refusesBadValues()
{
    QFETCH(QString, query);
    const auto parsed = parseHistoryQuery(QUrlQuery(query));
    QVERIFY2(std::holds_alternative<ApiError>(parsed), "the query was accepted");
    QCOMPARE(std::get<ApiError>(parsed).status, 400);
    QCOMPARE(std::get<ApiError>(parsed).code, QStringLiteral("invalid_query"));
}

void TestHistoryQuery::roomNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("general") << "general" << true;
    QTest::newRow("digits and marks") << "0lab_2-b" << true;
    QTest::newRow("64 characters") << QString(64, u'a') << true;
    QTest::newRow("65 characters") << QString(65, u'a') << false;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("upper case") << "Lab" << false;
    QTest::newRow("leading dash") << "-lab" << false;
    QTest::newRow("leading underscore") << "_lab" << false;
    QTest::newRow("space") << "la b" << false;
    QTest::newRow("percent") << "la%20b" << false;
    QTest::newRow("accent") << QString::fromUtf8("niño") << false;
}

void TestHistoryQuery::roomNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(RoomName::parse(name).has_value(), valid);
}

void TestHistoryQuery::roomListReadsItsCursorAndLimit()
{
    const auto defaults = parseRoomListQuery(QUrlQuery());
    QVERIFY(std::holds_alternative<RoomListQuery>(defaults));
    QVERIFY(!std::get<RoomListQuery>(defaults).after);
    QCOMPARE(std::get<RoomListQuery>(defaults).limit, 100);

    const auto parsed = parseRoomListQuery(QUrlQuery(QStringLiteral("after=lab-2&limit=1000")));
    QVERIFY(std::holds_alternative<RoomListQuery>(parsed));
    QCOMPARE(std::get<RoomListQuery>(parsed).after->value(), QStringLiteral("lab-2"));
    QCOMPARE(std::get<RoomListQuery>(parsed).limit, 1000);
}

void TestHistoryQuery::roomListRefusesBadValues_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("parameter");
    QTest::newRow("limit zero") << "limit=0" << "limit";
    QTest::newRow("limit over max") << "limit=1001" << "limit";
    QTest::newRow("negative limit") << "limit=-5" << "limit";
    QTest::newRow("word limit") << "limit=ten" << "limit";
    QTest::newRow("empty limit") << "limit=" << "limit";
    QTest::newRow("plus sign") << "limit=%2B5" << "limit";
    QTest::newRow("empty after") << "after=" << "after";
    QTest::newRow("upper-case after") << "after=Lab" << "after";
    QTest::newRow("slash in after") << "after=a%2Fb" << "after";
    QTest::newRow("long after") << QString(QStringLiteral("after=") + QString(65, u'a')) << "after";
}

void TestHistoryQuery::roomListRefusesBadValues()
{
    QFETCH(QString, query);
    QFETCH(QString, parameter);
    const auto parsed = parseRoomListQuery(QUrlQuery(query));
    QVERIFY2(std::holds_alternative<ApiError>(parsed), "the query was accepted");
    const ApiError &error = std::get<ApiError>(parsed);
    QCOMPARE(error.status, 400);
    QCOMPARE(error.code, QStringLiteral("invalid_query"));
    QVERIFY2(error.message.contains(u'\'' + parameter + u'\''), qPrintable(error.message));
}

void TestHistoryQuery::roomListNextNamesTheCursorAndLimit()
{
    QCOMPARE(roomListPageAfter(QStringLiteral("lab_2"), 100), QStringLiteral("/api/v1/rooms?after=lab_2&limit=100"));
    // Room names never need it, but the cursor is encoded as a query value all the same.
    QCOMPARE(roomListPageAfter(QStringLiteral("a&b c"), 5), QStringLiteral("/api/v1/rooms?after=a%26b%20c&limit=5"));
}

QTEST_APPLESS_MAIN(TestHistoryQuery)
#include "tst_historyquery.moc"
