#include "outbox.h"

#include <QNetworkReply>
#include <QUuid>

Outbox::Outbox(ApiClient *api, QObject *parent) : QObject(parent), m_api(api)
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &Outbox::sendHead);
}

QString Outbox::enqueue(const RoomName &room, const QString &author, const QString &text, MessageId replyTo)
{
    OutgoingMessage message;
    message.localId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    message.room = room;
    message.author = author;
    message.text = text;
    message.replyTo = replyTo;
    message.idempotencyKey = message.localId.toLatin1();
    m_queue.append(message);
    emit pendingChanged();
    if (m_queue.size() == 1)
        sendHead();
    return message.localId;
}

QList<OutgoingMessage> Outbox::pendingIn(const RoomName &room) const
{
    QList<OutgoingMessage> result;
    for (const OutgoingMessage &message : m_queue) {
        if (message.room == room)
            result.append(message);
    }
    return result;
}

void Outbox::retryNow()
{
    if (m_queue.isEmpty() || m_inFlight)
        return;
    m_retryTimer.stop();
    if (m_queue.first().waitingForSignIn) {
        m_queue.first().waitingForSignIn = false;
        emit pendingChanged();
    }
    sendHead();
}

bool Outbox::isWorthRetrying(const ApiResult &result)
{
    const int status = result.exchange.status;
    return status == 0 || status == 408 || status == 429 || status >= 500;
}

void Outbox::sendHead()
{
    if (m_queue.isEmpty() || m_inFlight)
        return;
    const OutgoingMessage head = m_queue.first();
    QJsonObject body{{QStringLiteral("author"), head.author}, {QStringLiteral("text"), head.text}};
    if (head.replyTo != 0)
        body.insert(QStringLiteral("reply_to"), head.replyTo);
    ApiClient::Headers headers;
    if (!m_authorSecret.isEmpty())
        headers.append({"Author-Secret", m_authorSecret});
    m_inFlight = m_api->post(apiPath({u"rooms", head.room.value(), u"messages"}), body,
                             head.idempotencyKey, this, [this](const ApiResult &result) {
        m_inFlight = nullptr;
        if (m_queue.isEmpty())
            return;
        if (result.exchange.status == 401) {
            // Nothing was stored. It waits for the sign-in and retryNow(), or goes again
            // at once if the token changed while it was on its way.
            m_queue.first().waitingForSignIn = !result.credentialsReplaced;
            emit pendingChanged();
            if (result.credentialsReplaced)
                m_retryTimer.start(0);
            return;
        }
        if (isWorthRetrying(result)) {
            m_queue.first().waitingForServer = true;
            const int delay = m_backoff.nextDelayMs();
            emit pendingChanged();
            emit deliveryDelayed(delay, result.errorMessage);
            m_retryTimer.start(delay);
            return;
        }
        m_backoff.reset();
        const OutgoingMessage sent = m_queue.takeFirst();
        const auto stored = result.succeeded() ? messageFromJson(result.body) : std::nullopt;
        if (stored)
            emit delivered(sent, *stored);
        else
            emit refused(sent, result);
        emit pendingChanged();
        sendHead();
    }, headers);
}
