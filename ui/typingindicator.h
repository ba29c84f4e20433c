#pragma once

#include <QLabel>

// The line under the messages that says who else is typing in the room (ChatClient::
// typing()). It keeps its height while nobody types, so that the messages do not jump
// each time someone starts or stops.
class TypingIndicator : public QLabel
{
    Q_OBJECT

public:
    explicit TypingIndicator(QWidget *parent = nullptr);

    void showTyping(const QStringList &names);
    // "ana is typing…", "ana and ben are typing…", past two "Several people are typing…";
    // empty for nobody.
    static QString textFor(const QStringList &names);
};
