#pragma once

#include <QListView>

class MessageDelegate;
class QToolButton;

// The message list. It stays at the newest message while the reader is there, also when
// it gets shorter (the Protocol panel opens, the window is resized) or messages arrive;
// a reader who scrolled up keeps his place, also when older messages are added above,
// and a button tells how many arrived below and takes him there.
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
    // Scrolls `row` to the middle and selects it: a message found elsewhere, in context.
    void showRow(int row);

signals:
    // Scrolled to the top, or the rows do not fill the view: older history is wanted.
    void olderWanted();
    void atBottomChanged(bool atBottom);

protected:
    void rowsInserted(const QModelIndex &parent, int start, int end) override;
    void resizeEvent(QResizeEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void changeEvent(QEvent *event) override;

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
};
