#pragma once

#include <QPlainTextEdit>

// Where a message is typed: Enter sends, Shift+Enter starts a new line, Up in an empty
// composer edits the last message and Esc cancels an edit or a reply, as in every chat
// app people already know.
class Composer : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit Composer(QWidget *parent = nullptr);

    QSize sizeHint() const override;

signals:
    void submitted();
    void editLastWanted();
    void cancelWanted();

protected:
    bool event(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
};
