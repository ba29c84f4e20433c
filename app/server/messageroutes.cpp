#include "chatserver.h"

#include "core/roommention.h"

#include "authorsecret.h"
#include "core/historyquery.h"
#include "eventstream.h"
#include "roomjson.h"

namespace {
constexpr qsizetype maxIdempotencyKeyLength = 128;

bool isValidIdempotencyKey(const QByteArray &key)
{
    if (key.isEmpty() || key.size() > maxIdempotencyKeyLength)
        return false;
    return std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

QByteArray locationOf(const Message &message)
{
    return "/api/v1/rooms/" + message.room.toUtf8() + "/messages/" + QByteArray::number(message.id);
}

// Joins messages that are already serialised (each once, when stored) instead of
// serialising them again for every reader.
QByteArray pageJson(const QList<Message> &messages, MessageId lastId)
{
    QByteArray json = R"({"messages":[)";
    for (qsizetype i = 0; i < messages.size(); ++i) {
        if (i)
            json += ',';
        json += messages[i].json;
    }
    json += R"(],"last_id":)" + QByteArray::number(lastId) + '}';
    return json;
}
} // namespace

void ChatServer::postMessage(const Request &request, const PathArguments &args,
                             const ReplyPtr &reply)
{
    if (const auto retryAfter = m_sendLimiter.admit(reply->clientAddress())) {
        reply->sendError(Errors::tooManyRequests(*retryAfter),
                         {{"Retry-After", QByteArray::number(*retryAfter)}});
        return;
    }
    const auto room = RoomName::parse(args.room);
    if (!room) {
        reply->sendError(Errors::invalidRoom(args.room));
        return;
    }
    const auto parsed = parseMessageDraft(request.value("Content-Type"), request.body());
    if (const auto *error = std::get_if<ApiError>(&parsed)) {
        reply->sendError(*error);
        return;
    }
    MessageDraft draft = std::get<MessageDraft>(parsed);
    const auto secret = authorSecretHash(request);
    if (const auto *error = std::get_if<ApiError>(&secret)) {
        reply->sendError(*error);
        return;
    }
    draft.authorSecretHash = std::get<QByteArray>(secret);
    if (mentionsEveryone(draft.text)) {
        if (const auto retryAfter = m_roomMentionLimiter.admit(reply->clientAddress())) {
            reply->sendError(Errors::tooManyRoomMentions(*retryAfter),
                             {{"Retry-After", QByteArray::number(*retryAfter)}});
            return;
        }
    }
    // value() cannot tell an absent header from an empty one, and an empty key is a
    // client bug that would otherwise silently turn off retry protection.
    const QList<QByteArray> keyHeaders = headerValues(request, QLatin1StringView("Idempotency-Key"));
    const QByteArray key = keyHeaders.isEmpty() ? QByteArray() : keyHeaders.first().trimmed();
    if (!keyHeaders.isEmpty() && !isValidIdempotencyKey(key)) {
        reply->sendError(Errors::invalidHeader(
            QStringLiteral("Idempotency-Key"),
            QStringLiteral("must be 1 to %1 printable ASCII characters").arg(maxIdempotencyKeyLength)));
        return;
    }
    if (m_sendsInFlight >= m_limits.maxPendingSends) {
        reply->sendError(Errors::storeBusy(), {{"Retry-After", "1"}});
        return;
    }
    ++m_sendsInFlight;
    beginStorageCall();
    m_storage.append(*room, draft, key, this,
                     [this, reply, key, room = *room, replyTo = draft.replyTo](const AppendOutcome &outcome) {
        --m_sendsInFlight;
        switch (outcome.kind) {
        case AppendOutcome::Kind::Failed:
            reply->sendError(Errors::storeUnavailable(), {{"Retry-After", "1"}});
            break;
        case AppendOutcome::Kind::Stored:
            // Stored, so the sender may know at once; it should not wait behind the
            // writes to every reader of the room.
            reply->sendJson(201, outcome.message.json, {{"Location", locationOf(outcome.message)}});
            m_hub.publish(outcome.message);
            break;
        case AppendOutcome::Kind::Replayed:
            reply->sendJson(200, outcome.message.json, {{"Location", locationOf(outcome.message)}});
            break;
        case AppendOutcome::Kind::KeyReused:
            reply->sendError(Errors::idempotencyKeyReused(key));
            break;
        case AppendOutcome::Kind::RoomInconsistent:
            reply->sendError(Errors::roomsInconsistent({room.value()}), {{"Retry-After", "5"}});
            break;
        case AppendOutcome::Kind::ReplyTargetInvalid:
            reply->sendError(Errors::invalidReplyTo(room.value(), replyTo));
            break;
        }
        endStorageCall();
    });
}

void ChatServer::getMessages(const Request &request, const PathArguments &args,
                             const ReplyPtr &reply)
{
    const auto room = existingRoom(args, reply);
    if (!room)
        return;
    const auto parsed = parseHistoryQuery(request.query());
    if (const auto *error = std::get_if<ApiError>(&parsed)) {
        reply->sendError(*error);
        return;
    }
    const HistoryQuery &query = std::get<HistoryQuery>(parsed);
    if (!query.name.isEmpty())
        m_hub.sawMember(*room, query.name);
    if (query.after && *query.after > m_hub.lastId(*room)) {
        newestStoredId(*room, [this, reply, room = *room, query](std::optional<MessageId> newest) {
            const MessageId lastId = std::max(newest.value_or(0), m_hub.lastId(room));
            if (!newest)
                reply->sendError(Errors::storeUnavailable(), {{"Retry-After", "1"}});
            else if (*query.after > lastId)
                reply->sendError(Errors::cursorBeyondLastId(room.value(), *query.after, lastId));
            else
                serveMessages(reply, room, query);
        });
        return;
    }
    serveMessages(reply, *room, query);
}

// `around` as the store reads pages: the oldest `limit` after a cursor that puts the id
// about in the middle, or the newest `limit` when the id is that near the end.
PageRequest ChatServer::pageRequest(const RoomName &room, const HistoryQuery &query) const
{
    if (!query.around)
        return {query.after, query.before, query.limit};
    const MessageId olderHalf = (query.limit + 1) / 2;
    const MessageId after = std::min(*query.around - olderHalf, m_hub.lastId(room) - query.limit);
    return {std::max<MessageId>(0, after), std::nullopt, query.limit};
}

void ChatServer::serveMessages(const ReplyPtr &reply, const RoomName &room, const HistoryQuery &query)
{
    const PageRequest page = pageRequest(room, query);

    // Only a reader catching up (after=, no before=) is waiting for news: a request
    // without a cursor asks for the room as it is now, so it is answered at once. So is
    // a HEAD: holding it would only delay a head that no message follows.
    const bool nothingNewer = query.after && !query.before && m_hub.lastId(room) <= *query.after
        && !(query.roomsSince && m_hub.roomsChangedSince(*query.roomsSince));
    if (query.waitSeconds > 0 && nothingNewer && !m_shuttingDown && reply->socket()
        && !reply->headOnly()) {
        m_hub.holdPoll(room, *query.after, query.waitSeconds * 1000, reply->socket(),
                       [this, reply, room, page, name = query.name, since = query.roomsSince] {
                           if (!stillAdmitted(reply))
                               return; // signed out while it waited
                           if (!name.isEmpty())
                               m_hub.sawMemberAgain(room, name);
                           answerPage(reply, room, page, since);
                       },
                       reply->session(), query.roomsSince.has_value());
        return;
    }
    answerPage(reply, room, page, query.roomsSince);
}

// The hub has not reached a cursor. Mostly a read from the store (or another node) has just given it out,
// ahead of the writer's answer to the hub; but it may come from another copy of the room
// (reset, or restored from a backup), which no message would ever wake. Only the store
// can tell the two apart.
void ChatServer::newestStoredId(const RoomName &room, std::function<void(std::optional<MessageId>)> done)
{
    beginStorageCall();
    m_storage.read(room, PageRequest{std::nullopt, std::nullopt, 1}, this,
                   [this, room, done = std::move(done)](const Page &page) {
                       if (!page.ok) {
                           done(std::nullopt);
                       } else {
                           const MessageId newest = page.messages.isEmpty() ? 0 : page.messages.last().id;
                           // Another node stored it and this one has not heard yet: read it
                           // now, rather than at the next wake-up.
                           if (m_storage.sharedWithOtherNodes())
                               m_hub.headMoved(room, newest);
                           done(newest);
                       }
                       endStorageCall();
                   });
}

void ChatServer::getMessage(const Request &, const PathArguments &args,
                            const ReplyPtr &reply)
{
    const auto room = existingRoom(args, reply);
    if (!room)
        return;
    const auto id = parseMessageId(args.id);
    if (!id) {
        reply->sendError(Errors::notFound(reply->path()));
        return;
    }
    if (*id == 0) {
        reply->sendError(Errors::messageNotFound(room->value(), 0));
        return;
    }
    beginStorageCall();
    m_hub.read(*room, PageRequest{*id - 1, *id + 1, 1}, this,
               [this, reply, room = *room, id = *id](const Page &page) {
                   if (!page.ok)
                       reply->sendError(Errors::storeUnavailable(), {{"Retry-After", "1"}});
                   else if (page.messages.isEmpty())
                       reply->sendError(Errors::messageNotFound(room.value(), id));
                   else
                       reply->sendJson(200, page.messages.first().json);
                   endStorageCall();
               });
}

void ChatServer::answerPage(const ReplyPtr &reply, const RoomName &room, const PageRequest &request,
                            std::optional<qint64> roomsSince)
{
    const LastPage::Key key{room.value(), request, m_hub.lastId(room)};
    std::optional<PreparedJson> kept;
    // Behind the store, another node's entries are on their way: only the store has them all.
    if (!m_hub.behindStore(room)) {
        if (const PreparedJson *found = m_lastPage.find(key))
            kept = *found; // shares its bytes
        else if (const auto page = m_hub.readRecent(room, request))
            kept = m_lastPage.keep(key, pageAnswerJson(room, *page));
    }
    if (kept) {
        if (roomsSince) // not kept with the page: who is online changes with the clock alone
            reply->sendJson(200, withRoomChanges(kept->json, *roomsSince));
        else
            reply->sendPrepared(*kept);
        return;
    }
    beginStorageCall();
    m_hub.read(room, request, this, [this, reply, room, roomsSince](const Page &page) {
        if (!page.ok) {
            reply->sendError(Errors::storeUnavailable(), {{"Retry-After", "1"}});
        } else {
            const QByteArray json = pageAnswerJson(room, page);
            reply->sendJson(200, roomsSince ? withRoomChanges(json, *roomsSince) : json);
        }
        endStorageCall();
    });
}

QByteArray ChatServer::pageAnswerJson(const RoomName &room, const Page &page) const
{
    // A read can see a commit whose answer the hub has not had yet.
    const MessageId newest = page.messages.isEmpty() ? 0 : page.messages.last().id;
    return pageJson(page.messages, std::max(newest, m_hub.lastId(room)));
}

QByteArray ChatServer::withRoomChanges(QByteArray json, qint64 since) const
{
    // Taken now, not when the poll came: a change while the page was read counts.
    json.chop(1); // the page's closing brace; the rooms object's fields follow
    return json + ',' + roomChangesJson(m_hub.roomChangesSince(since)).mid(1);
}

void ChatServer::streamEvents(const Request &request, const PathArguments &args,
                              const ReplyPtr &reply)
{
    const auto room = existingRoom(args, reply);
    if (!room)
        return;
    const auto parsed = parseHistoryQuery(request.query());
    if (const auto *error = std::get_if<ApiError>(&parsed)) {
        reply->sendError(*error);
        return;
    }
    const HistoryQuery &query = std::get<HistoryQuery>(parsed);
    std::optional<MessageId> resumeAfter = query.after;
    const QByteArray lastEventId = request.value("Last-Event-ID");
    if (!lastEventId.isEmpty()) {
        resumeAfter = parseMessageId(QString::fromLatin1(lastEventId));
        if (!resumeAfter) {
            reply->sendError(Errors::invalidHeader(QStringLiteral("Last-Event-ID"),
                                                   QStringLiteral("must be a message id")));
            return;
        }
    }
    if (m_shuttingDown) {
        reply->sendError(Errors::storeUnavailable(), {{"Retry-After", "1"}});
        return;
    }
    if (reply->headOnly()) {
        // The head a GET would get, without holding a stream open that has no body to send.
        EventStream::answerHead(*reply);
        return;
    }
    const MessageId cursor = resumeAfter.value_or(m_hub.lastId(*room));
    if (cursor > m_hub.lastId(*room)) {
        // As for a poll (newestStoredId), but an EventSource cannot read an error: a cursor
        // from another copy of the room gets a reset event, and the stream goes on from
        // the room's newest message.
        newestStoredId(*room, [this, reply, room = *room, cursor, name = query.name,
                               since = query.roomsSince](std::optional<MessageId> newest) {
            if (!newest || m_shuttingDown) {
                reply->sendError(Errors::storeUnavailable(), {{"Retry-After", "1"}});
                return;
            }
            const MessageId lastId = std::max(*newest, m_hub.lastId(room));
            if (cursor <= lastId)
                openStream(reply, room, cursor, name, since);
            else
                openStream(reply, room, lastId, name, since,
                           Errors::cursorBeyondLastId(room.value(), cursor, lastId));
        });
        return;
    }
    openStream(reply, *room, cursor, query.name, query.roomsSince);
}

void ChatServer::openStream(const ReplyPtr &reply, const RoomName &room, MessageId cursor,
                            const QString &memberName, std::optional<qint64> roomsSince,
                            const std::optional<ApiError> &reset)
{
    if (!stillAdmitted(reply))
        return; // signed out while the store was asked for the room's newest id
    auto *stream = new EventStream(reply, room, cursor, memberName, roomsSince, m_hub,
                                   qint64(m_limits.streamBacklogKiB) * 1024, this);
    stream->start(reset);
}
