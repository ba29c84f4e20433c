#!/usr/bin/env python3
"""Clients that do not read cannot take the server's memory, on loopback:

- 200 event streams that never read while ~4 MB is published would cost the server up to
  800 MB, each under its own 4 MiB backlog; with --output-budget 16 the server closes the
  streams with the most unsent output, largest first, its memory grows by little more
  than the budget, and a subscriber that does read still gets every message in order.
- Connections that pipeline a hundred ~800 KB history reads in one write and never read
  an answer are not read from any more once an answer waits for them: the server holds
  one answer each, not a hundred.

Memory is watched for a bounded window; the server is killed in a finally."""

import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    HOST, bound_whole_file, check, is_sanitized, metric, resident_kib, run_with_server, wait_until)
import http.client  # noqa: E402

WHOLE_FILE_SECONDS = 240
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TEXT = "z" * 3900
BUDGET_MIB = 16
NEVER_READING_STREAMS = 200
MESSAGES = 1000
# Allocator slack, Qt's per-connection objects and the store's cache: what the server
# may grow by beyond the budget itself.
MARGIN_MIB = 48




def never_reading_socket(server, request):
    reader = socket.socket()
    # A tiny receive window: the kernel takes almost nothing for this client either.
    reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    reader.connect((HOST, server.port))
    reader.sendall(request)
    return reader


def publish(server, count, prefix):
    connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        for i in range(count):
            connection.request("POST", "/api/v1/rooms/lab/messages",
                               body="author=ana&text=%s%d-%s" % (prefix, i, TEXT), headers=FORM)
            response = connection.getresponse()
            response.read()
            check(response.status == 201, "send %d answered %d" % (i, response.status))
    finally:
        connection.close()


def judge_growth(server, grown_kib, limit_mib, what):
    if is_sanitized(server.process.pid):
        # AddressSanitizer keeps freed memory in quarantine: the figure would measure that.
        print("note: AddressSanitizer build, memory growth (%d KiB) not judged" % grown_kib)
        return
    print("grew by %d KiB for %s (limit %d MiB)" % (grown_kib, what, limit_mib))
    check(grown_kib < limit_mib * 1024, "the server grew by %d KiB for %s" % (grown_kib, what))


class StreamReader(threading.Thread):
    """A subscriber that reads: collects the ids of the events it is sent."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.ids = []
        self.connection = socket.create_connection((HOST, server.port), timeout=30)
        self.connection.sendall(b"GET /api/v1/rooms/lab/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")

    def run(self):
        pending = b""
        try:
            while len(self.ids) < MESSAGES:
                chunk = self.connection.recv(1 << 16)
                if not chunk:
                    return
                pending += chunk
                *lines, pending = pending.split(b"\n")
                self.ids += [int(line[4:]) for line in lines if line.startswith(b"id: ")]
        except OSError:
            return


def never_reading_streams_stay_within_the_budget(server):
    check(server.request("PUT", "/api/v1/rooms/lab")[0] == 201, "PUT lab failed")
    readers = []
    try:
        for _ in range(NEVER_READING_STREAMS):
            readers.append(never_reading_socket(
                server, b"GET /api/v1/rooms/lab/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
        reading = StreamReader(server)
        reading.start()
        wait_until(lambda: metric(server, "chatapp_open_connections") >= NEVER_READING_STREAMS + 1, 10,
                   "the streams to be open")
        before = resident_kib(server.process.pid)
        publish(server, MESSAGES, "s")
        grown = resident_kib(server.process.pid) - before
        reading.join(30)
        judge_growth(server, grown, BUDGET_MIB + MARGIN_MIB,
                     "%d streams that never read (budget %d MiB)" % (NEVER_READING_STREAMS, BUDGET_MIB))
        check(reading.ids == list(range(1, MESSAGES + 1)),
              "the reading subscriber got %d ids, first gaps at %r" % (
                  len(reading.ids), [i for i in range(1, MESSAGES + 1) if i not in set(reading.ids)][:3]))
        evicted = metric(server, "chatapp_connections_evicted_total")
        check(evicted and evicted > 0, "no connection was closed for the budget (%r)" % evicted)
        unsent = metric(server, "chatapp_unsent_bytes")
        check(unsent is not None and unsent <= BUDGET_MIB * 1024 * 1024,
              "%r bytes unsent, over the %d MiB budget" % (unsent, BUDGET_MIB))
    finally:
        for reader in readers:
            reader.close()


def pipelined_reads_never_read_stop_being_parsed(server):
    check(server.request("PUT", "/api/v1/rooms/lab")[0] == 201, "PUT lab failed")
    publish(server, 200, "h")
    read = b"GET /api/v1/rooms/lab/messages?after=0&limit=200 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    answer_kib = 200 * len(TEXT) // 1024
    before = resident_kib(server.process.pid)
    clients = [never_reading_socket(server, read * 100) for _ in range(4)]
    try:
        # Long enough for a server that parses all 400 reads to have answered them all
        # (well under a second here); what it grows by in that time is the figure.
        peak = before
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            peak = max(peak, resident_kib(server.process.pid))
            time.sleep(0.05)
        judge_growth(server, peak - before, 4 * answer_kib // 1024 + MARGIN_MIB,
                     "4 clients pipelining 100 reads of %d KiB each and reading none" % answer_kib)
        status, _, _ = server.request("GET", "/healthz")
        check(status == 200, "the server did not answer another client: %d" % status)
    finally:
        for client in clients:
            client.close()


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(WHOLE_FILE_SECONDS)
    failures = run_with_server(binary, ["--output-budget", str(BUDGET_MIB)],
                               (never_reading_streams_stay_within_the_budget,))
    failures += run_with_server(binary, [], (pipelined_reads_never_read_stop_being_parsed,))
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
