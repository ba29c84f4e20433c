#include "apierror.h"

#include "messagedraft.h"

#include <QJsonDocument>
#include <QJsonObject>

QByteArray ApiError::toJson() const
{
    const QJsonObject error{
        {QStringLiteral("status"), status},
        {QStringLiteral("code"), code},
        {QStringLiteral("message"), message},
    };
    return QJsonDocument(QJsonObject{{QStringLiteral("error"), error}})
        .toJson(QJsonDocument::Compact);
}

namespace Errors {

ApiError invalidJson(const QString &detail)
{
    return {400, QStringLiteral("invalid_json"),
            QStringLiteral("The body is not a JSON object: %1.").arg(detail)};
}

ApiError missingField(const QString &field)
{
    return {400, QStringLiteral("missing_field"),
            QStringLiteral("The field '%1' is missing or empty.").arg(field)};
}

ApiError invalidField(const QString &field, const QString &why)
{
    return {400, QStringLiteral("invalid_field"),
            QStringLiteral("The field '%1' %2.").arg(field, why)};
}

ApiError invalidRoom(const QString &name)
{
    return {400, QStringLiteral("invalid_room"),
            QStringLiteral("'%1' is not a room name: use 1 to 64 of a-z, 0-9, '_' and '-', "
                           "starting with a letter or digit.")
                .arg(name.left(80))};
}

ApiError invalidName(const QString &name)
{
    return {400, QStringLiteral("invalid_name"),
            QStringLiteral("'%1' is not a name: use 1 to %2 characters with no control, invisible "
                           "or direction-changing characters.")
                .arg(name.left(80))
                .arg(Limits::maxAuthorCharacters)};
}

ApiError invalidQuery(const QString &parameter, const QString &why)
{
    return {400, QStringLiteral("invalid_query"),
            QStringLiteral("The query parameter '%1' %2.").arg(parameter, why)};
}

ApiError invalidHeader(const QString &header, const QString &why)
{
    return {400, QStringLiteral("invalid_header"),
            QStringLiteral("The header '%1' %2.").arg(header, why)};
}

ApiError notFound(const QString &path)
{
    return {404, QStringLiteral("not_found"),
            QStringLiteral("There is nothing at '%1'.").arg(path.left(200))};
}

ApiError roomNotFound(const QString &room)
{
    return {404, QStringLiteral("room_not_found"),
            QStringLiteral("Room '%1' does not exist.").arg(room)};
}

ApiError messageNotFound(const QString &room, qint64 id)
{
    return {404, QStringLiteral("message_not_found"),
            QStringLiteral("Room '%1' has no message %2.").arg(room).arg(id)};
}

ApiError methodNotAllowed(const QString &method, const QString &path)
{
    return {405, QStringLiteral("method_not_allowed"),
            QStringLiteral("%1 is not allowed on '%2'.").arg(method, path.left(200))};
}

ApiError payloadTooLarge(qint64 limitBytes)
{
    return {413, QStringLiteral("payload_too_large"),
            QStringLiteral("The body is larger than %1 bytes.").arg(limitBytes)};
}

ApiError fieldTooLong(const QString &field, qsizetype limitCharacters)
{
    return {413, QStringLiteral("%1_too_long").arg(field),
            QStringLiteral("The %1 is longer than %2 characters.").arg(field).arg(limitCharacters)};
}

ApiError unsupportedMediaType(const QByteArray &contentType)
{
    const QString given = contentType.isEmpty() ? QStringLiteral("no Content-Type")
                                                : QString::fromLatin1(contentType.left(100));
    return {415, QStringLiteral("unsupported_media_type"),
            QStringLiteral("Send application/json or application/x-www-form-urlencoded, not %1.")
                .arg(given)};
}

ApiError tooManyRequests(int retryAfterSeconds)
{
    return {429, QStringLiteral("rate_limited"),
            QStringLiteral("Too many messages from your address; try again in %1 s.").arg(retryAfterSeconds)};
}

ApiError tooManyRoomMentions(int retryAfterSeconds)
{
    return {429, QStringLiteral("room_mention_rate_limited"),
            QStringLiteral("@room calls everyone in the room, so it is limited: try again in %1 s, or send "
                           "the message without it.")
                .arg(retryAfterSeconds)};
}

ApiError tooManyPasswordAttempts(int retryAfterSeconds)
{
    return {429, QStringLiteral("rate_limited"),
            QStringLiteral("Too many wrong passwords from your address; try again in %1 s.")
                .arg(retryAfterSeconds)};
}

ApiError unauthorized()
{
    return {401, QStringLiteral("unauthorized"),
            QStringLiteral("This server needs a password: exchange it at POST /api/v1/sessions "
                           "and send the token as 'Authorization: Bearer TOKEN'.")};
}

ApiError invalidToken()
{
    return {401, QStringLiteral("invalid_token"),
            QStringLiteral("The token is not valid: it was revoked, or the server's password "
                           "changed. Sign in again at POST /api/v1/sessions.")};
}

ApiError wrongPassword()
{
    return {401, QStringLiteral("wrong_password"), QStringLiteral("The password is not right.")};
}

ApiError sessionsDisabled()
{
    return {404, QStringLiteral("sessions_disabled"),
            QStringLiteral("This server has no password, so no session is needed.")};
}

ApiError crossSiteRequest(const QByteArray &origin)
{
    const QString from = origin.isEmpty() ? QStringLiteral("another web site")
                                          : QStringLiteral("'%1'").arg(QString::fromLatin1(origin.left(100)));
    return {403, QStringLiteral("cross_site_request"),
            QStringLiteral("A page from %1 may not change anything on this server; send from the "
                           "chat window, curl or a script, which send no Origin.")
                .arg(from)};
}

ApiError misdirectedRequest(const QByteArray &host)
{
    const QString name = QString::fromLatin1(host.left(100));
    return {421, QStringLiteral("misdirected_request"),
            QStringLiteral("This server does not answer to the name '%1' (the Host header): "
                           "use its IP address, or, if '%1' is one of its names, start it with "
                           "--allowed-host %1 (or CHATAPP_ALLOWED_HOSTS=%1).")
                .arg(name)};
}

ApiError idempotencyKeyReused(const QByteArray &key)
{
    return {422, QStringLiteral("idempotency_key_reused"),
            QStringLiteral("The Idempotency-Key '%1' was already used for another message in this "
                           "room; nothing was stored. Use a new key for a new message.")
                .arg(QString::fromLatin1(key.left(128)))};
}

ApiError authorSecretRequired()
{
    return {403, QStringLiteral("author_secret_required"),
            QStringLiteral("Only the author may change a message: send the Author-Secret header the message was "
                           "sent with.")};
}

ApiError notYourMessage(const QString &room, qint64 id)
{
    return {403, QStringLiteral("not_your_message"),
            QStringLiteral("Message %1 of room '%2' was not sent with this Author-Secret (or with none), so it "
                           "cannot be changed with it; nothing was changed.")
                .arg(id)
                .arg(room)};
}

ApiError messageDeleted(const QString &room, qint64 id)
{
    return {409, QStringLiteral("message_deleted"),
            QStringLiteral("Message %1 of room '%2' was deleted; it cannot be edited or reacted to.").arg(id).arg(room)};
}

ApiError notAMessage(const QString &room, qint64 id)
{
    return {422, QStringLiteral("not_a_message"),
            QStringLiteral("Entry %1 of room '%2' is a change to a message (an edit, a deletion or a reaction), "
                           "not a message; change the message it is about.")
                .arg(id)
                .arg(room)};
}

ApiError invalidReplyTo(const QString &room, qint64 id)
{
    return {422, QStringLiteral("invalid_reply_to"),
            QStringLiteral("Room '%1' has no message %2 to reply to (no such id, or a change to a message); "
                           "nothing was stored.")
                .arg(room)
                .arg(id)};
}

ApiError storeBusy()
{
    return {503, QStringLiteral("store_busy"),
            QStringLiteral("The message store is behind; nothing was stored. Try again shortly.")};
}

ApiError storeUnavailable()
{
    return {503, QStringLiteral("store_unavailable"),
            QStringLiteral("The message store is not available; nothing was stored. Try again.")};
}

ApiError cursorBeyondLastId(const QString &room, qint64 cursor, qint64 lastId)
{
    return {400, QStringLiteral("cursor_beyond_last_id"),
            QStringLiteral("Room '%1' has no message %2: its newest is %3, and ids have no gaps, so "
                           "this cursor is from another copy of the room (it was reset or restored "
                           "from a backup). Forget what you hold of it and read it again from "
                           "after=0.")
                .arg(room)
                .arg(cursor)
                .arg(lastId)};
}

ApiError roomsInconsistent(const QStringList &rooms)
{
    QStringList quoted;
    for (const QString &room : rooms)
        quoted.append(u'\'' + room + u'\'');
    return {503, QStringLiteral("room_inconsistent"),
            QStringLiteral("%1 %2 cannot store messages: the next id is already taken, so the "
                           "database was changed outside ChatApp. Nothing was stored; restarting "
                           "the server repairs it.")
                .arg(rooms.size() == 1 ? QStringLiteral("Room") : QStringLiteral("Rooms"),
                     quoted.join(QStringLiteral(", ")))};
}

ApiError storeUnreadable(const QString &why)
{
    return {503, QStringLiteral("store_unreadable"),
            QStringLiteral("The message store cannot read: %1.").arg(why)};
}

ApiError storeUnwritable(const QString &why)
{
    return {503, QStringLiteral("store_unwritable"),
            QStringLiteral("The message store cannot write: %1.").arg(why)};
}

} // namespace Errors
