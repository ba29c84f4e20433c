#include "options.h"

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "util.h"

namespace bench {
namespace {

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
  --also-subscribe URL     a second group of subscribers in the same rooms, e.g. long polls
                           beside SSE streams; reported per group as well as in total
  --also-subscribe-mode M  its mode (longpoll-chatapp if the URL has /api/v1/, else
                           longpoll-nchan)
  --also-subscribers-per-room N  its subscribers per room (as --subscribers-per-room)
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
  --flood                  closed-loop senders (--rate 0) and the per-subscriber list
                           (--per-subscriber): what a server accepted and what reached
                           each subscriber, with --also-subscribe for long polls beside SSE
  --fanout-once            each sender publishes exactly one message; the run ends when
                           every connected subscriber has it (or after --duration S), and
                           reports when the first and the last got it (CLOCK_MONOTONIC)

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
  --ready-file PATH        once the connect phase is over, write the number of subscribers
                           ready to PATH (written whole, by rename)
  --go-file PATH           after the connect phase, wait until PATH exists before sending:
                           with --ready-file, lets several bench processes start together
  --json                   print one JSON object with the results as the last stdout line
  --per-subscriber         list every subscriber in the JSON (deliveries, lost, resumes...)
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

} // namespace

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

namespace {

SubMode parseMode(const char *name, const std::string &m)
{
    if (m == "sse")
        return SubMode::Sse;
    if (m == "longpoll-chatapp")
        return SubMode::LongPollChatApp;
    if (m == "longpoll-nchan")
        return SubMode::LongPollNchan;
    if (m == "poll-chatapp")
        return SubMode::PollChatApp;
    die("%s: sse, longpoll-chatapp, longpoll-nchan or poll-chatapp, not '%s'", name, m.c_str());
}

} // namespace

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
            o.subMode = parseMode("--subscribe-mode", val());
        } else if (a == "--also-subscribe") {
            o.alsoSubscribeUrl = val();
        } else if (a == "--also-subscribe-mode") {
            o.alsoSubMode = parseMode("--also-subscribe-mode", val());
            o.alsoSubModeGiven = true;
        } else if (a == "--also-subscribers-per-room") {
            o.alsoSubsPerRoom = int(parseLong("--also-subscribers-per-room", val(), 0, 10000000));
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
        } else if (a == "--flood") {
            o.flood = true;
        } else if (a == "--per-subscriber") {
            o.perSubscriber = true;
        } else if (a == "--fanout-once") {
            o.fanoutOnce = true;
        } else if (a == "--ready-file") {
            o.readyFile = val();
        } else if (a == "--go-file") {
            o.goFile = val();
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
    if (o.flood) {
        if (o.rate > 0)
            die("--flood sends as fast as the acknowledgements allow: leave out --rate");
        o.perSubscriber = true;
    }
    if (!o.alsoSubscribeUrl.empty() && !o.alsoSubModeGiven)
        o.alsoSubMode = o.alsoSubscribeUrl.find("/api/v1/") != std::string::npos ? SubMode::LongPollChatApp
                                                                                 : SubMode::LongPollNchan;
    if (o.alsoSubsPerRoom < 0)
        o.alsoSubsPerRoom = o.alsoSubscribeUrl.empty() ? 0 : o.subsPerRoom;
    if (o.fanoutOnce && (o.idle || o.flood))
        die("--fanout-once is a run of its own: not with --idle or --flood");
    if (o.fanoutOnce && o.rate > 0)
        die("--fanout-once sends one message per sender: leave out --rate");
    return o;
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

} // namespace bench
