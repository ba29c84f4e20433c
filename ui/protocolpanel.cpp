#include "protocolpanel.h"

#include "exchangecolours.h"

#include <QHeaderView>
#include <QLocale>
#include <QTreeWidget>

namespace {
enum Column { TimeColumn, MethodColumn, PathColumn, StatusColumn, DurationColumn };
}

ProtocolPanel::ProtocolPanel(QWidget *parent) : QDockWidget(tr("Protocol"), parent)
{
    setObjectName(QStringLiteral("protocolPanel"));
    m_table = new QTreeWidget(this);
    m_table->setObjectName(QStringLiteral("protocolTable"));
    m_table->setAccessibleName(tr("HTTP exchanges"));
    m_table->setRootIsDecorated(false);
    m_table->setUniformRowHeights(true);
    m_table->setAlternatingRowColors(true);
    m_table->setHeaderLabels({tr("Time"), tr("Method"), tr("Path"), tr("Status"), tr("Duration")});
    m_table->header()->setSectionResizeMode(PathColumn, QHeaderView::Stretch);
    m_table->header()->setStretchLastSection(false);
    for (int column : {TimeColumn, MethodColumn, StatusColumn, DurationColumn})
        m_table->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    setWidget(m_table);
}

void ProtocolPanel::record(const Exchange &exchange)
{
    auto *row = new QTreeWidgetItem;
    row->setText(TimeColumn, QLocale().toString(exchange.finishedAt.time(), QStringLiteral("HH:mm:ss.zzz")));
    row->setText(MethodColumn, QString::fromLatin1(exchange.method));
    row->setText(PathColumn, exchange.path);
    row->setToolTip(PathColumn, exchange.path);
    row->setText(StatusColumn, exchange.statusText());
    row->setForeground(StatusColumn, colourFor(exchange.outcome()));
    row->setText(DurationColumn, tr("%1 ms").arg(exchange.elapsedMs));
    row->setTextAlignment(DurationColumn, Qt::AlignRight | Qt::AlignVCenter);
    m_table->insertTopLevelItem(0, row);
    while (m_table->topLevelItemCount() > maxRows)
        delete m_table->takeTopLevelItem(m_table->topLevelItemCount() - 1);
}
