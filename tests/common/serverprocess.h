#pragma once

#include <QByteArray>
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

// The real `chatapp --serve` as a child process, for tests that talk to it over HTTP.
// The data directory outlives restarts so that a test can stop or kill the server and
// start it again on the same port and the same store.
class ServerProcess : public QObject
{
    Q_OBJECT

public:
    explicit ServerProcess(QObject *parent = nullptr);
    ~ServerProcess() override;

    // Starts the server and waits for its listening line. The first start asks for
    // port 0; later starts ask for the port the first one got, so clients keep their URL.
    bool start(const QStringList &extraArgs = {});
    // SIGTERM, then waits for the exit; true only for a clean exit with code 0.
    bool stop();
    // SIGKILL, then waits until the process is gone: the crash a durable store must survive.
    void kill();

    bool isRunning() const;
    qint64 processId() const;
    int exitCode() const;
    QProcess::ExitStatus exitStatus() const;

    quint16 port() const { return m_port; }
    QUrl baseUrl() const;
    // baseUrl() with `pathAndQuery` ("/api/v1/rooms?x=1") resolved against it.
    QUrl url(const QString &pathAndQuery) const;
    QString dataDir() const { return m_dataDir.path(); }
    // What the current (or last) run wrote; stdout is expected to be the listening line only.
    QByteArray stdoutOutput() const { return m_stdout; }
    QByteArray stderrOutput() const { return m_stderr; }

    static QString binaryPath();
    static constexpr int startTimeoutMs = 10000;
    static constexpr int stopTimeoutMs = 10000;

private:
    void readStdout();
    void readStderr();

    QTemporaryDir m_dataDir;
    QProcess *m_process = nullptr;
    quint16 m_port = 0;
    QString m_scheme = QStringLiteral("http"); // https with --tls-cert
    bool m_listening = false;
    QByteArray m_stdout;
    QByteArray m_stderr;
};
