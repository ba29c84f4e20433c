// The protocol log saved as HAR 1.2, from real exchanges with a real `chatapp --serve`
// that has a password: the file must open in a browser's developer tools, hold one
// entry per exchange, and hold neither the password nor the token.

#include "client/apiclient.h"
#include "client/exchangelog.h"
#include "client/harexport.h"
#include "serverprocess.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

namespace {
constexpr int answerTimeoutMs = 10000;
const QString password = QStringLiteral("a class password");

QJsonObject jsonObjectIn(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1String(key)).toObject();
}
} // namespace

class TestHarExport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void entriesHaveTheFieldsHar12Requires();
    void entriesFollowTheExchanges();
    void fileHoldsNoSecret();
    void unwritablePathSaysWhy();

private:
    ServerProcess m_server;
    QTemporaryDir m_dir;
    ExchangeLog m_log;
    QByteArray m_token;
    QByteArray m_fileText;
    QJsonObject m_har;
};

void TestHarExport::initTestCase()
{
    QVERIFY2(m_server.start({ QStringLiteral("--password"), password }),
        m_server.stderrOutput().constData());
    ApiClient api(m_server.baseUrl());
    connect(&api, &ApiClient::exchangeFinished, &m_log, &ExchangeLog::append);

    // Sign in, as the window does, and use the token for everything after.
    bool signedIn = false;
    api.post(apiPath({ u"sessions" }), QJsonObject { { QStringLiteral("password"), password } }, {},
        nullptr, [&](const ApiResult &result) {
            m_token = result.body.value(QLatin1String("token")).toString().toLatin1();
            signedIn = true;
        });
    QTRY_VERIFY_WITH_TIMEOUT(signedIn, answerTimeoutMs);
    QVERIFY(!m_token.isEmpty());
    api.setToken(m_token);

    int answered = 0;
    const auto count = [&answered](const ApiResult &) { ++answered; };
    api.put(apiPath({ u"rooms", u"har" }), nullptr, count);
    QTRY_COMPARE_WITH_TIMEOUT(answered, 1, answerTimeoutMs);
    for (const QString &text : { QStringLiteral("uno"), QStringLiteral("dos") }) {
        api.post(apiPath({ u"rooms", u"har", u"messages" }),
            QJsonObject { { QStringLiteral("author"), QStringLiteral("ana") },
                { QStringLiteral("text"), text } },
            "har-" + text.toLatin1(), nullptr, count);
    }
    QTRY_COMPARE_WITH_TIMEOUT(answered, 3, answerTimeoutMs);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("after"), QStringLiteral("0"));
    api.get(apiPath({ u"rooms", u"har", u"messages" }), query, ApiClient::defaultTimeoutMs, nullptr,
        count);
    QTRY_COMPARE_WITH_TIMEOUT(answered, 4, answerTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_log.rowCount(), 5, answerTimeoutMs);

    const QString path = m_dir.filePath(QStringLiteral("chatapp-protocol.har"));
    QString error;
    QVERIFY2(HarExport::write(m_log.exchanges(), path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    m_fileText = file.readAll();
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(m_fileText, &parseError);
    QVERIFY2(parseError.error == QJsonParseError::NoError, qPrintable(parseError.errorString()));
    m_har = document.object();
}

void TestHarExport::cleanupTestCase()
{
    m_server.stop();
}

void TestHarExport::entriesHaveTheFieldsHar12Requires()
{
    const QJsonObject log = jsonObjectIn(m_har, "log");
    QCOMPARE(log.value(QLatin1String("version")).toString(), QStringLiteral("1.2"));
    const QJsonObject creator = jsonObjectIn(log, "creator");
    QCOMPARE(creator.value(QLatin1String("name")).toString(), QStringLiteral("ChatApp"));
    QVERIFY(creator.value(QLatin1String("version")).isString());
    const QJsonArray entries = log.value(QLatin1String("entries")).toArray();
    QCOMPARE(entries.size(), 5);
    for (const QJsonValue &value : entries) {
        const QJsonObject entry = value.toObject();
        const QDateTime started = QDateTime::fromString(
            entry.value(QLatin1String("startedDateTime")).toString(), Qt::ISODateWithMs);
        QVERIFY2(started.isValid(),
            qPrintable(entry.value(QLatin1String("startedDateTime")).toString()));
        QVERIFY(entry.value(QLatin1String("time")).toDouble(-1) >= 0);
        QVERIFY(entry.value(QLatin1String("cache")).isObject());
        const QJsonObject timings = jsonObjectIn(entry, "timings");
        double total = 0;
        for (const char *phase : { "send", "wait", "receive" }) {
            QVERIFY2(timings.value(QLatin1String(phase)).toDouble(-1) >= 0, phase);
            total += timings.value(QLatin1String(phase)).toDouble();
        }
        QCOMPARE(total, entry.value(QLatin1String("time")).toDouble());

        const QJsonObject request = jsonObjectIn(entry, "request");
        for (const char *key : { "method", "url", "httpVersion" })
            QVERIFY2(request.value(QLatin1String(key)).isString(), key);
        for (const char *key : { "cookies", "headers", "queryString" })
            QVERIFY2(request.value(QLatin1String(key)).isArray(), key);
        for (const char *key : { "headersSize", "bodySize" })
            QVERIFY2(request.value(QLatin1String(key)).isDouble(), key);

        const QJsonObject response = jsonObjectIn(entry, "response");
        for (const char *key : { "statusText", "httpVersion", "redirectURL" })
            QVERIFY2(response.value(QLatin1String(key)).isString(), key);
        for (const char *key : { "status", "headersSize", "bodySize" })
            QVERIFY2(response.value(QLatin1String(key)).isDouble(), key);
        for (const char *key : { "cookies", "headers" })
            QVERIFY2(response.value(QLatin1String(key)).isArray(), key);
        const QJsonObject content = jsonObjectIn(response, "content");
        QVERIFY(content.value(QLatin1String("size")).isDouble());
        QVERIFY(content.value(QLatin1String("mimeType")).isString());
    }
}

void TestHarExport::entriesFollowTheExchanges()
{
    const QJsonArray entries = jsonObjectIn(m_har, "log").value(QLatin1String("entries")).toArray();
    QStringList lines;
    for (const QJsonValue &value : entries) {
        const QJsonObject request = jsonObjectIn(value.toObject(), "request");
        const QJsonObject response = jsonObjectIn(value.toObject(), "response");
        lines.append(request.value(QLatin1String("method")).toString() + u' '
            + QUrl(request.value(QLatin1String("url")).toString()).path() + u' '
            + QString::number(response.value(QLatin1String("status")).toInt()));
    }
    QCOMPARE(lines,
        QStringList({ QStringLiteral("POST /api/v1/sessions 201"),
            QStringLiteral("PUT /api/v1/rooms/har 201"),
            QStringLiteral("POST /api/v1/rooms/har/messages 201"),
            QStringLiteral("POST /api/v1/rooms/har/messages 201"),
            QStringLiteral("GET /api/v1/rooms/har/messages 200") }));

    // A send: its JSON as postData, its Idempotency-Key among the headers.
    const QJsonObject send = entries.at(2).toObject();
    const QJsonObject postData = jsonObjectIn(jsonObjectIn(send, "request"), "postData");
    QCOMPARE(
        postData.value(QLatin1String("mimeType")).toString(), QStringLiteral("application/json"));
    QCOMPARE(postData.value(QLatin1String("text")).toString(),
        QStringLiteral(R"({"author":"ana","text":"uno"})"));
    QVERIFY(
        jsonObjectIn(send, "request")
            .value(QLatin1String("headers"))
            .toArray()
            .contains(QJsonObject { { QStringLiteral("name"), QStringLiteral("Idempotency-Key") },
                { QStringLiteral("value"), QStringLiteral("har-uno") } }));
    const QJsonObject content = jsonObjectIn(jsonObjectIn(send, "response"), "content");
    QVERIFY(content.value(QLatin1String("mimeType"))
                .toString()
                .startsWith(QStringLiteral("application/json")));
    QVERIFY(content.value(QLatin1String("text")).toString().contains(QStringLiteral("\"uno\"")));

    // The read: its query string, name by name.
    const QJsonObject read = jsonObjectIn(entries.at(4).toObject(), "request");
    QCOMPARE(read.value(QLatin1String("queryString")).toArray(),
        QJsonArray({ QJsonObject { { QStringLiteral("name"), QStringLiteral("after") },
            { QStringLiteral("value"), QStringLiteral("0") } } }));
    QVERIFY(!read.contains(QLatin1String("postData")));
}

void TestHarExport::fileHoldsNoSecret()
{
    QVERIFY2(!m_fileText.contains(m_token), "the bearer token is in the HAR file");
    QVERIFY2(!m_fileText.contains(password.toUtf8()), "the password is in the HAR file");
    // The token was sent, masked: the header is there, its value is not.
    QVERIFY(m_fileText.contains("\"Authorization\""));
}

void TestHarExport::unwritablePathSaysWhy()
{
    QString error;
    QVERIFY(!HarExport::write(
        m_log.exchanges(), m_dir.filePath(QStringLiteral("no/such/folder/x.har")), &error));
    QVERIFY(!error.isEmpty());
}

QTEST_MAIN(TestHarExport)
#include "tst_harexport.moc"
