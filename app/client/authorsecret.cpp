#include "authorsecret.h"

#include <QFile>
#include <QRandomGenerator>
#include <QSettings>

namespace AuthorSecret {

QByteArray forServer(const QString &server)
{
    QSettings settings(QStringLiteral("ChatApp"), QStringLiteral("chatapp"));
    const QString key = QStringLiteral("authorSecrets/") + server;
    QByteArray secret = settings.value(key).toString().toLatin1();
    if (secret.size() >= 16)
        return secret;
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    secret = QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex();
    settings.setValue(key, QString::fromLatin1(secret));
    settings.sync();
    // Whoever reads it can edit and delete the user's messages: as for remembered tokens.
    QFile::setPermissions(settings.fileName(), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return secret;
}

} // namespace AuthorSecret
