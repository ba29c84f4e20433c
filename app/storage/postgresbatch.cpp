#include "postgresbatch.h"

#include <QJsonObject>
#include <QTimeZone>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace {
// As SqliteWriter's: a retry is told from another message by what was stored.
AppendOutcome outcomeOfKnownKey(const Message &original, const MessageDraft &draft)
{
    const bool textChanged = original.editedAt.isValid() || original.deleted;
    const bool sameMessage = original.author == draft.author && (textChanged || original.text == draft.text);
    return {sameMessage ? AppendOutcome::Kind::Replayed : AppendOutcome::Kind::KeyReused, original, false};
}

QJsonValue orNull(qint64 value)
{
    return value ? QJsonValue(value) : QJsonValue();
}

QJsonValue orNull(const QString &value)
{
    return value.isEmpty() ? QJsonValue() : QJsonValue(value);
}

QDateTime utc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
}
} // namespace

QString PostgresBatch::keyOf(const QString &room, const QByteArray &key)
{
    return room + u'\n' + QString::fromLatin1(key);
}

Message PostgresBatch::current(const Entry &entry)
{
    Message message = entry.message;
    message.reactions.clear();
    if (message.isMessage()) {
        for (const ReactionRow &row : entry.reactions) {
            auto reaction = std::find_if(message.reactions.begin(), message.reactions.end(),
                                         [&](const Reaction &r) { return r.emoji == row.emoji; });
            if (reaction == message.reactions.end())
                reaction = message.reactions.insert(message.reactions.end(), Reaction{row.emoji, {}});
            reaction->names.append(row.name);
        }
    }
    message.serialise();
    return message;
}

void PostgresBatch::apply(const std::vector<PostgresJob> &jobs, std::vector<PostgresJobResult> &results)
{
    m_lastIds = storedLastIds;
    const QDateTime now = utc(nowMs);
    for (size_t i = 0; i < jobs.size(); ++i) {
        const PostgresJob &job = jobs[i];
        const QString &room = job.room.value();
        if (!m_lastIds.contains(room)) {
            if (job.kind == PostgresJob::Kind::Change) {
                results[i].changed.kind = ChangeOutcome::Kind::NotFound;
                continue;
            }
            // A room this node took for existing is not there (removed by hand): the
            // append or creation fails, and its retry inserts the room.
            missingRooms.insert(room);
            continue;
        }
        if (job.kind == PostgresJob::Kind::CreateRoom) {
            results[i].room = createdHere.remove(room) ? RoomOutcome::Created : RoomOutcome::Existed;
            continue;
        }
        if (job.kind == PostgresJob::Kind::Append) {
            AppendOutcome &outcome = results[i].appended;
            if (!job.idempotencyKey.isEmpty()) {
                const QString key = keyOf(room, job.idempotencyKey);
                if (auto known = m_keysInBatch.constFind(key); known != m_keysInBatch.cend()) {
                    outcome = outcomeOfKnownKey(*known, job.draft);
                    continue;
                }
                if (auto known = storedKeys.constFind(key); known != storedKeys.cend()) {
                    outcome = outcomeOfKnownKey(*known, job.draft);
                    continue;
                }
            }
            if (job.draft.replyTo > 0) {
                const auto target = entries.constFind({room, job.draft.replyTo});
                if (target == entries.cend() || !target->message.isMessage()) {
                    outcome.kind = AppendOutcome::Kind::ReplyTargetInvalid;
                    continue;
                }
            }
            Message &message = outcome.message;
            message.id = m_lastIds.value(room) + 1;
            message.room = room;
            message.author = job.draft.author;
            message.text = job.draft.text;
            message.timestamp = now;
            message.replyTo = job.draft.replyTo;
            message.serialise();
            outcome.kind = AppendOutcome::Kind::Stored;
            outcome.roomCreated = createdHere.remove(room);
            m_lastIds[room] = message.id;
            Entry entry;
            entry.message = message;
            entry.secretHash = job.draft.authorSecretHash;
            entry.isNew = true;
            entries.insert({room, message.id}, entry);
            m_newEntries.append({room, message.id});
            ++stored;
            if (!job.idempotencyKey.isEmpty()) {
                m_keysInBatch.insert(keyOf(room, job.idempotencyKey), message);
                m_keysToRemember.append(QJsonObject{{u"room"_s, room},
                                                        {u"key"_s, QString::fromLatin1(job.idempotencyKey)},
                                                        {u"message_id"_s, message.id},
                                                        {u"created_ms"_s, nowMs}});
            }
            continue;
        }

        // A change: the same outcomes, in the same order of checks, as SqliteWriter::writeChange.
        using Kind = ChangeOutcome::Kind;
        const EntryChange &change = job.change;
        ChangeOutcome &outcome = results[i].changed;
        auto found = entries.find({room, change.target});
        if (found == entries.end()) {
            outcome.kind = Kind::NotFound;
            continue;
        }
        Entry &target = *found;
        Message &message = target.message;
        if (!message.isMessage()) {
            outcome.kind = Kind::NotAMessage;
            continue;
        }
        const bool byAuthor = change.kind == EntryChange::Kind::Edit || change.kind == EntryChange::Kind::Delete;
        if (byAuthor && (target.secretHash.isEmpty() || target.secretHash != change.authorSecretHash)) {
            outcome.kind = Kind::NotYours;
            continue;
        }
        if (message.deleted && change.kind != EntryChange::Kind::Delete) {
            outcome.kind = Kind::MessageDeleted;
            continue;
        }
        const MessageId entryId = m_lastIds.value(room) + 1;
        bool changes = false;
        switch (change.kind) {
        case EntryChange::Kind::Edit:
            changes = message.text != change.text;
            if (changes) {
                message.text = change.text;
                message.editedAt = now;
                target.editedMs = nowMs;
            }
            break;
        case EntryChange::Kind::Delete:
            changes = !message.deleted;
            if (changes) {
                message.text.clear();
                message.deleted = true;
                target.deletedMs = nowMs;
                m_deletedMessages.append(QJsonObject{{u"room"_s, room}, {u"id"_s, message.id}});
                for (const EntryKey &key : std::as_const(m_newEntries)) {
                    Entry &edit = entries[key];
                    if (key.first == room && edit.message.type == EntryType::Edit && edit.message.target == message.id)
                        edit.message.text.clear();
                }
            }
            break;
        case EntryChange::Kind::React:
        case EntryChange::Kind::Unreact: {
            const auto existing = std::find_if(target.reactions.begin(), target.reactions.end(), [&](const auto &row) {
                return row.emoji == change.emoji && row.name == change.author;
            });
            if (change.kind == EntryChange::Kind::React && existing == target.reactions.end()) {
                target.reactions.append({change.emoji, change.author, entryId});
                changes = true;
            } else if (change.kind == EntryChange::Kind::Unreact && existing != target.reactions.end()) {
                target.reactions.erase(existing);
                changes = true;
            }
            target.reactionsChanged = target.reactionsChanged || changes;
            break;
        }
        }
        if (changes) {
            target.changed = target.changed || byAuthor;
            Message &entry = outcome.entry;
            entry.id = entryId;
            entry.room = room;
            entry.target = message.id;
            entry.timestamp = now;
            switch (change.kind) {
            case EntryChange::Kind::Edit:
                entry.type = EntryType::Edit;
                entry.author = message.author;
                entry.text = change.text;
                break;
            case EntryChange::Kind::Delete:
                entry.type = EntryType::Deletion;
                entry.author = message.author;
                break;
            case EntryChange::Kind::React:
            case EntryChange::Kind::Unreact:
                const bool added = change.kind == EntryChange::Kind::React;
                entry.type = added ? EntryType::Reaction : EntryType::ReactionRemoved;
                entry.author = change.author;
                entry.emoji = change.emoji;
                entry.text = added ? change.emoji : QString();
                break;
            }
            entry.serialise();
            m_lastIds[room] = entryId;
            Entry row;
            row.message = entry;
            row.isNew = true;
            entries.insert({room, entryId}, row);
            m_newEntries.append({room, entryId});
        }
        // `found` may have moved with the insert above.
        outcome.message = current(entries[{room, change.target}]);
        outcome.kind = changes ? Kind::Stored : Kind::Unchanged;
    }

}

PostgresBatch::Rows PostgresBatch::rows() const
{
    Rows rows;
    for (const EntryKey &key : std::as_const(m_newEntries)) {
        const Entry &entry = *entries.constFind(key);
        const Message &m = entry.message;
        rows.inserts.append(QJsonObject{
            {u"room"_s, m.room}, {u"id"_s, m.id}, {u"kind"_s, int(m.type)}, {u"target"_s, orNull(m.target)},
            {u"author"_s, m.author}, {u"text"_s, m.text}, {u"emoji"_s, orNull(m.emoji)},
            {u"reply_to"_s, orNull(m.replyTo)},
            {u"author_secret"_s, orNull(QString::fromLatin1(entry.secretHash.toHex()))},
            {u"ts_ms"_s, m.timestamp.toMSecsSinceEpoch()}, {u"edited_ms"_s, orNull(entry.editedMs)},
            {u"deleted_ms"_s, orNull(entry.deletedMs)}});
    }
    for (auto it = entries.cbegin(); it != entries.cend(); ++it) {
        const Entry &entry = *it;
        if (entry.changed && !entry.isNew) {
            rows.updates.append(QJsonObject{{u"room"_s, it.key().first}, {u"id"_s, it.key().second},
                                       {u"text"_s, entry.message.text}, {u"edited_ms"_s, orNull(entry.editedMs)},
                                       {u"deleted_ms"_s, orNull(entry.deletedMs)}});
        }
        if (!entry.reactionsChanged)
            continue;
        for (const ReactionRow &row : entry.reactions) {
            const bool same = std::any_of(entry.storedReactions.cbegin(), entry.storedReactions.cend(), [&](const auto &old) {
                return old.emoji == row.emoji && old.name == row.name && old.entryId == row.entryId;
            });
            if (!same)
                rows.reactionUpserts.append(QJsonObject{{u"room"_s, it.key().first}, {u"message_id"_s, it.key().second},
                                           {u"emoji"_s, row.emoji}, {u"name"_s, row.name}, {u"entry_id"_s, row.entryId}});
        }
        for (const ReactionRow &old : entry.storedReactions) {
            const bool kept = std::any_of(entry.reactions.cbegin(), entry.reactions.cend(), [&](const auto &row) {
                return old.emoji == row.emoji && old.name == row.name;
            });
            if (!kept)
                rows.reactionRemovals.append(QJsonObject{{u"room"_s, it.key().first}, {u"message_id"_s, it.key().second},
                                            {u"emoji"_s, old.emoji}, {u"name"_s, old.name}});
        }
    }
    for (auto it = m_lastIds.cbegin(); it != m_lastIds.cend(); ++it) {
        if (storedLastIds.value(it.key()) != it.value())
            rows.counters.append(QJsonObject{{u"name"_s, it.key()}, {u"last_id"_s, it.value()}});
    }
    // A room inserted for an append that then stored nothing (a bad reply target): as in
    // SQLite, where such an append creates no room.
    for (const QString &room : std::as_const(createdHere))
        rows.unclaimedRooms.append(room);

    rows.deletedMessages = m_deletedMessages;
    rows.keys = m_keysToRemember;
    return rows;
}

QSet<QString> PostgresBatch::foundRooms() const
{
    QSet<QString> found;
    for (auto it = m_lastIds.cbegin(); it != m_lastIds.cend(); ++it) {
        if (!createdHere.contains(it.key()))
            found.insert(it.key());
    }
    return found;
}

QHash<QString, MessageId> PostgresBatch::heads() const
{
    QHash<QString, MessageId> heads;
    for (auto it = m_lastIds.cbegin(); it != m_lastIds.cend(); ++it) {
        if (!createdHere.contains(it.key()) && !missingRooms.contains(it.key()))
            heads.insert(it.key(), it.value());
    }
    return heads;
}
