#!/usr/bin/env python3
"""Smaller promises of docs/api.md, from the outside: an Idempotency-Key sent again with
another message is 422, not the first message; names refuse bidi controls and invisible
characters; every answer, the connection guard's included, says X-Content-Type-Options:
nosniff; and HEAD is answered wherever GET is, with GET's head and no body, without
holding a long poll or a stream."""

import json
import os
import re
import socket
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    HOST, Server, bound_whole_file, check, run_checks, wait_until, run_with_server)

WHOLE_FILE_SECONDS = 60
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
PASSWORD = "a class password"
# Bidi overrides and isolates, zero-width characters, the word joiner, a byte order mark
# inside a name, the soft hyphen.
DECEPTIVE = [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
             0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD]


def last_id(server, room):
    return server.get("/api/v1/rooms/" + room)["last_id"]


def send(server, room, author, text, key, encoding="json"):
    headers = {"Idempotency-Key": key}
    if encoding == "json":
        body = json.dumps({"author": author, "text": text})
        headers.update(JSON)
    else:
        body = urllib.parse.urlencode({"text": text, "author": author})
        headers.update(FORM)
    return server.request("POST", "/api/v1/rooms/%s/messages" % room, body=body, headers=headers)


def a_key_sent_again_with_another_message_is_422(server):
    status, headers, first = send(server, "keys", "ana", "hola", "key-1")
    check(status == 201, "first send answered %d: %r" % (status, first))
    for encoding in ("json", "form"):
        status, again_headers, again = send(server, "keys", " ana ", "hola", "key-1", encoding)
        check(status == 200 and again == first and again_headers["Location"] == headers["Location"],
              "the same message again (%s) answered %d: %r" % (encoding, status, again))
    for author, text in (("ana", "adios"), ("bo", "hola")):
        status, _, body = send(server, "keys", author, text, "key-1")
        check(status == 422 and body["error"]["code"] == "idempotency_key_reused",
              "key-1 with %s/%s answered %d: %r" % (author, text, status, body))
        check("key-1" in body["error"]["message"], "the 422 does not name the key: %r" % body)
    check(last_id(server, "keys") == 1, "a refused reuse of a key stored something")
    status, _, body = send(server, "other", "ana", "adios", "key-1")
    check(status == 201, "the same key in another room answered %d: %r" % (status, body))


def names_with_bidi_or_invisible_characters_are_400(server):
    status, _, _ = server.request("PUT", "/api/v1/rooms/names")
    check(status in (200, 201), "PUT names answered %d" % status)
    for c in DECEPTIVE:
        author = "an" + chr(c) + "a"
        status, _, body = send(server, "names", author, "hola", "name-%04x" % c)
        check(status == 400 and body["error"]["code"] == "invalid_field",
              "author with U+%04X answered %d: %r" % (c, status, body))
        query = urllib.parse.urlencode({"after": 0, "name": author})
        status, _, body = server.request("GET", "/api/v1/rooms/names/messages?" + query)
        check(status == 400 and body["error"]["code"] == "invalid_query",
              "name= with U+%04X answered %d: %r" % (c, status, body))
        room = urllib.parse.quote("lab" + chr(c))
        status, _, body = server.request("PUT", "/api/v1/rooms/" + room)
        check(status == 400 and body["error"]["code"] == "invalid_room",
              "a room name with U+%04X answered %d: %r" % (c, status, body))
    check(last_id(server, "names") == 0, "a refused name stored a message")
    # Text may hold them: emoji sequences and right-to-left scripts need some.
    status, _, body = send(server, "names", "ana", "\U0001F468\u200D\U0001F469 \u2067\u05E9\u2069", "text")
    check(status == 201, "text with a joiner and an isolate answered %d: %r" % (status, body))


def nosniff(headers):
    return headers.get("X-Content-Type-Options") == "nosniff"


def every_answer_says_nosniff(server):
    answers = {
        "200": server.request("GET", "/api/v1/rooms"),
        "201": send(server, "sniff", "ana", "hola", "sniff"),
        "400": server.request("GET", "/api/v1/rooms/general/messages?limit=x"),
        "404": server.request("GET", "/no/such/path"),
        "405": server.request("DELETE", "/api/v1/rooms/general"),
        "home page": server.request("GET", "/"),
        "421": server.request("GET", "/", headers={"Host": "evil.example"}),
        "403": server.request("PUT", "/api/v1/rooms/x", headers={"Origin": "null"}),
    }
    for what, (status, headers, _) in answers.items():
        check(nosniff(headers), "%s (%d) lacks nosniff: %r" % (what, status, headers.items()))


def raw_exchange(port, data, seconds=10):
    """Sends `data` on a new connection; everything the server sends until it closes."""
    with socket.create_connection((HOST, port), timeout=seconds) as connection:
        connection.sendall(data)
        received = b""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            chunk = connection.recv(65536)
            if not chunk:
                return received
            received += chunk
    check(False, "the connection stayed open past %d s: %r" % (seconds, received))


def the_guard_and_a_401_say_nosniff(binary):
    """A server with a password answers 401; one with a connection limit refuses with its
    own bare answer, written before any request is parsed."""
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir, os.path.join(data_dir, "guard.log"),
                        ["--password", PASSWORD, "--max-connections", "1"])
        try:
            held = socket.create_connection((HOST, server.port), timeout=10)
            try:
                refused = raw_exchange(server.port, b"")
                check(refused.startswith(b"HTTP/1.1 503") and b"\r\nX-Content-Type-Options: nosniff\r\n" in refused,
                      "the guard's refusal lacks nosniff: %r" % refused)
            finally:
                held.close()
            # The held connection's end reaches the server a moment later.
            status, headers, body = wait_until(
                lambda: (lambda answer: answer if answer[0] != 503 else None)(server.request("GET", "/api/v1/rooms")),
                10, "a connection below the limit")
            check(status == 401 and nosniff(headers), "401 %d lacks nosniff: %r %r" % (status, headers.items(), body))
        finally:
            server.stop()


def header(head, name):
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


def head_and_what_follows(port, path, seconds=10, meanwhile=lambda: None):
    """HEAD `path` on a new connection: (its head, the seconds it took, the bytes that
    followed it). Once the head is in, `meanwhile()` is called, then a GET is sent on the
    same connection: a body the server wrote after the head would come before that GET's
    answer."""
    with socket.create_connection((HOST, port), timeout=seconds) as connection:
        started = time.monotonic()
        # The Host http.client sends: the home page shows it, and its length with it.
        host = b"%s:%d" % (HOST.encode(), port)
        connection.sendall(b"HEAD %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path.encode(), host))
        data = b""
        closed = False
        try:
            while b"\r\n\r\n" not in data and not closed:
                chunk = connection.recv(65536)
                closed = not chunk
                data += chunk
        except socket.timeout:
            check(False, "no head for HEAD %s within %d s" % (path, seconds))
        elapsed = time.monotonic() - started
        head, _, rest = data.partition(b"\r\n\r\n")
        meanwhile()
        try:
            connection.sendall(b"GET /api/v1/rooms HTTP/1.1\r\nHost: %s\r\n\r\n" % host)
            while not closed and b"\r\n\r\n" not in rest:
                chunk = connection.recv(65536)
                closed = not chunk
                rest += chunk
        except (BrokenPipeError, ConnectionResetError):
            pass  # an answer that ends its connection (a stream's)
        except socket.timeout:
            check(False, "HEAD %s: nothing followed within %d s: %r" % (path, seconds, rest[:200]))
    return head.decode("latin-1"), elapsed, rest


def head_is_answered_wherever_get_is(server):
    for path in ("/api/v1/rooms", "/api/v1/rooms/general", "/api/v1/rooms/general/messages?after=0",
                 "/api/v1/rooms/general/messages/1", "/api/v1/rooms/general/members", "/metrics",
                 "/healthz", "/", "/docs/api.md", "/no/such/path", "/download/ChatApp-x86_64.AppImage"):
        get_status, get_headers, get_body = server.request("GET", path)
        head, _, following = head_and_what_follows(server.port, path)
        check(head.startswith("HTTP/1.1 %d " % get_status), "HEAD %s: %r, GET was %d" % (path, head, get_status))
        check(following == b"" or following.startswith(b"HTTP/1.1 200 "),
              "HEAD %s sent a body: %r" % (path, following[:200]))
        for name in ("Content-Type", "X-Content-Type-Options"):
            check(header(head, name) == get_headers.get(name),
                  "HEAD %s: %s %r, GET had %r" % (path, name, header(head, name), get_headers.get(name)))
        if path != "/metrics":  # its counters moved between the two
            length = header(head, "Content-Length")
            check(length == get_headers.get("Content-Length"),
                  "HEAD %s: Content-Length %r, GET had %r (%d bytes)"
                  % (path, length, get_headers.get("Content-Length"), len(get_body)))
    status, headers, _ = server.request("PATCH", "/api/v1/rooms/general")
    allowed = {m.strip() for m in headers.get("Allow", "").split(",")}
    check(status == 405 and allowed == {"GET", "HEAD", "PUT"}, "Allow: %r" % headers.get("Allow"))
    status, _, _ = server.request("HEAD", "/api/v1/sessions")
    check(status == 405, "HEAD on a POST-only path answered %d" % status)


def gauge(server, name):
    text = server.get("/metrics").decode()
    match = re.search(r"^%s (\d+)$" % name, text, re.MULTILINE)
    check(match, "no %s in /metrics" % name)
    return int(match.group(1))


def head_does_not_hold_a_poll_or_a_stream(server):
    newest = last_id(server, "general")
    for path, content_type, held in (
            ("/api/v1/rooms/general/messages?after=%d&wait=30" % newest, "application/json", "chatapp_open_polls"),
            ("/api/v1/rooms/general/events", "text/event-stream; charset=utf-8", "chatapp_open_streams")):
        def nothing_held(path=path, held=held):
            check(gauge(server, held) == 0, "HEAD %s is held open: %s %d" % (path, held, gauge(server, held)))
        head, elapsed, following = head_and_what_follows(server.port, path, meanwhile=nothing_held)
        check(head.startswith("HTTP/1.1 200 ") and header(head, "Content-Type") == content_type,
              "HEAD %s: %r" % (path, head))
        check(following == b"" or following.startswith(b"HTTP/1.1 200 "),
              "HEAD %s sent a body: %r" % (path, following[:200]))
        check(elapsed < 5, "HEAD %s was held %.1f s" % (path, elapsed))


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(WHOLE_FILE_SECONDS)
    failures = run_with_server(binary, [], (
        a_key_sent_again_with_another_message_is_422,
        names_with_bidi_or_invisible_characters_are_400,
        every_answer_says_nosniff,
        head_is_answered_wherever_get_is,
        head_does_not_hold_a_poll_or_a_stream,
    ))
    failures += run_checks((the_guard_and_a_401_say_nosniff,), binary)
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
