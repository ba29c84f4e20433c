// The Protocol panel's model, and what ApiClient puts into each Exchange it logs:
// checked against a real `chatapp --serve`, so the headers and bodies are the ones
// that really travelled.

#include "client/apiclient.h"
#include "client/exchangecapture.h"
#include "client/exchangelog.h"
#include "client/exchangetext.h"
#include "serverprocess.h"

#include <QAbstractItemModelTester>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>

namespace {
constexpr int answerTimeoutMs = 10000;

Exchange numbered(int n)
{
    Exchange exchange;
    exchange.method = "GET";
    exchange.path = QStringLiteral("/api/v1/rooms/r%1/messages").arg(n);
    exchange.status = 200;
    exchange.elapsedMs = n;
    exchange.finishedAt = QDateTime::currentDateTime();
    return exchange;
}
} // namespace

class TestExchangeLog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void newestIsAppendedAtTheBottom();
    void oldestRowsGoPastTheLimit();
    void columnsShowTimeMethodPathStatusAndDuration();
    void longBodiesAreCutAndMarked();
    void secretsInJsonBodiesAreMasked();
    void postIsLoggedWithItsHeadersAndBodies();
    void bearerTokenIsMaskedInTheLog();
    void authorSecretIsMaskedInTheLog();
    void rawTextReadsLikeACapture();

private:
    // Sends with a real ApiClient and returns what the log got.
    Exchange postMessage(ApiClient &api, ExchangeLog &log, const QString &text,
                         const ApiClient::Headers &headers = {});

    ServerProcess m_server;
};

void TestExchangeLog::initTestCase()
{
    QVERIFY2(m_server.start(), m_server.stderrOutput().constData());
}

void TestExchangeLog::cleanupTestCase()
{
    m_server.stop();
}

void TestExchangeLog::newestIsAppendedAtTheBottom()
{
    ExchangeLog log;
    QAbstractItemModelTester tester(&log, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&log, &QAbstractItemModel::rowsInserted);
    for (int n = 0; n < 3; ++n)
        log.append(numbered(n));
    QCOMPARE(log.rowCount(), 3);
    QCOMPARE(inserted.size(), 3);
    QCOMPARE(inserted.last().at(1).toInt(), 2);
    QCOMPARE(log.exchangeAt(0).path, QStringLiteral("/api/v1/rooms/r0/messages"));
    QCOMPARE(log.exchangeAt(2).path, QStringLiteral("/api/v1/rooms/r2/messages"));
}

void TestExchangeLog::oldestRowsGoPastTheLimit()
{
    ExchangeLog log;
    QAbstractItemModelTester tester(&log, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy removed(&log, &QAbstractItemModel::rowsRemoved);
    for (int n = 0; n < ExchangeLog::maxRows + 5; ++n)
        log.append(numbered(n));
    QCOMPARE(log.rowCount(), ExchangeLog::maxRows);
    QCOMPARE(removed.size(), 5);
    for (const QList<QVariant> &signal : removed) {
        QCOMPARE(signal.at(1).toInt(), 0); // first
        QCOMPARE(signal.at(2).toInt(), 0); // last
    }
    QCOMPARE(log.exchangeAt(0).elapsedMs, 5);
    QCOMPARE(log.exchangeAt(ExchangeLog::maxRows - 1).elapsedMs, ExchangeLog::maxRows + 4);
}

void TestExchangeLog::columnsShowTimeMethodPathStatusAndDuration()
{
    ExchangeLog log;
    Exchange exchange = numbered(7);
    exchange.method = "POST";
    exchange.status = 201;
    exchange.reason = QStringLiteral("Created");
    exchange.finishedAt = QDateTime(QDate(2026, 12, 6), QTime(10, 4, 5, 67));
    log.append(exchange);
    const auto cell = [&log](int column) { return log.index(0, column).data().toString(); };
    QCOMPARE(log.columnCount(), 5);
    QCOMPARE(cell(ExchangeLog::TimeColumn), QStringLiteral("10:04:05.067"));
    QCOMPARE(cell(ExchangeLog::MethodColumn), QStringLiteral("POST"));
    QCOMPARE(cell(ExchangeLog::PathColumn), QStringLiteral("/api/v1/rooms/r7/messages"));
    QCOMPARE(cell(ExchangeLog::StatusColumn), QStringLiteral("201 Created"));
    QCOMPARE(cell(ExchangeLog::DurationColumn), QStringLiteral("7 ms"));
    QCOMPARE(
        log.index(0, 0).data(ExchangeLog::OutcomeRole).toInt(), int(Exchange::Outcome::Success));
    QCOMPARE(log.headerData(ExchangeLog::StatusColumn, Qt::Horizontal).toString(),
        QStringLiteral("Status"));
}

void TestExchangeLog::longBodiesAreCutAndMarked()
{
    const QByteArray big(ExchangeBody::maxBytes * 3, 'x');
    const ExchangeBody body = ExchangeCapture::boundedBody(big);
    QCOMPARE(body.size, big.size());
    QCOMPARE(body.bytes.size(), ExchangeBody::maxBytes);
    QVERIFY(body.truncated);

    const ExchangeBody small = ExchangeCapture::boundedBody("{\"text\":\"hi\"}");
    QCOMPARE(small.bytes, QByteArray("{\"text\":\"hi\"}"));
    QVERIFY(!small.truncated);
}

void TestExchangeLog::secretsInJsonBodiesAreMasked()
{
    const QByteArray signIn = R"({"password":"hunter2 is long"})";
    QVERIFY(!ExchangeCapture::boundedBody(signIn).bytes.contains("hunter2"));
    const QByteArray answer = R"({"token":"c2VjcmV0LXRva2Vu","token_type":"Bearer"})";
    const ExchangeBody body = ExchangeCapture::boundedBody(answer);
    QVERIFY(!body.bytes.contains("c2VjcmV0LXRva2Vu"));
    QVERIFY2(body.bytes.contains("\"token_type\":\"Bearer\""), body.bytes.constData());
    QCOMPARE(body.size, answer.size());
}

Exchange TestExchangeLog::postMessage(ApiClient &api, ExchangeLog &log, const QString &text,
                                      const ApiClient::Headers &headers)
{
    connect(&api, &ApiClient::exchangeFinished, &log, &ExchangeLog::append);
    const int before = log.rowCount();
    api.post(apiPath({ u"rooms", u"logged", u"messages" }),
        QJsonObject {
            { QStringLiteral("author"), QStringLiteral("ana") }, { QStringLiteral("text"), text } },
        "key-" + text.toLatin1(), nullptr, {}, headers);
    if (!QTest::qWaitFor([&] { return log.rowCount() > before; }, answerTimeoutMs))
        return {};
    return log.exchangeAt(log.rowCount() - 1);
}

void TestExchangeLog::postIsLoggedWithItsHeadersAndBodies()
{
    ApiClient api(m_server.baseUrl());
    ExchangeLog log;
    const QDateTime before = QDateTime::currentDateTimeUtc();
    const Exchange exchange = postMessage(api, log, QStringLiteral("hello"));
    QCOMPARE(exchange.status, 201);

    QVERIFY(exchange.startedAt >= before.addMSecs(-1)
        && exchange.startedAt <= QDateTime::currentDateTimeUtc());
    QCOMPARE(exchange.url, m_server.url(QStringLiteral("/api/v1/rooms/logged/messages")));
    QCOMPARE(exchange.requestLine(), QByteArray("POST /api/v1/rooms/logged/messages HTTP/1.1"));
    QCOMPARE(exchange.requestHeader("idempotency-key"), QByteArray("key-hello"));
    QCOMPARE(exchange.requestHeader("Content-Type"), QByteArray("application/json"));
    QCOMPARE(exchange.requestHeader("Host"),
        QStringLiteral("127.0.0.1:%1").arg(m_server.port()).toLatin1());
    QCOMPARE(exchange.requestBody.bytes, QByteArray(R"({"author":"ana","text":"hello"})"));
    QCOMPARE(
        exchange.requestHeader("Content-Length"), QByteArray::number(exchange.requestBody.size));
    const auto contentLengths
        = std::count_if(exchange.requestHeaders.cbegin(), exchange.requestHeaders.cend(),
            [](const auto &header) { return header.first == "Content-Length"; });
    QCOMPARE(contentLengths, 1);

    QCOMPARE(exchange.statusLine(), QByteArray("HTTP/1.1 201 Created"));
    QVERIFY2(exchange.responseHeader("Content-Type").startsWith("application/json"),
        exchange.responseHeader("Content-Type").constData());
    QVERIFY(!exchange.responseHeader("Location").isEmpty());
    QVERIFY2(exchange.responseBody.bytes.contains("\"text\":\"hello\""),
        exchange.responseBody.bytes.constData());
    QCOMPARE(
        exchange.responseHeader("Content-Length"), QByteArray::number(exchange.responseBody.size));
    QVERIFY(exchange.waitMs >= 0 && exchange.waitMs <= exchange.elapsedMs);
    QVERIFY(exchange.requestHeader("Authorization").isEmpty());
}

void TestExchangeLog::bearerTokenIsMaskedInTheLog()
{
    // Without a password the server ignores the token, which is all this needs: the
    // header goes out, and the log must not keep it.
    ApiClient api(m_server.baseUrl());
    const QByteArray token = "dG9rZW4tdGhhdC1tdXN0LW5vdC1zaG93";
    api.setToken(token);
    ExchangeLog log;
    const Exchange exchange = postMessage(api, log, QStringLiteral("masked"));
    QCOMPARE(exchange.status, 201);
    QCOMPARE(
        exchange.requestHeader("Authorization"), QByteArray("Bearer ") + ExchangeCapture::mask);
    QVERIFY(!exchangeAsText(exchange).contains(QString::fromLatin1(token)));
}

void TestExchangeLog::authorSecretIsMaskedInTheLog()
{
    // It proves who may edit or delete the message: as much a credential as the token.
    ApiClient api(m_server.baseUrl());
    ExchangeLog log;
    const QByteArray secret = "a-secret-that-must-not-show-0123";
    const Exchange exchange = postMessage(api, log, QStringLiteral("signed"), {{"Author-Secret", secret}});
    QCOMPARE(exchange.status, 201);
    QCOMPARE(exchange.requestHeader("Author-Secret"), QByteArray(ExchangeCapture::mask));
    QVERIFY(!exchangeAsText(exchange).contains(QString::fromLatin1(secret)));
}

void TestExchangeLog::rawTextReadsLikeACapture()
{
    ApiClient api(m_server.baseUrl());
    ExchangeLog log;
    const Exchange exchange = postMessage(api, log, QStringLiteral("raw"));
    const QString text = exchangeAsText(exchange);
    const QStringList lines = text.split(u'\n');
    QCOMPARE(lines.first(), QStringLiteral("POST /api/v1/rooms/logged/messages HTTP/1.1"));
    QVERIFY2(lines.contains(QStringLiteral("Idempotency-Key: key-raw")), qPrintable(text));
    // Headers, a blank line, the body: then the answer in the same shape.
    const qsizetype requestBody = lines.indexOf(QStringLiteral(R"({"author":"ana","text":"raw"})"));
    QVERIFY2(requestBody > 1 && lines.at(requestBody - 1).isEmpty(), qPrintable(text));
    const qsizetype statusLine = lines.indexOf(QStringLiteral("HTTP/1.1 201 Created"));
    QVERIFY2(statusLine > requestBody && lines.at(statusLine - 1).isEmpty(), qPrintable(text));
    QVERIFY2(lines.mid(statusLine).filter(QStringLiteral("\"text\":\"raw\"")).size() == 1,
        qPrintable(text));
}

QTEST_MAIN(TestExchangeLog)
#include "tst_exchangelog.moc"
