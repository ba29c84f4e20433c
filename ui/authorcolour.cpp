#include "authorcolour.h"

#include <QCryptographicHash>

namespace {
constexpr int hueCount = 24;
}

QColor authorColour(const QString &name)
{
    // A hash of our own choosing, not qHash: that one may change between Qt versions, and
    // a person's colour should not.
    const QByteArray digest = QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Md5);
    const auto byte = [&digest](int i) { return uchar(digest.at(i)); };
    const int hue = (byte(0) % hueCount) * (360 / hueCount);
    const bool darker = byte(1) % 2;
    // Yellows and greens look lighter at the same lightness: they get less.
    const bool lightHue = hue >= 40 && hue <= 180;
    const double lightness = (darker ? 0.30 : 0.40) - (lightHue ? 0.07 : 0.0);
    return QColor::fromHslF(hue / 360.0, 0.70, lightness);
}
