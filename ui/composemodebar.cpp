#include "composemodebar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

ComposeModeBar::ComposeModeBar(QWidget *parent) : QWidget(parent), m_text(new QLabel)
{
    setObjectName(QStringLiteral("composeModeBar"));
    setAttribute(Qt::WA_StyledBackground);
    setStyleSheet(QStringLiteral("#composeModeBar { background: #e3f2fd; border-left: 3px solid #1565c0; }"));
    m_text->setObjectName(QStringLiteral("composeModeText"));
    m_text->setTextFormat(Qt::PlainText);
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
    m_text->setText(tr("Editing message — Esc to cancel"));
    show();
}

void ComposeModeBar::showReplying(MessageId id, const QString &author, const QString &line)
{
    m_mode = Mode::Replying;
    m_target = id;
    const QString full = tr("Replying to %1: %2").arg(author, line);
    m_text->setToolTip(full);
    // One line however long the quoted one is: the list shows the rest.
    m_text->setText(m_text->fontMetrics().elidedText(full, Qt::ElideRight, std::max(200, width() - 60)));
    show();
}

void ComposeModeBar::clear()
{
    m_mode = Mode::Writing;
    m_target = 0;
    m_text->setToolTip({});
    hide();
}
