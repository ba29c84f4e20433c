#include "util.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <sys/resource.h>
#include <unistd.h>

namespace bench {

bool g_quiet = false;

static void say(const char *fmt, va_list ap)
{
    std::fputs("chatapp-bench: ", stderr);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(fmt, ap);
    va_end(ap);
    std::exit(2);
}

void note(const char *fmt, ...)
{
    if (g_quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    say(fmt, ap);
    va_end(ap);
}

bool ieq(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = char(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = char(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

bool icontains(std::string_view hay, std::string_view needle)
{
    if (needle.size() > hay.size())
        return false;
    for (size_t i = 0; i + needle.size() <= hay.size(); ++i)
        if (ieq(hay.substr(i, needle.size()), needle))
            return true;
    return false;
}

std::string jsonEscape(const std::string &s)
{
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (uint8_t(c) < 0x20) {
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", c);
            out += b;
        } else {
            out += c;
        }
    }
    return out;
}

ProcStats readProc(long pid)
{
    ProcStats s;
    if (pid <= 0)
        return s;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = std::fopen(path, "r");
    if (!f)
        return s;
    char buf[4096];
    const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = 0;
    const char *p = std::strrchr(buf, ')');
    if (!p)
        return s;
    // After ")": field 3 (state) onwards; utime is field 14, stime 15.
    ++p;
    int field = 2;
    unsigned long long utime = 0, stime = 0;
    while (*p && field < 15) {
        while (*p == ' ')
            ++p;
        ++field;
        if (field == 14)
            utime = std::strtoull(p, nullptr, 10);
        if (field == 15)
            stime = std::strtoull(p, nullptr, 10);
        while (*p && *p != ' ')
            ++p;
    }
    s.cpuSeconds = double(utime + stime) / double(sysconf(_SC_CLK_TCK));
    std::snprintf(path, sizeof path, "/proc/%ld/status", pid);
    f = std::fopen(path, "r");
    if (f) {
        char line[256];
        while (std::fgets(line, sizeof line, f)) {
            if (std::strncmp(line, "VmRSS:", 6) == 0)
                s.rssKb = std::atol(line + 6);
            else if (std::strncmp(line, "VmHWM:", 6) == 0)
                s.hwmKb = std::atol(line + 6);
        }
        std::fclose(f);
    }
    s.ok = true;
    return s;
}

double selfCpuSeconds()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
        + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

} // namespace bench
