#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

// A D-Bus daemon of the test's own (dbus-daemon --nofork --print-address), so that
// tests of notifications never touch the desktop's session bus. Its configuration has no
// service directories: a notification daemon installed on the machine is never started
// behind the test's back. The daemon is killed by its pid in stop() or the destructor.
class PrivateBus
{
public:
    PrivateBus() = default;
    ~PrivateBus();
    PrivateBus(const PrivateBus &) = delete;
    PrivateBus &operator=(const PrivateBus &) = delete;

    // Starts the daemon and reads its address; false with error() set when it cannot.
    bool start();
    void stop();

    QString address() const { return m_address; }
    QString error() const { return m_error; }

private:
    QTemporaryDir m_dir;
    QProcess m_daemon;
    QString m_address;
    QString m_error;
};
