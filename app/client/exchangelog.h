#pragma once

#include "exchange.h"

#include <QAbstractTableModel>
#include <QList>

// The window's recent HTTP exchanges, as a table for the Protocol panel and as the list
// a HAR file is written from. Oldest first, newest appended at the bottom, as a
// browser's network tab: a row a student is reading stays where it is while the long
// poll keeps adding rows below it.
class ExchangeLog : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { TimeColumn, MethodColumn, PathColumn, StatusColumn, DurationColumn, ColumnCount };
    // Qt::UserRole: the row's Exchange::Outcome as an int, for a view to colour by.
    static constexpr int OutcomeRole = Qt::UserRole;
    // A poll every 2 s (--poll-interval 2000) fills this in about half an hour; then the
    // oldest go. Bodies are bounded too (ExchangeBody::maxBytes), so the log is as well.
    static constexpr int maxRows = 1000;

    explicit ExchangeLog(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The whole exchange of `row`, headers and bodies included.
    const Exchange &exchangeAt(int row) const { return m_exchanges.at(row); }
    const QList<Exchange> &exchanges() const { return m_exchanges; }

    // Connected to ApiClient::exchangeFinished.
    void append(const Exchange &exchange);

private:
    QList<Exchange> m_exchanges;
};
