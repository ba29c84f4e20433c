#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "worker.h"

namespace bench {

// Subscribers: their requests for each mode, connecting, resuming after a disconnect.

void Worker::SubSink::headers(int status)
{
    s.status = uint16_t(status);
    s.respMaxId = 0;
    s.respSawId = false;
    s.ms = 0;
    const SubGroup &g = w.groupOf(s);
    s.aux = g.sseKind ? 1 : 0; // SSE: the body starts at a line start
    s.auxLen = 0;
    if (status == 200 && g.sseKind)
        w.subBecameReady(s);
    const bool nchanNothing = g.mode == SubMode::LongPollNchan && (status == 304 || status == 408);
    if (status != 200 && !nchanNothing)
        ++w.stats.subErrors;
}

void Worker::SubSink::header(std::string_view name, std::string_view value)
{
    // The parser knows the status before the headers; s.status is set after them.
    if (w.groupOf(s).mode != SubMode::LongPollNchan || s.c.resp.status != 200)
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
    if (s.ready)
        ++s.resumes;
    if (!openSocket(s.c, groupOf(s).url, false, indexOf(s))) {
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
    const SubGroup &g = groupOf(s);
    const std::string &path = g.paths[s.room];
    const char sep = path.find('?') == std::string::npos ? '?' : '&';
    const char *host = g.url.hostHeader.c_str();
    int len = 0;
    switch (g.mode) {
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
        else if (g.mode == SubMode::LongPollChatApp)
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
        && (groupOf(s).mode == SubMode::LongPollChatApp || groupOf(s).mode == SubMode::LongPollNchan))
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
    const SubGroup &g = groupOf(s);
    const bool nchanNothing = g.mode == SubMode::LongPollNchan && (status == 304 || status == 408);
    if (status != 200 && !nchanNothing) {
        subRetryLater(s);
        return;
    }
    if (status == 200 && g.jsonKind) {
        if (s.stage == SubStage::Init) {
            // limit=1 answers the newest message: its id is the room's last id.
            s.cursor = s.respSawId ? s.respMaxId : 0;
            s.stage = SubStage::Main;
            if (g.mode == SubMode::PollChatApp) {
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
    if (g.sseKind || close) {
        // An event stream that ended is a reconnect; a long poll answered with
        // Connection: close (nginx's keepalive_requests, say) is only a new connection.
        closeConn(s.c);
        if (!g.sseKind)
            ++stats.keepaliveCloses;
        subReconnect(s, g.sseKind);
        return;
    }
    if (g.mode == SubMode::PollChatApp && s.ready) {
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

} // namespace bench
