// One event loop (one thread) of chatapp-bench: its share of the senders and of the
// subscribers, their sockets, and what they saw. The coordinator (main.cpp) drives the
// phases through Shared; the results are read after the threads are joined.
#pragma once

#include <atomic>
#include <climits>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "histogram.h"
#include "http_response.h"
#include "options.h"
#include "url.h"

namespace bench {

// ---------------------------------------------------------------------------------------
// Shared state between the coordinator and the worker threads

enum Phase : int { PhaseConnect = 0, PhaseSend = 1, PhaseDrain = 2, PhaseStop = 3 };

struct alignas(64) ThreadShared {
    std::atomic<int> seenPhase{-1};
    std::atomic<uint32_t> incomplete{UINT32_MAX};
    std::atomic<uint64_t> checks{0};
    std::atomic<uint32_t> onceReached{0}; // --fanout-once: subscribers that have the message
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
    std::atomic<uint32_t> onceDone{0}; // --fanout-once: senders whose one send is answered or failed
    std::atomic<bool> acksFinal{false};
    std::unique_ptr<ThreadShared[]> perThread;
    std::vector<AckLog> acks; // per sender
};

// ---------------------------------------------------------------------------------------
// Configuration shared read-only by all threads

// Subscribers of one kind: --subscribe (group 0) and --also-subscribe (group 1).
struct SubGroup {
    SubMode mode = SubMode::Sse;
    Url url;
    std::vector<std::string> paths; // per room
    uint32_t perRoom = 0;
    bool sseKind = false, jsonKind = false;
};
constexpr int maxGroups = 2;

struct Config {
    Options o;
    Url pubUrl;
    std::vector<std::string> pubHeadPre;  // per room: request line + headers up to Content-Length:
    std::string pubHeadPost;              // "\r\n\r\n" + the body before the text
    int pubBodyPrefixLen = 0;
    std::vector<SubGroup> groups;
    uint32_t totalSubs = 0;
    int64_t runStartNs = 0;
    std::vector<uint32_t> sendersInRoom;  // per room

    // Subscriber j: group 0 takes the first rooms × perRoom indices, group 1 the rest;
    // within a group, the room is the index modulo the rooms.
    uint8_t groupOf(uint32_t j) const { return j < groups[0].perRoom * uint32_t(o.rooms) ? 0 : 1; }
    uint32_t roomOf(uint32_t j) const
    {
        const uint32_t first = groupOf(j) == 0 ? 0 : groups[0].perRoom * uint32_t(o.rooms);
        return (j - first) % uint32_t(o.rooms);
    }
};

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
    uint8_t group = 0;
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
    // What this one subscriber saw, for the per-subscriber report
    uint64_t delivered = 0;
    uint32_t duplicated = 0, reordered = 0;
    uint32_t resumes = 0;  // new connections after it was ready, continuing from its cursor
    int64_t onceNs = 0;    // --fanout-once: when its first marker arrived
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
    Histogram publishLatency;
    Histogram latency[maxGroups]; // per subscriber group
    // --fanout-once, CLOCK_MONOTONIC ns (0: none)
    int64_t onceSentNs = 0, onceAckedNs = 0, onceFirstNs = 0, onceLastNs = 0;
};

// What one subscriber saw, computed after the run.
struct SubResult {
    uint32_t global = 0, room = 0;
    uint8_t group = 0;
    bool ready = false;
    uint64_t delivered = 0, expected = 0;
    uint64_t lostSkipped = 0; // acked, below the highest seq seen from that sender, never got
    uint64_t lostBehind = 0;  // acked, above it: the subscriber never got that far
    uint64_t receivedUnacked = 0;
    uint32_t duplicated = 0, reordered = 0, resumes = 0;
    int64_t onceNs = 0;
};

class Worker {
public:
    Worker(const Config &cfg, Shared &sh, int tid);
    void run();

    std::vector<SubResult> subResults(const std::vector<AckLog> &acks) const; // after join
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
    const SubGroup &groupOf(const Sub &s) const { return m_cfg.groups[s.group]; }

    void enterPhase(int phase);
    bool openSocket(Conn &c, const Url &u, bool pub, uint32_t idx);
    void closeConn(Conn &c);
    bool writeRequest(Conn &c, const char *data, size_t len);
    bool flushPending(Conn &c);
    void addTimer(int64_t when, bool pub, uint32_t idx, uint32_t gen);
    void onEvent(uint64_t data, uint32_t events);
    void onWritable(bool pub, uint32_t idx);
    void onReadable(bool pub, uint32_t idx);
    void onTimer(const Timer &t);

    // publishers (publisher.cpp)
    void pubSettle(Pub &p);
    void pubMakeIdle(Pub &p);
    void pubStartSend(Pub &p);
    void pubWrite(Pub &p);
    void pubFailed(Pub &p, const char *why);
    void pubResponseDone(Pub &p, int status, bool close);
    void onceSendDone();
    void pumpSenders();
    // subscribers (subscriber.cpp)
    void subOpen(Sub &s);
    void subSendRequest(Sub &s);
    void subRequestWritten(Sub &s);
    void subBecameReady(Sub &s);
    void subRetryLater(Sub &s);
    void subReconnect(Sub &s, bool count = true);
    void subResponseDone(Sub &s, int status, bool close);
    void subGiveUp(Sub &s);
    void openMoreSubs();
    void chaosClose();
    // markers and their accounting (markers.cpp)
    void scanBody(Sub &s, const char *p, size_t n);
    void onMarker(Sub &s, uint32_t sender, uint32_t seq, int64_t ns);
    void onceMarker(Sub &s, int64_t ns);
    void account(Sub &s, uint32_t sender, uint32_t seq, int64_t ns);
    bool subIsComplete(const Sub &s) const;
    void checkComplete();

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
};

} // namespace bench
