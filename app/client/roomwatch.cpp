#include "roomwatch.h"

#include "apiclient.h"
#include "history.h"
#include "poller.h"

#include <QUrlQuery>

RoomWatch::RoomWatch(ApiClient *api, QObject *parent) : QObject(parent), m_api(api) { }

void RoomWatch::roomsListed(const QList<RoomOverview> &rooms, const QString &currentRoom,
                            const std::function<bool(const QString &)> &watched)
{
    int fetches = 0;
    for (const RoomOverview &room : rooms) {
        const auto seen = m_seen.constFind(room.name);
        const bool news = seen != m_seen.cend() && room.lastId > *seen;
        // A newest id below the one seen: the store was reset; start again from there.
        if (seen == m_seen.cend() || room.lastId < *seen || room.name == currentRoom || !news) {
            if (!m_fetching.contains(room.name))
                m_seen.insert(room.name, room.lastId);
            continue;
        }
        if (m_fetching.contains(room.name))
            continue;
        if (!watched(room.name) || fetches >= maxFetchesPerListing) {
            m_seen.insert(room.name, room.lastId);
            continue;
        }
        ++fetches;
        fetch(room.name, *seen);
    }
}

void RoomWatch::fetch(const QString &room, MessageId after)
{
    m_fetching.insert(room);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("after"), QString::number(after));
    query.addQueryItem(QStringLiteral("limit"), QString::number(Poller::pageLimit));
    m_api->get(apiPath({u"rooms", room, u"messages"}), query, ApiClient::defaultTimeoutMs, this,
               [this, room, after](const ApiResult &result) {
        m_fetching.remove(room);
        if (!result.succeeded())
            return; // tried again at the next listing that shows news
        const QList<Message> messages = messagesOfPage(result.body);
        MessageId newest = after;
        for (const Message &message : messages)
            newest = std::max(newest, message.id);
        // A page is at most pageLimit long: a room that moved by more is caught up with,
        // its older news left unread rather than fetched page after page.
        m_seen.insert(room, std::max(newest, result.body.value(QLatin1String("last_id")).toInteger(newest)));
        if (!messages.isEmpty())
            emit messagesArrived(room, messages);
    });
}
