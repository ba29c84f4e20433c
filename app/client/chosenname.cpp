#include "chosenname.h"

#include "core/messagedraft.h"

#include <QSettings>

namespace {
// The key the connect dialog has always kept the name under.
const QString nameKey = QStringLiteral("connect/name");

QSettings settings()
{
    return QSettings(QStringLiteral("ChatApp"), QStringLiteral("chatapp"));
}
} // namespace

QString chosenName(const QString &given)
{
    const QString name = given.trimmed();
    if (!name.isEmpty()) {
        rememberName(name);
        return name;
    }
    const QString remembered = settings().value(nameKey).toString().trimmed();
    if (!remembered.isEmpty())
        return remembered;
    return qEnvironmentVariable("USER", qEnvironmentVariable("USERNAME")).trimmed().left(Limits::maxAuthorCharacters);
}

void rememberName(const QString &name)
{
    settings().setValue(nameKey, name.trimmed());
}
