#include "chatserver.h"

#include "core/passwordrequest.h"

namespace {
// RFC 6750, 3: the challenge says which scheme to use, and why a token was refused.
const QByteArray challenge = R"(Bearer realm="chatapp")";
const QByteArray invalidTokenChallenge = R"(Bearer realm="chatapp", error="invalid_token")";
constexpr qsizetype maxSessionLookups = 1024;
} // namespace

void ChatServer::startSessions()
{
    if (!m_storage.sharesSessions()) {
        m_sessions.load(m_storage.loadSessions(m_sessions.passwordTag()));
        return;
    }
    m_sessions.shareWithOtherNodes();
    m_storage.watchRevokedSessions(this, [this](const QList<QByteArray> &revoked, bool lostTrack) {
        sessionsRevoked(revoked, lostTrack);
    });
}

ChatServer::Admission ChatServer::admission(const Request &request, const ReplyPtr &reply,
                                            QByteArray *unknownSession) const
{
    if (!m_sessions.enabled())
        return Admission::Admitted;
    QByteArray session;
    switch (m_sessions.check(request.value("Authorization"), &session)) {
    case Sessions::Credential::Valid:
        reply->setSession(session);
        return Admission::Admitted;
    case Sessions::Credential::Unknown:
        *unknownSession = session;
        return Admission::AskStore;
    case Sessions::Credential::Missing:
        reply->sendError(Errors::unauthorized(), {{"WWW-Authenticate", challenge}});
        return Admission::Refused;
    case Sessions::Credential::Invalid:
        reply->sendError(Errors::invalidToken(), {{"WWW-Authenticate", invalidTokenChallenge}});
        return Admission::Refused;
    }
    return Admission::Refused;
}

void ChatServer::admitOnceKnown(const QByteArray &session, WaitingRequest waiting)
{
    const auto asked = m_sessionLookups.find(session);
    if (asked != m_sessionLookups.end()) {
        asked->push_back(std::move(waiting));
        return;
    }
    // Each distinct unknown token costs a query: beyond this many at once (a flood of
    // made-up tokens), a request is told to come back rather than queued without end.
    if (m_sessionLookups.size() >= maxSessionLookups) {
        waiting.reply->sendError(Errors::storeBusy(), {{"Retry-After", "1"}});
        return;
    }
    m_sessionLookups[session].push_back(std::move(waiting));
    beginStorageCall();
    m_storage.findSession(session, m_sessions.passwordTag(), this, [this, session](Storage::SessionFound found) {
        sessionFound(session, found);
        endStorageCall();
    });
}

void ChatServer::sessionFound(const QByteArray &session, Storage::SessionFound found)
{
    const std::vector<WaitingRequest> waiting = m_sessionLookups.take(session);
    if (found != Storage::SessionFound::Failed)
        m_sessions.learn(session, found == Storage::SessionFound::Yes);
    for (const WaitingRequest &request : waiting) {
        switch (found) {
        case Storage::SessionFound::Yes:
            request.reply->setSession(session);
            dispatch(request.match, request.request, request.reply);
            break;
        case Storage::SessionFound::No:
            request.reply->sendError(Errors::invalidToken(), {{"WWW-Authenticate", invalidTokenChallenge}});
            break;
        case Storage::SessionFound::Failed:
            // Not a 401: that would sign the client out of a session that may be valid.
            request.reply->sendError(Errors::storeUnavailable(), {{"Retry-After", "1"}});
            break;
        }
    }
}

void ChatServer::sessionsRevoked(const QList<QByteArray> &sessions, bool lostTrack)
{
    if (lostTrack)
        m_sessions.forgetLearned();
    for (const QByteArray &session : sessions) {
        m_sessions.revoke(session);
        m_hub.endSession(session);
    }
}

bool ChatServer::stillAdmitted(const ReplyPtr &reply) const
{
    if (reply->session().isEmpty() || m_sessions.isValid(reply->session()))
        return true;
    reply->sendError(Errors::invalidToken(), {{"WWW-Authenticate", invalidTokenChallenge}});
    return false;
}

void ChatServer::createSession(const Request &request, const PathArguments &,
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

void ChatServer::deleteSession(const Request &, const PathArguments &,
                               const ReplyPtr &reply)
{
    // Admitted already (the route needs a token), perhaps after asking the store.
    const QByteArray hash = reply->session();
    if (hash.isEmpty()) {
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
