#include "eventstream.h"

#include "roomjson.h"
#include "streamwriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace {
constexpr int pageSize = 500;
constexpr int streamKernelBufferBytes = 256 * 1024;
const QByteArray streamContentType = "text/event-stream; charset=utf-8";
const HeaderPairs streamHeaders{{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}};

QByteArray frameOf(const Message &message)
{
    return "id: " + QByteArray::number(message.id) + "\nevent: message\ndata: " + message.json + "\n\n";
}

// Its id moves EventSource's Last-Event-ID back to the room's newest message, so that a
// reconnection resumes from there and not from the cursor that was refused.
QByteArray resetFrameOf(const RoomName &room, MessageId lastId, const ApiError &why)
{
    const QJsonObject data{{QStringLiteral("room"), room.value()},
                           {QStringLiteral("last_id"), lastId},
                           {QStringLiteral("code"), why.code},
                           {QStringLiteral("message"), why.message}};
    return "id: " + QByteArray::number(lastId) + "\nevent: reset\ndata: "
         + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
}

// Every reader following a room live is sent the same bytes for the same news; with
// thousands of readers, building them once matters.
const QByteArray &sharedFramesOf(const QList<Message> &news)
{
    thread_local QString lastRoom;
    thread_local MessageId lastFirst = 0;
    thread_local MessageId lastLast = 0;
    thread_local QByteArray lastFrames;
    const Message &first = news.first();
    const Message &last = news.last();
    if (first.id != lastFirst || last.id != lastLast || first.room != lastRoom) {
        lastFrames.clear();
        for (const Message &message : news)
            lastFrames += frameOf(message);
        lastRoom = first.room;
        lastFirst = first.id;
        lastLast = last.id;
    }
    return lastFrames;
}
// Every follower of the room list that is up to date asks for the same changes at the
// same tell; with thousands of them, building the frame once matters.
QByteArray roomsFrameSince(Hub &hub, qint64 since, qint64 *seq)
{
    thread_local const Hub *lastHub = nullptr;
    thread_local qint64 lastSince = -1;
    thread_local qint64 lastCurrent = -1;
    thread_local qint64 lastSeq = 0;
    thread_local QByteArray lastFrame;
    if (&hub != lastHub || since != lastSince || hub.roomsSeq() != lastCurrent) {
        const RoomChanges changes = hub.roomChangesSince(since);
        lastFrame = changes.rooms.isEmpty()
            ? QByteArray()
            : "event: rooms\ndata: " + roomChangesJson(changes) + "\n\n";
        lastHub = &hub;
        lastSince = since;
        lastCurrent = hub.roomsSeq();
        lastSeq = changes.seq;
    }
    *seq = lastSeq;
    return lastFrame;
}

// Every follower of the room gets the same frame for the same change; with thousands of
// them, building it once matters. No id: typing is not in the message sequence.
const QByteArray &typingFrameOf(const QStringList &names)
{
    thread_local QStringList lastNames{QStringLiteral("\n")}; // no name holds a line break
    thread_local QByteArray lastFrame;
    if (names != lastNames) {
        const QJsonObject data{{QStringLiteral("names"), QJsonArray::fromStringList(names)}};
        lastFrame = "event: typing\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
        lastNames = names;
    }
    return lastFrame;
}
} // namespace

EventStream::EventStream(std::shared_ptr<Reply> reply, RoomName room, MessageId cursor,
                         QString memberName, std::optional<qint64> roomsSince, Hub &hub,
                         qint64 maxUnsentBytes, QObject *parent)
    : QObject(parent)
    , m_maxUnsentBytes(maxUnsentBytes)
    , m_reply(std::move(reply))
    , m_room(std::move(room))
    , m_cursor(cursor)
    , m_memberName(std::move(memberName))
    , m_roomsSince(roomsSince)
    , m_hub(hub)
{
}

EventStream::~EventStream()
{
    close();
}

void EventStream::start(const std::optional<ApiError> &reset)
{
    QTcpSocket *socket = m_reply->socket();
    if (!socket) {
        deleteLater();
        return;
    }
    // The kernel's own buffer would otherwise grow to megabytes for a reader that does
    // not read, unseen by the backlog bound below; 256 KiB still carries thousands of
    // messages a second to a reader far away.
    socket->setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, streamKernelBufferBytes);
    // From here on the stream is written straight to its descriptor (StreamWriter), except
    // under TLS.
    m_reply->startStream(200, streamContentType, streamHeaders, true);
    if (StreamWriter *writer = m_reply->streamWriter())
        connect(writer, &StreamWriter::closed, this, &EventStream::close);
    else
        connect(socket, &QTcpSocket::disconnected, this, &EventStream::close);
    // Tells EventSource how soon to reconnect after a drop.
    m_reply->writeToStream("retry: 2000\n\n");
    if (reset)
        m_reply->writeToStream(resetFrameOf(m_room, m_cursor, *reset));
    m_hub.follow(m_room, this);
    if (!m_memberName.isEmpty())
        m_hub.memberStreamOpened(m_room, m_memberName);
    if (m_roomsSince) {
        m_hub.followRooms(this);
        roomsChanged(); // what changed before it connected, at once
    }
    // Who is typing already, or the reader would not know until the next change.
    if (const QStringList typing = m_hub.typing(m_room); !typing.isEmpty())
        typingChanged(typing);
    pump();
}

void EventStream::answerHead(Reply &reply)
{
    reply.startStream(200, streamContentType, streamHeaders);
    reply.endStream();
}

void EventStream::close()
{
    if (m_closed)
        return;
    m_closed = true;
    m_hub.unfollow(m_room, this);
    m_hub.unfollowRooms(this);
    if (!m_memberName.isEmpty())
        m_hub.memberStreamClosed(m_room, m_memberName);
    m_reply->endStream();
    deleteLater();
}

QByteArray EventStream::session() const
{
    return m_reply->session();
}

void EventStream::sessionEnded()
{
    if (m_closed)
        return;
    const ApiError why = Errors::invalidToken();
    const QJsonObject data{{QStringLiteral("code"), why.code},
                           {QStringLiteral("message"), why.message}};
    m_reply->writeToStream("event: revoked\ndata: "
                           + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n");
    close();
}

void EventStream::roomAdvanced(const QList<Message> &news)
{
    if (m_closed || m_reading || news.last().id <= m_cursor)
        return;
    if (news.first().id != m_cursor + 1) {
        pump(); // behind, or part of the news already sent: catch up page by page
        return;
    }
    if (readerKeepsUp()) {
        m_reply->writeToStream(sharedFramesOf(news));
        m_cursor = news.last().id;
    }
}

void EventStream::keepAlive()
{
    if (!m_closed)
        m_reply->writeToStream(": keep-alive\n\n");
}

void EventStream::roomsChanged()
{
    // A page of changes an event; more than a page (a burst of new rooms) is caught up at
    // once, a bounded number of rooms being all there is to send.
    while (!m_closed && m_roomsSince && readerKeepsUp()) {
        qint64 seq = 0;
        const QByteArray frame = roomsFrameSince(m_hub, *m_roomsSince, &seq);
        m_roomsSince = seq;
        if (frame.isEmpty())
            return;
        m_reply->writeToStream(frame);
        if (seq >= m_hub.roomsSeq())
            return;
    }
}

void EventStream::typingChanged(const QStringList &names)
{
    if (!m_closed && readerKeepsUp())
        m_reply->writeToStream(typingFrameOf(names));
}

bool EventStream::readerKeepsUp()
{
    // A reader with this much unsent is not keeping up (see ServerLimits).
    if (!m_reply->isConnected() || m_reply->unsentStreamBytes() > m_maxUnsentBytes) {
        close();
        return false;
    }
    return true;
}

void EventStream::pump()
{
    if (m_closed || m_reading)
        return;
    if (!m_reply->isConnected()) {
        close();
        return;
    }
    if (m_cursor >= m_hub.lastId(m_room) || !readerKeepsUp())
        return;
    m_reading = true;
    m_hub.read(m_room, PageRequest{m_cursor, std::nullopt, pageSize}, this,
               [this](const Page &page) {
                   m_reading = false;
                   writePage(page);
               });
}

void EventStream::writePage(const Page &page)
{
    if (m_closed)
        return;
    if (!page.ok) {
        close();
        return;
    }
    QByteArray frames;
    for (const Message &message : page.messages) {
        if (message.id != m_cursor + 1)
            continue;
        frames += frameOf(message);
        m_cursor = message.id;
    }
    m_reply->writeToStream(frames);
    if (!page.messages.isEmpty() && m_cursor < m_hub.lastId(m_room))
        QMetaObject::invokeMethod(this, &EventStream::pump, Qt::QueuedConnection);
}
