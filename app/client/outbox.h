#pragma once

#include "apiclient.h"
#include "backoff.h"
#include "core/message.h"
#include "core/roomname.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

// A message the user sent that the server has not acknowledged yet.
struct OutgoingMessage
{
    QString localId;
    RoomName room = RoomName::general();
    QString author;
    QString text;
    MessageId replyTo = 0; // the message this one answers, 0 when none
    QByteArray idempotencyKey; // fixed when queued, so every retry is the same send
    bool waitingForServer = false; // an attempt failed for lack of an answer
    bool waitingForSignIn = false; // refused with 401: goes out once the window signs in
};

// Delivers sends one at a time, in the order they were typed, each with its own
// Idempotency-Key. When the server cannot be reached the message stays here and is
// retried with back-off: a retry of a send whose answer was lost is recognised by the
// server and stored once. A send the server refuses (4xx) leaves the outbox with the
// server's reason, except a 401: nothing was stored, so it waits for the sign-in and
// retryNow().
class Outbox : public QObject
{
    Q_OBJECT

public:
    explicit Outbox(ApiClient *api, QObject *parent = nullptr);

    // Returns the local id the signals below refer to. `replyTo`: the message it answers.
    QString enqueue(const RoomName &room, const QString &author, const QString &text, MessageId replyTo = 0);
    // Sent with every message (Author-Secret), so that its author can edit it later.
    void setAuthorSecret(const QByteArray &secret) { m_authorSecret = secret; }
    QList<OutgoingMessage> pendingIn(const RoomName &room) const;
    qsizetype size() const { return m_queue.size(); }
    // Tries the head of the queue now instead of when its back-off ends.
    void retryNow();

signals:
    void pendingChanged();
    void delivered(const OutgoingMessage &sent, const Message &stored);
    void refused(const OutgoingMessage &message, const ApiResult &result);
    void deliveryDelayed(int retryInMs, const QString &error);

private:
    void sendHead();
    static bool isWorthRetrying(const ApiResult &result);

    ApiClient *m_api;
    QByteArray m_authorSecret;
    QList<OutgoingMessage> m_queue;
    QPointer<QNetworkReply> m_inFlight;
    QTimer m_retryTimer;
    Backoff m_backoff;
};
