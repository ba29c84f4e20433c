#include "openfiles.h"

#include <QFile>

#include <sys/resource.h>

#include <algorithm>
#include <climits>

namespace {
// An unlimited hard limit still stops at fs.nr_open: asking for more fails outright.
rlim_t ceilingOf(rlim_t hard)
{
    if (hard != RLIM_INFINITY)
        return hard;
    QFile nrOpen(QStringLiteral("/proc/sys/fs/nr_open"));
    bool ok = false;
    const qulonglong value =
        nrOpen.open(QIODevice::ReadOnly) ? nrOpen.readAll().trimmed().toULongLong(&ok) : 0;
    return ok && value > 0 ? rlim_t(value) : rlim_t(1024 * 1024);
}

int asInt(rlim_t value)
{
    return value == RLIM_INFINITY || value > rlim_t(INT_MAX) ? INT_MAX : int(value);
}
} // namespace

int raiseOpenFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 1024;
    const rlim_t wanted = ceilingOf(limit.rlim_max);
    if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= wanted)
        return asInt(limit.rlim_cur);
    rlimit raised = limit;
    raised.rlim_cur = wanted;
    if (setrlimit(RLIMIT_NOFILE, &raised) != 0)
        return asInt(limit.rlim_cur);
    return asInt(wanted);
}

int connectionsThatFit(int openFileLimit)
{
    return std::max(1, openFileLimit - descriptorsKeptBack);
}
