#include "typingindicator.h"

TypingIndicator::TypingIndicator(QWidget *parent) : QLabel(parent)
{
    // Names are whatever people chose: never read as markup.
    setTextFormat(Qt::PlainText);
    // Two long names must not widen the window; the line is cut instead.
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    setMinimumHeight(fontMetrics().height());
    setStyleSheet(QStringLiteral("color: #757575; font-style: italic;"));
}

void TypingIndicator::showTyping(const QStringList &names)
{
    setText(textFor(names));
}

QString TypingIndicator::textFor(const QStringList &names)
{
    switch (names.size()) {
    case 0:
        return {};
    case 1:
        return tr("%1 is typing…").arg(names.first());
    case 2:
        //: Two people typing in the room: "ana and ben are typing…"
        return tr("%1 and %2 are typing…").arg(names.at(0), names.at(1));
    default:
        return tr("Several people are typing…");
    }
}
