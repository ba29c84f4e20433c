#include "privatebus.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QStandardPaths>

namespace {
constexpr int timeoutMs = 10000;

const char busConfig[] = "<busconfig>\n"
                         "  <type>session</type>\n"
                         "  <listen>unix:dir=%1</listen>\n"
                         "  <auth>EXTERNAL</auth>\n"
                         "  <policy context='default'>\n"
                         "    <allow send_destination='*' eavesdrop='true'/>\n"
                         "    <allow eavesdrop='true'/>\n"
                         "    <allow own='*'/>\n"
                         "  </policy>\n"
                         "</busconfig>\n";
} // namespace

PrivateBus::~PrivateBus()
{
    stop();
}

bool PrivateBus::start()
{
    const QString daemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
    if (daemon.isEmpty()) {
        m_error = QStringLiteral("no dbus-daemon: scripts/install-deps.sh installs it (package dbus-daemon)");
        return false;
    }
    const QString config = m_dir.filePath(QStringLiteral("bus.conf"));
    QFile file(config);
    if (!m_dir.isValid() || !file.open(QIODevice::WriteOnly)) {
        m_error = QStringLiteral("cannot write ") + config;
        return false;
    }
    file.write(QString::fromLatin1(busConfig).arg(m_dir.path()).toUtf8());
    file.close();

    m_daemon.start(daemon, {QStringLiteral("--config-file=") + config, QStringLiteral("--print-address"),
                            QStringLiteral("--nofork")});
    // Its first line is the address; it prints it once it listens.
    const QDeadlineTimer deadline(timeoutMs);
    while (!m_daemon.canReadLine() && m_daemon.state() != QProcess::NotRunning && !deadline.hasExpired())
        m_daemon.waitForReadyRead(int(deadline.remainingTime()));
    m_address = QString::fromUtf8(m_daemon.readLine()).trimmed();
    if (!m_address.startsWith(QStringLiteral("unix:"))) {
        m_error = QStringLiteral("dbus-daemon gave no address: ") + QString::fromLocal8Bit(m_daemon.readAllStandardError());
        stop();
        return false;
    }
    return true;
}

void PrivateBus::stop()
{
    if (m_daemon.state() == QProcess::NotRunning)
        return;
    m_daemon.kill(); // SIGKILL to its pid
    m_daemon.waitForFinished(timeoutMs);
}
