// Small utilities shared by every part of chatapp-bench: the clock, messages and fatal
// errors, case-insensitive matching, JSON escaping, and readings of /proc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <time.h>

namespace bench {

// CLOCK_MONOTONIC in ns: the markers carry it, so every process on the machine (the
// senders of another bench process, say) shares the time base.
inline int64_t monoNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

[[noreturn]] void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern bool g_quiet;

bool ieq(std::string_view a, std::string_view b);
bool icontains(std::string_view hay, std::string_view needle);
std::string jsonEscape(const std::string &s);

struct ProcStats {
    bool ok = false;
    double cpuSeconds = 0;
    long rssKb = 0, hwmKb = 0;
};

ProcStats readProc(long pid);
double selfCpuSeconds();

} // namespace bench
