#pragma once

#include <QHash>
#include <QStyledItemDelegate>

#include "core/message.h"

class QTextDocument;

// Draws one row of the message list as chat apps do: a day separator and the "new
// messages" divider where they fall, the author's initial, name and time at the start of
// a run of messages, the quote of the message it replies to, then the text with its
// links, its reactions as chips, and a pending send's state under it.
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

    // What is under `position` (in the view's coordinates) of the row drawn in `option.rect`.
    struct Hit
    {
        enum class Kind { Nothing, Link, Quote, Reaction };
        Kind kind = Kind::Nothing;
        QString value; // the link, or the reaction's emoji
    };
    Hit hitAt(const QStyleOptionViewItem &option, const QModelIndex &index, const QPoint &position) const;
    QString linkAt(const QStyleOptionViewItem &option, const QModelIndex &index, const QPoint &position) const;
    bool helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                   const QModelIndex &index) override;
    // The message drawn highlighted for a moment, where a jump landed (0: none).
    void setFlashed(MessageId id) { m_flashed = id; }
    // The message the composer is editing, marked in the list (0: none).
    void setEditing(MessageId id) { m_editing = id; }
    // Sizes measured for another font or width are thrown away.
    void forgetSizes();

signals:
    void quoteClicked(MessageId repliedTo);
    void reactionClicked(MessageId id, const QString &emoji);

private:
    struct Layout;
    Layout layoutFor(const QStyleOptionViewItem &option, const QModelIndex &index) const;

    mutable QHash<quint64, int> m_heights; // by the row's layout key, for m_heightsWidth
    mutable int m_heightsWidth = -1;
    MessageId m_flashed = 0;
    MessageId m_editing = 0;
};
