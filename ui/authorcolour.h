#pragma once

#include <QColor>
#include <QString>

// A name's colour, the same in every window and every run: 24 hues at two lightnesses,
// dark enough to read on white, so a room of many people rarely shows two alike.
QColor authorColour(const QString &name);
