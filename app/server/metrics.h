#pragma once

#include "storage/storage.h"

#include <QByteArray>
#include <QMap>

// Counters for GET /metrics, kept on the server thread.
class Metrics
{
public:
    void countResponse(int status) { ++m_responsesByStatus[status]; }
    void streamOpened() { ++m_openStreams; }
    void streamClosed() { --m_openStreams; }
    void pollHeld() { ++m_heldPolls; }
    void pollReleased() { --m_heldPolls; }

    QByteArray render(const CommitStats &commits) const;

private:
    QMap<int, quint64> m_responsesByStatus;
    qint64 m_openStreams = 0;
    qint64 m_heldPolls = 0;
};
