#!/usr/bin/env python3
"""A stream whose reader stopped reading is closed by the idle timeout, on loopback.

Its backlog bound is set high (--stream-backlog 8192), so only the idle timeout
(--idle-timeout 2) can end it: a never-reading subscriber with a 4 KiB receive window is
sent ~800 KB, more than the kernel holds, so output waits in the server
(chatapp_unsent_bytes) with nothing going into the kernel. Within a few seconds the
server must close the connection and count nothing unsent. A stream the server writes
itself (StreamWriter) has no QTcpSocket to report its silence; the guard's sweep looks
at writers with output waiting. Bounded: the whole file ends within a minute."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import bound_whole_file, metric, run_with_server, stalled_reader, wait_until  # noqa: E402

WHOLE_FILE_SECONDS = 60
TEXT = "s" * 3900
MESSAGES = 200




def a_reader_that_stopped_reading_is_closed_by_the_idle_timeout(server):
    reader = stalled_reader(server, MESSAGES, TEXT)
    try:
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
