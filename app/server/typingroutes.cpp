#include "chatserver.h"

#include "core/typingnotice.h"

void ChatServer::postTyping(const Request &request, const PathArguments &args,
                            const ReplyPtr &reply)
{
    // A window sends one every few seconds at most while its composer is edited; any
    // more is someone else's loop, which costs what sending does.
    if (const auto retryAfter = m_sendLimiter.admit(reply->clientAddress())) {
        reply->sendError(Errors::tooManyRequests(*retryAfter),
                         {{"Retry-After", QByteArray::number(*retryAfter)}});
        return;
    }
    // Unlike a send, it does not create the room: nobody could be reading there.
    const auto room = existingRoom(args, reply);
    if (!room)
        return;
    const auto name = parseTypingNotice(request.value("Content-Type"), request.body());
    if (const auto *error = std::get_if<ApiError>(&name)) {
        reply->sendError(*error);
        return;
    }
    // Trusted as `author` is: anyone may say they are anyone (docs/security.md).
    m_hub.startedTyping(*room, std::get<QString>(name));
    reply->sendNoContent();
}
