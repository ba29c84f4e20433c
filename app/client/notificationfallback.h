#pragma once

#include <QObject>
#include <QString>

// Where DesktopNotifier sends a notification when the desktop has no notification
// service. The window plugs in one that shows a tray icon's message (ui/); the tests one
// that records. An interface because there are those two, and the client library has no
// widgets to build the first.
class NotificationFallback : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    virtual void show(const QString &room, const QString &title, const QString &body) = 0;

signals:
    // The user clicked the notification shown for `room`.
    void activated(const QString &room);
};
