#pragma once

#include <QTextBrowser>

// The message list: read-only rich text with clickable links, which keeps the reader's
// place when it is redrawn and asks for older history when scrolled to the top.
class MessageView : public QTextBrowser
{
    Q_OBJECT

public:
    explicit MessageView(QWidget *parent = nullptr);

    enum class Placement { KeepReaderPlace, OlderAddedAbove, Bottom };

    // Replaces the content. A reader at the bottom stays at the bottom; one who scrolled
    // up keeps what he was looking at, also when older messages are added above.
    void showHtml(const QString &html, Placement placement);
    bool isAtBottom() const;

signals:
    void scrolledToTop();

private:
    void checkTop(int value);
};
