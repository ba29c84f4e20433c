#include "pagetranslations.h"

#include <QHash>
#include <QTranslator>
#include <memory>

namespace {
// Loaded once per language and kept: the server asks for them on every page.
const QTranslator *translatorFor(const QString &language)
{
    static QHash<QString, std::shared_ptr<QTranslator>> loaded;
    auto found = loaded.find(language);
    if (found == loaded.end()) {
        auto translator = std::make_shared<QTranslator>();
        if (!translator->load(QStringLiteral(":/i18n/chatapp_") + language))
            translator.reset();
        found = loaded.insert(language, translator);
    }
    return found->get();
}
} // namespace

QString translatedText(const QString &language, const char *context, const char *sourceText)
{
    if (const QTranslator *translator = translatorFor(language)) {
        const QString text = translator->translate(context, sourceText);
        if (!text.isEmpty())
            return text;
    }
    return QString::fromUtf8(sourceText);
}
