#include "authorcolour.h"

#include <QCryptographicHash>

#include <cmath>

namespace {
constexpr int hueCount = 24;
// WCAG's minimum for normal text: a name must read as well as the text under it.
constexpr double minimumContrast = 4.5;

double relativeLuminance(const QColor &colour)
{
    const auto channel = [](double value) {
        return value <= 0.03928 ? value / 12.92 : std::pow((value + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF());
}
} // namespace

QColor authorColour(const QString &name)
{
    // A hash of our own choosing, not qHash: that one may change between Qt versions, and
    // a person's colour should not.
    const QByteArray digest = QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Md5);
    const auto byte = [&digest](int i) { return uchar(digest.at(i)); };
    const double hue = (byte(0) % hueCount) / double(hueCount);
    double lightness = byte(1) % 2 ? 0.30 : 0.42;
    QColor colour = QColor::fromHslF(hue, 0.70, lightness);
    // Greens and yellows look lighter at the same lightness: darker until they read.
    while (1.05 / (relativeLuminance(colour) + 0.05) < minimumContrast && lightness > 0.1) {
        lightness -= 0.02;
        colour = QColor::fromHslF(hue, 0.70, lightness);
    }
    return colour;
}
