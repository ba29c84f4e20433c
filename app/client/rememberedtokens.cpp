#include "rememberedtokens.h"

#include <QFile>
#include <QSettings>

namespace {
// Spelled out, as the connect dialog does, so that every part of the window finds the
// same file however the application named itself.
QSettings settings()
{
    return QSettings(QStringLiteral("ChatApp"), QStringLiteral("chatapp"));
}

QString keyFor(const QString &server)
{
    return QStringLiteral("sessions/") + server;
}
} // namespace

namespace RememberedTokens {

QByteArray load(const QString &server)
{
    return settings().value(keyFor(server)).toString().toLatin1();
}

void save(const QString &server, const QByteArray &token)
{
    QSettings file = settings();
    file.setValue(keyFor(server), QString::fromLatin1(token));
    file.sync();
    // Until it is revoked a token opens the chat as the password does, so only its owner
    // may read it; QSettings keeps the permissions when it rewrites the file.
    QFile::setPermissions(file.fileName(), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

void forget(const QString &server)
{
    settings().remove(keyFor(server));
}

} // namespace RememberedTokens
