#include "passworddialog.h"
#include "ui_passworddialog.h"

#include <QEvent>
#include <QPushButton>

PasswordDialog::PasswordDialog(const QString &server, QWidget *parent)
    : QDialog(parent), m_ui(new Ui::PasswordDialog), m_server(server)
{
    m_ui->setupUi(this);
    setObjectName(QStringLiteral("passwordDialog"));
    retranslate();
    connect(m_ui->passwordEdit, &QLineEdit::textChanged, this,
            [this](const QString &text) { signInButton()->setEnabled(!text.isEmpty()); });
    signInButton()->setEnabled(false);
}

PasswordDialog::~PasswordDialog() = default;

void PasswordDialog::ask(const QString &reason)
{
    clearPassword();
    m_ui->messageLabel->setText(reason);
    m_ui->messageLabel->setVisible(!reason.isEmpty());
    m_ui->passwordEdit->setFocus(Qt::OtherFocusReason);
    // Window-modal and returning at once: the window keeps drawing and its requests go on.
    open();
}

QString PasswordDialog::password() const
{
    return m_ui->passwordEdit->text();
}

bool PasswordDialog::remember() const
{
    return m_ui->rememberCheck->isChecked();
}

void PasswordDialog::clearPassword()
{
    m_ui->passwordEdit->clear();
}

void PasswordDialog::accept()
{
    // Enter reaches accept() through the default button even while it is disabled.
    if (m_ui->passwordEdit->text().isEmpty())
        return;
    QDialog::accept();
}

void PasswordDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange) {
        m_ui->retranslateUi(this);
        retranslate();
    }
    QDialog::changeEvent(event);
}

void PasswordDialog::retranslate()
{
    setWindowTitle(tr("Sign in to %1").arg(m_server));
    m_ui->promptLabel->setText(tr("%1 needs a password to let you chat.").arg(m_server));
    signInButton()->setText(tr("&Sign In"));
}

QPushButton *PasswordDialog::signInButton() const
{
    return m_ui->buttonBox->button(QDialogButtonBox::Ok);
}
