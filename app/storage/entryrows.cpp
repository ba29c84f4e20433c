#include "entryrows.h"

#include <QHash>
#include <QSqlError>
#include <QTimeZone>
#include <algorithm>

QString messageColumns(const QString &alias)
{
    static const QStringList columns = QStringLiteral("id author text ts_ms kind target emoji reply_to edited_ms "
                                                      "deleted_ms").split(u' ');
    if (alias.isEmpty())
        return columns.join(QStringLiteral(", "));
    QStringList qualified;
    for (const QString &column : columns)
        qualified.append(alias + u'.' + column);
    return qualified.join(QStringLiteral(", "));
}

Message messageFromRow(const QSqlQuery &query, const QString &room)
{
    const auto utc = [](const QVariant &ms) { return QDateTime::fromMSecsSinceEpoch(ms.toLongLong(), QTimeZone::utc()); };
    Message message;
    message.id = query.value(0).toLongLong();
    message.room = room;
    message.author = query.value(1).toString();
    message.text = query.value(2).toString();
    message.timestamp = utc(query.value(3));
    const int kind = query.value(4).toInt();
    if (kind >= int(EntryType::Message) && kind <= int(EntryType::ReactionRemoved))
        message.type = EntryType(kind);
    message.target = query.value(5).toLongLong();
    message.emoji = query.value(6).toString();
    message.replyTo = query.value(7).toLongLong();
    if (!query.value(8).isNull())
        message.editedAt = utc(query.value(8));
    message.deleted = !query.value(9).isNull();
    message.serialise();
    return message;
}

bool addReactions(QSqlQuery &query, const QString &room, QList<Message> &entries)
{
    if (entries.isEmpty())
        return true;
    const auto [low, high] = std::minmax_element(entries.cbegin(), entries.cend(),
                                                 [](const Message &a, const Message &b) { return a.id < b.id; });
    query.prepare(QStringLiteral("SELECT message_id, emoji, name FROM reactions"
                                 " WHERE room = ? AND message_id BETWEEN ? AND ? ORDER BY message_id, entry_id"));
    query.addBindValue(room);
    query.addBindValue(low->id);
    query.addBindValue(high->id);
    if (!query.exec())
        return false;
    QHash<MessageId, QList<Reaction>> found;
    while (query.next()) {
        QList<Reaction> &reactions = found[query.value(0).toLongLong()];
        const QString emoji = query.value(1).toString();
        auto reaction = std::find_if(reactions.begin(), reactions.end(),
                                     [&](const Reaction &r) { return r.emoji == emoji; });
        if (reaction == reactions.end())
            reaction = reactions.insert(reactions.end(), Reaction{emoji, {}});
        reaction->names.append(query.value(2).toString());
    }
    if (query.lastError().isValid())
        return false;
    query.finish();
    if (found.isEmpty())
        return true;
    for (Message &entry : entries) {
        const auto reactions = found.constFind(entry.id);
        if (reactions == found.cend() || !entry.isMessage())
            continue;
        entry.reactions = *reactions;
        entry.serialise();
    }
    return true;
}
