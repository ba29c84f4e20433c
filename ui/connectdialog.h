#pragma once

#include "client/launchoptions.h"

#include <QDialog>
#include <memory>

class QPushButton;

namespace Ui {
class ConnectDialog;
}

// Asks where to connect and as whom when the command line did not say. Connect is
// enabled only when every field holds something the client can use, and the values
// are remembered for next time (QSettings "ChatApp"/"chatapp", group "connect").
class ConnectDialog : public QDialog
{
    Q_OBJECT

public:
    explicit ConnectDialog(QWidget *parent = nullptr);
    ~ConnectDialog() override;

    // Fills in what the command line gave, over the remembered values.
    void setInitial(const LaunchOptions &options);

    // Meaningful once the dialog was accepted (or while Connect is enabled).
    ServerAddress server() const;
    QString name() const; // trimmed
    QString room() const;

    void accept() override;

protected:
    void changeEvent(QEvent *event) override;

private:
    void loadSettings();
    void saveSettings() const;
    void revalidate();
    void focusFirstIncompleteField();
    QPushButton *connectButton() const;

    std::unique_ptr<Ui::ConnectDialog> m_ui;
};
