#pragma once

#include "apierror.h"
#include "bodyfields.h"

#include <QString>
#include <optional>
#include <variant>

namespace Limits {
constexpr qsizetype maxAuthorCharacters = 32;
constexpr qsizetype maxTextCharacters = 4000;
} // namespace Limits

// What a sender asked to post, already validated: the author is trimmed, 1 to 32
// characters with no control characters, bidi controls or invisible characters; the text is 1 to 4,000 characters, not only
// white space, with no control characters other than newline and tab.
struct MessageDraft
{
    QString author;
    QString text;
    qint64 replyTo = 0; // the id of the message it answers (`reply_to`), 0 for none
    // SHA-256 of the Author-Secret it was sent with, empty without one: only that secret
    // edits or deletes it.
    QByteArray authorSecretHash;
};

// Decodes a POST body of the given Content-Type (JSON or form-encoded) into a draft,
// or says which 400, 413 or 415 it deserves.
std::variant<MessageDraft, ApiError> parseMessageDraft(const QByteArray &contentType,
                                                       const QByteArray &body);

// A message's text held to the rules of `text` above, or the 400 or 413 it deserves.
std::variant<QString, ApiError> validatedMessageText(const QString &text);

// Characters as the server counts them against the limits: Unicode code points, so an
// emoji is one. For a composer's counter; validation is parseMessageDraft's.
qsizetype characterCount(QStringView text);

// A name as given in `name=`, held to the same rules as `author`: trimmed, or nullopt
// when it breaks them.
std::optional<QString> normalisedPersonName(const QString &name);

// The same, for an `author` field of a body other than a message's: or the 400 or 413
// it deserves, as a message with that author would get.
std::variant<QString, ApiError> validatedAuthor(const QString &author);
