#include "server/originpolicy.h"

#include <QTest>

using Method = QHttpServerRequest::Method;

class TestOriginPolicy : public QObject
{
    Q_OBJECT

private slots:
    void hostNamesThisServer_data();
    void hostNamesThisServer();
    void sameOrigin_data();
    void sameOrigin();
    void onlyStateChangingRequestsAreJudgedByOrigin();
    void refusalsSayWhat();
    void normalisesAllowedNames_data();
    void normalisesAllowedNames();
    void machineNamesAreAllowedNames();
};

void TestOriginPolicy::hostNamesThisServer_data()
{
    QTest::addColumn<QByteArrayList>("hosts");
    QTest::addColumn<bool>("admitted");

    QTest::newRow("no Host") << QByteArrayList{} << true;
    QTest::newRow("IPv4 and port") << QByteArrayList{"127.0.0.1:3550"} << true;
    QTest::newRow("IPv4, no port") << QByteArrayList{"203.0.113.7"} << true;
    QTest::newRow("IPv6 and port") << QByteArrayList{"[::1]:3550"} << true;
    QTest::newRow("IPv6, no port") << QByteArrayList{"[2001:db8::7]"} << true;
    QTest::newRow("localhost") << QByteArrayList{"localhost:3550"} << true;
    QTest::newRow("LOCALHOST.") << QByteArrayList{"LOCALHOST."} << true;
    QTest::newRow("allowed name") << QByteArrayList{"chat.example:3550"} << true;
    QTest::newRow("allowed name, other case") << QByteArrayList{"Chat.Example"} << true;
    QTest::newRow("foreign name") << QByteArrayList{"evil.example:3550"} << false;
    QTest::newRow("foreign name, no port") << QByteArrayList{"evil.example"} << false;
    QTest::newRow("subdomain of an allowed name") << QByteArrayList{"a.chat.example"} << false;
    QTest::newRow("localhost as a subdomain") << QByteArrayList{"localhost.evil.example"} << false;
    QTest::newRow("address as a subdomain") << QByteArrayList{"127.0.0.1.evil.example"} << false;
    QTest::newRow("user info") << QByteArrayList{"127.0.0.1@evil.example"} << false;
    QTest::newRow("not a host") << QByteArrayList{"evil example"} << false;
    QTest::newRow("empty") << QByteArrayList{""} << false;
    QTest::newRow("twice") << QByteArrayList{"127.0.0.1", "127.0.0.1"} << false;
}

void TestOriginPolicy::hostNamesThisServer()
{
    QFETCH(QByteArrayList, hosts);
    QFETCH(bool, admitted);
    const OriginPolicy policy({QStringLiteral("chat.example")});
    QCOMPARE(policy.hostIsThisServer(hosts), admitted);
}

void TestOriginPolicy::sameOrigin_data()
{
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<bool>("same");

    QTest::newRow("same") << QByteArray("http://127.0.0.1:3550") << QByteArray("127.0.0.1:3550") << true;
    QTest::newRow("name, other case") << QByteArray("http://Chat.Example:3550")
                                      << QByteArray("chat.example:3550") << true;
    QTest::newRow("IPv6") << QByteArray("http://[::1]:3550") << QByteArray("[::1]:3550") << true;
    QTest::newRow("default port") << QByteArray("http://chat.example") << QByteArray("chat.example") << true;
    QTest::newRow("https behind a proxy") << QByteArray("https://chat.example")
                                          << QByteArray("chat.example") << true;
    QTest::newRow("explicit default port") << QByteArray("http://chat.example:80")
                                           << QByteArray("chat.example") << true;
    QTest::newRow("other site") << QByteArray("http://evil.example") << QByteArray("127.0.0.1:3550") << false;
    QTest::newRow("other port") << QByteArray("http://127.0.0.1:8000") << QByteArray("127.0.0.1:3550")
                                << false;
    QTest::newRow("https, Host on 80") << QByteArray("https://chat.example")
                                       << QByteArray("chat.example:80") << false;
    QTest::newRow("null") << QByteArray("null") << QByteArray("127.0.0.1:3550") << false;
    QTest::newRow("file") << QByteArray("file://") << QByteArray("127.0.0.1:3550") << false;
    QTest::newRow("with a path") << QByteArray("http://127.0.0.1:3550/x") << QByteArray("127.0.0.1:3550")
                                 << false;
    QTest::newRow("with user info") << QByteArray("http://a@127.0.0.1:3550")
                                    << QByteArray("127.0.0.1:3550") << false;
    QTest::newRow("garbage") << QByteArray("http://%zz") << QByteArray("127.0.0.1:3550") << false;
    QTest::newRow("empty") << QByteArray() << QByteArray("127.0.0.1:3550") << false;
}

void TestOriginPolicy::sameOrigin()
{
    QFETCH(QByteArray, origin);
    QFETCH(QByteArray, host);
    QFETCH(bool, same);
    QCOMPARE(OriginPolicy::isSameOrigin(origin, host), same);
}

void TestOriginPolicy::onlyStateChangingRequestsAreJudgedByOrigin()
{
    const OriginPolicy policy;
    const QByteArrayList host{"127.0.0.1:3550"};
    const QByteArrayList foreign{"http://evil.example"};
    const QByteArrayList crossSite{"cross-site"};
    for (Method method : {Method::Post, Method::Put, Method::Patch, Method::Delete}) {
        QVERIFY(policy.refusal(method, host, foreign, {}));
        QVERIFY(policy.refusal(method, host, {"null"}, {}));
        QVERIFY(policy.refusal(method, host, {}, crossSite));
        QVERIFY(policy.refusal(method, host, {}, {"Cross-Site "}));
        // Programs send neither; a page of this server's own would be same-origin.
        QVERIFY(!policy.refusal(method, host, {}, {}));
        QVERIFY(!policy.refusal(method, host, {"http://127.0.0.1:3550"}, {"same-origin"}));
        QVERIFY(!policy.refusal(method, host, {}, {"none"}));
        QVERIFY(policy.refusal(method, {}, {"http://127.0.0.1:3550"}, {}));
        QVERIFY(policy.refusal(method, host, {"http://127.0.0.1:3550", "http://127.0.0.1:3550"}, {}));
    }
    // Another site can make a browser read, but not let it see the answer.
    for (Method method : {Method::Get, Method::Head, Method::Options})
        QVERIFY(!policy.refusal(method, host, foreign, crossSite));
}

void TestOriginPolicy::refusalsSayWhat()
{
    const OriginPolicy policy;
    const auto misdirected = policy.refusal(Method::Get, {"Evil.Example:3550"}, {}, {});
    QVERIFY(misdirected);
    QCOMPARE(misdirected->status, 421);
    QCOMPARE(misdirected->code, QStringLiteral("misdirected_request"));
    QVERIFY2(misdirected->message.contains(QStringLiteral("--allowed-host evil.example")),
             qPrintable(misdirected->message));

    // The Host rule comes first, whatever the method and Origin.
    QCOMPARE(policy.refusal(Method::Post, {"evil.example"}, {"http://evil.example"}, {})->status, 421);

    const auto crossSite = policy.refusal(Method::Post, {"127.0.0.1:3550"}, {"http://evil.example"}, {});
    QVERIFY(crossSite);
    QCOMPARE(crossSite->status, 403);
    QCOMPARE(crossSite->code, QStringLiteral("cross_site_request"));
    QVERIFY2(crossSite->message.contains(QStringLiteral("http://evil.example")),
             qPrintable(crossSite->message));

    // Neither echoed back: whatever a client put there stays out of the answer.
    for (const QByteArrayList &hosts : {QByteArrayList{"127.0.0.1", "evil.example"},
                                        QByteArrayList{"<script>x</script>:1"}, QByteArrayList{""}}) {
        const auto malformed = policy.refusal(Method::Get, hosts, {}, {});
        QVERIFY(malformed);
        QCOMPARE(malformed->status, 400);
        QCOMPARE(malformed->code, QStringLiteral("invalid_header"));
        QVERIFY2(!malformed->message.contains(u'<'), qPrintable(malformed->message));
    }
}

void TestOriginPolicy::normalisesAllowedNames_data()
{
    QTest::addColumn<QString>("given");
    QTest::addColumn<QString>("normalised");

    QTest::newRow("plain") << "chat.example.org" << "chat.example.org";
    QTest::newRow("upper case, final dot, spaces") << " Chat.Example.ORG. " << "chat.example.org";
    QTest::newRow("international") << QString::fromUtf8("chät.example") << "xn--cht-rla.example";
    QTest::newRow("with a port") << "chat.example.org:3550" << "";
    QTest::newRow("with a scheme") << "http://chat.example.org" << "";
    QTest::newRow("with a path") << "chat.example.org/chat" << "";
    QTest::newRow("a space inside") << "chat example" << "";
}

void TestOriginPolicy::normalisesAllowedNames()
{
    QFETCH(QString, given);
    QFETCH(QString, normalised);
    QCOMPARE(OriginPolicy::normalisedHostName(given), normalised);
    if (!normalised.isEmpty()) {
        const OriginPolicy policy({OriginPolicy::normalisedHostName(given)});
        QVERIFY(policy.hostIsThisServer({normalised.toLatin1() + ":3550"}));
    }
}

void TestOriginPolicy::machineNamesAreAllowedNames()
{
    const QStringList names = OriginPolicy::machineHostNames();
    const OriginPolicy policy(names);
    for (const QString &name : names) {
        QVERIFY2(OriginPolicy::normalisedHostName(name) == name, qPrintable(name));
        QVERIFY2(policy.hostIsThisServer({name.toLatin1()}), qPrintable(name));
    }
}

QTEST_GUILESS_MAIN(TestOriginPolicy)
#include "tst_originpolicy.moc"
