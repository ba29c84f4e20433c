#include "composer.h"

#include <QKeyEvent>

Composer::Composer(QWidget *parent) : QPlainTextEdit(parent)
{
    setPlaceholderText(tr("Write a message… (Enter sends, Shift+Enter for a new line)"));
    setTabChangesFocus(true);
    setAccessibleName(tr("Message"));
}

QSize Composer::sizeHint() const
{
    const int lines = 3;
    const QSize hint = QPlainTextEdit::sizeHint();
    return {hint.width(), fontMetrics().lineSpacing() * lines + 2 * frameWidth() + 12};
}

bool Composer::event(QEvent *event)
{
    // Ctrl+End is the window's Jump to Latest Message: in a message of a line or three,
    // the end of the text is never far, and the newest messages are what people want.
    if (event->type() == QEvent::ShortcutOverride
        && static_cast<QKeyEvent *>(event)->matches(QKeySequence::MoveToEndOfDocument)) {
        event->ignore();
        return true;
    }
    return QPlainTextEdit::event(event);
}

void Composer::keyPressEvent(QKeyEvent *event)
{
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (enter && !(event->modifiers() & Qt::ShiftModifier)) {
        emit submitted();
        return;
    }
    if (event->key() == Qt::Key_Up && event->modifiers() == Qt::NoModifier && document()->isEmpty()) {
        emit editLastWanted();
        return;
    }
    if (event->key() == Qt::Key_Escape) {
        emit cancelWanted();
        return;
    }
    if (enter) {
        // A plain Shift+Enter would insert a paragraph separator in some styles; a
        // newline is what the message will carry.
        insertPlainText(QStringLiteral("\n"));
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}
