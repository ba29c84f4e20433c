#pragma once

#include "chatconfig.h"
#include "core/message.h"
#include "timeline.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>

class ApiClient;
class Directory;
class MessageModel;
class Outbox;
class Poller;
class QNetworkReply;
class QStringListModel;
class RoomListModel;
class SearchResults;
class Session;
class TypingNotifier;
struct ApiResult;
struct OutgoingMessage;
struct RoomOverview;

// The chat client without a window: it owns the HTTP side (ApiClient, Session, Poller,
// Outbox, Directory), keeps what is known of every room, and offers it as models. A
// window shows the models and calls the intents below; a test can do the same with no
// window at all.
class ChatClient : public QObject
{
    Q_OBJECT

public:
    // What the status line and the message list say about the connection.
    enum class Connection {
        Connecting, // no answer yet
        Online,
        Unreachable, // nothing has answered since the start: likely a wrong address
        Offline, // it answered before and has stopped
        CertificateRejected,
        SigningIn,
        SignInDeclined,
        SignInThrottled,
    };
    Q_ENUM(Connection)

    struct Status
    {
        Connection connection = Connection::Connecting;
        QString text; // one line for people, in their language
        QString detail; // the underlying error, for a tooltip
        bool alarming = false;
    };

    explicit ChatClient(const ChatConfig &config, QObject *parent = nullptr);
    ~ChatClient() override;

    const ChatConfig &config() const { return m_config; }
    // The server as settings and remembered tokens name it: "HOST:PORT", "https+HOST:PORT".
    QString serverKey() const;
    QString name() const { return m_config.name; }
    RoomName currentRoom() const { return m_room; }
    ApiClient *api() const { return m_api; }
    Session *session() const { return m_session; }
    RoomListModel *rooms() const { return m_roomList; }
    MessageModel *messages() const { return m_messageModel; }
    // Who is online in the current room; the user's own name is marked.
    QStringListModel *members() const { return m_members; }
    // What the last search() found.
    SearchResults *searchResults() const { return m_searchResults; }
    // Who else is typing in the current room, in name order (never the user).
    QStringList typing() const { return m_typing; }

    Status status() const;
    // The current room's newest page has arrived (until then, an empty list means nothing).
    bool isRoomLoaded() const;
    bool isLoadingOlder() const;
    bool hasOlder() const;
    qsizetype pendingCount() const;
    qint64 unreadTotal() const;
    bool isLongPolling() const;

    // Starts talking to the server; connect to the signals first.
    void start();
    void openRoom(const RoomName &room);
    // `replyTo`: the message of the current room it answers, 0 when none.
    void send(const QString &text, MessageId replyTo = 0);
    // Changes to a message of the current room. Edit and delete are the author's (the
    // server checks the Author-Secret this window sends its messages with); each answer
    // shows at once, and the room's entries bring the same to everyone else.
    void editMessage(MessageId id, const QString &text);
    void deleteMessage(MessageId id);
    // Adds the user's `emoji` to the message, or takes it back if it is there.
    void toggleReaction(MessageId id, const QString &emoji);
    // Shows message `id` of the current room (messageShown), loading the page around it
    // when it is not loaded: what a click on a reply's quote does.
    void jumpToMessage(MessageId id);
    // The composer now holds `text`: others are told the user is typing (TypingNotifier).
    void composerEdited(const QString &text);
    void loadOlder();
    // Searches every room, or only the current one (GET /api/v1/search).
    void search(const QString &text, bool currentRoomOnly);
    // Opens `room` and loads the page around message `id` if it is not loaded, then says
    // where it is (messageShown) or that it is out of reach. The pages between that one and
    // the newest follow behind, at most maxGapPages of them.
    void showMessage(const RoomName &room, MessageId id);
    static constexpr int maxGapPages = 50;
    // Whether the user sees the newest messages of the current room (window active,
    // scrolled to the bottom): what arrives meanwhile is read, not news.
    void setReading(bool reading);
    void setName(const QString &name);
    void signIn(const QString &password, bool remember);
    void declineSignIn();
    void askSignInAgain();
    void signOut();
    // Off the current room's Online list at once (the window closes, or talks elsewhere).
    void leaveCurrentRoom();
    // After the event loop ended: lets the leave go out, for at most `maxMs`.
    void finishLeaving(int maxMs);

signals:
    void currentRoomChanged(const RoomName &room);
    void statusChanged();
    // isRoomLoaded() or isLoadingOlder() or hasOlder() changed.
    void roomStateChanged();
    void passwordNeeded(const QString &reason);
    // The server refused a send; `text` is what was typed, to be offered back for fixing.
    void sendRefused(const QString &text, const QString &message, const QString &serverDetail);
    void errorOccurred(const QString &message, const QString &serverDetail);
    // Messages by others that arrived after their room was first loaded: what notifies.
    void newsArrived(const RoomName &room, const QList<Message> &messages);
    void unreadTotalChanged(qint64 total);
    void nameChanged(const QString &name);
    void typingChanged(const QStringList &names);
    // The message showMessage() asked for is row `row` of messages().
    void messageShown(int row);
    void messageOutOfReach(const RoomName &room, MessageId id);

private:
    struct RoomState
    {
        Timeline timeline;
        MessageId lastReadId = 0;
        MessageId lastKnownId = 0;
        bool known = false; // listed by the server or opened here
        bool loaded = false; // the timeline reaches the room's newest message
        bool loadingOlder = false;
        bool fillingGap = false;
        int gapPagesLoaded = 0;
        QPointer<QNetworkReply> newsRequest;
    };

    void wire();
    void follow(const RoomName &room);
    // What a PATCH, DELETE or reaction answers: the message as it is now, shown at once.
    void changeMessage(const QByteArray &method, const QString &path, const QUrlQuery &query, const QJsonObject &body,
                       bool withSecret);
    void fetchQuoted(MessageId id);
    void onMessages(const RoomName &room, const QList<Message> &messages, MessageId lastId, bool initial);
    void onDelivered(const OutgoingMessage &sent, const Message &stored);
    void onRoomsUpdated(const QList<RoomOverview> &rooms);
    void onMembers(const RoomName &room, const QStringList &names);
    void onTyping(const RoomName &room, const QStringList &names);
    void takeNews(const RoomName &room, const QList<Message> &messages);
    // Messages of a room other than the current one that are newer than what is held.
    void fetchNews(const RoomName &room);
    void markRead();
    void showUnread(const RoomName &room);
    void showPending();
    void setOnline(bool online);
    // Brings the message showMessage() wants closer: shows it, or loads the page around it.
    void continueJump();
    // Loads the page below the run of the newest messages, when a jump left a gap.
    void fillGap();

    ChatConfig m_config;
    RoomName m_room;
    QHash<RoomName, RoomState> m_states;
    bool m_reading = true;
    bool m_started = false; // a room was opened: switching leaves it

    bool m_online = true;
    bool m_everAnswered = false;
    QString m_offlineReason;
    QString m_certificateProblem; // until the server answers again
    int m_retryInMs = 0;

    ApiClient *m_api;
    Session *m_session;
    Poller *m_poller;
    Outbox *m_outbox;
    Directory *m_directory;
    RoomListModel *m_roomList;
    MessageModel *m_messageModel;
    QStringListModel *m_members;
    QStringList m_typing;
    TypingNotifier *m_typingNotifier;
    SearchResults *m_searchResults;
    struct Jump
    {
        RoomName room;
        MessageId id = 0;
        bool askedAround = false;
    };
    QByteArray m_authorSecret;
    QSet<MessageId> m_quotesAsked; // of the current room
    std::optional<Jump> m_jump;
};
