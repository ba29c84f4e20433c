#pragma once

#include "core/message.h"
#include "core/roomname.h"

#include <QAbstractListModel>
#include <QList>

// The rooms the client knows, sorted by name as the server lists them, each with what is
// unread in it. Rows are inserted and changed in place, never the list rebuilt, so a view
// keeps its selection and scroll position while counts change.
class RoomListModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        NameRole = Qt::UserRole + 1, // the room name without '#', a QString
        UnreadRole, // messages newer than the last one read, qint64
        MentionRole, // of those, how many name you, int
        MutedRole, // bool: the user muted the room (NotificationSettings)
    };

    explicit RoomListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Adds the room if it is new; returns its row.
    int addRoom(const RoomName &room);
    void setUnread(const RoomName &room, qint64 unread, int mentions);
    void setMuted(const RoomName &room, bool muted);
    // -1 when the room is not listed.
    int rowOf(const RoomName &room) const;
    RoomName roomAt(int row) const;
    qint64 unreadTotal() const;

signals:
    void unreadTotalChanged(qint64 total);

private:
    struct Row
    {
        RoomName name;
        qint64 unread = 0;
        int mentions = 0;
        bool muted = false;
    };
    // Where `room` is or would be inserted, keeping the rows sorted.
    qsizetype lowerBound(const RoomName &room) const;
    void changed(int row);

    QList<Row> m_rows;
};
