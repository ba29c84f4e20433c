#include "composemodebar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QResizeEvent>
#include <QToolButton>

ComposeModeBar::ComposeModeBar(QWidget *parent) : QWidget(parent), m_text(new QLabel)
{
    setObjectName(QStringLiteral("composeModeBar"));
    setAttribute(Qt::WA_StyledBackground);
    setStyleSheet(QStringLiteral("#composeModeBar { background: #e3f2fd; border-left: 3px solid #1565c0; }"));
    m_text->setObjectName(QStringLiteral("composeModeText"));
    m_text->setTextFormat(Qt::PlainText);
    // Cut to the bar (fitText), never widening the window for a long quote.
    m_text->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto *close = new QToolButton;
    close->setObjectName(QStringLiteral("composeModeCancel"));
    close->setText(QStringLiteral("×"));
    close->setAutoRaise(true);
    close->setToolTip(tr("Cancel (Esc)"));
    close->setAccessibleName(tr("Cancel"));
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(8, 2, 2, 2);
    row->addWidget(m_text, 1);
    row->addWidget(close);
    connect(close, &QToolButton::clicked, this, &ComposeModeBar::cancelled);
    hide();
}

void ComposeModeBar::showEditing(MessageId id)
{
    m_mode = Mode::Editing;
    m_target = id;
    m_fullText = tr("Editing message — Esc to cancel");
    m_text->setToolTip({});
    show();
    fitText();
}

void ComposeModeBar::showReplying(MessageId id, const QString &author, const QString &line)
{
    m_mode = Mode::Replying;
    m_target = id;
    m_fullText = tr("Replying to %1: %2").arg(author, line);
    m_text->setToolTip(m_fullText);
    show();
    fitText();
}

void ComposeModeBar::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitText();
}

void ComposeModeBar::fitText()
{
    // The label's share of the bar: all of it but the × and the margins.
    const int room = std::max(40, contentsRect().width() - layout()->itemAt(1)->sizeHint().width() - 24);
    m_text->setText(m_text->fontMetrics().elidedText(m_fullText, Qt::ElideRight, room));
}

void ComposeModeBar::clear()
{
    m_mode = Mode::Writing;
    m_target = 0;
    m_fullText.clear();
    m_text->setToolTip({});
    hide();
}
