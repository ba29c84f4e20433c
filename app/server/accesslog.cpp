#include "accesslog.h"

#include <QDateTime>
#include <cstdio>

void AccessLog::record(const QHostAddress &client, const QByteArray &method, const QString &path,
                       int status, qint64 bytes, qint64 durationMicroseconds) const
{
    if (!m_enabled)
        return;
    const QByteArray line = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8()
                          + ' ' + client.toString().toLatin1() + ' ' + method + ' '
                          + path.left(300).toUtf8() + ' ' + QByteArray::number(status) + ' '
                          + QByteArray::number(bytes) + ' '
                          + QByteArray::number(durationMicroseconds / 1000.0, 'f', 1) + "ms\n";
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
}
