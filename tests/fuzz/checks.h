#pragma once

#include "core/apierror.h"
#include "core/entrychange.h"
#include "core/historyquery.h"
#include "core/messagedraft.h"
#include "core/roomlistquery.h"
#include "core/roomname.h"

#include <QString>
#include <optional>

// What the decoders promise (docs/api.md), checked on every result. A broken promise
// aborts, which libFuzzer reports like a crash and saves the input that caused it.
[[noreturn]] void invariantFailed(const char *condition, const char *file, int line,
                                  const QString &detail);
#define FUZZ_CHECK(condition, detail)                                                   \
    do {                                                                                \
        if (!(condition))                                                               \
            invariantFailed(#condition, __FILE__, __LINE__, detail);                    \
    } while (false)

// The error is a 4xx with a code and a message, and its JSON body says the same again.
void checkError(const ApiError &error);

// Within the documented limits, and sent again as JSON or as a form, it decodes to itself.
void checkDraft(const MessageDraft &draft);

// Within the rules of `author` (a `name=`, or the name in a DELETE of a member).
void checkPersonName(const QString &name);

// A name within the rules of `author`, and one emoji that JSON carries unchanged.
void checkReaction(const ReactionDraft &reaction);

// Within the documented ranges, and written back into a query, it parses to itself.
void checkHistoryQuery(const HistoryQuery &query);

// Within the documented range, and its `next` link (the page after its cursor) parses
// back to the same cursor and limit.
void checkRoomListQuery(const RoomListQuery &query);

// Accepted exactly when the pattern [a-z0-9][a-z0-9_-]{0,63} matches, and reparses to itself.
void checkRoomName(const QString &candidate, const std::optional<RoomName> &room);

// Accepted exactly when it is 1 to 18 ASCII digits, with their value.
void checkMessageId(QStringView text, std::optional<MessageId> id);
