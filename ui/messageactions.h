#pragma once

#include "core/message.h"

#include <QFrame>
#include <QPersistentModelIndex>

class QToolButton;

// The small bar of actions over the message under the mouse, as Slack and Element show
// it: react, reply, and for one's own messages edit and delete. The same actions as the
// message's context menu, for those who do not think of right-clicking.
class MessageActions : public QFrame
{
    Q_OBJECT

public:
    explicit MessageActions(QWidget *parent = nullptr);

    // Over `index`'s row, whose rectangle in the parent is `row`; hidden for rows that
    // have nothing to act on (a send on its way, a deleted message).
    void showFor(const QModelIndex &index, const QRect &row);
    QModelIndex index() const { return m_index; }

signals:
    void reactionToggled(MessageId id, const QString &emoji);
    void replyWanted(MessageId id);
    void editWanted(MessageId id);
    void deleteWanted(MessageId id);

private:
    void pickReaction();
    MessageId id() const;

    QPersistentModelIndex m_index;
    QToolButton *m_react;
    QToolButton *m_edit;
    QToolButton *m_delete;
};
