#include "entrychange.h"

#include "bodyfields.h"
#include "messagedraft.h"

namespace {

// One emoji as people pick them: a symbol (So: faces, hearts, flags' regional letters)
// or a keycap (a digit, # or * made a key by U+20E3), perhaps with modifiers and joiners,
// and nothing a word is made of. Not Unicode's full emoji grammar: enough to keep
// reactions from being sentences. U+FFFD (what broken UTF-8 decodes to) is refused, and
// so is U+FEFF, which JSON readers drop from the start of a string: stored, it would
// read back as another reaction.
bool looksLikeOneEmoji(const QString &emoji)
{
    const bool keycap = emoji.contains(QChar(0x20e3));
    qsizetype characters = 0;
    bool symbol = false;
    for (auto it = emoji.cbegin(); it != emoji.cend(); ++it) {
        char32_t c = it->unicode();
        if (it->isHighSurrogate() && it + 1 != emoji.cend() && (it + 1)->isLowSurrogate()) {
            c = QChar::surrogateToUcs4(*it, *(it + 1));
            ++it;
        } else if (it->isSurrogate()) {
            return false;
        }
        ++characters;
        if (c == 0xfffd || c == 0xfeff)
            return false;
        if (c < 0x80) {
            const bool keyLabel = (c >= U'0' && c <= U'9') || c == U'#' || c == U'*';
            if (!keycap || !keyLabel)
                return false;
            continue;
        }
        const QChar::Category category = QChar::category(c);
        if (category == QChar::Symbol_Other || c == 0x20e3)
            symbol = true;
        else if (QChar::isSpace(c) || QChar::isLetter(c) || category == QChar::Other_Control)
            return false;
    }
    return symbol && characters <= Limits::maxEmojiCharacters;
}

std::variant<ReactionDraft, ApiError> validatedReaction(const QString *author, const QString *emoji)
{
    if (!author || author->trimmed().isEmpty())
        return Errors::missingField(QStringLiteral("author"));
    if (!emoji || emoji->isEmpty())
        return Errors::missingField(QStringLiteral("emoji"));
    const auto name = normalisedPersonName(*author);
    if (!name)
        return Errors::invalidField(QStringLiteral("author"),
                                    QStringLiteral("is not a name: at most %1 characters, without control, "
                                                   "invisible or direction-changing characters")
                                        .arg(Limits::maxAuthorCharacters));
    if (!looksLikeOneEmoji(*emoji))
        return Errors::invalidField(QStringLiteral("emoji"),
                                    QStringLiteral("is not one emoji (at most %1 characters, no letters or spaces)")
                                        .arg(Limits::maxEmojiCharacters));
    return ReactionDraft{*name, *emoji};
}

const QString *valueOf(const BodyFields &fields, const QString &name)
{
    const auto it = fields.constFind(name);
    return it == fields.constEnd() ? nullptr : &*it;
}

} // namespace

std::variant<QString, ApiError> parseEditedText(const QByteArray &contentType, const QByteArray &body)
{
    const QString field = QStringLiteral("text");
    const auto raw = readBodyFields(contentType, body, {field});
    if (const auto *error = std::get_if<ApiError>(&raw))
        return *error;
    const QString *text = valueOf(std::get<BodyFields>(raw), field);
    if (!text)
        return Errors::missingField(field);
    return validatedMessageText(*text);
}

std::variant<ReactionDraft, ApiError> parseReactionBody(const QByteArray &contentType, const QByteArray &body)
{
    const QString author = QStringLiteral("author");
    const QString emoji = QStringLiteral("emoji");
    const auto raw = readBodyFields(contentType, body, {author, emoji});
    if (const auto *error = std::get_if<ApiError>(&raw))
        return *error;
    const BodyFields &fields = std::get<BodyFields>(raw);
    return validatedReaction(valueOf(fields, author), valueOf(fields, emoji));
}

std::variant<ReactionDraft, ApiError> parseReactionQuery(const QUrlQuery &query)
{
    BodyFields fields;
    for (const QString &name : {QStringLiteral("author"), QStringLiteral("emoji")}) {
        if (query.hasQueryItem(name))
            fields.insert(name, query.queryItemValue(name, QUrl::FullyDecoded));
    }
    const auto missing = [](const QString &name) {
        return Errors::invalidQuery(name, QStringLiteral("is required"));
    };
    if (!fields.contains(QStringLiteral("author")))
        return missing(QStringLiteral("author"));
    if (!fields.contains(QStringLiteral("emoji")))
        return missing(QStringLiteral("emoji"));
    return validatedReaction(valueOf(fields, QStringLiteral("author")), valueOf(fields, QStringLiteral("emoji")));
}
