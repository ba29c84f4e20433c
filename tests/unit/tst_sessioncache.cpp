#include "server/sessioncache.h"

#include <QTest>

// What a node remembers of sessions other nodes share with it (several nodes on one
// PostgreSQL): answers expire, a revocation replaces a valid answer, and the size stays
// bounded without a refusal ever crowding out a valid session.
class TestSessionCache : public QObject
{
    Q_OBJECT

private slots:
    void answersExpire()
    {
        SessionCache cache({1000, 100, 10});
        cache.remember("good", true, 0);
        cache.remember("bad", false, 0);
        QCOMPARE(cache.find("good", 999), SessionCache::Known::Valid);
        QCOMPARE(cache.find("good", 1000), SessionCache::Known::Unknown);
        QCOMPARE(cache.find("bad", 99), SessionCache::Known::Invalid);
        QCOMPARE(cache.find("bad", 100), SessionCache::Known::Unknown);
        QCOMPARE(cache.find("never", 0), SessionCache::Known::Unknown);
    }

    void aRevocationReplacesAValidAnswer()
    {
        SessionCache cache({1000, 100, 10});
        cache.remember("token", true, 0);
        cache.remember("token", false, 10);
        QCOMPARE(cache.find("token", 20), SessionCache::Known::Invalid);
        QCOMPARE(cache.size(), 1);
    }

    void aRevocationIsKeptWhenFull()
    {
        SessionCache cache({1000, 100, 2});
        cache.remember("a", true, 0);
        cache.remember("b", true, 0);
        cache.remember("a", false, 1);
        QCOMPARE(cache.find("a", 2), SessionCache::Known::Invalid);
    }

    void fullMakesRoomFromExpiredThenRefusals()
    {
        SessionCache cache({1000, 800, 3});
        cache.remember("old", true, 0);
        cache.remember("valid", true, 500);
        cache.remember("refused", false, 500);
        // Full: "old" has expired at 1000 and goes first.
        cache.remember("new", true, 1000);
        QCOMPARE(cache.find("new", 1000), SessionCache::Known::Valid);
        QCOMPARE(cache.find("valid", 1000), SessionCache::Known::Valid);
        QCOMPARE(cache.find("refused", 1000), SessionCache::Known::Invalid);
        QCOMPARE(cache.size(), 3);
        // Full of live entries: refusals go, valid sessions stay.
        cache.remember("newer", true, 1100);
        QCOMPARE(cache.find("newer", 1100), SessionCache::Known::Valid);
        QCOMPARE(cache.find("valid", 1100), SessionCache::Known::Valid);
        QCOMPARE(cache.find("refused", 1100), SessionCache::Known::Unknown);
        // Full of valid sessions: the answer is not kept, none is crowded out.
        cache.remember("newest", true, 1110);
        QCOMPARE(cache.find("newest", 1110), SessionCache::Known::Unknown);
        QCOMPARE(cache.find("valid", 1110), SessionCache::Known::Valid);
        QCOMPARE(cache.size(), 3);
    }
};

QTEST_APPLESS_MAIN(TestSessionCache)
#include "tst_sessioncache.moc"
