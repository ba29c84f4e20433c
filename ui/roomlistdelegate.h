#pragma once

#include <QStyledItemDelegate>

// A room as chat apps list it: its name, bold while something in it is unread, and a
// badge with the count, red when someone called you there.
class RoomListDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};
