#include "chatserver.h"

#include "authorsecret.h"
#include "core/entrychange.h"

std::optional<std::pair<RoomName, MessageId>> ChatServer::changeTarget(const PathArguments &args,
                                                                       const ReplyPtr &reply)
{
    // Every change is a write, as a send is, and costs the same.
    if (const auto retryAfter = m_sendLimiter.admit(reply->clientAddress())) {
        reply->sendError(Errors::tooManyRequests(*retryAfter), {{"Retry-After", QByteArray::number(*retryAfter)}});
        return std::nullopt;
    }
    const auto room = existingRoom(args, reply);
    if (!room)
        return std::nullopt;
    const auto id = parseMessageId(args.id);
    if (!id) {
        reply->sendError(Errors::notFound(reply->path()));
        return std::nullopt;
    }
    if (*id == 0) {
        reply->sendError(Errors::messageNotFound(room->value(), 0));
        return std::nullopt;
    }
    return std::pair{*room, *id};
}

std::optional<QByteArray> ChatServer::requiredAuthorSecret(const Request &request, const ReplyPtr &reply)
{
    const auto secret = authorSecretHash(request);
    if (const auto *error = std::get_if<ApiError>(&secret)) {
        reply->sendError(*error);
        return std::nullopt;
    }
    if (std::get<QByteArray>(secret).isEmpty()) {
        reply->sendError(Errors::authorSecretRequired());
        return std::nullopt;
    }
    return std::get<QByteArray>(secret);
}

void ChatServer::editMessage(const Request &request, const PathArguments &args, const ReplyPtr &reply)
{
    const auto target = changeTarget(args, reply);
    if (!target)
        return;
    const auto text = parseEditedText(request.value("Content-Type"), request.body());
    if (const auto *error = std::get_if<ApiError>(&text)) {
        reply->sendError(*error);
        return;
    }
    const auto secret = requiredAuthorSecret(request, reply);
    if (!secret)
        return;
    EntryChange change{EntryChange::Kind::Edit, target->second, std::get<QString>(text), *secret, {}, {}};
    submitChange(reply, target->first, change);
}

void ChatServer::deleteMessage(const Request &request, const PathArguments &args, const ReplyPtr &reply)
{
    const auto target = changeTarget(args, reply);
    if (!target)
        return;
    const auto secret = requiredAuthorSecret(request, reply);
    if (!secret)
        return;
    submitChange(reply, target->first, {EntryChange::Kind::Delete, target->second, {}, *secret, {}, {}});
}

void ChatServer::addReaction(const Request &request, const PathArguments &args, const ReplyPtr &reply)
{
    const auto target = changeTarget(args, reply);
    if (!target)
        return;
    const auto reaction = parseReactionBody(request.value("Content-Type"), request.body());
    if (const auto *error = std::get_if<ApiError>(&reaction)) {
        reply->sendError(*error);
        return;
    }
    const ReactionDraft &draft = std::get<ReactionDraft>(reaction);
    submitChange(reply, target->first,
                 {EntryChange::Kind::React, target->second, {}, {}, draft.author, draft.emoji}, 201);
}

void ChatServer::removeReaction(const Request &request, const PathArguments &args, const ReplyPtr &reply)
{
    const auto target = changeTarget(args, reply);
    if (!target)
        return;
    const auto reaction = parseReactionQuery(request.query());
    if (const auto *error = std::get_if<ApiError>(&reaction)) {
        reply->sendError(*error);
        return;
    }
    const ReactionDraft &draft = std::get<ReactionDraft>(reaction);
    submitChange(reply, target->first, {EntryChange::Kind::Unreact, target->second, {}, {}, draft.author, draft.emoji});
}

void ChatServer::submitChange(const ReplyPtr &reply, const RoomName &room, const EntryChange &change,
                              int createdStatus)
{
    if (m_sendsInFlight >= m_limits.maxPendingSends) {
        reply->sendError(Errors::storeBusy(), {{"Retry-After", "1"}});
        return;
    }
    ++m_sendsInFlight;
    beginStorageCall();
    m_storage.change(room, change, this, [this, reply, room, target = change.target,
                                          createdStatus](const ChangeOutcome &outcome) {
        --m_sendsInFlight;
        using Kind = ChangeOutcome::Kind;
        switch (outcome.kind) {
        case Kind::Stored:
            reply->sendJson(createdStatus, outcome.message.json);
            m_hub.messageChanged(outcome.message);
            m_hub.publish(outcome.entry);
            break;
        case Kind::Unchanged:
            reply->sendJson(200, outcome.message.json);
            break;
        case Kind::NotFound:
            reply->sendError(Errors::messageNotFound(room.value(), target));
            break;
        case Kind::NotAMessage:
            reply->sendError(Errors::notAMessage(room.value(), target));
            break;
        case Kind::MessageDeleted:
            reply->sendError(Errors::messageDeleted(room.value(), target));
            break;
        case Kind::NotYours:
            reply->sendError(Errors::notYourMessage(room.value(), target));
            break;
        case Kind::Failed:
            reply->sendError(Errors::storeUnavailable(), {{"Retry-After", "1"}});
            break;
        }
        endStorageCall();
    });
}
