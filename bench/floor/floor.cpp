// chatapp-floor: what the kernel alone costs to hand one small message to N idle TCP
// readers over loopback, measured beside ChatApp's "one message to many subscribers".
// No HTTP, no event loop, no allocation on the way: the writer is one write() per
// connection in a tight loop, the reader one epoll loop. No server can be faster than
// this on the same machine with one writing thread, so it shows which part of
// ChatApp's time is the kernel's and which is ours.
//
//   chatapp-floor SUBSCRIBERS [WRITER_CPU READER_CPU]
//
// Prints one JSON line: {"subscribers", "reached", "write_loop_s", "last_s"}, times from
// just before the first write. Loopback only; ends within a minute by itself.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <new>
#include <vector>

namespace {

constexpr int sourceAddresses = 8; // 127.0.0.2 .. 127.0.0.9, as chatapp-bench spreads them
constexpr int messageBytes = 250;  // about one SSE frame of a short chat message
constexpr int readerTimeoutMs = 30 * 1000;

struct Shared
{
    std::atomic<int> readerReady{0};
    std::atomic<int> reached{0};
    double lastReadS = 0;
};

double monotonicSeconds()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

void pinTo(int cpu)
{
    if (cpu < 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

void raiseFileLimit()
{
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
}

[[noreturn]] void fail(const char *what)
{
    perror(what);
    _exit(2);
}

// The reader: connects every subscriber, says so, then reads until each has had its
// message or the time is up.
[[noreturn]] void runReader(const sockaddr_in &server, int subscribers, int cpu, Shared &shared)
{
    pinTo(cpu);
    std::vector<int> sockets;
    sockets.reserve(subscribers);
    for (int i = 0; i < subscribers; ++i) {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
            fail("socket");
        sockaddr_in source{};
        source.sin_family = AF_INET;
        source.sin_addr.s_addr = htonl(0x7f000002 + i % sourceAddresses);
        if (bind(fd, reinterpret_cast<const sockaddr *>(&source), sizeof source) < 0)
            fail("bind");
        if (connect(fd, reinterpret_cast<const sockaddr *>(&server), sizeof server) < 0)
            fail("connect");
        sockets.push_back(fd);
    }
    const int poller = epoll_create1(0);
    for (const int fd : sockets) {
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.fd = fd;
        epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event);
    }
    shared.readerReady = 1;
    char buffer[4096];
    epoll_event ready[256];
    int reached = 0;
    const double deadline = monotonicSeconds() + readerTimeoutMs / 1000.0;
    while (reached < subscribers && monotonicSeconds() < deadline) {
        const int count = epoll_wait(poller, ready, 256, 1000);
        for (int k = 0; k < count; ++k) {
            if (read(ready[k].data.fd, buffer, sizeof buffer) > 0) {
                ++reached;
                epoll_ctl(poller, EPOLL_CTL_DEL, ready[k].data.fd, nullptr);
            }
        }
    }
    shared.lastReadS = monotonicSeconds();
    shared.reached = reached;
    _exit(0);
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 4) {
        std::fprintf(stderr, "usage: chatapp-floor SUBSCRIBERS [WRITER_CPU READER_CPU]\n");
        return 2;
    }
    const int subscribers = std::atoi(argv[1]);
    const int writerCpu = argc == 4 ? std::atoi(argv[2]) : -1;
    const int readerCpu = argc == 4 ? std::atoi(argv[3]) : -1;
    if (subscribers <= 0)
        return 2;
    raiseFileLimit();

    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(listener, reinterpret_cast<const sockaddr *>(&address), sizeof address) < 0
        || listen(listener, 4096) < 0
        || getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) < 0)
        fail("listen");

    // Shared with the reader process: each process may hold only so many files.
    void *memory = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED)
        fail("mmap");
    auto *shared = new (memory) Shared;
    const pid_t reader = fork();
    if (reader < 0)
        fail("fork");
    if (reader == 0) {
        close(listener);
        runReader(address, subscribers, readerCpu, *shared);
    }

    pinTo(writerCpu);
    std::vector<int> connections;
    connections.reserve(subscribers);
    while (int(connections.size()) < subscribers) {
        const int fd = accept(listener, nullptr, nullptr);
        if (fd < 0)
            fail("accept");
        connections.push_back(fd);
    }
    while (!shared->readerReady)
        usleep(1000);
    usleep(200 * 1000); // let the reader settle into epoll_wait, as idle subscribers are

    char message[messageBytes];
    for (char &c : message)
        c = 'x';
    const double start = monotonicSeconds();
    for (const int fd : connections) {
        if (write(fd, message, sizeof message) != ssize_t(sizeof message))
            fail("write");
    }
    const double written = monotonicSeconds();
    int status = 0;
    waitpid(reader, &status, 0);
    std::printf("{\"subscribers\": %d, \"reached\": %d, \"write_loop_s\": %.6f, \"last_s\": %.6f}\n",
                subscribers, shared->reached.load(), written - start, shared->lastReadS - start);
    return shared->reached == subscribers ? 0 : 1;
}
