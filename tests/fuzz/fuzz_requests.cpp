// libFuzzer target: one input is one request (the format is in request.h), decoded by the
// same functions ChatServer's handlers call, with every result checked (checks.h).

#include "checks.h"
#include "request.h"
#include "routes.h"

#include <cstddef>
#include <cstdint>
#include <iterator>

// The sessions work adds a body decoder; fuzz it where it is, without needing it.
#if __has_include("core/passwordrequest.h")
#include "core/passwordrequest.h"
#define FUZZ_PASSWORD_REQUEST 1
#endif

namespace {
using Method = Router::Method;

const Router &router()
{
    static const Router table = [] {
        Router r;
        for (const RoutePattern &route : routePatterns)
            r.add(route.pattern, route.method);
        return r;
    }();
    return table;
}

// The path a route matches, rebuilt from its pattern and the segments it captured.
QString pathOf(const RoutePattern &route, const Router::Arguments &arguments)
{
    QStringList segments = QString::fromLatin1(route.pattern).split(u'/', Qt::SkipEmptyParts);
    for (QString &segment : segments) {
        if (segment == u"{room}")
            segment = arguments.room;
        else if (segment == u"{id}")
            segment = arguments.id;
        else if (segment == u"{name}")
            segment = arguments.name;
    }
    return u'/' + segments.join(u'/');
}

void checkMatch(Method method, const QString &path, const Router::Match &match)
{
    FUZZ_CHECK(match.route >= -1 && match.route < qsizetype(std::size(routePatterns)), path);
    if (match.route >= 0) {
        const RoutePattern &route = routePatterns[match.route];
        const bool headOfGet = method == Method::Head && route.method == Method::Get;
        FUZZ_CHECK((route.method == method || headOfGet) && match.allowed.isEmpty(), path);
        FUZZ_CHECK(pathOf(route, match.arguments) == path, path);
        return;
    }
    // A 405's Allow names each method the path answers once, and a 404 means none does.
    for (const QByteArray &name : match.allowed) {
        const QString shown = path + u' ' + QString::fromLatin1(name);
        FUZZ_CHECK(match.allowed.count(name) == 1 && name != Router::methodName(method), shown);
        FUZZ_CHECK(router().match(methodFromName(name), path).route >= 0, shown);
    }
    if (match.allowed.isEmpty()) {
        for (const RoutePattern &route : routePatterns)
            FUZZ_CHECK(router().match(route.method, path).route < 0, path);
    }
}

// What the handler of the matched route decodes from the path, and the errors it answers.
void decodePath(const FuzzRequest &request)
{
    const QString path = request.url.path(QUrl::FullyEncoded);
    const Router::Match match = router().match(request.method, path);
    checkMatch(request.method, path, match);
    if (match.route < 0) {
        checkError(match.allowed.isEmpty()
                       ? Errors::notFound(path)
                       : Errors::methodNotAllowed(
                           QString::fromLatin1(Router::methodName(request.method)), path));
        return;
    }
    const QLatin1String pattern(routePatterns[match.route].pattern);
    if (!pattern.contains(QLatin1String("{room}")))
        return;
    const auto room = RoomName::parse(match.arguments.room);
    checkRoomName(match.arguments.room, room);
    if (!room) {
        checkError(Errors::invalidRoom(match.arguments.room));
        return;
    }
    checkError(Errors::roomNotFound(room->value()));
    if (pattern.contains(QLatin1String("{id}"))) {
        const auto id = parseMessageId(match.arguments.id);
        checkMessageId(match.arguments.id, id);
        checkError(id ? Errors::messageNotFound(room->value(), *id) : Errors::notFound(path));
    }
    if (pattern.contains(QLatin1String("{name}"))) {
        // As leaveRoom decodes it: a name, held to the rules of `name=`, or a 400.
        const QString given = QUrl::fromPercentEncoding(match.arguments.name.toUtf8());
        const auto name = normalisedPersonName(given);
        if (name)
            checkPersonName(*name);
        else
            checkError(Errors::invalidName(given));
    }
}

// The query, headers and body, decoded whatever the path: the fuzzer need not learn the
// paths first to reach these decoders.
void decodeRest(const FuzzRequest &request)
{
    const auto query = parseHistoryQuery(requestQuery(request.url));
    if (const auto *parsed = std::get_if<HistoryQuery>(&query))
        checkHistoryQuery(*parsed);
    else
        checkError(std::get<ApiError>(query));

    const auto roomList = parseRoomListQuery(requestQuery(request.url));
    if (const auto *parsed = std::get_if<RoomListQuery>(&roomList))
        checkRoomListQuery(*parsed);
    else
        checkError(std::get<ApiError>(roomList));

    const QString lastEventId = QString::fromLatin1(request.lastEventId);
    const auto resumeAfter = parseMessageId(lastEventId);
    checkMessageId(lastEventId, resumeAfter);

    const auto draft = parseMessageDraft(request.contentType, request.body);
    if (const auto *parsed = std::get_if<MessageDraft>(&draft))
        checkDraft(*parsed);
    else
        checkError(std::get<ApiError>(draft));

    const auto edited = parseEditedText(request.contentType, request.body);
    if (const auto *text = std::get_if<QString>(&edited))
        FUZZ_CHECK(!text->trimmed().isEmpty() && characterCount(*text) <= Limits::maxTextCharacters, *text);
    else
        checkError(std::get<ApiError>(edited));
    for (const auto &reaction : {parseReactionBody(request.contentType, request.body),
                                 parseReactionQuery(requestQuery(request.url))}) {
        if (const auto *parsed = std::get_if<ReactionDraft>(&reaction))
            checkReaction(*parsed);
        else
            checkError(std::get<ApiError>(reaction));
    }

#ifdef FUZZ_PASSWORD_REQUEST
    const auto password = parsePasswordRequest(request.contentType, request.body);
    if (const auto *parsed = std::get_if<QString>(&password))
        FUZZ_CHECK(!parsed->isEmpty() && parsed->size() <= Limits::maxPasswordCharacters, *parsed);
    else
        checkError(std::get<ApiError>(password));
#endif
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const FuzzRequest request = splitInput(reinterpret_cast<const char *>(data), size);
    decodePath(request);
    decodeRest(request);
    return 0;
}
