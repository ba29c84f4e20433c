#!/usr/bin/env python3
"""Floods that would cost everyone else: thousands of made-up `name=` values on polls
(the members list, which every window fetches, must stay bounded and small) and room
creations from one address (they count against its send rate). Bounded in count and
time over loopback; docs/security.md has the limits."""

import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    HOST, SOCKET_TIMEOUT, bound_whole_file, check, run_with_server)

import http.client  # noqa: E402

WHOLE_FILE_SECONDS = 90
MAX_MEMBERS = 1000  # Hub::maxMembersPerRoom, as docs/security.md states it
DISTINCT_NAMES = 3000


def members(server, room="lab"):
    status, _, body = server.request("GET", "/api/v1/rooms/%s/members" % room)
    check(status == 200, "members answered %d: %r" % (status, body))
    return body


def thousands_of_names_keep_members_bounded_and_small(server):
    check(server.request("PUT", "/api/v1/rooms/lab")[0] in (200, 201), "could not create lab")
    # One kept-alive connection: the flood is what the server does with names, not sockets.
    connection = http.client.HTTPConnection(HOST, server.port, timeout=SOCKET_TIMEOUT)
    deadline = time.monotonic() + 45
    try:
        for i in range(DISTINCT_NAMES):
            check(time.monotonic() < deadline, "only %d polls went through in time" % i)
            connection.request("GET", "/api/v1/rooms/lab/messages?after=0&name=flood%05d" % i)
            response = connection.getresponse()
            response.read()
            check(response.status == 200, "poll %d answered %d" % (i, response.status))
    finally:
        connection.close()
    body = members(server)
    listed = [m["name"] for m in body["members"]]
    check(len(listed) == MAX_MEMBERS, "%d members listed after %d names, want %d"
          % (len(listed), DISTINCT_NAMES, MAX_MEMBERS))
    check("flood%05d" % (DISTINCT_NAMES - 1) in listed, "the newest name was dropped")
    check("flood00000" not in listed, "the name seen longest ago was kept over the bound")
    size = len(json.dumps(body))
    check(size < 100 * 1024, "members is %d bytes" % size)
    # The room list counts the same bounded set.
    online = [r["online"] for r in server.get("/api/v1/rooms")["rooms"] if r["name"] == "lab"]
    check(online == [MAX_MEMBERS], "rooms says online %r" % online)


def room_creations_beyond_the_burst_get_429_but_joining_does_not(server):
    status, _, _ = server.request("PUT", "/api/v1/rooms/lab", source="127.0.0.2")
    check(status == 201, "creating lab answered %d" % status)
    statuses = []
    for i in range(8):
        status, headers, body = server.request("PUT", "/api/v1/rooms/made%d" % i)
        statuses.append(status)
        if status == 429:
            check(int(headers["Retry-After"]) >= 1, "429 without a usable Retry-After: %r" % headers)
            check(body["error"]["code"] == "rate_limited", "429 body %r" % body)
    check(statuses[:3] == [201, 201, 201], "the burst of 3 was not allowed: %r" % statuses)
    check(429 in statuses[3:], "no 429 after the burst: %r" % statuses)
    names = [r["name"] for r in server.get("/api/v1/rooms")["rooms"]]
    refused = ["made%d" % i for i, s in enumerate(statuses) if s == 429]
    check(not set(refused) & set(names), "a refused room was created: %r" % names)
    # With the bucket empty, a room that exists is still joined, again and again.
    for _ in range(5):
        status, _, body = server.request("PUT", "/api/v1/rooms/lab")
        check(status == 200, "PUT of the existing lab answered %d: %r" % (status, body))


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(WHOLE_FILE_SECONDS)
    # ctest lifts the send limit through the environment; the flags set it back where
    # these checks need it.
    failures = run_with_server(binary, [], (thousands_of_names_keep_members_bounded_and_small,))
    failures += run_with_server(binary, ["--send-rate", "1", "--send-burst", "3"],
                                (room_creations_beyond_the_burst_get_429_but_joining_does_not,))
    signal.alarm(0)
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
