#pragma once

#include <QString>

class QCoreApplication;

// Installs ChatApp's translation (compiled into the binary) and Qt's own for the
// standard dialogs. `language` is "es" or "en"; empty follows the system locale.
// Returns the language the window will speak.
QString installTranslations(QCoreApplication &app, const QString &language);
