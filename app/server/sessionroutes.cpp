#include "chatserver.h"

#include "core/passwordrequest.h"

namespace {
// RFC 6750, 3: the challenge says which scheme to use, and why a token was refused.
const QByteArray challenge = R"(Bearer realm="chatapp")";
const QByteArray invalidTokenChallenge = R"(Bearer realm="chatapp", error="invalid_token")";
} // namespace

bool ChatServer::admitted(const QHttpServerRequest &request, const ReplyPtr &reply) const
{
    if (!m_sessions.enabled())
        return true;
    QByteArray session;
    switch (m_sessions.check(request.value("Authorization"), &session)) {
    case Sessions::Credential::Valid:
        reply->setSession(session);
        return true;
    case Sessions::Credential::Missing:
        reply->sendError(Errors::unauthorized(), {{"WWW-Authenticate", challenge}});
        return false;
    case Sessions::Credential::Invalid:
        reply->sendError(Errors::invalidToken(), {{"WWW-Authenticate", invalidTokenChallenge}});
        return false;
    }
    return false;
}

bool ChatServer::stillAdmitted(const ReplyPtr &reply) const
{
    if (reply->session().isEmpty() || m_sessions.isValid(reply->session()))
        return true;
    reply->sendError(Errors::invalidToken(), {{"WWW-Authenticate", invalidTokenChallenge}});
    return false;
}

void ChatServer::createSession(const QHttpServerRequest &request, const PathArguments &,
                               const ReplyPtr &reply)
{
    if (!m_sessions.enabled()) {
        reply->sendError(Errors::sessionsDisabled());
        return;
    }
    // Checked before the password, so that a throttled guesser learns nothing, right or wrong.
    if (const auto retryAfter = m_sessions.throttled(reply->clientAddress())) {
        reply->sendError(Errors::tooManyPasswordAttempts(*retryAfter),
                         {{"Retry-After", QByteArray::number(*retryAfter)}});
        return;
    }
    const auto password = parsePasswordRequest(request.value("Content-Type"), request.body());
    if (const auto *error = std::get_if<ApiError>(&password)) {
        reply->sendError(*error);
        return;
    }
    if (!m_sessions.tryPassword(reply->clientAddress(), std::get<QString>(password))) {
        reply->sendError(Errors::wrongPassword(), {{"WWW-Authenticate", challenge}});
        return;
    }
    const QByteArray token = Sessions::newToken();
    const QByteArray hash = Sessions::hashOf(token);
    beginStorageCall();
    m_storage.saveSession(hash, m_sessions.passwordTag(), this, [this, reply, token, hash](bool ok) {
        if (ok) {
            m_sessions.accept(hash);
            reply->sendJson(201, R"({"token":")" + token + R"(","token_type":"Bearer"})",
                            {{"Location", "/api/v1/sessions/current"}, {"Cache-Control", "no-store"}});
        } else {
            reply->sendError(Errors::storeUnavailable(), {{"Retry-After", "1"}});
        }
        endStorageCall();
    });
}

void ChatServer::deleteSession(const QHttpServerRequest &request, const PathArguments &,
                               const ReplyPtr &reply)
{
    QByteArray hash;
    if (m_sessions.check(request.value("Authorization"), &hash) != Sessions::Credential::Valid) {
        reply->sendError(Errors::sessionsDisabled());
        return;
    }
    // Refused from now on, even if the store is slow to forget it; and what the token
    // holds open ends now, or a stream would go on delivering to a signed-out reader.
    m_sessions.revoke(hash);
    m_hub.endSession(hash);
    beginStorageCall();
    m_storage.deleteSession(hash, this, [this, reply](bool ok) {
        if (ok)
            reply->sendNoContent();
        else
            reply->sendError(Errors::storeUnavailable(), {{"Retry-After", "1"}});
        endStorageCall();
    });
}
