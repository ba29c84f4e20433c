#pragma once

#include "storage.h"

#include <QHash>
#include <QJsonArray>
#include <QPair>
#include <QPointer>
#include <QSet>
#include <functional>
#include <vector>

// A write a client asked for, waiting for the writer's next batch.
struct PostgresJob
{
    enum class Kind { Append, CreateRoom, Change };
    Kind kind;
    RoomName room;
    MessageDraft draft;
    QByteArray idempotencyKey;
    QPointer<QObject> context;
    std::function<void(const AppendOutcome &)> onAppended;
    std::function<void(RoomOutcome)> onRoom;
    EntryChange change = {};
    std::function<void(const ChangeOutcome &)> onChanged = {};
};

// What became of it (the field of its kind).
struct PostgresJobResult
{
    AppendOutcome appended;
    RoomOutcome room = RoomOutcome::Failed;
    ChangeOutcome changed;
};

// A batch's jobs applied, in memory, to what the writer read under its rooms' locks: the
// outcomes SqliteWriter gives, and the rows that make them so. No database in here: the
// writer reads and writes, this decides, and can be tested without a server.
class PostgresBatch
{
public:
    using EntryKey = QPair<QString, MessageId>;
    struct ReactionRow
    {
        QString emoji;
        QString name;
        MessageId entryId = 0;
    };
    // A message or change as this batch sees it: read under the lock, or stored by the
    // batch itself; written back once, at the end.
    struct Entry
    {
        Message message;
        QByteArray secretHash;
        qint64 editedMs = 0;
        qint64 deletedMs = 0;
        bool isNew = false;   // inserted at the end
        bool changed = false; // an existing row whose text or state is updated at the end
        QList<ReactionRow> reactions; // in entry_id order
        QList<ReactionRow> storedReactions;
        bool reactionsChanged = false;
    };

    // Read by the writer under the rooms' locks, before apply().
    QHash<QString, MessageId> storedLastIds; // the rooms found, with their counters
    qint64 nowMs = 0;                        // PostgreSQL's clock
    QSet<QString> createdHere;               // rooms this batch inserted
    QHash<QString, Message> storedKeys;      // by keyOf(room, key)
    QHash<EntryKey, Entry> entries;          // what its changes and replies name, as stored

    static QString keyOf(const QString &room, const QByteArray &key);

    // Each job in order; `results` has one per job.
    void apply(const std::vector<PostgresJob> &jobs, std::vector<PostgresJobResult> &results);

    // After apply(): each array the parameter of one statement of the writer (none when
    // empty), final state first: a message stored and edited in one batch is inserted edited.
    struct Rows
    {
        QJsonArray inserts, updates, reactionRemovals, reactionUpserts, counters, unclaimedRooms;
        QJsonArray deletedMessages; // whose edits lose their text
        QJsonArray keys;
    };
    Rows rows() const;

    // After apply(): rooms the batch found and did not undo, to be known once it commits;
    // rooms taken for existing that are not; messages stored.
    QSet<QString> foundRooms() const;
    // After apply(): every room of the batch that is there once it commits, with its last
    // id then, for the other nodes to hear of (a room only created: 0).
    QHash<QString, MessageId> heads() const;
    QSet<QString> missingRooms;
    quint64 stored = 0;

private:
    // The message as history gives it: its reactions grouped by emoji in order of the first.
    static Message current(const Entry &entry);

    QHash<QString, MessageId> m_lastIds;
    QHash<QString, Message> m_keysInBatch;
    QList<EntryKey> m_newEntries;
    QJsonArray m_keysToRemember;
    QJsonArray m_deletedMessages;
};
