#pragma once

#include <QObject>
#include <QTimer>

class ApiClient;
struct ApiResult;

// Signing in to a server started with --password: the password is exchanged for a
// bearer token at POST /api/v1/sessions, and ApiClient sends the token from then on.
// Nothing asks for a sign-in ahead of time: the first 401 of any request starts one, and
// the 401s that come with it (the poll, the directory and a send all fail at once) are
// the same question, asked once. The password comes from --password-file or from
// whoever answers passwordNeeded() (the window's dialog); it is used for one request and
// never kept. The token lives in memory, or in RememberedTokens when the user asks.
class Session : public QObject
{
    Q_OBJECT

public:
    enum class State {
        Open, // no token and no 401 yet: the server may need none
        SignedIn, // a token is sent with every request
        Asking, // passwordNeeded() went out; waiting for signIn() or decline()
        SigningIn, // the POST is in flight
        Throttled, // too many wrong passwords: waiting out the server's Retry-After
        Declined, // the user cancelled; nothing is asked until askAgain()
    };
    Q_ENUM(State)

    // `server` is "HOST:PORT", the key of a remembered token; a remembered token is sent
    // from the start. `automaticPassword` (from --password-file) is tried before asking.
    Session(ApiClient *api, const QString &server, const QString &automaticPassword,
            QObject *parent = nullptr);

    State state() const { return m_state; }
    // While Throttled: the server's explanation, with its wait.
    QString throttleMessage() const { return m_throttleMessage; }

    void signIn(const QString &password, bool remember);
    void decline();
    void askAgain();
    // Revokes the token on the server (DELETE /api/v1/sessions/current) and forgets it
    // here; the next 401 asks for the password again.
    void signOut();

signals:
    // `reason` is empty for a first request, else why the last attempt did not work.
    void passwordNeeded(const QString &reason);
    // Requests held back by 401s can go now: a token is set, or none is needed after all.
    void signedIn();
    void stateChanged(Session::State state);

private:
    void onUnauthorized(const ApiResult &result);
    void onSignInAnswer(const ApiResult &result, bool remember, bool automatic);
    void post(const QString &password, bool remember, bool automatic);
    void ask(const QString &reason);
    void dropToken();
    void setState(State state);

    ApiClient *m_api;
    QString m_server;
    QString m_automaticPassword;
    State m_state = State::Open;
    QString m_throttleMessage;
    QTimer m_throttleTimer;
};
