// The HTTP API of a real `chatapp --serve`, checked against docs/api.md from the
// outside: every request goes over a socket to the built binary.

#include "httpclient.h"
#include "serverprocess.h"
#include "ssereader.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <memory>

namespace {

QString messagesPath(const QString &room)
{
    return QStringLiteral("/api/v1/rooms/") + room + QStringLiteral("/messages");
}

QList<qint64> idsOf(const HttpReply &reply)
{
    QList<qint64> ids;
    for (const QJsonValue &value : reply.json.value(QStringLiteral("messages")).toArray())
        ids.append(value.toObject().value(QStringLiteral("id")).toInteger(-1));
    return ids;
}

QList<qint64> range(qint64 first, qint64 last)
{
    QList<qint64> ids;
    for (qint64 id = first; id <= last; ++id)
        ids.append(id);
    return ids;
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// A JSON send whose body is padded with insignificant white space to exactly `size` bytes.
QByteArray paddedJson(qsizetype size)
{
    QByteArray body = R"({"author":"ana","text":"padded"})";
    return body.insert(1, QByteArray(size - body.size(), ' '));
}

// Empty when `reply` is the documented error: the status line, `error.status` and
// `error.code` agree and there is a message for people. `codes` may list alternatives
// separated by '|' where docs/api.md allows more than one reading.
QByteArray errorMismatch(const HttpReply &reply, int status, const QString &codes)
{
    QStringList problems;
    const QJsonObject error = reply.json.value(QStringLiteral("error")).toObject();
    if (reply.status != status)
        problems << QStringLiteral("status %1, expected %2").arg(reply.status).arg(status);
    if (error.value(QStringLiteral("status")).toInt() != reply.status)
        problems << QStringLiteral("error.status does not match the status line");
    if (!codes.split(u'|').contains(reply.errorCode()))
        problems << QStringLiteral("code '%1', expected '%2'").arg(reply.errorCode(), codes);
    if (error.value(QStringLiteral("message")).toString().isEmpty())
        problems << QStringLiteral("no error.message");
    if (!reply.header("Content-Type").startsWith("application/json"))
        problems << QStringLiteral("Content-Type '%1'")
                        .arg(QString::fromLatin1(reply.header("Content-Type")));
    if (problems.isEmpty())
        return {};
    return problems.join(QStringLiteral("; ")).toUtf8() + " -- got: " + reply.describe();
}

// Empty when `message` is the documented message object; an `id` below 1 is not checked.
QByteArray messageMismatch(const QJsonObject &message, const QString &room, qint64 id,
    const QString &author, const QString &text)
{
    static const QRegularExpression tsPattern(
        QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)"));
    QStringList problems;
    const QJsonValue idValue = message.value(QStringLiteral("id"));
    if (!idValue.isDouble() || idValue.toInteger(-1) < 1)
        problems << QStringLiteral("id is not a positive integer");
    else if (id > 0 && idValue.toInteger() != id)
        problems << QStringLiteral("id %1, expected %2").arg(idValue.toInteger()).arg(id);
    if (message.value(QStringLiteral("room")).toString() != room)
        problems << QStringLiteral("room, expected '%1'").arg(room);
    if (message.value(QStringLiteral("author")).toString() != author)
        problems << QStringLiteral("author, expected '%1'").arg(author);
    if (message.value(QStringLiteral("text")).toString() != text)
        problems << QStringLiteral("text, expected %1 characters '%2'")
                        .arg(text.size())
                        .arg(text.left(40));
    const QString ts = message.value(QStringLiteral("ts")).toString();
    if (!tsPattern.match(ts).hasMatch()) {
        problems << QStringLiteral("ts '%1' is not UTC ISO 8601 with milliseconds").arg(ts);
    } else {
        const QDateTime stored = QDateTime::fromString(ts, Qt::ISODateWithMs);
        // Same machine, same clock: a stored time far from now is a wrong time zone or unit.
        if (qAbs(stored.secsTo(QDateTime::currentDateTimeUtc())) > 600)
            problems << QStringLiteral("ts '%1' is not near now").arg(ts);
    }
    if (problems.isEmpty())
        return {};
    return problems.join(QStringLiteral("; ")).toUtf8() + " -- got: " + compact(message).left(300);
}

QJsonArray withoutOnline(const QJsonObject &roomList)
{
    QJsonArray rooms;
    for (const QJsonValue &value : roomList.value(QStringLiteral("rooms")).toArray()) {
        QJsonObject room = value.toObject();
        room.remove(QStringLiteral("online"));
        rooms.append(room);
    }
    return rooms;
}

} // namespace

#define VERIFY_ERROR(reply, status, codes)                                                         \
    do {                                                                                           \
        const QByteArray why_ = errorMismatch((reply), (status), (codes));                         \
        if (!why_.isEmpty())                                                                       \
            QFAIL(why_.constData());                                                               \
    } while (false)

#define VERIFY_MESSAGE(object, room, id, author, text)                                             \
    do {                                                                                           \
        const QByteArray why_ = messageMismatch((object), (room), (id), (author), (text));         \
        if (!why_.isEmpty())                                                                       \
            QFAIL(why_.constData());                                                               \
    } while (false)

// Binds the reply once: the argument is often the request itself.
#define VERIFY_STATUS(reply, expected)                                                             \
    do {                                                                                           \
        const HttpReply &reply_ = (reply);                                                         \
        QVERIFY2(reply_.status == (expected), reply_.describe().constData());                      \
    } while (false)

class TestApi : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void healthzReturnsOk();
    void generalRoomAlwaysExists();
    void putRoomReturns201ThenOk();
    void putRoomIgnoresTheBody();
    void longestRoomNameIsAccepted();

    void postReturns201WithLocation_data();
    void postReturns201WithLocation();
    void postCreatesTheRoom();
    void idsAreGaplessAndIndependentPerRoom();
    void refusedSendStoresNothing_data();
    void refusedSendStoresNothing();
    void postWithoutContentTypeIs415();
    void emptyIdempotencyKeyIs400();

    void invalidRoomNameIs400_data();
    void invalidRoomNameIs400();
    void unknownRoomIs404_data();
    void unknownRoomIs404();
    void unknownPathIs404_data();
    void unknownPathIs404();
    void wrongMethodIs405WithAllow_data();
    void wrongMethodIs405WithAllow();
    void badQueryIs400_data();
    void badQueryIs400();
    void boundaryQueryValuesAreAccepted_data();
    void boundaryQueryValuesAreAccepted();
    void badLastEventIdIs400_data();
    void badLastEventIdIs400();

    void historyPages_data();
    void historyPages();
    void emptyRoomHasLastIdZero();
    void defaultLimitIs100();
    void getOneMessage();
    void unknownMessageIs404_data();
    void unknownMessageIs404();

    void idempotentRetryReturns200AndStoresNothing();
    void idempotencyKeyIsPerRoom();
    void concurrentRetriesStoreOnce();

    void longPollIsWokenByAPost();
    void longPollOnQuietRoomAnswersEmptyAfterWait();
    void longPollWithNewerMessagesAnswersAtOnce();
    void waitWithoutAfterAnswersAtOnce_data();
    void waitWithoutAfterAnswersAtOnce();

    void eventsReplayAfterLastEventIdThenGoLive();
    void eventsReplayAfterQueryParameter();
    void lastEventIdWinsOverAfterParameter();
    void eventsWithoutCursorStartWithTheNextMessage();
    void eventsResumeWithoutGapOrDuplicate();
    void openStreamsAreCountedUntilTheReaderLeaves();
    void eventsSendKeepAliveComments();

    void membersShowNameFromPoll();
    void membersShowNameWhileStreamIsOpen();
    void roomListShowsRoomsWithCounts();
    void metricsCountStoredMessagesAndResponses();
    void twoClientsChatInOneRoom();
    void stdoutHoldsOnlyTheListeningLine();

    void restartKeepsHistoryAndIdempotencyKeys();
    void sigtermAnswersHeldWorkAndExitsZero();

private:
    QString freshRoom();
    QUrl url(const QString &pathAndQuery) const { return m_server.url(pathAndQuery); }
    HttpReply get(const QString &pathAndQuery, const HeaderList &headers = {},
        int timeoutMs = defaultRequestTimeoutMs);
    HttpReply send(const QString &room, const QByteArray &contentType, const QByteArray &body,
        HeaderList headers = {});
    HttpReply sendJson(const QString &room, const QString &author, const QString &text,
        const HeaderList &headers = {});
    qint64 lastId(const QString &room);
    int openPolls();

    ServerProcess m_server;
    QNetworkAccessManager m_nam;
    int m_roomCount = 0;
};

void TestApi::initTestCase()
{
    QVERIFY2(m_server.start(), m_server.stderrOutput().constData());
}

void TestApi::cleanupTestCase()
{
    if (m_server.isRunning())
        m_server.kill();
}

// Each test gets rooms of its own, named after it, so tests do not see each other's messages.
QString TestApi::freshRoom()
{
    return QString::fromLatin1(QTest::currentTestFunction()).toLower().left(50) + u'-'
        + QString::number(++m_roomCount);
}

HttpReply TestApi::get(const QString &pathAndQuery, const HeaderList &headers, int timeoutMs)
{
    return request(m_nam, "GET", url(pathAndQuery), {}, headers, timeoutMs);
}

HttpReply TestApi::send(
    const QString &room, const QByteArray &contentType, const QByteArray &body, HeaderList headers)
{
    if (!contentType.isNull())
        headers.append({ "Content-Type", contentType });
    return request(m_nam, "POST", url(messagesPath(room)), body, headers);
}

HttpReply TestApi::sendJson(
    const QString &room, const QString &author, const QString &text, const HeaderList &headers)
{
    return send(room, "application/json",
        jsonBody({ { QStringLiteral("author"), author }, { QStringLiteral("text"), text } }),
        headers);
}

// -1 when the room cannot be read, so that a comparison with a real id fails.
qint64 TestApi::lastId(const QString &room)
{
    const HttpReply reply = get(messagesPath(room) + QStringLiteral("?limit=1"));
    if (reply.status != 200)
        return -1;
    return reply.json.value(QStringLiteral("last_id")).toInteger(-1);
}

int TestApi::openPolls()
{
    const HttpReply reply = get(QStringLiteral("/metrics"));
    return int(metricValue(reply.body, "chatapp_open_polls").value_or(-1));
}

void TestApi::healthzReturnsOk()
{
    const HttpReply reply = get(QStringLiteral("/healthz"));
    VERIFY_STATUS(reply, 200);
    QCOMPARE(reply.json.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
}

void TestApi::generalRoomAlwaysExists()
{
    const HttpReply room = get(QStringLiteral("/api/v1/rooms/general"));
    VERIFY_STATUS(room, 200);
    QCOMPARE(room.json.value(QStringLiteral("name")).toString(), QStringLiteral("general"));
    VERIFY_STATUS(get(messagesPath(QStringLiteral("general"))), 200);
}

void TestApi::putRoomReturns201ThenOk()
{
    const QString room = freshRoom();
    const QString path = QStringLiteral("/api/v1/rooms/") + room;
    const HttpReply created = request(m_nam, "PUT", url(path));
    VERIFY_STATUS(created, 201);
    const QJsonObject expected { { QStringLiteral("name"), room },
        { QStringLiteral("message_count"), 0 }, { QStringLiteral("last_id"), 0 },
        { QStringLiteral("online"), 0 } };
    QCOMPARE(created.json, expected);

    const HttpReply again = request(m_nam, "PUT", url(path));
    VERIFY_STATUS(again, 200);
    QCOMPARE(again.json, expected);

    const HttpReply read = get(path);
    VERIFY_STATUS(read, 200);
    QCOMPARE(read.json, expected);

    // A PUT on a room with messages reports them rather than resetting it.
    VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("hola")), 201);
    const HttpReply existing = request(m_nam, "PUT", url(path));
    VERIFY_STATUS(existing, 200);
    QCOMPARE(existing.json.value(QStringLiteral("message_count")).toInteger(), 1);
    QCOMPARE(existing.json.value(QStringLiteral("last_id")).toInteger(), 1);
}

void TestApi::putRoomIgnoresTheBody()
{
    const QString room = freshRoom();
    const HttpReply created = request(m_nam, "PUT", url(QStringLiteral("/api/v1/rooms/") + room),
        "this is { not json", { { "Content-Type", "text/plain" } });
    VERIFY_STATUS(created, 201);
    QCOMPARE(created.json.value(QStringLiteral("name")).toString(), room);
}

void TestApi::longestRoomNameIsAccepted()
{
    const QString room = QStringLiteral("0_-") + QString(61, u'z');
    QCOMPARE(room.size(), 64);
    VERIFY_STATUS(request(m_nam, "PUT", url(QStringLiteral("/api/v1/rooms/") + room)), 201);
    const HttpReply sent = sendJson(room, QStringLiteral("ana"), QStringLiteral("long name"));
    VERIFY_STATUS(sent, 201);
    VERIFY_MESSAGE(sent.json, room, 1, QStringLiteral("ana"), QStringLiteral("long name"));
}

void TestApi::postReturns201WithLocation_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("author");
    QTest::addColumn<QString>("text");

    const QString ana = QStringLiteral("ana");
    const QString hola = QStringLiteral("hola");
    const QByteArray json = "application/json";
    const QByteArray form = "application/x-www-form-urlencoded";

    QTest::newRow("json") << json << QByteArray(R"({"author": "ana", "text": "hola"})") << ana
                          << hola;
    QTest::newRow("json with charset")
        << QByteArray("application/json; charset=utf-8")
        << QByteArray(R"({"author":"ana","text":"hola"})") << ana << hola;
    QTest::newRow("json media type in capitals")
        << QByteArray("Application/JSON") << QByteArray(R"({"author":"ana","text":"hola"})") << ana
        << hola;
    QTest::newRow("json unicode escapes")
        << json << QByteArray(R"({"author":"\u00f1and\u00fa","text":"\ud83d\ude00 ok"})")
        << QStringLiteral("ñandú") << QString::fromUtf8("\xF0\x9F\x98\x80 ok");
    QTest::newRow("json raw utf-8")
        << json << QByteArray("{\"author\":\"bea\",\"text\":\"caf\xC3\xA9 \xE2\x82\xAC\"}")
        << QStringLiteral("bea") << QStringLiteral("café €");
    QTest::newRow("json newline and tab in text")
        << json << QByteArray(R"({"author":"ana","text":"line 1\nline 2\tcol"})") << ana
        << QStringLiteral("line 1\nline 2\tcol");
    QTest::newRow("json crlf stored as lf")
        << json << QByteArray(R"({"author":"ana","text":"a\r\nb\r\n"})") << ana
        << QStringLiteral("a\nb\n");
    QTest::newRow("json author trimmed, text kept")
        << json << QByteArray(R"({"author":"  ana\t ","text":"  hola  "})") << ana
        << QStringLiteral("  hola  ");
    QTest::newRow("json 4000 ascii characters")
        << json
        << jsonBody({ { QStringLiteral("author"), ana },
               { QStringLiteral("text"), QString(4000, u'x') } })
        << ana << QString(4000, u'x');
    const QString accents = QStringLiteral("é").repeated(4000);
    QTest::newRow("json 4000 two-byte characters")
        << json
        << jsonBody({ { QStringLiteral("author"), ana }, { QStringLiteral("text"), accents } })
        << ana << accents;
    // Outside the BMP: one code point, two UTF-16 units, four UTF-8 bytes.
    const QString emoji = QString::fromUtf8("\xF0\x9F\x98\x80").repeated(4000);
    QTest::newRow("json 4000 emoji")
        << json
        << jsonBody({ { QStringLiteral("author"), ana }, { QStringLiteral("text"), emoji } }) << ana
        << emoji;
    const QString longAuthor = QString(32, u'a');
    QTest::newRow("json 32 character author")
        << json
        << jsonBody({ { QStringLiteral("author"), longAuthor }, { QStringLiteral("text"), hola } })
        << longAuthor << hola;
    const QString longAccentedAuthor = QStringLiteral("ñ").repeated(32);
    QTest::newRow("json 32 two-byte character author")
        << json
        << jsonBody({ { QStringLiteral("author"), longAccentedAuthor },
               { QStringLiteral("text"), hola } })
        << longAccentedAuthor << hola;
    QTest::newRow("json 32 character author after trimming")
        << json
        << jsonBody({ { QStringLiteral("author"),
                          QString(QStringLiteral("  ") + longAuthor + QStringLiteral("  ")) },
               { QStringLiteral("text"), hola } })
        << longAuthor << hola;
    QTest::newRow("json body of exactly 64 KiB")
        << json << paddedJson(64 * 1024) << ana << QStringLiteral("padded");

    QTest::newRow("form") << form << QByteArray("author=ana&text=hola") << ana << hola;
    QTest::newRow("form with charset, as browsers send it")
        << QByteArray("application/x-www-form-urlencoded; charset=UTF-8")
        << QByteArray("author=ana&text=hola") << ana << hola;
    QTest::newRow("form plus and %20 are spaces")
        << form << QByteArray("author=ana+maria&text=hola%20a+todos%21")
        << QStringLiteral("ana maria") << QStringLiteral("hola a todos!");
    QTest::newRow("form utf-8") << form
                                << QByteArray("author=%C3%B1and%C3%BA&text=caf%C3%A9+%F0%9F%98%80")
                                << QStringLiteral("ñandú")
                                << QString::fromUtf8("café \xF0\x9F\x98\x80");
    QTest::newRow("form reserved characters")
        << form << QByteArray("text=a%26b%3Dc%2B1&author=ana") << ana << QStringLiteral("a&b=c+1");
    QTest::newRow("form newline and tab in text")
        << form << QByteArray("author=ana&text=line+1%0Aline+2%09col") << ana
        << QStringLiteral("line 1\nline 2\tcol");
    QTest::newRow("form crlf stored as lf")
        << form << QByteArray("author=ana&text=a%0D%0Ab") << ana << QStringLiteral("a\nb");
    QTest::newRow("form 4000 characters")
        << form << formBody({ { "author", ana }, { "text", accents } }) << ana << accents;
}

void TestApi::postReturns201WithLocation()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(QString, author);
    QFETCH(QString, text);

    const QString room = freshRoom();
    const HttpReply sent = send(room, contentType, body);
    VERIFY_STATUS(sent, 201);
    QVERIFY2(
        sent.header("Content-Type").startsWith("application/json"), sent.header("Content-Type"));
    VERIFY_MESSAGE(sent.json, room, 1, author, text);

    const QString expectedPath = messagesPath(room) + QStringLiteral("/1");
    const QByteArray location = sent.header("Location");
    QVERIFY2(!location.isEmpty(), "no Location header");
    // docs/api.md shows a path; an absolute URL to the same place would do as well.
    QCOMPARE(url(QString::fromUtf8(location)), url(expectedPath));

    const HttpReply fetched = get(expectedPath);
    VERIFY_STATUS(fetched, 200);
    QCOMPARE(fetched.json, sent.json);

    const HttpReply history = get(messagesPath(room) + QStringLiteral("?after=0"));
    VERIFY_STATUS(history, 200);
    const QJsonArray messages = history.json.value(QStringLiteral("messages")).toArray();
    QCOMPARE(messages.size(), 1);
    QCOMPARE(messages.first().toObject(), sent.json);
}

void TestApi::postCreatesTheRoom()
{
    const QString room = freshRoom();
    VERIFY_ERROR(
        get(QStringLiteral("/api/v1/rooms/") + room), 404, QStringLiteral("room_not_found"));
    VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("first")), 201);
    const HttpReply created = get(QStringLiteral("/api/v1/rooms/") + room);
    VERIFY_STATUS(created, 200);
    QCOMPARE(created.json.value(QStringLiteral("name")).toString(), room);
    QCOMPARE(created.json.value(QStringLiteral("message_count")).toInteger(), 1);
    QCOMPARE(created.json.value(QStringLiteral("last_id")).toInteger(), 1);
}

void TestApi::idsAreGaplessAndIndependentPerRoom()
{
    const QString first = freshRoom();
    const QString second = freshRoom();
    QList<qint64> firstIds, secondIds;
    for (int i = 1; i <= 6; ++i) {
        const HttpReply a = sendJson(first, QStringLiteral("ana"), QStringLiteral("a%1").arg(i));
        VERIFY_STATUS(a, 201);
        firstIds.append(a.json.value(QStringLiteral("id")).toInteger());
        if (i % 2 == 0) {
            const HttpReply b
                = sendJson(second, QStringLiteral("bea"), QStringLiteral("b%1").arg(i));
            VERIFY_STATUS(b, 201);
            secondIds.append(b.json.value(QStringLiteral("id")).toInteger());
        }
    }
    QCOMPARE(firstIds, range(1, 6));
    QCOMPARE(secondIds, range(1, 3));
    QCOMPARE(idsOf(get(messagesPath(first) + QStringLiteral("?after=0"))), range(1, 6));
    QCOMPARE(idsOf(get(messagesPath(second) + QStringLiteral("?after=0"))), range(1, 3));
}

void TestApi::refusedSendStoresNothing_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<HeaderList>("headers");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");

    const QByteArray json = "application/json";
    const QByteArray form = "application/x-www-form-urlencoded";
    const QString invalidJson = QStringLiteral("invalid_json");
    const QString missingField = QStringLiteral("missing_field");
    const QString invalidField = QStringLiteral("invalid_field");
    auto row = [](const char *name, const QByteArray &contentType, const QByteArray &body,
                   int status, const QString &code, const HeaderList &headers = {}) {
        QTest::newRow(name) << contentType << body << headers << status << code;
    };
    auto textOf = [](const QString &text) {
        return jsonBody({ { QStringLiteral("author"), QStringLiteral("ana") },
            { QStringLiteral("text"), text } });
    };
    auto authorOf = [](const QString &author) {
        return jsonBody({ { QStringLiteral("author"), author },
            { QStringLiteral("text"), QStringLiteral("hola") } });
    };

    row("json syntax error", json, R"({"author": "ana", "text": )", 400, invalidJson);
    row("json array", json, R"([{"author":"ana","text":"hola"}])", 400, invalidJson);
    row("json string", json, R"("hola")", 400, invalidJson);
    row("json null", json, "null", 400, invalidJson);
    row("json number", json, "5", 400, invalidJson);
    row("json empty body", json, "", 400, invalidJson);
    row("json invalid utf-8", json, "{\"author\":\"ana\",\"text\":\"\xFF\xFE\"}", 400, invalidJson);
    row("json overlong utf-8", json, "{\"author\":\"ana\",\"text\":\"\xC0\xAF\"}", 400,
        invalidJson);
    row("json truncated utf-8", json, "{\"author\":\"ana\",\"text\":\"caf\xC3\"}", 400,
        invalidJson);
    row("json lone surrogate escape", json, R"({"author":"ana","text":"\ud800"})", 400,
        invalidJson + u'|' + invalidField);
    row("json no author", json, R"({"text":"hola"})", 400, missingField);
    row("json no text", json, R"({"author":"ana"})", 400, missingField);
    row("json empty author", json, R"({"author":"","text":"hola"})", 400, missingField);
    row("json blank author", json, R"({"author":"   ","text":"hola"})", 400, missingField);
    row("json empty text", json, R"({"author":"ana","text":""})", 400, missingField);
    row("json blank text", json, R"({"author":"ana","text":" \n\t "})", 400,
        missingField + u'|' + invalidField);
    row("json number author", json, R"({"author":5,"text":"hola"})", 400, invalidField);
    row("json boolean text", json, R"({"author":"ana","text":true})", 400, invalidField);
    row("json array text", json, R"({"author":"ana","text":["hola"]})", 400, invalidField);
    row("json object text", json, R"({"author":"ana","text":{"t":"hola"}})", 400, invalidField);
    row("json bell in text", json, textOf(QStringLiteral("a\u0007b")), 400, invalidField);
    row("json nul in text", json, R"({"author":"ana","text":"a\u0000b"})", 400, invalidField);
    row("json escape in text", json, textOf(QStringLiteral("\u001b[31mred")), 400, invalidField);
    row("json carriage return alone", json, textOf(QStringLiteral("a\rb")), 400, invalidField);
    row("json del in text", json, textOf(QStringLiteral("a\u007fb")), 400, invalidField);
    row("json c1 control in text", json, textOf(QStringLiteral("a\u0085b")), 400, invalidField);
    row("json newline in author", json, authorOf(QStringLiteral("an\na")), 400, invalidField);
    row("json tab in author", json, authorOf(QStringLiteral("an\ta")), 400, invalidField);
    row("json control in author", json, authorOf(QStringLiteral("an\u0001a")), 400, invalidField);

    row("form no author", form, "text=hola", 400, missingField);
    row("form no text", form, "author=ana", 400, missingField);
    row("form empty text", form, "author=ana&text=", 400, missingField);
    row("form empty body", form, "", 400, missingField);
    row("form blank author", form, "author=+++&text=hola", 400, missingField);
    row("form bell in text", form, "author=ana&text=a%07b", 400, invalidField);
    row("form nul in text", form, "author=ana&text=a%00b", 400, invalidField);
    row("form newline in author", form, "author=a%0Ab&text=hola", 400, invalidField);
    row("form invalid utf-8 in text", form, "author=ana&text=%FF%FE", 400, invalidField);
    row("form truncated utf-8 in author", form, "author=an%C3&text=hola", 400, invalidField);
    row("form raw invalid utf-8 byte", form, "author=ana&text=a\xFF", 400, invalidField);

    const QString tooLongText = QStringLiteral("text_too_long");
    row("text 4001 characters", json, textOf(QString(4001, u'x')), 413, tooLongText);
    row("text 4001 two-byte characters", json, textOf(QStringLiteral("é").repeated(4001)), 413,
        tooLongText);
    row("text 4001 emoji", json, textOf(QString::fromUtf8("\xF0\x9F\x98\x80").repeated(4001)), 413,
        tooLongText);
    row("form text 4001 characters", form,
        formBody({ { "author", QStringLiteral("ana") }, { "text", QString(4001, u'x') } }), 413,
        tooLongText);
    row("author 33 characters", json, authorOf(QString(33, u'a')), 413,
        QStringLiteral("author_too_long"));
    row("author 33 two-byte characters", json, authorOf(QStringLiteral("ñ").repeated(33)), 413,
        QStringLiteral("author_too_long"));
    row("form author 33 characters", form, "author=" + QByteArray(33, 'a') + "&text=hola", 413,
        QStringLiteral("author_too_long"));
    row("json body one byte over 64 KiB", json, paddedJson(64 * 1024 + 1), 413,
        QStringLiteral("payload_too_large"));
    row("form body one byte over 64 KiB", form,
        "author=ana&text=hola&x=" + QByteArray(64 * 1024 + 1 - 23, 'p'), 413,
        QStringLiteral("payload_too_large"));
    row("json body of 256 KiB", json, paddedJson(256 * 1024), 413,
        QStringLiteral("payload_too_large"));

    const QString unsupported = QStringLiteral("unsupported_media_type");
    row("text/plain", "text/plain", R"({"author":"ana","text":"hola"})", 415, unsupported);
    row("text/plain form", "text/plain", "author=ana&text=hola", 415, unsupported);
    row("application/xml", "application/xml", "<m author='ana'>hola</m>", 415, unsupported);
    row("multipart/form-data", "multipart/form-data; boundary=x",
        "--x\r\nContent-Disposition: form-data; name=\"author\"\r\n\r\nana\r\n--x--\r\n", 415,
        unsupported);
    row("application/jsonx", "application/jsonx", R"({"author":"ana","text":"hola"})", 415,
        unsupported);

    const QString invalidHeader = QStringLiteral("invalid_header");
    const QByteArray validBody = R"({"author":"ana","text":"hola"})";
    row("idempotency key of 129 characters", json, validBody, 400, invalidHeader,
        { { "Idempotency-Key", QByteArray(129, 'k') } });
    row("idempotency key not ascii", json, validBody, 400, invalidHeader,
        { { "Idempotency-Key", "clave-\xC3\xB1" } });
}

void TestApi::refusedSendStoresNothing()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(HeaderList, headers);
    QFETCH(int, status);
    QFETCH(QString, code);

    const QString room = freshRoom();
    VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("before")), 201);

    VERIFY_ERROR(send(room, contentType, body, headers), status, code);
    QCOMPARE(lastId(room), 1);
    const HttpReply info = get(QStringLiteral("/api/v1/rooms/") + room);
    QCOMPARE(info.json.value(QStringLiteral("message_count")).toInteger(), 1);

    // Refused on a room that does not exist yet: the room is not created either.
    const QString untouched = freshRoom();
    VERIFY_ERROR(send(untouched, contentType, body, headers), status, code);
    VERIFY_ERROR(
        get(QStringLiteral("/api/v1/rooms/") + untouched), 404, QStringLiteral("room_not_found"));
}

// QNetworkAccessManager adds a Content-Type of its own, so this one goes out by hand.
void TestApi::postWithoutContentTypeIs415()
{
    const QString room = freshRoom();
    VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("before")), 201);
    const QByteArray body = "author=ana&text=hola";
    const QByteArray raw = "POST " + messagesPath(room).toLatin1() + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + QByteArray::number(m_server.port()) + "\r\n" + "Content-Length: "
        + QByteArray::number(body.size()) + "\r\n" + "Connection: close\r\n\r\n" + body;
    VERIFY_ERROR(rawRequest(m_server.port(), raw), 415, QStringLiteral("unsupported_media_type"));
    QCOMPARE(lastId(room), 1);
}

// "1 to 128 characters": a key that is there but empty is a bad key, not a missing one.
void TestApi::emptyIdempotencyKeyIs400()
{
    const QString room = freshRoom();
    VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("before")), 201);
    const QByteArray body = "author=ana&text=hola";
    const QByteArray raw = "POST " + messagesPath(room).toLatin1() + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + QByteArray::number(m_server.port()) + "\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\n" + "Idempotency-Key: \r\n"
        + "Content-Length: " + QByteArray::number(body.size()) + "\r\n"
        + "Connection: close\r\n\r\n" + body;
    VERIFY_ERROR(rawRequest(m_server.port(), raw), 400, QStringLiteral("invalid_header"));
    QCOMPARE(lastId(room), 1);
}

void TestApi::invalidRoomNameIs400_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");

    const QString tooLong = QString(65, u'a');
    QTest::newRow("GET upper case") << QByteArray("GET") << QStringLiteral("/api/v1/rooms/Lab");
    QTest::newRow("PUT upper case") << QByteArray("PUT") << QStringLiteral("/api/v1/rooms/LAB");
    QTest::newRow("PUT 65 characters")
        << QByteArray("PUT") << QString(QStringLiteral("/api/v1/rooms/") + tooLong);
    QTest::newRow("PUT leading dash") << QByteArray("PUT") << QStringLiteral("/api/v1/rooms/-lab");
    QTest::newRow("PUT leading underscore")
        << QByteArray("PUT") << QStringLiteral("/api/v1/rooms/_lab");
    QTest::newRow("POST leading dash")
        << QByteArray("POST") << QStringLiteral("/api/v1/rooms/-lab/messages");
    QTest::newRow("POST space") << QByteArray("POST")
                                << QStringLiteral("/api/v1/rooms/la%20b/messages");
    QTest::newRow("POST accented")
        << QByteArray("POST") << QStringLiteral("/api/v1/rooms/l%C3%A1b/messages");
    QTest::newRow("POST 65 characters")
        << QByteArray("POST")
        << QString(QStringLiteral("/api/v1/rooms/") + tooLong + QStringLiteral("/messages"));
    QTest::newRow("GET messages dot")
        << QByteArray("GET") << QStringLiteral("/api/v1/rooms/lab.x/messages");
    QTest::newRow("GET one message")
        << QByteArray("GET") << QStringLiteral("/api/v1/rooms/Lab/messages/1");
    QTest::newRow("GET events") << QByteArray("GET") << QStringLiteral("/api/v1/rooms/Lab/events");
    QTest::newRow("GET members") << QByteArray("GET")
                                 << QStringLiteral("/api/v1/rooms/Lab/members");
}

void TestApi::invalidRoomNameIs400()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    const HttpReply reply = request(m_nam, method, url(path), R"({"author":"ana","text":"hola"})",
        { { "Content-Type", "application/json" } }, 5000);
    VERIFY_ERROR(reply, 400, QStringLiteral("invalid_room"));
}

void TestApi::unknownRoomIs404_data()
{
    QTest::addColumn<QString>("suffix");
    QTest::newRow("room") << QString();
    QTest::newRow("messages") << QStringLiteral("/messages");
    QTest::newRow("messages after") << QStringLiteral("/messages?after=0");
    QTest::newRow("long poll") << QStringLiteral("/messages?after=0&wait=5");
    QTest::newRow("one message") << QStringLiteral("/messages/1");
    QTest::newRow("events") << QStringLiteral("/events");
    QTest::newRow("members") << QStringLiteral("/members");
}

void TestApi::unknownRoomIs404()
{
    QFETCH(QString, suffix);
    // A stream or poll opened by mistake would hold; the short deadline turns that into a failure.
    const HttpReply reply = get(QStringLiteral("/api/v1/rooms/") + freshRoom() + suffix, {}, 3000);
    VERIFY_ERROR(reply, 404, QStringLiteral("room_not_found"));
}

void TestApi::unknownPathIs404_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::newRow("a page beside the home page") << QByteArray("GET") << QStringLiteral("/index.html");
    QTest::newRow("another document") << QByteArray("GET") << QStringLiteral("/docs/README.md");
    QTest::newRow("another download") << QByteArray("GET") << QStringLiteral("/download/ChatApp.deb");
    QTest::newRow("nothing there") << QByteArray("GET") << QStringLiteral("/nope");
    QTest::newRow("api v1") << QByteArray("GET") << QStringLiteral("/api/v1");
    QTest::newRow("api v2") << QByteArray("GET") << QStringLiteral("/api/v2/rooms");
    QTest::newRow("unknown collection") << QByteArray("GET") << QStringLiteral("/api/v1/users");
    QTest::newRow("under a room") << QByteArray("GET")
                                  << QStringLiteral("/api/v1/rooms/general/nope");
    QTest::newRow("under a message")
        << QByteArray("GET") << QStringLiteral("/api/v1/rooms/general/messages/1/extra");
    QTest::newRow("under healthz") << QByteArray("GET") << QStringLiteral("/healthz/deep");
    QTest::newRow("POST unknown") << QByteArray("POST") << QStringLiteral("/api/v1/nope");
    QTest::newRow("DELETE unknown") << QByteArray("DELETE") << QStringLiteral("/nope");
}

void TestApi::unknownPathIs404()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    const HttpReply reply
        = request(m_nam, method, url(path), {}, { { "Content-Type", "application/json" } });
    VERIFY_ERROR(reply, 404, QStringLiteral("not_found"));
}

void TestApi::wrongMethodIs405WithAllow_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("allowed");

    const QStringList get { QStringLiteral("GET") };
    const QStringList getPut { QStringLiteral("GET"), QStringLiteral("PUT") };
    const QStringList getPost { QStringLiteral("GET"), QStringLiteral("POST") };
    QTest::newRow("DELETE room") << QByteArray("DELETE") << QStringLiteral("/api/v1/rooms/general")
                                 << getPut;
    QTest::newRow("POST room") << QByteArray("POST") << QStringLiteral("/api/v1/rooms/general")
                               << getPut;
    QTest::newRow("PATCH room") << QByteArray("PATCH") << QStringLiteral("/api/v1/rooms/general")
                                << getPut;
    QTest::newRow("DELETE unknown room")
        << QByteArray("DELETE") << QStringLiteral("/api/v1/rooms/nosuch") << getPut;
    QTest::newRow("PUT messages") << QByteArray("PUT")
                                  << QStringLiteral("/api/v1/rooms/general/messages") << getPost;
    QTest::newRow("DELETE messages")
        << QByteArray("DELETE") << QStringLiteral("/api/v1/rooms/general/messages") << getPost;
    const QStringList oneMessage { QStringLiteral("GET"), QStringLiteral("PATCH"), QStringLiteral("DELETE") };
    QTest::newRow("POST one message")
        << QByteArray("POST") << QStringLiteral("/api/v1/rooms/general/messages/1") << oneMessage;
    QTest::newRow("PUT one message")
        << QByteArray("PUT") << QStringLiteral("/api/v1/rooms/general/messages/1") << oneMessage;
    QTest::newRow("GET reactions") << QByteArray("GET")
                                   << QStringLiteral("/api/v1/rooms/general/messages/1/reactions")
                                   << QStringList { QStringLiteral("POST"), QStringLiteral("DELETE") };
    QTest::newRow("POST rooms") << QByteArray("POST") << QStringLiteral("/api/v1/rooms") << get;
    QTest::newRow("POST events") << QByteArray("POST")
                                 << QStringLiteral("/api/v1/rooms/general/events") << get;
    QTest::newRow("PUT members") << QByteArray("PUT")
                                 << QStringLiteral("/api/v1/rooms/general/members") << get;
    QTest::newRow("POST healthz") << QByteArray("POST") << QStringLiteral("/healthz") << get;
    QTest::newRow("DELETE metrics") << QByteArray("DELETE") << QStringLiteral("/metrics") << get;
}

void TestApi::wrongMethodIs405WithAllow()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QStringList, allowed);

    const QString room = QStringLiteral("general");
    const qint64 before = lastId(room);
    const HttpReply reply = request(m_nam, method, url(path), R"({"author":"ana","text":"hola"})",
        { { "Content-Type", "application/json" } });
    VERIFY_ERROR(reply, 405, QStringLiteral("method_not_allowed"));

    QSet<QString> listed;
    for (const QByteArray &name : reply.header("Allow").split(','))
        listed.insert(QString::fromLatin1(name.trimmed()));
    // HEAD and OPTIONS come with GET in many servers; listing them is not wrong.
    listed.remove(QStringLiteral("HEAD"));
    listed.remove(QStringLiteral("OPTIONS"));
    QCOMPARE(listed, QSet<QString>(allowed.cbegin(), allowed.cend()));
    QCOMPARE(lastId(room), before);
}

void TestApi::badQueryIs400_data()
{
    QTest::addColumn<QString>("suffix");
    const QString messages = QStringLiteral("/messages?");
    const QString events = QStringLiteral("/events?");
    const char *badValues[] = {
        "after=-1",
        "after=abc",
        "after=1.5",
        "after=",
        "after=0x1",
        "before=-1",
        "before=x",
        "limit=0",
        "limit=1001",
        "limit=-5",
        "limit=ten",
        "limit=",
        "wait=61",
        "wait=-1",
        "wait=1.5",
        "wait=abc",
        "wait=",
        "name=",
        "name=%01x",
        "name=a%0Ab",
        "name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    };
    for (const char *value : badValues) {
        QTest::addRow("messages %s", value) << QString(messages + QLatin1String(value));
    }
    QTest::newRow("messages after=-1 with wait")
        << QString(messages + QStringLiteral("after=-1&wait=5"));
    QTest::newRow("events after=-1") << QString(events + QStringLiteral("after=-1"));
    QTest::newRow("events after=abc") << QString(events + QStringLiteral("after=abc"));
    QTest::newRow("events name with newline") << QString(events + QStringLiteral("name=a%0Ab"));
}

void TestApi::badQueryIs400()
{
    QFETCH(QString, suffix);
    const QString room = freshRoom();
    VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("hola")), 201);
    const HttpReply reply = get(QStringLiteral("/api/v1/rooms/") + room + suffix, {}, 3000);
    VERIFY_ERROR(reply, 400, QStringLiteral("invalid_query"));
}

void TestApi::boundaryQueryValuesAreAccepted_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QList<qint64>>("ids");
    QTest::newRow("limit=1") << QStringLiteral("limit=1") << QList<qint64> { 2 };
    QTest::newRow("limit=1000") << QStringLiteral("limit=1000") << range(1, 2);
    QTest::newRow("after=0&wait=0") << QStringLiteral("after=0&wait=0") << range(1, 2);
    // Something newer than `after` exists, so even the longest wait answers at once.
    QTest::newRow("after=0&wait=60") << QStringLiteral("after=0&wait=60") << range(1, 2);
    QTest::newRow("name=ana") << QStringLiteral("name=ana") << range(1, 2);
    QTest::newRow("name of 32 characters")
        << QString(QStringLiteral("name=") + QString(32, u'n')) << range(1, 2);
}

void TestApi::boundaryQueryValuesAreAccepted()
{
    QFETCH(QString, query);
    QFETCH(QList<qint64>, ids);
    const QString room = freshRoom();
    VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("one")), 201);
    VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("two")), 201);
    const HttpReply reply = get(messagesPath(room) + u'?' + query, {}, 3000);
    VERIFY_STATUS(reply, 200);
    QCOMPARE(idsOf(reply), ids);
    QVERIFY2(reply.elapsedMs < 2000, QByteArray::number(reply.elapsedMs).constData());
}

void TestApi::badLastEventIdIs400_data()
{
    QTest::addColumn<QByteArray>("lastEventId");
    QTest::newRow("word") << QByteArray("abc");
    QTest::newRow("negative") << QByteArray("-1");
    QTest::newRow("fraction") << QByteArray("1.5");
}

void TestApi::badLastEventIdIs400()
{
    QFETCH(QByteArray, lastEventId);
    const HttpReply reply = get(
        QStringLiteral("/api/v1/rooms/general/events"), { { "Last-Event-ID", lastEventId } }, 3000);
    VERIFY_ERROR(reply, 400, QStringLiteral("invalid_header"));
}

void TestApi::historyPages_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QList<qint64>>("ids");

    QTest::newRow("no parameters: newest") << QString() << range(1, 10);
    QTest::newRow("limit: newest n") << QStringLiteral("limit=3") << range(8, 10);
    QTest::newRow("after=0: everything") << QStringLiteral("after=0") << range(1, 10);
    QTest::newRow("after: the rest") << QStringLiteral("after=7") << range(8, 10);
    QTest::newRow("after with limit: oldest first")
        << QStringLiteral("after=2&limit=3") << range(3, 5);
    QTest::newRow("after the newest") << QStringLiteral("after=10") << QList<qint64> {};
    QTest::newRow("before") << QStringLiteral("before=5") << range(1, 4);
    QTest::newRow("before with limit: newest of them")
        << QStringLiteral("before=5&limit=2") << range(3, 4);
    QTest::newRow("before the first") << QStringLiteral("before=1") << QList<qint64> {};
    QTest::newRow("before beyond the newest")
        << QStringLiteral("before=99&limit=4") << range(7, 10);
    QTest::newRow("limit 1000") << QStringLiteral("limit=1000") << range(1, 10);
}

void TestApi::historyPages()
{
    QFETCH(QString, query);
    QFETCH(QList<qint64>, ids);

    const QString room = freshRoom();
    for (int i = 1; i <= 10; ++i)
        VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("m%1").arg(i)), 201);

    const HttpReply page = get(messagesPath(room) + (query.isEmpty() ? QString() : u'?' + query));
    VERIFY_STATUS(page, 200);
    QCOMPARE(idsOf(page), ids);
    QCOMPARE(page.json.value(QStringLiteral("last_id")).toInteger(-1), 10);
    QString previousTs;
    for (const QJsonValue &value : page.json.value(QStringLiteral("messages")).toArray()) {
        const QJsonObject message = value.toObject();
        const qint64 id = message.value(QStringLiteral("id")).toInteger();
        VERIFY_MESSAGE(message, room, id, QStringLiteral("ana"), QStringLiteral("m%1").arg(id));
        // Sent one after another, so stored one after another: time follows the ids.
        const QString ts = message.value(QStringLiteral("ts")).toString();
        QVERIFY2(ts >= previousTs, qPrintable(previousTs + QStringLiteral(" then ") + ts));
        previousTs = ts;
    }
}

void TestApi::emptyRoomHasLastIdZero()
{
    const QString room = freshRoom();
    VERIFY_STATUS(request(m_nam, "PUT", url(QStringLiteral("/api/v1/rooms/") + room)), 201);
    const HttpReply page = get(messagesPath(room));
    VERIFY_STATUS(page, 200);
    QCOMPARE(page.json.value(QStringLiteral("messages")).toArray().size(), 0);
    QVERIFY(page.json.value(QStringLiteral("messages")).isArray());
    QCOMPARE(page.json.value(QStringLiteral("last_id")).toInteger(-1), 0);
}

void TestApi::defaultLimitIs100()
{
    const QString room = freshRoom();
    constexpr int count = 105;
    // Sent all at once; the server orders them, the test only needs 105 of them.
    QList<QNetworkReply *> pending;
    for (int i = 0; i < count; ++i) {
        pending.append(startRequest(m_nam, "POST", url(messagesPath(room)),
            formBody(
                { { "author", QStringLiteral("ana") }, { "text", QStringLiteral("m%1").arg(i) } }),
            { { "Content-Type", "application/x-www-form-urlencoded" } }));
    }
    for (QNetworkReply *reply : pending)
        VERIFY_STATUS(awaitReply(reply, 20000), 201);

    QCOMPARE(idsOf(get(messagesPath(room))), range(6, 105));
    QCOMPARE(idsOf(get(messagesPath(room) + QStringLiteral("?after=0"))), range(1, 100));
    QCOMPARE(idsOf(get(messagesPath(room) + QStringLiteral("?before=105"))), range(5, 104));
}

void TestApi::getOneMessage()
{
    const QString room = freshRoom();
    const HttpReply first = sendJson(room, QStringLiteral("ana"), QStringLiteral("uno"));
    const HttpReply second = sendJson(room, QStringLiteral("bea"), QStringLiteral("dos"));
    VERIFY_STATUS(first, 201);
    VERIFY_STATUS(second, 201);
    const HttpReply one = get(messagesPath(room) + QStringLiteral("/1"));
    VERIFY_STATUS(one, 200);
    QCOMPARE(one.json, first.json);
    const HttpReply two = get(messagesPath(room) + QStringLiteral("/2"));
    VERIFY_STATUS(two, 200);
    QCOMPARE(two.json, second.json);
}

void TestApi::unknownMessageIs404_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("codes");
    const QString notFound = QStringLiteral("message_not_found");
    QTest::newRow("next id") << QStringLiteral("2") << notFound;
    QTest::newRow("far id") << QStringLiteral("999999") << notFound;
    QTest::newRow("zero") << QStringLiteral("0") << notFound;
    // Not an id at all: "no such path" is as fair a reading as "no such message".
    QTest::newRow("word") << QStringLiteral("abc")
                          << QString(notFound + QStringLiteral("|not_found"));
}

void TestApi::unknownMessageIs404()
{
    QFETCH(QString, id);
    QFETCH(QString, codes);
    const QString room = freshRoom();
    VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("only")), 201);
    VERIFY_ERROR(get(messagesPath(room) + u'/' + id), 404, codes);
}

void TestApi::idempotentRetryReturns200AndStoresNothing()
{
    const QString room = freshRoom();
    const HeaderList key { { "Idempotency-Key", "9f4c1a52-first-try" } };
    const HttpReply first
        = send(room, "application/x-www-form-urlencoded", "author=ana&text=hola", key);
    VERIFY_STATUS(first, 201);

    const HttpReply retry
        = send(room, "application/x-www-form-urlencoded", "author=ana&text=hola", key);
    VERIFY_STATUS(retry, 200);
    QCOMPARE(retry.json, first.json);
    // docs/api.md promises no Location on a 200, but one that is sent must be right.
    if (retry.hasHeader("Location"))
        QCOMPARE(url(QString::fromUtf8(retry.header("Location"))),
            url(messagesPath(room) + QStringLiteral("/1")));

    // The same message sent as JSON is still the same message.
    const HttpReply asJson = sendJson(room, QStringLiteral("ana"), QStringLiteral("hola"), key);
    VERIFY_STATUS(asJson, 200);
    QCOMPARE(asJson.json, first.json);
    // Another message under the key is a client's mistake, not a retry.
    const HttpReply changed
        = sendJson(room, QStringLiteral("bea"), QStringLiteral("otra cosa"), key);
    VERIFY_ERROR(changed, 422, QStringLiteral("idempotency_key_reused"));

    QCOMPARE(lastId(room), 1);
    QCOMPARE(get(QStringLiteral("/api/v1/rooms/") + room)
                 .json.value(QStringLiteral("message_count"))
                 .toInteger(),
        1);

    const HttpReply longestKey = sendJson(room, QStringLiteral("ana"), QStringLiteral("k128"),
        { { "Idempotency-Key", QByteArray(128, '~') } });
    VERIFY_STATUS(longestKey, 201);
    VERIFY_MESSAGE(longestKey.json, room, 2, QStringLiteral("ana"), QStringLiteral("k128"));
    const HttpReply otherKey = sendJson(room, QStringLiteral("ana"), QStringLiteral("again"),
        { { "Idempotency-Key", "9f4c1a52-second-try" } });
    VERIFY_STATUS(otherKey, 201);
    VERIFY_MESSAGE(otherKey.json, room, 3, QStringLiteral("ana"), QStringLiteral("again"));
}

void TestApi::idempotencyKeyIsPerRoom()
{
    const QString first = freshRoom();
    const QString second = freshRoom();
    const HeaderList key { { "Idempotency-Key", "shared-key" } };
    VERIFY_STATUS(sendJson(first, QStringLiteral("ana"), QStringLiteral("in first"), key), 201);
    const HttpReply other
        = sendJson(second, QStringLiteral("ana"), QStringLiteral("in second"), key);
    VERIFY_STATUS(other, 201);
    VERIFY_MESSAGE(other.json, second, 1, QStringLiteral("ana"), QStringLiteral("in second"));
}

// A client that retries before its first try was answered: both tries may reach the
// server together, and still only one message may be stored.
void TestApi::concurrentRetriesStoreOnce()
{
    const QString room = freshRoom();
    constexpr int tries = 12;
    std::vector<std::unique_ptr<QNetworkAccessManager>> clients;
    QList<QNetworkReply *> pending;
    for (int i = 0; i < tries; ++i) {
        clients.push_back(std::make_unique<QNetworkAccessManager>());
        pending.append(startRequest(*clients.back(), "POST", url(messagesPath(room)),
            formBody({ { "author", QStringLiteral("ana") }, { "text", QStringLiteral("the one") } }),
            { { "Content-Type", "application/x-www-form-urlencoded" },
                { "Idempotency-Key", "one-message-only" } }));
    }
    QList<HttpReply> replies;
    for (QNetworkReply *reply : pending)
        replies.append(awaitReply(reply, 10000));
    const auto created = std::count_if(
        replies.cbegin(), replies.cend(), [](const HttpReply &r) { return r.status == 201; });
    QCOMPARE(created, 1);
    const QJsonObject stored
        = std::find_if(replies.cbegin(), replies.cend(), [](const HttpReply &r) {
              return r.status == 201;
          })->json;
    for (const HttpReply &reply : replies) {
        QVERIFY2(reply.status == 201 || reply.status == 200, reply.describe().constData());
        QCOMPARE(reply.json, stored);
    }
    QCOMPARE(lastId(room), 1);
}

void TestApi::longPollIsWokenByAPost()
{
    const QString room = freshRoom();
    VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("one")), 201);
    QCOMPARE(openPolls(), 0);

    // Three readers on their own connections; one send must release them all.
    constexpr int pollerCount = 3;
    QNetworkAccessManager pollerNam;
    QElapsedTimer sincePoll;
    sincePoll.start();
    QList<QNetworkReply *> polls;
    for (int i = 0; i < pollerCount; ++i) {
        polls.append(startRequest(pollerNam, "GET",
            url(messagesPath(room) + QStringLiteral("?after=1&wait=5&name=reader%1").arg(i))));
    }
    // Sending only once the server holds the polls is what makes this a test of the wake-up.
    QTRY_VERIFY_WITH_TIMEOUT(openPolls() == pollerCount, 3000);
    for (QNetworkReply *poll : polls)
        QVERIFY2(!poll->isFinished(), collectReply(poll).describe().constData());

    QElapsedTimer sinceSend;
    sinceSend.start();
    const HttpReply sent = sendJson(room, QStringLiteral("ana"), QStringLiteral("wake up"));
    VERIFY_STATUS(sent, 201);
    for (QNetworkReply *poll : polls) {
        const HttpReply woken = awaitReply(poll, 8000);
        VERIFY_STATUS(woken, 200);
        const QJsonArray messages = woken.json.value(QStringLiteral("messages")).toArray();
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages.first().toObject(), sent.json);
        QCOMPARE(woken.json.value(QStringLiteral("last_id")).toInteger(), 2);
    }
    const qint64 wokenAfterMs = sinceSend.elapsed();
    QVERIFY2(wokenAfterMs < 1500, QByteArray::number(wokenAfterMs).constData());
    QVERIFY2(sincePoll.elapsed() < 4500, QByteArray::number(sincePoll.elapsed()).constData());
    QTRY_COMPARE_WITH_TIMEOUT(openPolls(), 0, 2000);
}

void TestApi::longPollOnQuietRoomAnswersEmptyAfterWait()
{
    const QString room = freshRoom();
    const QString other = freshRoom();
    VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("one")), 201);
    QNetworkAccessManager pollerNam;
    QNetworkReply *poll = startRequest(
        pollerNam, "GET", url(messagesPath(room) + QStringLiteral("?after=1&wait=1")));
    QElapsedTimer timer;
    timer.start();
    // News in another room must not wake this one.
    QTRY_VERIFY_WITH_TIMEOUT(openPolls() == 1, 3000);
    VERIFY_STATUS(sendJson(other, QStringLiteral("ana"), QStringLiteral("elsewhere")), 201);

    const HttpReply reply = awaitReply(poll, 5000);
    const qint64 elapsedMs = timer.elapsed();
    VERIFY_STATUS(reply, 200);
    QVERIFY(reply.json.value(QStringLiteral("messages")).isArray());
    QCOMPARE(reply.json.value(QStringLiteral("messages")).toArray().size(), 0);
    QCOMPARE(reply.json.value(QStringLiteral("last_id")).toInteger(), 1);
    QVERIFY2(elapsedMs >= 900 && elapsedMs < 3000, QByteArray::number(elapsedMs).constData());
}

void TestApi::longPollWithNewerMessagesAnswersAtOnce()
{
    const QString room = freshRoom();
    for (int i = 1; i <= 3; ++i)
        VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("m%1").arg(i)), 201);
    const HttpReply reply = get(messagesPath(room) + QStringLiteral("?after=1&wait=10"), {}, 5000);
    VERIFY_STATUS(reply, 200);
    QCOMPARE(idsOf(reply), range(2, 3));
    QVERIFY2(reply.elapsedMs < 2500, QByteArray::number(reply.elapsedMs).constData());
}

// docs/api.md holds a request only "with after"; without it the newest page is the answer.
void TestApi::waitWithoutAfterAnswersAtOnce_data()
{
    QTest::addColumn<bool>("empty");
    QTest::newRow("empty room") << true;
    QTest::newRow("room with messages") << false;
}

void TestApi::waitWithoutAfterAnswersAtOnce()
{
    QFETCH(bool, empty);
    const QString room = freshRoom();
    if (empty)
        VERIFY_STATUS(request(m_nam, "PUT", url(QStringLiteral("/api/v1/rooms/") + room)), 201);
    else
        VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("one")), 201);
    const HttpReply reply = get(messagesPath(room) + QStringLiteral("?wait=3"), {}, 6000);
    VERIFY_STATUS(reply, 200);
    QCOMPARE(idsOf(reply), empty ? QList<qint64> {} : QList<qint64> { 1 });
    QVERIFY2(reply.elapsedMs < 1500, QByteArray::number(reply.elapsedMs).constData());
}

void TestApi::eventsReplayAfterLastEventIdThenGoLive()
{
    const QString room = freshRoom();
    QList<QJsonObject> sent;
    for (int i = 1; i <= 3; ++i) {
        const HttpReply reply = sendJson(room, QStringLiteral("ana"), QStringLiteral("m%1").arg(i));
        VERIFY_STATUS(reply, 201);
        sent.append(reply.json);
    }
    QNetworkAccessManager streamNam;
    SseReader stream(streamNam,
        url(QStringLiteral("/api/v1/rooms/") + room + QStringLiteral("/events")),
        { { "Last-Event-ID", "1" } });
    QVERIFY2(stream.waitForEventCount(2, 5000), stream.rawBody().constData());
    QCOMPARE(stream.status(), 200);
    QVERIFY2(stream.header("Content-Type").startsWith("text/event-stream"),
        stream.header("Content-Type"));
    for (int i = 0; i < 2; ++i) {
        const SseEvent event = stream.events().at(i);
        QCOMPARE(event.event, QByteArray("message"));
        QCOMPARE(event.id, QByteArray::number(i + 2));
        QCOMPARE(event.json(), sent.at(i + 1));
    }

    const HttpReply live = sendJson(room, QStringLiteral("bea"), QStringLiteral("live"));
    VERIFY_STATUS(live, 201);
    QVERIFY2(stream.waitForEventCount(3, 5000), stream.rawBody().constData());
    QCOMPARE(stream.events().at(2).json(), live.json);
    QCOMPARE(stream.events().at(2).id, QByteArray("4"));

    // A sentinel: once it is in, anything repeated before it would be in too.
    VERIFY_STATUS(sendJson(room, QStringLiteral("bea"), QStringLiteral("sentinel")), 201);
    QVERIFY2(stream.waitForEventCount(4, 5000), stream.rawBody().constData());
    QCOMPARE(stream.eventIds(), range(2, 5));
}

void TestApi::eventsReplayAfterQueryParameter()
{
    const QString room = freshRoom();
    for (int i = 1; i <= 3; ++i)
        VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("m%1").arg(i)), 201);
    QNetworkAccessManager streamNam;
    SseReader stream(streamNam,
        url(QStringLiteral("/api/v1/rooms/") + room + QStringLiteral("/events?after=0")));
    QVERIFY2(stream.waitForEventCount(3, 5000), stream.rawBody().constData());
    VERIFY_MESSAGE(
        stream.events().at(0).json(), room, 1, QStringLiteral("ana"), QStringLiteral("m1"));
    VERIFY_STATUS(sendJson(room, QStringLiteral("bea"), QStringLiteral("live")), 201);
    QVERIFY2(stream.waitForEventCount(4, 5000), stream.rawBody().constData());
    QCOMPARE(stream.eventIds(), range(1, 4));
    VERIFY_MESSAGE(
        stream.events().at(3).json(), room, 4, QStringLiteral("bea"), QStringLiteral("live"));
}

// An EventSource reconnects to the URL it was given, ?after= included, and adds the
// header: the header is the newer cursor.
void TestApi::lastEventIdWinsOverAfterParameter()
{
    const QString room = freshRoom();
    for (int i = 1; i <= 3; ++i)
        VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("m%1").arg(i)), 201);
    QNetworkAccessManager streamNam;
    SseReader stream(streamNam,
        url(QStringLiteral("/api/v1/rooms/") + room + QStringLiteral("/events?after=0")),
        { { "Last-Event-ID", "2" } });
    QVERIFY2(stream.waitForEventCount(1, 5000), stream.rawBody().constData());
    VERIFY_STATUS(sendJson(room, QStringLiteral("bea"), QStringLiteral("sentinel")), 201);
    QVERIFY2(stream.waitForEventCount(2, 5000), stream.rawBody().constData());
    QCOMPARE(stream.eventIds(), range(3, 4));
}

void TestApi::eventsWithoutCursorStartWithTheNextMessage()
{
    const QString room = freshRoom();
    for (int i = 1; i <= 2; ++i)
        VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("old %1").arg(i)), 201);
    QNetworkAccessManager streamNam;
    SseReader stream(
        streamNam, url(QStringLiteral("/api/v1/rooms/") + room + QStringLiteral("/events")));
    QVERIFY(stream.waitForHeaders(5000));
    QCOMPARE(stream.status(), 200);

    VERIFY_STATUS(sendJson(room, QStringLiteral("bea"), QStringLiteral("new 1")), 201);
    VERIFY_STATUS(sendJson(room, QStringLiteral("bea"), QStringLiteral("new 2")), 201);
    QVERIFY2(stream.waitForEventCount(2, 5000), stream.rawBody().constData());
    QCOMPARE(stream.eventIds(), range(3, 4));
    VERIFY_MESSAGE(
        stream.events().at(0).json(), room, 3, QStringLiteral("bea"), QStringLiteral("new 1"));
}

void TestApi::eventsResumeWithoutGapOrDuplicate()
{
    const QString room = freshRoom();
    const QUrl eventsUrl = url(QStringLiteral("/api/v1/rooms/") + room + QStringLiteral("/events"));
    for (int i = 1; i <= 5; ++i)
        VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("m%1").arg(i)), 201);

    QNetworkAccessManager streamNam;
    QList<qint64> seen;
    {
        SseReader first(streamNam, eventsUrl, { { "Last-Event-ID", "0" } });
        QVERIFY2(first.waitForEventCount(5, 5000), first.rawBody().constData());
        for (int i = 6; i <= 7; ++i)
            VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("m%1").arg(i)), 201);
        QVERIFY2(first.waitForEventCount(7, 5000), first.rawBody().constData());
        first.close();
        seen = first.eventIds();
    }
    QCOMPARE(seen, range(1, 7));

    // Missed while away.
    for (int i = 8; i <= 9; ++i)
        VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("m%1").arg(i)), 201);

    // And a burst racing the reconnection, so that replay and live delivery overlap.
    QNetworkAccessManager senderNam;
    QList<QNetworkReply *> burst;
    for (int i = 10; i <= 29; ++i) {
        burst.append(startRequest(senderNam, "POST", url(messagesPath(room)),
            jsonBody({ { QStringLiteral("author"), QStringLiteral("bea") },
                { QStringLiteral("text"), QStringLiteral("burst") } }),
            { { "Content-Type", "application/json" } }));
    }
    SseReader second(
        streamNam, eventsUrl, { { "Last-Event-ID", QByteArray::number(seen.last()) } });
    for (QNetworkReply *reply : burst)
        VERIFY_STATUS(awaitReply(reply, 10000), 201);
    QVERIFY2(second.waitForEventCount(22, 10000), second.rawBody().constData());
    VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("sentinel")), 201);
    QVERIFY2(second.waitForEventCount(23, 5000), second.rawBody().constData());

    seen += second.eventIds();
    QCOMPARE(seen, range(1, 30));
}

void TestApi::openStreamsAreCountedUntilTheReaderLeaves()
{
    auto openStreams = [this] {
        return int(
            metricValue(get(QStringLiteral("/metrics")).body, "chatapp_open_streams").value_or(-1));
    };
    const QString room = freshRoom();
    VERIFY_STATUS(request(m_nam, "PUT", url(QStringLiteral("/api/v1/rooms/") + room)), 201);
    QTRY_COMPARE_WITH_TIMEOUT(openStreams(), 0, 3000);
    QNetworkAccessManager streamNam;
    auto stream = std::make_unique<SseReader>(
        streamNam, url(QStringLiteral("/api/v1/rooms/") + room + QStringLiteral("/events")));
    QVERIFY(stream->waitForHeaders(5000));
    QTRY_COMPARE_WITH_TIMEOUT(openStreams(), 1, 3000);
    // A reader that goes away must not be followed for ever.
    stream.reset();
    QTRY_COMPARE_WITH_TIMEOUT(openStreams(), 0, 3000);
    VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("nobody listens")), 201);
}

// Costs up to 30 s: the comment is what keeps proxies from closing a quiet stream, so
// it is worth waiting for twice. One server timer serves every stream, so the first
// comment comes at that timer's next tick (0-15 s after opening) and each one after it
// 15 s later.
void TestApi::eventsSendKeepAliveComments()
{
    const QString room = freshRoom();
    VERIFY_STATUS(request(m_nam, "PUT", url(QStringLiteral("/api/v1/rooms/") + room)), 201);
    QNetworkAccessManager streamNam;
    SseReader stream(
        streamNam, url(QStringLiteral("/api/v1/rooms/") + room + QStringLiteral("/events")));
    QVERIFY(stream.waitForHeaders(5000));
    QTRY_COMPARE_WITH_TIMEOUT(stream.comments().count("keep-alive"), 1, 17000);
    QElapsedTimer sinceFirst;
    sinceFirst.start();
    QTRY_COMPARE_WITH_TIMEOUT(stream.comments().count("keep-alive"), 2, 17000);
    const qint64 gapMs = sinceFirst.elapsed();
    QVERIFY2(gapMs >= 13000 && gapMs <= 17000, QByteArray::number(gapMs).constData());
    QVERIFY(!stream.isFinished());
    QCOMPARE(stream.events().size(), 0);
}

void TestApi::membersShowNameFromPoll()
{
    const QString room = freshRoom();
    VERIFY_STATUS(request(m_nam, "PUT", url(QStringLiteral("/api/v1/rooms/") + room)), 201);
    const HttpReply empty
        = get(QStringLiteral("/api/v1/rooms/") + room + QStringLiteral("/members"));
    VERIFY_STATUS(empty, 200);
    QCOMPARE(empty.json.value(QStringLiteral("room")).toString(), room);
    QVERIFY(empty.json.value(QStringLiteral("members")).isArray());
    QCOMPARE(empty.json.value(QStringLiteral("members")).toArray().size(), 0);

    VERIFY_STATUS(get(messagesPath(room) + QStringLiteral("?after=0&name=ana")), 200);
    const HttpReply members
        = get(QStringLiteral("/api/v1/rooms/") + room + QStringLiteral("/members"));
    VERIFY_STATUS(members, 200);
    const QJsonArray list = members.json.value(QStringLiteral("members")).toArray();
    QCOMPARE(list.size(), 1);
    const QJsonObject ana = list.first().toObject();
    QCOMPARE(ana.value(QStringLiteral("name")).toString(), QStringLiteral("ana"));
    static const QRegularExpression tsPattern(
        QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)"));
    QVERIFY2(tsPattern.match(ana.value(QStringLiteral("last_seen")).toString()).hasMatch(),
        compact(ana).constData());

    const HttpReply info = get(QStringLiteral("/api/v1/rooms/") + room);
    QCOMPARE(info.json.value(QStringLiteral("online")).toInteger(), 1);

    // Seen again: still one member, not two.
    VERIFY_STATUS(get(messagesPath(room) + QStringLiteral("?name=ana")), 200);
    QCOMPARE(get(QStringLiteral("/api/v1/rooms/") + room + QStringLiteral("/members"))
                 .json.value(QStringLiteral("members"))
                 .toArray()
                 .size(),
        1);
}

void TestApi::membersShowNameWhileStreamIsOpen()
{
    const QString room = freshRoom();
    VERIFY_STATUS(request(m_nam, "PUT", url(QStringLiteral("/api/v1/rooms/") + room)), 201);
    QNetworkAccessManager streamNam;
    SseReader stream(streamNam,
        url(QStringLiteral("/api/v1/rooms/") + room + QStringLiteral("/events?name=bea")));
    QVERIFY(stream.waitForHeaders(5000));
    QCOMPARE(stream.status(), 200);
    const HttpReply members
        = get(QStringLiteral("/api/v1/rooms/") + room + QStringLiteral("/members"));
    VERIFY_STATUS(members, 200);
    QStringList names;
    for (const QJsonValue &value : members.json.value(QStringLiteral("members")).toArray())
        names.append(value.toObject().value(QStringLiteral("name")).toString());
    QCOMPARE(names, QStringList { QStringLiteral("bea") });
}

void TestApi::roomListShowsRoomsWithCounts()
{
    const QString busy = freshRoom();
    const QString quiet = freshRoom();
    for (int i = 0; i < 3; ++i)
        VERIFY_STATUS(sendJson(busy, QStringLiteral("ana"), QStringLiteral("m%1").arg(i)), 201);
    VERIFY_STATUS(request(m_nam, "PUT", url(QStringLiteral("/api/v1/rooms/") + quiet)), 201);

    // Every test here makes rooms of its own: more than a default page (100) by now.
    const HttpReply list = get(QStringLiteral("/api/v1/rooms?limit=1000"));
    VERIFY_STATUS(list, 200);
    QVERIFY2(!list.json.contains(QStringLiteral("next")), "more rooms than one page of 1000");
    QHash<QString, QJsonObject> byName;
    QStringList names;
    for (const QJsonValue &value : list.json.value(QStringLiteral("rooms")).toArray()) {
        const QJsonObject room = value.toObject();
        names.append(room.value(QStringLiteral("name")).toString());
        byName.insert(names.last(), room);
        QVERIFY2(room.value(QStringLiteral("online")).isDouble(), compact(room).constData());
    }
    QStringList sorted = names;
    sorted.sort();
    QCOMPARE(names, sorted);
    QVERIFY2(byName.contains(QStringLiteral("general")), list.body.constData());
    QVERIFY2(byName.contains(busy), list.body.constData());
    QVERIFY2(byName.contains(quiet), list.body.constData());
    QCOMPARE(byName[busy].value(QStringLiteral("message_count")).toInteger(), 3);
    QCOMPARE(byName[busy].value(QStringLiteral("last_id")).toInteger(), 3);
    QCOMPARE(byName[quiet].value(QStringLiteral("message_count")).toInteger(), 0);
    QCOMPARE(byName[quiet].value(QStringLiteral("last_id")).toInteger(), 0);
}

void TestApi::metricsCountStoredMessagesAndResponses()
{
    const HttpReply before = get(QStringLiteral("/metrics"));
    VERIFY_STATUS(before, 200);
    QVERIFY2(before.header("Content-Type").startsWith("text/plain"), before.header("Content-Type"));
    for (const char *series : { "chatapp_messages_stored_total", "chatapp_open_streams",
             "chatapp_open_polls", "chatapp_commit_seconds_sum", "chatapp_commit_seconds_count",
             "chatapp_commit_batch_messages_sum", "chatapp_http_requests_total{status=\"201\"}",
             "chatapp_http_requests_total{status=\"200\"}" }) {
        QVERIFY2(metricValue(before.body, series).has_value(),
            QByteArray(QByteArray("missing ") + series + "\n" + before.body).constData());
    }

    const QString room = freshRoom();
    VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("counted")), 201);
    const HttpReply after = get(QStringLiteral("/metrics"));
    VERIFY_STATUS(after, 200);

    auto delta = [&](const char *series) {
        return metricValue(after.body, series).value_or(-1e9)
            - metricValue(before.body, series).value_or(0);
    };
    QCOMPARE(delta("chatapp_messages_stored_total"), 1.0);
    QCOMPARE(delta("chatapp_http_requests_total{status=\"201\"}"), 1.0);
    QVERIFY(delta("chatapp_commit_seconds_count") >= 1.0);
    QVERIFY(delta("chatapp_commit_batch_messages_sum") >= 1.0);
}

void TestApi::twoClientsChatInOneRoom()
{
    const QString room = freshRoom();
    QNetworkAccessManager anaNam, beaNam;
    const QUrl sendUrl = url(messagesPath(room));
    auto say = [&](QNetworkAccessManager &nam, const QString &author, const QString &text) {
        return request(nam, "POST", sendUrl, formBody({ { "author", author }, { "text", text } }),
            { { "Content-Type", "application/x-www-form-urlencoded" } });
    };
    auto poll = [&](QNetworkAccessManager &nam, const QString &name, qint64 after) {
        return startRequest(nam, "GET",
            url(messagesPath(room)
                + QStringLiteral("?after=%1&wait=10&name=%2").arg(after).arg(name)));
    };

    VERIFY_STATUS(say(anaNam, QStringLiteral("ana"), QStringLiteral("hola, ¿hay alguien?")), 201);
    qint64 seen = 1;
    const QStringList lines { QStringLiteral("sí, aquí bea"), QStringLiteral("¿qué tal?"),
        QStringLiteral("bien\ny tú"), QStringLiteral("chau") };
    for (int i = 0; i < lines.size(); ++i) {
        const bool beaSpeaks = i % 2 == 0;
        QNetworkAccessManager &speaker = beaSpeaks ? beaNam : anaNam;
        QNetworkAccessManager &listener = beaSpeaks ? anaNam : beaNam;
        const QString speakerName = beaSpeaks ? QStringLiteral("bea") : QStringLiteral("ana");
        QNetworkReply *waiting
            = poll(listener, beaSpeaks ? QStringLiteral("ana") : QStringLiteral("bea"), seen);
        const HttpReply said = say(speaker, speakerName, lines[i]);
        VERIFY_STATUS(said, 201);
        const HttpReply heard = awaitReply(waiting, 12000);
        VERIFY_STATUS(heard, 200);
        const QJsonArray messages = heard.json.value(QStringLiteral("messages")).toArray();
        QCOMPARE(messages.size(), 1);
        VERIFY_MESSAGE(messages.first().toObject(), room, seen + 1, speakerName, lines[i]);
        ++seen;
    }
    const HttpReply members
        = get(QStringLiteral("/api/v1/rooms/") + room + QStringLiteral("/members"));
    QStringList names;
    for (const QJsonValue &value : members.json.value(QStringLiteral("members")).toArray())
        names.append(value.toObject().value(QStringLiteral("name")).toString());
    names.sort();
    QCOMPARE(names, (QStringList { QStringLiteral("ana"), QStringLiteral("bea") }));
}

// Checked after all the traffic above: stdout is for the one line a launcher parses,
// and --quiet leaves no access log on stderr.
void TestApi::stdoutHoldsOnlyTheListeningLine()
{
    VERIFY_STATUS(get(QStringLiteral("/healthz")), 200);
    const QByteArray expected
        = "chatapp: listening on http://127.0.0.1:" + QByteArray::number(m_server.port()) + '\n';
    QCOMPARE(m_server.stdoutOutput(), expected);
    QVERIFY2(!m_server.stderrOutput().contains("/healthz"), m_server.stderrOutput().constData());
}

void TestApi::restartKeepsHistoryAndIdempotencyKeys()
{
    const QString room = freshRoom();
    const HeaderList key { { "Idempotency-Key", "across-restart" } };
    VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("uno")), 201);
    VERIFY_STATUS(sendJson(room, QStringLiteral("bea"), QStringLiteral("dos\ttres")), 201);
    const HttpReply keyed = sendJson(room, QStringLiteral("ana"), QStringLiteral("con clave"), key);
    VERIFY_STATUS(keyed, 201);
    const HttpReply history = get(messagesPath(room) + QStringLiteral("?after=0"));
    VERIFY_STATUS(history, 200);
    const HttpReply roomsBefore = get(QStringLiteral("/api/v1/rooms?limit=1000"));

    const quint16 port = m_server.port();
    QVERIFY2(m_server.stop(), m_server.stderrOutput().constData());
    QVERIFY2(m_server.start(), m_server.stderrOutput().constData());
    QCOMPARE(m_server.port(), port);
    m_nam.clearConnectionCache();

    const HttpReply restored = get(messagesPath(room) + QStringLiteral("?after=0"));
    VERIFY_STATUS(restored, 200);
    QCOMPARE(restored.json, history.json);
    QCOMPARE(idsOf(restored), range(1, 3));
    const HttpReply roomsAfter = get(QStringLiteral("/api/v1/rooms?limit=1000"));
    VERIFY_STATUS(roomsAfter, 200);
    // Who is online lives in memory and may start over; the rooms and their counts may not.
    QCOMPARE(withoutOnline(roomsAfter.json), withoutOnline(roomsBefore.json));

    const HttpReply retried
        = sendJson(room, QStringLiteral("ana"), QStringLiteral("con clave"), key);
    VERIFY_STATUS(retried, 200);
    QCOMPARE(retried.json, keyed.json);
    QCOMPARE(lastId(room), 3);

    const HttpReply next = sendJson(room, QStringLiteral("ana"), QStringLiteral("después"));
    VERIFY_STATUS(next, 201);
    VERIFY_MESSAGE(next.json, room, 4, QStringLiteral("ana"), QStringLiteral("después"));
}

// Last, because it stops the server for good.
void TestApi::sigtermAnswersHeldWorkAndExitsZero()
{
    const QString room = freshRoom();
    VERIFY_STATUS(sendJson(room, QStringLiteral("ana"), QStringLiteral("one")), 201);
    QNetworkAccessManager streamNam, pollNam;
    SseReader stream(
        streamNam, url(QStringLiteral("/api/v1/rooms/") + room + QStringLiteral("/events")));
    QVERIFY(stream.waitForHeaders(5000));
    QNetworkReply *poll = startRequest(
        pollNam, "GET", url(messagesPath(room) + QStringLiteral("?after=1&wait=30")));
    QTRY_VERIFY_WITH_TIMEOUT(openPolls() == 1, 3000);

    QElapsedTimer timer;
    timer.start();
    QVERIFY2(m_server.stop(), m_server.stderrOutput().constData());
    QVERIFY2(timer.elapsed() < 8000, QByteArray::number(timer.elapsed()).constData());

    // "Finishes in-flight work": the held poll gets its answer rather than a reset.
    const HttpReply answered = awaitReply(poll, 2000);
    VERIFY_STATUS(answered, 200);
    QCOMPARE(idsOf(answered), QList<qint64> {});
    QVERIFY(stream.waitForEnd(2000));

    const HttpReply refused = get(QStringLiteral("/healthz"), {}, 3000);
    QCOMPARE(refused.status, 0);
}

QTEST_GUILESS_MAIN(TestApi)
#include "tst_api.moc"
