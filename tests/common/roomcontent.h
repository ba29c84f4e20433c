#pragma once

// What a test puts into a room and reads back, over HTTP like any client.

#include "httpclient.h"
#include "serverprocess.h"

#include <QJsonArray>
#include <QList>
#include <QString>

#include <utility>

// Posts "old-1." .. "old-COUNT." by `author`; false on the first send not answered 201.
inline bool seedRoom(QNetworkAccessManager &nam, const ServerProcess &server, const QString &room, int count,
                     const QString &author = QStringLiteral("seed"), const QString &pattern = QStringLiteral("old-%1."))
{
    for (int i = 1; i <= count; ++i) {
        const HttpReply reply = request(nam, "POST", server.url(QStringLiteral("/api/v1/rooms/%1/messages").arg(room)),
                                        formBody({{"author", author}, {"text", pattern.arg(i)}}),
                                        {{"Content-Type", "application/x-www-form-urlencoded"}});
        if (reply.status != 201)
            return false;
    }
    return true;
}

// Every message of `room` (up to 1,000) as (id, text), oldest first.
inline QList<std::pair<qint64, QString>> storedMessages(QNetworkAccessManager &nam, const ServerProcess &server,
                                                        const QString &room)
{
    const HttpReply reply =
        request(nam, "GET", server.url(QStringLiteral("/api/v1/rooms/%1/messages?after=0&limit=1000").arg(room)));
    QList<std::pair<qint64, QString>> messages;
    for (const QJsonValue &value : reply.json.value(QLatin1String("messages")).toArray()) {
        const QJsonObject object = value.toObject();
        messages.append({object.value(QLatin1String("id")).toInteger(), object.value(QLatin1String("text")).toString()});
    }
    return messages;
}
