#pragma once

#include <QHash>
#include <QStyledItemDelegate>

class QTextDocument;

// Draws one row of the message list as chat apps do: a day separator and the "new
// messages" divider where they fall, the author's initial, name and time at the start of
// a run of messages, then the text with its links, and a pending send's state under it.
// Sizes are cached per row and width: the list lays out every row when one is added, and
// measuring thousands of texts each time would make a long room slow.
class MessageDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    explicit MessageDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    bool editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                     const QModelIndex &index) override;

    // The link under `position` (in the view's coordinates) of the row drawn in `option.rect`.
    QString linkAt(const QStyleOptionViewItem &option, const QModelIndex &index, const QPoint &position) const;
    // Sizes measured for another font or width are thrown away.
    void forgetSizes();

private:
    struct Layout;
    Layout layoutFor(const QStyleOptionViewItem &option, const QModelIndex &index) const;

    mutable QHash<quint64, int> m_heights; // by the row's layout key, for m_heightsWidth
    mutable int m_heightsWidth = -1;
};
