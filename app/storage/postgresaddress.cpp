#include "postgresaddress.h"

#include <QUrl>

QString PostgresAddress::display() const
{
    return QStringLiteral("postgresql://%1%2:%3/%4")
        .arg(user.isEmpty() ? QString() : QString(user + u'@'), host)
        .arg(port)
        .arg(database);
}

std::optional<PostgresAddress> parsePostgresAddress(const QString &url, QString *error)
{
    const QUrl parsed(url, QUrl::StrictMode);
    // The refusal goes to the log: without the password it refuses.
    const QString shown = parsed.isValid() ? parsed.toString(QUrl::RemovePassword) : url;
    const auto refuse = [&](const QString &why) {
        *error = QStringLiteral("--store takes postgresql://USER@HOST:PORT/DATABASE, not '%1': %2").arg(shown, why);
        return std::nullopt;
    };
    if (!parsed.isValid())
        return refuse(parsed.errorString());
    if (parsed.scheme() != u"postgresql" && parsed.scheme() != u"postgres")
        return refuse(QStringLiteral("only postgresql:// is known"));
    if (!parsed.password().isEmpty())
        return refuse(QStringLiteral("a password in the URL would be visible in the process list; "
                                     "put it in --store-password-file or PGPASSFILE"));
    if (parsed.host().isEmpty())
        return refuse(QStringLiteral("it names no host"));
    if (parsed.hasQuery() || parsed.hasFragment())
        return refuse(QStringLiteral("options after '?' or '#' are not supported"));
    QString database = parsed.path();
    if (database.startsWith(u'/'))
        database.remove(0, 1);
    if (database.isEmpty() || database.contains(u'/'))
        return refuse(QStringLiteral("it names no database (the path, as in /chatapp)"));
    PostgresAddress address;
    address.user = parsed.userName();
    address.host = parsed.host();
    address.port = parsed.port(5432);
    if (address.port <= 0)
        return refuse(QStringLiteral("the port is not a number from 1 to 65535"));
    address.database = database;
    return address;
}
