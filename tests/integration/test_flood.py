#!/usr/bin/env python3
"""A flooded room loses nothing it accepted (docs/security.md, docs/api.md).

Eight senders post as fast as their acknowledgements allow for ten seconds, mixing
edits, deletions and reactions into their messages (a third of what they do), while
three SSE subscribers (one deliberately slow, reading a little each second, with a
small receive buffer) and three long-poll subscribers follow the room, each resuming
after any disconnect from the last id it saw. The server is started with a small
stream backlog so the slow reader really is cut off and has to resume. Afterwards
every subscriber must have seen exactly the ids 1..N, in order, and every id a sender
was answered 201 for must be among them; and what each built by applying the entries it
saw must be the state history gives. Bounded: the whole file ends within a minute.

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
import urllib.parse

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
        self.entries = []
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
            event_id = event_data = None
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
                    # An event counts once whole (its blank line came): one cut in the
                    # middle is resumed from the event before it.
                    if line.startswith(b"id: "):
                        event_id = int(line[4:])
                    elif line.startswith(b"data: "):
                        event_data = line[6:]
                    elif not line.strip():
                        if event_id is not None:
                            self.ids.append(event_id)
                            self.entries.append(json.loads(event_data))
                        event_id = event_data = None
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
                self.entries.extend(page["messages"])
        except (ConnectionError, http.client.HTTPException, socket.timeout):
            self.resumes += 1
        finally:
            connection.close()


def apply(state, entry):
    """What a follower does with an entry (docs/api.md, Conventions). Who reacted is a set:
    a change applied on a page that already shows it can reorder names, not change them."""
    kind = entry.get("type")
    if kind is None:
        state[entry["id"]] = [entry["text"], entry.get("deleted", False),
                              {r["emoji"]: set(r["names"]) for r in entry.get("reactions", [])}]
        return
    message = state[entry["target"]]
    if kind == "edit" and not message[1]:
        message[0] = entry["text"]
    elif kind == "delete":
        message[0], message[1] = "", True
    elif kind == "react":
        message[2].setdefault(entry["emoji"], set()).add(entry["author"])
    elif kind == "unreact" and entry["author"] in message[2].get(entry["emoji"], set()):
        message[2][entry["emoji"]].discard(entry["author"])
        if not message[2][entry["emoji"]]:
            del message[2][entry["emoji"]]


def state_of(entries):
    state = {}
    for entry in entries:
        apply(state, entry)
    return state


def change(connection, index, sequence, own, everyone):
    """An edit, deletion or reaction for every third of a sender's requests: (method, path,
    body, headers, statuses that are right), or None when it has nothing to change yet."""
    if not own:
        return None
    kind = (sequence // 3) % 9
    target = own[(sequence * 7) % len(own)]
    secret = {"Author-Secret": "flood-sender-secret-%d" % index}
    messages = "/api/v1/rooms/%s/messages/%d" % (ROOM, target)
    if kind == 1:
        return "PATCH", messages, "text=m%d-edited-%d" % (index, sequence), \
            {**secret, "Content-Type": "application/x-www-form-urlencoded"}, (200, 409)
    if kind == 4:
        return "DELETE", messages, None, secret, (200,)
    other = everyone[(sequence * 13) % len(everyone)]
    reactions = "/api/v1/rooms/%s/messages/%d/reactions" % (ROOM, other)
    emoji = ("👍", "🎉", "👀")[sequence % 3]
    if kind == 7:
        return "DELETE", reactions + "?author=s%d&emoji=%s" % (index, urllib.parse.quote(emoji)), None, {}, (200, 409)
    return "POST", reactions, json.dumps({"author": "s%d" % index, "emoji": emoji}), \
        {"Content-Type": "application/json"}, (200, 201, 409)


def sender(server, index, deadline, acknowledged, refused, changes):
    connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
    sequence = 0
    own = []
    while time.monotonic() < deadline:
        sequence += 1
        request = change(connection, index, sequence, own, acknowledged) if sequence % 3 == 0 else None
        if request is None:
            body = "author=s%d&text=m%d" % (index, sequence)
            request = ("POST", "/api/v1/rooms/%s/messages" % ROOM, body,
                       {"Content-Type": "application/x-www-form-urlencoded",
                        "Author-Secret": "flood-sender-secret-%d" % index}, (201,))
        method, path, body, headers, right = request
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except (ConnectionError, http.client.HTTPException, socket.timeout):
            connection.close()
            connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
            continue
        if response.status not in right:
            refused.append((method, response.status))
        elif method == "POST" and path.endswith("/messages"):
            acknowledged.append(json.loads(data)["id"])
            own.append(acknowledged[-1])
        else:
            changes.append(method)
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

            acknowledged, refused, changes = [], [], []
            senders = [threading.Thread(target=sender, args=(server, i, flood_ends, acknowledged, refused, changes))
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
            history = []
            while len(history) < last_id:
                page = server.get("/api/v1/rooms/%s/messages?after=%d&limit=1000" % (ROOM, len(history)))
                history.extend(page["messages"])
            truth = state_of(history)
            for subscriber in subscribers:
                built = state_of(subscriber.entries) if subscriber.ids == expected else truth
                differing = [key for key in truth if built.get(key) != truth[key]]
                if differing:
                    first = differing[0]
                    problems.append("%s: the state built from its entries is not history's for %d messages, "
                                    "first %d: %r, history %r; its entries about it: %r" % (
                                        subscriber.name, len(differing), first, built.get(first), truth[first],
                                        [e for e in subscriber.entries if first in (e["id"], e.get("target"))]))
            slow = subscribers[2]
            print("flood: %d sends and %d changes acknowledged (%d refused: %s) in %d s, %d ids; resumes: %s" % (
                len(acknowledged), len(changes), len(refused), sorted(set(refused))[:5], FLOOD_SECONDS, last_id,
                ", ".join("%s %d" % (s.name, s.resumes) for s in subscribers)))
            check(slow.resumes > 0, "the slow reader was never cut off, so resuming went untested")
            check(not refused, "changes or sends answered otherwise than expected: %r" % sorted(set(refused)))
            check(len(changes) > 100 and {"PATCH", "POST", "DELETE"} <= set(changes),
                  "too few changes in the flood: %d of %r" % (len(changes), sorted(set(changes))))
            check(not problems, "; ".join(problems))
            print("PASS every subscriber saw exactly 1..%d in order, and built history's state from them" % last_id)
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
