#include "typingboard.h"

#include <algorithm>
#include <limits>
#include <utility>

TypingBoard::TypingBoard(int lastsMs, QObject *parent) : QObject(parent), m_lastsMs(lastsMs)
{
    m_clock.start();
    m_expiryTimer.setSingleShot(true);
    connect(&m_expiryTimer, &QTimer::timeout, this, &TypingBoard::expire);
}

void TypingBoard::started(const QString &room, const QString &name)
{
    QHash<QString, qint64> &names = m_until[room];
    const bool known = names.contains(name);
    if (!known && names.size() >= maxTypistsPerRoom)
        return;
    names.insert(name, m_clock.elapsed() + m_lastsMs);
    if (!known)
        changedIn(room);
    if (!m_expiryTimer.isActive())
        scheduleExpiry();
}

void TypingBoard::stopped(const QString &room, const QString &name)
{
    const auto names = m_until.find(room);
    if (names == m_until.end() || !names->remove(name))
        return;
    if (names->isEmpty())
        m_until.erase(names);
    changedIn(room);
}

QStringList TypingBoard::typing(const QString &room) const
{
    QStringList names = m_until.value(room).keys();
    names.sort();
    return names;
}

bool TypingBoard::isTyping(const QString &room, const QString &name) const
{
    const auto names = m_until.constFind(room);
    return names != m_until.cend() && names->contains(name);
}

void TypingBoard::expire()
{
    const qint64 now = m_clock.elapsed();
    for (auto room = m_until.begin(); room != m_until.end();) {
        bool changed = false;
        for (auto name = room->begin(); name != room->end();) {
            if (name.value() <= now) {
                name = room->erase(name);
                changed = true;
            } else {
                ++name;
            }
        }
        if (changed)
            changedIn(room.key());
        room = room->isEmpty() ? m_until.erase(room) : std::next(room);
    }
    scheduleExpiry();
}

void TypingBoard::scheduleExpiry()
{
    qint64 soonest = std::numeric_limits<qint64>::max();
    for (const QHash<QString, qint64> &names : std::as_const(m_until)) {
        for (const qint64 until : names)
            soonest = std::min(soonest, until);
    }
    if (soonest == std::numeric_limits<qint64>::max())
        m_expiryTimer.stop();
    else
        m_expiryTimer.start(int(std::max<qint64>(0, soonest - m_clock.elapsed())));
}

void TypingBoard::changedIn(const QString &room)
{
    m_changedRooms.insert(room);
    if (!m_reportQueued) {
        m_reportQueued = true;
        QMetaObject::invokeMethod(this, &TypingBoard::report, Qt::QueuedConnection);
    }
}

void TypingBoard::report()
{
    m_reportQueued = false;
    const QSet<QString> rooms = std::exchange(m_changedRooms, {});
    for (const QString &room : rooms) {
        // A name that stopped and started again within the turn changed nothing to report.
        const QStringList names = typing(room);
        if (names == m_reported.value(room))
            continue;
        if (names.isEmpty())
            m_reported.remove(room);
        else
            m_reported.insert(room, names);
        emit changed(room, names);
    }
}
