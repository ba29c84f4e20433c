#pragma once

#include "core/entrychange.h"
#include "core/message.h"
#include "core/messagedraft.h"
#include "core/roomname.h"
#include "core/searchquery.h"

#include <QList>
#include <QObject>
#include <QStringList>
#include <functional>
#include <optional>

struct RoomRecord
{
    RoomName name;
    MessageId lastId = 0;
};

struct AppendOutcome
{
    // KeyReused: the key was first used for a message with another author or text, so
    // this one is neither stored nor a retry of that one.
    // RoomInconsistent: the room's stored messages run past its counter (the database was
    // changed behind ChatApp's back), so its next id is taken; only this room's appends
    // fail, until a restart repairs the counter.
    // ReplyTargetInvalid: `reply_to` names no message of the room (no such id, or a change).
    enum class Kind { Stored, Replayed, KeyReused, RoomInconsistent, ReplyTargetInvalid, Failed };
    Kind kind = Kind::Failed;
    Message message;          // the stored one, or for Replayed and KeyReused the one first stored
    bool roomCreated = false; // Stored into a room that this append created
};

// What became of an EntryChange. Unchanged: the message already was as asked (the same
// text, already deleted, the reaction there or not), so no entry was added: a retry
// changes nothing. NotAMessage: the id is a change, not a message. MessageDeleted: an
// edit of, or a reaction to, a deleted message. NotYours: the secret is not the one the
// message was sent with, or it was sent without one.
struct ChangeOutcome
{
    enum class Kind { Stored, Unchanged, NotFound, NotAMessage, MessageDeleted, NotYours, Failed };
    Kind kind = Kind::Failed;
    Message entry;   // Stored: the entry that records the change
    Message message; // Stored and Unchanged: the message as it is now
};

enum class RoomOutcome { Created, Existed, Failed };

// Which entries of a room to read: the ids strictly between `after` and `before`.
// With `before` set, or neither, the newest `limit` of them; with only `after`, the
// oldest `limit`. Either way the result is in increasing id order.
struct PageRequest
{
    std::optional<MessageId> after;
    std::optional<MessageId> before;
    int limit = 100;

    bool operator==(const PageRequest &) const = default;
};

struct Page
{
    bool ok = false;
    QList<Message> messages;
};

// One message a search found, and where the next page of results starts after it.
struct SearchHit
{
    Message message;
    qint64 cursor = 0;
};

// Newest first.
struct SearchPage
{
    bool ok = false;
    QList<SearchHit> hits;
};

// What is wrong with the store, for /healthz; all empty when nothing is.
struct StoreHealth
{
    QString readProblem;
    QString writeProblem;
    QStringList inconsistentRooms; // rooms whose appends fail (AppendOutcome::RoomInconsistent)

    bool healthy() const
    {
        return readProblem.isEmpty() && writeProblem.isEmpty() && inconsistentRooms.isEmpty();
    }
};

// What group commit has done so far, for /metrics.
struct CommitStats
{
    quint64 commits = 0;
    quint64 messages = 0;
    double seconds = 0;
};

// The message store. Every call but open() and rooms() returns at once; its answer
// comes later as a call of `done` on `context`'s thread, and never comes if `context`
// is destroyed first. An append is answered only once it is durable on disk, and
// appends to one room are answered in the order of their ids.
class Storage
{
public:
    virtual ~Storage() = default;

    // Synchronous, for start-up before any request is served.
    virtual bool open(QString *error) = 0;
    virtual QList<RoomRecord> rooms() const = 0;

    virtual void append(const RoomName &room, const MessageDraft &draft,
                        const QByteArray &idempotencyKey, QObject *context,
                        std::function<void(const AppendOutcome &)> done) = 0;
    // Adds the entry for `change` with the room's next id, in the same transaction as the
    // message's new state; answered once durable, in id order with the room's appends.
    virtual void change(const RoomName &room, const EntryChange &change, QObject *context,
                        std::function<void(const ChangeOutcome &)> done) = 0;
    virtual void createRoom(const RoomName &room, QObject *context,
                            std::function<void(RoomOutcome)> done) = 0;
    virtual void read(const RoomName &room, const PageRequest &request, QObject *context,
                      std::function<void(const Page &)> done) = 0;
    // The messages holding every word of `query.text` (whole words, in any case and with
    // or without accents), in one room or all, newest first, at most `query.limit`.
    virtual void search(const SearchQuery &query, QObject *context, std::function<void(const SearchPage &)> done) = 0;
    // Whether the store reads and writes, for /healthz. Answered without a write of its
    // own: from a small read, and from what the recent reads and commits saw.
    virtual void checkHealth(QObject *context, std::function<void(const StoreHealth &)> done) = 0;

    virtual CommitStats commitStats() const = 0;

    // Whether other processes (nodes) write this store too.
    virtual bool sharedWithOtherNodes() const { return false; }
    // For a shared store: `moved` is called on `context`'s thread with rooms whose newest
    // stored entry may be past what this process knows (another node stored it, or created
    // the room): as soon as the store hears of it, and again every few seconds, so a lost
    // wake-up costs only time. Each room's head is given at least once after the call. A
    // store only this process writes never calls it.
    virtual void followHeads(QObject *context, std::function<void(const QList<RoomRecord> &)> moved)
    {
        Q_UNUSED(context);
        Q_UNUSED(moved);
    }
    // For a shared store: whether it has the room (another node may have made it a moment
    // ago), and its head. `ok` false: the store could not be read. A store only this
    // process writes is never asked (this process knows its rooms), and says it has none.
    struct RoomLookup
    {
        bool ok = false;
        std::optional<MessageId> head;
    };
    virtual void findRoom(const RoomName &room, QObject *context, std::function<void(const RoomLookup &)> done)
    {
        Q_UNUSED(room);
        Q_UNUSED(context);
        done(RoomLookup{true, std::nullopt});
    }

    // Sessions of a server with a password: hashes of bearer tokens, each tied to the
    // password it was issued under (a tag derived from it), so that changing the password
    // signs everybody out. Synchronous, for start-up: forgets the sessions of any other
    // password and returns the token hashes of the rest.
    virtual QList<QByteArray> loadSessions(const QByteArray &passwordTag) = 0;
    // Answer true once the change is durable.
    virtual void saveSession(const QByteArray &tokenHash, const QByteArray &passwordTag,
                             QObject *context, std::function<void(bool)> done) = 0;
    virtual void deleteSession(const QByteArray &tokenHash, QObject *context,
                               std::function<void(bool)> done) = 0;

    // Sessions other nodes share through the store (several nodes on one PostgreSQL): a
    // node then does not call loadSessions() but asks findSession() about a token it does
    // not know, and hears of revocations, its own and other nodes', from
    // watchRevokedSessions(). Answers of both come from one thread, in the order they
    // were read, so a revocation read after a lookup is never overtaken by it.
    virtual bool sharesSessions() const { return false; }
    enum class SessionFound { Yes, No, Failed };
    virtual void findSession(const QByteArray &tokenHash, const QByteArray &passwordTag, QObject *context,
                             std::function<void(SessionFound)> done)
    {
        Q_UNUSED(tokenHash); Q_UNUSED(passwordTag); Q_UNUSED(context); Q_UNUSED(done);
    }
    // `revoked` is called on `context`'s thread with the token hashes revoked since it
    // last was, about every second; with `lostTrack`, revocations may have been missed
    // (the store was out of reach longer than it keeps them).
    virtual void watchRevokedSessions(QObject *context,
                                      std::function<void(const QList<QByteArray> &revoked, bool lostTrack)> revoked)
    {
        Q_UNUSED(context); Q_UNUSED(revoked);
    }
};
