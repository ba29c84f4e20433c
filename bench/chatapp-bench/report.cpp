#include "report.h"

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <string>

namespace bench {
namespace {

struct LossTotals {
    uint64_t lost = 0, skipped = 0, behind = 0, expected = 0, receivedUnacked = 0, resumes = 0;
};

// One subscriber group, and the spread over its connected subscribers: a server that
// is fair on average may still starve a few.
struct GroupTotals {
    uint32_t subscribers = 0, connected = 0;
    uint64_t deliveries = 0, expected = 0, lostSkipped = 0, lostBehind = 0, duplicated = 0, reordered = 0, resumes = 0;
    uint64_t minDelivered = 0, maxDelivered = 0, minLost = 0, maxLost = 0;
    uint32_t minResumes = 0, maxResumes = 0, maxDuplicated = 0, maxReordered = 0;
    Histogram latency;

    void add(const SubResult &r)
    {
        ++subscribers;
        if (!r.ready)
            return;
        const uint64_t lost = r.lostSkipped + r.lostBehind;
        if (connected == 0) {
            minDelivered = maxDelivered = r.delivered;
            minLost = maxLost = lost;
            minResumes = maxResumes = r.resumes;
        }
        ++connected;
        deliveries += r.delivered;
        expected += r.expected;
        lostSkipped += r.lostSkipped;
        lostBehind += r.lostBehind;
        duplicated += r.duplicated;
        reordered += r.reordered;
        resumes += r.resumes;
        minDelivered = std::min(minDelivered, r.delivered);
        maxDelivered = std::max(maxDelivered, r.delivered);
        minLost = std::min(minLost, lost);
        maxLost = std::max(maxLost, lost);
        minResumes = std::min(minResumes, r.resumes);
        maxResumes = std::max(maxResumes, r.resumes);
        maxDuplicated = std::max(maxDuplicated, r.duplicated);
        maxReordered = std::max(maxReordered, r.reordered);
    }
};

std::string groupJson(const SubGroup &g, const GroupTotals &t)
{
    auto us = [](int64_t ns) { return double(ns) / 1000.0; };
    char b[1536];
    std::snprintf(b, sizeof b,
                  "{\"mode\":\"%s\",\"subscribers\":%u,\"connected\":%u,\"deliveries\":%" PRIu64
                  ",\"expected_deliveries\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"lost_skipped\":%" PRIu64
                  ",\"lost_behind\":%" PRIu64 ",\"duplicated\":%" PRIu64 ",\"reordered\":%" PRIu64 ",\"resumes\":%" PRIu64
                  ",\"latency_us\":{\"p50\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f}"
                  ",\"per_subscriber\":{\"deliveries\":{\"min\":%" PRIu64 ",\"max\":%" PRIu64 "},\"lost\":{\"min\":%" PRIu64
                  ",\"max\":%" PRIu64 "},\"resumes\":{\"min\":%u,\"max\":%u},\"duplicated\":{\"max\":%u},"
                  "\"reordered\":{\"max\":%u}}}",
                  modeName(g.mode), t.subscribers, t.connected, t.deliveries, t.expected, t.lostSkipped + t.lostBehind,
                  t.lostSkipped, t.lostBehind, t.duplicated, t.reordered, t.resumes, us(t.latency.percentile(50)),
                  us(t.latency.percentile(99)), us(t.latency.percentile(99.9)), us(t.latency.maxValue), t.minDelivered,
                  t.maxDelivered, t.minLost, t.maxLost, t.minResumes, t.maxResumes, t.maxDuplicated, t.maxReordered);
    return b;
}

} // namespace

void printResults(const Config &cfg, const std::vector<std::unique_ptr<Worker>> &workers,
                  const std::vector<AckLog> &acks, const RunInfo &run)
{
    const Options &o = cfg.o;
    const bool formBody = o.pubFormat == PubFormat::Form;
    Stats total;
    Histogram latency;
    LossTotals loss;
    std::vector<GroupTotals> groups(cfg.groups.size());
    std::vector<SubResult> subs;
    uint32_t ready = 0;
    uint64_t onceReached = 0;
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
        for (size_t g = 0; g < groups.size(); ++g) {
            latency.merge(s.latency[g]);
            groups[g].latency.merge(s.latency[g]);
        }
        total.publishLatency.merge(s.publishLatency);
        auto earliest = [](int64_t a, int64_t b) { return a == 0 ? b : b == 0 ? a : std::min(a, b); };
        total.onceSentNs = earliest(total.onceSentNs, s.onceSentNs);
        total.onceFirstNs = earliest(total.onceFirstNs, s.onceFirstNs);
        total.onceAckedNs = std::max(total.onceAckedNs, s.onceAckedNs);
        total.onceLastNs = std::max(total.onceLastNs, s.onceLastNs);
        for (const SubResult &r : w->subResults(acks)) {
            groups[r.group].add(r);
            if (r.ready) {
                ++ready;
                loss.skipped += r.lostSkipped;
                loss.behind += r.lostBehind;
                loss.expected += r.expected;
                loss.receivedUnacked += r.receivedUnacked;
                loss.resumes += r.resumes;
                onceReached += r.onceNs != 0 ? 1 : 0;
            }
            if (o.perSubscriber)
                subs.push_back(r);
        }
    }
    loss.lost = loss.skipped + loss.behind;
    std::sort(subs.begin(), subs.end(), [](const SubResult &a, const SubResult &b) { return a.global < b.global; });
    const int64_t sendStart = run.sendStart;
    const double sendSeconds = double(run.sendEnd - sendStart) / 1e9;
    const double deliverySeconds = total.lastDeliveryNs > sendStart ? double(total.lastDeliveryNs - sendStart) / 1e9 : 0;
    const double sendRate = sendSeconds > 0 ? double(total.sendsAcked) / sendSeconds : 0;
    const double deliveryRate = deliverySeconds > 0 ? double(total.deliveries) / deliverySeconds : 0;
    const double benchCpu = run.benchCpu;
    const double elapsed = double(run.runEnd - run.runStart) / 1e9;
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
    if (cfg.groups.size() > 1)
        add("\"also_mode\":\"%s\",\"also_subscribe\":\"%s\"", modeName(cfg.groups[1].mode),
            jsonEscape(o.alsoSubscribeUrl).c_str());
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
    add("\"latency_us\":{\"p50\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f}", us(latency.percentile(50)),
        us(latency.percentile(99)), us(latency.percentile(99.9)), us(latency.maxValue));
    add("\"lost\":%" PRIu64 ",\"duplicated\":%" PRIu64 ",\"reordered\":%" PRIu64, loss.lost, total.duplicated,
        total.reordered);
    add("\"lost_skipped\":%" PRIu64 ",\"lost_behind\":%" PRIu64 ",\"resumes\":%" PRIu64, loss.skipped, loss.behind,
        loss.resumes);
    add("\"delivered_unacked\":%" PRIu64 ",\"stale\":%" PRIu64 ",\"misrouted\":%" PRIu64 ",\"malformed\":%" PRIu64,
        loss.receivedUnacked, total.stale, total.misrouted, total.malformed);
    add("\"subscriber_requests\":%" PRIu64 ",\"requests_rate\":%.3f", total.subRequests,
        run.drainEnd > sendStart ? double(total.subRequests) / (double(run.drainEnd - sendStart) / 1e9) : 0.0);
    add("\"subscribers_connected\":%u,\"subscribers_failed\":%u,\"connect_s\":%.3f", ready, cfg.totalSubs - ready,
        run.connectSeconds);
    add("\"reconnects\":%" PRIu64 ",\"reconnect_failures\":%" PRIu64 ",\"keepalive_closes\":%" PRIu64
        ",\"subscriber_errors\":%" PRIu64,
        total.reconnects, total.reconnectFailures, total.keepaliveCloses, total.subErrors);
    if (o.injectDrop || o.injectDup || o.injectReorder || o.chaosCloseMs)
        add("\"injected\":{\"drops\":%" PRIu64 ",\"dups\":%" PRIu64 ",\"reorders\":%" PRIu64 ",\"chaos_closes\":%" PRIu64
            ",\"no_resume\":%s}",
            total.injectedDrops, total.injectedDups, total.injectedReorders, total.chaosCloses,
            o.noResume ? "true" : "false");
    if (run.serverStart.ok && run.serverEnd.ok) {
        add("\"server_cpu_s\":%.3f,\"server_rss_kb\":%ld,\"server_hwm_kb\":%ld",
            run.serverEnd.cpuSeconds - run.serverStart.cpuSeconds, run.serverEnd.rssKb, run.serverEnd.hwmKb);
    } else {
        add("\"server_cpu_s\":null,\"server_rss_kb\":null,\"server_hwm_kb\":null");
    }
    add("\"bench_cpu_s\":%.3f,\"bench_cpu_total_s\":%.3f", benchCpu, selfCpuSeconds());
    add("\"bench_cpu_us_per_delivery\":%.3f", total.deliveries ? benchCpu * 1e6 / double(total.deliveries) : 0.0);
    add("\"send_s\":%.3f,\"drain_s\":%.3f,\"elapsed_s\":%.3f", sendSeconds, double(run.drainEnd - run.sendEnd) / 1e9, elapsed);
    if (o.idle) {
        if (run.serverBefore.ok && run.idleAfter.ok)
            add("\"idle\":{\"server_rss_kb_before\":%ld,\"server_rss_kb_after\":%ld,\"bytes_per_subscriber\":%.1f}",
                run.serverBefore.rssKb, run.idleAfter.rssKb,
                ready ? double(run.idleAfter.rssKb - run.serverBefore.rssKb) * 1024.0 / double(ready) : 0.0);
        else
            add("\"idle\":{\"server_rss_kb_before\":null,\"server_rss_kb_after\":null,\"bytes_per_subscriber\":null}");
    }
    if (o.fanoutOnce) {
        const int64_t sent = total.onceSentNs;
        add("\"fanout_once\":{\"sent_ns\":%" PRId64 ",\"acked_ns\":%" PRId64 ",\"subscribers\":%u,\"reached\":%" PRIu64
            ",\"first_ns\":%" PRId64 ",\"last_ns\":%" PRId64 ",\"last_after_send_s\":%.6f}",
            sent, total.onceAckedNs, ready, onceReached, total.onceFirstNs, total.onceLastNs,
            sent && total.onceLastNs ? double(total.onceLastNs - sent) / 1e9 : 0.0);
    }
    j += ",\"groups\":[";
    for (size_t g = 0; g < groups.size(); ++g) {
        if (g)
            j += ",";
        j += groupJson(cfg.groups[g], groups[g]);
    }
    j += "]";
    if (o.perSubscriber) {
        j += ",\"subscribers_detail\":[";
        bool first = true;
        for (const SubResult &r : subs) {
            std::snprintf(b, sizeof b,
                          "%s{\"i\":%u,\"group\":%u,\"room\":%u,\"connected\":%s,\"deliveries\":%" PRIu64
                          ",\"expected\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"lost_skipped\":%" PRIu64
                          ",\"duplicated\":%u,\"reordered\":%u,\"resumes\":%u}",
                          first ? "" : ",", r.global, unsigned(r.group), r.room, r.ready ? "true" : "false",
                          r.delivered, r.expected, r.lostSkipped + r.lostBehind, r.lostSkipped, r.duplicated,
                          r.reordered, r.resumes);
            j += b;
            first = false;
        }
        j += "]";
    }
    add("\"aborted\":%s", run.aborted ? "true" : "false");
    if (run.aborted)
        add("\"abort_reason\":\"%s\"", run.abortReason);
    j += "}";

    if (o.json) {
        std::printf("%s\n", j.c_str());
    } else {
        std::printf("chatapp-bench: %s%s%s, %d room(s), %d sender(s), %u subscriber(s), %d thread(s)%s\n",
                    modeName(o.subMode), cfg.groups.size() > 1 ? " + " : "",
                    cfg.groups.size() > 1 ? modeName(cfg.groups[1].mode) : "", o.rooms, o.senders, cfg.totalSubs, o.threads, run.aborted ? "  [ABORTED]" : "");
        if (run.aborted)
            std::printf("  aborted: %s\n", run.abortReason);
        std::printf("  subscribers  %u connected, %u failed (%.2f s to connect), %" PRIu64 " reconnects, %" PRIu64
                    " keep-alive closes, %" PRIu64 " errors\n",
                    ready, cfg.totalSubs - ready, run.connectSeconds, total.reconnects, total.keepaliveCloses,
                    total.subErrors);
        if (o.fanoutOnce) {
            std::printf("  fan-out      %" PRIu64 " of %u subscribers reached; first %.1f ms, last %.1f ms after the send\n",
                        onceReached, ready,
                        total.onceSentNs && total.onceFirstNs ? double(total.onceFirstNs - total.onceSentNs) / 1e6 : 0.0,
                        total.onceSentNs && total.onceLastNs ? double(total.onceLastNs - total.onceSentNs) / 1e6 : 0.0);
        } else if (!o.idle) {
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
                        us(latency.percentile(50)), us(latency.percentile(99)),
                        us(latency.percentile(99.9)), us(latency.maxValue));
            std::printf("  integrity    lost %" PRIu64 ", duplicated %" PRIu64 ", reordered %" PRIu64
                        " (delivered unacked %" PRIu64 ", stale %" PRIu64 ", misrouted %" PRIu64 ")\n",
                        loss.lost, total.duplicated, total.reordered, loss.receivedUnacked, total.stale, total.misrouted);
            if (groups.size() > 1 || o.perSubscriber)
                for (size_t g = 0; g < groups.size(); ++g) {
                    const GroupTotals &t = groups[g];
                    std::printf("  %-16s %u connected: delivered %" PRIu64 " (per subscriber %" PRIu64 "..%" PRIu64
                                "), lost %" PRIu64 " (%" PRIu64 " skipped; per subscriber ..%" PRIu64
                                "), duplicated %" PRIu64 ", reordered %" PRIu64 ", resumes %" PRIu64
                                " (per subscriber ..%u), p99 %.0f us\n",
                                modeName(cfg.groups[g].mode), t.connected, t.deliveries, t.minDelivered, t.maxDelivered,
                                t.lostSkipped + t.lostBehind, t.lostSkipped, t.maxLost, t.duplicated, t.reordered,
                                t.resumes, t.maxResumes, us(t.latency.percentile(99)));
                }
            if (o.injectDrop || o.injectDup || o.injectReorder || o.chaosCloseMs)
                std::printf("  injected     drops %" PRIu64 ", dups %" PRIu64 ", reorders %" PRIu64
                            ", chaos closes %" PRIu64 "%s\n",
                            total.injectedDrops, total.injectedDups, total.injectedReorders, total.chaosCloses,
                            o.noResume ? " (no resume)" : "");
        }
        if (run.serverStart.ok && run.serverEnd.ok)
            std::printf("  server       %.2f CPU s, RSS %ld kB, HWM %ld kB\n",
                        run.serverEnd.cpuSeconds - run.serverStart.cpuSeconds, run.serverEnd.rssKb, run.serverEnd.hwmKb);
        if (o.idle && run.serverBefore.ok && run.idleAfter.ok)
            std::printf("  idle         RSS %ld kB before, %ld kB after: %.0f bytes per subscriber\n",
                        run.serverBefore.rssKb, run.idleAfter.rssKb,
                        ready ? double(run.idleAfter.rssKb - run.serverBefore.rssKb) * 1024.0 / double(ready) : 0.0);
        std::printf("  bench        %.2f CPU s measured (%.2f us per delivery), %.2f s elapsed\n", benchCpu,
                    total.deliveries ? benchCpu * 1e6 / double(total.deliveries) : 0.0, elapsed);
    }
    std::fflush(stdout);
}

} // namespace bench
