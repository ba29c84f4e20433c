// "A message answered 201 survives a crash of the server" (docs/api.md), tested by
// crashing it: many sends at once, SIGKILL right as an acknowledgement arrives, restart,
// and every acknowledged message must be there, with its id, in a gapless history.

#include "httpclient.h"
#include "serverprocess.h"

#include <QHash>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QSet>
#include <QTest>

#include <memory>
#include <signal.h>

namespace {

struct Sent
{
    QString room;
    QString text;
    QByteArray body;
    QByteArray contentType;
    QByteArray key;
    QNetworkReply *reply = nullptr;
    int status = 0;
    qint64 id = 0;
};

struct Stored
{
    qint64 id = 0;
    QString author;
    QString text;
};

constexpr int sendCount = 200;
constexpr int clientCount = 4;
const QStringList rooms { QStringLiteral("general"), QStringLiteral("lab"), QStringLiteral("ops"),
    QStringLiteral("random") };

} // namespace

class TestDurability : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void acknowledgedSendsSurviveSigkill_data();
    void acknowledgedSendsSurviveSigkill();
    void sigtermFinishesAcknowledgedSends();
    void sigintExitsZero();

private:
    // Fires `sendCount` POSTs over several connections and rooms at once. `onAck` runs in
    // the slot that sees each 201, with the number of 201s so far.
    void sendBurst(const std::function<void(int)> &onAck);
    bool allFinished() const;
    // Reads every room back from a restarted server.
    QHash<QString, QList<Stored>> readBack();
    void verifyAcknowledgedAreStored(const QHash<QString, QList<Stored>> &stored);
    void retryEverySendWithItsKey();
    QNetworkReply *post(QNetworkAccessManager &nam, const Sent &sent);

    std::unique_ptr<ServerProcess> m_server;
    std::vector<std::unique_ptr<QNetworkAccessManager>> m_clients;
    QList<Sent> m_sent;
};

void TestDurability::init()
{
    m_server = std::make_unique<ServerProcess>();
    QVERIFY2(m_server->start(), m_server->stderrOutput().constData());
    m_clients.clear();
    for (int i = 0; i < clientCount; ++i)
        m_clients.push_back(std::make_unique<QNetworkAccessManager>());
    m_sent.clear();
}

void TestDurability::cleanup()
{
    for (Sent &sent : m_sent) {
        if (sent.reply)
            sent.reply->abort();
    }
    m_clients.clear();
    m_server.reset();
}

void TestDurability::sendBurst(const std::function<void(int)> &onAck)
{
    m_sent.resize(sendCount);
    auto acks = std::make_shared<int>(0);
    for (int i = 0; i < sendCount; ++i) {
        Sent &sent = m_sent[i];
        sent.room = rooms[i % rooms.size()];
        sent.text = QStringLiteral("durable %1 %2").arg(i).arg(QString(i % 7, u'x'));
        const bool asForm = i % 2 == 0;
        sent.body = asForm
            ? formBody({ { "author", QStringLiteral("ana") }, { "text", sent.text } })
            : jsonBody({ { QStringLiteral("author"), QStringLiteral("ana") },
                { QStringLiteral("text"), sent.text } });
        sent.contentType = asForm ? "application/x-www-form-urlencoded" : "application/json";
        sent.key = "burst-" + QByteArray::number(i);
        sent.reply = post(*m_clients[i % clientCount], sent);
        QObject::connect(sent.reply, &QNetworkReply::finished, this, [this, i, acks, onAck] {
            Sent &done = m_sent[i];
            const HttpReply reply = collectReply(done.reply);
            done.status = reply.status;
            if (reply.status == 201) {
                done.id = reply.json.value(QStringLiteral("id")).toInteger();
                onAck(++*acks);
            }
        });
    }
}

QNetworkReply *TestDurability::post(QNetworkAccessManager &nam, const Sent &sent)
{
    return startRequest(nam, "POST",
        m_server->url(QStringLiteral("/api/v1/rooms/") + sent.room + QStringLiteral("/messages")),
        sent.body, { { "Content-Type", sent.contentType }, { "Idempotency-Key", sent.key } });
}

// What a careful client does after a crash: send everything again with the same keys.
// The acknowledged come back 200 with their ids; the rest are stored now or were
// stored before the crash, and either way exactly once.
void TestDurability::retryEverySendWithItsKey()
{
    QNetworkAccessManager nam;
    QList<QNetworkReply *> retries;
    for (const Sent &sent : m_sent)
        retries.append(post(nam, sent));
    for (qsizetype i = 0; i < retries.size(); ++i) {
        const Sent &sent = m_sent[i];
        const HttpReply reply = awaitReply(retries[i], 20000);
        if (sent.status == 201) {
            QVERIFY2(reply.status == 200,
                qPrintable(sent.text + u' ' + QString::fromUtf8(reply.describe())));
            QCOMPARE(reply.json.value(QStringLiteral("id")).toInteger(), sent.id);
        } else {
            QVERIFY2(reply.status == 200 || reply.status == 201,
                qPrintable(sent.text + u' ' + QString::fromUtf8(reply.describe())));
        }
        QCOMPARE(reply.json.value(QStringLiteral("text")).toString(), sent.text);
    }
    const auto stored = readBack();
    verifyAcknowledgedAreStored(stored);
    if (QTest::currentTestFailed())
        return;
    qsizetype total = 0;
    for (const auto &messages : stored)
        total += messages.size();
    QCOMPARE(total, qsizetype(sendCount));
}

bool TestDurability::allFinished() const
{
    return std::all_of(m_sent.cbegin(), m_sent.cend(),
        [](const Sent &sent) { return sent.reply && sent.reply->isFinished(); });
}

QHash<QString, QList<Stored>> TestDurability::readBack()
{
    QNetworkAccessManager nam;
    QHash<QString, QList<Stored>> stored;
    for (const QString &room : rooms) {
        const HttpReply page = request(nam, "GET",
            m_server->url(QStringLiteral("/api/v1/rooms/") + room
                + QStringLiteral("/messages?after=0&limit=1000")));
        // A room whose first send never committed does not exist, except general.
        if (page.status == 404 && page.errorCode() == u"room_not_found")
            continue;
        if (page.status != 200) {
            qWarning("reading %s: %s", qPrintable(room), page.describe().constData());
            stored.insert(room, { Stored { -1, {}, {} } });
            continue;
        }
        QList<Stored> &list = stored[room];
        for (const QJsonValue &value : page.json.value(QStringLiteral("messages")).toArray()) {
            const QJsonObject message = value.toObject();
            list.append({ message.value(QStringLiteral("id")).toInteger(),
                message.value(QStringLiteral("author")).toString(),
                message.value(QStringLiteral("text")).toString() });
        }
        if (page.json.value(QStringLiteral("last_id")).toInteger() != list.size())
            qWarning("%s: last_id %lld for %lld messages", qPrintable(room),
                page.json.value(QStringLiteral("last_id")).toInteger(), qint64(list.size()));
    }
    return stored;
}

void TestDurability::verifyAcknowledgedAreStored(const QHash<QString, QList<Stored>> &stored)
{
    QSet<QString> sentTexts;
    for (const Sent &sent : m_sent)
        sentTexts.insert(sent.room + u'/' + sent.text);

    QSet<QString> storedTexts;
    for (auto it = stored.cbegin(); it != stored.cend(); ++it) {
        const QList<Stored> &messages = it.value();
        for (qsizetype i = 0; i < messages.size(); ++i) {
            const Stored &message = messages[i];
            QVERIFY2(message.id == i + 1,
                qPrintable(QStringLiteral("%1: id %2 at position %3, ids must be gapless from 1")
                               .arg(it.key())
                               .arg(message.id)
                               .arg(i + 1)));
            const QString key = it.key() + u'/' + message.text;
            // Only what the test sent, and each at most once: no invented, no doubled messages.
            QVERIFY2(
                sentTexts.contains(key), qPrintable(QStringLiteral("unexpected message ") + key));
            QVERIFY2(
                !storedTexts.contains(key), qPrintable(QStringLiteral("stored twice: ") + key));
            storedTexts.insert(key);
            QCOMPARE(message.author, QStringLiteral("ana"));
        }
    }

    int acknowledged = 0;
    for (const Sent &sent : m_sent) {
        if (sent.status != 201)
            continue;
        ++acknowledged;
        const QList<Stored> messages = stored.value(sent.room);
        QVERIFY2(sent.id >= 1 && sent.id <= messages.size(),
            qPrintable(QStringLiteral("acknowledged %1/%2 ('%3') is missing after the crash")
                           .arg(sent.room)
                           .arg(sent.id)
                           .arg(sent.text)));
        QCOMPARE(messages[sent.id - 1].text, sent.text);
    }
    qInfo("%d sends acknowledged, %lld stored after the restart", acknowledged,
        qint64(storedTexts.size()));
}

void TestDurability::acknowledgedSendsSurviveSigkill_data()
{
    QTest::addColumn<int>("killAtAck");
    QTest::newRow("after the first 201") << 1;
    QTest::newRow("mid-burst") << sendCount / 2;
    QTest::newRow("near the end") << sendCount - 10;
    QTest::newRow("after the last 201") << sendCount;
}

void TestDurability::acknowledgedSendsSurviveSigkill()
{
    QFETCH(int, killAtAck);
    const pid_t pid = pid_t(m_server->processId());
    bool killed = false;
    // Killed from inside the slot that sees the acknowledgement: nothing else runs between.
    sendBurst([&](int acks) {
        if (acks == killAtAck && !killed) {
            ::kill(pid, SIGKILL);
            killed = true;
        }
    });
    QTRY_VERIFY_WITH_TIMEOUT(allFinished(), 30000);
    QVERIFY2(killed, "the server never acknowledged enough sends");
    m_server->kill();
    QVERIFY(!m_server->isRunning());
    QCOMPARE(m_server->exitStatus(), QProcess::CrashExit);

    const qsizetype acknowledged = std::count_if(
        m_sent.cbegin(), m_sent.cend(), [](const Sent &s) { return s.status == 201; });
    QVERIFY(acknowledged >= killAtAck);
    for (const Sent &sent : m_sent) {
        // Either acknowledged, or cut off by the crash; never an error answer.
        QVERIFY2(sent.status == 201 || sent.status == 0,
            qPrintable(QStringLiteral("status %1 for %2").arg(sent.status).arg(sent.text)));
    }

    QVERIFY2(m_server->start(), m_server->stderrOutput().constData());
    verifyAcknowledgedAreStored(readBack());
    if (QTest::currentTestFailed())
        return;
    retryEverySendWithItsKey();
}

void TestDurability::sigtermFinishesAcknowledgedSends()
{
    const pid_t pid = pid_t(m_server->processId());
    bool terminated = false;
    sendBurst([&](int acks) {
        if (acks == sendCount / 4 && !terminated) {
            ::kill(pid, SIGTERM);
            terminated = true;
        }
    });
    QTRY_VERIFY_WITH_TIMEOUT(allFinished(), 30000);
    QVERIFY(terminated);
    QTRY_VERIFY_WITH_TIMEOUT(!m_server->isRunning(), 10000);
    QCOMPARE(m_server->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_server->exitCode(), 0);
    for (const Sent &sent : m_sent) {
        QVERIFY2(sent.status == 201 || sent.status == 0,
            qPrintable(QStringLiteral("status %1 for %2").arg(sent.status).arg(sent.text)));
    }

    QVERIFY2(m_server->start(), m_server->stderrOutput().constData());
    verifyAcknowledgedAreStored(readBack());
}

void TestDurability::sigintExitsZero()
{
    const HttpReply sent = request(*m_clients.front(), "POST",
        m_server->url(QStringLiteral("/api/v1/rooms/lab/messages")),
        "author=ana&text=before+ctrl-c",
        { { "Content-Type", "application/x-www-form-urlencoded" } });
    QVERIFY2(sent.status == 201, sent.describe().constData());
    ::kill(pid_t(m_server->processId()), SIGINT);
    QTRY_VERIFY_WITH_TIMEOUT(!m_server->isRunning(), 10000);
    QCOMPARE(m_server->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_server->exitCode(), 0);

    QVERIFY2(m_server->start(), m_server->stderrOutput().constData());
    const HttpReply stored = request(
        *m_clients.front(), "GET", m_server->url(QStringLiteral("/api/v1/rooms/lab/messages/1")));
    QVERIFY2(stored.status == 200, stored.describe().constData());
    QCOMPARE(stored.json, sent.json);
}

QTEST_GUILESS_MAIN(TestDurability)
#include "tst_durability.moc"
