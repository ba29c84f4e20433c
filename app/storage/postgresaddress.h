#pragma once

#include <QString>
#include <optional>

// Where a PostgreSQL store lives: --store postgresql://USER@HOST:PORT/DATABASE. The
// password is never part of it (a command line is visible to every user of the machine):
// it comes from --store-password-file, or else libpq finds it in PGPASSFILE or ~/.pgpass.
struct PostgresAddress
{
    QString user; // empty: libpq's default, the name of the user running chatapp
    QString host;
    int port = 5432;
    QString database;
    QString password; // empty: left to libpq's password file

    // For logs and errors: the URL without the password.
    QString display() const;
};

// The address in `url`, or nullopt with the reason in `error` (a sentence for --help's reader).
std::optional<PostgresAddress> parsePostgresAddress(const QString &url, QString *error);
