#include "exchangecolours.h"

QColor colourFor(Exchange::Outcome outcome)
{
    switch (outcome) {
    case Exchange::Outcome::Success: return QColor(0x1b, 0x7f, 0x37);
    case Exchange::Outcome::Redirect: return QColor(0x15, 0x65, 0xc0);
    case Exchange::Outcome::ClientError: return QColor(0xb3, 0x59, 0x00);
    case Exchange::Outcome::ServerError: return QColor(0xc6, 0x28, 0x28);
    case Exchange::Outcome::NoConnection: return QColor(0x61, 0x61, 0x61);
    }
    return {};
}
