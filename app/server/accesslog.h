#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QString>

// One line per answered request on stderr: client address, method, path, status, body
// bytes, duration. The query string is left out on purpose: it can carry names.
class AccessLog
{
public:
    explicit AccessLog(bool enabled) : m_enabled(enabled) {}
    void record(const QHostAddress &client, const QByteArray &method, const QString &path,
                int status, qint64 bytes, qint64 durationMicroseconds) const;

private:
    bool m_enabled;
};
