#!/usr/bin/env python3
"""2,000 event streams in one room, a quarter of them slow readers, lose nothing
(issue 17: streams written straight to their descriptors).

The slow quarter has a 4 KiB receive buffer and reads 2 KiB a tenth of a second while
messages are sent, so the server's kernel buffer for it fills, then its stream backlog
(--stream-backlog 16), and the server cuts it off. Every stream, cut or not, resumes
with Last-Event-ID from the last id it saw; once sending stops the slow ones read
freely. Then every stream must have seen exactly the acknowledged ids, once each, in
order, every event whole (its data names its id), and the slow streams must really have
been cut and resumed. One thread, non-blocking sockets, 127.0.0.1 only; bounded: the
whole file ends within WHOLE_FILE_SECONDS.

Set STREAM_FANOUT_BREAK_RESUME=1 to resume without Last-Event-ID: the test must then
fail, which shows it can."""

import http.client
import os
import resource
import selectors
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import HOST, Failure, Server, bound_whole_file, check  # noqa: E402

WHOLE_FILE_SECONDS = 240
DELIVERY_SECONDS = 150
# Every stream reads freely by then: this long with nothing new for any means stuck.
STALL_SECONDS = 20
STREAMS = 2000
SLOW_SHARE = 4  # one stream in SLOW_SHARE is slow
MESSAGES = 160
SENDERS = 2
TEXT = "t" * 3900  # ~4 KB an event: 160 of them overrun a slow reader's kernel buffer and backlog
ROOM = "fanout"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
BREAK_RESUME = os.environ.get("STREAM_FANOUT_BREAK_RESUME") == "1"


class Stream:
    def __init__(self, index, port):
        self.index = index
        self.port = port
        self.slow = index % SLOW_SHARE == 0
        self.ids = []
        self.errors = []
        self.connects = 0
        self.socket = None
        self.buffer = b""
        self.head_done = False
        self.next_read = 0.0

    def connect(self):
        self.connects += 1
        connection = socket.socket()
        if self.slow:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        connection.settimeout(10)
        connection.connect((HOST, self.port))
        resume = self.ids and not BREAK_RESUME
        cursor = "Last-Event-ID: %d\r\n" % self.ids[-1] if resume else ""
        connection.sendall(("GET /api/v1/rooms/%s/events HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n"
                            % (ROOM, cursor)).encode())
        connection.setblocking(False)
        self.socket = connection
        self.buffer = b""
        self.head_done = False

    def take(self, chunk):
        self.buffer += chunk
        if not self.head_done:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not self.buffer.startswith(b"HTTP/1.1 200 "):
                self.errors.append("answered %r" % self.buffer[:40])
            self.buffer = self.buffer[end + 4:]
            self.head_done = True
        at = 0
        while True:
            end = self.buffer.find(b"\n\n", at)
            if end < 0:
                break
            event = self.buffer[at:end]
            at = end + 2
            if not event.startswith(b"id: "):
                continue  # retry:, a keep-alive comment
            line_end = event.find(b"\n")
            try:
                number = int(event[4:line_end])
            except ValueError:
                self.errors.append("damaged event %r" % event[:60])
                continue
            if not event[line_end:].startswith(b"\nevent: message\ndata: {") \
                    or (b'"id":%d,' % number) not in event or not event.endswith(b'"}'):
                self.errors.append("damaged event %d: %r" % (number, event[:80]))
            self.ids.append(number)
        self.buffer = self.buffer[at:]


def raise_descriptor_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = STREAMS * 2 + 200  # ours, and the server's (it inherits the limit)
    check(hard >= wanted, "RLIMIT_NOFILE hard limit %d, below the %d the test needs" % (hard, wanted))
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def send_all(port, count, acked, failures):
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        for i in range(count):
            connection.request("POST", "/api/v1/rooms/%s/messages" % ROOM,
                               body="author=ana&text=%s" % TEXT, headers=FORM)
            response = connection.getresponse()
            body = response.read()
            if response.status != 201:
                failures.append("send %d answered %d %r" % (i, response.status, body[:100]))
                return
            text = body.decode()
            acked.append(int(text.split('"id":', 1)[1].split(",", 1)[0].split("}", 1)[0]))
    except Exception as error:  # reported by the main thread
        failures.append("sender: %r" % error)
    finally:
        connection.close()


def run(server):
    status = server.request("PUT", "/api/v1/rooms/%s" % ROOM)[0]
    check(status in (200, 201), "PUT room answered %d" % status)
    streams = [Stream(i, server.port) for i in range(STREAMS)]
    selector = selectors.DefaultSelector()
    for stream in streams:
        stream.connect()
        selector.register(stream.socket, selectors.EVENT_READ, stream)

    def pump(wait, sending):
        now = time.monotonic()
        for key, _ in selector.select(wait):
            stream = key.data
            if stream.slow and sending:
                if now < stream.next_read:
                    continue
                stream.next_read = now + 0.1
                size = 2048
            else:
                size = 1 << 16
            try:
                chunk = stream.socket.recv(size)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                chunk = b""
            if chunk:
                stream.take(chunk)
                continue
            # Cut off (or gone): resume where it stopped.
            selector.unregister(stream.socket)
            stream.socket.close()
            stream.connect()
            selector.register(stream.socket, selectors.EVENT_READ, stream)

    # Every stream has its head before the first message.
    deadline = time.monotonic() + 60
    while not all(stream.head_done for stream in streams):
        check(time.monotonic() < deadline, "%d streams without an answer after 60 s"
              % sum(not s.head_done for s in streams))
        pump(0.1, False)

    acked, failures = [], []
    senders = [threading.Thread(target=send_all, args=(server.port, MESSAGES // SENDERS, acked, failures),
                                daemon=True) for _ in range(SENDERS)]
    for sender in senders:
        sender.start()
    while any(sender.is_alive() for sender in senders):
        # A slow reader only wakes to read a little; others are read as they come.
        pump(0.02, True)
    check(not failures, "sends failed: %s" % failures[:3])
    expected = sorted(acked)
    check(expected == list(range(1, MESSAGES + 1)), "acknowledged ids %r..." % expected[:5])

    deadline = time.monotonic() + DELIVERY_SECONDS
    progress, progress_at = -1, time.monotonic()
    while any(len(s.ids) < MESSAGES and not s.errors for s in streams):
        now = time.monotonic()
        received = sum(len(s.ids) for s in streams)
        if received != progress:
            progress, progress_at = received, now
        if now > deadline or now - progress_at > STALL_SECONDS:
            behind = [s for s in streams if len(s.ids) < MESSAGES]
            raise Failure("%d streams still behind after %.0f s, %.0f s without news (first: stream %d has %d "
                          "ids, slow=%s)" % (len(behind), DELIVERY_SECONDS - (deadline - now), now - progress_at,
                                             behind[0].index, len(behind[0].ids), behind[0].slow))
        pump(0.1, False)

    for stream in streams:
        check(not stream.errors, "stream %d (slow=%s): %s" % (stream.index, stream.slow, stream.errors[:2]))
        check(stream.ids == expected, "stream %d (slow=%s, %d connections) got %d ids, not each of 1..%d once in "
              "order: first wrong at %r" % (stream.index, stream.slow, stream.connects, len(stream.ids), MESSAGES,
                                            next((i for i, (a, b) in enumerate(zip(stream.ids, expected)) if a != b),
                                                 len(stream.ids))))
    slow = [s for s in streams if s.slow]
    cut = sum(s.connects > 1 for s in slow)
    print("%d streams got all %d messages; %d of %d slow streams were cut and resumed (%d resumes in all)"
          % (STREAMS, MESSAGES, cut, len(slow), sum(s.connects - 1 for s in streams)))
    check(cut >= len(slow) // 2, "only %d of %d slow streams were cut: the test did not test resuming"
          % (cut, len(slow)))
    for stream in streams:
        stream.socket.close()


def main():
    bound_whole_file(WHOLE_FILE_SECONDS)
    raise_descriptor_limit()
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir, os.path.join(data_dir, "server.log"),
                        ["--stream-backlog", "16", "--max-connections", str(STREAMS + 100),
                         "--send-rate", "100000", "--send-burst", "100000"])
        try:
            run(server)
            check(server.process.poll() is None, "the server died: %s" % server.stderr)
            print("PASS every acknowledged message reached every stream once, in order")
            return 0
        except (Failure, OSError) as failure:
            died = "" if server.process.poll() is None else " (the server died)"
            print("FAIL", repr(failure) + died, "\nserver log:", server.stderr)
            return 1
        finally:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
