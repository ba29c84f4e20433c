#include "errortexts.h"

#include "core/messagedraft.h"

QString ErrorTexts::forCode(const QString &code)
{
    if (code == u"text_too_long")
        return tr("The message is longer than %1 characters.").arg(Limits::maxTextCharacters);
    if (code == u"author_too_long")
        return tr("The name is longer than %1 characters.").arg(Limits::maxAuthorCharacters);
    if (code == u"payload_too_large")
        return tr("The message is larger than the server accepts.");
    if (code == u"missing_field")
        return tr("The message or the name is empty.");
    if (code == u"invalid_field")
        return tr("The message or the name holds characters the server does not accept.");
    if (code == u"invalid_room")
        return tr("That is not a room name: use 1 to 64 lower-case letters, digits, “-” or “_”.");
    if (code == u"room_not_found")
        return tr("The room does not exist on the server.");
    if (code == u"rate_limited")
        return tr("Too many messages at once from this address; the server asks to wait a moment.");
    if (code == u"room_mention_rate_limited")
        return tr("@room calls everyone in the room, so it can be sent only now and then: wait a little, or send "
                  "the message without it.");
    if (code == u"store_busy" || code == u"store_unavailable" || code == u"store_unwritable")
        return tr("The server cannot store messages right now; nothing was lost, and it will be tried again.");
    if (code == u"store_unreadable")
        return tr("The server cannot read its messages right now.");
    if (code == u"room_inconsistent")
        return tr("The server's copy of this room is damaged; its operator must restart it.");
    if (code == u"too_many_connections")
        return tr("The server is full right now; try again shortly.");
    if (code == u"request_timeout")
        return tr("The request took too long to reach the server.");
    if (code == u"wrong_password")
        return tr("The password is not right.");
    if (code == u"unauthorized" || code == u"invalid_token")
        return tr("The server asks for its password.");
    if (code == u"misdirected_request")
        return tr("The server does not answer to this address; its operator can allow it with --allowed-host.");
    if (code == u"cross_site_request")
        return tr("The server refused a request made from another site.");
    if (code == u"idempotency_key_reused")
        return tr("A retry of an earlier message did not match it; the message was not sent twice.");
    if (code == u"author_secret_required" || code == u"not_your_message")
        return tr("Only the person who sent a message can change it, from the window it was sent from.");
    if (code == u"message_deleted")
        return tr("The message was deleted.");
    if (code == u"not_a_message")
        return tr("That is not a message that can be changed.");
    if (code == u"invalid_reply_to")
        return tr("The message you are replying to is not in this room.");
    if (code == u"message_not_found")
        return tr("That message is not in the room.");
    if (code == u"cursor_beyond_last_id")
        return tr("The server's copy of this room was reset; the room is loaded again.");
    return {};
}
