#pragma once

#include "core/message.h"

#include <QWidget>

class QLabel;

// The line above the composer that says what Enter will do when it is not a plain send:
// save an edit of a message, or send a reply to one. Its × (or Esc in the composer)
// goes back to writing a new message.
class ComposeModeBar : public QWidget
{
    Q_OBJECT

public:
    enum class Mode { Writing, Editing, Replying };

    explicit ComposeModeBar(QWidget *parent = nullptr);

    Mode mode() const { return m_mode; }
    // The message being edited or replied to; 0 when writing.
    MessageId target() const { return m_target; }
    void showEditing(MessageId id);
    // `line`: the first line of the message, as the list quotes it.
    void showReplying(MessageId id, const QString &author, const QString &line);
    void clear();

signals:
    void cancelled();

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    // One line however long the quoted one is, cut to the width there is: the list shows the rest.
    void fitText();

    Mode m_mode = Mode::Writing;
    MessageId m_target = 0;
    QString m_fullText;
    QLabel *m_text;
};
