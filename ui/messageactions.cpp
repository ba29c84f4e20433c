#include "messageactions.h"

#include "client/messagemodel.h"
#include "reactionpicker.h"

#include <QHBoxLayout>
#include <QMenu>
#include <QToolButton>
#include <QWidgetAction>

namespace {
QToolButton *actionButton(const QString &objectName, const QString &text, const QString &tip)
{
    auto *button = new QToolButton;
    button->setObjectName(objectName);
    button->setText(text);
    button->setToolTip(tip);
    button->setAccessibleName(tip);
    button->setAutoRaise(true);
    button->setFocusPolicy(Qt::NoFocus); // the keyboard has the context menu (Menu key)
    return button;
}
} // namespace

MessageActions::MessageActions(QWidget *parent)
    : QFrame(parent),
      m_react(actionButton(QStringLiteral("hoverReact"), QStringLiteral("☺"), tr("Add Reaction"))),
      m_edit(actionButton(QStringLiteral("hoverEdit"), QStringLiteral("✎"), tr("Edit"))),
      m_delete(actionButton(QStringLiteral("hoverDelete"), QStringLiteral("🗑"), tr("Delete…")))
{
    setObjectName(QStringLiteral("messageActions"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    auto *reply = actionButton(QStringLiteral("hoverReply"), QStringLiteral("↩"), tr("Reply"));
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(2, 1, 2, 1);
    row->setSpacing(0);
    for (QToolButton *button : {m_react, reply, m_edit, m_delete})
        row->addWidget(button);
    connect(m_react, &QToolButton::clicked, this, &MessageActions::pickReaction);
    connect(reply, &QToolButton::clicked, this, [this] { emit replyWanted(id()); });
    connect(m_edit, &QToolButton::clicked, this, [this] { emit editWanted(id()); });
    connect(m_delete, &QToolButton::clicked, this, [this] { emit deleteWanted(id()); });
    hide();
}

MessageId MessageActions::id() const
{
    return m_index.data(MessageModel::IdRole).toLongLong();
}

void MessageActions::showFor(const QModelIndex &index, const QRect &row)
{
    const bool actionable = index.isValid() && index.data(MessageModel::IdRole).toLongLong() != 0
                         && !index.data(MessageModel::DeletedRole).toBool();
    if (!actionable) {
        m_index = QPersistentModelIndex();
        hide();
        return;
    }
    m_index = index;
    const bool own = index.data(MessageModel::CanEditRole).toBool();
    m_edit->setVisible(own);
    m_delete->setVisible(own);
    adjustSize();
    // At the top right of the message, over its corner rather than its words.
    move(row.right() - width() - 8, row.top() + 2);
    show();
    raise();
}

void MessageActions::pickReaction()
{
    const MessageId message = id();
    QMenu menu(this);
    menu.setObjectName(QStringLiteral("reactionMenu"));
    auto *picker = new ReactionPicker(m_index.data(MessageModel::MyReactionsRole).toStringList());
    connect(picker, &ReactionPicker::picked, this, [this, message, &menu](const QString &emoji) {
        menu.close();
        emit reactionToggled(message, emoji);
    });
    auto *action = new QWidgetAction(&menu);
    action->setDefaultWidget(picker);
    menu.addAction(action);
    menu.exec(m_react->mapToGlobal(QPoint(0, m_react->height())));
}
