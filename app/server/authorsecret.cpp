#include "authorsecret.h"

#include "httpexchange.h"

#include <QCryptographicHash>
#include <algorithm>

std::variant<QByteArray, ApiError> authorSecretHash(const Request &request)
{
    const QList<QByteArray> values = headerValues(request, QLatin1StringView("Author-Secret"));
    if (values.isEmpty())
        return QByteArray();
    const QByteArray secret = values.first().trimmed();
    const bool printable = std::all_of(secret.begin(), secret.end(), [](char c) { return c > 0x20 && c < 0x7f; });
    if (values.size() > 1 || !printable || secret.size() < Limits::minAuthorSecretLength
        || secret.size() > Limits::maxAuthorSecretLength) {
        return Errors::invalidHeader(QStringLiteral("Author-Secret"),
                                     QStringLiteral("must be given once, %1 to %2 printable ASCII characters")
                                         .arg(Limits::minAuthorSecretLength)
                                         .arg(Limits::maxAuthorSecretLength));
    }
    return QCryptographicHash::hash(secret, QCryptographicHash::Sha256);
}
