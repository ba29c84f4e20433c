#!/usr/bin/env python3
"""What clients of a cluster see when one node dies (`kill -9`) behind nginx: workload
16 of bench/run.py (bench/cluster_workloads.py starts the cluster and runs this pinned
to the load generator's core).

    failover.py --port NGINX_PORT --kill-pid PID [--rooms 6] [--subscribers 60]
                [--rate 300] [--before 3] [--after 6] [--drain 5]

Senders post through nginx at --rate messages/s in total, each message with an
Idempotency-Key, retried at once with the same key after any failure (as the window's
outbox does), its text the monotonic time of its first attempt. SSE subscribers follow
the rooms through nginx as EventSource does: on a dropped stream they wait the server's
`retry:` and reconnect with Last-Event-ID. After --before seconds the node is killed;
sending goes on for --after seconds, then the subscribers get --drain seconds to catch
up. Prints one JSON object:

- first_send_s: from the kill to the answer of the first send started after it and
  acknowledged (2xx);
- in_flight_acked_s: from the kill to the acknowledgement, after retries, of the last of
  the sends that were under way when it happened;
- failed_attempts: attempts answered otherwise than 2xx (or not at all);
- resumed_s / caught_up_s: for each subscriber whose stream the kill dropped, from the
  kill to its reconnection, and to the arrival of the first message sent after that
  reconnection (events come in id order, so it then holds everything before it too);
  as percentiles over those subscribers;
- gaps, duplicates, behind: over every subscriber, ids skipped, ids seen twice, and
  acknowledged ids never received by the end of the drain (each must be 0)."""

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import sys
import threading
import time
import uuid

HOST = "127.0.0.1"


class Sender(threading.Thread):
    def __init__(self, port, room, interval, start_at, stop_at, give_up_at):
        super().__init__(daemon=True)
        self.port, self.room, self.interval = port, room, interval
        self.start_at, self.stop_at, self.give_up_at = start_at, stop_at, give_up_at
        self.attempts = []  # (start, end, status or None)
        self.messages = []  # (first attempt, acknowledged at or None, id or None)
        self.connection = None

    def post(self, body, key):
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=10)
            self.connection.request("POST", f"/api/v1/rooms/{self.room}/messages", body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": key})
            response = self.connection.getresponse()
            answer = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.connection.close()
                self.connection = None
            return response.status, answer
        except (OSError, http.client.HTTPException):
            if self.connection is not None:
                self.connection.close()
            self.connection = None
            return None, b""

    def run(self):
        due = self.start_at
        while due < self.stop_at:
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            due += self.interval
            first = time.monotonic()
            body = f"author=failover&text=sent+{time.monotonic_ns()}"
            key = uuid.uuid4().hex
            acknowledged, message_id = None, None
            while acknowledged is None and time.monotonic() < self.give_up_at:
                start = time.monotonic()
                status, answer = self.post(body, key)
                end = time.monotonic()
                self.attempts.append((start, end, status))
                if status in (200, 201):
                    acknowledged, message_id = end, json.loads(answer)["id"]
            self.messages.append((first, acknowledged, message_id))
        if self.connection is not None:
            self.connection.close()


class Subscriber(threading.Thread):
    """An EventSource, minus the browser: resumes by Last-Event-ID after `retry:`."""

    def __init__(self, port, room, stop):
        super().__init__(daemon=True)
        self.port, self.room, self.stop = port, room, stop
        self.retry_s = 3.0  # EventSource's usual default, until the server says otherwise
        self.last_id = 0
        self.connected = []  # times a stream was answered 200
        self.dropped = []  # times a stream ended
        self.received = []  # (time, id, sent_ns)
        self.gaps = self.duplicates = 0
        self.ready = threading.Event()
        self.socket = None

    def run(self):
        while not self.stop.is_set():
            connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
            try:
                path = f"/api/v1/rooms/{self.room}/events"
                headers = {"Accept": "text/event-stream"}
                if self.last_id:
                    headers["Last-Event-ID"] = str(self.last_id)
                else:
                    path += "?after=0"
                connection.request("GET", path, headers=headers)
                self.socket = connection.sock
                response = connection.getresponse()
                if response.status == 200:
                    self.connected.append(time.monotonic())
                    self.ready.set()
                    self.read_events(response)
            except (OSError, http.client.HTTPException, ValueError):
                pass
            finally:
                connection.close()
            if self.stop.is_set():
                break
            self.dropped.append(time.monotonic())
            self.stop.wait(self.retry_s)

    def read_events(self, response):
        event, event_id, data = None, None, None
        while not self.stop.is_set():
            line = response.readline()
            if not line:
                return
            line = line.decode().rstrip("\r\n")
            if line.startswith("retry:"):
                self.retry_s = int(line[6:].strip()) / 1000.0
            elif line.startswith("id:"):
                event_id = int(line[3:].strip())
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data = line[5:].strip()
            elif not line:
                if event == "message" and event_id is not None:
                    self.take(event_id, data)
                event, event_id, data = None, None, None

    def take(self, event_id, data):
        now = time.monotonic()
        if event_id <= self.last_id:
            self.duplicates += 1
            return
        self.gaps += event_id - self.last_id - 1
        self.last_id = event_id
        text = json.loads(data).get("text", "")
        sent_ns = int(text.split()[-1]) if text.startswith("sent ") else None
        self.received.append((now, event_id, sent_ns))

    def shut(self):
        if self.socket is not None:
            try:
                self.socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def percentile(values, share):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True, help="nginx's port on 127.0.0.1")
    parser.add_argument("--kill-pid", type=int, required=True, help="the node to kill -9")
    parser.add_argument("--rooms", type=int, default=6)
    parser.add_argument("--subscribers", type=int, default=60)
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--senders", type=int, default=24)
    parser.add_argument("--before", type=float, default=3)
    parser.add_argument("--after", type=float, default=6)
    parser.add_argument("--drain", type=float, default=5)
    args = parser.parse_args()

    prefix = f"failover{uuid.uuid4().hex[:8]}"
    rooms = [f"{prefix}{r}" for r in range(args.rooms)]
    for room in rooms:
        connection = http.client.HTTPConnection(HOST, args.port, timeout=10)
        connection.request("PUT", f"/api/v1/rooms/{room}")
        status = connection.getresponse().status
        connection.close()
        if status not in (200, 201):
            sys.exit(f"PUT {room} answered {status}")

    stop = threading.Event()
    subscribers = [Subscriber(args.port, rooms[i % args.rooms], stop) for i in range(args.subscribers)]
    for subscriber in subscribers:
        subscriber.start()
    deadline = time.monotonic() + 20
    for subscriber in subscribers:
        subscriber.ready.wait(max(0.0, deadline - time.monotonic()))
    if not all(subscriber.ready.is_set() for subscriber in subscribers):
        stop.set()
        sys.exit("not every subscriber connected within 20 s")

    start_at = time.monotonic() + 0.2
    kill_at = start_at + args.before
    stop_at = kill_at + args.after
    senders = [Sender(args.port, rooms[i % args.rooms], args.senders / args.rate, start_at + i / args.rate, stop_at,
                      stop_at + 10) for i in range(args.senders)]
    for sender in senders:
        sender.start()
    time.sleep(max(0.0, kill_at - time.monotonic()))
    killed = time.monotonic()
    os.kill(args.kill_pid, signal.SIGKILL)
    for sender in senders:
        sender.join(timeout=stop_at + 15 - time.monotonic())

    newest = {}
    for sender in senders:
        for _, acknowledged, message_id in sender.messages:
            if message_id is not None:
                newest[sender.room] = max(newest.get(sender.room, 0), message_id)
    drain_end = time.monotonic() + args.drain
    while time.monotonic() < drain_end and any(s.last_id < newest.get(s.room, 0) for s in subscribers):
        time.sleep(0.02)
    stop.set()
    for subscriber in subscribers:
        subscriber.shut()
    for subscriber in subscribers:
        subscriber.join(timeout=5)

    attempts = [a for sender in senders for a in sender.attempts]
    messages = [m for sender in senders for m in sender.messages]
    after_kill = [end - killed for start, end, status in attempts if start >= killed and status in (200, 201)]
    in_flight = [acknowledged - killed for first, acknowledged, _ in messages
                 if first < killed and acknowledged is not None and acknowledged > killed]
    resumed, caught_up = [], []
    for subscriber in subscribers:
        drops = [t for t in subscriber.dropped if killed <= t <= killed + 2]
        if not drops:
            continue
        reconnects = [t for t in subscriber.connected if t > drops[0]]
        if not reconnects:
            resumed.append(None)
            caught_up.append(None)
            continue
        resumed.append(reconnects[0] - killed)
        reconnected_ns = reconnects[0] * 1e9
        later = [t for t, _, sent_ns in subscriber.received if sent_ns is not None and sent_ns >= reconnected_ns]
        caught_up.append(min(later) - killed if later else None)

    def summary(values):
        known = [v for v in values if v is not None]
        return {"count": len(values), "never": len(values) - len(known), "p50": percentile(known, 0.5),
                "p99": percentile(known, 0.99), "max": max(known) if known else None}

    print(json.dumps({
        "subscribers": len(subscribers), "rooms": args.rooms, "rate": args.rate,
        "sent": len(messages), "acknowledged": sum(1 for m in messages if m[1] is not None),
        "failed_attempts": sum(1 for a in attempts if a[2] not in (200, 201)),
        "first_send_s": min(after_kill) if after_kill else None,
        "in_flight_acked_s": max(in_flight) if in_flight else None,
        "retry_s": statistics.median(s.retry_s for s in subscribers),
        "resumed_s": summary(resumed), "caught_up_s": summary(caught_up),
        "gaps": sum(s.gaps for s in subscribers), "duplicates": sum(s.duplicates for s in subscribers),
        "behind": sum(max(0, newest.get(s.room, 0) - s.last_id) for s in subscribers),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
