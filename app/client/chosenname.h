#pragma once

#include <QString>

// The name the window goes by. One given (--name, or typed in the connect dialog) is
// used and remembered for the next start; without one, the remembered name, and without
// that the account's. Empty only when none of them is known.
QString chosenName(const QString &given);
// What the next start without a name will use.
void rememberName(const QString &name);
