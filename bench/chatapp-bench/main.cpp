// chatapp-bench: a load generator for ChatApp (and, with the same binary, nginx+nchan).
//
// Plain C++20 on Linux: one epoll loop per thread, non-blocking keep-alive sockets, a
// streaming HTTP/1.1 response parser (Content-Length, chunked, or until close) and a
// streaming marker scanner, so that nothing is buffered per message and the hot path
// allocates nothing. See bench/README.md for what it measures and how.
//
// This file is the coordinator: it checks the options, sets up the rooms, starts one
// Worker per thread and moves them through the phases (connect, send, drain), then
// hands the figures to report.cpp. The rest:
//   options.*        the command line
//   url.*            loopback URLs and the blocking set-up requests
//   http_response.h  the streaming response parser
//   worker.*         the event loop and its sockets (worker.h: the shared state)
//   publisher.cpp    senders          subscriber.cpp  subscribers, per mode
//   markers.cpp      the marker scanner and the loss / duplicate / order accounting
//   report.*         totals, per group and per subscriber; text and JSON
//   histogram.h, util.*

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "report.h"
#include "url.h"
#include "util.h"
#include "worker.h"

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void onSignal(int)
{
    g_interrupted = 1;
}

} // namespace

int main(int argc, char **argv)
{
    using namespace bench;
    Config cfg;
    cfg.o = parseOptions(argc, argv);
    Options &o = cfg.o;
    const int64_t runStart = monoNs();
    cfg.runStartNs = runStart;
    const int64_t hardStop = runStart + int64_t(o.maxSeconds * 1e9);

    if (o.idle)
        o.senders = 0;
    const bool haveSubs = o.subsPerRoom > 0 || o.alsoSubsPerRoom > 0;
    if (o.senders > 0 && o.publishUrl.empty())
        die("--senders needs --publish URL");
    if (o.subsPerRoom > 0 && o.subscribeUrl.empty())
        die("--subscribers-per-room needs --subscribe URL");
    if (o.alsoSubsPerRoom > 0 && o.alsoSubscribeUrl.empty())
        die("--also-subscribers-per-room needs --also-subscribe URL");
    if (o.senders == 0 && !haveSubs)
        die("nothing to do: give --senders and/or --subscribers-per-room (see --help)");
    if (o.idle && !haveSubs)
        die("--idle needs subscribers");
    if (!o.publishUrl.empty())
        cfg.pubUrl = parseUrl(o.publishUrl, "--publish");
    cfg.groups.resize(o.alsoSubscribeUrl.empty() ? 1 : 2);
    for (size_t g = 0; g < cfg.groups.size(); ++g) {
        SubGroup &group = cfg.groups[g];
        const std::string &url = g == 0 ? o.subscribeUrl : o.alsoSubscribeUrl;
        group.mode = g == 0 ? o.subMode : o.alsoSubMode;
        group.perRoom = uint32_t(g == 0 ? o.subsPerRoom : o.alsoSubsPerRoom);
        group.sseKind = group.mode == SubMode::Sse;
        group.jsonKind = group.mode == SubMode::LongPollChatApp || group.mode == SubMode::PollChatApp;
        if (!url.empty())
            group.url = parseUrl(url, g == 0 ? "--subscribe" : "--also-subscribe");
    }
    if (!o.pubFormatGiven)
        o.pubFormat = o.publishUrl.find("/api/v1/") != std::string::npos ? PubFormat::Form : PubFormat::Raw;
    if (o.pubFormat == PubFormat::Form && o.messageBytes > 4000)
        note("warning: ChatApp refuses text over 4000 characters (--message-bytes %d)", o.messageBytes);
    if (o.senders > 0 && o.senders < o.rooms)
        note("warning: %d senders for %d rooms: rooms %d.. get no messages", o.senders, o.rooms, o.senders);
    if (cfg.groups[0].url.v6 && o.sourceAddresses > 1)
        note("warning: --source-addresses applies to IPv4 only");

    // Rooms, and the per-room requests
    cfg.totalSubs = uint32_t(o.rooms) * (cfg.groups[0].perRoom + (cfg.groups.size() > 1 ? cfg.groups[1].perRoom : 0));
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
        for (SubGroup &g : cfg.groups)
            g.paths.push_back(expandRoom(g.url.pathTemplate, room));
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
        std::vector<std::pair<const Url *, std::string>> candidates{{&cfg.groups[0].url, o.subscribeUrl}};
        if (cfg.groups.size() > 1)
            candidates.emplace_back(&cfg.groups[1].url, o.alsoSubscribeUrl);
        candidates.emplace_back(&cfg.pubUrl, o.publishUrl);
        for (const auto &[url, t] : candidates) {
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
    if (!o.readyFile.empty() && !aborted) {
        // Rename, so that whoever polls for the file never reads it half-written.
        const std::string tmp = o.readyFile + ".tmp";
        FILE *f = std::fopen(tmp.c_str(), "w");
        if (!f || std::fprintf(f, "%u\n", sh.subsReady.load()) < 0 || std::fclose(f) != 0
            || std::rename(tmp.c_str(), o.readyFile.c_str()) != 0)
            die("--ready-file %s: %s", o.readyFile.c_str(), std::strerror(errno));
    }
    if (!o.goFile.empty()) {
        while (!aborted && access(o.goFile.c_str(), F_OK) != 0 && !mustStop())
            sleepMs(1);
    }
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
        while (monoNs() < until && !mustStop()) {
            if (o.fanoutOnce && sh.onceDone.load(std::memory_order_relaxed) >= uint32_t(o.senders)) {
                uint32_t reached = 0;
                for (int t = 0; t < o.threads; ++t)
                    reached += sh.perThread[size_t(t)].onceReached.load(std::memory_order_relaxed);
                if (reached >= sh.subsReady.load(std::memory_order_relaxed))
                    break;
            }
            sleepMs(5);
        }
        sendEnd = monoNs();
        if (o.idle)
            idleAfter = readProc(o.serverPid);
    }

    // Phase 3: drain
    drainEnd = sendEnd;
    if (!aborted && !o.idle && !o.fanoutOnce) {
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

    RunInfo run;
    run.aborted = aborted;
    run.abortReason = abortReason;
    run.connectSeconds = connectSeconds;
    run.runStart = runStart;
    run.sendStart = sendStart;
    run.sendEnd = sendEnd;
    run.drainEnd = drainEnd;
    run.runEnd = runEnd;
    run.serverBefore = serverBefore;
    run.serverStart = serverStart;
    run.serverEnd = serverEnd;
    run.idleAfter = idleAfter;
    run.benchCpu = cpuEnd - cpuStart;
    for (AckLog &a : sh.acks)
        a.buildPrefix();
    printResults(cfg, workers, sh.acks, run);
    return aborted ? 1 : 0; // 2: a usage or set-up error (see die())
}
