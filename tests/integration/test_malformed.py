#!/usr/bin/env python3
"""Requests an attacker crafts by hand, sent as raw bytes over loopback: conflicting
Content-Length, Transfer-Encoding with Content-Length (request smuggling), NUL bytes,
thousands of headers, garbage instead of HTTP, garbage pipelined after a good request.
Each gets its 4xx or a closed connection, nothing of it is stored, and the server goes
on serving. Bounded by an alarm; the server is killed in a finally."""

import os
import signal
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    Failure, Server, bound_whole_file, check, exchange_until_closed, run_checks, stored_texts)

WHOLE_FILE_SECONDS = 40
# How long a refused connection may take to close.
CLOSE_SECONDS = 3
FORM = b"Content-Type: application/x-www-form-urlencoded\r\n"


def refused_and_closed(server, data, status, code, text):
    answer, closed = exchange_until_closed(server, data, CLOSE_SECONDS)
    check(answer.startswith(b"HTTP/1.1 %d " % status), "answered %r, expected %d" % (answer[:60], status))
    check(b'"code":"%s"' % code.encode() in answer, "no %s in %r" % (code, answer[-200:]))
    check(closed, "the connection stayed open after a request that could be read two ways")
    check(text not in stored_texts(server), "%r was stored" % text)


def conflicting_content_lengths_are_refused(server):
    refused_and_closed(server, b"POST /api/v1/rooms/lab/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n" + FORM +
                       b"Content-Length: 20\r\nContent-Length: 5\r\n\r\nauthor=a&text=twocls",
                       400, "invalid_header", "twocls")


def transfer_encoding_with_content_length_is_refused(server):
    refused_and_closed(server, b"POST /api/v1/rooms/lab/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n" + FORM +
                       b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"15\r\nauthor=a&text=smuggle\r\n0\r\n\r\n", 400, "invalid_header", "smuggle")


def nul_in_path_is_400(server):
    answer, _ = exchange_until_closed(server, b"GET /api/v1/rooms/la\x00b HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", CLOSE_SECONDS)
    check(answer.startswith(b"HTTP/1.1 400 "), "a NUL in the path got %r" % answer[:60])


def garbage_is_dropped(server):
    answer, closed = exchange_until_closed(server, b"\x00\x01\x02 not http\r\n\r\n", CLOSE_SECONDS)
    check(closed and not answer.startswith(b"HTTP/1.1 2"), "garbage got %r (closed: %s)" % (answer[:60], closed))


def thousands_of_headers_do_not_hurt(server):
    headers = b"".join(b"X-%d: y\r\n" % i for i in range(3000))
    answer, _ = exchange_until_closed(server, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + b"Connection: close\r\n\r\n", CLOSE_SECONDS)
    check(answer.startswith(b"HTTP/1.1 200 ") or answer.startswith(b"HTTP/1.1 4"),
          "3,000 headers got %r" % answer[:60])


def garbage_after_a_good_request_is_not_stored(server):
    exchange_until_closed(server, b"POST /api/v1/rooms/lab/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n" + FORM +
                          b"Content-Length: 21\r\n\r\nauthor=a&text=goodone" + b"\r\nNOT HTTP\x00\r\n\r\n", CLOSE_SECONDS)
    texts = stored_texts(server)
    check(texts.count("goodone") <= 1, "the good request was stored %d times" % texts.count("goodone"))


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")

    bound_whole_file(WHOLE_FILE_SECONDS)
    failures = 0
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir, os.path.join(data_dir, "server.log"))
        try:
            check(server.request("PUT", "/api/v1/rooms/lab")[0] == 201, "PUT lab failed")
            failures += run_checks((conflicting_content_lengths_are_refused,
                                    transfer_encoding_with_content_length_is_refused, nul_in_path_is_400,
                                    garbage_is_dropped, thousands_of_headers_do_not_hurt,
                                    garbage_after_a_good_request_is_not_stored), server)
            check(server.process.poll() is None, "the server died: %s" % server.stderr)
            check(server.request("GET", "/healthz")[0] == 200, "the server stopped serving")
        except Failure as failure:
            failures += 1
            print("FAIL", failure)
        finally:
            server.kill()
    signal.alarm(0)
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
