#pragma once

#include "publicaddress.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <optional>

// The page `GET /` answers, for people who open the server's address in a browser: what
// it is, how to join with the window, where to get it, and where the API is described.
struct HomePage
{
    static const QStringList languages; // the first is the default

    QString language; // one of `languages`
    PublicAddress address;
    QString version;
    std::optional<qint64> downloadBytes; // the size of the AppImage offered, if any
    bool passwordNeeded = false;

    // The whole page in UTF-8, every string in `language`, everything from the request
    // escaped.
    QByteArray html() const;
};
