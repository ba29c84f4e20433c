#!/usr/bin/env python3
"""A flooded room loses nothing it accepted (docs/security.md, docs/api.md).

Eight senders post as fast as their acknowledgements allow for ten seconds while
three SSE subscribers (one deliberately slow, reading a little each second, with a
small receive buffer) and three long-poll subscribers follow the room, each resuming
after any disconnect from the last id it saw. The server is started with a small
stream backlog so the slow reader really is cut off and has to resume. Afterwards
every subscriber must have seen exactly the ids 1..N, in order, and every id a sender
was answered 201 for must be among them. Bounded: the whole file ends within a minute.

Set FLOOD_BREAK_RESUME=1 to resume streams without Last-Event-ID: the test must then
fail, which shows it can."""

import http.client
import json
import os
import signal
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import HOST, Failure, Server, bound_whole_file, check, wait_until  # noqa: E402

WHOLE_FILE_SECONDS = 60
FLOOD_SECONDS = 10
SENDERS = 8
ROOM = "flood"
BREAK_RESUME = os.environ.get("FLOOD_BREAK_RESUME") == "1"


class Subscriber(threading.Thread):
    def __init__(self, server, name):
        super().__init__(daemon=True, name=name)
        self.server = server
        self.ids = []
        self.resumes = 0
        self.stop = threading.Event()
        self.error = None

    def run(self):
        try:
            while not self.stop.is_set():
                self.follow()
        except Exception as error:  # reported by the main thread, never swallowed
            self.error = "%s: %r" % (self.name, error)

    def last_id(self):
        return self.ids[-1] if self.ids else 0


class StreamSubscriber(Subscriber):
    def __init__(self, server, name, slow=False, slow_until=None):
        super().__init__(server, name)
        self.slow = slow
        self.slow_until = slow_until

    def follow(self):
        connection = socket.socket()
        if self.slow:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        connection.settimeout(2)
        try:
            connection.connect((HOST, self.server.port))
            cursor = "" if BREAK_RESUME and self.resumes else "Last-Event-ID: %d\r\n" % self.last_id()
            connection.sendall(("GET /api/v1/rooms/%s/events HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n" % (ROOM, cursor)).encode())
            buffered = b""
            head_done = False
            while not self.stop.is_set():
                slow_now = self.slow and time.monotonic() < self.slow_until
                try:
                    chunk = connection.recv(2048 if slow_now else 65536)
                except socket.timeout:
                    continue
                if not chunk:
                    break  # cut off: resume
                buffered += chunk
                if not head_done:
                    if b"\r\n\r\n" not in buffered:
                        continue
                    head, buffered = buffered.split(b"\r\n\r\n", 1)
                    check(head.startswith(b"HTTP/1.1 200"), "%s: stream answered %r" % (self.name, head[:40]))
                    head_done = True
                lines = buffered.split(b"\n")
                buffered = lines.pop()
                for line in lines:
                    if line.startswith(b"id: "):
                        self.ids.append(int(line[4:]))
                if slow_now:
                    time.sleep(0.25)
        except (ConnectionError, socket.timeout):
            pass
        finally:
            connection.close()
        if not self.stop.is_set():
            self.resumes += 1


class PollSubscriber(Subscriber):
    def follow(self):
        connection = http.client.HTTPConnection(HOST, self.server.port, timeout=10)
        try:
            while not self.stop.is_set():
                connection.request("GET", "/api/v1/rooms/%s/messages?after=%d&limit=1000&wait=2"
                                   % (ROOM, self.last_id()))
                response = connection.getresponse()
                page = json.loads(response.read())
                check(response.status == 200, "%s: poll answered %d" % (self.name, response.status))
                self.ids.extend(message["id"] for message in page["messages"])
        except (ConnectionError, http.client.HTTPException, socket.timeout):
            self.resumes += 1
        finally:
            connection.close()


def sender(server, index, deadline, acknowledged, refused):
    connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
    sequence = 0
    while time.monotonic() < deadline:
        sequence += 1
        body = "author=s%d&text=m%d" % (index, sequence)
        try:
            connection.request("POST", "/api/v1/rooms/%s/messages" % ROOM, body=body,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            data = response.read()
        except (ConnectionError, http.client.HTTPException, socket.timeout):
            connection.close()
            connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
            continue
        if response.status == 201:
            acknowledged.append(json.loads(data)["id"])
        else:
            refused.append(response.status)
    connection.close()


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")

    bound_whole_file(WHOLE_FILE_SECONDS)

    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir, os.path.join(data_dir, "server.log"),
                        ["--stream-backlog", "16", "--send-rate", "1000000", "--send-burst", "1000000"])
        subscribers = []
        try:
            status, _, _ = server.request("PUT", "/api/v1/rooms/" + ROOM)
            check(status == 201, "PUT answered %d" % status)
            flood_ends = time.monotonic() + 1 + FLOOD_SECONDS
            subscribers = [StreamSubscriber(server, "sse-%d" % i) for i in range(2)]
            subscribers.append(StreamSubscriber(server, "sse-slow", slow=True, slow_until=flood_ends))
            subscribers += [PollSubscriber(server, "poll-%d" % i) for i in range(3)]
            for subscriber in subscribers:
                subscriber.start()
            time.sleep(1)  # every subscriber is following before the first send

            acknowledged, refused = [], []
            senders = [threading.Thread(target=sender, args=(server, i, flood_ends, acknowledged, refused))
                       for i in range(SENDERS)]
            for thread in senders:
                thread.start()
            for thread in senders:
                thread.join(FLOOD_SECONDS + 15)
            last_id = server.get("/api/v1/rooms/" + ROOM)["last_id"]
            check(len(acknowledged) > 500, "only %d sends acknowledged" % len(acknowledged))
            check(sorted(acknowledged) == sorted(set(acknowledged)), "an id was acknowledged twice")
            check(max(acknowledged) <= last_id, "a 201 for id %d beyond the room's last %d" % (max(acknowledged), last_id))

            def caught_up():
                errors = [s.error for s in subscribers if s.error]
                check(not errors, "; ".join(errors))
                return all(s.last_id() >= last_id for s in subscribers)
            try:
                wait_until(caught_up, 20, lambda: "subscribers to reach id %d: %s" % (
                    last_id, ", ".join("%s at %d" % (s.name, s.last_id()) for s in subscribers)))
            except Failure as failure:
                if not BREAK_RESUME:
                    raise
                print("caught up never (expected with FLOOD_BREAK_RESUME): %s" % failure)
            expected = list(range(1, last_id + 1))
            problems = []
            for subscriber in subscribers:
                if subscriber.ids != expected:
                    seen = set(subscriber.ids)
                    problems.append("%s: %d ids, %d missing, %d duplicated, in order: %s" % (
                        subscriber.name, len(subscriber.ids), len(set(expected) - seen),
                        len(subscriber.ids) - len(seen), subscriber.ids == sorted(subscriber.ids)))
            check(set(acknowledged) <= set(expected), "a 201 id is not in the room")
            slow = subscribers[2]
            print("flood: %d sends acknowledged (%d refused) in %d s, %d ids; resumes: %s" % (
                len(acknowledged), len(refused), FLOOD_SECONDS, last_id,
                ", ".join("%s %d" % (s.name, s.resumes) for s in subscribers)))
            check(slow.resumes > 0, "the slow reader was never cut off, so resuming went untested")
            check(not problems, "; ".join(problems))
            print("PASS every subscriber saw exactly 1..%d in order" % last_id)
            return 0
        except Failure as failure:
            print("FAIL", failure)
            return 1
        finally:
            for subscriber in subscribers:
                subscriber.stop.set()
            server.kill()
            signal.alarm(0)


if __name__ == "__main__":
    sys.exit(main())
