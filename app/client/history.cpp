#include "history.h"

#include "apiclient.h"

#include <QJsonArray>

QList<Message> messagesOfPage(const QJsonObject &page)
{
    QList<Message> messages;
    const QJsonArray array = page.value(QLatin1String("messages")).toArray();
    for (const QJsonValue &value : array) {
        if (auto message = messageFromJson(value.toObject()))
            messages.append(*message);
    }
    return messages;
}

void fetchOlderMessages(ApiClient *api, const RoomName &room, MessageId before, int limit,
                        QObject *context, std::function<void(bool ok, const QList<Message> &)> done)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("before"), QString::number(before));
    query.addQueryItem(QStringLiteral("limit"), QString::number(limit));
    api->get(apiPath({u"rooms", room.value(), u"messages"}), query, ApiClient::defaultTimeoutMs, context,
             [done = std::move(done)](const ApiResult &result) {
        done(result.succeeded(), messagesOfPage(result.body));
    });
}
