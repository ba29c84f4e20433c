#include "connectdialog.h"

#include "placeholderfit.h"
#include "ui_connectdialog.h"

#include "core/messagedraft.h"
#include "core/roomname.h"

#include <QEvent>
#include <QPushButton>
#include <QSettings>

namespace {
// Spelled out rather than taken from QCoreApplication, so that the dialog finds the
// same file however the application named itself.
QSettings connectSettings()
{
    return QSettings(QStringLiteral("ChatApp"), QStringLiteral("chatapp"));
}

const QString serverKey = QStringLiteral("connect/server");
const QString portKey = QStringLiteral("connect/port");
const QString nameKey = QStringLiteral("connect/name");
const QString roomKey = QStringLiteral("connect/room");
} // namespace

ConnectDialog::ConnectDialog(QWidget *parent)
    : QDialog(parent)
    , m_ui(new Ui::ConnectDialog)
{
    m_ui->setupUi(this);
    fitPlaceholder(m_ui->serverEdit);
    m_ui->portSpin->setValue(ServerAddress::defaultPort);
    m_ui->nameEdit->setMaxLength(int(Limits::maxAuthorCharacters));
    connectButton()->setText(tr("&Connect"));
    loadSettings();

    connect(m_ui->serverEdit, &QLineEdit::textChanged, this, &ConnectDialog::revalidate);
    connect(m_ui->portSpin, &QSpinBox::valueChanged, this, &ConnectDialog::revalidate);
    connect(m_ui->nameEdit, &QLineEdit::textChanged, this, &ConnectDialog::revalidate);
    connect(m_ui->roomEdit, &QLineEdit::textChanged, this, &ConnectDialog::revalidate);
    revalidate();
    focusFirstIncompleteField();
}

ConnectDialog::~ConnectDialog() = default;

void ConnectDialog::setInitial(const LaunchOptions &options)
{
    if (options.server) {
        m_ui->serverEdit->setText(options.server->host);
        m_ui->portSpin->setValue(options.server->port);
    }
    if (!options.name.isEmpty())
        m_ui->nameEdit->setText(options.name);
    if (!options.room.isEmpty())
        m_ui->roomEdit->setText(options.room);
    focusFirstIncompleteField();
}

ServerAddress ConnectDialog::server() const
{
    return ServerAddress::parse(m_ui->serverEdit->text(), quint16(m_ui->portSpin->value()))
        .value_or(ServerAddress {});
}

QString ConnectDialog::name() const
{
    return m_ui->nameEdit->text().trimmed();
}

QString ConnectDialog::room() const
{
    return m_ui->roomEdit->text().trimmed();
}

void ConnectDialog::accept()
{
    // Enter reaches accept() through the default button only while it is enabled, but
    // a caller may still call accept() directly.
    if (!connectButton()->isEnabled())
        return;
    saveSettings();
    QDialog::accept();
}

void ConnectDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange) {
        m_ui->retranslateUi(this);
        connectButton()->setText(tr("&Connect"));
        revalidate();
    }
    QDialog::changeEvent(event);
}

void ConnectDialog::loadSettings()
{
    const QSettings settings = connectSettings();
    m_ui->serverEdit->setText(settings.value(serverKey).toString());
    bool portOk = false;
    const int port = settings.value(portKey).toInt(&portOk);
    if (portOk && port >= m_ui->portSpin->minimum() && port <= m_ui->portSpin->maximum())
        m_ui->portSpin->setValue(port);
    m_ui->nameEdit->setText(settings.value(nameKey).toString());
    m_ui->roomEdit->setText(settings.value(roomKey, RoomName::general().value()).toString());
}

void ConnectDialog::saveSettings() const
{
    QSettings settings = connectSettings();
    settings.setValue(serverKey, m_ui->serverEdit->text().trimmed());
    settings.setValue(portKey, m_ui->portSpin->value());
    settings.setValue(nameKey, name());
    settings.setValue(roomKey, room());
}

void ConnectDialog::revalidate()
{
    const QString serverText = m_ui->serverEdit->text().trimmed();
    bool portGiven = false;
    const auto address
        = ServerAddress::parse(serverText, quint16(m_ui->portSpin->value()), &portGiven);
    // A port written into the server field wins; the spin box shows it rather than a
    // number that would not be used.
    m_ui->portSpin->setEnabled(!portGiven);
    if (portGiven) {
        const QSignalBlocker blocker(m_ui->portSpin);
        m_ui->portSpin->setValue(address->port);
    }

    QString hint;
    if (serverText.isEmpty()) {
        hint = tr("Enter the server's host name or IP address.");
    } else if (!address) {
        hint = tr("'%1' is not a server address: use a host name, an IP address, "
                  "http://HOST:PORT or https://HOST:PORT.")
                   .arg(serverText);
    } else if (m_ui->nameEdit->text().trimmed().isEmpty()) {
        hint = tr("Enter your name, as others will see it.");
    } else if (!normalisedPersonName(m_ui->nameEdit->text())) {
        hint = tr("Your name cannot hold line breaks or control characters.");
    } else if (!RoomName::parse(room())) {
        //: The room field holds an invalid name.
        hint = tr("Room names use up to 64 lowercase letters, digits, '-' and '_', starting "
                  "with a letter or digit.");
    }
    // The label keeps its place when empty, so the dialog does not jump while typing.
    m_ui->hintLabel->setText(hint);
    connectButton()->setEnabled(hint.isEmpty());
}

void ConnectDialog::focusFirstIncompleteField()
{
    QWidget *field = nullptr;
    if (!ServerAddress::parse(m_ui->serverEdit->text(), quint16(m_ui->portSpin->value())))
        field = m_ui->serverEdit;
    else if (!normalisedPersonName(m_ui->nameEdit->text()))
        field = m_ui->nameEdit;
    else if (!RoomName::parse(room()))
        field = m_ui->roomEdit;
    else
        field = connectButton();
    field->setFocus(Qt::OtherFocusReason);
}

QPushButton *ConnectDialog::connectButton() const
{
    return m_ui->buttonBox->button(QDialogButtonBox::Ok);
}
