#include "server/trustedproxies.h"

#include <QTest>

using namespace Qt::StringLiterals;

// What --trusted-proxy accepts, and whom a request is from behind the proxies it names.
class TestTrustedProxies : public QObject
{
    Q_OBJECT

private slots:
    void parsesRanges_data();
    void parsesRanges();
    void refusesWhatIsNotARange_data();
    void refusesWhatIsNotARange();
    void containsItsRanges();
    void findsTheClient_data();
    void findsTheClient();
    void withoutProxiesThePeerIsTheClient();
};

void TestTrustedProxies::parsesRanges_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("network");
    QTest::addColumn<int>("prefix");

    QTest::newRow("IPv4 address") << u"127.0.0.1"_s << u"127.0.0.1"_s << 32;
    QTest::newRow("IPv4 network") << u"10.0.0.0/8"_s << u"10.0.0.0"_s << 8;
    QTest::newRow("IPv4 /32") << u"192.0.2.7/32"_s << u"192.0.2.7"_s << 32;
    QTest::newRow("everything IPv4") << u"0.0.0.0/0"_s << u"0.0.0.0"_s << 0;
    QTest::newRow("spaces around") << u" 10.1.2.0/24 "_s << u"10.1.2.0"_s << 24;
    QTest::newRow("IPv6 address") << u"::1"_s << u"::1"_s << 128;
    QTest::newRow("IPv6 /128") << u"::1/128"_s << u"::1"_s << 128;
    QTest::newRow("IPv6 network") << u"2001:db8::/32"_s << u"2001:db8::"_s << 32;
    QTest::newRow("IPv4-mapped range") << u"::ffff:10.0.0.0/104"_s << u"10.0.0.0"_s << 8;
}

void TestTrustedProxies::parsesRanges()
{
    QFETCH(QString, text);
    QFETCH(QString, network);
    QFETCH(int, prefix);
    const auto range = TrustedProxies::parseRange(text);
    QVERIFY(range);
    QCOMPARE(range->first, QHostAddress(network));
    QCOMPARE(range->second, prefix);
}

void TestTrustedProxies::refusesWhatIsNotARange_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("empty") << u""_s;
    QTest::newRow("a name") << u"proxy.example"_s;
    QTest::newRow("IPv4 prefix too long") << u"10.0.0.0/33"_s;
    QTest::newRow("IPv6 prefix too long") << u"::1/129"_s;
    QTest::newRow("negative prefix") << u"10.0.0.0/-1"_s;
    QTest::newRow("prefix with a sign") << u"10.0.0.0/+8"_s;
    QTest::newRow("empty prefix") << u"10.0.0.0/"_s;
    QTest::newRow("netmask") << u"10.0.0.0/255.0.0.0"_s;
    QTest::newRow("two slashes") << u"10.0.0.0/8/8"_s;
    QTest::newRow("short IPv4") << u"127.1"_s;
    QTest::newRow("octet too large") << u"10.0.0.256"_s;
    QTest::newRow("with a port") << u"127.0.0.1:80"_s;
    QTest::newRow("brackets") << u"[::1]"_s;
    QTest::newRow("scope") << u"fe80::1%eth0"_s;
    QTest::newRow("mapped prefix below the IPv4 part") << u"::ffff:10.0.0.0/95"_s;
}

void TestTrustedProxies::refusesWhatIsNotARange()
{
    QFETCH(QString, text);
    QVERIFY(!TrustedProxies::parseRange(text));
}

void TestTrustedProxies::containsItsRanges()
{
    TrustedProxies proxies;
    proxies.add(*TrustedProxies::parseRange(u"10.0.0.0/8"));
    proxies.add(*TrustedProxies::parseRange(u"2001:db8::/32"));
    QVERIFY(proxies.contains(QHostAddress(u"10.255.0.1"_s)));
    QVERIFY(!proxies.contains(QHostAddress(u"11.0.0.1"_s)));
    QVERIFY(proxies.contains(QHostAddress(u"2001:db8:1::5"_s)));
    QVERIFY(!proxies.contains(QHostAddress(u"2001:db9::5"_s)));
    // How a dual-stack socket shows an IPv4 peer.
    QVERIFY(proxies.contains(QHostAddress(u"::ffff:10.0.0.9"_s)));
    QVERIFY(!proxies.contains(QHostAddress(u"::ffff:11.0.0.9"_s)));
}

void TestTrustedProxies::findsTheClient_data()
{
    QTest::addColumn<QString>("peer");
    QTest::addColumn<QByteArrayList>("headers");
    QTest::addColumn<QString>("client");

    // Trusted below: 127.0.0.1, 10.0.0.0/8 and ::1.
    const QString proxy = u"127.0.0.1"_s;
    QTest::newRow("untrusted peer: header ignored")
        << u"203.0.113.9"_s << QByteArrayList { "198.51.100.1" } << u"203.0.113.9"_s;
    QTest::newRow("untrusted peer, IPv6: header ignored")
        << u"2001:db8::9"_s << QByteArrayList { "198.51.100.1" } << u"2001:db8::9"_s;
    QTest::newRow("one hop") << proxy << QByteArrayList { "198.51.100.1" } << u"198.51.100.1"_s;
    QTest::newRow("one hop, IPv6 client")
        << proxy << QByteArrayList { "2001:db8::7" } << u"2001:db8::7"_s;
    QTest::newRow("IPv6 proxy") << u"::1"_s << QByteArrayList { "198.51.100.1" } << u"198.51.100.1"_s;
    QTest::newRow("mapped proxy")
        << u"::ffff:127.0.0.1"_s << QByteArrayList { "198.51.100.1" } << u"198.51.100.1"_s;
    QTest::newRow("no header: the proxy itself") << proxy << QByteArrayList {} << proxy;
    QTest::newRow("empty header: the proxy itself") << proxy << QByteArrayList { " " } << proxy;
    QTest::newRow("what the client wrote is left of what the proxy saw")
        << proxy << QByteArrayList { "1.2.3.4, 198.51.100.1" } << u"198.51.100.1"_s;
    QTest::newRow("trusted hops are walked past")
        << proxy << QByteArrayList { "1.2.3.4, 198.51.100.1, 10.0.0.2, 10.0.0.3" }
        << u"198.51.100.1"_s;
    QTest::newRow("several headers are one list, in order")
        << proxy << QByteArrayList { "1.2.3.4, 198.51.100.1", "10.0.0.2" } << u"198.51.100.1"_s;
    QTest::newRow("several headers, the last one decides")
        << proxy << QByteArrayList { "198.51.100.1", "198.51.100.2" } << u"198.51.100.2"_s;
    QTest::newRow("all trusted: the leftmost")
        << proxy << QByteArrayList { "10.0.0.5, 10.0.0.2" } << u"10.0.0.5"_s;
    QTest::newRow("empty elements mean nothing")
        << proxy << QByteArrayList { ",198.51.100.1,, " } << u"198.51.100.1"_s;
    QTest::newRow("no spaces") << proxy << QByteArrayList { "1.2.3.4,198.51.100.1" }
                               << u"198.51.100.1"_s;
    QTest::newRow("garbage left of the client is not read")
        << proxy << QByteArrayList { "<script>, unknown, 198.51.100.1" } << u"198.51.100.1"_s;
    QTest::newRow("malformed: the peer") << proxy << QByteArrayList { "unknown" } << proxy;
    QTest::newRow("malformed after trusted hops: the peer")
        << proxy << QByteArrayList { "198.51.100.1, not-an-address, 10.0.0.2" } << proxy;
    QTest::newRow("with a port: the peer") << proxy << QByteArrayList { "198.51.100.1:4711" }
                                           << proxy;
    QTest::newRow("bracketed IPv6: the peer")
        << proxy << QByteArrayList { "[2001:db8::7]" } << proxy;
    QTest::newRow("short IPv4: the peer") << proxy << QByteArrayList { "198.51" } << proxy;
    QTest::newRow("binary: the peer") << proxy << QByteArrayList { QByteArray("\xff\x00\x01", 3) }
                                      << proxy;
}

void TestTrustedProxies::findsTheClient()
{
    QFETCH(QString, peer);
    QFETCH(QByteArrayList, headers);
    QFETCH(QString, client);
    TrustedProxies proxies;
    for (const char *range : { "127.0.0.1", "10.0.0.0/8", "::1" })
        proxies.add(*TrustedProxies::parseRange(QString::fromLatin1(range)));
    const QHostAddress found = proxies.clientAddress(QHostAddress(peer), headers);
    QCOMPARE(found, QHostAddress(client));
}

void TestTrustedProxies::withoutProxiesThePeerIsTheClient()
{
    const TrustedProxies none;
    QVERIFY(none.isEmpty());
    QCOMPARE(none.clientAddress(QHostAddress(u"127.0.0.1"_s), QByteArrayList { "198.51.100.1" }),
             QHostAddress(u"127.0.0.1"_s));
}

QTEST_APPLESS_MAIN(TestTrustedProxies)
#include "tst_trustedproxies.moc"
