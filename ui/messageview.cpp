#include "messageview.h"

#include <QScrollBar>

namespace {
// Within this many pixels of the end counts as "at the bottom": a new message scrolls in.
constexpr int bottomSlackPx = 8;
} // namespace

MessageView::MessageView(QWidget *parent) : QTextBrowser(parent)
{
    setOpenExternalLinks(true);
    setUndoRedoEnabled(false);
    setTextInteractionFlags(Qt::TextBrowserInteraction | Qt::TextSelectableByKeyboard);
    document()->setDocumentMargin(10);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, &MessageView::checkTop);
}

bool MessageView::isAtBottom() const
{
    const QScrollBar *bar = verticalScrollBar();
    return bar->value() >= bar->maximum() - bottomSlackPx;
}

void MessageView::showHtml(const QString &html, Placement placement)
{
    QScrollBar *bar = verticalScrollBar();
    const bool atBottom = isAtBottom();
    const int distanceFromBottom = bar->maximum() - bar->value();
    const int position = bar->value();
    {
        // The scroll bar moves while the document is replaced; that is not the user
        // scrolling to the top.
        const QSignalBlocker blocker(bar);
        setHtml(html);
        if (atBottom || placement == Placement::Bottom)
            bar->setValue(bar->maximum());
        else if (placement == Placement::OlderAddedAbove)
            bar->setValue(bar->maximum() - distanceFromBottom);
        else
            bar->setValue(position);
    }
}

void MessageView::checkTop(int value)
{
    if (value == verticalScrollBar()->minimum())
        emit scrolledToTop();
}
