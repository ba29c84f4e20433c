#!/usr/bin/env bash
# A tiny run of chatapp-bench against the real server: the benchmark tool must keep
# working, and even a small run must deliver every acknowledged message exactly once,
# in order, to every subscriber (SSE and long poll). Figures are not checked here:
# speed is for `make bench`.
set -euo pipefail
binary=${CHATAPP_BINARY:?}
bench=${CHATAPP_BENCH:?}
work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$binary" --serve 127.0.0.1 0 --data-dir "$work/data" --quiet --send-rate 100000 --send-burst 100000 \
  > "$work/stdout" 2> "$work/stderr" &
server_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/stdout" 2>/dev/null && break
  sleep 0.1
done
port=$(sed -n 's#chatapp: listening on http://127.0.0.1:\([0-9]*\)#\1#p' "$work/stdout")
[[ -n $port ]] || { echo "server did not start: $(cat "$work/stderr")"; exit 1; }
base="http://127.0.0.1:$port/api/v1/rooms/{room}"

status=0
for mode in sse longpoll-chatapp; do
  subscribe="$base/events"
  [[ $mode == sse ]] || subscribe="$base/messages"
  "$bench" --publish "$base/messages" --subscribe "$subscribe" --subscribe-mode "$mode" \
    --rooms 2 --senders 4 --subscribers-per-room 10 --rate 200 --duration 2 --drain 5 \
    --max-seconds 30 --server-pid "$server_pid" --json > "$work/$mode.json"
  python3 - "$work/$mode.json" "$mode" <<'PY' || status=1
import json, sys
result = json.loads(open(sys.argv[1]).read().splitlines()[-1])
mode = sys.argv[2]
problems = []
if result["sends_acked"] < 200:
    problems.append("only %d sends acknowledged" % result["sends_acked"])
for key in ("lost", "duplicated", "reordered"):
    if result[key] != 0:
        problems.append("%s = %d" % (key, result[key]))
if result["deliveries"] != result["sends_acked"] * 10:
    problems.append("%d deliveries for %d acknowledged sends to 10 subscribers each"
                    % (result["deliveries"], result["sends_acked"]))
print("%s %s: %d sent, %d delivered, p99 %s us%s" % ("FAIL" if problems else "PASS", mode, result["sends_acked"],
      result["deliveries"], result["latency_us"]["p99"], (": " + "; ".join(problems)) if problems else ""))
sys.exit(1 if problems else 0)
PY
done

# The flood mode with SSE and long polls side by side, and the one-message fan-out that
# run.py spreads over two processes: each group, and each subscriber, gets everything.
"$bench" --flood --publish "$base/messages" --subscribe "$base/events" --also-subscribe "$base/messages" \
  --rooms 1 --senders 4 --subscribers-per-room 3 --duration 1 --drain 5 --room-prefix flood \
  --max-seconds 30 --json > "$work/flood.json"
"$bench" --fanout-once --publish "$base/messages" --senders 1 --subscribe "$base/events" \
  --subscribers-per-room 20 --room-prefix once --ready-file "$work/ready" --duration 5 \
  --max-seconds 30 --json > "$work/once.json"
python3 - "$work/flood.json" "$work/once.json" "$work/ready" <<'PY' || status=1
import json, sys
flood = json.loads(open(sys.argv[1]).read().splitlines()[-1])
once = json.loads(open(sys.argv[2]).read().splitlines()[-1])
problems = []
if flood["sends_acked"] < 10:
    problems.append("flood: only %d sends acknowledged" % flood["sends_acked"])
if [g["mode"] for g in flood["groups"]] != ["sse", "longpoll-chatapp"]:
    problems.append("flood: groups %s" % [g["mode"] for g in flood["groups"]])
for group in flood["groups"]:
    spread = group["per_subscriber"]
    if group["lost"] or group["duplicated"] or group["reordered"] or group["connected"] != 3:
        problems.append("flood %s: %s" % (group["mode"], group))
    if spread["deliveries"]["min"] != flood["sends_acked"] or spread["deliveries"]["max"] != flood["sends_acked"]:
        problems.append("flood %s: per subscriber %s for %d acknowledged" % (group["mode"], spread, flood["sends_acked"]))
if len(flood.get("subscribers_detail", [])) != 6:
    problems.append("flood: %d subscribers listed, not 6" % len(flood.get("subscribers_detail", [])))
block = once.get("fanout_once", {})
if block.get("reached") != 20 or not block.get("sent_ns") or block.get("last_ns", 0) < block["sent_ns"]:
    problems.append("fanout-once: %s" % block)
if open(sys.argv[3]).read().strip() != "20":
    problems.append("fanout-once: ready file says %r" % open(sys.argv[3]).read())
print("%s flood and fanout-once: %d sent, %d delivered; one message to 20 in %.1f ms%s"
      % ("FAIL" if problems else "PASS", flood["sends_acked"], flood["deliveries"],
         (block.get("last_ns", 0) - block.get("sent_ns", 0)) / 1e6, (": " + "; ".join(problems)) if problems else ""))
sys.exit(1 if problems else 0)
PY
# The kernel's floor that workload 10 prints beside ChatApp: it must reach everyone.
floor=${CHATAPP_FLOOR:?}
if "$floor" 200 > "$work/floor.json" && grep -q '"reached": 200,' "$work/floor.json"; then
  echo "PASS chatapp-floor: $(cat "$work/floor.json")"
else
  echo "FAIL chatapp-floor: $(cat "$work/floor.json")"
  status=1
fi
exit $status
