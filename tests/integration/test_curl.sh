#!/usr/bin/env bash
# The curl examples of docs/api.md, run against a real server: what a reader copies
# from the docs must answer as the docs say. Every curl has --max-time, every wait a
# deadline; the server is killed on any exit.
set -euo pipefail

binary=${CHATAPP_BINARY:?CHATAPP_BINARY must name the built chatapp}
work=$(mktemp -d "${TMPDIR:-/tmp}/chatapp-curl-XXXXXX")
server_pid=
background_pids=()
failures=0

cleanup() {
    local pid
    for pid in "${background_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "FAIL $*" >&2
    failures=$((failures + 1))
}

pass() {
    echo "ok   $*"
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND until it succeeds or time is up.
wait_for() {
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        if ((SECONDS >= deadline)); then
            fail "timed out after ${seconds}s waiting for $what"
            return 1
        fi
        sleep 0.05
    done
}

# expect NAME STATUS [CODE] -- CURL-ARGS...: runs curl, compares the status and, when
# given, the error code in the body. The body is left in $work/body, headers in $work/headers.
expect() {
    local name=$1 status=$2 code=
    shift 2
    if [[ $1 != -- ]]; then
        code=$1
        shift
    fi
    shift # the --
    local got
    got=$(curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' --max-time 10 "$@") || true
    if [[ $got != "$status" ]]; then
        fail "$name: status $got, expected $status: $(head -c 300 "$work/body" 2>/dev/null)"
        return 0
    fi
    if [[ -n $code ]] && ! grep -Eq "\"code\" *: *\"$code\"" "$work/body"; then
        fail "$name: expected error code $code in: $(head -c 300 "$work/body")"
        return 0
    fi
    pass "$name ($status${code:+ $code})"
}

body_has() {
    local name=$1 pattern=$2
    if grep -Eq -- "$pattern" "$work/body"; then
        pass "$name"
    else
        fail "$name: /$pattern/ not in: $(head -c 400 "$work/body")"
    fi
}

metric() {
    curl -s --max-time 5 "$base/metrics" | sed -n "s/^$1 \\([0-9.e+]*\\).*/\\1/p" | head -n 1
}

metric_is() {
    local value
    value=$(metric "$1")
    [[ -n $value ]] && awk -v value="$value" -v wanted="$2" 'BEGIN { exit !(value + 0 == wanted + 0) }'
}

# --- start the server on a free port and read the port from its one stdout line ---
"$binary" --serve 127.0.0.1 0 --data-dir "$work/data" --quiet >"$work/stdout" 2>"$work/stderr" &
server_pid=$!
listening() { grep -q '^chatapp: listening on http://127.0.0.1:[0-9]*$' "$work/stdout"; }
listening_or_gone() { listening || ! kill -0 "$server_pid" 2>/dev/null; }
if ! wait_for 10 "the listening line" listening_or_gone || ! listening; then
    fail "the server did not start listening"
    echo "stderr of the server:" >&2
    cat "$work/stderr" >&2
    exit 1
fi
port=$(sed -n 's|^chatapp: listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$work/stdout")
base="http://127.0.0.1:$port"
echo "server on $base"

# --- Sending (docs: POST /api/v1/rooms/{room}/messages) ---
expect "JSON send" 201 -- -i -H 'Content-Type: application/json' \
    -d '{"author": "ana", "text": "hola"}' \
    "$base/api/v1/rooms/lab/messages"
if grep -qi '^Location: \(http://127.0.0.1:[0-9]*\)\?/api/v1/rooms/lab/messages/1'$'\r''\?$' "$work/headers"; then
    pass "Location of message 1"
else
    fail "Location: $(grep -i '^Location' "$work/headers" || echo none)"
fi
body_has "JSON send answers the message" '"id" *: *1[,}]'

expect "form send with curl -d" 201 -- -i -d 'author=ana&text=hola' "$base/api/v1/rooms/lab/messages"
body_has "form send is message 2" '"id" *: *2[,}]'

expect "first send with an Idempotency-Key" 201 -- -i -H 'Idempotency-Key: 9f4c1a52-first-try' \
    -d 'author=ana&text=hola' "$base/api/v1/rooms/lab/messages"
expect "retry with the same Idempotency-Key" 200 -- -i -H 'Idempotency-Key: 9f4c1a52-first-try' \
    -d 'author=ana&text=hola' "$base/api/v1/rooms/lab/messages"
body_has "the retry answers message 3" '"id" *: *3[,}]'

# --- Reading ---
expect "history after=0&limit=50" 200 -- "$base/api/v1/rooms/lab/messages?after=0&limit=50"
body_has "history ends at last_id 3" '"last_id" *: *3[,}]'
body_has "history holds message 3 but no 4" '"id" *: *3[,}]'
if grep -Eq '"id" *: *4[,}]' "$work/body"; then fail "the idempotent retry stored a message"; fi

expect "one message" 200 -- "$base/api/v1/rooms/lab/messages/1"
body_has "one message is message 1" '"text" *: *"hola"'

for i in 4 5 6 7; do
    expect "send $i" 201 -- -d "author=bea&text=mensaje+$i" "$base/api/v1/rooms/lab/messages"
done

# The docs' long poll (after=7, wait=25): held until message 8 arrives.
poll_started=$(date +%s%N)
curl -s -o "$work/poll" -w '%{http_code}' --max-time 30 \
    "$base/api/v1/rooms/lab/messages?after=7&wait=25&name=ana" >"$work/poll_status" &
poll_pid=$!
background_pids+=("$poll_pid")
if wait_for 5 "the long poll to be held" metric_is chatapp_open_polls 1; then
    expect "send 8 wakes the poll" 201 -- -d 'author=bea&text=despierta' "$base/api/v1/rooms/lab/messages"
    wait "$poll_pid" || true
    poll_ms=$((($(date +%s%N) - poll_started) / 1000000))
    if [[ $(cat "$work/poll_status") == 200 ]] && grep -Eq '"id" *: *8[,}]' "$work/poll" && ((poll_ms < 10000)); then
        pass "long poll answered message 8 after ${poll_ms} ms"
    else
        fail "long poll: status $(cat "$work/poll_status"), ${poll_ms} ms: $(head -c 300 "$work/poll")"
    fi
fi

# The docs' event stream with curl -N: nothing replayed, then the next message live.
curl -s -N --max-time 4 "$base/api/v1/rooms/lab/events" >"$work/events" 2>/dev/null &
events_pid=$!
background_pids+=("$events_pid")
if wait_for 5 "the event stream to open" metric_is chatapp_open_streams 1; then
    expect "send 9 while streaming" 201 -- -d 'author=ana&text=en+vivo' "$base/api/v1/rooms/lab/messages"
    events_has_9() { grep -q '^id: 9' "$work/events"; }
    if wait_for 5 "event 9 on the stream" events_has_9; then
        if grep -q '^event: message' "$work/events" && grep -q '^data: .*"text" *: *"en vivo"' "$work/events" \
            && ! grep -q '^id: [1-8]$' "$work/events"; then
            pass "curl -N streams the next message only"
        else
            fail "stream content: $(head -c 500 "$work/events")"
        fi
    fi
fi
kill "$events_pid" 2>/dev/null || true
wait "$events_pid" 2>/dev/null || true

# Resuming with Last-Event-ID replays 6..9 and nothing before.
curl -s -N --max-time 2 -H 'Last-Event-ID: 5' "$base/api/v1/rooms/lab/events" >"$work/replay" 2>/dev/null || true
if [[ $(grep '^id: ' "$work/replay" | tr -d '\r' | tr '\n' ' ') == "id: 6 id: 7 id: 8 id: 9 " ]]; then
    pass "Last-Event-ID 5 replays 6 to 9"
else
    fail "replay after Last-Event-ID 5: $(grep '^id: ' "$work/replay" | tr '\n' ' ')"
fi

# --- Rooms ---
expect "PUT an existing room" 200 -- -i -X PUT "$base/api/v1/rooms/lab"
expect "PUT a new room" 201 -- -i -X PUT "$base/api/v1/rooms/lab2"
body_has "new room is empty" '"message_count" *: *0[,}]'
expect "room list" 200 -- "$base/api/v1/rooms"
body_has "room list has general" '"name" *: *"general"'
body_has "room list has lab with 9 messages" '"last_id" *: *9[,}]'
expect "room list, a page of 2" 200 -- -i "$base/api/v1/rooms?limit=2"
body_has "the page says the next starts after lab" '"next" *: *"/api/v1/rooms\?after=lab&limit=2"'
if grep -qi '^Link: </api/v1/rooms?after=lab&limit=2>; rel="next"'$'\r''\?$' "$work/headers"; then
    pass "the page's Link header names the next"
else
    fail "no Link to the next page in: $(tr -d '\r' <"$work/headers" | tr '\n' '|')"
fi
expect "one room" 200 -- "$base/api/v1/rooms/lab"
expect "members" 200 -- "$base/api/v1/rooms/lab/members"
body_has "ana is online after her poll" '"name" *: *"ana"'
expect "typing" 204 -- -i -d 'author=ana' "$base/api/v1/rooms/lab/typing"
expect "members after typing" 200 -- "$base/api/v1/rooms/lab/members"
body_has "ana is typing" '"typing" *: *true'

# --- Operations ---
expect "healthz" 200 -- "$base/healthz"
body_has "healthz says ok" '"status" *: *"ok"'
expect "metrics" 200 -- "$base/metrics"
body_has "metrics count stored messages" '^chatapp_messages_stored_total 9(\.0*)?$'
body_has "metrics count answers by status" '^chatapp_http_requests_total\{status="201"\} [0-9]+'

# --- Errors ---
expect "text/plain is refused" 415 unsupported_media_type -- -H 'Content-Type: text/plain' \
    -d 'author=ana&text=hola' "$base/api/v1/rooms/lab/messages"
expect "no Content-Type is refused" 415 unsupported_media_type -- -H 'Content-Type:' \
    --data-binary 'author=ana&text=hola' "$base/api/v1/rooms/lab/messages"
expect "DELETE a room" 405 method_not_allowed -- -X DELETE "$base/api/v1/rooms/lab"
allow=$(sed -n 's/^[Aa]llow: *//p' "$work/headers" | tr -d '\r ')
if [[ ,$allow, == *,GET,* && ,$allow, == *,PUT,* && ,$allow, != *POST* && ,$allow, != *DELETE* ]]; then
    pass "Allow: $allow"
else
    fail "Allow header '$allow', expected GET and PUT"
fi
expect "PUT on messages" 405 method_not_allowed -- -X PUT "$base/api/v1/rooms/lab/messages"
expect "unknown path" 404 not_found -- "$base/api/v1/nothing"
expect "unknown room" 404 room_not_found -- "$base/api/v1/rooms/nosuch/messages"
expect "unknown message" 404 message_not_found -- "$base/api/v1/rooms/lab/messages/99"
expect "bad room name" 400 invalid_room -- -d 'author=ana&text=x' "$base/api/v1/rooms/No%20Way/messages"
expect "limit=0" 400 invalid_query -- "$base/api/v1/rooms/lab/messages?limit=0"
expect "wait=61" 400 invalid_query -- "$base/api/v1/rooms/lab/messages?after=0&wait=61"
expect "after=abc" 400 invalid_query -- "$base/api/v1/rooms/lab/messages?after=abc"
expect "bad Last-Event-ID" 400 invalid_header -- --max-time 3 -H 'Last-Event-ID: x' "$base/api/v1/rooms/lab/events"
expect "bad JSON" 400 invalid_json -- -H 'Content-Type: application/json' -d '{"author":' \
    "$base/api/v1/rooms/lab/messages"
expect "missing text" 400 missing_field -- -d 'author=ana' "$base/api/v1/rooms/lab/messages"
expect "control character" 400 invalid_field -- -d 'author=ana&text=a%07b' "$base/api/v1/rooms/lab/messages"
expect "text of 4001 characters" 413 text_too_long -- \
    -d "author=ana&text=$(head -c 4001 /dev/zero | tr '\0' x)" "$base/api/v1/rooms/lab/messages"
expect "author of 33 characters" 413 author_too_long -- \
    -d "author=$(head -c 33 /dev/zero | tr '\0' a)&text=x" "$base/api/v1/rooms/lab/messages"
{ printf 'author=ana&text=x&pad='; head -c 65536 /dev/zero | tr '\0' p; } >"$work/big"
expect "body over 64 KiB" 413 payload_too_large -- --data-binary "@$work/big" "$base/api/v1/rooms/lab/messages"
expect "bad Idempotency-Key" 400 invalid_header -- -H "Idempotency-Key: $(head -c 129 /dev/zero | tr '\0' k)" \
    -d 'author=ana&text=x' "$base/api/v1/rooms/lab/messages"
expect "history after the refusals" 200 -- "$base/api/v1/rooms/lab/messages?limit=1"
body_has "the refused sends stored nothing" '"last_id" *: *9[,}]'

# --- SIGTERM: a clean exit with status 0 ---
kill -TERM "$server_pid"
server_gone() { ! kill -0 "$server_pid" 2>/dev/null; }
if wait_for 10 "the server to exit after SIGTERM" server_gone; then
    status=0
    wait "$server_pid" || status=$?
    server_pid=
    if ((status == 0)); then
        pass "SIGTERM exits 0"
    else
        fail "SIGTERM exit status $status: $(head -c 500 "$work/stderr")"
    fi
fi

if ((failures > 0)); then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all checks passed"
