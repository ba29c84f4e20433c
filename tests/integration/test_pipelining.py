#!/usr/bin/env python3
"""Pipelined HTTP/1.1 requests (RFC 9112, 9.3.2) over raw sockets on loopback: answers
leave in the order the requests came, also when one of them waits (a held poll, a commit);
thousands of small requests in one write are all answered, none taken for one request too
large; a request pipelined behind a held poll is not timed out while it waits its turn;
the version and Host rules hold for a pipelined request as for a first one; a chunked
body with a trailer section is stored once, answered, and its connection closed. Bounded
by an alarm; the server is killed in a finally."""

import os
import socket
import sys
import threading
import http.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    HOST, Failure, bound_whole_file, check, run_with_server, stored_texts)

WHOLE_FILE_SECONDS = 120
# Short, so that a request left waiting behind a held poll would be timed out within the test.
REQUEST_TIMEOUT_SECONDS = 2
ROOM = b"GET /api/v1/rooms/lab HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


class _KeptOpen:
    """The connection's one buffered reader, lent to one http.client.HTTPResponse after
    another: each would close it when its body is read, losing what the server sent next."""

    def __init__(self, stream):
        self._stream = stream

    def makefile(self, *_args, **_kwargs):
        return self

    def close(self):
        pass

    def __getattr__(self, name):
        return getattr(self._stream, name)


def read_answers(connection, count):
    """The next `count` answers on `connection`: (status, headers, body) each, in order."""
    stream = _KeptOpen(connection.makefile("rb"))
    answers = []
    for _ in range(count):
        response = http.client.HTTPResponse(stream, method="GET")
        try:
            response.begin()
            answers.append((response.status, response.headers, response.read()))
        except (http.client.HTTPException, OSError) as error:
            last = answers[-1] if answers else None
            raise Failure("after %d of %d answers (the last %r): %r" % (len(answers), count, last, error))
    return answers


def closed_after(connection):
    """Whether the server closes `connection` with nothing more to say."""
    try:
        return connection.recv(1) == b""
    except (ConnectionResetError, socket.timeout):
        return False


def last_id(server):
    return server.get("/api/v1/rooms/lab")["last_id"]


def answer_behind_held_poll_waits_its_turn(server):
    poll = b"GET /api/v1/rooms/lab/messages?after=%d&wait=%d HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % (
        last_id(server), REQUEST_TIMEOUT_SECONDS + 2)
    with socket.create_connection((HOST, server.port), timeout=15) as connection:
        connection.sendall(poll + ROOM)
        (poll_status, _, poll_body), (room_status, _, room_body) = read_answers(connection, 2)
    check(poll_status == 200 and b'"messages":[]' in poll_body,
          "the held poll's answer is not first: %d %r" % (poll_status, poll_body[:80]))
    # Had it been timed out while it waited, the second answer would be a 408.
    check(room_status == 200 and b'"name":"lab"' in room_body,
          "the request behind the poll got %d %r" % (room_status, room_body[:80]))


def read_behind_send_sees_it(server):
    body = b"author=a&text=inorder"
    post = (b"POST /api/v1/rooms/lab/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    read = b"GET /api/v1/rooms/lab/messages?after=0&limit=1000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with socket.create_connection((HOST, server.port), timeout=15) as connection:
        connection.sendall(post + read + ROOM)
        answers = read_answers(connection, 3)
    check([status for status, _, _ in answers] == [201, 200, 200],
          "answers came as %r" % [(s, b[:40]) for s, _, b in answers])
    check(b'"text":"inorder"' in answers[1][2], "the read behind the send does not have it: %r" % answers[1][2][-120:])
    check(b'"name":"lab"' in answers[2][2] and b'"messages"' not in answers[2][2],
          "the third answer is not the room's: %r" % answers[2][2][:80])


def thousands_of_small_requests_are_all_answered(server):
    count = 3000  # about 150 KB in one go: more than one request may be, and more than is buffered
    answers = []

    def send():
        connection.sendall(ROOM * count)

    with socket.create_connection((HOST, server.port), timeout=15) as connection:
        # Sent while the answers are read: the server stops reading a client that does not.
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        answers = read_answers(connection, count)
        sender.join(15)
    statuses = {}
    for status, _, _ in answers:
        statuses[status] = statuses.get(status, 0) + 1
    check(statuses == {200: count}, "%d small pipelined requests were answered %r" % (count, statuses))


def pipelined_http10_is_answered_and_closed(server):
    with socket.create_connection((HOST, server.port), timeout=15) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /api/v1/rooms/lab HTTP/1.0\r\n\r\n")
        first, second = read_answers(connection, 2)
        check(first[0] == 200 and first[1].get("Connection") is None, "the HTTP/1.1 answer was %r" % (first[:2],))
        check(second[0] == 200 and second[1].get("Connection") == "close",
              "the pipelined HTTP/1.0 answer was %d with Connection %r" % (second[0], second[1].get("Connection")))
        check(closed_after(connection), "the connection stayed open after the pipelined HTTP/1.0 answer")


def pipelined_http11_without_host_is_400(server):
    with socket.create_connection((HOST, server.port), timeout=15) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /api/v1/rooms/lab HTTP/1.1\r\n\r\n")
        first, second = read_answers(connection, 2)
    check(first[0] == 200, "the first answer was %d" % first[0])
    check(second[0] == 400 and b"invalid_header" in second[2],
          "a pipelined HTTP/1.1 request without Host got %d %r" % (second[0], second[2][:80]))


def chunked_body_with_trailer_is_stored_answered_and_closed(server):
    body = b"author=a&text=trailered"
    request = (b"POST /api/v1/rooms/lab/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"%x\r\n%s\r\n0\r\nX-Note: a trailer field\r\n\r\n" % (len(body), body))
    with socket.create_connection((HOST, server.port), timeout=15) as connection:
        connection.sendall(request + ROOM)
        (status, headers, answer), = read_answers(connection, 1)
        check(status == 201, "a chunked body with a trailer got %d %r" % (status, answer[:80]))
        check(headers.get("Connection") == "close", "no Connection: close after a chunked body")
        check(closed_after(connection), "the connection stayed open after a chunked body")
    check(stored_texts(server).count("trailered") == 1, "the trailered message is not stored exactly once")


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(WHOLE_FILE_SECONDS)

    def make_room(server):
        check(server.request("PUT", "/api/v1/rooms/lab")[0] == 201, "PUT lab failed")

    failures = run_with_server(binary, ["--request-timeout", str(REQUEST_TIMEOUT_SECONDS)], (
        make_room, answer_behind_held_poll_waits_its_turn, read_behind_send_sees_it,
        thousands_of_small_requests_are_all_answered, pipelined_http10_is_answered_and_closed,
        pipelined_http11_without_host_is_400, chunked_body_with_trailer_is_stored_answered_and_closed))
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
