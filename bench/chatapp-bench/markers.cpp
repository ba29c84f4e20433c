// The marker scanner, and what each marker says about loss, duplicates and order.

#include <algorithm>
#include <array>

#include "worker.h"

namespace bench {

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
    const SubGroup &g = groupOf(s);
    const int kind = g.sseKind ? 1 : g.jsonKind ? 2 : 0;
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
    if (m_o.fanoutOnce) {
        onceMarker(s, ns);
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

// --fanout-once: the sender may be another process, so there is no ack log to check
// against; what counts is when each subscriber got its first message.
void Worker::onceMarker(Sub &s, int64_t ns)
{
    ++stats.deliveries;
    ++s.delivered;
    stats.lastDeliveryNs = m_recvNs;
    if (s.onceNs != 0)
        return;
    s.onceNs = m_recvNs;
    stats.latency[s.group].record(m_recvNs - ns);
    if (stats.onceSentNs == 0 || ns < stats.onceSentNs)
        stats.onceSentNs = ns;
    if (stats.onceFirstNs == 0)
        stats.onceFirstNs = m_recvNs;
    stats.onceLastNs = m_recvNs;
    m_ts.onceReached.fetch_add(1, std::memory_order_relaxed);
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
    ++s.delivered;
    stats.latency[s.group].record(m_recvNs - ns);
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
            ++s.reordered;
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
    ++s.duplicated;
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

std::vector<SubResult> Worker::subResults(const std::vector<AckLog> &acks) const
{
    std::vector<SubResult> out;
    out.reserve(m_subs.size());
    const uint32_t R = uint32_t(m_o.rooms);
    for (const Sub &s : m_subs) {
        SubResult r;
        r.global = s.global;
        r.room = s.room;
        r.group = s.group;
        r.ready = s.ready;
        r.delivered = s.delivered;
        r.duplicated = s.duplicated;
        r.reordered = s.reordered;
        r.resumes = s.resumes;
        r.onceNs = s.onceNs;
        if (s.ready && !m_o.fanoutOnce) {
            const uint32_t n = m_cfg.sendersInRoom[s.room];
            for (uint32_t k = 0; k < n; ++k) {
                const AckLog &a = acks[s.room + k * R];
                const Track &t = m_tracks[s.trackBase + k];
                r.expected += a.total;
                r.lostBehind += a.total - a.rank(t.hi);
                uint64_t received = t.hi, receivedAcked = a.rank(t.hi);
                if (t.hasGaps) {
                    for (const auto &[lo, hi] : m_gaps.at(s.trackBase + k)) {
                        const uint32_t ackedGap = a.inRange(lo, hi);
                        r.lostSkipped += ackedGap;
                        received -= hi - lo + 1;
                        receivedAcked -= ackedGap;
                    }
                }
                r.receivedUnacked += received - receivedAcked;
            }
        }
        out.push_back(r);
    }
    return out;
}

} // namespace bench
