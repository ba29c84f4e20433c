// Which name the window goes by, and what it remembers of it, on a settings file of the
// test's own.

#include "client/chosenname.h"
#include "settingssandbox.h"

#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

class TestChosenName : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();

    void givenNameIsRememberedForTheNextStart();
    void nothingGivenNorRememberedIsTheAccountsName();

private:
    QTemporaryDir m_settingsDir;
};

void TestChosenName::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    QVERIFY(sandboxSettings(m_settingsDir.path()));
}

void TestChosenName::init()
{
    QSettings(QStringLiteral("ChatApp"), QStringLiteral("chatapp")).clear();
    qputenv("USER", "account");
}

void TestChosenName::givenNameIsRememberedForTheNextStart()
{
    // `chatapp --server lab --name bea`, then `chatapp --server lab`.
    QCOMPARE(chosenName(QStringLiteral("  bea ")), QStringLiteral("bea"));
    QCOMPARE(chosenName(QString()), QStringLiteral("bea"));
    // A name typed in the connect dialog wins from then on.
    rememberName(QStringLiteral("ana"));
    QCOMPARE(chosenName(QString()), QStringLiteral("ana"));
}

void TestChosenName::nothingGivenNorRememberedIsTheAccountsName()
{
    QCOMPARE(chosenName(QString()), QStringLiteral("account"));
    qputenv("USER", QByteArray(40, 'u'));
    QCOMPARE(chosenName(QString()).size(), 32); // the longest name the server takes
}

QTEST_GUILESS_MAIN(TestChosenName)
#include "tst_chosenname.moc"
