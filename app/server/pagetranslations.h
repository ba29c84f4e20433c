#pragma once

#include <QString>

// Translations for pages the server writes for people. Each request may want its own
// language, so nothing is installed application-wide as the window does: a string is
// looked up in the translator of the language asked for, from the same compiled-in
// :/i18n/chatapp_<language>.qm files the window uses.
//
// `sourceText` is marked with QT_TRANSLATE_NOOP(context, ...) where it is written, so
// lupdate finds it. Falls back to `sourceText` when there is no translation.
QString translatedText(const QString &language, const char *context, const char *sourceText);
