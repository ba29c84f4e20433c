#pragma once

#include <QHash>
#include <QString>
#include <QStringList>
#include <map>

// The room activity sequence: a number bumped by every change a room list shows (a
// message, a new room, someone coming or going), each room stamped with the number of
// its last change. "What changed since S" is then a walk from S in stamp order, costing
// what changed, not how many rooms there are.
class RoomActivity
{
public:
    // Starts at `start`; by default the time in microseconds since the epoch, so that a
    // restarted server's numbers are above the old one's without anything stored, and a
    // client's cursor from before the restart asks for everything changed since.
    // (Microseconds since 1970 stay below 2^53, exact in any JSON reader, until 2255.)
    explicit RoomActivity(qint64 start = startOfProcess());

    static qint64 startOfProcess();

    qint64 start() const { return m_start; }
    qint64 current() const { return m_current; }

    void changed(const QString &room);

    struct Changes
    {
        QStringList rooms; // oldest change first
        qint64 seq = 0; // the cursor to ask from next time
    };
    // At most `limit` rooms changed after `since`. With more, `seq` is the stamp of the
    // last one given, so that the next call goes on from there. A `since` above the
    // sequence (from a clock set back) counts from the start: every room changed here.
    Changes since(qint64 since, qsizetype limit) const;
    bool changedSince(qint64 since) const;

private:
    qint64 m_start;
    qint64 m_current;
    QHash<QString, qint64> m_stampOf;
    std::map<qint64, QString> m_roomAt;
};
