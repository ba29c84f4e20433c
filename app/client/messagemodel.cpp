#include "messagemodel.h"

#include "mention.h"
#include "timeline.h"

#include <QLocale>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace {
constexpr qint64 groupGapSeconds = 5 * 60;

QString dayText(const QDate &day)
{
    const QDate today = QDate::currentDate();
    if (day == today)
        return MessageModel::tr("Today");
    if (day == today.addDays(-1))
        return MessageModel::tr("Yesterday");
    return QLocale().toString(day, QLocale::LongFormat);
}

QString deliveryText(MessageModel::Delivery delivery)
{
    switch (delivery) {
    case MessageModel::Delivery::Stored:
        return {};
    case MessageModel::Delivery::Sending:
        return MessageModel::tr("sending…");
    case MessageModel::Delivery::WaitingForServer:
        return MessageModel::tr("waiting for the server…");
    case MessageModel::Delivery::WaitingForSignIn:
        return MessageModel::tr("waiting for you to sign in…");
    }
    return {};
}

MessageModel::Delivery deliveryOf(const OutgoingMessage &message)
{
    if (message.waitingForSignIn)
        return MessageModel::Delivery::WaitingForSignIn;
    if (message.waitingForServer)
        return MessageModel::Delivery::WaitingForServer;
    return MessageModel::Delivery::Sending;
}

// What a quote shows of the message it answers: one line, as chat apps do.
QString quoteLine(const QString &text)
{
    const QString line = text.section(u'\n', 0, 0).trimmed();
    return line.size() > 120 ? line.left(119) + u'…' : line;
}

void setReaction(QList<Reaction> &reactions, const QString &emoji, const QString &name, bool on)
{
    auto it = std::find_if(reactions.begin(), reactions.end(), [&](const Reaction &r) { return r.emoji == emoji; });
    if (on) {
        if (it == reactions.end())
            it = reactions.insert(reactions.end(), Reaction{emoji, {}});
        if (!it->names.contains(name))
            it->names.append(name);
    } else if (it != reactions.end()) {
        it->names.removeAll(name);
        if (it->names.isEmpty())
            reactions.erase(it);
    }
}

QString clockText(const QDateTime &timestamp)
{
    const QTime clock = timestamp.toLocalTime().time();
    // The C locale's short format has seconds, which make a chat look like a log.
    return QLocale().language() == QLocale::C ? clock.toString(QStringLiteral("HH:mm"))
                                              : QLocale().toString(clock, QLocale::ShortFormat);
}
} // namespace

MessageModel::MessageModel(QObject *parent) : QAbstractListModel(parent) {}

int MessageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_messages.size() + m_pending.size());
}

QHash<int, QByteArray> MessageModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(IdRole, "id");
    names.insert(AuthorRole, "author");
    names.insert(TextRole, "text");
    names.insert(TimestampRole, "timestamp");
    names.insert(TimeTextRole, "timeText");
    names.insert(OwnRole, "own");
    names.insert(DeliveryRole, "delivery");
    names.insert(DeliveryTextRole, "deliveryText");
    names.insert(StartsGroupRole, "startsGroup");
    names.insert(StartsDayRole, "startsDay");
    names.insert(DayTextRole, "dayText");
    names.insert(FirstUnreadRole, "firstUnread");
    names.insert(RoomStartRole, "roomStart");
    names.insert(RoomRole, "room");
    names.insert(MentionsMeRole, "mentionsMe");
    names.insert(LayoutKeyRole, "layoutKey");
    names.insert(EditedRole, "edited");
    names.insert(DeletedRole, "deleted");
    names.insert(ReactionsRole, "reactions");
    names.insert(MyReactionsRole, "myReactions");
    names.insert(ReplyToRole, "replyTo");
    names.insert(QuoteAuthorRole, "quoteAuthor");
    names.insert(QuoteTextRole, "quoteText");
    names.insert(CanEditRole, "canEdit");
    return names;
}

QString MessageModel::authorAt(int row) const
{
    return row < m_messages.size() ? m_messages.at(row).author : m_pending.at(row - m_messages.size()).author;
}

bool MessageModel::startsDay(int row) const
{
    // A pending send has no time yet: it belongs to whatever day is shown above it.
    if (row >= m_messages.size())
        return false;
    if (row == 0)
        return true;
    return m_days.at(row - 1) != m_days.at(row);
}

void MessageModel::insertStored(qsizetype at, const QList<Message> &messages)
{
    QList<QDate> days;
    days.reserve(messages.size());
    for (const Message &message : messages)
        days.append(message.timestamp.toLocalTime().date());
    m_messages.insert(at, messages.size(), Message());
    m_days.insert(at, days.size(), QDate());
    for (qsizetype i = 0; i < messages.size(); ++i) {
        m_messages[at + i] = messages.at(i);
        m_days[at + i] = days.at(i);
    }
}

bool MessageModel::startsGroup(int row) const
{
    if (row == 0 || startsDay(row))
        return true;
    // Under the "new messages" divider a reader needs to see who wrote.
    if (row < m_messages.size() && m_messages.at(row).id == m_firstUnreadId)
        return true;
    if (row < m_messages.size()) {
        // A run: one author, one day (startsDay above), a few minutes apart. Such a
        // message is shown without its own name, under the run's.
        const Message &previous = m_messages.at(row - 1);
        const Message &message = m_messages.at(row);
        return previous.author != message.author || previous.timestamp.secsTo(message.timestamp) >= groupGapSeconds;
    }
    return authorAt(row - 1) != authorAt(row);
}

QVariant MessageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const bool stored = row < m_messages.size();
    const Message *message = stored ? &m_messages.at(row) : nullptr;
    const OutgoingMessage *outgoing = stored ? nullptr : &m_pending.at(row - m_messages.size());
    const QString &author = stored ? message->author : outgoing->author;
    const bool deleted = stored && message->deleted;
    const QString text = deleted ? tr("This message was deleted.") : stored ? message->text : outgoing->text;
    // What a deleted message answered goes with its text.
    const MessageId replyTo = deleted ? 0 : stored ? message->replyTo : outgoing->replyTo;
    const Delivery delivery = stored ? Delivery::Stored : deliveryOf(*outgoing);
    switch (role) {
    case Qt::DisplayRole:
    case TextRole:
        return text;
    case Qt::AccessibleTextRole: {
        // What a person sees in the row, in reading order: also what a screen reader says.
        QStringList parts;
        if (data(index, RoomStartRole).toBool())
            parts.append(tr("This is the beginning of #%1.").arg(m_room.value()));
        if (data(index, StartsDayRole).toBool())
            parts.append(data(index, DayTextRole).toString());
        if (data(index, FirstUnreadRole).toBool())
            parts.append(tr("New messages"));
        if (stored)
            parts.append(tr("%1, %2:").arg(author, clockText(message->timestamp)));
        if (replyTo != 0)
            parts.append(data(index, QuoteAuthorRole).toString().isEmpty()
                             ? tr("In reply to a message:")
                             : tr("In reply to %1: %2")
                                   .arg(data(index, QuoteAuthorRole).toString(), data(index, QuoteTextRole).toString()));
        parts.append(text);
        if (stored && message->editedAt.isValid() && !deleted)
            parts.append(tr("(edited)"));
        for (const Reaction &reaction : stored ? message->reactions : QList<Reaction>())
            parts.append(tr("%1 from %2").arg(reaction.emoji, QLocale().createSeparatedList(reaction.names)));
        if (!stored)
            parts.append(deliveryText(delivery));
        return parts.join(u'\n');
    }
    case IdRole:
        return stored ? message->id : MessageId(0);
    case AuthorRole:
        return author;
    case TimestampRole:
        return stored ? message->timestamp : QDateTime();
    case TimeTextRole:
        return stored ? clockText(message->timestamp) : QString();
    case OwnRole:
        return author == m_ownName;
    case DeliveryRole:
        return QVariant::fromValue(delivery);
    case DeliveryTextRole:
        return deliveryText(delivery);
    case StartsGroupRole:
        return startsGroup(row);
    case StartsDayRole:
        return startsDay(row);
    case DayTextRole:
        return stored ? dayText(m_days.at(row)) : QString();
    case FirstUnreadRole:
        return stored && m_firstUnreadId != 0 && message->id == m_firstUnreadId;
    case RoomStartRole:
        return row == 0 && stored && message->id == 1;
    case RoomRole:
        return m_room.value();
    case MentionsMeRole:
        return author != m_ownName && !deleted && mentions(text, m_ownName);
    case EditedRole:
        return stored && message->editedAt.isValid() && !deleted;
    case DeletedRole:
        return deleted;
    case ReactionsRole:
        return QVariant::fromValue(stored && !deleted ? message->reactions : QList<Reaction>());
    case MyReactionsRole: {
        QStringList mine;
        for (const Reaction &reaction : stored ? message->reactions : QList<Reaction>()) {
            if (reaction.names.contains(m_ownName))
                mine.append(reaction.emoji);
        }
        return mine;
    }
    case ReplyToRole:
        return replyTo;
    case QuoteAuthorRole: {
        const Message *quoted = replyTo ? original(replyTo) : nullptr;
        return quoted ? quoted->author : QString();
    }
    case QuoteTextRole: {
        if (!replyTo)
            return QString();
        const Message *quoted = original(replyTo);
        if (!quoted)
            return tr("a message");
        return quoted->deleted ? tr("This message was deleted.") : quoteLine(quoted->text);
    }
    case CanEditRole:
        return stored && author == m_ownName && !deleted;
    case LayoutKeyRole: {
        const size_t identity = stored ? qHash(message->id) : qHash(outgoing->localId);
        size_t reactions = 0;
        for (const Reaction &reaction : stored && !deleted ? message->reactions : QList<Reaction>())
            reactions = qHashMulti(reactions, reaction.emoji, reaction.names.size());
        // The text and what surrounds it can change in place (edits, reactions, a quote
        // that arrives): each is part of the key, so a changed row is measured again.
        return quint64(qHashMulti(0, identity, startsGroup(row), startsDay(row),
                                  data(index, FirstUnreadRole).toBool(), data(index, RoomStartRole).toBool(),
                                  int(delivery), text, data(index, EditedRole).toBool(), reactions,
                                  data(index, QuoteTextRole).toString(), data(index, QuoteAuthorRole).toString()));
    }
    default:
        return {};
    }
}

void MessageModel::setOwnName(const QString &name)
{
    if (name == m_ownName)
        return;
    m_ownName = name;
    if (rowCount() > 0)
        emit dataChanged(index(0), index(rowCount() - 1), {OwnRole, MentionsMeRole});
}

void MessageModel::showRoom(const RoomName &room, const Timeline &timeline, const QList<OutgoingMessage> &pending,
                            MessageId firstUnreadId)
{
    beginResetModel();
    m_room = room;
    m_messages.clear();
    m_days.clear();
    m_quoted.clear();
    QList<Message> messages;
    QList<Message> changes;
    for (const Message &held : timeline.messages())
        (held.isMessage() ? messages : changes).append(held);
    insertStored(0, messages);
    // The timeline holds messages as they were loaded and what changed them since, in
    // the room's order: applied again, they give the rows as they are now.
    for (const Message &change : std::as_const(changes))
        apply(change);
    m_pending = pending;
    m_firstUnreadId = firstUnreadId;
    endResetModel();
    askForMissingQuotes(0, m_messages.size());
}

qsizetype MessageModel::storedRowFor(MessageId id) const
{
    const auto at = std::lower_bound(m_messages.cbegin(), m_messages.cend(), id,
                                     [](const Message &message, MessageId wanted) { return message.id < wanted; });
    return at - m_messages.cbegin();
}

int MessageModel::rowOfMessage(MessageId id) const
{
    const qsizetype at = storedRowFor(id);
    return at < m_messages.size() && m_messages.at(at).id == id ? int(at) : -1;
}

void MessageModel::headerMayHaveChanged(int row)
{
    if (row >= 0 && row < rowCount())
        emit dataChanged(index(row), index(row));
}

void MessageModel::addMessages(const QList<Message> &entries)
{
    QList<Message> messages;
    QList<Message> changes;
    for (const Message &entry : entries)
        (entry.isMessage() ? messages : changes).append(entry);
    insertMessages(messages);
    std::sort(changes.begin(), changes.end(), [](const Message &a, const Message &b) { return a.id < b.id; });
    for (const Message &change : std::as_const(changes)) {
        const int row = apply(change);
        if (row >= 0)
            emit dataChanged(index(row), index(row));
    }
}

void MessageModel::insertMessages(const QList<Message> &messages)
{
    QList<Message> fresh;
    for (const Message &message : messages) {
        const qsizetype at = storedRowFor(message.id);
        if (at == m_messages.size() || m_messages.at(at).id != message.id)
            fresh.append(message);
    }
    if (fresh.isEmpty())
        return;
    std::sort(fresh.begin(), fresh.end(), [](const Message &a, const Message &b) { return a.id < b.id; });
    fresh.erase(std::unique(fresh.begin(), fresh.end(), [](const Message &a, const Message &b) { return a.id == b.id; }),
                fresh.end());

    // The usual cases are one block: news after the newest, or an older page before the oldest.
    const bool allNewer = m_messages.isEmpty() || fresh.first().id > m_messages.last().id;
    const bool allOlder = !m_messages.isEmpty() && fresh.last().id < m_messages.first().id;
    if (allNewer || allOlder) {
        const int first = allNewer ? int(m_messages.size()) : 0;
        beginInsertRows({}, first, first + int(fresh.size()) - 1);
        insertStored(first, fresh);
        endInsertRows();
        headerMayHaveChanged(first + int(fresh.size()));
        askForMissingQuotes(first, fresh.size());
    } else {
        for (const Message &message : fresh) {
            const int at = int(storedRowFor(message.id));
            beginInsertRows({}, at, at);
            insertStored(at, {message});
            endInsertRows();
            headerMayHaveChanged(at + 1);
            askForMissingQuotes(at, 1);
        }
    }
    // Replies already shown may quote one of these: their quotes come from the rows now.
    for (const Message &message : fresh) {
        m_quoted.remove(message.id);
    }
}

int MessageModel::apply(const Message &change)
{
    const int row = rowOfMessage(change.target);
    Message *message = row >= 0 ? &m_messages[row] : nullptr;
    if (!message) {
        // Not a row, but perhaps quoted: a quote shows the text as it is now too.
        const auto quoted = m_quoted.find(change.target);
        if (quoted == m_quoted.end())
            return -1;
        message = &*quoted;
    }
    switch (change.type) {
    case EntryType::Message:
        return -1;
    case EntryType::Edit:
        message->text = change.text;
        message->editedAt = change.timestamp;
        break;
    case EntryType::Deletion:
        message->text.clear();
        message->deleted = true;
        message->reactions.clear();
        break;
    case EntryType::Reaction:
    case EntryType::ReactionRemoved:
        setReaction(message->reactions, change.emoji, change.author, change.type == EntryType::Reaction);
        break;
    }
    if (change.type == EntryType::Edit || change.type == EntryType::Deletion)
        quotesChanged(change.target);
    return row;
}

void MessageModel::updateMessage(const Message &current)
{
    const int row = rowOfMessage(current.id);
    if (row < 0) {
        if (m_quoted.contains(current.id))
            addQuoted(current);
        return;
    }
    Message &shown = m_messages[row];
    if (shown.text == current.text && shown.editedAt.isValid() == current.editedAt.isValid()
        && shown.deleted == current.deleted && shown.reactions == current.reactions)
        return;
    shown.text = current.text;
    shown.editedAt = current.editedAt;
    shown.deleted = current.deleted;
    shown.reactions = current.reactions;
    emit dataChanged(index(row), index(row));
    quotesChanged(current.id);
}

void MessageModel::addQuoted(const Message &original)
{
    if (rowOfMessage(original.id) >= 0)
        return;
    m_quoted.insert(original.id, original);
    quotesChanged(original.id);
}

const Message *MessageModel::original(MessageId id) const
{
    const int row = rowOfMessage(id);
    if (row >= 0)
        return &m_messages.at(row);
    const auto quoted = m_quoted.constFind(id);
    return quoted == m_quoted.cend() ? nullptr : &*quoted;
}

void MessageModel::quotesChanged(MessageId id)
{
    for (qsizetype row = 0; row < m_messages.size(); ++row) {
        if (m_messages.at(row).replyTo == id)
            emit dataChanged(index(int(row)), index(int(row)));
    }
    for (qsizetype i = 0; i < m_pending.size(); ++i) {
        if (m_pending.at(i).replyTo == id)
            headerMayHaveChanged(int(m_messages.size() + i));
    }
}

void MessageModel::askForMissingQuotes(qsizetype from, qsizetype count)
{
    for (qsizetype row = from; row < from + count; ++row) {
        const MessageId replyTo = m_messages.at(row).replyTo;
        if (replyTo != 0 && !original(replyTo))
            emit quoteWanted(replyTo);
    }
}

MessageId MessageModel::lastEditableId() const
{
    for (qsizetype row = m_messages.size() - 1; row >= 0; --row) {
        if (m_messages.at(row).author == m_ownName && !m_messages.at(row).deleted)
            return m_messages.at(row).id;
    }
    return 0;
}

void MessageModel::setPending(const QList<OutgoingMessage> &pending)
{
    QSet<QString> wanted;
    for (const OutgoingMessage &message : pending)
        wanted.insert(message.localId);
    const int firstPendingRow = int(m_messages.size());
    for (qsizetype i = m_pending.size() - 1; i >= 0; --i) {
        if (wanted.contains(m_pending.at(i).localId))
            continue;
        beginRemoveRows({}, firstPendingRow + int(i), firstPendingRow + int(i));
        m_pending.removeAt(i);
        endRemoveRows();
        headerMayHaveChanged(firstPendingRow + int(i));
    }
    // The outbox keeps the order typed, so what is left here is the start of `pending`;
    // anything else is shown anew rather than guessed at.
    const bool prefix = m_pending.size() <= pending.size()
                     && std::equal(m_pending.cbegin(), m_pending.cend(), pending.cbegin(),
                                   [](const OutgoingMessage &a, const OutgoingMessage &b) { return a.localId == b.localId; });
    if (!prefix && !m_pending.isEmpty()) {
        beginRemoveRows({}, firstPendingRow, firstPendingRow + int(m_pending.size()) - 1);
        m_pending.clear();
        endRemoveRows();
    }
    for (qsizetype i = 0; i < m_pending.size(); ++i) {
        const OutgoingMessage &now = pending.at(i);
        if (deliveryOf(now) != deliveryOf(m_pending.at(i))) {
            m_pending[i] = now;
            headerMayHaveChanged(firstPendingRow + int(i));
        }
    }
    if (pending.size() > m_pending.size()) {
        const int first = int(rowCount());
        beginInsertRows({}, first, first + int(pending.size() - m_pending.size()) - 1);
        m_pending.append(pending.mid(m_pending.size()));
        endInsertRows();
    }
}

void MessageModel::setFirstUnread(MessageId id)
{
    if (id == m_firstUnreadId)
        return;
    const qsizetype before = m_firstUnreadId ? storedRowFor(m_firstUnreadId) : -1;
    m_firstUnreadId = id;
    const qsizetype after = id ? storedRowFor(id) : -1;
    for (qsizetype row : {before, after}) {
        if (row >= 0 && row < m_messages.size())
            headerMayHaveChanged(int(row));
    }
}
