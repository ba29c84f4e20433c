#pragma once

#include "client/notificationsettings.h"

#include <QDialog>

class QCheckBox;
class QTreeWidget;
class QTreeWidgetItem;

// Chat ▸ Settings…: what notifies, and how. Opens on what is saved for `server`; OK saves
// (NotificationSettings::save) and Cancel leaves the saved settings as they were. The
// caller reads settings() on accepted().
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    // `rooms`: the rooms the window knows; rooms with a saved choice are listed too.
    SettingsDialog(const QString &server, const QStringList &rooms, const QString &ownName,
                   QWidget *parent = nullptr);

    NotificationSettings settings() const;

    void accept() override;

private:
    enum Column { RoomColumn, EverythingColumn, MutedColumn };

    // A room is at one level: ticking one column unticks the other.
    void keepOneLevel(QTreeWidgetItem *item, int column);

    QString m_server;
    NotificationSettings m_settings;
    QCheckBox *m_desktop = nullptr;
    QCheckBox *m_mentions = nullptr;
    QCheckBox *m_taskbar = nullptr;
    QCheckBox *m_title = nullptr;
    QTreeWidget *m_rooms = nullptr;
};
