// The window's own words for the server's error codes: every code docs/api.md lists that
// the window's requests can get has one, so no refusal reaches a person in the server's
// English only.

#include "client/errortexts.h"

#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

class TestErrorTexts : public QObject
{
    Q_OBJECT

private slots:
    void everyCodeTheWindowCanGetHasItsText();
    void unknownCodeLeavesItToTheServer();
};

void TestErrorTexts::everyCodeTheWindowCanGetHasItsText()
{
    QFile api(QStringLiteral(CHATAPP_SOURCE_DIR "/docs/api.md"));
    QVERIFY(api.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(api.readAll());
    // Answers to requests the window never makes, or makes only well-formed: a program's
    // mistakes, for which the server's own words are the right ones.
    const QSet<QString> notTheWindows = {
        QStringLiteral("invalid_json"),        QStringLiteral("invalid_query"),
        QStringLiteral("invalid_header"),      QStringLiteral("not_found"),
        QStringLiteral("message_not_found"),   QStringLiteral("download_unavailable"),
        QStringLiteral("sessions_disabled"),   QStringLiteral("method_not_allowed"),
        QStringLiteral("unsupported_media_type")};
    QStringList codes;
    const QRegularExpression row(QStringLiteral("^\\| \\d{3} \\| `([a-z_]+)`"),
                                 QRegularExpression::MultilineOption);
    for (auto match = row.globalMatch(text); match.hasNext();)
        codes.append(match.next().captured(1));
    QVERIFY2(codes.size() > 20, qPrintable(codes.join(u' ')));
    codes.append(QStringLiteral("author_too_long")); // in the table's text_too_long row
    for (const QString &code : std::as_const(codes)) {
        if (!notTheWindows.contains(code))
            QVERIFY2(!ErrorTexts::forCode(code).isEmpty(), qPrintable(code));
    }
    QVERIFY(ErrorTexts::forCode(QStringLiteral("text_too_long")).contains(QStringLiteral("4000")));
}

void TestErrorTexts::unknownCodeLeavesItToTheServer()
{
    QVERIFY(ErrorTexts::forCode(QStringLiteral("some_future_code")).isEmpty());
    QVERIFY(ErrorTexts::forCode(QString()).isEmpty());
}

QTEST_GUILESS_MAIN(TestErrorTexts)
#include "tst_errortexts.moc"
