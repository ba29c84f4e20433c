#pragma once

#include "client/exchange.h"

#include <QColor>

// One colour per class of answer, the same in the status bar and the Protocol panel:
// green 2xx, blue 3xx, orange 4xx, red 5xx, grey when no answer came.
QColor colourFor(Exchange::Outcome outcome);
