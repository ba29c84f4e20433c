#!/usr/bin/env python3
"""Many long polls held on one room and woken by one message, over raw keep-alive
connections: each gets the whole answer a poll always got (status, Content-Type,
Content-Length, nosniff, the page), the same bytes for the same cursor, and its connection
stays open for the next request; a poll that asked to close is told so and closed; a poll
with rooms_since still gets the rooms; and an answer built once is never served after the
room moved on or to another question (another cursor, another limit). Bounded by an alarm;
the server is killed in a finally."""

import http.client
import json
import os
import signal
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    HOST, bound_whole_file, check, metric, run_with_server, wait_until)

WHOLE_FILE_SECONDS = 90
POLLS = 40
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Connection:
    """One raw keep-alive connection, its answers read one at a time."""

    def __init__(self, server):
        self.socket = socket.create_connection((HOST, server.port), timeout=10)
        self.stream = self.socket.makefile("rb")

    def ask(self, target, extra=b""):
        self.socket.sendall(b"GET " + target.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + b"\r\n")

    def answer(self):
        """(status, headers, raw body) of the next answer, the body read by its Content-Length."""
        status_line = self.stream.readline()
        check(status_line.startswith(b"HTTP/1.1 "), "not an answer: %r" % status_line)
        headers = http.client.parse_headers(self.stream)
        body = self.stream.read(int(headers["Content-Length"]))
        return int(status_line.split()[1]), headers, body

    def closed_by_server(self):
        return self.stream.read(1) == b""

    def close(self):
        self.stream.close()
        self.socket.close()


def send(server, room, text):
    status, _, body = server.request("POST", "/api/v1/rooms/%s/messages" % room,
                                     body="author=ana&text=" + text, headers=FORM)
    check(status == 201, "send answered %d: %r" % (status, body))
    return body["id"]


def held_polls(server):
    return metric(server, "chatapp_open_polls") or 0


def hold(server, room, queries):
    """A connection per query, each a poll held on `room`; returns them once all are held."""
    before = held_polls(server)
    connections = []
    for query, extra in queries:
        connection = Connection(server)
        connection.ask("/api/v1/rooms/%s/messages?%s" % (room, query), extra)
        connections.append(connection)
    wait_until(lambda: held_polls(server) >= before + len(queries), 10,
               lambda: "%d polls to be held (%s now)" % (len(queries), held_polls(server)))
    return connections


def polls_woken_by_one_message_get_the_same_whole_answer(server):
    check(server.request("PUT", "/api/v1/rooms/woken")[0] == 201, "PUT woken failed")
    first = send(server, "woken", "before")
    connections = hold(server, "woken", [("after=%d&wait=30" % first, b"")] * POLLS)
    try:
        newest = send(server, "woken", "hello")
        bodies = set()
        for connection in connections:
            status, headers, body = connection.answer()
            check(status == 200, "a woken poll answered %d: %r" % (status, body))
            check(headers["Content-Type"] == "application/json", "Content-Type %r" % headers["Content-Type"])
            check(headers["X-Content-Type-Options"] == "nosniff", "no nosniff: %r" % dict(headers))
            check("Connection" not in headers, "a kept-alive poll was told %r" % headers["Connection"])
            page = json.loads(body)
            check([m["text"] for m in page["messages"]] == ["hello"] and page["last_id"] == newest,
                  "a woken poll got %r" % page)
            bodies.add(body)
        check(len(bodies) == 1, "polls at one cursor got %d different pages" % len(bodies))
        # Each connection is still open for its next request, answered in its turn.
        for connection in connections:
            connection.ask("/api/v1/rooms/woken/messages?after=%d" % first)
        for connection in connections:
            status, _, body = connection.answer()
            check(status == 200 and json.loads(body)["last_id"] == newest,
                  "the next request on a woken poll's connection answered %d: %r" % (status, body))
    finally:
        for connection in connections:
            connection.close()


def a_woken_poll_that_asked_to_close_is_told_so_and_closed(server):
    check(server.request("PUT", "/api/v1/rooms/closing")[0] == 201, "PUT closing failed")
    first = send(server, "closing", "before")
    query = "after=%d&wait=30" % first
    kept, closing = hold(server, "closing", [(query, b""), (query, b"Connection: close\r\n")])
    try:
        send(server, "closing", "hello")
        _, kept_headers, kept_body = kept.answer()
        status, headers, body = closing.answer()
        check(status == 200 and headers["Connection"] == "close", "the closing poll was told %r" % dict(headers))
        check(body == kept_body, "the closing poll got another page: %r, %r" % (body, kept_body))
        check("Connection" not in kept_headers, "the kept poll was told %r" % kept_headers["Connection"])
        check(closing.closed_by_server(), "the server kept open a connection that asked to close")
    finally:
        kept.close()
        closing.close()


def polls_at_other_cursors_or_limits_get_their_own_pages(server):
    check(server.request("PUT", "/api/v1/rooms/cursors")[0] == 201, "PUT cursors failed")
    zero = send(server, "cursors", "zero")
    one = send(server, "cursors", "one")
    connections = hold(server, "cursors", [("after=%d&wait=30" % one, b""),
                                           ("after=%d&wait=30&limit=1" % one, b"")])
    try:
        two = send(server, "cursors", "two")
        pages = [json.loads(connection.answer()[2]) for connection in connections]
        check(all([m["text"] for m in page["messages"]] == ["two"] for page in pages), "woken: %r" % pages)
        # The same question once the room moved on gets the page as it is now, not the
        # one built for the polls above; another cursor or limit gets its own.
        three = send(server, "cursors", "three")
        for query, texts in (("after=%d" % one, ["two", "three"]),
                             ("after=%d&limit=1" % one, ["two"]),
                             ("after=%d" % zero, ["one", "two", "three"]),
                             ("after=%d" % two, ["three"])):
            page = server.get("/api/v1/rooms/cursors/messages?" + query)
            check([m["text"] for m in page["messages"]] == texts and page["last_id"] == three,
                  "%s answered %r" % (query, page))
        # The question just answered, asked again once the room has one more message.
        four = send(server, "cursors", "four")
        page = server.get("/api/v1/rooms/cursors/messages?after=%d" % two)
        check([m["text"] for m in page["messages"]] == ["three", "four"] and page["last_id"] == four,
              "after=%d once more answered %r" % (two, page))
    finally:
        for connection in connections:
            connection.close()


def polls_with_rooms_since_get_the_rooms_as_they_are(server):
    check(server.request("PUT", "/api/v1/rooms/watching")[0] == 201, "PUT watching failed")
    first = send(server, "watching", "before")
    seq = server.get("/api/v1/rooms")["rooms_seq"]
    query = "after=%d&wait=30" % first
    watching = hold(server, "watching", [(query + "&rooms_since=%d" % seq, b"")] * 2)
    plain = hold(server, "watching", [(query, b"")])[0]
    try:
        # Another room changes: the polls that watch rooms wake, the same empty page each,
        # with that room; the other poll stays held until its own room has news.
        check(server.request("PUT", "/api/v1/rooms/elsewhere")[0] == 201, "PUT elsewhere failed")
        for connection in watching:
            page = json.loads(connection.answer()[2])
            check(page["messages"] == [] and [r["name"] for r in page["rooms"]] == ["elsewhere"]
                  and page["rooms_seq"] > seq, "a poll watching rooms got %r" % page)
        send(server, "watching", "hello")
        page = json.loads(plain.answer()[2])
        check([m["text"] for m in page["messages"]] == ["hello"] and "rooms" not in page,
              "the poll without rooms_since got %r" % page)
        # Asked again with the first cursor: the page and the rooms as they are now.
        page = server.get("/api/v1/rooms/watching/messages?after=%d&rooms_since=%d" % (first, seq))
        check([m["text"] for m in page["messages"]] == ["hello"]
              and sorted(r["name"] for r in page["rooms"]) == ["elsewhere", "watching"],
              "asked again, a poll watching rooms got %r" % page)
    finally:
        for connection in watching + [plain]:
            connection.close()


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(WHOLE_FILE_SECONDS)
    failures = run_with_server(binary, ["--send-rate", "1000000", "--send-burst", "1000000"], (
        polls_woken_by_one_message_get_the_same_whole_answer,
        a_woken_poll_that_asked_to_close_is_told_so_and_closed,
        polls_at_other_cursors_or_limits_get_their_own_pages,
        polls_with_rooms_since_get_the_rooms_as_they_are))
    signal.alarm(0)
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
