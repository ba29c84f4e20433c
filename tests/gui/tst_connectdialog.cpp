#include "ui/connectdialog.h"

#include "placeholders.h"
#include "settingssandbox.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace {
// The dialog's parts, found the way a test would find them on screen.
struct Form
{
    explicit Form(ConnectDialog &dialog)
        : server(dialog.findChild<QLineEdit *>(QStringLiteral("serverEdit")))
        , port(dialog.findChild<QSpinBox *>(QStringLiteral("portSpin")))
        , name(dialog.findChild<QLineEdit *>(QStringLiteral("nameEdit")))
        , room(dialog.findChild<QLineEdit *>(QStringLiteral("roomEdit")))
        , hint(dialog.findChild<QLabel *>(QStringLiteral("hintLabel")))
        , connect(dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok))
        , cancel(dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Cancel))
    {
    }

    bool complete() const { return server && port && name && room && hint && connect && cancel; }

    QLineEdit *server;
    QSpinBox *port;
    QLineEdit *name;
    QLineEdit *room;
    QLabel *hint;
    QPushButton *connect;
    QPushButton *cancel;
};

void retype(QLineEdit *edit, const QString &text)
{
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}
} // namespace

class TestConnectDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();

    void connectIsDisabledUntilEveryFieldIsValid();
    void typingValidValuesEnablesConnect();
    void invalidRoomShowsTheHint();
    void httpsIsAcceptedAndOtherSchemesRefused();
    void aPortInTheServerFieldWins();
    void enterConnectsAndTheValuesAreRemembered();
    void cancelForgetsWhatWasTyped();
    void commandLineValuesFillTheForm();
    void everyFieldHasALabelMnemonicAndAccessibleName();
    void tabGoesServerPortNameRoomButtons();

private:
    QTemporaryDir m_settingsDir;
};

void TestConnectDialog::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    QVERIFY(sandboxSettings(m_settingsDir.path()));
}

void TestConnectDialog::init()
{
    QSettings(QStringLiteral("ChatApp"), QStringLiteral("chatapp")).clear();
}

void TestConnectDialog::connectIsDisabledUntilEveryFieldIsValid()
{
    ConnectDialog dialog;
    Form form(dialog);
    QVERIFY(form.complete());

    QCOMPARE(form.server->text(), QString());
    QCOMPARE(form.port->value(), 3550);
    QCOMPARE(form.room->text(), QStringLiteral("general"));
    QVERIFY(!form.connect->isEnabled());
    QVERIFY(!form.hint->text().isEmpty());
    // accept() called directly must not slip past the check either.
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
}

void TestConnectDialog::typingValidValuesEnablesConnect()
{
    ConnectDialog dialog;
    Form form(dialog);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));

    QTest::keyClicks(form.server, QStringLiteral("203.0.113.7"));
    QVERIFY2(!form.connect->isEnabled(), "no name yet");
    const QString nameHint = form.hint->text();
    QVERIFY(!nameHint.isEmpty());

    QTest::keyClicks(form.name, QStringLiteral("ana"));
    QVERIFY(form.connect->isEnabled());
    QCOMPARE(form.hint->text(), QString());
    QCOMPARE(dialog.server().toString(), QStringLiteral("203.0.113.7:3550"));
    QCOMPARE(dialog.name(), QStringLiteral("ana"));
    QCOMPARE(dialog.room(), QStringLiteral("general"));

    QTest::keyClicks(form.server, QStringLiteral(" x"));
    QVERIFY2(!form.connect->isEnabled(), "a space inside the host");
    QVERIFY(form.hint->text().contains(QStringLiteral("203.0.113.7 x")));
}

void TestConnectDialog::invalidRoomShowsTheHint()
{
    ConnectDialog dialog;
    Form form(dialog);
    dialog.show();
    QTest::keyClicks(form.server, QStringLiteral("localhost"));
    QTest::keyClicks(form.name, QStringLiteral("ana"));
    QVERIFY(form.connect->isEnabled());

    retype(form.room, QStringLiteral("Lab Room"));
    QVERIFY(!form.connect->isEnabled());
    QVERIFY(!form.hint->text().isEmpty());
    QVERIFY(form.hint->isVisible());

    retype(form.room, QStringLiteral("lab-2"));
    QVERIFY(form.connect->isEnabled());
    QCOMPARE(form.hint->text(), QString());
    QCOMPARE(dialog.room(), QStringLiteral("lab-2"));
}

void TestConnectDialog::httpsIsAcceptedAndOtherSchemesRefused()
{
    ConnectDialog dialog;
    Form form(dialog);
    QTest::keyClicks(form.name, QStringLiteral("ana"));
    QTest::keyClicks(form.server, QStringLiteral("https://chat.example.org:8443"));
    QVERIFY(form.connect->isEnabled());
    QVERIFY(dialog.server().secure);
    QCOMPARE(dialog.server().baseUrl().toString(), QStringLiteral("https://chat.example.org:8443"));

    retype(form.server, QStringLiteral("ftp://chat.example.org"));
    QVERIFY(!form.connect->isEnabled());
    QVERIFY2(form.hint->text().contains(QStringLiteral("https://")), qPrintable(form.hint->text()));
}

void TestConnectDialog::aPortInTheServerFieldWins()
{
    ConnectDialog dialog;
    Form form(dialog);
    QTest::keyClicks(form.name, QStringLiteral("ana"));
    QTest::keyClicks(form.server, QStringLiteral("http://chat.example.org:8080/"));
    QVERIFY(form.connect->isEnabled());
    QVERIFY(!form.port->isEnabled());
    QCOMPARE(form.port->value(), 8080);
    QCOMPARE(dialog.server().toString(), QStringLiteral("chat.example.org:8080"));

    retype(form.server, QStringLiteral("chat.example.org"));
    QVERIFY(form.port->isEnabled());
    form.port->setValue(4000);
    QCOMPARE(dialog.server().toString(), QStringLiteral("chat.example.org:4000"));
}

void TestConnectDialog::enterConnectsAndTheValuesAreRemembered()
{
    {
        ConnectDialog dialog;
        Form form(dialog);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTest::keyClicks(form.server, QStringLiteral("::1"));
        form.port->setValue(4100);
        QTest::keyClicks(form.name, QStringLiteral("  Bo "));
        retype(form.room, QStringLiteral("lab"));
        QTest::keyClick(form.room, Qt::Key_Return);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QVERIFY(!dialog.isVisible());
    }

    ConnectDialog again;
    Form form(again);
    QCOMPARE(form.server->text(), QStringLiteral("::1"));
    QCOMPARE(form.port->value(), 4100);
    QCOMPARE(form.name->text(), QStringLiteral("Bo"));
    QCOMPARE(form.room->text(), QStringLiteral("lab"));
    QVERIFY(form.connect->isEnabled());
    QCOMPARE(again.server().toString(), QStringLiteral("[::1]:4100"));
}

void TestConnectDialog::cancelForgetsWhatWasTyped()
{
    {
        ConnectDialog dialog;
        Form form(dialog);
        QTest::keyClicks(form.server, QStringLiteral("first.example.org"));
        QTest::keyClicks(form.name, QStringLiteral("ana"));
        QTest::mouseClick(form.connect, Qt::LeftButton);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
    }
    {
        ConnectDialog dialog;
        Form form(dialog);
        retype(form.server, QStringLiteral("second.example.org"));
        QTest::mouseClick(form.cancel, Qt::LeftButton);
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
    }
    ConnectDialog dialog;
    QCOMPARE(Form(dialog).server->text(), QStringLiteral("first.example.org"));
}

void TestConnectDialog::commandLineValuesFillTheForm()
{
    LaunchOptions options;
    options.server = ServerAddress { QStringLiteral("203.0.113.7"), 3551 };
    options.room = QStringLiteral("lab");
    ConnectDialog dialog;
    dialog.setInitial(options);
    Form form(dialog);

    QCOMPARE(form.server->text(), QStringLiteral("203.0.113.7"));
    QCOMPARE(form.port->value(), 3551);
    QCOMPARE(form.room->text(), QStringLiteral("lab"));
    QVERIFY2(!form.connect->isEnabled(), "the name is still missing");
    QCOMPARE(dialog.focusWidget(), form.name);

    options.name = QStringLiteral("ana");
    dialog.setInitial(options);
    QVERIFY(form.connect->isEnabled());
    QCOMPARE(dialog.server(), *options.server);
}

void TestConnectDialog::everyFieldHasALabelMnemonicAndAccessibleName()
{
    ConnectDialog dialog;
    Form form(dialog);
    const QList<QWidget *> fields { form.server, form.port, form.name, form.room };
    for (QWidget *field : fields) {
        QVERIFY2(!field->accessibleName().isEmpty(), qPrintable(field->objectName()));
        QLabel *label = nullptr;
        for (QLabel *candidate : dialog.findChildren<QLabel *>()) {
            if (candidate->buddy() == field)
                label = candidate;
        }
        QVERIFY2(label, qPrintable(field->objectName()));
        QVERIFY2(label->text().contains(u'&'), qPrintable(label->text()));
    }
    QVERIFY(form.connect->text().contains(u'&'));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY2(cutPlaceholders(dialog).isEmpty(), qPrintable(cutPlaceholders(dialog).join(u'\n')));
}

void TestConnectDialog::tabGoesServerPortNameRoomButtons()
{
    ConnectDialog dialog;
    Form form(dialog);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    QCOMPARE(QApplication::focusWidget(), form.server);

    const QList<QWidget *> order { form.port, form.name, form.room };
    for (QWidget *next : order) {
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QCOMPARE(QApplication::focusWidget(), next);
    }
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QVERIFY2(qobject_cast<QPushButton *>(QApplication::focusWidget()),
        qPrintable(QApplication::focusWidget()->objectName()));
}

QTEST_MAIN(TestConnectDialog)
#include "tst_connectdialog.moc"
