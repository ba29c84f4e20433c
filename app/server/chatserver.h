#pragma once

#include "accesslog.h"
#include "connectionguard.h"
#include "core/historyquery.h"
#include "ratelimiter.h"
#include "hub.h"
#include "lastpage.h"
#include "metrics.h"
#include "originpolicy.h"
#include "reply.h"
#include "request.h"
#include "sessions.h"
#include "trustedproxies.h"
#include "router.h"
#include "runningappimage.h"

#include <QAbstractHttpServer>
#include <QHttpServerRequest>
#include <memory>
#include <vector>

using ReplyPtr = std::shared_ptr<Reply>;

// The HTTP API v1 (docs/api.md). QHttpServer parses the requests; this class routes
// them by path and method, validates them with core/, and answers from the Hub or
// after the Storage calls back. No handler waits on the disk.
class ChatServer : public QAbstractHttpServer
{
    Q_OBJECT

public:
    // A non-empty `password` turns on access control; `allowedHosts` are the names
    // besides the machine's own that Host may give (docs/security.md); `trustedProxies`
    // may say whom they forward for.
    ChatServer(Storage &storage, bool accessLog, const ServerLimits &limits = {},
               const QString &password = {}, const QStringList &allowedHosts = {},
               const TrustedProxies &trustedProxies = {}, QObject *parent = nullptr);

    // Listens through a ConnectionGuard that enforces the limits, speaking HTTPS when
    // given `tls`; returns the port, or 0.
    quint16 listenGuarded(const QHostAddress &address, quint16 port,
                          std::optional<QSslConfiguration> tls = std::nullopt);
    ~ChatServer() override;

    // Who is online and typing is shared with the other nodes of the store through
    // `shared`, which must outlive the server (Hub::sharePresence).
    void sharePresence(SharedPresence &shared) { m_hub.sharePresence(shared); }

    // Stops accepting connections, answers the held polls, closes the streams, and
    // emits drained() once every accepted send has been answered.
    void shutDown();
    // Closes every client connection once its pending output is written, then calls
    // `done` (or after a deadline, whichever is first).
    void closeConnections(std::function<void()> done);

signals:
    void drained();

protected:
    // HttpConnection is what this Qt's QAbstractHttpServer passes (httpexchange.h).
    bool handleRequest(const QHttpServerRequest &request, HttpConnection connection) override;
    void missingHandler(const QHttpServerRequest &request, HttpConnection connection) override;

private:
    using PathArguments = Router::Arguments;
    using Handler = void (ChatServer::*)(const Request &, const PathArguments &,
                                         const ReplyPtr &);
    enum class Access { TokenNeeded, Open };
    struct RouteTable
    {
        Router router;
        // Parallel to the router's routes.
        QList<Handler> handlers;
        QList<Access> access;
        void add(const char *pattern, Router::Method method, Handler handler,
                 Access needs = Access::TokenNeeded);
    };

    static const RouteTable &routes();
    // A request whose body length could be read two ways, or nullopt.
    static std::optional<ApiError> ambiguousFraming(const Request &request);
    // Whom `request` is from: the connection's peer, or the client a trusted proxy
    // forwards it for. What every per-address limit counts and the access log shows;
    // limits on the connection itself (its count, timeouts, output) stay with the peer.
    QHostAddress clientAddress(const QHttpServerRequest &request) const;
    ReplyPtr makeReply(const QHttpServerRequest &request, HttpConnection connection);
    void route(const Request &request, const ReplyPtr &reply);
    void dispatch(const Router::Match &match, const Request &request, const ReplyPtr &reply);
    void handle(const Router::Match &match, const Request &request, const ReplyPtr &reply);
    bool mayBeAnotherNodesRoom(const QString &name) const;
    void findRoomThenHandle(const Router::Match &match, const Request &request, const ReplyPtr &reply);

    // Pages for people (homeroutes.cpp, downloadroutes.cpp)
    void homePage(const Request &request, const PathArguments &, const ReplyPtr &reply);
    void apiDocument(const Request &, const PathArguments &, const ReplyPtr &reply);
    void downloadAppImage(const Request &request, const PathArguments &, const ReplyPtr &reply);
    // Operations (chatserver.cpp)
    void health(const Request &, const PathArguments &, const ReplyPtr &reply);
    void metrics(const Request &, const PathArguments &, const ReplyPtr &reply);
    // Sessions (sessionroutes.cpp)
    void createSession(const Request &request, const PathArguments &, const ReplyPtr &reply);
    void deleteSession(const Request &request, const PathArguments &, const ReplyPtr &reply);
    // Loads the sessions, or with a store other nodes share, follows its revocations.
    void startSessions();
    // With access control on, answers 401 itself unless `request` carries a valid token;
    // AskStore: a token this node does not know, of a store other nodes share, whose hash
    // is in `unknownSession`.
    enum class Admission { Admitted, Refused, AskStore };
    Admission admission(const Request &request, const ReplyPtr &reply, QByteArray *unknownSession) const;
    struct WaitingRequest
    {
        Router::Match match;
        Request request;
        ReplyPtr reply;
    };
    // Asks the store about `session` once however many requests wait for it, then
    // dispatches them or refuses them.
    void admitOnceKnown(const QByteArray &session, WaitingRequest waiting);
    void sessionFound(const QByteArray &session, Storage::SessionFound found);
    void sessionsRevoked(const QList<QByteArray> &sessions, bool lostTrack);
    // The same for an answer given later, when the token may have been revoked meanwhile.
    bool stillAdmitted(const ReplyPtr &reply) const;
    // Rooms (roomroutes.cpp)
    void listRooms(const Request &, const PathArguments &, const ReplyPtr &reply);
    void getRoom(const Request &, const PathArguments &args, const ReplyPtr &reply);
    void putRoom(const Request &, const PathArguments &args,
                 const ReplyPtr &reply);
    void listMembers(const Request &, const PathArguments &args, const ReplyPtr &reply);
    void leaveRoom(const Request &, const PathArguments &args, const ReplyPtr &reply);
    // Search (searchroutes.cpp)
    void search(const Request &request, const PathArguments &, const ReplyPtr &reply);
    // Messages (messageroutes.cpp)
    void postMessage(const Request &request, const PathArguments &args,
                     const ReplyPtr &reply);
    void getMessages(const Request &request, const PathArguments &args,
                     const ReplyPtr &reply);
    void getMessage(const Request &, const PathArguments &args, const ReplyPtr &reply);
    void streamEvents(const Request &request, const PathArguments &args,
                      const ReplyPtr &reply);
    // Typing (typingroutes.cpp)
    void postTyping(const Request &request, const PathArguments &args, const ReplyPtr &reply);

    // Changes to messages (changeroutes.cpp)
    void editMessage(const Request &request, const PathArguments &args, const ReplyPtr &reply);
    void deleteMessage(const Request &request, const PathArguments &args, const ReplyPtr &reply);
    void addReaction(const Request &request, const PathArguments &args, const ReplyPtr &reply);
    void removeReaction(const Request &request, const PathArguments &args, const ReplyPtr &reply);
    // The room and message id of a change's path, and the check every change passes first
    // (the send rate); otherwise answers the 404 or 429 itself.
    std::optional<std::pair<RoomName, MessageId>> changeTarget(const PathArguments &args,
                                                               const ReplyPtr &reply);
    // The Author-Secret's hash that an edit or deletion needs, or answers the 400 or 403.
    std::optional<QByteArray> requiredAuthorSecret(const Request &request, const ReplyPtr &reply);
    // Stores `change` and answers with the message as it is now: `createdStatus` when an
    // entry was added, 200 when the message already was as asked.
    void submitChange(const ReplyPtr &reply, const RoomName &room, const EntryChange &change,
                      int createdStatus = 200);

    PageRequest pageRequest(const RoomName &room, const HistoryQuery &query) const;
    // The rest of getMessages once its cursor is known to be one the room has reached.
    void serveMessages(const ReplyPtr &reply, const RoomName &room, const HistoryQuery &query);
    // The id of the room's newest message in the store, or nullopt if it cannot be read.
    void newestStoredId(const RoomName &room, std::function<void(std::optional<MessageId>)> done);
    // Starts a stream after `cursor`; with `reset`, first tells the reader its cursor was
    // one the room never reached (the reset event of docs/api.md).
    void openStream(const ReplyPtr &reply, const RoomName &room, MessageId cursor,
                    const QString &memberName, std::optional<qint64> roomsSince,
                    const std::optional<ApiError> &reset = std::nullopt);
    // Answers with the messages `request` selects, once they are read; with `roomsSince`,
    // also the rooms changed after it.
    void answerPage(const ReplyPtr &reply, const RoomName &room, const PageRequest &request,
                    std::optional<qint64> roomsSince = std::nullopt);
    // The page's JSON, its last_id the newest of the page and of the room.
    QByteArray pageAnswerJson(const RoomName &room, const Page &page) const;
    // `pageJson` with the rooms changed after `since`, as they are now.
    QByteArray withRoomChanges(QByteArray pageJson, qint64 since) const;
    // The room named in the path, if it is valid and exists; otherwise answers the
    // 400 or 404 itself.
    std::optional<RoomName> existingRoom(const PathArguments &args, const ReplyPtr &reply);
    QByteArray roomJson(const RoomName &room) const;

    // Storage calls whose answer is still to come; shutdown waits for them.
    void beginStorageCall() { ++m_storageCallsInFlight; }
    void endStorageCall();

    Storage &m_storage;
    AccessLog m_accessLog;
    Metrics m_metrics;
    Hub m_hub;
    LastPage m_lastPage;
    ServerLimits m_limits;
    RateLimiter m_sendLimiter;
    // @room notifies everyone in the room: a few in a row, then one every 30 s an address.
    RateLimiter m_roomMentionLimiter{1.0 / 30, 2};
    Sessions m_sessions;
    // Requests whose token the store is asked about, by the token's hash.
    QHash<QByteArray, std::vector<WaitingRequest>> m_sessionLookups;
    OriginPolicy m_originPolicy;
    TrustedProxies m_trustedProxies;
    ConnectionGuard *m_guard = nullptr;
    // Empty unless started from an AppImage, which is then offered for download.
    const QString m_appImagePath = runningAppImagePath();
    int m_storageCallsInFlight = 0;
    int m_sendsInFlight = 0;
    bool m_shuttingDown = false;
};
