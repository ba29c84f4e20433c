#pragma once

#include <QListView>

#include "core/message.h"

class MessageActions;
class MessageDelegate;
class QTimer;
class QToolButton;

// The message list. It stays at the newest message while the reader is there, also when
// it gets shorter (the Protocol panel opens, the window is resized) or messages arrive;
// a reader who scrolled up keeps his place, also when older messages are added above,
// and a button tells how many arrived below and takes him there. A message's context menu
// offers what can be done to it (react, reply, edit, delete); the list only asks, the
// window decides.
class MessageListView : public QListView
{
    Q_OBJECT

public:
    explicit MessageListView(QWidget *parent = nullptr);

    void setModel(QAbstractItemModel *model) override;
    bool isAtBottom() const;
    void scrollToLatest();
    // Messages added below since the reader left the bottom.
    int newBelow() const { return m_newBelow; }
    QString linkAt(const QPoint &position) const;
    // Scrolls `row` to the middle, selects it and highlights it for a moment: a message
    // found elsewhere or quoted, in context.
    void showRow(int row);
    static constexpr int flashMs = 1500;
    // Marks the message the composer edits (0: none).
    void setEditing(MessageId id);

signals:
    // Scrolled to the top, or the rows do not fill the view: older history is wanted.
    void olderWanted();
    void atBottomChanged(bool atBottom);
    void replyWanted(MessageId id);
    void editWanted(MessageId id);
    void deleteWanted(MessageId id);
    // The user's reaction `emoji` to `id`: added, or taken back if it was there.
    void reactionToggled(MessageId id, const QString &emoji);
    void quoteClicked(MessageId repliedTo);

protected:
    void rowsInserted(const QModelIndex &parent, int start, int end) override;
    void resizeEvent(QResizeEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void changeEvent(QEvent *event) override;
    bool viewportEvent(QEvent *event) override;

private:
    void onScrolled(int value);
    void onRangeChanged(int minimum, int maximum);
    void rowsAboutToArrive(const QModelIndex &parent, int start, int end);
    void setStuck(bool stuck);
    void showJumpButton();
    void copySelection() const;

    MessageDelegate *m_delegate;
    QToolButton *m_jumpButton;
    bool m_stuckToBottom = true;
    bool m_adjusting = false; // the view moves the scroll bar itself, not the reader
    int m_keepDistanceFromBottom = -1; // older rows are being added above
    int m_newBelow = 0;
    QTimer *m_flashTimer;
    MessageActions *m_actions;
};
