#include "translations.h"

#include "core/bundledloader.h"

#include <QCoreApplication>
#include <QLocale>
#include <QTranslator>

namespace {
const QStringList supportedLanguages{QStringLiteral("en"), QStringLiteral("es")};

QString pickLanguage(const QString &requested)
{
    if (!requested.isEmpty())
        return requested;
    for (const QString &candidate : QLocale::system().uiLanguages()) {
        const QString language = candidate.section(u'-', 0, 0).toLower();
        if (supportedLanguages.contains(language))
            return language;
    }
    return QStringLiteral("en");
}
} // namespace

QString installTranslations(QCoreApplication &app, const QString &language)
{
    const QString chosen = pickLanguage(language);
    // Dates, times and numbers follow the language the window speaks, unless it is
    // the system's own, whose regional settings are the user's choice.
    if (QLocale::system().language() != QLocale(chosen).language())
        QLocale::setDefault(QLocale(chosen));

    auto *ours = new QTranslator(&app);
    if (ours->load(QStringLiteral(":/i18n/chatapp_") + chosen))
        QCoreApplication::installTranslator(ours);
    auto *qts = new QTranslator(&app);
    if (qts->load(QStringLiteral("qtbase_") + chosen, BundledLoader::qtTranslationsPath()))
        QCoreApplication::installTranslator(qts);
    return chosen;
}
