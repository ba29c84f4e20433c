#include "chatclient.h"

#include "apiclient.h"
#include "authorsecret.h"
#include "chosenname.h"
#include "directory.h"
#include "history.h"
#include "mention.h"
#include "messagemodel.h"
#include "outbox.h"
#include "poller.h"
#include "roomactivitylink.h"
#include "roomlistmodel.h"
#include "searchresults.h"
#include "session.h"
#include "typingnotifier.h"

#include <QJsonObject>
#include <QNetworkReply>
#include <QStringListModel>

namespace {
// HOST:PORT, as before https existed; an https server on the same port is another server.
QString rememberedTokenKey(const QUrl &server)
{
    const QString authority = server.authority();
    return server.scheme() == u"https" ? QStringLiteral("https+") + authority : authority;
}
} // namespace

ChatClient::ChatClient(const ChatConfig &config, QObject *parent)
    : QObject(parent),
      m_config(config),
      m_room(config.room),
      m_api(new ApiClient(config.serverUrl, this)),
      m_session(new Session(m_api, rememberedTokenKey(config.serverUrl), config.password, this)),
      m_poller(new Poller(m_api, config.name, config.pollIntervalMs, this)),
      m_outbox(new Outbox(m_api, this)),
      m_directory(new Directory(m_api, this)),
      m_roomList(new RoomListModel(this)),
      m_messageModel(new MessageModel(this)),
      m_members(new QStringListModel(this)),
      m_typingNotifier(new TypingNotifier(m_api, this)),
      m_searchResults(new SearchResults(m_api, this))
{
    m_api->setCaCertificates(config.caCertificates);
    m_messageModel->setOwnName(config.name);
    m_authorSecret = AuthorSecret::forServer(rememberedTokenKey(config.serverUrl));
    m_outbox->setAuthorSecret(m_authorSecret);
    wire();
}

ChatClient::~ChatClient() = default;

QString ChatClient::serverKey() const
{
    return rememberedTokenKey(m_config.serverUrl);
}

void ChatClient::wire()
{
    connect(m_api, &ApiClient::exchangeFinished, this, [this](const Exchange &exchange) {
        if (exchange.status != 0 && !m_everAnswered) {
            m_everAnswered = true;
            emit statusChanged();
        }
    });
    connect(m_api, &ApiClient::certificateRejected, this, [this](const QString &message) {
        m_certificateProblem = message;
        emit statusChanged();
    });
    connect(m_poller, &Poller::messagesArrived, this, &ChatClient::onMessages);
    connect(m_messageModel, &MessageModel::quoteWanted, this, &ChatClient::fetchQuoted);
    connect(m_poller, &Poller::roomReset, this, [this](const RoomName &room) {
        // What is held of the room is another copy's: ids will be given again.
        RoomState &state = m_states[room];
        state = RoomState();
        state.known = true;
        if (room == m_room)
            m_messageModel->showRoom(m_room, state.timeline, m_outbox->pendingIn(room), 0);
        showUnread(room);
        emit roomStateChanged();
    });
    connect(m_poller, &Poller::onlineChanged, this, &ChatClient::setOnline);
    connect(m_poller, &Poller::retryScheduled, this, [this](int delayMs, const QString &error) {
        m_retryInMs = delayMs;
        m_offlineReason = error;
        emit statusChanged();
    });
    connect(m_poller, &Poller::roomMissing, m_directory, &Directory::createRoom);

    connect(m_outbox, &Outbox::pendingChanged, this, &ChatClient::showPending);
    connect(m_outbox, &Outbox::delivered, this, &ChatClient::onDelivered);
    connect(m_outbox, &Outbox::refused, this, [this](const OutgoingMessage &message, const ApiResult &result) {
        emit sendRefused(message.text, result.errorMessage, result.serverMessage);
    });
    connect(m_outbox, &Outbox::deliveryDelayed, this, [this] { m_poller->retryNow(); });

    connect(m_directory, &Directory::roomsUpdated, this, &ChatClient::onRoomsUpdated);
    // Rooms that changed come with the poll, within a second, not with the next listing.
    linkRoomActivity(m_poller, m_directory);
    connect(m_poller, &Poller::roomsChanged, this, [this](const QList<RoomOverview> &rooms) { onRoomsUpdated(rooms); });
    connect(m_directory, &Directory::membersUpdated, this, &ChatClient::onMembers);
    connect(m_directory, &Directory::typingUpdated, this, &ChatClient::onTyping);
    connect(m_directory, &Directory::roomCreated, this, [this](const RoomName &room) {
        m_states[room].known = true;
        m_roomList->addRoom(room);
        if (room == m_room)
            follow(room);
    });
    connect(m_directory, &Directory::roomRefused, this, [this](const RoomName &room, const ApiResult &result) {
        // A 401 is for the session to answer; once signed in, the poller finds the room
        // missing and it is asked for again. No answer at all is the connection's status.
        if (result.reachedServer() && result.exchange.status != 401)
            emit errorOccurred(result.errorMessage, result.serverMessage);
        // Most likely the server is away: the poller's back-off will find it again.
        if (room == m_room)
            follow(m_room);
    });

    connect(m_session, &Session::passwordNeeded, this, &ChatClient::passwordNeeded);
    connect(m_session, &Session::signedIn, this, [this] {
        // What the 401s held back goes now, not after a back-off.
        m_poller->retryNow();
        m_outbox->retryNow();
        m_directory->start();
    });
    connect(m_session, &Session::stateChanged, this, &ChatClient::statusChanged);
    connect(m_roomList, &RoomListModel::unreadTotalChanged, this, &ChatClient::unreadTotalChanged);
}

void ChatClient::start()
{
    openRoom(m_room);
    m_directory->start();
}

void ChatClient::openRoom(const RoomName &room)
{
    if (room != m_room && m_started)
        leaveCurrentRoom();
    m_started = true;
    m_room = room;
    RoomState &state = m_states[room];
    // News fetched for a room not open here may not reach its newest page: the room is
    // read again from its newest page rather than shown with a gap.
    if (!state.loaded)
        state.timeline = Timeline();
    const MessageId firstUnread = state.lastKnownId > state.lastReadId ? state.lastReadId + 1 : 0;
    m_roomList->addRoom(room);
    m_quotesAsked.clear();
    m_messageModel->showRoom(room, state.timeline, m_outbox->pendingIn(room), firstUnread);
    m_members->setStringList({});
    onTyping(room, {});
    // Opening a room that is not known yet is a PUT: it creates the room or confirms it.
    if (state.known)
        follow(room);
    else
        m_directory->createRoom(room);
    markRead();
    // A jump's page held apart when the user went elsewhere: the pages between follow now.
    state.gapPagesLoaded = 0;
    fillGap();
    emit currentRoomChanged(room);
    emit roomStateChanged();
}

void ChatClient::leaveCurrentRoom()
{
    // The poller first: a poll of the room after the leave would list the name again.
    m_poller->stop();
    m_directory->leave(m_room, m_config.name);
}

void ChatClient::finishLeaving(int maxMs)
{
    m_directory->finishLeaving(maxMs);
}

void ChatClient::follow(const RoomName &room)
{
    const RoomState &state = m_states[room];
    m_poller->follow(room, state.loaded ? std::optional<MessageId>(state.timeline.newestId()) : std::nullopt);
    m_directory->setCurrentRoom(room);
}

void ChatClient::send(const QString &text, MessageId replyTo)
{
    if (text.trimmed().isEmpty())
        return;
    m_outbox->enqueue(m_room, m_config.name, text, replyTo);
}

void ChatClient::editMessage(MessageId id, const QString &text)
{
    if (text.trimmed().isEmpty())
        return;
    changeMessage("PATCH", apiPath({u"rooms", m_room.value(), u"messages", QString::number(id)}), {},
                  {{QStringLiteral("text"), text}}, true);
}

void ChatClient::deleteMessage(MessageId id)
{
    changeMessage("DELETE", apiPath({u"rooms", m_room.value(), u"messages", QString::number(id)}), {}, {}, true);
}

void ChatClient::toggleReaction(MessageId id, const QString &emoji)
{
    const int row = m_messageModel->rowOfMessage(id);
    if (row < 0)
        return;
    const bool mine =
        m_messageModel->index(row).data(MessageModel::MyReactionsRole).toStringList().contains(emoji);
    const QString path = apiPath({u"rooms", m_room.value(), u"messages", QString::number(id), u"reactions"});
    if (mine) {
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("author"), QString::fromLatin1(QUrl::toPercentEncoding(m_config.name)));
        query.addQueryItem(QStringLiteral("emoji"), QString::fromLatin1(QUrl::toPercentEncoding(emoji)));
        changeMessage("DELETE", path, query, {}, false);
    } else {
        changeMessage("POST", path, {}, {{QStringLiteral("author"), m_config.name}, {QStringLiteral("emoji"), emoji}},
                      false);
    }
}

void ChatClient::changeMessage(const QByteArray &method, const QString &path, const QUrlQuery &query,
                               const QJsonObject &body, bool withSecret)
{
    ApiClient::Headers headers;
    if (withSecret)
        headers.append({"Author-Secret", m_authorSecret});
    const RoomName room = m_room;
    m_api->send(method, path, query, body, headers, this, [this, room](const ApiResult &result) {
        if (!result.succeeded()) {
            // A 401 is for the session to answer (it asks for the password).
            if (result.exchange.status != 401)
                emit errorOccurred(result.errorMessage, result.serverMessage);
            return;
        }
        const auto current = messageFromJson(result.body);
        if (current && room == m_room)
            m_messageModel->updateMessage(*current);
    });
}

void ChatClient::fetchQuoted(MessageId id)
{
    if (m_quotesAsked.contains(id))
        return;
    m_quotesAsked.insert(id);
    const RoomName room = m_room;
    m_api->get(apiPath({u"rooms", room.value(), u"messages", QString::number(id)}), {}, ApiClient::defaultTimeoutMs,
               this, [this, room](const ApiResult &result) {
        if (!result.succeeded() || room != m_room)
            return;
        if (const auto original = messageFromJson(result.body))
            m_messageModel->addQuoted(*original);
    });
}

void ChatClient::composerEdited(const QString &text)
{
    m_typingNotifier->edited(m_room, m_config.name, text);
}

void ChatClient::onDelivered(const OutgoingMessage &sent, const Message &stored)
{
    RoomState &state = m_states[sent.room];
    state.timeline.merge({stored});
    state.lastKnownId = std::max(state.lastKnownId, stored.id);
    if (sent.room == m_room) {
        m_messageModel->addMessages({stored});
        // Whoever writes has read what came before.
        markRead();
    }
}

void ChatClient::showPending()
{
    m_messageModel->setPending(m_outbox->pendingIn(m_room));
}

void ChatClient::onMessages(const RoomName &room, const QList<Message> &messages, MessageId lastId, bool initial)
{
    RoomState &state = m_states[room];
    const bool wasLoaded = state.loaded;
    state.loaded = true;
    state.known = true;
    state.lastKnownId = std::max(state.lastKnownId, lastId);
    if (initial && state.lastReadId == 0)
        state.lastReadId = lastId;
    QList<Message> news;
    for (const Message &message : messages) {
        // An edit or a reaction changes what is there: it is not news to be told about.
        if (!state.timeline.messages().contains(message.id) && message.author != m_config.name
            && message.isMessage())
            news.append(message);
    }
    state.timeline.merge(messages);
    if (room == m_room) {
        m_messageModel->addMessages(messages);
        if (m_reading || initial)
            markRead();
        else if (m_messageModel->firstUnreadId() == 0 && !news.isEmpty())
            m_messageModel->setFirstUnread(news.first().id);
    }
    showUnread(room);
    if (wasLoaded && !initial && !news.isEmpty())
        emit newsArrived(room, news);
    if (initial) {
        emit roomStateChanged();
        continueJump();
    }
}

void ChatClient::onRoomsUpdated(const QList<RoomOverview> &rooms)
{
    for (const RoomOverview &summary : rooms) {
        const RoomName &room = summary.name;
        RoomState &state = m_states[room];
        // A room seen for the first time starts read: only what comes later is news.
        if (!state.known && !state.loaded) {
            state.known = true;
            state.lastReadId = std::max(state.lastReadId, summary.lastId);
        }
        state.known = true;
        state.lastKnownId = std::max(state.lastKnownId, summary.lastId);
        m_roomList->addRoom(room);
        if (room != m_room && state.lastKnownId > std::max(state.lastReadId, state.timeline.newestId()))
            fetchNews(room);
        showUnread(room);
    }
    if (m_reading)
        markRead();
}

void ChatClient::fetchNews(const RoomName &room)
{
    RoomState &state = m_states[room];
    if (state.newsRequest)
        return;
    // One page, the newest: a flood in another room costs one request per update, and
    // what mentions the user is most likely in what came last.
    const MessageId held = std::max(state.lastReadId, state.timeline.newestId());
    const MessageId after = std::max(held, state.lastKnownId - MessageId(Poller::pageLimit));
    if (after > held)
        state.timeline = Timeline(); // a gap: what is held no longer joins what comes
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("after"), QString::number(after));
    query.addQueryItem(QStringLiteral("limit"), QString::number(Poller::pageLimit));
    state.newsRequest = m_api->get(apiPath({u"rooms", room.value(), u"messages"}), query, ApiClient::defaultTimeoutMs,
                                   this, [this, room](const ApiResult &result) {
        if (!result.succeeded() || room == m_room)
            return;
        RoomState &target = m_states[room];
        target.lastKnownId = std::max(target.lastKnownId, result.body.value(QLatin1String("last_id")).toInteger());
        const QList<Message> page = messagesOfPage(result.body);
        takeNews(room, page);
        // More came while this was on its way: unread counts only what is held for
        // certain (an edit or a reaction takes an id too), so that is read as well.
        target.newsRequest = nullptr;
        if (!page.isEmpty() && target.lastKnownId > target.timeline.newestId())
            fetchNews(room);
    });
}

void ChatClient::takeNews(const RoomName &room, const QList<Message> &messages)
{
    RoomState &state = m_states[room];
    QList<Message> news;
    for (const Message &message : messages) {
        if (message.id > state.lastReadId && message.author != m_config.name
            && !state.timeline.messages().contains(message.id) && message.isMessage())
            news.append(message);
    }
    state.timeline.merge(messages);
    showUnread(room);
    if (!news.isEmpty())
        emit newsArrived(room, news);
}

void ChatClient::onMembers(const RoomName &room, const QStringList &names)
{
    if (room != m_room)
        return;
    QStringList shown;
    for (const QString &name : names)
        shown.append(name == m_config.name ? tr("%1 (you)").arg(name) : name);
    // Asked for every few seconds while typing is watched: a reset each time would lose
    // the list's current row under a keyboard or a screen reader.
    if (shown != m_members->stringList())
        m_members->setStringList(shown);
}

void ChatClient::onTyping(const RoomName &room, const QStringList &names)
{
    if (room != m_room)
        return;
    QStringList others = names;
    others.removeAll(m_config.name);
    if (others == m_typing)
        return;
    m_typing = others;
    emit typingChanged(m_typing);
}

void ChatClient::markRead()
{
    RoomState &state = m_states[m_room];
    state.lastReadId = std::max({state.lastReadId, state.timeline.newestId(), state.lastKnownId});
    showUnread(m_room);
}

void ChatClient::showUnread(const RoomName &room)
{
    const RoomState &state = m_states[room];
    qint64 unread = std::max<qint64>(0, state.lastKnownId - state.lastReadId);
    int mentionCount = 0;
    const auto &held = state.timeline.messages();
    for (auto it = held.upperBound(state.lastReadId); it != held.cend(); ++it) {
        // Ids count every entry; an edit or a reaction is not a message to read.
        if (!it->isMessage())
            --unread;
        else if (it->author != m_config.name && mentions(it->text, m_config.name))
            ++mentionCount;
    }
    m_roomList->setUnread(room, std::max<qint64>(0, unread), mentionCount);
}

void ChatClient::setReading(bool reading)
{
    m_reading = reading;
    if (reading)
        markRead();
}

void ChatClient::loadOlder()
{
    RoomState &state = m_states[m_room];
    if (!state.loaded || state.loadingOlder || !state.timeline.hasOlder())
        return;
    state.loadingOlder = true;
    emit roomStateChanged();
    const RoomName room = m_room;
    fetchOlderMessages(m_api, room, state.timeline.oldestId(), Poller::pageLimit, this,
                       [this, room](bool, const QList<Message> &older) {
        RoomState &target = m_states[room];
        target.loadingOlder = false;
        target.timeline.merge(older);
        if (room == m_room)
            m_messageModel->addMessages(older);
        emit roomStateChanged();
        continueJump();
    });
}

void ChatClient::search(const QString &text, bool currentRoomOnly)
{
    m_searchResults->search(text, currentRoomOnly ? std::optional<RoomName>(m_room) : std::nullopt);
}

void ChatClient::showMessage(const RoomName &room, MessageId id)
{
    m_jump = Jump{room, id, false};
    if (room != m_room)
        openRoom(room);
    continueJump();
}

void ChatClient::jumpToMessage(MessageId id)
{
    showMessage(m_room, id);
}

void ChatClient::continueJump()
{
    if (!m_jump)
        return;
    if (m_jump->room != m_room) {
        m_jump.reset(); // the user went elsewhere meanwhile
        return;
    }
    const RoomState &state = m_states[m_room];
    if (!state.loaded)
        return; // called again when the newest page arrives
    const int row = m_messageModel->rowOfMessage(m_jump->id);
    if (row >= 0) {
        m_jump.reset();
        emit messageShown(row);
        return;
    }
    const Jump jump = *m_jump;
    if (jump.askedAround || jump.id > state.timeline.newestId()) {
        m_jump.reset();
        emit messageOutOfReach(jump.room, jump.id);
        return;
    }
    m_jump->askedAround = true;
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("around"), QString::number(jump.id));
    query.addQueryItem(QStringLiteral("limit"), QString::number(Poller::pageLimit));
    m_api->get(apiPath({u"rooms", jump.room.value(), u"messages"}), query, ApiClient::defaultTimeoutMs, this,
               [this, room = jump.room](const ApiResult &result) {
        if (room != m_room)
            return;
        const QList<Message> page = messagesOfPage(result.body);
        RoomState &target = m_states[room];
        target.timeline.merge(page);
        m_messageModel->addMessages(page);
        target.gapPagesLoaded = 0;
        fillGap();
        emit roomStateChanged();
        continueJump();
    });
}

void ChatClient::fillGap()
{
    RoomState &state = m_states[m_room];
    if (!state.timeline.hasGap() || state.fillingGap || state.gapPagesLoaded >= maxGapPages)
        return;
    state.fillingGap = true;
    ++state.gapPagesLoaded;
    const RoomName room = m_room;
    // Only as far down as the page held apart: the rest of that page is there already.
    const int limit = int(std::min<MessageId>(Poller::pageLimit, state.timeline.runStart() - 1));
    fetchOlderMessages(m_api, room, state.timeline.runStart(), limit, this,
                       [this, room](bool ok, const QList<Message> &older) {
        RoomState &target = m_states[room];
        target.fillingGap = false;
        target.timeline.merge(older);
        if (room != m_room)
            return;
        m_messageModel->addMessages(older);
        if (ok && !older.isEmpty())
            fillGap();
    });
}

void ChatClient::setName(const QString &name)
{
    if (name.isEmpty() || name == m_config.name)
        return;
    leaveCurrentRoom();
    m_config.name = name;
    rememberName(name);
    m_poller->setMemberName(name);
    m_messageModel->setOwnName(name);
    // The held poll counts the old name; the next one counts the new.
    follow(m_room);
    emit nameChanged(name);
    emit statusChanged();
}

void ChatClient::setOnline(bool online)
{
    m_online = online;
    if (online) {
        m_certificateProblem.clear();
        m_retryInMs = 0;
        // The server is back: what waited in the outbox goes now, not after its back-off.
        m_outbox->retryNow();
        m_directory->refreshNow();
    }
    emit statusChanged();
}

void ChatClient::signIn(const QString &password, bool remember)
{
    m_session->signIn(password, remember);
}

void ChatClient::declineSignIn()
{
    m_session->decline();
}

void ChatClient::askSignInAgain()
{
    m_session->askAgain();
}

void ChatClient::signOut()
{
    m_session->signOut();
}

bool ChatClient::isRoomLoaded() const
{
    return m_states.value(m_room).loaded;
}

bool ChatClient::isLoadingOlder() const
{
    return m_states.value(m_room).loadingOlder;
}

bool ChatClient::hasOlder() const
{
    const auto it = m_states.constFind(m_room);
    return it != m_states.cend() && it->loaded && it->timeline.hasOlder();
}

qsizetype ChatClient::pendingCount() const
{
    return m_outbox->size();
}

qint64 ChatClient::unreadTotal() const
{
    return m_roomList->unreadTotal();
}

bool ChatClient::isLongPolling() const
{
    return m_poller->isLongPolling();
}

ChatClient::Status ChatClient::status() const
{
    const QString &server = m_config.serverLabel;
    switch (m_session->state()) {
    case Session::State::Asking:
    case Session::State::SigningIn:
        return {Connection::SigningIn, tr("Signing in to %1…").arg(server), {}, false};
    case Session::State::Declined:
        return {Connection::SignInDeclined,
                tr("Not signed in: %1 needs a password (Chat ▸ Sign In…)").arg(server), {}, true};
    case Session::State::Throttled:
        return {Connection::SignInThrottled, tr("Not signed in: %1").arg(m_session->throttleMessage()), {}, true};
    case Session::State::Open:
    case Session::State::SignedIn:
        break;
    }
    if (!m_certificateProblem.isEmpty())
        return {Connection::CertificateRejected, tr("Not connected to %1: %2").arg(server, m_certificateProblem),
                m_certificateProblem, true};
    if (m_online) {
        if (!m_everAnswered)
            return {Connection::Connecting, tr("Connecting to %1…").arg(server), {}, false};
        const QString mode = m_poller->isLongPolling() ? tr("long poll")
                                                       : tr("polling every %1 ms").arg(*m_config.pollIntervalMs);
        return {Connection::Online, tr("%1 at %2 · %3").arg(m_config.name, server, mode), {}, false};
    }
    const int seconds = std::max(1, (m_retryInMs + 999) / 1000);
    if (!m_everAnswered)
        return {Connection::Unreachable,
                tr("Nothing answers at %1: check the address and port (Chat ▸ Connect to Another Server…). "
                   "Retrying in %2 s.").arg(server).arg(seconds),
                m_offlineReason, true};
    return {Connection::Offline,
            tr("Offline: %1 does not answer; retrying in %2 s").arg(server).arg(seconds), m_offlineReason, true};
}
