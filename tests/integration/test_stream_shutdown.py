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

import os
import signal
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import Failure, Server, bound_whole_file, check, stalled_reader  # noqa: E402

WHOLE_FILE_SECONDS = 60
TEXT = "q" * 3900
MESSAGES = 150




def run(server):
    reader = stalled_reader(server, MESSAGES, TEXT)
    try:
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
