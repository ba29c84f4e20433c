#include "messagelistview.h"

#include "client/messagemodel.h"
#include "messageactions.h"
#include "messagedelegate.h"
#include "reactionpicker.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QMenu>
#include <QScrollBar>
#include <QTimer>
#include <QToolButton>
#include <QWidgetAction>

namespace {
// Within this many pixels of the end counts as "at the bottom": a new message scrolls in.
constexpr int bottomSlackPx = 8;
} // namespace

MessageListView::MessageListView(QWidget *parent)
    : QListView(parent),
      m_delegate(new MessageDelegate(this)),
      m_jumpButton(new QToolButton(this)),
      m_flashTimer(new QTimer(this)),
      m_actions(new MessageActions(viewport()))
{
    connect(m_actions, &MessageActions::reactionToggled, this, &MessageListView::reactionToggled);
    connect(m_actions, &MessageActions::replyWanted, this, &MessageListView::replyWanted);
    connect(m_actions, &MessageActions::editWanted, this, &MessageListView::editWanted);
    connect(m_actions, &MessageActions::deleteWanted, this, &MessageListView::deleteWanted);
    m_flashTimer->setSingleShot(true);
    m_flashTimer->setInterval(flashMs);
    connect(m_flashTimer, &QTimer::timeout, this, [this] {
        m_delegate->setFlashed(0);
        viewport()->update();
    });
    connect(m_delegate, &MessageDelegate::quoteClicked, this, &MessageListView::quoteClicked);
    connect(m_delegate, &MessageDelegate::reactionClicked, this, &MessageListView::reactionToggled);
    setItemDelegate(m_delegate);
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setResizeMode(QListView::Adjust);
    setWordWrap(true);
    setMouseTracking(true);
    setFrameShape(QFrame::NoFrame);
    verticalScrollBar()->setSingleStep(24);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, &MessageListView::onScrolled);
    connect(verticalScrollBar(), &QScrollBar::rangeChanged, this, &MessageListView::onRangeChanged);

    m_jumpButton->setObjectName(QStringLiteral("jumpToLatestButton"));
    m_jumpButton->setCursor(Qt::PointingHandCursor);
    m_jumpButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_jumpButton->setStyleSheet(QStringLiteral(
        "QToolButton { background: #1565c0; color: white; border-radius: 12px; padding: 4px 12px; }"));
    m_jumpButton->hide();
    connect(m_jumpButton, &QToolButton::clicked, this, &MessageListView::scrollToLatest);
}

void MessageListView::setModel(QAbstractItemModel *newModel)
{
    if (model())
        disconnect(model(), nullptr, this, nullptr);
    QListView::setModel(newModel);
    connect(newModel, &QAbstractItemModel::rowsAboutToBeInserted, this, &MessageListView::rowsAboutToArrive);
    // Another room: its newest messages, whatever the reader did in the last one.
    connect(newModel, &QAbstractItemModel::modelReset, this, [this] {
        m_newBelow = 0;
        m_keepDistanceFromBottom = -1;
        setStuck(true);
        scrollToLatest();
    });
    // A row whose separators or state changed may change its height.
    connect(newModel, &QAbstractItemModel::dataChanged, this, [this] { scheduleDelayedItemsLayout(); });
    // Rows move when others come or go: the hover bar waits for the mouse to move again.
    // A message deleted under the bar has nothing left to act on.
    connect(newModel, &QAbstractItemModel::dataChanged, this, [this] {
        if (m_actions->isVisible())
            m_actions->showFor(m_actions->index(), visualRect(m_actions->index()));
    });
    connect(newModel, &QAbstractItemModel::rowsInserted, m_actions, &QWidget::hide);
    connect(newModel, &QAbstractItemModel::rowsRemoved, m_actions, &QWidget::hide);
    connect(newModel, &QAbstractItemModel::modelReset, m_actions, &QWidget::hide);
}

bool MessageListView::isAtBottom() const
{
    const QScrollBar *bar = verticalScrollBar();
    return bar->value() >= bar->maximum() - bottomSlackPx;
}

void MessageListView::scrollToLatest()
{
    m_newBelow = 0;
    setStuck(true);
    // The layout may be pending: the range follows, and onRangeChanged keeps the bottom.
    QScrollBar *bar = verticalScrollBar();
    bar->setValue(bar->maximum());
}

void MessageListView::setStuck(bool stuck)
{
    const bool changed = stuck != m_stuckToBottom;
    m_stuckToBottom = stuck;
    if (stuck)
        m_newBelow = 0;
    showJumpButton();
    if (changed)
        emit atBottomChanged(stuck);
}

void MessageListView::onScrolled(int value)
{
    m_actions->hide();
    if (m_adjusting)
        return;
    setStuck(isAtBottom());
    if (value == verticalScrollBar()->minimum() && verticalScrollBar()->maximum() > 0)
        emit olderWanted();
}

void MessageListView::onRangeChanged(int, int maximum)
{
    m_adjusting = true;
    QScrollBar *bar = verticalScrollBar();
    if (m_keepDistanceFromBottom >= 0) {
        bar->setValue(maximum - m_keepDistanceFromBottom);
        m_keepDistanceFromBottom = -1;
    } else if (m_stuckToBottom) {
        bar->setValue(maximum);
    }
    m_adjusting = false;
    // Nothing to scroll: the top is in sight, and scrolling cannot ask for more.
    if (maximum == 0 && model() && model()->rowCount() > 0)
        emit olderWanted();
}

void MessageListView::rowsAboutToArrive(const QModelIndex &, int start, int)
{
    // Older history goes in above what the reader looks at: he stays with it.
    if (start == 0 && model()->rowCount() > 0 && !m_stuckToBottom) {
        const QScrollBar *bar = verticalScrollBar();
        m_keepDistanceFromBottom = bar->maximum() - bar->value();
    }
}

void MessageListView::rowsInserted(const QModelIndex &parent, int start, int end)
{
    QListView::rowsInserted(parent, start, end);
    const bool appended = end == model()->rowCount() - 1 && start > 0;
    if (appended && !m_stuckToBottom) {
        m_newBelow += end - start + 1;
        showJumpButton();
    }
}

void MessageListView::showJumpButton()
{
    if (m_stuckToBottom) {
        m_jumpButton->hide();
        return;
    }
    m_jumpButton->setText(m_newBelow > 0 ? tr("↓ %n new message(s)", nullptr, m_newBelow) : tr("↓ Latest"));
    m_jumpButton->setToolTip(tr("Jump to the newest message (Ctrl+End)"));
    m_jumpButton->adjustSize();
    const QRect area = viewport()->geometry();
    m_jumpButton->move(area.right() - m_jumpButton->width() - 12, area.bottom() - m_jumpButton->height() - 12);
    m_jumpButton->show();
    m_jumpButton->raise();
}

void MessageListView::resizeEvent(QResizeEvent *event)
{
    m_delegate->forgetSizes();
    QListView::resizeEvent(event);
    showJumpButton();
}

void MessageListView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange || event->type() == QEvent::LanguageChange)
        m_delegate->forgetSizes();
    QListView::changeEvent(event);
}

bool MessageListView::viewportEvent(QEvent *event)
{
    // The bar is the viewport's child: going onto it leaves the viewport, not the row.
    if (event->type() == QEvent::Leave && !m_actions->underMouse())
        m_actions->hide();
    return QListView::viewportEvent(event);
}

void MessageListView::keyPressEvent(QKeyEvent *event)
{
    if (event->matches(QKeySequence::Copy)) {
        copySelection();
        return;
    }
    if (event->matches(QKeySequence::MoveToEndOfDocument)) {
        scrollToLatest();
        return;
    }
    QListView::keyPressEvent(event);
}

void MessageListView::showRow(int row)
{
    const QModelIndex index = model()->index(row, 0);
    if (!index.isValid())
        return;
    // The rows just loaded are laid out first, or the place would be a guess.
    executeDelayedItemsLayout();
    setStuck(false);
    m_adjusting = true;
    scrollTo(index, QAbstractItemView::PositionAtCenter);
    m_adjusting = false;
    setStuck(isAtBottom());
    selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect);
    m_delegate->setFlashed(index.data(MessageModel::IdRole).toLongLong());
    m_flashTimer->start();
    viewport()->update();
}

void MessageListView::setEditing(MessageId id)
{
    m_delegate->setEditing(id);
    viewport()->update();
}

QString MessageListView::linkAt(const QPoint &position) const
{
    const QModelIndex index = indexAt(position);
    if (!index.isValid())
        return {};
    QStyleOptionViewItem option;
    initViewItemOption(&option);
    option.rect = visualRect(index);
    return m_delegate->linkAt(option, index, position);
}

void MessageListView::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint position = event->position().toPoint();
    const QModelIndex index = indexAt(position);
    bool clickable = false;
    if (index.isValid()) {
        QStyleOptionViewItem option;
        initViewItemOption(&option);
        option.rect = visualRect(index);
        clickable = m_delegate->hitAt(option, index, position).kind != MessageDelegate::Hit::Kind::Nothing;
    }
    viewport()->setCursor(clickable ? Qt::PointingHandCursor : Qt::ArrowCursor);
    if (index != m_actions->index() || !m_actions->isVisible())
        m_actions->showFor(index, visualRect(index));
    QListView::mouseMoveEvent(event);
}

void MessageListView::copySelection() const
{
    QModelIndexList rows = selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QStringList texts;
    for (const QModelIndex &row : rows)
        texts.append(row.data(MessageModel::TextRole).toString());
    if (!texts.isEmpty())
        QApplication::clipboard()->setText(texts.join(u'\n'));
}

void MessageListView::contextMenuEvent(QContextMenuEvent *event)
{
    // From the keyboard (the Menu key), the menu is the current message's.
    const bool keyboard = event->reason() == QContextMenuEvent::Keyboard;
    const QModelIndex index = keyboard ? currentIndex() : indexAt(event->pos());
    if (!index.isValid())
        return;
    if (!selectionModel()->isSelected(index))
        selectionModel()->select(index, QItemSelectionModel::ClearAndSelect);
    QMenu menu(this);
    menu.setObjectName(QStringLiteral("messageMenu"));
    const MessageId id = index.data(MessageModel::IdRole).toLongLong();
    // A send still on its way has no id yet; a deleted message has nothing left to act on.
    const bool actionable = id != 0 && !index.data(MessageModel::DeletedRole).toBool();
    if (actionable) {
        auto *picker = new ReactionPicker(index.data(MessageModel::MyReactionsRole).toStringList());
        connect(picker, &ReactionPicker::picked, this, [this, id, &menu](const QString &emoji) {
            menu.close();
            emit reactionToggled(id, emoji);
        });
        auto *pickerAction = new QWidgetAction(&menu);
        pickerAction->setDefaultWidget(picker);
        menu.addAction(pickerAction);
        menu.addSeparator();
        menu.addAction(tr("&Reply"), this, [this, id] { emit replyWanted(id); })
            ->setObjectName(QStringLiteral("replyAction"));
        if (index.data(MessageModel::CanEditRole).toBool()) {
            menu.addAction(tr("&Edit"), this, [this, id] { emit editWanted(id); })
                ->setObjectName(QStringLiteral("editAction"));
            menu.addAction(tr("&Delete…"), this, [this, id] { emit deleteWanted(id); })
                ->setObjectName(QStringLiteral("deleteAction"));
        }
        menu.addSeparator();
    }
    menu.addAction(tr("&Copy Text"), this, &MessageListView::copySelection);
    const QString link = linkAt(event->pos());
    if (!link.isEmpty())
        menu.addAction(tr("Copy &Link Address"), this, [link] { QApplication::clipboard()->setText(link); });
    menu.exec(keyboard ? viewport()->mapToGlobal(visualRect(index).center()) : event->globalPos());
}
