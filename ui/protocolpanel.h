#pragma once

#include <QDockWidget>

class ExchangeLog;
class QAction;
class QPlainTextEdit;
class QTreeView;

// The Protocol panel: the window's recent HTTP exchanges, so a student can watch the
// long poll being held and answered, the POST behind each send, and the code of every
// answer; the selected one is shown whole, as a raw HTTP capture, and the log can be
// saved as a HAR file for a browser's developer tools.
class ProtocolPanel : public QDockWidget
{
    Q_OBJECT

public:
    explicit ProtocolPanel(ExchangeLog *log, QWidget *parent = nullptr);

    // "Export Protocol Log…": asks for a file name, then exportTo().
    QAction *exportAction() const { return m_exportAction; }
    // Writes the log as HAR to `path`; false, with the reason in `error`, if it could not.
    bool exportTo(const QString &path, QString *error = nullptr);

private:
    void showCurrent();
    void askWhereToExport();
    void followNewRows();

    ExchangeLog *m_log;
    QTreeView *m_table;
    QPlainTextEdit *m_details;
    QAction *m_exportAction;
    bool m_wasAtBottom = true;
};
