#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>

// Who is typing in each room: a name that said so (POST .../typing) within the last
// lastsMs and has not sent or left since. Ephemeral by design: nothing here is stored or
// numbered, so the room's message sequence and every cursor on it never see typing.
// Changes are reported once per room per turn of the event loop, so that a send that
// clears one name while another starts is one report, not two.
class TypingBoard : public QObject
{
    Q_OBJECT

public:
    // Long enough to bridge a window's notices, sent at most every 3 s while its
    // composer is being edited (TypingNotifier); short enough that a name that stopped
    // is not said to type for long.
    static constexpr int typingLastsMs = 5000;
    // A room says "several people are typing" past two anyway: beyond this many, a new
    // name is not recorded, so made-up names cannot grow a room's board without bound.
    static constexpr qsizetype maxTypistsPerRoom = 20;

    explicit TypingBoard(int lastsMs = typingLastsMs, QObject *parent = nullptr);

    // `name` is typing in `room` for the next lastsMs (again, if it was already).
    void started(const QString &room, const QString &name);
    // `name` sent or left `room`: no longer typing there.
    void stopped(const QString &room, const QString &name);
    // The names typing in `room`, in name order.
    QStringList typing(const QString &room) const;
    bool isTyping(const QString &room, const QString &name) const;

signals:
    // The names typing in `room` changed; `names` are all of them now, in name order.
    void changed(const QString &room, const QStringList &names);

private:
    void expire();
    void scheduleExpiry();
    void changedIn(const QString &room);
    void report();

    int m_lastsMs;
    QElapsedTimer m_clock;
    // room -> name -> until when (m_clock's milliseconds); a room with no one typing is absent.
    QHash<QString, QHash<QString, qint64>> m_until;
    // One timer, at the soonest end: rooms with typists are few, and a walk through
    // them costs less than a timer for each name.
    QTimer m_expiryTimer;
    QSet<QString> m_changedRooms;
    QHash<QString, QStringList> m_reported; // what changed() last said of each room, while not empty
    bool m_reportQueued = false;
};
