// A name's colour: many people in a room get many colours, each readable on white.

#include "ui/authorcolour.h"

#include <QSet>
#include <QTest>

#include <cmath>

namespace {
// WCAG 2's relative luminance and contrast ratio.
double luminance(const QColor &colour)
{
    const auto channel = [](double value) {
        return value <= 0.03928 ? value / 12.92 : std::pow((value + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF());
}

double contrastOnWhite(const QColor &colour)
{
    return 1.05 / (luminance(colour) + 0.05);
}
} // namespace

class TestAuthorColour : public QObject
{
    Q_OBJECT

private slots:
    void aClassGetsManyColours();
    void everyColourIsReadableOnWhite();
    void aNameKeepsItsColour();
};

void TestAuthorColour::aClassGetsManyColours()
{
    // Thirty people, as in a lab: with the eight colours of before, at least 22 of them
    // shared one with someone.
    QSet<QRgb> colours;
    for (int i = 1; i <= 30; ++i)
        colours.insert(authorColour(QStringLiteral("student%1").arg(i)).rgb());
    QVERIFY2(colours.size() >= 20, qPrintable(QString::number(colours.size())));
}

void TestAuthorColour::everyColourIsReadableOnWhite()
{
    for (int i = 0; i < 500; ++i) {
        const QColor colour = authorColour(QStringLiteral("name%1").arg(i));
        QVERIFY2(contrastOnWhite(colour) >= 4.5, qPrintable(colour.name() + QStringLiteral(" %1").arg(contrastOnWhite(colour))));
    }
}

void TestAuthorColour::aNameKeepsItsColour()
{
    QCOMPARE(authorColour(QStringLiteral("ana")), authorColour(QStringLiteral("ana")));
    QVERIFY(authorColour(QStringLiteral("ana")) != authorColour(QStringLiteral("bea")));
}

QTEST_GUILESS_MAIN(TestAuthorColour)
#include "tst_authorcolour.moc"
