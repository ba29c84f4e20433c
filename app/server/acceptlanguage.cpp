#include "acceptlanguage.h"

#include <QList>

namespace {
// The weight of one list member ("es-ES;q=0.8"): 1 unless a q parameter says otherwise;
// a malformed one counts as 0, "not acceptable", rather than as a preference.
double weightOf(const QList<QByteArray> &parameters)
{
    double weight = 1;
    for (qsizetype i = 1; i < parameters.size(); ++i) {
        const QByteArray parameter = parameters[i].trimmed();
        if (!parameter.startsWith("q=") && !parameter.startsWith("Q="))
            continue;
        bool ok = false;
        weight = parameter.mid(2).toDouble(&ok);
        if (!ok || weight < 0 || weight > 1)
            return 0;
    }
    return weight;
}
} // namespace

QString preferredLanguage(const QByteArray &acceptLanguage, const QStringList &offered)
{
    QString best = offered.value(0);
    double bestWeight = 0;
    for (const QByteArray &member : acceptLanguage.split(',')) {
        const QList<QByteArray> parameters = member.split(';');
        // "es-ES" asks for Spanish too; "*" asks for nothing in particular, which the
        // default already is.
        const QString primary =
            QString::fromLatin1(parameters.first().trimmed()).section(u'-', 0, 0).toLower();
        if (!offered.contains(primary))
            continue;
        const double weight = weightOf(parameters);
        if (weight > bestWeight) {
            best = primary;
            bestWeight = weight;
        }
    }
    return best;
}
