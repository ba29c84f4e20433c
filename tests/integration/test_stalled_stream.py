#!/usr/bin/env python3
"""A stream whose reader stopped reading is closed by the idle timeout, on loopback.

Its backlog bound is set high (--stream-backlog 8192), so only the idle timeout
(--idle-timeout 2) can end it: a never-reading subscriber with a 4 KiB receive window is
sent ~800 KB, more than the kernel holds, so output waits in the server
(chatapp_unsent_bytes) with nothing going into the kernel. Within a few seconds the
server must close the connection and count nothing unsent. A stream the server writes
itself (StreamWriter) has no QTcpSocket to report its silence; the guard's sweep looks
at writers with output waiting. Bounded: the whole file ends within a minute."""

import http.client
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import HOST, bound_whole_file, check, run_with_server, wait_until  # noqa: E402

WHOLE_FILE_SECONDS = 60
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TEXT = "s" * 3900
MESSAGES = 200


def metric(server, name):
    text = server.get("/metrics")
    text = text.decode() if isinstance(text, bytes) else text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def a_reader_that_stopped_reading_is_closed_by_the_idle_timeout(server):
    check(server.request("PUT", "/api/v1/rooms/lab")[0] == 201, "PUT lab failed")
    reader = socket.socket()
    reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    reader.connect((HOST, server.port))
    reader.sendall(b"GET /api/v1/rooms/lab/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    try:
        wait_until(lambda: metric(server, "chatapp_open_connections") >= 1, 5, "the stream to be open")
        connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
        try:
            for i in range(MESSAGES):
                connection.request("POST", "/api/v1/rooms/lab/messages",
                                   body="author=ana&text=%d-%s" % (i, TEXT), headers=FORM)
                response = connection.getresponse()
                response.read()
                check(response.status == 201, "send %d answered %d" % (i, response.status))
        finally:
            connection.close()
        wait_until(lambda: (metric(server, "chatapp_unsent_bytes") or 0) > 0, 5,
                   "output to wait for the reader that does not read")
        started = time.monotonic()
        wait_until(lambda: metric(server, "chatapp_unsent_bytes") == 0
                   and metric(server, "chatapp_open_connections") <= 1, 10,
                   lambda: "the stalled stream to be closed (unsent %r, open %r)" % (
                       metric(server, "chatapp_unsent_bytes"), metric(server, "chatapp_open_connections")))
        print("closed %.1f s after its output stalled" % (time.monotonic() - started))
        # The server's side is gone: once what the kernel held is read, the stream ends.
        reader.settimeout(10)
        while reader.recv(1 << 16):
            pass
    finally:
        reader.close()


def main():
    bound_whole_file(WHOLE_FILE_SECONDS)
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    failures = run_with_server(binary, ["--idle-timeout", "2", "--stream-backlog", "8192",
                                        "--send-rate", "100000", "--send-burst", "100000"],
                               [a_reader_that_stopped_reading_is_closed_by_the_idle_timeout])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
