#pragma once

#include <QAbstractEventDispatcher>
#include <QAtomicInt>
#include <QHash>
#include <map>

class QSocketNotifier;

// The server thread's event loop on Linux epoll. Qt 6.4's own dispatchers hand the
// kernel the whole list of sockets on every pass (poll()), so each pass costs time in
// proportion to the open connections: with 10,000 followers of 1,000 rooms that was half
// the server's CPU (docs/benchmarks.md). epoll keeps the list in the kernel and returns
// only the sockets that are ready.
//
// Same behaviour as Qt's: level-triggered notifiers, timers fired in deadline order and
// never twice in one pass, posted events sent at the start of each pass. Only the thread
// that owns it may use it, except wakeUp() and interrupt().
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

private:
    // The notifiers of one descriptor, and the events epoll was last told to watch.
    struct Watched
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        quint32 inKernel = 0;
        bool added = false;
    };

    struct Timer
    {
        QObject *object = nullptr;
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        std::multimap<qint64, int>::iterator due;
    };

    static quint32 eventsOf(const Watched &watched);
    void applyPendingChanges();
    void activateNotifiers(int descriptor, quint32 events);
    int waitMs(QEventLoop::ProcessEventsFlags flags) const;
    bool fireDueTimers();
    void schedule(int timerId, Timer &timer, qint64 fromMs);

    int m_epoll = -1;
    int m_wakeFd = -1;
    QAtomicInt m_wakeUpPending;
    QAtomicInt m_interrupted;
    QHash<int, Watched> m_watched;
    // Descriptors whose notifiers changed since epoll was last told. A socket switches
    // its write notifier on and off around every write; most pairs cancel out before
    // the next wait and cost no system call at all.
    QList<int> m_changed;
    QHash<int, Timer> m_timers;
    std::multimap<qint64, int> m_deadlines; // due time (ms, monotonic) -> timer id
};
