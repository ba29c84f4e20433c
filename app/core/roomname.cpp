#include "roomname.h"

namespace {
constexpr qsizetype maxRoomNameLength = 64;

bool isLeadCharacter(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9');
}
} // namespace

std::optional<RoomName> RoomName::parse(QStringView candidate)
{
    if (candidate.isEmpty() || candidate.size() > maxRoomNameLength)
        return std::nullopt;
    if (!isLeadCharacter(candidate.front()))
        return std::nullopt;
    for (QChar c : candidate) {
        if (!isLeadCharacter(c) && c != u'_' && c != u'-')
            return std::nullopt;
    }
    return RoomName(candidate.toString());
}

RoomName RoomName::general()
{
    return RoomName(QStringLiteral("general"));
}
