#pragma once

#include <QSettings>
#include <QStandardPaths>
#include <QString>

// Points QSettings (and QStandardPaths) at `directory` for the rest of the test:
// QSettings ignores QStandardPaths' test mode, and the tests would otherwise read and
// overwrite the real ~/.config/ChatApp/chatapp.conf. True when ChatApp's settings file
// is now inside `directory`.
inline bool sandboxSettings(const QString &directory)
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, directory);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, directory);
    return QSettings(QStringLiteral("ChatApp"), QStringLiteral("chatapp")).fileName().startsWith(directory);
}
