#pragma once

#include <QCoreApplication>
#include <QString>

// What the window says when the server refuses something: its own sentence, in the
// window's language, chosen by the error's `code` (docs/api.md), not the server's English
// `message`, which stays available as a detail.
class ErrorTexts
{
    Q_DECLARE_TR_FUNCTIONS(ErrorTexts)

public:
    // Empty for a code it does not know: the caller then shows the server's text, which
    // is better than nothing.
    static QString forCode(const QString &code);
};
