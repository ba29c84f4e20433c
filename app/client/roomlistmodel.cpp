#include "roomlistmodel.h"

#include <algorithm>

RoomListModel::RoomListModel(QObject *parent) : QAbstractListModel(parent) {}

int RoomListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant RoomListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return QString(u'#' + row.name.value());
    case Qt::AccessibleTextRole:
        // A screen reader says what the badge shows.
        if (row.mentions > 0)
            return tr("#%1, %n unread, mentions you", nullptr, int(row.unread)).arg(row.name.value());
        if (row.unread > 0)
            return tr("#%1, %n unread", nullptr, int(row.unread)).arg(row.name.value());
        return QString(u'#' + row.name.value());
    case Qt::ToolTipRole:
        return row.unread > 0 ? tr("%n unread message(s)", nullptr, int(row.unread)) : QVariant();
    case NameRole:
        return row.name.value();
    case UnreadRole:
        return row.unread;
    case MentionRole:
        return row.mentions;
    case MutedRole:
        return row.muted;
    default:
        return {};
    }
}

QHash<int, QByteArray> RoomListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(NameRole, "name");
    names.insert(UnreadRole, "unread");
    names.insert(MentionRole, "mentions");
    names.insert(MutedRole, "muted");
    return names;
}

qsizetype RoomListModel::lowerBound(const RoomName &room) const
{
    // Byte order, as the server sorts: the list reads the same in every window.
    const auto at = std::lower_bound(m_rows.cbegin(), m_rows.cend(), room, [](const Row &row, const RoomName &name) {
        return row.name.value() < name.value();
    });
    return at - m_rows.cbegin();
}

int RoomListModel::rowOf(const RoomName &room) const
{
    const qsizetype at = lowerBound(room);
    return at < m_rows.size() && m_rows.at(at).name == room ? int(at) : -1;
}

RoomName RoomListModel::roomAt(int row) const
{
    return m_rows.at(row).name;
}

int RoomListModel::addRoom(const RoomName &room)
{
    const qsizetype at = lowerBound(room);
    if (at < m_rows.size() && m_rows.at(at).name == room)
        return int(at);
    beginInsertRows({}, int(at), int(at));
    m_rows.insert(at, Row{room});
    endInsertRows();
    return int(at);
}

void RoomListModel::setUnread(const RoomName &room, qint64 unread, int mentions)
{
    const int row = addRoom(room);
    Row &entry = m_rows[row];
    if (entry.unread == unread && entry.mentions == mentions)
        return;
    entry.unread = unread;
    entry.mentions = mentions;
    changed(row);
    emit unreadTotalChanged(unreadTotal());
}

void RoomListModel::setMuted(const RoomName &room, bool muted)
{
    const int row = addRoom(room);
    if (m_rows.at(row).muted == muted)
        return;
    m_rows[row].muted = muted;
    changed(row);
    emit unreadTotalChanged(unreadTotal());
}

void RoomListModel::changed(int row)
{
    const QModelIndex at = index(row);
    emit dataChanged(at, at);
}

qint64 RoomListModel::unreadTotal() const
{
    // A muted room does not call for attention, unless someone calls you in it.
    qint64 total = 0;
    for (const Row &row : m_rows)
        total += row.muted ? row.mentions : row.unread;
    return total;
}
