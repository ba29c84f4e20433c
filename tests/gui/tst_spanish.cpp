// `--lang es`: the window speaks Spanish, every string of it, not just a few.

#include "httpclient.h"
#include "placeholders.h"
#include "ui/connectdialog.h"
#include "ui/translations.h"
#include "ui/typingindicator.h"
#include "busyroom.h"
#include "windowdriver.h"

#include <QDir>
#include <QNetworkAccessManager>
#include <QDockWidget>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>

class TestSpanish : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void windowStringsAreSpanish();
    void refusedSendExplainsInSpanish();
    void screenshot();

private:
    ServerProcess m_server;
    QNetworkAccessManager m_nam;
};

void TestSpanish::initTestCase()
{
    QCOMPARE(installTranslations(*QCoreApplication::instance(), QStringLiteral("es")), QStringLiteral("es"));
    QVERIFY2(m_server.start(), m_server.stderrOutput().constData());
}

void TestSpanish::cleanupTestCase()
{
    m_server.stop();
}

void TestSpanish::windowStringsAreSpanish()
{
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), QStringLiteral("vacia"));
    QCOMPARE(ana->findChild<QPushButton *>(QStringLiteral("sendButton"))->text(), QStringLiteral("&Enviar"));
    QCOMPARE(ana->findChild<QPushButton *>(QStringLiteral("joinRoomButton"))->text(), QStringLiteral("&Unirse"));
    QCOMPARE(composerOf(*ana)->placeholderText(),
             QStringLiteral("Escriba un mensaje… (Intro envía, Mayús+Intro para una línea nueva)"));
    QCOMPARE(ana->findChild<QLineEdit *>(QStringLiteral("joinRoomEdit"))->placeholderText(),
             QStringLiteral("Unirse o crear sala"));
    QCOMPARE(TypingIndicator::textFor({QStringLiteral("bea")}), QStringLiteral("bea está escribiendo…"));
    QCOMPARE(TypingIndicator::textFor({QStringLiteral("bea"), QStringLiteral("carlos")}),
             QStringLiteral("bea y carlos están escribiendo…"));
    QCOMPARE(TypingIndicator::textFor({QStringLiteral("bea"), QStringLiteral("carlos"), QStringLiteral("dani")}),
             QStringLiteral("Varias personas están escribiendo…"));
    // Read whole, at the window's smallest too, and in the connect dialog.
    QVERIFY2(cutPlaceholders(*ana).isEmpty(), qPrintable(cutPlaceholders(*ana).join(u'\n')));
    ana->resize(ana->minimumSize());
    QVERIFY2(cutPlaceholders(*ana).isEmpty(), qPrintable(cutPlaceholders(*ana).join(u'\n')));
    ConnectDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY2(cutPlaceholders(dialog).isEmpty(), qPrintable(cutPlaceholders(dialog).join(u'\n')));
    QStringList menus;
    for (const QAction *action : ana->menuBar()->actions())
        menus.append(action->text());
    QCOMPARE(menus, (QStringList{QStringLiteral("&Archivo"), QStringLiteral("&Chat"), QStringLiteral("&Ver"),
                                 QStringLiteral("A&yuda")}));
    QCOMPARE(ana->findChild<QAction *>(QStringLiteral("exportProtocolAction"))->text(),
             QStringLiteral("&Exportar registro de protocolo…"));
    QCOMPARE(ana->findChild<QDockWidget *>(QStringLiteral("protocolPanel"))->windowTitle(),
             QStringLiteral("Protocolo"));
    QTRY_VERIFY_WITH_TIMEOUT(messageListText(*ana).contains(QStringLiteral("Aún no hay mensajes en #vacia")), 10000);
    QVERIFY(ana->windowTitle().contains(QStringLiteral(" en 127.0.0.1:")));
}

void TestSpanish::refusedSendExplainsInSpanish()
{
    auto ana = openChatWindow(m_server, QStringLiteral("ana"), QStringLiteral("larga"));
    QPlainTextEdit *composer = composerOf(*ana);
    composer->setPlainText(QString(4001, u'x'));
    composer->setFocus();
    QTest::keyClick(composer, Qt::Key_Return);
    auto *error = ana->findChild<QLabel *>(QStringLiteral("sendError"));
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 10000);
    // All of it in the window's words, chosen by the server's error code; the server's
    // English stays a detail.
    QCOMPARE(error->text(), QStringLiteral("No enviado: El mensaje tiene más de 4000 caracteres."));
    QVERIFY2(error->toolTip().contains(QStringLiteral("The text is longer than 4000 characters.")),
             qPrintable(error->toolTip()));
}

void TestSpanish::screenshot()
{
    const QString directory = qEnvironmentVariable("CHATAPP_SCREENSHOT_DIR");
    if (directory.isEmpty())
        QSKIP("set CHATAPP_SCREENSHOT_DIR to save the README's screenshots (make screenshots)");
    const BusyRoomScript script{
        QStringLiteral("ana"), QStringLiteral("laboratorio"),
        {{QStringLiteral("bea"), QStringLiteral("¡Hola! ¿Está el servidor listo para la práctica?")},
         {QStringLiteral("ana"), QStringLiteral("Sí: chatapp --serve 0.0.0.0 3550 en la máquina EC2.")},
         {QStringLiteral("ana"), QStringLiteral("La documentación está en https://example.org/chatapp")},
         {QStringLiteral("carlos"), QStringLiteral("Veo 201 Created en la barra de estado.")},
         {QStringLiteral("carlos"), QStringLiteral("Y el long poll esperó 25 s y luego 200 OK.")},
         {QStringLiteral("bea"), QStringLiteral("@ana ¿qué puerto abriste en el grupo de seguridad?")},
         {QStringLiteral("ana"), QStringLiteral("El 3550, TCP, solo desde la red del laboratorio.")}},
        QStringLiteral("dudas"), QStringLiteral("proyecto"),
        {QStringLiteral("eli"), QStringLiteral("ana, ¿puedes revisar mi cambio?")}};
    auto ana = stageBusyRoom(m_server, m_nam, script);
    QVERIFY(ana);
    QVERIFY(ana->grab().save(QDir(directory).filePath(QStringLiteral("screenshot-es.png"))));
}

QTEST_MAIN(TestSpanish)
#include "tst_spanish.moc"
