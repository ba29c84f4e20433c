#pragma once

#include <QDialog>
#include <memory>

class QPushButton;

namespace Ui {
class PasswordDialog;
}

// Asks for the password of a server started with --password, window-modal and without
// blocking: the caller reads password() and remember() on accepted(). The password
// field is emptied every time the dialog opens, so it holds the secret no longer than
// one attempt.
class PasswordDialog : public QDialog
{
    Q_OBJECT

public:
    explicit PasswordDialog(const QString &server, QWidget *parent = nullptr);
    ~PasswordDialog() override;

    // Opens the dialog; `reason`, when not empty, says why the last attempt failed.
    void ask(const QString &reason);

    QString password() const;
    bool remember() const;
    // Forgets the typed password once it has been used.
    void clearPassword();

    void accept() override;

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    QPushButton *signInButton() const;

    std::unique_ptr<Ui::PasswordDialog> m_ui;
    QString m_server;
};
