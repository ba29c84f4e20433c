#!/usr/bin/env python3
"""A server told to stop (SIGTERM) writes out what its streams' readers have not taken
yet before it closes them, as it does for every other answer (docs/architecture.md,
"Shutdown"), on loopback.

A subscriber with a 4 KiB receive window reads nothing while ~600 KB is published, so
part of it waits in the server (chatapp_unsent_bytes; --stream-backlog 8192 keeps the
stream open). Then SIGTERM, and only then the subscriber reads: it must get every
message, in order, then the end of the stream, and the server must exit 0. A stream the
server writes itself (StreamWriter) is no QTcpSocket, so the shutdown must wait for it
on its own. Bounded: the whole file ends within a minute."""

import http.client
import os
import signal
import socket
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import HOST, Failure, Server, bound_whole_file, check, wait_until  # noqa: E402

WHOLE_FILE_SECONDS = 60
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TEXT = "q" * 3900
MESSAGES = 150


def metric(server, name):
    text = server.get("/metrics")
    text = text.decode() if isinstance(text, bytes) else text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def run(server):
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
                   "output to wait in the server for the reader")
        server.process.send_signal(signal.SIGTERM)
        received = b""
        reader.settimeout(10)
        while True:
            chunk = reader.recv(1 << 16)
            if not chunk:
                break
            received += chunk
        ids = [int(line[4:]) for line in received.split(b"\n") if line.startswith(b"id: ")]
        check(ids == list(range(1, MESSAGES + 1)),
              "the reader got %d of %d messages before the stream ended (last %r)"
              % (len(ids), MESSAGES, ids[-1:]))
        status = server.process.wait(timeout=10)
        check(status == 0, "the server exited %d" % status)
    finally:
        reader.close()


def main():
    bound_whole_file(WHOLE_FILE_SECONDS)
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir, os.path.join(data_dir, "server.log"),
                        ["--stream-backlog", "8192", "--send-rate", "100000", "--send-burst", "100000"])
        try:
            run(server)
            print("PASS a stopping server writes out what its streams' readers had not taken")
            return 0
        except (Failure, OSError) as failure:
            print("FAIL", repr(failure), "\nserver log:", server.stderr)
            return 1
        finally:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
