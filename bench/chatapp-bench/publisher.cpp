#include <algorithm>
#include <cinttypes>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "worker.h"

namespace bench {

// Publishers: one request in flight each, paced (--rate) or in a closed loop.

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
        if (!openSocket(p.c, m_cfg.pubUrl, true, indexOf(p))) {
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
    if (m_o.fanoutOnce && stats.onceSentNs == 0)
        stats.onceSentNs = now;
    if (!writeRequest(p.c, out, len))
        pubFailed(p, "write");
}

void Worker::pubFailed(Pub &p, const char *why)
{
    if (p.outstanding) {
        ++stats.sendErrors[why];
        p.outstanding = false;
        m_sh.inFlight.fetch_sub(1, std::memory_order_release);
        onceSendDone();
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
            if (m_o.fanoutOnce)
                stats.onceAckedNs = std::max(stats.onceAckedNs, m_now);
        } else {
            ++stats.sendErrors[std::to_string(status)];
        }
        // Release: the ack bit above is visible to whoever sees inFlight reach 0.
        m_sh.inFlight.fetch_sub(1, std::memory_order_release);
        onceSendDone();
    }
    if (close)
        closeConn(p.c); // the next send reconnects
    pubMakeIdle(p);
    if (m_rateNsPerMsg == 0)
        pumpSenders();
}

// --fanout-once: the coordinator ends the run once every sender's one message is
// answered (or failed) and every subscriber has it.
void Worker::onceSendDone()
{
    if (m_o.fanoutOnce)
        m_sh.onceDone.fetch_add(1, std::memory_order_relaxed);
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
            if (m_o.fanoutOnce && p.seq > 0)
                continue; // its one message is out: it stays out of the idle list for good
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

} // namespace bench
