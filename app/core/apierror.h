#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

// A refused request: the HTTP status, a stable machine-readable code and a sentence
// for people. The server turns it into one JSON body; clients show `message`.
struct ApiError
{
    int status = 500;
    QString code;
    QString message;

    QByteArray toJson() const;
};

namespace Errors {
ApiError invalidJson(const QString &detail);
ApiError missingField(const QString &field);
ApiError invalidField(const QString &field, const QString &why);
ApiError invalidRoom(const QString &name);
ApiError invalidName(const QString &name);
ApiError invalidQuery(const QString &parameter, const QString &why);
ApiError invalidHeader(const QString &header, const QString &why);
ApiError notFound(const QString &path);
ApiError roomNotFound(const QString &room);
ApiError messageNotFound(const QString &room, qint64 id);
ApiError methodNotAllowed(const QString &method, const QString &path);
ApiError payloadTooLarge(qint64 limitBytes);
ApiError fieldTooLong(const QString &field, qsizetype limitCharacters);
ApiError unsupportedMediaType(const QByteArray &contentType);
ApiError tooManyRequests(int retryAfterSeconds);
ApiError tooManyPasswordAttempts(int retryAfterSeconds);
ApiError tooManyRoomMentions(int retryAfterSeconds);
ApiError unauthorized();
ApiError invalidToken();
ApiError wrongPassword();
ApiError sessionsDisabled();
ApiError crossSiteRequest(const QByteArray &origin);
ApiError misdirectedRequest(const QByteArray &host);
ApiError idempotencyKeyReused(const QByteArray &key);
// Changes to messages (edit, delete, react, reply).
ApiError authorSecretRequired();
ApiError notYourMessage(const QString &room, qint64 id);
ApiError messageDeleted(const QString &room, qint64 id);
ApiError notAMessage(const QString &room, qint64 id);
ApiError invalidReplyTo(const QString &room, qint64 id);
ApiError storeBusy();
ApiError storeUnavailable();
// A damaged store (docs/security.md): a cursor from another copy of a room, a room whose
// rows were changed behind the server's back, and what /healthz says.
ApiError cursorBeyondLastId(const QString &room, qint64 cursor, qint64 lastId);
ApiError roomsInconsistent(const QStringList &rooms);
ApiError storeUnreadable(const QString &why);
ApiError storeUnwritable(const QString &why);
} // namespace Errors
