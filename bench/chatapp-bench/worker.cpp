#include "worker.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

namespace bench {

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
        s.group = cfg.groupOf(j);
        s.room = cfg.roomOf(j);
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
}

// ---------------------------------------------------------------------------------------
// Sockets

bool Worker::openSocket(Conn &c, const Url &u, bool pub, uint32_t idx)
{
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
        if (!openSocket(p.c, m_cfg.pubUrl, true, indexOf(p)))
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

} // namespace bench
