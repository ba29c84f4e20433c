#include "exchangelog.h"

#include <QLocale>

ExchangeLog::ExchangeLog(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int ExchangeLog::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_exchanges.size());
}

int ExchangeLog::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ExchangeLog::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Exchange &exchange = m_exchanges.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        // When it ended: rows are in that order, so the times read downwards.
        case TimeColumn:
            return QLocale().toString(exchange.finishedAt.time(), QStringLiteral("HH:mm:ss.zzz"));
        case MethodColumn:
            return QString::fromLatin1(exchange.method);
        case PathColumn:
            return exchange.path;
        case StatusColumn:
            return exchange.statusText();
        //: Duration of an HTTP exchange in the Protocol panel, in milliseconds.
        case DurationColumn:
            return tr("%1 ms").arg(exchange.elapsedMs);
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == PathColumn)
            return exchange.url.toDisplayString();
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == DurationColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        break;
    case OutcomeRole:
        return int(exchange.outcome());
    }
    return {};
}

QVariant ExchangeLog::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case MethodColumn:
        return tr("Method");
    case PathColumn:
        return tr("Path");
    case StatusColumn:
        return tr("Status");
    case DurationColumn:
        return tr("Duration");
    }
    return {};
}

void ExchangeLog::append(const Exchange &exchange)
{
    if (m_exchanges.size() >= maxRows) {
        const int excess = int(m_exchanges.size()) - maxRows + 1;
        beginRemoveRows({}, 0, excess - 1);
        m_exchanges.remove(0, excess);
        endRemoveRows();
    }
    const int row = int(m_exchanges.size());
    beginInsertRows({}, row, row);
    m_exchanges.append(exchange);
    endInsertRows();
}
