#pragma once

#include <QPlainTextEdit>

// Where a message is typed: Enter sends, Shift+Enter starts a new line, as in every
// chat app people already know.
class Composer : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit Composer(QWidget *parent = nullptr);

    QSize sizeHint() const override;

signals:
    void submitted();

protected:
    bool event(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
};
