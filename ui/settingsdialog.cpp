#include "settingsdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QSet>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace {
constexpr int roomNameRole = Qt::UserRole;

QLabel *note(const QString &text)
{
    auto *label = new QLabel(text);
    label->setWordWrap(true);
    label->setIndent(24); // under the text of the check box it explains
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, palette.color(QPalette::PlaceholderText));
    label->setPalette(palette);
    return label;
}
} // namespace

SettingsDialog::SettingsDialog(const QString &server, const QStringList &rooms, const QString &ownName,
                               QWidget *parent)
    : QDialog(parent), m_server(server), m_settings(NotificationSettings::load(server))
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings"));

    m_desktop = new QCheckBox(tr("Show &desktop notifications"));
    m_desktop->setObjectName(QStringLiteral("desktopNotificationsCheck"));
    m_desktop->setChecked(m_settings.desktopNotifications);
    m_mentions = new QCheckBox(tr("Notify me when a message &mentions me"));
    m_mentions->setObjectName(QStringLiteral("mentionsCheck"));
    m_mentions->setChecked(m_settings.mentions);
    m_taskbar = new QCheckBox(tr("&Flash the taskbar entry when the window is in the background"));
    m_taskbar->setObjectName(QStringLiteral("taskbarAlertCheck"));
    m_taskbar->setChecked(m_settings.taskbarAlert);
    m_title = new QCheckBox(tr("Show the &unread count in the window title"));
    m_title->setObjectName(QStringLiteral("unreadInTitleCheck"));
    m_title->setChecked(m_settings.unreadInTitle);

    auto *roomsLabel = new QLabel(tr("&Rooms on this server:"));
    m_rooms = new QTreeWidget;
    m_rooms->setObjectName(QStringLiteral("roomLevels"));
    m_rooms->setRootIsDecorated(false);
    m_rooms->setHeaderLabels({tr("Room"), tr("Every message"), tr("Muted")});
    m_rooms->header()->setSectionResizeMode(RoomColumn, QHeaderView::Stretch);
    m_rooms->header()->setSectionResizeMode(EverythingColumn, QHeaderView::ResizeToContents);
    m_rooms->header()->setSectionResizeMode(MutedColumn, QHeaderView::ResizeToContents);
    m_rooms->header()->setStretchLastSection(false);
    // A few rows even at the dialog's smallest: squeezed to one, the list reads as empty.
    m_rooms->setMinimumHeight(8 * fontMetrics().lineSpacing());
    roomsLabel->setBuddy(m_rooms);
    QSet<QString> names(rooms.cbegin(), rooms.cend());
    names.unite(m_settings.everythingRooms()).unite(m_settings.mutedRooms());
    QStringList sorted(names.cbegin(), names.cend());
    sorted.sort();
    for (const QString &room : sorted) {
        auto *item = new QTreeWidgetItem(m_rooms, {QStringLiteral("#") + room});
        item->setData(RoomColumn, roomNameRole, room);
        const auto level = m_settings.level(room);
        item->setCheckState(EverythingColumn,
                            level == NotificationSettings::RoomLevel::Everything ? Qt::Checked : Qt::Unchecked);
        item->setCheckState(MutedColumn, level == NotificationSettings::RoomLevel::Muted ? Qt::Checked : Qt::Unchecked);
    }
    connect(m_rooms, &QTreeWidget::itemChanged, this, &SettingsDialog::keepOneLevel);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_desktop);
    layout->addWidget(m_mentions);
    layout->addWidget(note(tr("A message mentions you when it holds your name, “%1”, as a word of its own, "
                              "with or without @, in capitals or not.")
                               .arg(ownName)));
    layout->addWidget(m_taskbar);
    layout->addWidget(m_title);
    layout->addSpacing(8);
    layout->addWidget(roomsLabel);
    layout->addWidget(m_rooms, 1);
    layout->addWidget(note(tr("Every message: each new message of the room notifies. Muted: the room notifies "
                              "only when a message mentions you, and its unread messages are left out of the "
                              "title's count.")));
    layout->addWidget(buttons);
    // The notes wrap, and Qt does not derive a window's minimum height from wrapped text:
    // without this the dialog shrinks until the notes overlap the list.
    const int narrowest = layout->totalMinimumSize().width();
    setMinimumSize(narrowest, layout->totalHeightForWidth(narrowest));
    resize(std::max(narrowest, 520), 480);
}

void SettingsDialog::keepOneLevel(QTreeWidgetItem *item, int column)
{
    if (column == RoomColumn || item->checkState(column) != Qt::Checked)
        return;
    item->setCheckState(column == EverythingColumn ? MutedColumn : EverythingColumn, Qt::Unchecked);
}

NotificationSettings SettingsDialog::settings() const
{
    NotificationSettings chosen = m_settings;
    chosen.desktopNotifications = m_desktop->isChecked();
    chosen.mentions = m_mentions->isChecked();
    chosen.taskbarAlert = m_taskbar->isChecked();
    chosen.unreadInTitle = m_title->isChecked();
    for (int row = 0; row < m_rooms->topLevelItemCount(); ++row) {
        const QTreeWidgetItem *item = m_rooms->topLevelItem(row);
        const QString room = item->data(RoomColumn, roomNameRole).toString();
        if (item->checkState(MutedColumn) == Qt::Checked)
            chosen.setLevel(room, NotificationSettings::RoomLevel::Muted);
        else if (item->checkState(EverythingColumn) == Qt::Checked)
            chosen.setLevel(room, NotificationSettings::RoomLevel::Everything);
        else
            chosen.setLevel(room, NotificationSettings::RoomLevel::Default);
    }
    return chosen;
}

void SettingsDialog::accept()
{
    settings().save(m_server);
    QDialog::accept();
}
