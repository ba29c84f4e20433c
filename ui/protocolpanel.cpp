#include "protocolpanel.h"

#include "client/exchangelog.h"
#include "client/exchangetext.h"
#include "client/harexport.h"
#include "exchangecolours.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHeaderView>
#include <QIdentityProxyModel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QStandardPaths>
#include <QTreeView>

namespace {
// The status in its class's colour, as in the status bar; the log itself knows no colours.
class ColouredStatus : public QIdentityProxyModel
{
public:
    using QIdentityProxyModel::QIdentityProxyModel;

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (role == Qt::ForegroundRole && index.column() == ExchangeLog::StatusColumn)
            return colourFor(Exchange::Outcome(
                QIdentityProxyModel::data(index, ExchangeLog::OutcomeRole).toInt()));
        return QIdentityProxyModel::data(index, role);
    }
};
} // namespace

ProtocolPanel::ProtocolPanel(ExchangeLog *log, QWidget *parent)
    : QDockWidget(tr("Protocol"), parent), m_log(log)
{
    setObjectName(QStringLiteral("protocolPanel"));

    auto *coloured = new ColouredStatus(this);
    coloured->setSourceModel(log);
    m_table = new QTreeView;
    m_table->setObjectName(QStringLiteral("protocolTable"));
    m_table->setAccessibleName(tr("HTTP exchanges"));
    m_table->setModel(coloured);
    m_table->setRootIsDecorated(false);
    m_table->setUniformRowHeights(true);
    m_table->setAlternatingRowColors(true);
    // Paths differ at their end (".../messages?after=12&wait=25"), so that end stays in view.
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->header()->setStretchLastSection(false);
    m_table->header()->setSectionResizeMode(ExchangeLog::PathColumn, QHeaderView::Stretch);
    for (int column : {ExchangeLog::TimeColumn, ExchangeLog::MethodColumn, ExchangeLog::StatusColumn,
                       ExchangeLog::DurationColumn})
        m_table->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);

    m_details = new QPlainTextEdit;
    m_details->setObjectName(QStringLiteral("protocolDetails"));
    m_details->setAccessibleName(tr("Selected HTTP exchange"));
    m_details->setReadOnly(true);
    // Selectable and reachable with Tab, so a header or a body can be copied.
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->setPlaceholderText(tr("Select an exchange to see its request and its answer."));

    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(m_table);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    setWidget(splitter);

    m_exportAction = new QAction(tr("&Export Protocol Log…"), this);
    m_exportAction->setObjectName(QStringLiteral("exportProtocolAction"));
    m_exportAction->setToolTip(tr("Save the exchanges as a HAR file, which browsers' developer tools open"));
    connect(m_exportAction, &QAction::triggered, this, &ProtocolPanel::askWhereToExport);
    m_table->addAction(m_exportAction);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentChanged, this, &ProtocolPanel::showCurrent);
    connect(log, &QAbstractItemModel::rowsAboutToBeInserted, this, [this] {
        const QScrollBar *bar = m_table->verticalScrollBar();
        m_wasAtBottom = bar->value() == bar->maximum();
    });
    connect(log, &QAbstractItemModel::rowsInserted, this, &ProtocolPanel::followNewRows);
}

void ProtocolPanel::showCurrent()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_details->clear();
        return;
    }
    m_details->setPlainText(exchangeAsText(m_log->exchangeAt(current.row())));
}

// As a terminal does: new rows scroll into view unless the reader has scrolled up to
// look at an older one.
void ProtocolPanel::followNewRows()
{
    if (m_wasAtBottom)
        m_table->scrollToBottom();
}

void ProtocolPanel::askWhereToExport()
{
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Protocol Log"), QDir(folder).filePath(QStringLiteral("chatapp-protocol.har")),
        tr("HTTP Archive (*.har);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportTo(path, &error))
        QMessageBox::warning(this, tr("Export Protocol Log"),
                             tr("Could not save %1: %2").arg(QDir::toNativeSeparators(path), error));
}

bool ProtocolPanel::exportTo(const QString &path, QString *error)
{
    return HarExport::write(m_log->exchanges(), path, error);
}
