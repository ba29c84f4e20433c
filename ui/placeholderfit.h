#pragma once

#include <QLineEdit>
#include <QStyle>
#include <QStyleOptionFrame>

// Makes `edit` at least wide enough to show its placeholder whole, in whichever language
// it is in: a placeholder cut off ("Unirse a una sala o c…") no longer tells what to type.
inline void fitPlaceholder(QLineEdit *edit)
{
    constexpr int lineEditHorizontalMargin = 2; // as QLineEdit lays out its text
    const QMargins margins = edit->textMargins();
    const int text = edit->fontMetrics().horizontalAdvance(edit->placeholderText())
                   + 2 * lineEditHorizontalMargin + margins.left() + margins.right()
                   // A character to spare: exactly fitting, the first letter touches the frame.
                   + edit->fontMetrics().averageCharWidth();
    QStyleOptionFrame option;
    option.initFrom(edit);
    option.lineWidth = edit->hasFrame() ? edit->style()->pixelMetric(QStyle::PM_DefaultFrameWidth, &option, edit) : 0;
    const QSize framed = edit->style()->sizeFromContents(QStyle::CT_LineEdit, &option,
                                                         QSize(text, edit->fontMetrics().height()), edit);
    edit->setMinimumWidth(framed.width());
}
