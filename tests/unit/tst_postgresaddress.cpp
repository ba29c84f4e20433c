#include "storage/postgresaddress.h"

#include <QTest>

class TestPostgresAddress : public QObject
{
    Q_OBJECT

private slots:
    void readsEveryPart();
    void defaultsThePortAndUser();
    void refusesWhatItCannotUse_data();
    void refusesWhatItCannotUse();
    void displayNeverShowsThePassword();
};

void TestPostgresAddress::readsEveryPart()
{
    QString error;
    const auto address = parsePostgresAddress(QStringLiteral("postgresql://chat@db.example:6543/chatapp"), &error);
    QVERIFY2(address, qPrintable(error));
    QCOMPARE(address->user, QStringLiteral("chat"));
    QCOMPARE(address->host, QStringLiteral("db.example"));
    QCOMPARE(address->port, 6543);
    QCOMPARE(address->database, QStringLiteral("chatapp"));
    QVERIFY(address->password.isEmpty());
}

void TestPostgresAddress::defaultsThePortAndUser()
{
    QString error;
    const auto address = parsePostgresAddress(QStringLiteral("postgres://127.0.0.1/chat"), &error);
    QVERIFY2(address, qPrintable(error));
    QCOMPARE(address->port, 5432);
    QVERIFY(address->user.isEmpty());
}

void TestPostgresAddress::refusesWhatItCannotUse_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("because");

    QTest::newRow("another scheme") << "mysql://a@b/c" << "only postgresql://";
    QTest::newRow("a password") << "postgresql://a:secret@b/c" << "process list";
    QTest::newRow("no host") << "postgresql:///c" << "no host";
    QTest::newRow("no database") << "postgresql://a@b:5432" << "no database";
    QTest::newRow("a nested path") << "postgresql://a@b/c/d" << "no database";
    QTest::newRow("options") << "postgresql://a@b/c?sslmode=require" << "not supported";
    QTest::newRow("not a URL") << "chat" << "only postgresql://";
}

void TestPostgresAddress::refusesWhatItCannotUse()
{
    QFETCH(QString, url);
    QFETCH(QString, because);
    QString error;
    QVERIFY(!parsePostgresAddress(url, &error));
    QVERIFY2(error.contains(because), qPrintable(error));
    QVERIFY2(!error.contains(u"secret"), "the refusal repeats the password");
}

void TestPostgresAddress::displayNeverShowsThePassword()
{
    PostgresAddress address{QStringLiteral("chat"), QStringLiteral("db"), 5432, QStringLiteral("chatapp"),
                            QStringLiteral("secret")};
    QCOMPARE(address.display(), QStringLiteral("postgresql://chat@db:5432/chatapp"));
}

QTEST_GUILESS_MAIN(TestPostgresAddress)
#include "tst_postgresaddress.moc"
