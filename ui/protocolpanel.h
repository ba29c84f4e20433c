#pragma once

#include "client/exchange.h"

#include <QDockWidget>

class QTreeWidget;

// The Protocol panel: the window's recent HTTP exchanges, newest first, so a student
// can watch the long poll being held and answered, the POST behind each send, and the
// code of every answer.
class ProtocolPanel : public QDockWidget
{
    Q_OBJECT

public:
    static constexpr int maxRows = 500;

    explicit ProtocolPanel(QWidget *parent = nullptr);

    void record(const Exchange &exchange);

private:
    QTreeWidget *m_table;
};
