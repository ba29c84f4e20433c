// The colour emoji font the AppImage carries: on a machine whose fonts have no emoji
// (here, a fontconfig that knows DejaVu only, as the AppImage's own fonts.conf), loading
// it makes ⏳ and 🎉 drawable in the window's fonts, 🎉 in colour. (An emoji DejaVu Sans
// has, such as 😀, stays DejaVu's black and white one: Qt 6.4 takes a glyph from the
// first family that has it.)

#include "ui/emojifont.h"

#include <QApplication>
#include <QFile>
#include <QFontDatabase>
#include <QFontInfo>
#include <QFontMetrics>
#include <QImage>
#include <QPainter>
#include <QTemporaryDir>
#include <QTest>

namespace {
constexpr char32_t hourglass = 0x23F3; // ⏳, on a message waiting to be sent
constexpr char32_t partyPopper = 0x1F389; // 🎉

QTemporaryDir &fontconfigDir()
{
    static QTemporaryDir dir;
    return dir;
}

bool fontsCan(char32_t codePoint)
{
    return QFontMetrics(QApplication::font()).inFontUcs4(codePoint)
        && QFontMetrics(QFontDatabase::systemFont(QFontDatabase::FixedFont)).inFontUcs4(codePoint);
}

// Pixels that are clearly coloured (not white, black or grey) where `text` was drawn.
int colouredPixels(const QString &text)
{
    QImage image(64, 64, QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    QFont font = QApplication::font();
    font.setPixelSize(32);
    painter.setFont(font);
    painter.setPen(Qt::black);
    painter.drawText(image.rect(), Qt::AlignCenter, text);
    painter.end();
    int coloured = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor pixel = image.pixelColor(x, y);
            if (pixel.hsvSaturation() > 100 && pixel.value() > 60)
                ++coloured;
        }
    }
    return coloured;
}
} // namespace

class TestEmojiFont : public QObject
{
    Q_OBJECT

public:
    // Before QApplication: fontconfig reads its configuration once. Only DejaVu, as on a
    // machine with the one font package Debian's minimal installs bring.
    static void initMain()
    {
        const QString config = fontconfigDir().filePath(QStringLiteral("fonts.conf"));
        QFile file(config);
        if (file.open(QIODevice::WriteOnly))
            file.write("<?xml version=\"1.0\"?>\n<fontconfig>\n"
                       "  <dir>/usr/share/fonts/truetype/dejavu</dir>\n"
                       "  <alias><family>sans-serif</family><prefer><family>DejaVu "
                       "Sans</family></prefer></alias>\n"
                       "  <alias><family>monospace</family><prefer><family>DejaVu Sans "
                       "Mono</family></prefer></alias>\n"
                       "  <cachedir>"
                + fontconfigDir().path().toUtf8()
                + "</cachedir>\n"
                  "</fontconfig>\n");
        qputenv("FONTCONFIG_FILE", config.toLocal8Bit());
    }

private slots:
    void bundledPathIsBesideTheBinary();
    void missingFileChangesNothing();
    void emojiRenderWithTheGivenFont();
};

void TestEmojiFont::bundledPathIsBesideTheBinary()
{
    QCOMPARE(QFileInfo(EmojiFont::bundledPath()).absoluteFilePath(),
        QFileInfo(QCoreApplication::applicationDirPath()
            + QStringLiteral("/../share/chatapp/fonts/NotoColorEmoji.ttf"))
            .absoluteFilePath());
}

void TestEmojiFont::missingFileChangesNothing()
{
    QVERIFY(!EmojiFont::useAsFallback(QStringLiteral("/nonexistent/NotoColorEmoji.ttf")));
    QVERIFY(!EmojiFont::useAsFallback(QStringLiteral(CHATAPP_SOURCE_DIR "/README.md")));
}

void TestEmojiFont::emojiRenderWithTheGivenFont()
{
    const QString path = QStringLiteral(CHATAPP_EMOJI_FONT);
    if (!QFile::exists(path))
        QSKIP(
            "no NotoColorEmoji.ttf: install fonts-noto-color-emoji (scripts/install-deps.sh does)");
    // Qt's default font is left as it is: its family, "Sans Serif", is a name no font
    // has, which is what made the emoji font a candidate for the primary one.
    // Otherwise this test would prove nothing.
    QVERIFY2(!fontsCan(hourglass) && !fontsCan(partyPopper),
        "the fonts here already have emoji; the test needs a machine without");
    QCOMPARE(colouredPixels(QString::fromUcs4(&partyPopper, 1)), 0);

    // Only a fallback: the emoji font has glyphs for digits and the space too (keycaps),
    // and must not draw them, or every "10:57" in the window is spread wide.
    const QString text = QStringLiteral("10:57 AM, #general");
    const QString family = QFontInfo(QApplication::font()).family();
    const int width = QFontMetrics(QApplication::font()).horizontalAdvance(text);
    const QString fixedFamily
        = QFontInfo(QFontDatabase::systemFont(QFontDatabase::FixedFont)).family();
    const int fixedWidth
        = QFontMetrics(QFontDatabase::systemFont(QFontDatabase::FixedFont)).horizontalAdvance(text);

    QVERIFY(EmojiFont::useAsFallback(path));
    QCOMPARE(QFontInfo(QApplication::font()).family(), family);
    QCOMPARE(QFontMetrics(QApplication::font()).horizontalAdvance(text), width);
    QCOMPARE(QFontInfo(QFontDatabase::systemFont(QFontDatabase::FixedFont)).family(), fixedFamily);
    QCOMPARE(
        QFontMetrics(QFontDatabase::systemFont(QFontDatabase::FixedFont)).horizontalAdvance(text),
        fixedWidth);
    QVERIFY(fontsCan(hourglass));
    QVERIFY(fontsCan(partyPopper));
    QVERIFY2(colouredPixels(QString::fromUcs4(&partyPopper, 1)) > 50, "🎉 was not drawn in colour");
}

QTEST_MAIN(TestEmojiFont)
#include "tst_emojifont.moc"
