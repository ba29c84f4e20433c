#include "chatserver.h"

#include "core/roomlistquery.h"
#include "roomjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace {
QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}
} // namespace

std::optional<RoomName> ChatServer::existingRoom(const PathArguments &args, const ReplyPtr &reply)
{
    const auto room = RoomName::parse(args.room);
    if (!room) {
        reply->sendError(Errors::invalidRoom(args.room));
        return std::nullopt;
    }
    if (!m_hub.hasRoom(*room)) {
        reply->sendError(Errors::roomNotFound(room->value()));
        return std::nullopt;
    }
    return room;
}

// Another node may have made a room a moment before this node hears of it (its wake-up
// comes after that node's answer, or is lost and waits for the next read of every head):
// a request naming a room this node does not know asks the store first, rather than
// answer 404 for a room that is there.
bool ChatServer::mayBeAnotherNodesRoom(const QString &name) const
{
    if (name.isEmpty() || !m_storage.sharedWithOtherNodes())
        return false;
    const auto room = RoomName::parse(name);
    return room && !m_hub.hasRoom(*room);
}

void ChatServer::findRoomThenHandle(const Router::Match &match, const Request &request, const ReplyPtr &reply)
{
    const RoomName room = *RoomName::parse(match.arguments.room);
    beginStorageCall();
    m_storage.findRoom(room, this, [this, match, request, reply, room](const Storage::RoomLookup &found) {
        if (!found.ok) {
            reply->sendError(Errors::storeUnavailable(), {{"Retry-After", "1"}});
        } else {
            if (found.head)
                m_hub.headMoved(room, *found.head);
            handle(match, request, reply);
        }
        endStorageCall();
    });
}

QByteArray ChatServer::roomJson(const RoomName &room) const
{
    return compact(roomObject(m_hub.summary(room)));
}

void ChatServer::listRooms(const Request &request, const PathArguments &,
                           const ReplyPtr &reply)
{
    const auto parsed = parseRoomListQuery(request.query());
    if (const auto *error = std::get_if<ApiError>(&parsed)) {
        reply->sendError(*error);
        return;
    }
    // A page at a time: rooms cost a PUT each, so the whole list could be made as long
    // as anyone likes, and every window asks for it every few seconds.
    const RoomListQuery &query = std::get<RoomListQuery>(parsed);
    const RoomPage page = m_hub.roomsAfter(query.after, query.limit);
    QJsonArray rooms;
    for (const RoomSummary &room : page.rooms)
        rooms.append(roomObject(room));
    // The baseline for rooms_since: what changes after this page was taken is news.
    QJsonObject answer{{QStringLiteral("rooms"), rooms}, {QStringLiteral("rooms_seq"), m_hub.roomsSeq()}};
    if (!page.more) {
        reply->sendJson(200, compact(answer));
        return;
    }
    // `more` means the page was filled, so it is not empty.
    const QString next = roomListPageAfter(page.rooms.last().name, query.limit);
    answer.insert(QStringLiteral("next"), next);
    reply->sendJson(200, compact(answer), {{"Link", '<' + next.toUtf8() + ">; rel=\"next\""}});
}

void ChatServer::getRoom(const Request &, const PathArguments &args, const ReplyPtr &reply)
{
    if (const auto room = existingRoom(args, reply))
        reply->sendJson(200, roomJson(*room));
}

void ChatServer::putRoom(const Request &, const PathArguments &args,
                         const ReplyPtr &reply)
{
    const auto room = RoomName::parse(args.room);
    if (!room) {
        reply->sendError(Errors::invalidRoom(args.room));
        return;
    }
    if (m_hub.hasRoom(*room)) {
        reply->sendJson(200, roomJson(*room));
        return;
    }
    // A new room is a row on disk and an entry in every room list for good, so making
    // them costs what sending does; joining one that exists costs nothing.
    if (const auto retryAfter = m_sendLimiter.admit(reply->clientAddress())) {
        reply->sendError(Errors::tooManyRequests(*retryAfter),
                         {{"Retry-After", QByteArray::number(*retryAfter)}});
        return;
    }
    beginStorageCall();
    m_storage.createRoom(*room, this, [this, reply, room = *room](RoomOutcome outcome) {
        if (outcome == RoomOutcome::Failed) {
            reply->sendError(Errors::storeUnavailable(), {{"Retry-After", "1"}});
        } else {
            m_hub.addRoom(room);
            reply->sendJson(outcome == RoomOutcome::Created ? 201 : 200, roomJson(room),
                            {{"Location", "/api/v1/rooms/" + room.value().toUtf8()}});
        }
        endStorageCall();
    });
}

void ChatServer::listMembers(const Request &, const PathArguments &args,
                             const ReplyPtr &reply)
{
    const auto room = existingRoom(args, reply);
    if (!room)
        return;
    QJsonArray members;
    for (const Member &member : m_hub.members(*room)) {
        QJsonObject object{{QStringLiteral("name"), member.name},
                           {QStringLiteral("last_seen"), formatTimestamp(member.lastSeen)}};
        if (member.typing)
            object.insert(QStringLiteral("typing"), true);
        members.append(object);
    }
    reply->sendJson(200, compact({{QStringLiteral("room"), room->value()},
                                  {QStringLiteral("members"), members}}));
}

void ChatServer::leaveRoom(const Request &, const PathArguments &args, const ReplyPtr &reply)
{
    const auto room = existingRoom(args, reply);
    if (!room)
        return;
    // Trusted as `name=` is: anyone may say they are anyone (docs/security.md).
    const QString given = QUrl::fromPercentEncoding(args.name.toUtf8());
    const auto name = normalisedPersonName(given);
    if (!name) {
        reply->sendError(Errors::invalidName(given));
        return;
    }
    m_hub.leave(*room, *name);
    reply->sendNoContent();
}
