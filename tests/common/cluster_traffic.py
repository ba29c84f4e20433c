"""Traffic for a cluster (cluster_for_tests.py), standard library only: a paced sender
whose every send carries its own Idempotency-Key and is retried with it until answered
201 or 200, and subscribers (Server-Sent Events resumed with Last-Event-ID, long polls)
that record every entry they are given, with when. Times are time.monotonic()."""

import http.client
import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time

HOST = "127.0.0.1"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Send:
    __slots__ = ("key", "room", "port", "due", "started", "acked", "status", "id", "attempts", "failures")

    def __init__(self, key, room, port, due):
        self.key, self.room, self.port, self.due = key, room, port, due
        self.started = self.acked = self.status = self.id = None
        self.attempts = 0
        self.failures = []  # (time, what) of each attempt that did not end in 201/200

    def as_list(self):
        return [getattr(self, name) for name in self.__slots__]

    @classmethod
    def from_list(cls, values):
        send = cls.__new__(cls)
        for name, value in zip(cls.__slots__, values):
            setattr(send, name, value)
        return send


class SenderShard:
    """Offers sends number `shard`, `shard + shards`, ... of a run of `rate` sends a
    second for `seconds` over `rooms`, send i due at start + i / rate, each to the next
    of `ports` (nginx's or nodes'), from `workers` threads on keep-alive connections. A
    worker held by a slow send leaves the next to another, so a stall does not lower the
    offered rate unless every worker is held. A retry goes to the next port, as a client
    that knows several nodes would. The text of each send is its key, so the store can be
    checked for it."""

    def __init__(self, ports, rooms, rate, seconds, prefix, start, shard=0, shards=1, workers=48,
                 request_timeout=1.0, port_rest=1.0, give_up_after=60.0):
        self.ports, self.rooms, self.rate, self.seconds = list(ports), list(rooms), rate, seconds
        self.prefix, self.start_time, self.workers = prefix, start, workers
        self.request_timeout, self.port_rest, self.give_up_after = request_timeout, port_rest, give_up_after
        self._down_until = {}
        self.sends = []
        self._lock = threading.Lock()
        self._numbers = itertools.count(shard, shards)

    def run(self):
        threads = [threading.Thread(target=self._work, daemon=True) for _ in range(self.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _work(self):
        connections = {}
        try:
            while True:
                with self._lock:
                    number = next(self._numbers)
                due = self.start_time + number / self.rate
                if due >= self.start_time + self.seconds:
                    return
                send = Send("%s-%06d" % (self.prefix, number), self.rooms[number % len(self.rooms)],
                            self.ports[number % len(self.ports)], due)
                with self._lock:
                    self.sends.append(send)
                pause = due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)  # pacing the offered load, not waiting for a result
                self._deliver(send, connections)
        finally:
            for connection in connections.values():
                connection.close()

    def _usable_port(self, index):
        """The port at `index` or, if it failed within port_rest seconds, the next that
        did not (as nginx's max_fails does): otherwise a frozen node would hold every
        worker in turn. The one at `index` when all failed."""
        now = time.monotonic()
        for step in range(len(self.ports)):
            port = self.ports[(index + step) % len(self.ports)]
            if self._down_until.get(port, 0) <= now:
                return port
        return self.ports[index % len(self.ports)]

    def _deliver(self, send, connections):
        send.started = time.monotonic()
        body = "author=driver&text=" + send.key
        headers = dict(FORM, **{"Idempotency-Key": send.key})
        path = "/api/v1/rooms/%s/messages" % send.room
        first = self.ports.index(send.port)
        while time.monotonic() - send.started < self.give_up_after:
            port = self._usable_port(first + send.attempts)
            if send.attempts == 0:
                send.port = port
            send.attempts += 1
            connection = connections.get(port)
            if connection is None:
                connection = connections[port] = http.client.HTTPConnection(HOST, port, timeout=self.request_timeout)
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                if response.status in (200, 201):
                    send.acked, send.status = time.monotonic(), response.status
                    send.id = json.loads(data)["id"]
                    return
                send.failures.append((time.monotonic(), "HTTP %d" % response.status))
                if response.will_close:
                    connection.close()
                    del connections[port]
            except (OSError, http.client.HTTPException) as error:
                send.failures.append((time.monotonic(), type(error).__name__))
                connection.close()
                del connections[port]
                self._down_until[port] = time.monotonic() + self.port_rest
            # A client's back-off before the retry, as any well-behaved client has.
            time.sleep(0.05)


class Sender:
    """A SenderShard in each of `processes` Python processes (one interpreter lock
    would not offer 1,500 sends a second beside the subscribers); start() returns at
    once, join() collects every Send."""

    def __init__(self, ports, rooms, rate, seconds, prefix, processes=2, **options):
        self.ports, self.rooms, self.rate, self.seconds = list(ports), list(rooms), rate, seconds
        self.prefix, self.processes, self.options = prefix, processes, options
        self.sends = []

    def start(self):
        # A moment ahead, so that every process is up before the first send is due.
        self.start_time = time.monotonic() + 0.5
        self._children = []
        for shard in range(self.processes):
            arguments = dict(ports=self.ports, rooms=self.rooms, rate=self.rate, seconds=self.seconds,
                             prefix=self.prefix, start=self.start_time, shard=shard, shards=self.processes,
                             **self.options)
            self._children.append(subprocess.Popen([sys.executable, os.path.abspath(__file__), "send"],
                                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE))
            self._children[-1].stdin.write(json.dumps(arguments).encode())
            self._children[-1].stdin.close()
            self._children[-1].stdin = None  # communicate() would flush it

    def join(self, timeout):
        """Collects the sends; False if a process did not end within `timeout` s (it is killed)."""
        deadline = time.monotonic() + timeout
        finished = True
        for child in self._children:
            try:
                output, _ = child.communicate(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.communicate()
                finished = False
                continue
            self.sends += [Send.from_list(values) for values in json.loads(output or b"[]")]
        self.sends.sort(key=lambda send: send.key)
        return finished

    def kill(self):
        for child in getattr(self, "_children", []):
            if child.poll() is None:
                child.kill()
            child.wait()

    def offered_rate(self):
        """Sends started per second from the first due to the last start, and the 99th
        percentile of how late a first attempt started after it was due (s)."""
        started = [send.started for send in self.sends if send.started is not None]
        late = sorted(send.started - send.due for send in self.sends if send.started is not None)
        p99 = late[int(0.99 * (len(late) - 1))] if late else 0
        span = max(max(started) - self.start_time, self.seconds) if started else self.seconds
        return len(started) / span, p99

    def acked(self):
        return [send for send in self.sends if send.acked is not None]


class Subscriber:
    """Follows one room from id 0 on `ports` (the first is home). Records each entry
    given as (id, text, time) in `seen`, each (time, port, what) connection in
    `connections`, and what went wrong in `problems`."""

    def __init__(self, room, ports, label):
        self.room, self.ports, self.label = room, list(ports), label
        self.seen = []
        self.connections = []
        self.problems = []
        self.last_id = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stopping.set()
        self._interrupt()

    def join(self, timeout):
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _interrupt(self):
        pass

    def _record(self, entry, now):
        self.seen.append((entry["id"], entry.get("text"), now))
        self.last_id = entry["id"]


class Dechunker:
    """HTTP/1.1 chunked transfer coding undone as bytes arrive (nginx streams so)."""

    def __init__(self):
        self.raw = b""
        self.left = 0  # bytes of the current chunk still to come
        self.crlf = False  # the CRLF after a chunk's data still to skip
        self.done = False

    def feed(self, data):
        self.raw += data
        out = []
        while not self.done:
            if self.left:
                taken = self.raw[:self.left]
                out.append(taken)
                self.left -= len(taken)
                self.raw = self.raw[len(taken):]
                if self.left:
                    break
                self.crlf = True
            if self.crlf:
                if len(self.raw) < 2:
                    break
                self.raw, self.crlf = self.raw[2:], False
            end = self.raw.find(b"\r\n")
            if end < 0:
                break
            size = int(self.raw[:end].split(b";")[0], 16)
            self.raw = self.raw[end + 2:]
            self.done = size == 0
            self.left = size
        return b"".join(out)


class SseSubscriber(Subscriber):
    """An EventSource: on a cut it waits the server's `retry:` and reconnects with
    Last-Event-ID, to the next of its ports (another node when its own died)."""

    def __init__(self, room, ports, label):
        super().__init__(room, ports, label)
        self._socket = None
        self.retry_seconds = 0

    def _interrupt(self):
        connection = self._socket
        if connection is not None:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _run(self):
        index = 0
        while not self._stopping.is_set():
            self._follow(self.ports[index % len(self.ports)])
            if self._stopping.is_set():
                return
            index += 1
            self._stopping.wait(self.retry_seconds)

    def _follow(self, port):
        try:
            self._socket = connection = socket.create_connection((HOST, port), timeout=30)
        except OSError as error:
            self.connections.append((time.monotonic(), port, type(error).__name__))
            return
        try:
            if self._stopping.is_set():
                return
            connection.sendall(("GET /api/v1/rooms/%s/events HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n"
                                "Last-Event-ID: %d\r\n\r\n" % (self.room, HOST, self.last_id)).encode())
            received = b""
            while b"\r\n\r\n" not in received:
                chunk = connection.recv(65536)
                if not chunk:
                    raise EOFError("closed before the head")
                received += chunk
            head, _, body = received.partition(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            self.connections.append((time.monotonic(), port, status))
            if status != 200:
                self.problems.append("port %d answered %d: %r" % (port, status, body[:200]))
                return
            dechunker = Dechunker() if b"transfer-encoding: chunked" in head.lower() else None
            text = b""
            while True:
                text += dechunker.feed(body) if dechunker else body
                *events, text = text.split(b"\n\n")
                now = time.monotonic()
                for event in events:
                    self._event(event, port, now)
                if dechunker and dechunker.done:
                    break
                body = connection.recv(65536)
                if not body:
                    break
            self.connections.append((time.monotonic(), port, "closed"))
        except (OSError, ValueError, EOFError) as error:
            self.connections.append((time.monotonic(), port, type(error).__name__))
        finally:
            self._socket = None
            connection.close()

    def _event(self, event, port, now):
        fields = {}
        for line in event.decode().split("\n"):
            name, _, value = line.partition(":")
            fields[name] = value[1:] if value.startswith(" ") else value
        if "retry" in fields:
            self.retry_seconds = int(fields["retry"]) / 1000
        kind = fields.get("event", "message")
        if "data" in fields and kind == "message":
            entry = json.loads(fields["data"])
            if str(entry["id"]) != fields.get("id"):
                self.problems.append("event id %r with data id %r" % (fields.get("id"), entry["id"]))
            self._record(entry, now)
        elif kind == "reset":
            self.problems.append("reset on port %d: %s" % (port, fields.get("data")))


class PollSubscriber(Subscriber):
    """A long poller (`after=LAST&wait=`): each poll goes home first, and to the next
    port when home cannot be reached."""

    def __init__(self, room, ports, label, wait=3):
        super().__init__(room, ports, label)
        self.wait = wait
        self.refusals = 0  # polls answered other than 200 (a node behind the cursor, say)

    def _run(self):
        connections = {}
        try:
            while not self._stopping.is_set():
                for port in self.ports:
                    if self._poll(port, connections):
                        break
                else:
                    self._stopping.wait(0.05)  # every port failed: a moment before the next round
        finally:
            for connection in connections.values():
                connection.close()

    def _poll(self, port, connections):
        """One poll on `port`; False when the port could not be used."""
        connection = connections.get(port)
        if connection is None:
            connection = connections[port] = http.client.HTTPConnection(HOST, port, timeout=self.wait + 10)
        try:
            connection.request("GET", "/api/v1/rooms/%s/messages?after=%d&wait=%d&limit=1000"
                               % (self.room, self.last_id, self.wait))
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connections.append((time.monotonic(), port, type(error).__name__))
            connection.close()
            del connections[port]
            return False
        now = time.monotonic()
        if response.status != 200:
            self.refusals += 1
            self.problems.append("port %d answered %d: %r" % (port, response.status, data[:200]))
            self._stopping.wait(0.05)
            return False
        for entry in json.loads(data)["messages"]:
            self._record(entry, now)
        return True


def main(arguments):
    if arguments != ["send"]:
        print("cluster_traffic.py send < JSON of SenderShard's arguments: prints the sends as JSON")
        return 2
    shard = SenderShard(**json.load(sys.stdin))
    shard.run()
    json.dump([send.as_list() for send in shard.sends], sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
