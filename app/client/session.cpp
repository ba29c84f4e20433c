#include "session.h"

#include "apiclient.h"
#include "rememberedtokens.h"

#include <QJsonObject>

#include <algorithm>

Session::Session(ApiClient *api, const QString &server, const QString &automaticPassword,
                 QObject *parent)
    : QObject(parent), m_api(api), m_server(server), m_automaticPassword(automaticPassword)
{
    m_throttleTimer.setSingleShot(true);
    connect(&m_throttleTimer, &QTimer::timeout, this, [this] { ask(QString()); });
    connect(m_api, &ApiClient::unauthorized, this, &Session::onUnauthorized);
    const QByteArray remembered = RememberedTokens::load(m_server);
    if (!remembered.isEmpty()) {
        m_api->setToken(remembered);
        m_state = State::SignedIn;
    }
}

void Session::onUnauthorized(const ApiResult &)
{
    if (m_state != State::Open && m_state != State::SignedIn)
        return;
    QString reason;
    if (m_state == State::SignedIn) {
        // Revoked, or the server's password changed: a remembered copy is as dead.
        dropToken();
        reason = tr("The server no longer accepts your sign-in: it was ended, or the "
                    "server's password changed.");
    }
    if (!m_automaticPassword.isEmpty())
        post(m_automaticPassword, false, true);
    else
        ask(reason);
}

void Session::ask(const QString &reason)
{
    setState(State::Asking);
    emit passwordNeeded(reason);
}

void Session::signIn(const QString &password, bool remember)
{
    if (m_state == State::Asking)
        post(password, remember, false);
}

void Session::post(const QString &password, bool remember, bool automatic)
{
    setState(State::SigningIn);
    const QJsonObject body{{QStringLiteral("password"), password}};
    m_api->post(apiPath({u"sessions"}), body, {}, this,
                [this, remember, automatic](const ApiResult &result) {
        onSignInAnswer(result, remember, automatic);
    });
}

void Session::onSignInAnswer(const ApiResult &result, bool remember, bool automatic)
{
    const QByteArray token = result.body.value(QLatin1String("token")).toString().toLatin1();
    if (result.exchange.status == 201 && !token.isEmpty()) {
        m_api->setToken(token);
        if (remember)
            RememberedTokens::save(m_server, token);
        else
            RememberedTokens::forget(m_server);
        setState(State::SignedIn);
        emit signedIn();
    } else if (result.exchange.status == 429) {
        // rate_limited also answers too many sends; here it is about passwords.
        m_throttleMessage = tr("Too many wrong passwords from your address; try again in %1 s.")
                                .arg(std::max(1, result.retryAfterSeconds));
        setState(State::Throttled);
        m_throttleTimer.start(std::max(1, result.retryAfterSeconds) * 1000);
    } else if (result.errorCode() == u"sessions_disabled") {
        // The server restarted without a password between the 401 and now.
        dropToken();
        setState(State::Open);
        emit signedIn();
    } else {
        // A wrong password from the file is as wrong the next time: ask a person instead.
        if (automatic && result.exchange.status == 401)
            m_automaticPassword.clear();
        ask(result.errorMessage.isEmpty() ? tr("The server sent no token.") : result.errorMessage);
    }
}

void Session::decline()
{
    if (m_state == State::Asking)
        setState(State::Declined);
}

void Session::askAgain()
{
    if (m_state == State::Declined)
        ask(QString());
}

void Session::signOut()
{
    if (m_state != State::SignedIn)
        return;
    // Sent with the token, which dropToken() then takes away from every later request.
    m_api->deleteResource(apiPath({u"sessions", u"current"}), this, {});
    dropToken();
    // Signing out is a choice; --password-file would undo it at the next 401.
    m_automaticPassword.clear();
    setState(State::Open);
}

void Session::dropToken()
{
    m_api->setToken({});
    RememberedTokens::forget(m_server);
}

void Session::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}
