#!/usr/bin/env python3
"""Signing out ends what the token holds: after DELETE /api/v1/sessions/current, a
stream opened with that token is told why and closed, and a long poll it has waiting is
answered 401 invalid_token, while another token's stream and poll go on as before."""

import json
import os
import re
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    HOST, Server, bound_whole_file, check, run_checks, wait_until)

WHOLE_FILE_SECONDS = 60
PASSWORD = "correct horse battery staple"
JSON = {"Content-Type": "application/json"}
DEADLINE = 5


def token_for(server):
    status, _, body = server.request("POST", "/api/v1/sessions", body=json.dumps({"password": PASSWORD}),
                                     headers=JSON)
    check(status == 201, "signing in answered %d: %r" % (status, body))
    return body["token"]


def bearer(token):
    return {"Authorization": "Bearer " + token}


class RawRequest:
    """A GET whose answer arrives later (a stream, a held poll), read as it comes."""

    def __init__(self, server, path, token):
        self.connection = socket.create_connection((HOST, server.port), timeout=10)
        self.connection.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n\r\n"
                                 % (path, HOST, server.port, token)).encode())
        self.received = b""
        self.closed = False

    def read_until(self, condition, seconds, what):
        deadline = time.monotonic() + seconds
        while not condition(self):
            remaining = deadline - time.monotonic()
            check(remaining > 0 and not self.closed, "no %s within %d s; got %r" % (what, seconds, self.received))
            self.connection.settimeout(remaining)
            try:
                chunk = self.connection.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                chunk = b""
            self.received += chunk
            self.closed = not chunk
        return self.received

    def status(self):
        return int(self.received.split(b" ", 2)[1])

    def body(self):
        return json.loads(self.received.partition(b"\r\n\r\n")[2])

    def close(self):
        self.connection.close()


def answered(request):
    head, separator, body = request.received.partition(b"\r\n\r\n")
    length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
    return bool(separator) and length is not None and len(body) >= int(length.group(1))


def gauge(server, token, name):
    status, _, metrics = server.request("GET", "/metrics", headers=bearer(token))
    check(status == 200, "/metrics answered %d" % status)
    return int(re.search(rb"(?m)^%s (\d+)$" % name.encode(), metrics).group(1))


def send(server, token, text):
    status, _, body = server.request("POST", "/api/v1/rooms/lab/messages",
                                     body=json.dumps({"author": "ana", "text": text}),
                                     headers=dict(JSON, **bearer(token)))
    check(status == 201, "sending answered %d: %r" % (status, body))
    return body["id"]


def revoking_a_token_ends_its_streams_and_polls_only(server):
    revoked, kept = token_for(server), token_for(server)
    status, _, _ = server.request("PUT", "/api/v1/rooms/lab", headers=bearer(kept))
    check(status in (200, 201), "creating the room answered %d" % status)
    last = send(server, kept, "before")
    streams = {token: RawRequest(server, "/api/v1/rooms/lab/events", token) for token in (revoked, kept)}
    polls = {token: RawRequest(server, "/api/v1/rooms/lab/messages?after=%d&wait=30" % last, token)
             for token in (revoked, kept)}
    try:
        for stream in streams.values():
            stream.read_until(lambda r: b"retry: 2000\n\n" in r.received, DEADLINE, "stream head")
        wait_until(lambda: gauge(server, kept, "chatapp_open_polls") == 2
                   and gauge(server, kept, "chatapp_open_streams") == 2, DEADLINE, "two polls and two streams")

        status, _, body = server.request("DELETE", "/api/v1/sessions/current", headers=bearer(revoked))
        check(status == 204, "revoking answered %d: %r" % (status, body))

        poll = polls[revoked].read_until(answered, DEADLINE, "answer to the revoked token's held poll")
        check(polls[revoked].status() == 401 and polls[revoked].body()["error"]["code"] == "invalid_token",
              "the revoked token's held poll got %r" % poll)
        check(b'error="invalid_token"' in poll, "the poll's 401 lacks the challenge: %r" % poll)
        streams[revoked].read_until(lambda r: r.closed, DEADLINE, "end of the revoked token's stream")
        check(b"event: revoked\n" in streams[revoked].received and b"invalid_token" in streams[revoked].received,
              "the revoked stream was closed without saying why: %r" % streams[revoked].received)

        check(gauge(server, kept, "chatapp_open_polls") == 1 and gauge(server, kept, "chatapp_open_streams") == 1,
              "the other token's poll or stream ended too")
        after = send(server, kept, "after")
        streams[kept].read_until(lambda r: b"id: %d\n" % after in r.received, DEADLINE, "message on the kept stream")
        polls[kept].read_until(answered, DEADLINE, "answer to the kept token's poll")
        check(polls[kept].status() == 200 and [m["id"] for m in polls[kept].body()["messages"]] == [after],
              "the kept token's poll got %r" % polls[kept].received)
        check(b"id: %d\n" % after not in streams[revoked].received, "the revoked stream got the new message")

        again = RawRequest(server, "/api/v1/rooms/lab/events", revoked)
        try:
            again.read_until(lambda r: b"\r\n\r\n" in r.received, DEADLINE, "answer to a reconnection")
            check(again.status() == 401, "reconnecting with the revoked token answered %r" % again.received[:60])
        finally:
            again.close()
    finally:
        for request in list(streams.values()) + list(polls.values()):
            request.close()


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(WHOLE_FILE_SECONDS)
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir, os.path.join(data_dir, "server.log"), ["--password", PASSWORD])
        try:
            failures = run_checks((revoking_a_token_ends_its_streams_and_polls_only,), server)
        finally:
            server.kill()
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
