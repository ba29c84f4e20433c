#include "core/messagedraft.h"
#include "core/roomname.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <QTest>

class TestMessageDraft : public QObject
{
    Q_OBJECT

private slots:
    void acceptsJsonAndForms_data();
    void acceptsJsonAndForms();
    void refusesBadDrafts_data();
    void refusesBadDrafts();
    void countsCharactersNotBytes();
    void namesRefuseBidiAndInvisibleCharacters_data();
    void namesRefuseBidiAndInvisibleCharacters();
    void textMayHoldBidiAndJoiners();
};

void TestMessageDraft::acceptsJsonAndForms_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("author");
    QTest::addColumn<QString>("text");

    QTest::newRow("json") << QByteArray("application/json") << QByteArray(R"({"author":"ana","text":"hola"})")
                          << "ana" << "hola";
    QTest::newRow("json with charset") << QByteArray("Application/JSON; charset=utf-8")
                                       << QByteArray(R"({"author":"ana","text":"hola"})") << "ana" << "hola";
    QTest::newRow("json extra fields ignored")
        << QByteArray("application/json") << QByteArray(R"({"author":"ana","text":"hola","x":1})")
        << "ana" << "hola";
    QTest::newRow("form") << QByteArray("application/x-www-form-urlencoded")
                          << QByteArray("author=ana&text=hola+mundo") << "ana" << "hola mundo";
    QTest::newRow("form percent-encoded utf-8")
        << QByteArray("application/x-www-form-urlencoded")
        << QByteArray("text=%C2%BFqu%C3%A9%3F%20%26&author=Jos%C3%A9") << QString::fromUtf8("José")
        << QString::fromUtf8("¿qué? &");
    QTest::newRow("author trimmed") << QByteArray("application/json")
                                    << QByteArray(R"({"author":"  ana ","text":"x"})") << "ana" << "x";
    QTest::newRow("newline and tab kept") << QByteArray("application/json")
                                          << QByteArray(R"({"author":"a","text":"1\n\t2"})") << "a"
                                          << "1\n\t2";
    QTest::newRow("crlf stored as lf") << QByteArray("application/json")
                                       << QByteArray(R"({"author":"a","text":"1\r\n2"})") << "a" << "1\n2";
}

void TestMessageDraft::acceptsJsonAndForms()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(QString, author);
    QFETCH(QString, text);

    const auto result = parseMessageDraft(contentType, body);
    if (const auto *error = std::get_if<ApiError>(&result))
        QFAIL(qPrintable(error->message));
    QCOMPARE(std::get<MessageDraft>(result).author, author);
    QCOMPARE(std::get<MessageDraft>(result).text, text);
}

void TestMessageDraft::refusesBadDrafts_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");

    const QByteArray json = "application/json";
    const QByteArray form = "application/x-www-form-urlencoded";
    QTest::newRow("text/plain") << QByteArray("text/plain") << QByteArray("hola") << 415
                                << "unsupported_media_type";
    QTest::newRow("no content type") << QByteArray() << QByteArray("author=a&text=b") << 415
                                     << "unsupported_media_type";
    QTest::newRow("malformed json") << json << QByteArray(R"({"author":)") << 400 << "invalid_json";
    QTest::newRow("json array") << json << QByteArray(R"(["a"])") << 400 << "invalid_json";
    QTest::newRow("json invalid utf-8") << json << QByteArray("{\"author\":\"a\",\"text\":\"\xff\"}") << 400
                                        << "invalid_json";
    QTest::newRow("missing text") << json << QByteArray(R"({"author":"a"})") << 400 << "missing_field";
    QTest::newRow("missing author") << form << QByteArray("text=b") << 400 << "missing_field";
    QTest::newRow("empty text") << json << QByteArray(R"({"author":"a","text":""})") << 400
                                << "missing_field";
    QTest::newRow("blank text") << json << QByteArray(R"({"author":"a","text":" \n\t"})") << 400
                                << "missing_field";
    QTest::newRow("blank author") << form << QByteArray("author=+++&text=b") << 400 << "missing_field";
    QTest::newRow("number text") << json << QByteArray(R"({"author":"a","text":5})") << 400
                                 << "invalid_field";
    QTest::newRow("nul in text") << json << QByteArray(R"({"author":"a","text":"x\u0000y"})") << 400
                                 << "invalid_field";
    QTest::newRow("escape in text") << json << QByteArray(R"({"author":"a","text":"x\u001by"})") << 400
                                    << "invalid_field";
    QTest::newRow("newline in author") << json << QByteArray(R"({"author":"a\nb","text":"x"})") << 400
                                       << "invalid_field";
    QTest::newRow("lone surrogate") << json << QByteArray(R"({"author":"a","text":"\ud800"})") << 400
                                    << "invalid_field";
    QTest::newRow("form invalid utf-8") << form << QByteArray("author=a&text=%FF") << 400
                                        << "invalid_field";
    QTest::newRow("form control character") << form << QByteArray("author=a&text=%07") << 400
                                            << "invalid_field";
    QTest::newRow("text too long") << form << "author=a&text=" + QByteArray(4001, 'x') << 413
                                   << "text_too_long";
    QTest::newRow("author too long") << form << "text=a&author=" + QByteArray(33, 'x') << 413
                                     << "author_too_long";
    QTest::newRow("body too large") << form << "author=a&text=" + QByteArray(64 * 1024, 'x') << 413
                                    << "payload_too_large";
}

void TestMessageDraft::refusesBadDrafts()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, code);

    const auto result = parseMessageDraft(contentType, body);
    QVERIFY2(std::holds_alternative<ApiError>(result), "the draft was accepted");
    QCOMPARE(std::get<ApiError>(result).status, status);
    QCOMPARE(std::get<ApiError>(result).code, code);
}

void TestMessageDraft::countsCharactersNotBytes()
{
    // 4,000 emoji are 16,000 bytes of UTF-8 and 8,000 UTF-16 units, but 4,000 characters.
    const QByteArray emoji = "\xF0\x9F\x98\x80";
    const QByteArray body = R"({"author":"a","text":")" + emoji.repeated(4000) + R"("})";
    const auto accepted = parseMessageDraft("application/json", body);
    QVERIFY(std::holds_alternative<MessageDraft>(accepted));

    const QByteArray tooLong = R"({"author":"a","text":")" + emoji.repeated(4001) + R"("})";
    const auto refused = parseMessageDraft("application/json", tooLong);
    QVERIFY(std::holds_alternative<ApiError>(refused));
    QCOMPARE(std::get<ApiError>(refused).code, QStringLiteral("text_too_long"));
}

void TestMessageDraft::namesRefuseBidiAndInvisibleCharacters_data()
{
    QTest::addColumn<QString>("name");
    const auto inside = [](char32_t c) -> QString {
        return QStringLiteral("an") + QChar(char16_t(c)) + QStringLiteral("a");
    };
    for (char32_t c = 0x202a; c <= 0x202e; ++c)
        QTest::addRow("U+%04X", unsigned(c)) << inside(c);
    for (char32_t c = 0x2066; c <= 0x2069; ++c)
        QTest::addRow("U+%04X", unsigned(c)) << inside(c);
    for (char32_t c : {0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x00ad})
        QTest::addRow("U+%04X", unsigned(c)) << inside(c);
    QTest::newRow("override at the end") << QString::fromUtf8("ana\u202e");
    QTest::newRow("zero width space alone") << QString::fromUtf8("\u200b");
}

void TestMessageDraft::namesRefuseBidiAndInvisibleCharacters()
{
    QFETCH(QString, name);
    const QByteArray json = QJsonDocument(QJsonObject{{QStringLiteral("author"), name},
                                                      {QStringLiteral("text"), QStringLiteral("hola")}})
                                .toJson(QJsonDocument::Compact);
    const auto result = parseMessageDraft("application/json", json);
    QVERIFY2(std::holds_alternative<ApiError>(result), "the author was accepted");
    QCOMPARE(std::get<ApiError>(result).status, 400);
    QCOMPARE(std::get<ApiError>(result).code, QStringLiteral("invalid_field"));
    QVERIFY(!normalisedPersonName(name)); // name= of a poll or a stream
    QVERIFY(!RoomName::parse(name));
}

void TestMessageDraft::textMayHoldBidiAndJoiners()
{
    // A family emoji is joined with U+200D, and Arabic or Hebrew text needs isolates.
    const QString text =
        QString::fromUtf8("\U0001F468\u200d\U0001F469 \u2067\u05E9\u05DC\u05D5\u05DD\u2069");
    const QByteArray json = QJsonDocument(QJsonObject{{QStringLiteral("author"), QStringLiteral("ana")},
                                                      {QStringLiteral("text"), text}})
                                .toJson(QJsonDocument::Compact);
    const auto result = parseMessageDraft("application/json", json);
    QVERIFY(std::holds_alternative<MessageDraft>(result));
    QCOMPARE(std::get<MessageDraft>(result).text, text);
}

QTEST_APPLESS_MAIN(TestMessageDraft)
#include "tst_messagedraft.moc"
