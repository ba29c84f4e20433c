#!/usr/bin/env python3
"""Typing (issue 15): POST .../typing says a name is typing in a room. It is ephemeral:
nothing stored, no id, gone after a few seconds or when the name sends. Streams get it as
a `typing` event without an id; the members list marks the names typing; a held poll is
not woken by it; the room's message ids do not move."""

import http.client
import json
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    HOST, Failure, Server, bound_whole_file, check, run_checks, run_with_server, wait_until)

WHOLE_FILE_SECONDS = 120
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TYPING_LASTS_SECONDS = 5  # TypingBoard::typingLastsMs in app/server/typingboard.h
MAX_AUTHOR_CHARACTERS = 32  # Limits::maxAuthorCharacters in app/core/messagedraft.h


def typing(server, room, author, headers=None):
    body = json.dumps({"author": author}) if isinstance(author, str) else author
    return server.request("POST", "/api/v1/rooms/%s/typing" % room, body, headers or JSON)


def says_typing(server, room, author):
    status, _, body = typing(server, room, author)
    check(status == 204, "POST typing as %r answered %d %.200r" % (author, status, body))


def send(server, room, text, author="ana"):
    status, _, body = server.request("POST", "/api/v1/rooms/%s/messages" % room,
                                     json.dumps({"author": author, "text": text}), JSON)
    check(status == 201, "POST message answered %d %.200r" % (status, body))
    return body


def put_room(server, room):
    status, _, body = server.request("PUT", "/api/v1/rooms/" + room)
    check(status in (200, 201), "PUT %s answered %d %.200r" % (room, status, body))


def typing_members(server, room):
    members = server.get("/api/v1/rooms/%s/members" % room)["members"]
    for member in members:
        check(member.get("typing", True) is True, "typing is only ever true, or absent: %r" % member)
    return sorted(member["name"] for member in members if member.get("typing"))


def open_stream(server, room, query=""):
    # Longer than a typing lasts: its end is an event to wait for.
    connection = http.client.HTTPConnection(HOST, server.port, timeout=TYPING_LASTS_SECONDS * 2)
    connection.request("GET", "/api/v1/rooms/%s/events%s" % (room, query), headers={"Accept": "text/event-stream"})
    response = connection.getresponse()
    check(response.status == 200, "events answered %d" % response.status)
    return connection, response


def read_event(response):
    """The next event's fields; `lines` keeps them as sent, to tell an absent id."""
    fields = {"lines": []}
    while True:
        try:
            line = response.readline()
        except TimeoutError:
            raise Failure("no event within %d s; so far %r" % (TYPING_LASTS_SECONDS * 2, fields["lines"]))
        if not line:
            raise Failure("the stream ended")
        line = line.decode().rstrip("\n")
        if not line:
            if len(fields) > 1:
                return fields
            continue
        if line.startswith(":"):
            continue
        fields["lines"].append(line)
        name, _, value = line.partition(":")
        fields[name] = value[1:] if value.startswith(" ") else value


def next_event_of(response, kind):
    while True:
        event = read_event(response)
        if event.get("event") == kind:
            return event


def names_in(event):
    check("id" not in event, "a typing event carries an id: %r" % event["lines"])
    data = json.loads(event["data"])
    check(set(data) == {"names"}, "typing data %r" % data)
    return data["names"]


def a_name_and_a_room_are_needed(server):
    put_room(server, "lab")
    long_name = "a" * (MAX_AUTHOR_CHARACTERS + 1)
    for room, body, headers, status_wanted, code in [
            ("nowhere", {"author": "ana"}, JSON, 404, "room_not_found"),
            ("Not A Room", {"author": "ana"}, JSON, 400, "invalid_room"),
            ("lab", {}, JSON, 400, "missing_field"),
            ("lab", {"author": "   "}, JSON, 400, "missing_field"),
            ("lab", {"author": 7}, JSON, 400, "invalid_field"),
            ("lab", {"author": "ana\u202e"}, JSON, 400, "invalid_field"),
            ("lab", {"author": long_name}, JSON, 413, "author_too_long"),
            ("lab", b"not json", JSON, 400, "invalid_json"),
            ("lab", b"author=ana", {"Content-Type": "text/plain"}, 415, "unsupported_media_type")]:
        status, _, answer = server.request("POST", "/api/v1/rooms/%s/typing" % room.replace(" ", "%20"),
                                           body if isinstance(body, bytes) else json.dumps(body), headers)
        error = answer.get("error", {}) if isinstance(answer, dict) else {}
        check(status == status_wanted and error.get("code") == code,
              "typing %r in %r answered %d %.200r, not %d %s" % (body, room, status, answer, status_wanted, code))
    check(typing_members(server, "lab") == [], "a refused notice made someone typing")
    check(server.request("GET", "/api/v1/rooms/nowhere")[0] == 404, "a typing notice created a room")
    status, _, body = typing(server, "lab", b"author=+ana+", FORM)
    check(status == 204 and body == b"", "a form notice answered %d %.200r" % (status, body))
    check(typing_members(server, "lab") == ["ana"], "the form's name, trimmed, is not typing")
    status, _, body = server.request("GET", "/api/v1/rooms/lab/typing")
    check(status == 405, "GET .../typing answered %d" % status)


def members_mark_typing_until_it_expires(server):
    put_room(server, "expiry")
    server.get("/api/v1/rooms/expiry/messages?name=ben")  # online, not typing
    started = time.monotonic()
    says_typing(server, "expiry", "cleo")
    members = {m["name"]: m for m in server.get("/api/v1/rooms/expiry/members")["members"]}
    check(members.get("cleo", {}).get("typing") is True, "cleo is not typing, or not online: %r" % members)
    check("typing" not in members.get("ben", {"typing": 1}), "ben is typing, or not online: %r" % members)
    # Said again: it lasts from the last notice.
    wait_until(lambda: time.monotonic() - started > 2, 3, "two seconds")
    says_typing(server, "expiry", "cleo")
    renewed = time.monotonic()
    wait_until(lambda: typing_members(server, "expiry") == [], TYPING_LASTS_SECONDS + 3, "cleo's typing to expire")
    gone_after = time.monotonic() - renewed
    check(gone_after > TYPING_LASTS_SECONDS - 1.5,
          "cleo's typing ended %.1f s after her last notice, not about %d" % (gone_after, TYPING_LASTS_SECONDS))
    check("cleo" in [m["name"] for m in server.get("/api/v1/rooms/expiry/members")["members"]],
          "cleo went offline with her typing")


def sending_or_leaving_ends_typing(server):
    put_room(server, "clears")
    says_typing(server, "clears", "ana")
    says_typing(server, "clears", "ben")
    check(typing_members(server, "clears") == ["ana", "ben"], "ana and ben are not both typing")
    send(server, "clears", "done typing", author="ana")
    check(typing_members(server, "clears") == ["ben"], "ana's message did not end her typing")
    check(server.request("DELETE", "/api/v1/rooms/clears/members/ben")[0] == 204, "ben could not leave")
    check(typing_members(server, "clears") == [], "leaving did not end ben's typing")


def the_stream_gets_typing_events_without_an_id(server):
    put_room(server, "live")
    first = send(server, "live", "before")
    connection, response = open_stream(server, "live")
    try:
        says_typing(server, "live", "ana")
        check(names_in(next_event_of(response, "typing")) == ["ana"], "the stream did not say ana is typing")
        says_typing(server, "live", "ana")  # again, within the time: nothing new to say
        says_typing(server, "live", "ben")
        check(names_in(next_event_of(response, "typing")) == ["ana", "ben"], "the stream did not add ben")
        message = send(server, "live", "after", author="ben")
        check(message["id"] == first["id"] + 1, "typing moved the message ids: %r after %r" % (message, first))
        events = [read_event(response), read_event(response)]
        kinds = sorted(event.get("event") for event in events)
        check(kinds == ["message", "typing"], "after ben's send the stream said %r" % [e["lines"] for e in events])
        for event in events:
            if event["event"] == "message":
                check(event.get("id") == str(message["id"]), "the message's id %r" % event["lines"])
            else:
                check(names_in(event) == ["ana"], "ben's send did not end his typing on the stream")
        check(names_in(next_event_of(response, "typing")) == [], "ana's typing did not expire on the stream")
    finally:
        connection.close()
    # A stream opened while someone types hears of it at once, and resuming from the last
    # message's id gives exactly the messages after it.
    says_typing(server, "live", "cleo")
    connection, response = open_stream(server, "live", "?after=%d" % first["id"])
    try:
        events = [read_event(response) for _ in range(3)]
        typing_events = [e for e in events if e.get("event") == "typing"]
        messages = [e for e in events if e.get("event") == "message"]
        check(len(typing_events) == 1 and names_in(typing_events[0]) == ["cleo"],
              "a new stream was not told cleo is typing: %r" % [e["lines"] for e in events])
        check([e["id"] for e in messages] == [str(message["id"])], "replay %r" % [e["lines"] for e in events])
    finally:
        connection.close()
    stored = server.get("/api/v1/rooms/live/messages?after=0")
    check([m["text"] for m in stored["messages"]] == ["before", "after"] and stored["last_id"] == message["id"],
          "typing is in the history: %r" % stored)


def a_held_poll_is_not_woken_by_typing(server):
    put_room(server, "quiet")
    answer = {}

    def poll():
        started = time.monotonic()
        answer["body"] = server.get("/api/v1/rooms/quiet/messages?after=0&wait=2&name=dan")
        answer["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    wait_until(lambda: "dan" in [m["name"] for m in server.get("/api/v1/rooms/quiet/members")["members"]], 2,
               "the poll to be held")
    says_typing(server, "quiet", "eva")
    thread.join(5)
    check(not thread.is_alive(), "the poll was never answered")
    check(answer["seconds"] > 1.5, "typing woke the held poll after %.2f s" % answer["seconds"])
    check(answer["body"]["messages"] == [], "the poll got %r" % answer["body"])


def typing_is_rate_limited_like_sending(binary):
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir, os.path.join(data_dir, "limited.log"),
                        ["--send-rate", "1", "--send-burst", "2"])
        try:
            put_room(server, "lab")  # a new room costs one of the two
            statuses = [typing(server, "lab", "ana")[0] for _ in range(3)]
            check(statuses[0] == 204 and statuses[-1] == 429, "three notices at once got %r" % statuses)
            status, headers, body = typing(server, "lab", "ana")
            check(status == 429 and body["error"]["code"] == "rate_limited" and int(headers["Retry-After"]) >= 1,
                  "a notice past the limit got %d %r %r" % (status, dict(headers), body))
            status, _, _ = server.request("POST", "/api/v1/rooms/lab/typing", json.dumps({"author": "bo"}), JSON,
                                          source="127.0.0.2")
            check(status == 204, "another address was limited too: %d" % status)
        finally:
            server.kill()


def typing_needs_a_token_on_a_server_with_a_password(binary):
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir, os.path.join(data_dir, "password.log"),
                        ["--password", "typing is no secret", "--send-rate", "1000000", "--send-burst", "1000000"])
        try:
            status, _, body = typing(server, "general", "ana")
            check(status == 401 and body["error"]["code"] == "unauthorized", "no token got %d %r" % (status, body))
            _, _, session = server.request("POST", "/api/v1/sessions", json.dumps({"password": "typing is no secret"}),
                                           JSON)
            auth = dict(JSON, Authorization="Bearer " + session["token"])
            status, _, body = typing(server, "general", "ana", auth)
            check(status == 204, "with a token got %d %r" % (status, body))
        finally:
            server.kill()


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(WHOLE_FILE_SECONDS)
    failures = run_with_server(binary, ["--send-rate", "1000000", "--send-burst", "1000000"], (
        a_name_and_a_room_are_needed,
        members_mark_typing_until_it_expires,
        sending_or_leaving_ends_typing,
        the_stream_gets_typing_events_without_an_id,
        a_held_poll_is_not_woken_by_typing))
    failures += run_checks((typing_is_rate_limited_like_sending, typing_needs_a_token_on_a_server_with_a_password),
                           binary)
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
