#include "epolldispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimerEvent>
#include <QVarLengthArray>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace {
// Enough that a pass over thousands of ready sockets takes few epoll_wait calls; the
// rest stay ready (level-triggered) for the next pass.
constexpr int readyPerPass = 1024;

qint64 nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// What QEventDispatcherUNIX does with poll()'s answers, in epoll's words: a hang-up or
// an error is news for the reader, an error also for the writer.
constexpr quint32 readEvents = EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP;
constexpr quint32 writeEvents = EPOLLOUT | EPOLLERR;
} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (m_epoll < 0 || m_wakeFd < 0)
        qFatal("chatapp: cannot create the event loop: %s", strerror(errno));
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = m_wakeFd;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &event);
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    close(m_wakeFd);
    close(m_epoll);
}

quint32 EpollEventDispatcher::eventsOf(const Watched &watched)
{
    return (watched.read ? quint32(EPOLLIN | EPOLLRDHUP) : 0u) | (watched.write ? quint32(EPOLLOUT) : 0u)
         | (watched.exception ? quint32(EPOLLPRI) : 0u);
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int descriptor = int(notifier->socket());
    Watched &watched = m_watched[descriptor];
    QSocketNotifier **slot = notifier->type() == QSocketNotifier::Read    ? &watched.read
                           : notifier->type() == QSocketNotifier::Write ? &watched.write
                                                                        : &watched.exception;
    if (*slot && *slot != notifier)
        qWarning("chatapp: two socket notifiers of one kind for descriptor %d", descriptor);
    *slot = notifier;
    m_changed.append(descriptor);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int descriptor = int(notifier->socket());
    const auto found = m_watched.find(descriptor);
    if (found == m_watched.end())
        return;
    Watched &watched = *found;
    for (QSocketNotifier **slot : {&watched.read, &watched.write, &watched.exception}) {
        if (*slot == notifier)
            *slot = nullptr;
    }
    if (watched.read || watched.write || watched.exception) {
        m_changed.append(descriptor);
        return;
    }
    // Forgotten at once, not at the next pass: the socket is usually closed next, and its
    // number may come back with the next connection before then.
    if (watched.added)
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, descriptor, nullptr);
    m_watched.erase(found);
}

void EpollEventDispatcher::applyPendingChanges()
{
    for (const int descriptor : std::as_const(m_changed)) {
        const auto found = m_watched.find(descriptor);
        if (found == m_watched.end())
            continue;
        Watched &watched = *found;
        const quint32 wanted = eventsOf(watched);
        if (watched.added && wanted == watched.inKernel)
            continue;
        epoll_event event{};
        event.events = wanted;
        event.data.fd = descriptor;
        int operation = watched.added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        if (epoll_ctl(m_epoll, operation, descriptor, &event) < 0) {
            // The kernel forgot a closed descriptor by itself, or already knows a reused one.
            operation = errno == ENOENT ? EPOLL_CTL_ADD : errno == EEXIST ? EPOLL_CTL_MOD : -1;
            if (operation < 0 || epoll_ctl(m_epoll, operation, descriptor, &event) < 0) {
                qWarning("chatapp: cannot watch descriptor %d: %s", descriptor, strerror(errno));
                continue;
            }
        }
        watched.added = true;
        watched.inKernel = wanted;
    }
    m_changed.clear();
}

void EpollEventDispatcher::activateNotifiers(int descriptor, quint32 events)
{
    // Looked up again before each: a notifier may switch off or delete another one.
    const auto notifierFor = [this, descriptor](QSocketNotifier *Watched::*slot) -> QSocketNotifier * {
        const auto found = m_watched.constFind(descriptor);
        return found == m_watched.cend() ? nullptr : (*found).*slot;
    };
    QEvent activation(QEvent::SockAct);
    if (events & readEvents) {
        if (QSocketNotifier *notifier = notifierFor(&Watched::read))
            QCoreApplication::sendEvent(notifier, &activation);
    }
    if (events & writeEvents) {
        if (QSocketNotifier *notifier = notifierFor(&Watched::write))
            QCoreApplication::sendEvent(notifier, &activation);
    }
    if (events & EPOLLPRI) {
        if (QSocketNotifier *notifier = notifierFor(&Watched::exception))
            QCoreApplication::sendEvent(notifier, &activation);
    }
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject *object)
{
    Timer &timer = m_timers[timerId];
    timer.object = object;
    timer.intervalMs = interval;
    timer.type = timerType;
    timer.due = m_deadlines.emplace(nowMs() + interval, timerId);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto found = m_timers.find(timerId);
    if (found == m_timers.end())
        return false;
    m_deadlines.erase(found->due);
    m_timers.erase(found);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->object == object) {
            m_deadlines.erase(it->due);
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> timers;
    for (auto it = m_timers.cbegin(); it != m_timers.cend(); ++it) {
        if (it->object == object)
            timers.append(TimerInfo(it.key(), int(it->intervalMs), it->type));
    }
    return timers;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto found = m_timers.constFind(timerId);
    if (found == m_timers.cend())
        return -1;
    return int(std::max<qint64>(0, found->due->first - nowMs()));
}

void EpollEventDispatcher::schedule(int timerId, Timer &timer, qint64 fromMs)
{
    // Like Qt's precise timers: keep the beat, unless a whole interval was missed.
    qint64 next = timer.due->first + timer.intervalMs;
    if (next <= fromMs)
        next = fromMs + timer.intervalMs;
    m_deadlines.erase(timer.due);
    timer.due = m_deadlines.emplace(next, timerId);
}

bool EpollEventDispatcher::fireDueTimers()
{
    const qint64 now = nowMs();
    QVarLengthArray<int, 64> due;
    for (auto it = m_deadlines.cbegin(); it != m_deadlines.cend() && it->first <= now; ++it)
        due.append(it->second);
    for (const int timerId : due) {
        const auto found = m_timers.find(timerId);
        // Killed by an earlier one in this pass, or killed and its id given to a new timer.
        if (found == m_timers.end() || found->due->first > now)
            continue;
        schedule(timerId, *found, now); // first: the handler may kill or restart it
        QTimerEvent event(timerId);
        QCoreApplication::sendEvent(found->object, &event);
    }
    return !due.isEmpty();
}

int EpollEventDispatcher::waitMs(QEventLoop::ProcessEventsFlags flags) const
{
    if ((flags & QEventLoop::X11ExcludeTimers) || m_deadlines.empty())
        return -1;
    const qint64 wait = m_deadlines.cbegin()->first - nowMs();
    return int(std::clamp<qint64>(wait, 0, 24 * 3600 * 1000));
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.storeRelaxed(0);
    emit awake();
    // Whoever posts an event here later also calls wakeUp(), so waiting below never
    // sleeps on one.
    QCoreApplication::sendPostedEvents();

    const bool mayWait = (flags & QEventLoop::WaitForMoreEvents) && !m_interrupted.loadRelaxed();
    if (mayWait)
        emit aboutToBlock();
    if (m_interrupted.loadRelaxed())
        return false;

    applyPendingChanges();
    epoll_event ready[readyPerPass];
    int count = epoll_wait(m_epoll, ready, readyPerPass, mayWait ? waitMs(flags) : 0);
    if (count < 0)
        count = 0; // EINTR: a signal; the pass goes on with the timers
    int handled = 0;
    for (int i = 0; i < count; ++i) {
        const int descriptor = ready[i].data.fd;
        if (descriptor == m_wakeFd) {
            quint64 wakeUps = 0;
            [[maybe_unused]] const auto bytes = read(m_wakeFd, &wakeUps, sizeof wakeUps);
            m_wakeUpPending.storeRelease(0);
            ++handled;
        } else if (!(flags & QEventLoop::ExcludeSocketNotifiers)) {
            activateNotifiers(descriptor, ready[i].events);
            ++handled;
        }
    }
    if (!(flags & QEventLoop::X11ExcludeTimers) && fireDueTimers())
        ++handled;
    return handled > 0;
}

void EpollEventDispatcher::wakeUp()
{
    if (m_wakeUpPending.testAndSetAcquire(0, 1)) {
        const quint64 one = 1;
        [[maybe_unused]] const auto bytes = write(m_wakeFd, &one, sizeof one);
    }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.storeRelaxed(1);
    wakeUp();
}
