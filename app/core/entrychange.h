#pragma once

#include "apierror.h"
#include "message.h"

#include <QByteArray>
#include <QString>
#include <QUrlQuery>
#include <variant>

namespace Limits {
// Code points in one reaction: enough for the longest emoji sequences (a kiss of two
// people with skin tones is ten), too few for a sentence.
constexpr qsizetype maxEmojiCharacters = 16;
} // namespace Limits

// What a client asked to change about a message of a room, validated: an edit or a
// deletion by its author, or a reaction added or taken back by anyone.
struct EntryChange
{
    enum class Kind { Edit, Delete, React, Unreact };
    Kind kind = Kind::Edit;
    MessageId target = 0;
    QString text;                // Edit
    QByteArray authorSecretHash; // Edit, Delete: of the Author-Secret the request carries
    QString author;              // React, Unreact: who
    QString emoji;               // React, Unreact
};

// The body of a PATCH of a message: its new `text`, JSON or a form.
std::variant<QString, ApiError> parseEditedText(const QByteArray &contentType, const QByteArray &body);

struct ReactionDraft
{
    QString author;
    QString emoji;
};
// A reaction from a POST body (`author`, `emoji`), or from the query of its DELETE.
std::variant<ReactionDraft, ApiError> parseReactionBody(const QByteArray &contentType, const QByteArray &body);
std::variant<ReactionDraft, ApiError> parseReactionQuery(const QUrlQuery &query);
