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
    const QString &text = stored ? message->text : outgoing->text;
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
        parts.append(text);
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
        return author != m_ownName && mentions(text, m_ownName);
    case LayoutKeyRole: {
        const size_t identity = stored ? qHash(message->id) : qHash(outgoing->localId);
        return quint64(qHashMulti(0, identity, startsGroup(row), startsDay(row),
                                  data(index, FirstUnreadRole).toBool(), data(index, RoomStartRole).toBool(),
                                  int(delivery)));
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
    insertStored(0, timeline.messages().values());
    m_pending = pending;
    m_firstUnreadId = firstUnreadId;
    endResetModel();
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

void MessageModel::addMessages(const QList<Message> &messages)
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
        return;
    }
    for (const Message &message : fresh) {
        const int at = int(storedRowFor(message.id));
        beginInsertRows({}, at, at);
        insertStored(at, {message});
        endInsertRows();
        headerMayHaveChanged(at + 1);
    }
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
