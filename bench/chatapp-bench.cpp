// chatapp-bench: a load generator for ChatApp (and, with the same binary, nginx+nchan).
//
// Plain C++20 on Linux: one epoll loop per thread, non-blocking keep-alive sockets, a
// streaming HTTP/1.1 response parser (Content-Length, chunked, or until close) and a
// streaming marker scanner, so that nothing is buffered per message and the hot path
// allocates nothing. See bench/README.md for what it measures and how.

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <climits>
#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

namespace {

// ---------------------------------------------------------------------------------------
// Small utilities

int64_t monoNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

[[noreturn]] void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    std::fputs("chatapp-bench: ", stderr);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
    va_end(ap);
    std::exit(2);
}

bool g_quiet = false;
void note(const char *fmt, ...)
{
    if (g_quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    std::fputs("chatapp-bench: ", stderr);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
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

// ---------------------------------------------------------------------------------------
// A log-linear histogram (HDR-like): exact below 128, then 128 sub-buckets per power of
// two (< 0.8 % relative error). Values are nanoseconds.

struct Histogram {
    static constexpr int subBits = 7;
    static constexpr int sub = 1 << subBits;
    static constexpr int buckets = (64 - subBits + 1) * sub;
    std::vector<uint64_t> counts = std::vector<uint64_t>(buckets, 0);
    uint64_t total = 0;
    int64_t maxValue = 0;

    static int indexOf(uint64_t v)
    {
        if (v < uint64_t(sub))
            return int(v);
        const int e = 63 - __builtin_clzll(v);
        const int shift = e - subBits;
        return ((shift + 1) << subBits) + int((v >> shift) - sub);
    }
    static uint64_t midpointOf(int b)
    {
        if (b < sub)
            return uint64_t(b);
        const int g = b >> subBits;
        const uint64_t m = uint64_t(b & (sub - 1)) + sub;
        const int shift = g - 1;
        const uint64_t lo = m << shift;
        const uint64_t hi = ((m + 1) << shift) - 1;
        return lo + (hi - lo) / 2;
    }
    void record(int64_t v)
    {
        if (v < 0)
            v = 0;
        ++counts[indexOf(uint64_t(v))];
        ++total;
        if (v > maxValue)
            maxValue = v;
    }
    void merge(const Histogram &o)
    {
        for (int i = 0; i < buckets; ++i)
            counts[i] += o.counts[i];
        total += o.total;
        maxValue = std::max(maxValue, o.maxValue);
    }
    int64_t percentile(double p) const
    {
        if (total == 0)
            return 0;
        uint64_t want = uint64_t(p / 100.0 * double(total) + 0.5);
        if (want < 1)
            want = 1;
        if (want > total)
            want = total;
        uint64_t seen = 0;
        for (int i = 0; i < buckets; ++i) {
            seen += counts[i];
            if (seen >= want)
                return std::min<int64_t>(int64_t(midpointOf(i)), maxValue);
        }
        return maxValue;
    }
};

// ---------------------------------------------------------------------------------------
// Options

enum class SubMode { Sse, LongPollChatApp, LongPollNchan, PollChatApp };
enum class PubFormat { Form, Raw };

struct Options {
    std::string publishUrl, subscribeUrl;
    SubMode subMode = SubMode::Sse;
    PubFormat pubFormat = PubFormat::Form;
    bool pubFormatGiven = false;
    int rooms = 1;
    int senders = 0;
    int subsPerRoom = 0;
    double rate = 0;
    double duration = 10;
    double drain = 5;
    int messageBytes = 100;
    int threads = 1;
    int sourceAddresses = 1;
    bool idle = false;
    long serverPid = 0;
    double maxSeconds = 120;
    int connectBatch = 32;
    double connectTimeout = 60;
    bool json = false;
    int pollIntervalMs = 1000;
    int waitSeconds = 25;
    int settleMs = 300;
    std::string roomPrefix = "bench";
    bool createRooms = true;
    // Self-test and fault injection
    uint32_t injectDrop = 0, injectDup = 0, injectReorder = 0;
    int chaosCloseMs = 0;
    bool noResume = false;
};

const char *usage = R"(Usage: chatapp-bench [options]

A load generator for ChatApp's HTTP API (and for nginx+nchan, for comparison). Senders
publish messages carrying a marker @m<sender>.<seq>.<monotonic-ns>@; subscribers scan
what they receive for markers and report latency, loss, duplicates and reordering.

Targets (loopback only; {room} is replaced by <room-prefix><i>, i = 0..rooms-1):
  --publish URL            POST target, e.g. http://127.0.0.1:3550/api/v1/rooms/{room}/messages
                           or http://127.0.0.1:8080/pub?id={room}
  --subscribe URL          subscriber target, e.g. .../api/v1/rooms/{room}/events (sse),
                           .../api/v1/rooms/{room}/messages (longpoll-chatapp, poll-chatapp),
                           http://127.0.0.1:8080/sub/{room} (sse, longpoll-nchan)
  --subscribe-mode M       sse | longpoll-chatapp | longpoll-nchan | poll-chatapp (sse)
  --publish-format F       form (author=bench&text=..., ChatApp) | raw (text/plain body, nchan)
                           (default: form if the publish URL has /api/v1/, else raw)
  --room-prefix P          room names are P0, P1, ... (bench)
  --no-create-rooms        do not PUT /api/v1/rooms/{room} before starting (ChatApp URLs
                           get their rooms created by default)

Load:
  --rooms N                rooms (1); sender i publishes to room i % N
  --senders N              publishing connections (0)
  --subscribers-per-room N subscriber connections per room (0)
  --rate R                 total offered messages/s over all senders, paced; 0 = closed
                           loop: each sender sends its next message when the last is acked (0)
  --duration S             length of the send phase in seconds (10)
  --drain S                after the send phase, wait up to S s for deliveries; stops early
                           once every subscriber has every acked message of its room (5)
  --message-bytes N        text length of a message, marker included, padded with 'x' (100)
  --poll-interval MS       poll-chatapp: one GET every MS ms (1000)
  --wait S                 longpoll-chatapp: the wait= parameter (25)
  --idle                   no senders: connect the subscribers, hold them --duration S,
                           measure the server's memory per subscriber, exit

Machinery:
  --threads N              event-loop threads, one per core you give the bench (1)
  --source-addresses N     spread connections over 127.0.0.1 .. 127.0.0.N (1)
  --connect-batch N        at most N subscribers awaiting their response headers at once;
                           keep it under the server's listen backlog (ss -ltn) (32)
  --connect-timeout S      deadline for connecting every subscriber (60)
  --settle-ms MS           pause between "all subscribers ready" and the first send (300)
  --server-pid PID         report the server's CPU seconds over the measured phase, and its
                           VmRSS / VmHWM at the end (from /proc/PID)
  --max-seconds S          hard stop for the whole run (120)
  --json                   print one JSON object with the results as the last stdout line
  --quiet                  no progress on stderr

Self-test (proves the loss / duplicate / reorder accounting):
  --inject-drop N          each subscriber ignores every Nth marker it parses
                           (expect lost == injected.drops)
  --inject-dup N           each subscriber counts every Nth marker twice
                           (expect duplicated == injected.dups)
  --inject-reorder N       each subscriber holds back every Nth marker until the sender's next one
                           (expect reordered == injected.reorders)
  --chaos-close-ms MS      every MS ms each thread closes one subscriber's connection; it
                           reconnects and resumes (Last-Event-ID / its cursor): expect lost 0
  --no-resume              reconnect without resuming (no Last-Event-ID; long polls start
                           over from the room's current last id): with --chaos-close-ms this
                           loses messages for real, and lost counts them
  -h, --help               this help

Exit status: 0 the run completed (read the results for errors), 1 it was cut short by
--max-seconds or a signal (the results so far are still printed), 2 a usage or set-up error.
)";

double parseDouble(const char *name, const char *v)
{
    char *end = nullptr;
    const double d = std::strtod(v, &end);
    if (!end || *end || end == v || d < 0)
        die("%s: not a non-negative number: '%s'", name, v);
    return d;
}

long parseLong(const char *name, const char *v, long lo, long hi)
{
    char *end = nullptr;
    const long d = std::strtol(v, &end, 10);
    if (!end || *end || end == v || d < lo || d > hi)
        die("%s: expected an integer in [%ld, %ld], got '%s'", name, lo, hi, v);
    return d;
}

Options parseOptions(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto val = [&]() -> const char * {
            if (i + 1 >= argc)
                die("%s needs a value", a.c_str());
            return argv[++i];
        };
        if (a == "-h" || a == "--help") {
            std::fputs(usage, stdout);
            std::exit(0);
        } else if (a == "--publish") {
            o.publishUrl = val();
        } else if (a == "--subscribe") {
            o.subscribeUrl = val();
        } else if (a == "--subscribe-mode") {
            const std::string m = val();
            if (m == "sse")
                o.subMode = SubMode::Sse;
            else if (m == "longpoll-chatapp")
                o.subMode = SubMode::LongPollChatApp;
            else if (m == "longpoll-nchan")
                o.subMode = SubMode::LongPollNchan;
            else if (m == "poll-chatapp")
                o.subMode = SubMode::PollChatApp;
            else
                die("--subscribe-mode: sse, longpoll-chatapp, longpoll-nchan or poll-chatapp, not '%s'", m.c_str());
        } else if (a == "--publish-format") {
            const std::string f = val();
            if (f == "form")
                o.pubFormat = PubFormat::Form;
            else if (f == "raw")
                o.pubFormat = PubFormat::Raw;
            else
                die("--publish-format: form or raw, not '%s'", f.c_str());
            o.pubFormatGiven = true;
        } else if (a == "--rooms") {
            o.rooms = int(parseLong("--rooms", val(), 1, 1000000));
        } else if (a == "--senders") {
            o.senders = int(parseLong("--senders", val(), 0, 1000000));
        } else if (a == "--subscribers-per-room") {
            o.subsPerRoom = int(parseLong("--subscribers-per-room", val(), 0, 10000000));
        } else if (a == "--rate") {
            o.rate = parseDouble("--rate", val());
        } else if (a == "--duration") {
            o.duration = parseDouble("--duration", val());
        } else if (a == "--drain") {
            o.drain = parseDouble("--drain", val());
        } else if (a == "--message-bytes") {
            o.messageBytes = int(parseLong("--message-bytes", val(), 1, 60000));
        } else if (a == "--threads") {
            o.threads = int(parseLong("--threads", val(), 1, 256));
        } else if (a == "--source-addresses") {
            o.sourceAddresses = int(parseLong("--source-addresses", val(), 1, 254));
        } else if (a == "--idle") {
            o.idle = true;
        } else if (a == "--server-pid") {
            o.serverPid = parseLong("--server-pid", val(), 1, LONG_MAX);
        } else if (a == "--max-seconds") {
            o.maxSeconds = parseDouble("--max-seconds", val());
        } else if (a == "--connect-batch") {
            o.connectBatch = int(parseLong("--connect-batch", val(), 1, 1000000));
        } else if (a == "--connect-timeout") {
            o.connectTimeout = parseDouble("--connect-timeout", val());
        } else if (a == "--json") {
            o.json = true;
        } else if (a == "--quiet") {
            g_quiet = true;
        } else if (a == "--poll-interval") {
            o.pollIntervalMs = int(parseLong("--poll-interval", val(), 1, 3600000));
        } else if (a == "--wait") {
            o.waitSeconds = int(parseLong("--wait", val(), 0, 60));
        } else if (a == "--settle-ms") {
            o.settleMs = int(parseLong("--settle-ms", val(), 0, 600000));
        } else if (a == "--room-prefix") {
            o.roomPrefix = val();
        } else if (a == "--no-create-rooms") {
            o.createRooms = false;
        } else if (a == "--inject-drop") {
            o.injectDrop = uint32_t(parseLong("--inject-drop", val(), 1, INT_MAX));
        } else if (a == "--inject-dup") {
            o.injectDup = uint32_t(parseLong("--inject-dup", val(), 1, INT_MAX));
        } else if (a == "--inject-reorder") {
            o.injectReorder = uint32_t(parseLong("--inject-reorder", val(), 2, INT_MAX));
        } else if (a == "--chaos-close-ms") {
            o.chaosCloseMs = int(parseLong("--chaos-close-ms", val(), 1, 3600000));
        } else if (a == "--no-resume") {
            o.noResume = true;
        } else {
            die("unknown option '%s' (see --help)", a.c_str());
        }
    }
    for (char c : o.roomPrefix)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            die("--room-prefix: only a-z 0-9 _ - please");
    return o;
}

// ---------------------------------------------------------------------------------------
// URLs (loopback only)

struct Url {
    sockaddr_storage addr{};
    socklen_t addrLen = 0;
    bool v6 = false;
    std::string hostHeader; // host:port as sent
    std::string pathTemplate;
};

Url parseUrl(const std::string &text, const char *what)
{
    Url u;
    const std::string scheme = "http://";
    if (text.compare(0, scheme.size(), scheme) != 0)
        die("%s: only http:// URLs are supported: '%s'", what, text.c_str());
    std::string rest = text.substr(scheme.size());
    const size_t slash = rest.find('/');
    std::string hostport = slash == std::string::npos ? rest : rest.substr(0, slash);
    u.pathTemplate = slash == std::string::npos ? "/" : rest.substr(slash);
    std::string host;
    int port = 80;
    if (!hostport.empty() && hostport[0] == '[') {
        const size_t close = hostport.find(']');
        if (close == std::string::npos)
            die("%s: bad IPv6 literal in '%s'", what, text.c_str());
        host = hostport.substr(1, close - 1);
        if (close + 1 < hostport.size()) {
            if (hostport[close + 1] != ':')
                die("%s: bad URL '%s'", what, text.c_str());
            port = int(parseLong(what, hostport.c_str() + close + 2, 1, 65535));
        }
    } else {
        const size_t colon = hostport.rfind(':');
        host = colon == std::string::npos ? hostport : hostport.substr(0, colon);
        if (colon != std::string::npos)
            port = int(parseLong(what, hostport.c_str() + colon + 1, 1, 65535));
    }
    if (host == "localhost")
        host = "127.0.0.1";
    in_addr a4{};
    in6_addr a6{};
    if (inet_pton(AF_INET, host.c_str(), &a4) == 1) {
        if ((ntohl(a4.s_addr) >> 24) != 127)
            die("%s: refusing non-loopback target %s (this bench only drives 127.0.0.0/8 and ::1)", what, host.c_str());
        auto *sin = reinterpret_cast<sockaddr_in *>(&u.addr);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(uint16_t(port));
        sin->sin_addr = a4;
        u.addrLen = sizeof(sockaddr_in);
    } else if (inet_pton(AF_INET6, host.c_str(), &a6) == 1) {
        if (!IN6_IS_ADDR_LOOPBACK(&a6))
            die("%s: refusing non-loopback target %s (this bench only drives 127.0.0.0/8 and ::1)", what, host.c_str());
        auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&u.addr);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(uint16_t(port));
        sin6->sin6_addr = a6;
        u.addrLen = sizeof(sockaddr_in6);
        u.v6 = true;
    } else {
        die("%s: host must be a loopback address (127.x.x.x, ::1 or localhost), not '%s'", what, host.c_str());
    }
    u.hostHeader = hostport;
    return u;
}

std::string expandRoom(const std::string &tmpl, const std::string &room)
{
    std::string out;
    size_t pos = 0;
    for (;;) {
        const size_t at = tmpl.find("{room}", pos);
        if (at == std::string::npos) {
            out += tmpl.substr(pos);
            return out;
        }
        out += tmpl.substr(pos, at - pos);
        out += room;
        pos = at + 6;
    }
}

// ---------------------------------------------------------------------------------------
// Blocking helpers for the set-up (room creation) and /proc readings

int blockingConnect(const Url &u, int timeoutMs)
{
    const int fd = socket(u.v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, reinterpret_cast<const sockaddr *>(&u.addr), u.addrLen) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

// One request with Connection: close; returns the status, or -1.
int blockingRequest(const Url &u, const std::string &request, std::string *body = nullptr)
{
    const int fd = blockingConnect(u, 10000);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < request.size()) {
        const ssize_t n = send(fd, request.data() + off, request.size() - off, MSG_NOSIGNAL);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        off += size_t(n);
    }
    std::string resp;
    char buf[8192];
    for (;;) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        resp.append(buf, size_t(n));
        if (resp.size() > (1 << 20))
            break;
        // Done once the head and Content-Length bytes of body are in (the server may
        // keep the connection open despite Connection: close).
        const size_t he = resp.find("\r\n\r\n");
        if (he != std::string::npos) {
            size_t clen = 0;
            for (size_t at = 0; at < he;) {
                const size_t eol = resp.find("\r\n", at);
                const std::string_view ln(resp.data() + at, eol - at);
                if (ln.size() > 15 && ieq(ln.substr(0, 15), "content-length:"))
                    clen = size_t(std::atol(std::string(ln.substr(15)).c_str()));
                at = eol + 2;
            }
            if (resp.size() >= he + 4 + clen)
                break;
        }
    }
    close(fd);
    int status = -1;
    if (resp.size() > 12 && resp.compare(0, 5, "HTTP/") == 0)
        status = std::atoi(resp.c_str() + 9);
    if (body) {
        const size_t he = resp.find("\r\n\r\n");
        *body = he == std::string::npos ? std::string() : resp.substr(he + 4);
    }
    return status;
}

struct ProcStats {
    bool ok = false;
    double cpuSeconds = 0;
    long rssKb = 0, hwmKb = 0;
};

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

// ---------------------------------------------------------------------------------------
// Shared state between the coordinator and the worker threads

enum Phase : int { PhaseConnect = 0, PhaseSend = 1, PhaseDrain = 2, PhaseStop = 3 };

struct alignas(64) ThreadShared {
    std::atomic<int> seenPhase{-1};
    std::atomic<uint32_t> incomplete{UINT32_MAX};
    std::atomic<uint64_t> checks{0};
};

// Which seqs of one sender were acknowledged (2xx). Written only by the sender's thread;
// read by others only once every send is finished (see Shared::acksFinal).
struct AckLog {
    std::vector<uint64_t> bits;  // bit q set: seq q acked
    std::vector<uint32_t> prefix; // popcount of words [0, w)
    uint32_t total = 0;
    uint32_t maxSeq = 0;

    void set(uint32_t q)
    {
        const size_t w = q >> 6;
        if (w >= bits.size())
            bits.resize(std::max(bits.size() * 2, w + 1), 0);
        bits[w] |= uint64_t(1) << (q & 63);
        ++total;
        maxSeq = std::max(maxSeq, q);
    }
    void buildPrefix()
    {
        prefix.assign(bits.size() + 1, 0);
        for (size_t w = 0; w < bits.size(); ++w)
            prefix[w + 1] = prefix[w] + uint32_t(__builtin_popcountll(bits[w]));
    }
    // acked seqs in [1, q]
    uint32_t rank(uint32_t q) const
    {
        const size_t w = q >> 6;
        if (w >= bits.size())
            return total;
        const uint64_t mask = (q & 63) == 63 ? ~uint64_t(0) : ((uint64_t(1) << ((q & 63) + 1)) - 1);
        return prefix[w] + uint32_t(__builtin_popcountll(bits[w] & mask));
    }
    uint32_t inRange(uint32_t a, uint32_t b) const // acked in [a, b]
    {
        if (b < a)
            return 0;
        return rank(b) - (a > 0 ? rank(a - 1) : 0);
    }
};

struct Shared {
    std::atomic<int> phase{PhaseConnect};
    std::atomic<int64_t> sendStartNs{0}, sendEndNs{0};
    std::atomic<uint32_t> subsReady{0}, pubsSettled{0};
    std::atomic<int64_t> inFlight{0};
    std::atomic<bool> acksFinal{false};
    std::unique_ptr<ThreadShared[]> perThread;
    std::vector<AckLog> acks; // per sender
};

// Streaming HTTP/1.1 response parser

struct RespParser {
    enum State : uint8_t { Status, Header, BodyLength, BodyClose, ChunkSize, ChunkData, ChunkCrlf, Trailer };
    State st = Status;
    bool chunked = false, connClose = false, started = false;
    uint16_t status = 0;
    int64_t contentLength = -1;
    uint64_t remain = 0;
    uint16_t lineLen = 0;
    char line[240];

    void reset()
    {
        st = Status;
        chunked = connClose = started = false;
        status = 0;
        contentLength = -1;
        remain = 0;
        lineLen = 0;
    }
};

enum class Feed : uint8_t { More, Done, Bad };

// Feeds bytes to the parser. The sink gets headers(status) once the head is complete,
// header(name, value) for the headers the parser does not interpret itself, and
// body(p, n) for the (de-chunked) body. Stops right after a complete response and
// returns Done with *used = the bytes that belonged to it; the parser is then reset,
// with the finished response's status and Connection: close in *status / *close.
template<typename Sink>
Feed feedParser(RespParser &r, const char *p, size_t n, Sink &sink, size_t *used, int *status, bool *close)
{
    size_t i = 0;
    auto done = [&](size_t at) {
        *used = at;
        *status = r.status;
        *close = r.connClose;
        r.reset();
        return Feed::Done;
    };
    while (i < n) {
        switch (r.st) {
        case RespParser::BodyLength: {
            const size_t take = size_t(std::min<uint64_t>(r.remain, n - i));
            sink.body(p + i, take);
            i += take;
            r.remain -= take;
            if (r.remain == 0)
                return done(i);
            break;
        }
        case RespParser::BodyClose:
            sink.body(p + i, n - i);
            i = n;
            break;
        case RespParser::ChunkData: {
            const size_t take = size_t(std::min<uint64_t>(r.remain, n - i));
            sink.body(p + i, take);
            i += take;
            r.remain -= take;
            if (r.remain == 0) {
                r.st = RespParser::ChunkCrlf;
                r.lineLen = 0;
            }
            break;
        }
        default: {
            // The line-oriented states.
            r.started = true;
            const char *nl = static_cast<const char *>(std::memchr(p + i, '\n', n - i));
            const size_t end = nl ? size_t(nl - p) : n;
            const size_t room = sizeof(r.line) - 1 - r.lineLen;
            const size_t copy = std::min(room, end - i); // longer lines are truncated
            std::memcpy(r.line + r.lineLen, p + i, copy);
            r.lineLen = uint16_t(r.lineLen + copy);
            if (!nl) {
                i = n;
                break;
            }
            i = end + 1;
            size_t len = r.lineLen;
            if (len > 0 && r.line[len - 1] == '\r')
                --len;
            r.lineLen = 0;
            const std::string_view ln(r.line, len);
            switch (r.st) {
            case RespParser::Status:
                if (ln.empty())
                    break; // tolerate a stray CRLF between responses
                if (ln.size() < 12 || ln.compare(0, 5, "HTTP/") != 0 || ln[8] != ' ')
                    return Feed::Bad;
                r.status = uint16_t((ln[9] - '0') * 100 + (ln[10] - '0') * 10 + (ln[11] - '0'));
                if (ln.compare(0, 8, "HTTP/1.0") == 0)
                    r.connClose = true; // no keep-alive negotiation with 1.0 servers
                r.st = RespParser::Header;
                break;
            case RespParser::Header:
                if (ln.empty()) {
                    if (r.status >= 100 && r.status < 200) { // 100 Continue and friends
                        r.reset();
                        break;
                    }
                    sink.headers(r.status);
                    if (r.status == 204 || r.status == 304)
                        return done(i);
                    if (r.chunked) {
                        r.st = RespParser::ChunkSize;
                    } else if (r.contentLength >= 0) {
                        if (r.contentLength == 0)
                            return done(i);
                        r.remain = uint64_t(r.contentLength);
                        r.st = RespParser::BodyLength;
                    } else {
                        r.st = RespParser::BodyClose;
                    }
                    break;
                }
                {
                    const size_t colon = ln.find(':');
                    if (colon == std::string_view::npos)
                        break;
                    const std::string_view name = ln.substr(0, colon);
                    std::string_view value = ln.substr(colon + 1);
                    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
                        value.remove_prefix(1);
                    while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
                        value.remove_suffix(1);
                    if (ieq(name, "content-length")) {
                        int64_t v = -1;
                        std::from_chars(value.data(), value.data() + value.size(), v);
                        r.contentLength = v;
                    } else if (ieq(name, "transfer-encoding")) {
                        if (icontains(value, "chunked"))
                            r.chunked = true;
                    } else if (ieq(name, "connection")) {
                        if (icontains(value, "close"))
                            r.connClose = true;
                    } else {
                        sink.header(name, value);
                    }
                }
                break;
            case RespParser::ChunkSize: {
                uint64_t v = 0;
                size_t k = 0;
                for (; k < ln.size() && k < 16; ++k) {
                    const char c = ln[k];
                    int d;
                    if (c >= '0' && c <= '9')
                        d = c - '0';
                    else if (c >= 'a' && c <= 'f')
                        d = c - 'a' + 10;
                    else if (c >= 'A' && c <= 'F')
                        d = c - 'A' + 10;
                    else
                        break;
                    v = v * 16 + uint64_t(d);
                }
                if (k == 0)
                    return Feed::Bad;
                if (v == 0) {
                    r.st = RespParser::Trailer;
                } else {
                    r.remain = v;
                    r.st = RespParser::ChunkData;
                }
                break;
            }
            case RespParser::ChunkCrlf:
                if (!ln.empty())
                    return Feed::Bad;
                r.st = RespParser::ChunkSize;
                break;
            case RespParser::Trailer:
                if (ln.empty())
                    return done(i);
                break;
            default:
                break;
            }
            break;
        }
        }
    }
    *used = n;
    return Feed::More;
}

// ---------------------------------------------------------------------------------------
// Connections, publishers, subscribers

enum class ConnState : uint8_t { Closed, Connecting, Open };

struct Conn {
    int fd = -1;
    uint32_t gen = 0;
    ConnState state = ConnState::Closed;
    bool requestInFlight = false; // a request was written (or is being written)
    std::string pending;          // unsent request bytes (rare: only on a short write)
    size_t pendingOff = 0;
    RespParser resp;
    int64_t reqStartNs = 0;
};

struct Pub {
    Conn c;
    uint32_t global = 0; // sender index
    uint32_t room = 0;
    uint32_t seq = 0;
    uint32_t inflightSeq = 0;
    bool outstanding = false; // counted in Shared::inFlight
    bool wantSend = false;    // connecting; send once connected
    bool idle = false;        // in the idle list
    bool backoff = false;
    bool settled = false;     // counted in Shared::pubsSettled
    uint16_t status = 0;
};

// Per subscriber per sender of its room: the highest seq seen; the gaps below it live in
// a side table (only when a message was skipped, so normally empty).
struct Track {
    uint32_t hi = 0;
    uint32_t hasGaps = 0;
};

enum class SubStage : uint8_t { Init, Main };

struct Marker {
    uint32_t sender, seq;
    int64_t ns;
};

struct Sub {
    Conn c;
    uint32_t global = 0;
    uint32_t room = 0;
    uint32_t trackBase = 0;
    SubStage stage = SubStage::Init;
    bool ready = false;      // counted as connected (once)
    bool failed = false;     // gave up at the end of the connect phase
    bool attempting = false; // holds a slot of the connect window
    bool complete = false;   // has every acked message (drain check)
    bool inTimer = false;
    uint16_t failures = 0;
    uint16_t status = 0;     // of the response being read
    uint64_t cursor = 0;     // ChatApp: the next after=
    // Marker scanner
    uint8_t ms = 0, msDigits = 0;
    uint64_t ma = 0, mb = 0, mc = 0;
    // Aux scanner: SSE "id:" lines, or JSON "id": numbers
    uint8_t aux = 0;
    uint8_t auxLen = 0;
    uint64_t auxNum = 0;
    uint64_t respMaxId = 0;
    bool respSawId = false;
    char idBuf[64];
    char lastEventId[64];
    uint8_t lastEventIdLen = 0;
    uint8_t etagLen = 0;
    uint8_t lastModLen = 0;
    char etag[96];
    char lastMod[64];
    // Fault injection
    uint32_t injectCount = 0;
    bool holding = false;
    Marker held{};
};

// ---------------------------------------------------------------------------------------
// Per-thread statistics (read after join)

struct Stats {
    uint64_t sendsAttempted = 0, sendsAcked = 0;
    std::map<std::string, uint64_t> sendErrors;
    uint64_t pubConnectErrors = 0;
    uint64_t deliveries = 0, duplicated = 0, reordered = 0, stale = 0, misrouted = 0, malformed = 0;
    uint64_t reconnects = 0, reconnectFailures = 0, subErrors = 0, chaosCloses = 0, keepaliveCloses = 0;
    uint64_t injectedDrops = 0, injectedDups = 0, injectedReorders = 0;
    uint64_t pacedBacklog = 0; // paced sends due at the end of the send phase but never sent
    uint64_t subRequests = 0;  // requests subscribers sent during the measured phase
    int64_t lastDeliveryNs = 0;
    Histogram latency, publishLatency;
};

// ---------------------------------------------------------------------------------------
// Configuration shared read-only by all threads

struct Config {
    Options o;
    Url pubUrl, subUrl;
    std::vector<std::string> pubHeadPre;  // per room: request line + headers up to Content-Length:
    std::string pubHeadPost;              // "\r\n\r\n" + the body before the text
    int pubBodyPrefixLen = 0;
    std::vector<std::string> subPath;     // per room
    uint32_t totalSubs = 0;
    int64_t runStartNs = 0;
    std::vector<uint32_t> sendersInRoom;  // per room
};

class Worker {
public:
    Worker(const Config &cfg, Shared &sh, int tid);
    void run();

    struct Loss {
        uint64_t lost = 0, expected = 0, receivedUnacked = 0;
    };
    Loss computeLoss(const std::vector<AckLog> &acks) const; // after join
    uint32_t readyCount() const
    {
        uint32_t n = 0;
        for (const Sub &s : m_subs)
            n += s.ready ? 1 : 0;
        return n;
    }
    Stats stats;

private:
    struct Timer {
        int64_t when;
        uint32_t idx; // bit 31: publisher
        uint32_t gen;
        bool operator>(const Timer &o) const { return when > o.when; }
    };
    static uint64_t key(bool pub, uint32_t idx, uint32_t gen)
    {
        return (uint64_t(gen) << 32) | (uint64_t(pub ? 1u : 0u) << 31) | idx;
    }
    uint32_t indexOf(const Pub &p) const { return uint32_t(&p - m_pubs.data()); }
    uint32_t indexOf(const Sub &s) const { return uint32_t(&s - m_subs.data()); }

    void enterPhase(int phase);
    bool openSocket(Conn &c, bool pub, uint32_t idx);
    void closeConn(Conn &c);
    bool writeRequest(Conn &c, const char *data, size_t len);
    bool flushPending(Conn &c);
    void addTimer(int64_t when, bool pub, uint32_t idx, uint32_t gen);
    void onEvent(uint64_t data, uint32_t events);
    void onWritable(bool pub, uint32_t idx);
    void onReadable(bool pub, uint32_t idx);
    void onTimer(const Timer &t);

    // publishers
    void pubSettle(Pub &p);
    void pubMakeIdle(Pub &p);
    void pubStartSend(Pub &p);
    void pubWrite(Pub &p);
    void pubFailed(Pub &p, const char *why);
    void pubResponseDone(Pub &p, int status, bool close);
    void pumpSenders();
    // subscribers
    void subOpen(Sub &s);
    void subSendRequest(Sub &s);
    void subRequestWritten(Sub &s);
    void subBecameReady(Sub &s);
    void subRetryLater(Sub &s);
    void subReconnect(Sub &s, bool count = true);
    void subResponseDone(Sub &s, int status, bool close);
    void subGiveUp(Sub &s);
    void openMoreSubs();
    void scanBody(Sub &s, const char *p, size_t n);
    void onMarker(Sub &s, uint32_t sender, uint32_t seq, int64_t ns);
    void account(Sub &s, uint32_t sender, uint32_t seq, int64_t ns);
    bool subIsComplete(const Sub &s) const;
    void checkComplete();
    void chaosClose();

    struct PubSink {
        Pub &p;
        void headers(int status) { p.status = uint16_t(status); }
        void header(std::string_view, std::string_view) {}
        void body(const char *, size_t) {}
    };
    struct SubSink {
        Worker &w;
        Sub &s;
        void headers(int status);
        void header(std::string_view name, std::string_view value);
        void body(const char *p, size_t n)
        {
            if (s.status == 200)
                w.scanBody(s, p, n);
        }
    };

    const Config &m_cfg;
    const Options &m_o;
    Shared &m_sh;
    ThreadShared &m_ts;
    int m_ep = -1;
    int m_phase = PhaseConnect;
    int64_t m_now = 0;
    int64_t m_recvNs = 0;
    std::vector<char> m_buf, m_out;
    std::vector<Pub> m_pubs;
    std::vector<Sub> m_subs;
    std::vector<Track> m_tracks;
    std::unordered_map<uint32_t, std::vector<std::pair<uint32_t, uint32_t>>> m_gaps;
    std::vector<uint32_t> m_idlePubs;
    std::vector<Timer> m_timers; // a min-heap
    size_t m_nextSubToOpen = 0;
    int m_attempting = 0;
    int m_connectWindow = 1;
    uint32_t m_sourceRr = 0;
    double m_rateNsPerMsg = 0; // paced mode: this thread's interval between sends
    uint64_t m_paced = 0;      // paced sends issued
    int64_t m_lastCheckNs = 0;
    int64_t m_nextChaosNs = 0;
    size_t m_chaosRr = 0;
    uint64_t m_rng = 0x9e3779b97f4a7c15ull;
    bool m_sseKind = false, m_jsonKind = false;
};

Worker::Worker(const Config &cfg, Shared &sh, int tid)
    : m_cfg(cfg)
    , m_o(cfg.o)
    , m_sh(sh)
    , m_ts(sh.perThread[size_t(tid)])
{
    m_buf.resize(256 * 1024);
    m_out.resize(16 * 1024 + size_t(m_o.messageBytes) + 256);
    const uint32_t T = uint32_t(m_o.threads);
    for (uint32_t i = uint32_t(tid); i < uint32_t(m_o.senders); i += T) {
        m_pubs.emplace_back();
        m_pubs.back().global = i;
        m_pubs.back().room = i % uint32_t(m_o.rooms);
    }
    uint32_t trackTotal = 0;
    for (uint32_t j = uint32_t(tid); j < cfg.totalSubs; j += T) {
        m_subs.emplace_back();
        Sub &s = m_subs.back();
        s.global = j;
        s.room = j % uint32_t(m_o.rooms);
        s.trackBase = trackTotal;
        trackTotal += cfg.sendersInRoom[s.room];
    }
    m_tracks.assign(trackTotal, Track{});
    m_connectWindow = std::max(1, m_o.connectBatch / m_o.threads);
    m_sourceRr = uint32_t(tid);
    m_rng += uint64_t(tid) * 0x2545f4914f6cdd1dull;
    m_timers.reserve(m_subs.size() + m_pubs.size() + 16);
    m_idlePubs.reserve(m_pubs.size());
    if (m_o.rate > 0 && !m_pubs.empty())
        m_rateNsPerMsg = 1e9 / (m_o.rate * double(m_pubs.size()) / double(m_o.senders));
    m_sseKind = m_o.subMode == SubMode::Sse;
    m_jsonKind = m_o.subMode == SubMode::LongPollChatApp || m_o.subMode == SubMode::PollChatApp;
}

// ---------------------------------------------------------------------------------------
// Sockets

bool Worker::openSocket(Conn &c, bool pub, uint32_t idx)
{
    const Url &u = pub ? m_cfg.pubUrl : m_cfg.subUrl;
    closeConn(c);
    const int fd = socket(u.v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!u.v6 && m_o.sourceAddresses > 1) {
        // Pick the port at connect() time, per (source, destination) pair: with many
        // source addresses this gets past the ~28k ephemeral ports of one address.
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        sockaddr_in src{};
        src.sin_family = AF_INET;
        src.sin_addr.s_addr = htonl((127u << 24) | (1u + (m_sourceRr++ % uint32_t(m_o.sourceAddresses))));
        if (bind(fd, reinterpret_cast<sockaddr *>(&src), sizeof src) != 0) {
            close(fd);
            return false;
        }
    }
    const int rc = connect(fd, reinterpret_cast<const sockaddr *>(&u.addr), u.addrLen);
    if (rc != 0 && errno != EINPROGRESS) {
        close(fd);
        return false;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = key(pub, idx, c.gen);
    if (epoll_ctl(m_ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close(fd);
        return false;
    }
    c.fd = fd;
    c.state = rc == 0 ? ConnState::Open : ConnState::Connecting;
    return true;
}

void Worker::closeConn(Conn &c)
{
    if (c.fd >= 0) {
        close(c.fd);
        c.fd = -1;
    }
    ++c.gen; // stale events and timers of the old socket are ignored from now on
    c.state = ConnState::Closed;
    c.requestInFlight = false;
    c.pending.clear();
    c.pendingOff = 0;
    c.resp.reset();
}

// Writes a request, keeping what the socket did not take. False on a socket error.
bool Worker::writeRequest(Conn &c, const char *data, size_t len)
{
    c.requestInFlight = true;
    c.reqStartNs = m_now;
    if (c.state != ConnState::Open) {
        c.pending.assign(data, len);
        c.pendingOff = 0;
        return true;
    }
    const ssize_t n = send(c.fd, data, len, MSG_NOSIGNAL);
    if (n == ssize_t(len))
        return true;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        return false;
    const size_t done = n > 0 ? size_t(n) : 0;
    c.pending.assign(data + done, len - done);
    c.pendingOff = 0;
    return true;
}

bool Worker::flushPending(Conn &c)
{
    while (c.pendingOff < c.pending.size()) {
        const ssize_t n = send(c.fd, c.pending.data() + c.pendingOff, c.pending.size() - c.pendingOff, MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK;
        c.pendingOff += size_t(n);
    }
    c.pending.clear();
    c.pendingOff = 0;
    return true;
}

void Worker::addTimer(int64_t when, bool pub, uint32_t idx, uint32_t gen)
{
    m_timers.push_back(Timer{when, idx | (pub ? 0x80000000u : 0u), gen});
    std::push_heap(m_timers.begin(), m_timers.end(), std::greater<Timer>());
}

// ---------------------------------------------------------------------------------------
// Publishers

void Worker::pubSettle(Pub &p)
{
    if (!p.settled) {
        p.settled = true;
        m_sh.pubsSettled.fetch_add(1, std::memory_order_relaxed);
    }
}

void Worker::pubMakeIdle(Pub &p)
{
    if (!p.idle && !p.backoff && !p.outstanding) {
        p.idle = true;
        m_idlePubs.push_back(indexOf(p));
    }
}

void Worker::pubStartSend(Pub &p)
{
    ++p.seq;
    p.inflightSeq = p.seq;
    p.outstanding = true;
    ++stats.sendsAttempted;
    m_sh.inFlight.fetch_add(1, std::memory_order_relaxed);
    if (p.c.state == ConnState::Closed) {
        if (!openSocket(p.c, true, indexOf(p))) {
            pubFailed(p, "connect");
            return;
        }
        if (p.c.state == ConnState::Connecting) {
            p.wantSend = true; // written (with a fresh timestamp) once connected
            return;
        }
    }
    pubWrite(p);
}

void Worker::pubWrite(Pub &p)
{
    p.wantSend = false;
    const std::string &pre = m_cfg.pubHeadPre[p.room];
    const std::string &post = m_cfg.pubHeadPost;
    char *out = m_out.data();
    const int64_t now = monoNs();
    m_now = now;
    char marker[80];
    const int ml = std::snprintf(marker, sizeof marker, "@m%u.%u.%" PRId64 "@", p.global, p.inflightSeq, now);
    const int textLen = std::max(ml, m_o.messageBytes);
    size_t len = 0;
    std::memcpy(out, pre.data(), pre.size());
    len += pre.size();
    const auto [end, ec] = std::to_chars(out + len, out + len + 24, m_cfg.pubBodyPrefixLen + textLen);
    (void)ec;
    len = size_t(end - out);
    std::memcpy(out + len, post.data(), post.size());
    len += post.size();
    std::memcpy(out + len, marker, size_t(ml));
    len += size_t(ml);
    std::memset(out + len, 'x', size_t(textLen - ml));
    len += size_t(textLen - ml);
    if (!writeRequest(p.c, out, len))
        pubFailed(p, "write");
}

void Worker::pubFailed(Pub &p, const char *why)
{
    if (p.outstanding) {
        ++stats.sendErrors[why];
        p.outstanding = false;
        m_sh.inFlight.fetch_sub(1, std::memory_order_release);
    } else {
        ++stats.pubConnectErrors;
    }
    pubSettle(p);
    p.wantSend = false;
    closeConn(p.c);
    // Back off a little (a dead server must not make us spin), then be idle again.
    if (p.idle) {
        m_idlePubs.erase(std::find(m_idlePubs.begin(), m_idlePubs.end(), indexOf(p)));
        p.idle = false;
    }
    p.backoff = true;
    addTimer(monoNs() + 100 * 1000000LL, true, indexOf(p), p.c.gen);
}

void Worker::pubResponseDone(Pub &p, int status, bool close)
{
    p.c.requestInFlight = false;
    if (p.outstanding) {
        p.outstanding = false;
        if (status >= 200 && status < 300) {
            ++stats.sendsAcked;
            m_sh.acks[p.global].set(p.inflightSeq);
            stats.publishLatency.record(m_now - p.c.reqStartNs);
        } else {
            ++stats.sendErrors[std::to_string(status)];
        }
        // Release: the ack bit above is visible to whoever sees inFlight reach 0.
        m_sh.inFlight.fetch_sub(1, std::memory_order_release);
    }
    if (close)
        closeConn(p.c); // the next send reconnects
    pubMakeIdle(p);
    if (m_rateNsPerMsg == 0)
        pumpSenders();
}

void Worker::pumpSenders()
{
    if (m_phase != PhaseSend)
        return;
    if (m_rateNsPerMsg == 0) { // closed loop
        while (!m_idlePubs.empty()) {
            Pub &p = m_pubs[m_idlePubs.back()];
            m_idlePubs.pop_back();
            p.idle = false;
            pubStartSend(p);
        }
        return;
    }
    // Paced: the sends due by now, on whichever senders are free. When none is free the
    // server is behind the offered rate; what is due goes out as senders come free.
    const int64_t start = m_sh.sendStartNs.load(std::memory_order_relaxed);
    const uint64_t due = uint64_t(double(m_now - start) / m_rateNsPerMsg) + 1;
    while (m_paced < due && !m_idlePubs.empty()) {
        Pub &p = m_pubs[m_idlePubs.back()];
        m_idlePubs.pop_back();
        p.idle = false;
        ++m_paced;
        pubStartSend(p);
    }
}

// ---------------------------------------------------------------------------------------
// Subscribers

void Worker::SubSink::headers(int status)
{
    s.status = uint16_t(status);
    s.respMaxId = 0;
    s.respSawId = false;
    s.ms = 0;
    s.aux = w.m_sseKind ? 1 : 0; // SSE: the body starts at a line start
    s.auxLen = 0;
    if (status == 200 && w.m_sseKind)
        w.subBecameReady(s);
    const bool nchanNothing = w.m_o.subMode == SubMode::LongPollNchan && (status == 304 || status == 408);
    if (status != 200 && !nchanNothing)
        ++w.stats.subErrors;
}

void Worker::SubSink::header(std::string_view name, std::string_view value)
{
    // The parser knows the status before the headers; s.status is set after them.
    if (w.m_o.subMode != SubMode::LongPollNchan || s.c.resp.status != 200)
        return;
    if (ieq(name, "etag")) {
        s.etagLen = uint8_t(std::min(value.size(), sizeof(s.etag)));
        std::memcpy(s.etag, value.data(), s.etagLen);
    } else if (ieq(name, "last-modified")) {
        s.lastModLen = uint8_t(std::min(value.size(), sizeof(s.lastMod)));
        std::memcpy(s.lastMod, value.data(), s.lastModLen);
    }
}

void Worker::subOpen(Sub &s)
{
    if (!openSocket(s.c, false, indexOf(s))) {
        subRetryLater(s);
        return;
    }
    subSendRequest(s);
}

// Builds and writes the subscriber's next request, for its mode and stage.
void Worker::subSendRequest(Sub &s)
{
    char *out = m_out.data();
    const size_t cap = m_out.size();
    const std::string &path = m_cfg.subPath[s.room];
    const char sep = path.find('?') == std::string::npos ? '?' : '&';
    const char *host = m_cfg.subUrl.hostHeader.c_str();
    int len = 0;
    switch (m_o.subMode) {
    case SubMode::Sse:
        s.stage = SubStage::Main;
        if (s.lastEventIdLen > 0)
            len = std::snprintf(out, cap,
                                "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n"
                                "Cache-Control: no-cache\r\nLast-Event-ID: %.*s\r\n\r\n",
                                path.c_str(), host, int(s.lastEventIdLen), s.lastEventId);
        else
            len = std::snprintf(out, cap,
                                "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n"
                                "Cache-Control: no-cache\r\n\r\n",
                                path.c_str(), host);
        break;
    case SubMode::LongPollChatApp:
    case SubMode::PollChatApp:
        if (s.stage == SubStage::Init)
            len = std::snprintf(out, cap, "GET %s%climit=1 HTTP/1.1\r\nHost: %s\r\n\r\n", path.c_str(), sep, host);
        else if (m_o.subMode == SubMode::LongPollChatApp)
            len = std::snprintf(out, cap, "GET %s%cafter=%" PRIu64 "&wait=%d&limit=1000 HTTP/1.1\r\nHost: %s\r\n\r\n",
                                path.c_str(), sep, s.cursor, m_o.waitSeconds, host);
        else
            len = std::snprintf(out, cap, "GET %s%cafter=%" PRIu64 "&limit=1000 HTTP/1.1\r\nHost: %s\r\n\r\n",
                                path.c_str(), sep, s.cursor, host);
        break;
    case SubMode::LongPollNchan:
        s.stage = SubStage::Main;
        if (s.etagLen > 0 || s.lastModLen > 0)
            len = std::snprintf(out, cap,
                                "GET %s HTTP/1.1\r\nHost: %s\r\nIf-Modified-Since: %.*s\r\nIf-None-Match: %.*s\r\n\r\n",
                                path.c_str(), host, int(s.lastModLen), s.lastMod, int(s.etagLen), s.etag);
        else
            len = std::snprintf(out, cap, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path.c_str(), host);
        break;
    }
    s.status = 0;
    if (m_phase == PhaseSend || m_phase == PhaseDrain)
        ++stats.subRequests;
    if (!writeRequest(s.c, out, size_t(len))) {
        subRetryLater(s);
        return;
    }
    if (s.c.state == ConnState::Open && s.c.pending.empty())
        subRequestWritten(s);
}

// Long polls count as connected once their first real request is out.
void Worker::subRequestWritten(Sub &s)
{
    if (!s.ready && s.stage == SubStage::Main
        && (m_o.subMode == SubMode::LongPollChatApp || m_o.subMode == SubMode::LongPollNchan))
        subBecameReady(s);
}

void Worker::subBecameReady(Sub &s)
{
    s.failures = 0;
    if (s.ready || s.failed)
        return;
    s.ready = true;
    if (s.attempting) {
        s.attempting = false;
        --m_attempting;
    }
    m_sh.subsReady.fetch_add(1, std::memory_order_relaxed);
}

// An attempt failed (connect error, refused request, broken response): close, and try
// again after a pause that grows with repeated failures (100 ms .. 1 s).
void Worker::subRetryLater(Sub &s)
{
    closeConn(s.c);
    if (s.failed || m_phase == PhaseStop)
        return;
    ++s.failures;
    if (s.ready)
        ++stats.reconnectFailures;
    const int64_t backoffMs = std::min<int64_t>(1000, 50LL << std::min<int>(s.failures, 5));
    s.inTimer = true;
    addTimer(monoNs() + backoffMs * 1000000LL, false, indexOf(s), s.c.gen);
}

// The connection ended in an orderly way (a stream that ended, a keep-alive the server
// closed, a chaos close): reconnect now and resume.
void Worker::subReconnect(Sub &s, bool count)
{
    if (s.failed || m_phase == PhaseStop)
        return;
    if (s.ready && count)
        ++stats.reconnects;
    if (m_o.noResume) {
        s.lastEventIdLen = 0;
        s.etagLen = s.lastModLen = 0;
        s.stage = SubStage::Init;
    }
    subOpen(s);
}

void Worker::subGiveUp(Sub &s)
{
    closeConn(s.c);
    s.failed = true;
    if (s.attempting) {
        s.attempting = false;
        --m_attempting;
    }
}

void Worker::subResponseDone(Sub &s, int status, bool close)
{
    s.c.requestInFlight = false;
    if (m_phase == PhaseStop)
        return;
    const bool nchanNothing = m_o.subMode == SubMode::LongPollNchan && (status == 304 || status == 408);
    if (status != 200 && !nchanNothing) {
        subRetryLater(s);
        return;
    }
    if (status == 200 && m_jsonKind) {
        if (s.stage == SubStage::Init) {
            // limit=1 answers the newest message: its id is the room's last id.
            s.cursor = s.respSawId ? s.respMaxId : 0;
            s.stage = SubStage::Main;
            if (m_o.subMode == SubMode::PollChatApp) {
                subBecameReady(s);
                // Pollers start at a random point of the interval, as real clients
                // would, not all in step with each other and with the senders.
                m_rng ^= m_rng << 13;
                m_rng ^= m_rng >> 7;
                m_rng ^= m_rng << 17;
                const int64_t intervalNs = int64_t(m_o.pollIntervalMs) * 1000000LL;
                s.inTimer = true;
                addTimer(m_now + int64_t(m_rng % uint64_t(intervalNs)), false, indexOf(s), s.c.gen);
                return;
            }
        } else if (s.respSawId) {
            s.cursor = std::max(s.cursor, s.respMaxId);
        }
    }
    if (m_sseKind || close) {
        // An event stream that ended is a reconnect; a long poll answered with
        // Connection: close (nginx's keepalive_requests, say) is only a new connection.
        closeConn(s.c);
        if (!m_sseKind)
            ++stats.keepaliveCloses;
        subReconnect(s, m_sseKind);
        return;
    }
    if (m_o.subMode == SubMode::PollChatApp && s.ready) {
        const int64_t next = s.c.reqStartNs + int64_t(m_o.pollIntervalMs) * 1000000LL;
        if (next > m_now) {
            s.inTimer = true;
            addTimer(next, false, indexOf(s), s.c.gen);
            return;
        }
    }
    subSendRequest(s);
}

void Worker::openMoreSubs()
{
    while (m_nextSubToOpen < m_subs.size() && m_attempting < m_connectWindow) {
        Sub &s = m_subs[m_nextSubToOpen++];
        s.attempting = true;
        ++m_attempting;
        subOpen(s);
    }
}

// Scans body bytes for markers, and for SSE "id:" lines or JSON "id": numbers. A
// byte-at-a-time state machine, so that anything split across reads or chunks is found.
void Worker::scanBody(Sub &s, const char *p, size_t n)
{
    static const auto interesting = [] {
        std::array<std::array<bool, 256>, 3> t{};
        for (auto &row : t)
            row[uint8_t('@')] = true;
        t[1][uint8_t('\n')] = true; // SSE
        t[2][uint8_t('"')] = true;  // JSON
        return t;
    }();
    const int kind = m_sseKind ? 1 : m_jsonKind ? 2 : 0;
    const auto &tab = interesting[size_t(kind)];
    // aux, SSE:  0 mid-line, 1 line start, 2 "i", 3 "id", 4 "id:", 5 the value
    //      JSON: 0..4 matched that much of "id":, 5 spaces before the digits, 6 digits
    size_t i = 0;
    while (i < n) {
        if (s.ms == 0 && s.aux == 0) {
            while (i < n && !tab[uint8_t(p[i])])
                ++i;
            if (i == n)
                break;
        }
        const char c = p[i++];
        switch (s.ms) { // @m<sender>.<seq>.<ns>@
        case 0:
            if (c == '@')
                s.ms = 1;
            break;
        case 1:
            if (c == 'm') {
                s.ms = 2;
                s.ma = s.mb = s.mc = 0;
                s.msDigits = 0;
            } else if (c != '@') {
                s.ms = 0;
            }
            break;
        default:
            if (c >= '0' && c <= '9' && s.msDigits < 19) {
                uint64_t &v = s.ms == 2 ? s.ma : s.ms == 3 ? s.mb : s.mc;
                v = v * 10 + uint64_t(c - '0');
                ++s.msDigits;
            } else if (c == '.' && s.ms < 4 && s.msDigits > 0) {
                ++s.ms;
                s.msDigits = 0;
            } else if (c == '@' && s.ms == 4 && s.msDigits > 0) {
                s.ms = 0;
                if (s.ma > UINT32_MAX || s.mb > UINT32_MAX || s.mb == 0)
                    ++stats.malformed;
                else
                    onMarker(s, uint32_t(s.ma), uint32_t(s.mb), int64_t(s.mc));
            } else {
                s.ms = c == '@' ? 1 : 0;
            }
            break;
        }
        if (kind == 1) {
            switch (s.aux) {
            case 0:
                if (c == '\n')
                    s.aux = 1;
                break;
            case 1:
                if (c == '\n') {
                    // A blank line dispatches the event: its id becomes the last event id.
                    if (s.auxLen > 0) {
                        std::memcpy(s.lastEventId, s.idBuf, s.auxLen);
                        s.lastEventIdLen = s.auxLen;
                        s.auxLen = 0;
                    }
                } else {
                    s.aux = c == 'i' ? 2 : 0;
                }
                break;
            case 2:
                s.aux = c == 'd' ? 3 : (c == '\n' ? 1 : 0);
                break;
            case 3:
                if (c == ':') {
                    s.aux = 4;
                    s.auxLen = 0;
                } else {
                    s.aux = c == '\n' ? 1 : 0;
                }
                break;
            case 4:
                s.aux = 5;
                if (c == ' ')
                    break; // one leading space is not part of the value
                [[fallthrough]];
            default:
                if (c == '\n')
                    s.aux = 1;
                else if (c != '\r' && s.auxLen < sizeof(s.idBuf))
                    s.idBuf[s.auxLen++] = c;
                break;
            }
        } else if (kind == 2) {
            static constexpr char pat[] = "\"id\":";
            if (s.aux < 5) {
                if (c == pat[s.aux])
                    ++s.aux;
                else
                    s.aux = c == '"' ? 1 : 0;
            } else if (s.aux == 5) {
                if (c >= '0' && c <= '9') {
                    s.auxNum = uint64_t(c - '0');
                    s.aux = 6;
                } else if (c != ' ') {
                    s.aux = c == '"' ? 1 : 0;
                }
            } else if (c >= '0' && c <= '9') {
                s.auxNum = s.auxNum * 10 + uint64_t(c - '0');
            } else {
                s.respMaxId = std::max(s.respMaxId, s.auxNum);
                s.respSawId = true;
                s.aux = c == '"' ? 1 : 0;
            }
        }
    }
}

void Worker::onMarker(Sub &s, uint32_t sender, uint32_t seq, int64_t ns)
{
    if (s.stage == SubStage::Init)
        return; // the newest message before we started, answered to learn the last id
    if (ns < m_cfg.runStartNs) {
        ++stats.stale; // left in the room by an earlier run
        return;
    }
    if (m_o.injectDrop || m_o.injectDup || m_o.injectReorder) {
        ++s.injectCount;
        if (m_o.injectDrop && s.injectCount % m_o.injectDrop == 0) {
            ++stats.injectedDrops;
            return;
        }
        if (m_o.injectDup && s.injectCount % m_o.injectDup == 0) {
            ++stats.injectedDups;
            account(s, sender, seq, ns);
        }
        if (m_o.injectReorder) {
            if (s.holding && s.held.sender == sender) {
                account(s, sender, seq, ns);
                account(s, s.held.sender, s.held.seq, s.held.ns);
                s.holding = false;
                ++stats.injectedReorders;
                return;
            }
            if (!s.holding && s.injectCount % m_o.injectReorder == 0) {
                s.holding = true;
                s.held = Marker{sender, seq, ns};
                return;
            }
        }
    }
    account(s, sender, seq, ns);
}

void Worker::account(Sub &s, uint32_t sender, uint32_t seq, int64_t ns)
{
    if (sender >= uint32_t(m_o.senders)) {
        ++stats.malformed;
        return;
    }
    if (sender % uint32_t(m_o.rooms) != s.room) {
        ++stats.misrouted; // a message of another room
        return;
    }
    ++stats.deliveries;
    stats.latency.record(m_recvNs - ns);
    stats.lastDeliveryNs = m_recvNs;
    const uint32_t ti = s.trackBase + sender / uint32_t(m_o.rooms);
    Track &t = m_tracks[ti];
    if (seq > t.hi) {
        if (seq > t.hi + 1) {
            m_gaps[ti].emplace_back(t.hi + 1, seq - 1);
            t.hasGaps = 1;
        }
        t.hi = seq;
        return;
    }
    if (t.hasGaps) {
        auto &g = m_gaps[ti];
        for (size_t k = 0; k < g.size(); ++k) {
            auto &[a, b] = g[k];
            if (seq < a || seq > b)
                continue;
            ++stats.reordered; // lower than the highest seen, and not seen before
            if (a == b) {
                g.erase(g.begin() + ptrdiff_t(k));
            } else if (seq == a) {
                ++a;
            } else if (seq == b) {
                --b;
            } else {
                const uint32_t oldB = b;
                b = seq - 1;
                g.insert(g.begin() + ptrdiff_t(k) + 1, {seq + 1, oldB});
            }
            if (g.empty()) {
                t.hasGaps = 0;
                m_gaps.erase(ti);
            }
            return;
        }
    }
    ++stats.duplicated;
}

bool Worker::subIsComplete(const Sub &s) const
{
    const uint32_t R = uint32_t(m_o.rooms);
    const uint32_t n = m_cfg.sendersInRoom[s.room];
    for (uint32_t k = 0; k < n; ++k) {
        const AckLog &a = m_sh.acks[s.room + k * R];
        const Track &t = m_tracks[s.trackBase + k];
        if (a.maxSeq > t.hi && a.inRange(t.hi + 1, a.maxSeq) > 0)
            return false;
        if (t.hasGaps)
            for (const auto &[lo, hi] : m_gaps.at(s.trackBase + k))
                if (a.inRange(lo, hi) > 0)
                    return false;
    }
    return true;
}

void Worker::checkComplete()
{
    if (!m_sh.acksFinal.load(std::memory_order_acquire))
        return;
    if (m_now - m_lastCheckNs < 50 * 1000000LL)
        return;
    m_lastCheckNs = m_now;
    uint32_t incomplete = 0;
    for (Sub &s : m_subs) {
        if (s.complete || !s.ready)
            continue;
        if (subIsComplete(s))
            s.complete = true;
        else
            ++incomplete;
    }
    m_ts.incomplete.store(incomplete, std::memory_order_relaxed);
    m_ts.checks.fetch_add(1, std::memory_order_release);
}

Worker::Loss Worker::computeLoss(const std::vector<AckLog> &acks) const
{
    Loss l;
    const uint32_t R = uint32_t(m_o.rooms);
    for (const Sub &s : m_subs) {
        if (!s.ready)
            continue;
        const uint32_t n = m_cfg.sendersInRoom[s.room];
        for (uint32_t k = 0; k < n; ++k) {
            const AckLog &a = acks[s.room + k * R];
            const Track &t = m_tracks[s.trackBase + k];
            l.expected += a.total;
            uint64_t lost = a.total - a.rank(t.hi);
            uint64_t received = t.hi, receivedAcked = a.rank(t.hi);
            if (t.hasGaps) {
                for (const auto &[lo, hi] : m_gaps.at(s.trackBase + k)) {
                    const uint32_t ackedGap = a.inRange(lo, hi);
                    lost += ackedGap;
                    received -= hi - lo + 1;
                    receivedAcked -= ackedGap;
                }
            }
            l.lost += lost;
            l.receivedUnacked += received - receivedAcked;
        }
    }
    return l;
}

void Worker::chaosClose()
{
    for (size_t tries = 0; tries < m_subs.size(); ++tries) {
        Sub &s = m_subs[m_chaosRr++ % m_subs.size()];
        if (s.ready && !s.failed && s.c.state != ConnState::Closed) {
            ++stats.chaosCloses;
            closeConn(s.c);
            subReconnect(s);
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------
// The event loop

void Worker::enterPhase(int phase)
{
    const int old = m_phase;
    m_phase = phase;
    if (old == PhaseConnect && phase >= PhaseSend) {
        // The connect phase is over: whoever is not connected by now has failed.
        for (Sub &s : m_subs)
            if (!s.ready)
                subGiveUp(s);
        m_nextSubToOpen = m_subs.size();
        if (m_o.chaosCloseMs > 0)
            m_nextChaosNs = m_now + int64_t(m_o.chaosCloseMs) * 1000000LL;
    }
    if (phase == PhaseSend)
        pumpSenders();
    if (old == PhaseSend && phase >= PhaseDrain && m_rateNsPerMsg > 0) {
        const int64_t start = m_sh.sendStartNs.load(std::memory_order_relaxed);
        const int64_t end = m_sh.sendEndNs.load(std::memory_order_relaxed);
        // Sends due more than 1 ms before the end (one due at the very end is a race).
        const int64_t span = std::max<int64_t>(0, end - start - 1000000);
        const uint64_t due = uint64_t(double(span) / m_rateNsPerMsg) + 1;
        stats.pacedBacklog = due > m_paced ? due - m_paced : 0;
    }
    // Only once this is stored may the coordinator trust that no new send will start.
    m_ts.seenPhase.store(phase, std::memory_order_release);
}

void Worker::onTimer(const Timer &t)
{
    const bool pub = t.idx & 0x80000000u;
    const uint32_t idx = t.idx & 0x7fffffffu;
    if (pub) {
        Pub &p = m_pubs[idx];
        if (p.c.gen != t.gen || !p.backoff)
            return;
        p.backoff = false;
        pubMakeIdle(p);
        pumpSenders();
        return;
    }
    Sub &s = m_subs[idx];
    if (s.c.gen != t.gen || s.failed || !s.inTimer)
        return;
    s.inTimer = false;
    if (s.c.state == ConnState::Closed)
        subOpen(s);
    else
        subSendRequest(s); // poll-chatapp: the next poll
}

void Worker::onEvent(uint64_t data, uint32_t events)
{
    const uint32_t gen = uint32_t(data >> 32);
    const bool pub = data & 0x80000000u;
    const uint32_t idx = uint32_t(data & 0x7fffffffu);
    Conn &c = pub ? m_pubs[idx].c : m_subs[idx].c;
    if (c.gen != gen || c.fd < 0)
        return;
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
        onWritable(pub, idx);
        if (c.gen != gen || c.fd < 0)
            return;
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        onReadable(pub, idx);
}

void Worker::onWritable(bool pub, uint32_t idx)
{
    Conn &c = pub ? m_pubs[idx].c : m_subs[idx].c;
    if (c.state == ConnState::Connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            if (pub)
                pubFailed(m_pubs[idx], "connect");
            else
                subRetryLater(m_subs[idx]);
            return;
        }
        c.state = ConnState::Open;
        if (pub) {
            Pub &p = m_pubs[idx];
            pubSettle(p);
            if (p.wantSend) {
                pubWrite(p);
                return;
            }
        }
    }
    if (c.state != ConnState::Open || c.pending.empty())
        return;
    if (!flushPending(c)) {
        if (pub)
            pubFailed(m_pubs[idx], "write");
        else
            subRetryLater(m_subs[idx]);
        return;
    }
    if (!pub && c.pending.empty())
        subRequestWritten(m_subs[idx]);
}

void Worker::onReadable(bool pub, uint32_t idx)
{
    Conn &c = pub ? m_pubs[idx].c : m_subs[idx].c;
    const uint32_t gen = c.gen;
    bool eof = false;
    for (;;) {
        const ssize_t n = read(c.fd, m_buf.data(), m_buf.size());
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR)
                continue;
            break; // a socket error
        }
        if (n == 0) {
            eof = true;
            break;
        }
        m_recvNs = monoNs();
        m_now = m_recvNs;
        const char *data = m_buf.data();
        size_t left = size_t(n);
        while (left > 0) {
            size_t used = 0;
            int status = 0;
            bool close = false;
            Feed f;
            if (pub) {
                Pub &p = m_pubs[idx];
                if (!c.requestInFlight) {
                    pubFailed(p, "unsolicited");
                    return;
                }
                PubSink sink{p};
                f = feedParser(c.resp, data, left, sink, &used, &status, &close);
                if (f == Feed::Bad) {
                    pubFailed(p, "protocol");
                    return;
                }
                if (f == Feed::Done)
                    pubResponseDone(p, status, close);
            } else {
                Sub &s = m_subs[idx];
                SubSink sink{*this, s};
                f = feedParser(c.resp, data, left, sink, &used, &status, &close);
                if (f == Feed::Bad) {
                    ++stats.subErrors;
                    subRetryLater(s);
                    return;
                }
                if (f == Feed::Done)
                    subResponseDone(s, status, close);
            }
            if (c.gen != gen)
                return; // the connection was closed or replaced
            data += used;
            left -= used;
        }
        if (size_t(n) < m_buf.size())
            return; // a short read emptied the socket (edge-triggered: wait for the next edge)
    }
    // EOF or a socket error.
    if (pub) {
        Pub &p = m_pubs[idx];
        if (p.outstanding)
            pubFailed(p, "closed");
        else
            closeConn(c); // an idle keep-alive the server closed: the next send reconnects
        return;
    }
    Sub &s = m_subs[idx];
    if (eof && c.resp.st == RespParser::BodyClose) {
        // The end of a close-delimited body, as a ChatApp event stream ends.
        const int status = s.status;
        closeConn(c);
        subResponseDone(s, status, true);
        return;
    }
    if (eof && !c.requestInFlight && !c.resp.started) {
        closeConn(c); // an idle keep-alive closed between requests
        ++stats.keepaliveCloses;
        subReconnect(s, false);
        return;
    }
    ++stats.subErrors;
    subRetryLater(s);
}

void Worker::run()
{
    m_ep = epoll_create1(EPOLL_CLOEXEC);
    if (m_ep < 0)
        die("epoll_create1: %s", std::strerror(errno));
    m_now = monoNs();
    for (Pub &p : m_pubs) {
        if (!openSocket(p.c, true, indexOf(p)))
            pubFailed(p, "connect");
        else if (p.c.state == ConnState::Open)
            pubSettle(p);
        pubMakeIdle(p);
    }
    std::vector<epoll_event> events(1024);
    for (;;) {
        m_now = monoNs();
        const int phase = m_sh.phase.load(std::memory_order_acquire);
        if (phase != m_phase || m_ts.seenPhase.load(std::memory_order_relaxed) != phase)
            enterPhase(phase);
        if (m_phase == PhaseStop)
            break;
        while (!m_timers.empty() && m_timers.front().when <= m_now) {
            std::pop_heap(m_timers.begin(), m_timers.end(), std::greater<Timer>());
            const Timer t = m_timers.back();
            m_timers.pop_back();
            onTimer(t);
        }
        if (m_phase == PhaseConnect)
            openMoreSubs();
        if (m_phase == PhaseSend) {
            pumpSenders();
            if (m_o.chaosCloseMs > 0 && !m_subs.empty() && m_now >= m_nextChaosNs) {
                chaosClose();
                m_nextChaosNs += int64_t(m_o.chaosCloseMs) * 1000000LL;
            }
        }
        if (m_phase == PhaseDrain)
            checkComplete();

        int64_t wake = m_now + 10 * 1000000LL; // look at the phase at least every 10 ms
        if (!m_timers.empty())
            wake = std::min(wake, m_timers.front().when);
        if (m_phase == PhaseSend && m_rateNsPerMsg > 0 && !m_idlePubs.empty()) {
            const int64_t start = m_sh.sendStartNs.load(std::memory_order_relaxed);
            wake = std::min(wake, start + int64_t(double(m_paced) * m_rateNsPerMsg));
        }
        if (m_phase == PhaseSend && m_o.chaosCloseMs > 0)
            wake = std::min(wake, m_nextChaosNs);
        const int64_t waitNs = wake - m_now;
        const int timeoutMs = waitNs <= 0 ? 0 : int((waitNs + 999999) / 1000000);
        const int n = epoll_wait(m_ep, events.data(), int(events.size()), timeoutMs);
        if (n < 0 && errno != EINTR)
            die("epoll_wait: %s", std::strerror(errno));
        m_now = monoNs();
        for (int k = 0; k < n; ++k)
            onEvent(events[size_t(k)].data.u64, events[size_t(k)].events);
    }
    for (Pub &p : m_pubs)
        if (p.c.fd >= 0)
            close(p.c.fd);
    for (Sub &s : m_subs)
        if (s.c.fd >= 0)
            close(s.c.fd);
    close(m_ep);
}

// ---------------------------------------------------------------------------------------
// The coordinator

volatile std::sig_atomic_t g_interrupted = 0;

void onSignal(int)
{
    g_interrupted = 1;
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

const char *modeName(SubMode m)
{
    switch (m) {
    case SubMode::Sse: return "sse";
    case SubMode::LongPollChatApp: return "longpoll-chatapp";
    case SubMode::LongPollNchan: return "longpoll-nchan";
    case SubMode::PollChatApp: return "poll-chatapp";
    }
    return "?";
}

} // namespace

int main(int argc, char **argv)
{
    Config cfg;
    cfg.o = parseOptions(argc, argv);
    Options &o = cfg.o;
    const int64_t runStart = monoNs();
    cfg.runStartNs = runStart;
    const int64_t hardStop = runStart + int64_t(o.maxSeconds * 1e9);

    if (o.idle)
        o.senders = 0;
    const bool haveSubs = o.subsPerRoom > 0;
    if (o.senders > 0 && o.publishUrl.empty())
        die("--senders needs --publish URL");
    if (haveSubs && o.subscribeUrl.empty())
        die("--subscribers-per-room needs --subscribe URL");
    if (o.senders == 0 && !haveSubs)
        die("nothing to do: give --senders and/or --subscribers-per-room (see --help)");
    if (o.idle && !haveSubs)
        die("--idle needs subscribers");
    if (!o.publishUrl.empty())
        cfg.pubUrl = parseUrl(o.publishUrl, "--publish");
    if (!o.subscribeUrl.empty())
        cfg.subUrl = parseUrl(o.subscribeUrl, "--subscribe");
    if (!o.pubFormatGiven)
        o.pubFormat = o.publishUrl.find("/api/v1/") != std::string::npos ? PubFormat::Form : PubFormat::Raw;
    if (o.pubFormat == PubFormat::Form && o.messageBytes > 4000)
        note("warning: ChatApp refuses text over 4000 characters (--message-bytes %d)", o.messageBytes);
    if (o.senders > 0 && o.senders < o.rooms)
        note("warning: %d senders for %d rooms: rooms %d.. get no messages", o.senders, o.rooms, o.senders);
    if (cfg.subUrl.v6 && o.sourceAddresses > 1)
        note("warning: --source-addresses applies to IPv4 only");

    // Rooms, and the per-room requests
    cfg.totalSubs = uint32_t(o.rooms) * uint32_t(o.subsPerRoom);
    cfg.sendersInRoom.assign(size_t(o.rooms), 0);
    for (int i = 0; i < o.senders; ++i)
        ++cfg.sendersInRoom[size_t(i % o.rooms)];
    std::vector<std::string> roomNames;
    for (int r = 0; r < o.rooms; ++r)
        roomNames.push_back(o.roomPrefix + std::to_string(r));
    const bool formBody = o.pubFormat == PubFormat::Form;
    const std::string bodyPrefix = formBody ? "author=bench&text=" : "";
    cfg.pubBodyPrefixLen = int(bodyPrefix.size());
    cfg.pubHeadPost = "\r\n\r\n" + bodyPrefix;
    for (const std::string &room : roomNames) {
        if (!o.publishUrl.empty())
            cfg.pubHeadPre.push_back("POST " + expandRoom(cfg.pubUrl.pathTemplate, room) + " HTTP/1.1\r\nHost: "
                                     + cfg.pubUrl.hostHeader + "\r\nContent-Type: "
                                     + (formBody ? "application/x-www-form-urlencoded" : "text/plain")
                                     + "\r\nContent-Length: ");
        if (!o.subscribeUrl.empty())
            cfg.subPath.push_back(expandRoom(cfg.subUrl.pathTemplate, room));
    }

    // File descriptors and ports
    const uint64_t conns = uint64_t(cfg.totalSubs) + uint64_t(o.senders);
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    const uint64_t reserve = 32 + uint64_t(o.threads);
    if (conns + reserve > rl.rlim_cur)
        die("%" PRIu64 " connections asked (%u subscribers + %d senders), but this process may open only %" PRIu64
            " files (RLIMIT_NOFILE hard limit; %" PRIu64 " are kept for other uses): at most %" PRIu64
            " connections are possible",
            conns, cfg.totalSubs, o.senders, uint64_t(rl.rlim_cur), reserve,
            uint64_t(rl.rlim_cur) > reserve ? uint64_t(rl.rlim_cur) - reserve : 0);
    {
        unsigned lo = 32768, hi = 60999;
        if (FILE *f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
            if (std::fscanf(f, "%u %u", &lo, &hi) != 2) {
                lo = 32768;
                hi = 60999;
            }
            std::fclose(f);
        }
        const uint64_t ports = uint64_t(hi - lo + 1) * uint64_t(o.sourceAddresses);
        if (conns > ports)
            die("%" PRIu64 " connections asked, but %d source address(es) give only %" PRIu64
                " ephemeral ports: raise --source-addresses",
                conns, o.sourceAddresses, ports);
    }
    if (o.serverPid && !readProc(o.serverPid).ok)
        die("--server-pid %ld: cannot read /proc/%ld", o.serverPid, o.serverPid);

    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);

    // ChatApp rooms must exist before anyone subscribes to them.
    {
        bool create = o.createRooms;
        const std::string marker = "/api/v1/rooms/{room}";
        const Url *u = nullptr;
        std::string tmpl;
        for (const auto &[url, t] : {std::pair{&cfg.subUrl, o.subscribeUrl}, std::pair{&cfg.pubUrl, o.publishUrl}}) {
            if (!u && t.find(marker) != std::string::npos) {
                u = url;
                tmpl = url->pathTemplate.substr(0, url->pathTemplate.find(marker) + marker.size());
            }
        }
        if (create && u) {
            for (const std::string &room : roomNames) {
                const std::string path = expandRoom(tmpl, room);
                const std::string req = "PUT " + path + " HTTP/1.1\r\nHost: " + u->hostHeader
                                      + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                const int status = blockingRequest(*u, req);
                if (status != 200 && status != 201)
                    die("PUT %s answered %d (is the server up?)", path.c_str(), status);
            }
            note("%d room(s) ready", o.rooms);
        }
    }

    const ProcStats serverBefore = readProc(o.serverPid);

    Shared sh;
    sh.perThread = std::make_unique<ThreadShared[]>(size_t(o.threads));
    sh.acks.resize(size_t(o.senders));
    {
        const double perSender = o.rate > 0 && o.senders > 0 ? o.rate * o.duration / o.senders * 1.25 : 65536;
        const size_t words = size_t(std::min(perSender, 1e8) / 64) + 2;
        for (AckLog &a : sh.acks)
            a.bits.reserve(words);
    }
    std::vector<std::unique_ptr<Worker>> workers;
    for (int t = 0; t < o.threads; ++t)
        workers.push_back(std::make_unique<Worker>(cfg, sh, t));
    std::vector<std::thread> threads;
    for (int t = 0; t < o.threads; ++t)
        threads.emplace_back([w = workers[size_t(t)].get()] { w->run(); });

    auto sleepMs = [](int ms) {
        timespec ts{ms / 1000, long(ms % 1000) * 1000000L};
        nanosleep(&ts, nullptr);
    };
    bool aborted = false;
    const char *abortReason = "";
    auto mustStop = [&]() {
        if (g_interrupted) {
            aborted = true;
            abortReason = "interrupted";
            return true;
        }
        if (monoNs() >= hardStop) {
            aborted = true;
            abortReason = "max-seconds reached";
            return true;
        }
        return false;
    };

    // Phase 1: connect everyone
    const int64_t connectDeadline = std::min(hardStop, monoNs() + int64_t(o.connectTimeout * 1e9));
    int64_t lastNote = monoNs();
    for (;;) {
        const uint32_t ready = sh.subsReady.load(std::memory_order_relaxed);
        const uint32_t pubs = sh.pubsSettled.load(std::memory_order_relaxed);
        if (ready >= cfg.totalSubs && pubs >= uint32_t(o.senders))
            break;
        if (mustStop())
            break;
        if (monoNs() >= connectDeadline) {
            note("connect deadline: %u of %u subscribers ready", ready, cfg.totalSubs);
            break;
        }
        if (monoNs() - lastNote > 1000000000LL) {
            lastNote = monoNs();
            note("connecting: %u / %u subscribers ready", ready, cfg.totalSubs);
        }
        sleepMs(5);
    }
    const double connectSeconds = double(monoNs() - runStart) / 1e9;
    if (haveSubs)
        note("%u / %u subscribers ready after %.2f s", sh.subsReady.load(), cfg.totalSubs, connectSeconds);
    if (!aborted && haveSubs && o.senders > 0 && o.settleMs > 0)
        sleepMs(o.settleMs);

    // Phase 2: send (or, with --idle, hold)
    const ProcStats serverStart = readProc(o.serverPid);
    const double cpuStart = selfCpuSeconds();
    const int64_t sendStart = monoNs();
    int64_t sendEnd = sendStart, drainEnd = sendStart;
    ProcStats idleAfter;
    if (!aborted) {
        sh.sendStartNs.store(sendStart, std::memory_order_relaxed);
        sh.phase.store(PhaseSend, std::memory_order_release);
        const int64_t until = std::min(hardStop, sendStart + int64_t(o.duration * 1e9));
        while (monoNs() < until && !mustStop())
            sleepMs(5);
        sendEnd = monoNs();
        if (o.idle)
            idleAfter = readProc(o.serverPid);
    }

    // Phase 3: drain
    drainEnd = sendEnd;
    if (!aborted && !o.idle) {
        sh.sendEndNs.store(sendEnd, std::memory_order_relaxed);
        sh.phase.store(PhaseDrain, std::memory_order_release);
        const int64_t deadline = std::min(hardStop, sendEnd + int64_t(o.drain * 1e9));
        std::vector<uint64_t> checksAtFinal(size_t(o.threads), 0);
        for (;;) {
            if (mustStop() || monoNs() >= deadline)
                break;
            if (!sh.acksFinal.load(std::memory_order_relaxed)) {
                bool allSeen = true;
                for (int t = 0; t < o.threads; ++t)
                    allSeen = allSeen && sh.perThread[size_t(t)].seenPhase.load(std::memory_order_acquire) >= PhaseDrain;
                if (allSeen && sh.inFlight.load(std::memory_order_acquire) == 0) {
                    for (AckLog &a : sh.acks)
                        a.buildPrefix();
                    for (int t = 0; t < o.threads; ++t)
                        checksAtFinal[size_t(t)] = sh.perThread[size_t(t)].checks.load(std::memory_order_acquire);
                    sh.acksFinal.store(true, std::memory_order_release);
                }
            } else {
                bool done = true;
                for (int t = 0; t < o.threads && done; ++t) {
                    const ThreadShared &ts = sh.perThread[size_t(t)];
                    done = ts.checks.load(std::memory_order_acquire) > checksAtFinal[size_t(t)]
                        && ts.incomplete.load(std::memory_order_relaxed) == 0;
                }
                if (done)
                    break;
            }
            sleepMs(2);
        }
        drainEnd = monoNs();
    }
    const ProcStats serverEnd = readProc(o.serverPid);
    const double cpuEnd = selfCpuSeconds();
    sh.phase.store(PhaseStop, std::memory_order_release);
    for (std::thread &t : threads)
        t.join();
    const int64_t runEnd = monoNs();

    // Results
    for (AckLog &a : sh.acks)
        a.buildPrefix();
    Stats total;
    Worker::Loss loss;
    uint32_t ready = 0;
    for (auto &w : workers) {
        const Stats &s = w->stats;
        total.sendsAttempted += s.sendsAttempted;
        total.sendsAcked += s.sendsAcked;
        for (const auto &[k, v] : s.sendErrors)
            total.sendErrors[k] += v;
        total.pubConnectErrors += s.pubConnectErrors;
        total.deliveries += s.deliveries;
        total.duplicated += s.duplicated;
        total.reordered += s.reordered;
        total.stale += s.stale;
        total.misrouted += s.misrouted;
        total.malformed += s.malformed;
        total.reconnects += s.reconnects;
        total.keepaliveCloses += s.keepaliveCloses;
        total.reconnectFailures += s.reconnectFailures;
        total.subErrors += s.subErrors;
        total.chaosCloses += s.chaosCloses;
        total.injectedDrops += s.injectedDrops;
        total.injectedDups += s.injectedDups;
        total.injectedReorders += s.injectedReorders;
        total.pacedBacklog += s.pacedBacklog;
        total.subRequests += s.subRequests;
        total.lastDeliveryNs = std::max(total.lastDeliveryNs, s.lastDeliveryNs);
        total.latency.merge(s.latency);
        total.publishLatency.merge(s.publishLatency);
        const Worker::Loss l = w->computeLoss(sh.acks);
        loss.lost += l.lost;
        loss.expected += l.expected;
        loss.receivedUnacked += l.receivedUnacked;
        ready += w->readyCount();
    }
    const double sendSeconds = double(sendEnd - sendStart) / 1e9;
    const double deliverySeconds = total.lastDeliveryNs > sendStart ? double(total.lastDeliveryNs - sendStart) / 1e9 : 0;
    const double sendRate = sendSeconds > 0 ? double(total.sendsAcked) / sendSeconds : 0;
    const double deliveryRate = deliverySeconds > 0 ? double(total.deliveries) / deliverySeconds : 0;
    const double benchCpu = cpuEnd - cpuStart;
    const double elapsed = double(runEnd - runStart) / 1e9;
    auto us = [](int64_t ns) { return double(ns) / 1000.0; };

    std::string j = "{";
    char b[512];
    auto add = [&](const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        std::vsnprintf(b, sizeof b, fmt, ap);
        va_end(ap);
        if (j.size() > 1)
            j += ",";
        j += b;
    };
    add("\"mode\":\"%s\"", modeName(o.subMode));
    add("\"publish_format\":\"%s\"", formBody ? "form" : "raw");
    add("\"publish\":\"%s\"", jsonEscape(o.publishUrl).c_str());
    add("\"subscribe\":\"%s\"", jsonEscape(o.subscribeUrl).c_str());
    add("\"rooms\":%d,\"senders\":%d,\"subscribers\":%u,\"threads\":%d", o.rooms, o.senders, cfg.totalSubs, o.threads);
    add("\"rate_offered\":%.3f,\"message_bytes\":%d,\"idle_mode\":%s", o.rate, o.messageBytes, o.idle ? "true" : "false");
    add("\"sends_attempted\":%" PRIu64 ",\"sends_acked\":%" PRIu64, total.sendsAttempted, total.sendsAcked);
    {
        std::string e = "{";
        for (const auto &[k, v] : total.sendErrors) {
            if (e.size() > 1)
                e += ",";
            e += "\"" + jsonEscape(k) + "\":" + std::to_string(v);
        }
        e += "}";
        add("\"send_errors\":%s", e.c_str());
    }
    add("\"publisher_connect_errors\":%" PRIu64, total.pubConnectErrors);
    add("\"send_rate\":%.3f,\"paced_backlog\":%" PRIu64, sendRate, total.pacedBacklog);
    add("\"publish_latency_us\":{\"p50\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f}",
        us(total.publishLatency.percentile(50)), us(total.publishLatency.percentile(99)),
        us(total.publishLatency.percentile(99.9)), us(total.publishLatency.maxValue));
    add("\"deliveries\":%" PRIu64 ",\"expected_deliveries\":%" PRIu64 ",\"delivery_rate\":%.3f", total.deliveries,
        loss.expected, deliveryRate);
    add("\"latency_us\":{\"p50\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f}", us(total.latency.percentile(50)),
        us(total.latency.percentile(99)), us(total.latency.percentile(99.9)), us(total.latency.maxValue));
    add("\"lost\":%" PRIu64 ",\"duplicated\":%" PRIu64 ",\"reordered\":%" PRIu64, loss.lost, total.duplicated,
        total.reordered);
    add("\"delivered_unacked\":%" PRIu64 ",\"stale\":%" PRIu64 ",\"misrouted\":%" PRIu64 ",\"malformed\":%" PRIu64,
        loss.receivedUnacked, total.stale, total.misrouted, total.malformed);
    add("\"subscriber_requests\":%" PRIu64 ",\"requests_rate\":%.3f", total.subRequests,
        drainEnd > sendStart ? double(total.subRequests) / (double(drainEnd - sendStart) / 1e9) : 0.0);
    add("\"subscribers_connected\":%u,\"subscribers_failed\":%u,\"connect_s\":%.3f", ready, cfg.totalSubs - ready,
        connectSeconds);
    add("\"reconnects\":%" PRIu64 ",\"reconnect_failures\":%" PRIu64 ",\"keepalive_closes\":%" PRIu64
        ",\"subscriber_errors\":%" PRIu64,
        total.reconnects, total.reconnectFailures, total.keepaliveCloses, total.subErrors);
    if (o.injectDrop || o.injectDup || o.injectReorder || o.chaosCloseMs)
        add("\"injected\":{\"drops\":%" PRIu64 ",\"dups\":%" PRIu64 ",\"reorders\":%" PRIu64 ",\"chaos_closes\":%" PRIu64
            ",\"no_resume\":%s}",
            total.injectedDrops, total.injectedDups, total.injectedReorders, total.chaosCloses,
            o.noResume ? "true" : "false");
    if (serverStart.ok && serverEnd.ok) {
        add("\"server_cpu_s\":%.3f,\"server_rss_kb\":%ld,\"server_hwm_kb\":%ld",
            serverEnd.cpuSeconds - serverStart.cpuSeconds, serverEnd.rssKb, serverEnd.hwmKb);
    } else {
        add("\"server_cpu_s\":null,\"server_rss_kb\":null,\"server_hwm_kb\":null");
    }
    add("\"bench_cpu_s\":%.3f,\"bench_cpu_total_s\":%.3f", benchCpu, selfCpuSeconds());
    add("\"bench_cpu_us_per_delivery\":%.3f", total.deliveries ? benchCpu * 1e6 / double(total.deliveries) : 0.0);
    add("\"send_s\":%.3f,\"drain_s\":%.3f,\"elapsed_s\":%.3f", sendSeconds, double(drainEnd - sendEnd) / 1e9, elapsed);
    if (o.idle) {
        if (serverBefore.ok && idleAfter.ok)
            add("\"idle\":{\"server_rss_kb_before\":%ld,\"server_rss_kb_after\":%ld,\"bytes_per_subscriber\":%.1f}",
                serverBefore.rssKb, idleAfter.rssKb,
                ready ? double(idleAfter.rssKb - serverBefore.rssKb) * 1024.0 / double(ready) : 0.0);
        else
            add("\"idle\":{\"server_rss_kb_before\":null,\"server_rss_kb_after\":null,\"bytes_per_subscriber\":null}");
    }
    add("\"aborted\":%s", aborted ? "true" : "false");
    if (aborted)
        add("\"abort_reason\":\"%s\"", abortReason);
    j += "}";

    if (o.json) {
        std::printf("%s\n", j.c_str());
    } else {
        std::printf("chatapp-bench: %s, %d room(s), %d sender(s), %u subscriber(s), %d thread(s)%s\n",
                    modeName(o.subMode), o.rooms, o.senders, cfg.totalSubs, o.threads, aborted ? "  [ABORTED]" : "");
        if (aborted)
            std::printf("  aborted: %s\n", abortReason);
        std::printf("  subscribers  %u connected, %u failed (%.2f s to connect), %" PRIu64 " reconnects, %" PRIu64
                    " keep-alive closes, %" PRIu64 " errors\n",
                    ready, cfg.totalSubs - ready, connectSeconds, total.reconnects, total.keepaliveCloses,
                    total.subErrors);
        if (!o.idle) {
            std::printf("  sends        %" PRIu64 " attempted, %" PRIu64 " acked in %.2f s = %.1f msg/s",
                        total.sendsAttempted, total.sendsAcked, sendSeconds, sendRate);
            if (o.rate > 0)
                std::printf(" (offered %.1f; %" PRIu64 " due but never sent)", o.rate, total.pacedBacklog);
            std::printf("\n");
            for (const auto &[k, v] : total.sendErrors)
                std::printf("  send errors  %s: %" PRIu64 "\n", k.c_str(), v);
            std::printf("  ack latency  p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us\n",
                        us(total.publishLatency.percentile(50)), us(total.publishLatency.percentile(99)),
                        us(total.publishLatency.percentile(99.9)), us(total.publishLatency.maxValue));
            std::printf("  deliveries   %" PRIu64 " of %" PRIu64 " expected = %.1f /s\n", total.deliveries, loss.expected,
                        deliveryRate);
            std::printf("  latency      p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us\n",
                        us(total.latency.percentile(50)), us(total.latency.percentile(99)),
                        us(total.latency.percentile(99.9)), us(total.latency.maxValue));
            std::printf("  integrity    lost %" PRIu64 ", duplicated %" PRIu64 ", reordered %" PRIu64
                        " (delivered unacked %" PRIu64 ", stale %" PRIu64 ", misrouted %" PRIu64 ")\n",
                        loss.lost, total.duplicated, total.reordered, loss.receivedUnacked, total.stale, total.misrouted);
            if (o.injectDrop || o.injectDup || o.injectReorder || o.chaosCloseMs)
                std::printf("  injected     drops %" PRIu64 ", dups %" PRIu64 ", reorders %" PRIu64
                            ", chaos closes %" PRIu64 "%s\n",
                            total.injectedDrops, total.injectedDups, total.injectedReorders, total.chaosCloses,
                            o.noResume ? " (no resume)" : "");
        }
        if (serverStart.ok && serverEnd.ok)
            std::printf("  server       %.2f CPU s, RSS %ld kB, HWM %ld kB\n", serverEnd.cpuSeconds - serverStart.cpuSeconds,
                        serverEnd.rssKb, serverEnd.hwmKb);
        if (o.idle && serverBefore.ok && idleAfter.ok)
            std::printf("  idle         RSS %ld kB before, %ld kB after: %.0f bytes per subscriber\n",
                        serverBefore.rssKb, idleAfter.rssKb,
                        ready ? double(idleAfter.rssKb - serverBefore.rssKb) * 1024.0 / double(ready) : 0.0);
        std::printf("  bench        %.2f CPU s measured (%.2f us per delivery), %.2f s elapsed\n", benchCpu,
                    total.deliveries ? benchCpu * 1e6 / double(total.deliveries) : 0.0, elapsed);
    }
    std::fflush(stdout);
    return aborted ? 1 : 0; // 2: a usage or set-up error (see die())
}
