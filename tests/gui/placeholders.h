#pragma once

// Whether what a field says when empty can be read whole, the way QLineEdit draws it:
// a placeholder wider than the text area is elided ("Unirse a una sala o c…").

#include <QLineEdit>
#include <QStringList>
#include <QStyle>
#include <QStyleOptionFrame>

// The placeholders of the visible line edits in `top` that would be drawn cut off.
inline QStringList cutPlaceholders(const QWidget &top)
{
    QStringList cut;
    for (const QLineEdit *edit : top.findChildren<QLineEdit *>()) {
        if (!edit->isVisible() || edit->placeholderText().isEmpty())
            continue;
        QStyleOptionFrame option;
        option.initFrom(edit);
        option.lineWidth = edit->hasFrame() ? edit->style()->pixelMetric(QStyle::PM_DefaultFrameWidth, &option, edit) : 0;
        const QRect contents = edit->style()->subElementRect(QStyle::SE_LineEditContents, &option, edit);
        const QMargins margins = edit->textMargins();
        constexpr int lineEditHorizontalMargin = 2; // QLineEditPrivate::horizontalMargin
        const int room = contents.width() - margins.left() - margins.right() - 2 * lineEditHorizontalMargin;
        if (edit->fontMetrics().horizontalAdvance(edit->placeholderText()) > room)
            cut.append(QStringLiteral("%1: %2").arg(edit->objectName(), edit->placeholderText()));
    }
    return cut;
}
