#include "serverprocess.h"

#include <QDir>
#include <QRegularExpression>
#include <QTest>

namespace {
// The one line the server prints when it accepts connections (docs: `--serve`).
const QRegularExpression &listeningLine()
{
    static const QRegularExpression pattern(
        QStringLiteral(R"(^chatapp: listening on (https?)://([^\s/]+):(\d+)\s*$)"));
    return pattern;
}
} // namespace

ServerProcess::ServerProcess(QObject *parent)
    : QObject(parent)
    , m_dataDir(QDir::tempPath() + QStringLiteral("/chatapp-test-XXXXXX"))
{
}

ServerProcess::~ServerProcess()
{
    if (isRunning())
        kill();
}

QString ServerProcess::binaryPath()
{
    // CTest runs Qt tests with the path baked in; an override lets one point a test
    // binary at another build without recompiling it.
    return qEnvironmentVariable("CHATAPP_BINARY", QStringLiteral(CHATAPP_BINARY));
}

bool ServerProcess::start(const QStringList &extraArgs)
{
    if (isRunning()) {
        qWarning("ServerProcess::start: the server is already running");
        return false;
    }
    if (!m_dataDir.isValid()) {
        qWarning("ServerProcess::start: no temporary data directory: %s",
            qPrintable(m_dataDir.errorString()));
        return false;
    }
    delete m_process;
    m_process = new QProcess(this);
    m_listening = false;
    m_stdout.clear();
    m_stderr.clear();
    connect(m_process, &QProcess::readyReadStandardOutput, this, &ServerProcess::readStdout);
    connect(m_process, &QProcess::readyReadStandardError, this, &ServerProcess::readStderr);

    QStringList arguments { QStringLiteral("--serve"), QStringLiteral("127.0.0.1"),
        QString::number(m_port), QStringLiteral("--data-dir"), dataDir(),
        QStringLiteral("--quiet") };
    arguments += extraArgs;
    // Every client of a test shares 127.0.0.1, so the per-address send limit would
    // throttle the suite; the tests of the limit itself pass --send-rate, which wins.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    if (!environment.contains(QStringLiteral("CHATAPP_SEND_RATE")))
        environment.insert(QStringLiteral("CHATAPP_SEND_RATE"), QStringLiteral("1000000"));
    if (!environment.contains(QStringLiteral("CHATAPP_SEND_BURST")))
        environment.insert(QStringLiteral("CHATAPP_SEND_BURST"), QStringLiteral("1000000"));
    m_process->setProcessEnvironment(environment);
    m_process->start(binaryPath(), arguments);

    const bool ready = QTest::qWaitFor(
        [this] { return m_listening || m_process->state() == QProcess::NotRunning; },
        startTimeoutMs);
    if (ready && m_listening)
        return true;

    readStdout();
    readStderr();
    qWarning("ServerProcess::start: %s %s did not start listening (%s).\nstdout: %s\nstderr: %s",
        qPrintable(binaryPath()), qPrintable(arguments.join(u' ')),
        m_process->state() == QProcess::NotRunning ? qPrintable(QStringLiteral("exited with %1: %2")
                                                                    .arg(m_process->exitCode())
                                                                    .arg(m_process->errorString()))
                                                   : "timed out",
        m_stdout.constData(), m_stderr.constData());
    if (isRunning())
        kill();
    return false;
}

bool ServerProcess::stop()
{
    if (!isRunning()) {
        qWarning("ServerProcess::stop: the server is not running");
        return false;
    }
    m_process->terminate();
    if (!QTest::qWaitFor(
            [this] { return m_process->state() == QProcess::NotRunning; }, stopTimeoutMs)) {
        qWarning("ServerProcess::stop: no exit %d ms after SIGTERM; killing it", stopTimeoutMs);
        kill();
        return false;
    }
    readStderr();
    const bool clean
        = m_process->exitStatus() == QProcess::NormalExit && m_process->exitCode() == 0;
    if (!clean) {
        qWarning("ServerProcess::stop: exit status %d, code %d\nstderr: %s",
            int(m_process->exitStatus()), m_process->exitCode(), m_stderr.constData());
    }
    return clean;
}

void ServerProcess::kill()
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return;
    m_process->kill();
    if (!QTest::qWaitFor(
            [this] { return m_process->state() == QProcess::NotRunning; }, stopTimeoutMs)) {
        qWarning("ServerProcess::kill: pid %lld still there %d ms after SIGKILL",
            m_process->processId(), stopTimeoutMs);
    }
    readStderr();
}

bool ServerProcess::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

qint64 ServerProcess::processId() const
{
    return m_process ? m_process->processId() : 0;
}

int ServerProcess::exitCode() const
{
    return m_process ? m_process->exitCode() : -1;
}

QProcess::ExitStatus ServerProcess::exitStatus() const
{
    return m_process ? m_process->exitStatus() : QProcess::CrashExit;
}

QUrl ServerProcess::baseUrl() const
{
    QUrl base;
    base.setScheme(m_scheme);
    base.setHost(QStringLiteral("127.0.0.1"));
    base.setPort(m_port);
    base.setPath(QStringLiteral("/"));
    return base;
}

QUrl ServerProcess::url(const QString &pathAndQuery) const
{
    return baseUrl().resolved(QUrl(pathAndQuery, QUrl::StrictMode));
}

void ServerProcess::readStdout()
{
    if (!m_process)
        return;
    m_stdout += m_process->readAllStandardOutput();
    if (m_listening)
        return;
    const qsizetype end = m_stdout.indexOf('\n');
    if (end < 0)
        return;
    const QString line = QString::fromUtf8(m_stdout.left(end));
    const QRegularExpressionMatch match = listeningLine().match(line);
    if (!match.hasMatch()) {
        qWarning("ServerProcess: unexpected first line on stdout: %s", qPrintable(line));
        return;
    }
    bool ok = false;
    const uint port = match.captured(3).toUInt(&ok);
    if (!ok || port == 0 || port > 65535 || (m_port != 0 && port != m_port)) {
        qWarning("ServerProcess: bad port in %s (wanted %u)", qPrintable(line), uint(m_port));
        return;
    }
    m_port = quint16(port);
    m_scheme = match.captured(1);
    m_listening = true;
}

void ServerProcess::readStderr()
{
    if (m_process)
        m_stderr += m_process->readAllStandardError();
}
