#!/usr/bin/env python3
"""Room activity (issue 14): a window long-polls one room, yet must learn within a second
that another room has news, that a room was made, and who came or left. `rooms_seq` in
the room list is a baseline; `rooms_since=` on the poll or the stream asks for every room
changed after it; DELETE .../members/{name} leaves a room at once."""

import http.client
import json
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    HOST, SOCKET_TIMEOUT, Failure, bound_whole_file, check, run_with_server, wait_until)

WHOLE_FILE_SECONDS = 90
# What "at once" means here: well under the 10 s of the old refresh, with room to spare
# on a loaded machine.
PROMPT_SECONDS = 1.5
ROOMS_PER_ANSWER = 100


def send(server, room, text, author="ana"):
    status, _, body = server.request("POST", "/api/v1/rooms/%s/messages" % room,
                                     json.dumps({"author": author, "text": text}).encode(),
                                     {"Content-Type": "application/json"})
    check(status == 201, "POST to %s answered %d: %r" % (room, status, body))
    return body


def put_room(server, room):
    status, _, body = server.request("PUT", "/api/v1/rooms/" + room)
    check(status in (200, 201), "PUT %s answered %d: %r" % (room, status, body))


def baseline(server):
    listing = server.get("/api/v1/rooms")
    check(isinstance(listing.get("rooms_seq"), int), "GET /api/v1/rooms has no rooms_seq: %.300r" % listing)
    return listing["rooms_seq"]


def newest_id(server, room):
    return server.get("/api/v1/rooms/%s/messages?limit=1" % room)["last_id"]


class HeldPoll(threading.Thread):
    """A long poll in its own thread, so that the test can act while it is held."""

    def __init__(self, server, path):
        super().__init__(daemon=True)
        self.server, self.path = server, path
        self.started = self.answered = None
        self.status = self.body = self.error = None

    def run(self):
        self.started = time.monotonic()
        try:
            self.status, _, self.body = self.server.request("GET", self.path)
        except Exception as error:  # reported by wait(), on the test's thread
            self.error = error
        self.answered = time.monotonic()

    def wait(self, seconds):
        self.join(seconds)
        check(not self.is_alive(), "GET %s not answered within %s s" % (self.path, seconds))
        check(self.error is None, "GET %s failed: %r" % (self.path, self.error))
        check(self.status == 200, "GET %s answered %d: %.300r" % (self.path, self.status, self.body))
        return self.body


def hold(server, room, since, name=None):
    """Starts a held poll on `room` with rooms_since=`since` and returns it once it is
    held: nothing newer in its room, so it waits."""
    path = "/api/v1/rooms/%s/messages?after=%d&wait=20&rooms_since=%d" % (room, newest_id(server, room), since)
    if name:
        path += "&name=" + name
    poll = HeldPoll(server, path)
    poll.start()
    # A poll answered at once would make the timing below meaningless.
    poll.join(0.3)
    check(poll.is_alive(), "the poll on %s was answered at once: %r %.300r" % (room, poll.status, poll.body))
    return poll


def changed(body):
    check(isinstance(body, dict) and isinstance(body.get("rooms"), list) and isinstance(body.get("rooms_seq"), int),
          "no rooms/rooms_seq in %.300r" % body)
    return {room["name"]: room for room in body["rooms"]}


def message_in_another_room_wakes_a_held_poll(server):
    put_room(server, "quiet")
    put_room(server, "busy")
    since = baseline(server)
    poll = hold(server, "quiet", since)
    sent_at = time.monotonic()
    message = send(server, "busy", "news elsewhere")
    body = poll.wait(PROMPT_SECONDS + 1)
    check(poll.answered - sent_at < PROMPT_SECONDS,
          "answered %.2f s after the message to busy" % (poll.answered - sent_at))
    rooms = changed(body)
    check(body["messages"] == [], "the quiet room had no messages: %.300r" % body)
    check("busy" in rooms, "busy is not among the changed rooms: %.300r" % body)
    busy = rooms["busy"]
    check(busy["last_id"] == message["id"] and busy["message_count"] == message["id"]
          and "online" in busy, "busy is %r, the message is %r" % (busy, message))
    check(body["rooms_seq"] > since, "rooms_seq %r not past %r" % (body["rooms_seq"], since))
    # Nothing changed since: a poll with the new baseline returns no rooms.
    quiet_last = newest_id(server, "quiet")
    again = server.get("/api/v1/rooms/quiet/messages?after=%d&rooms_since=%d" % (quiet_last, body["rooms_seq"]))
    check(changed(again) == {} and again["rooms_seq"] == body["rooms_seq"],
          "nothing changed, yet %.300r" % again)


def a_new_room_wakes_a_held_poll(server):
    since = baseline(server)
    poll = hold(server, "quiet", since)
    put_room(server, "brand-new")
    body = poll.wait(PROMPT_SECONDS + 1)
    rooms = changed(body)
    check("brand-new" in rooms and rooms["brand-new"]["last_id"] == 0, "rooms %.300r" % body)


def polls_without_rooms_since_are_not_woken_by_other_rooms(server):
    path = "/api/v1/rooms/quiet/messages?after=%d&wait=2" % newest_id(server, "quiet")
    poll = HeldPoll(server, path)
    poll.start()
    poll.join(0.3)
    check(poll.is_alive(), "answered at once")
    send(server, "busy", "not for quiet")
    body = poll.wait(5)
    check(poll.answered - poll.started >= 1.9, "woken after %.2f s by another room" % (poll.answered - poll.started))
    check("rooms" not in body and "rooms_seq" not in body, "rooms without asking: %.300r" % body)


def more_than_a_hundred_changed_rooms_come_in_answers_of_a_hundred(server):
    since = baseline(server)
    made = ["page%03d" % i for i in range(ROOMS_PER_ANSWER + 30)]
    connection = http.client.HTTPConnection(HOST, server.port, timeout=SOCKET_TIMEOUT)
    try:
        for name in made:
            connection.request("PUT", "/api/v1/rooms/" + name)
            response = connection.getresponse()
            response.read()
            check(response.status == 201, "PUT %s answered %d" % (name, response.status))
    finally:
        connection.close()
    last = newest_id(server, "quiet")
    first = server.get("/api/v1/rooms/quiet/messages?after=%d&wait=20&rooms_since=%d" % (last, since))
    check([room["name"] for room in first["rooms"]] == made[:ROOMS_PER_ANSWER],
          "the first answer lists %r" % [room["name"] for room in first["rooms"]][:5])
    started = time.monotonic()
    second = server.get("/api/v1/rooms/quiet/messages?after=%d&wait=20&rooms_since=%d" % (last, first["rooms_seq"]))
    check(time.monotonic() - started < PROMPT_SECONDS, "the rest waited %.2f s" % (time.monotonic() - started))
    check([room["name"] for room in second["rooms"]] == made[ROOMS_PER_ANSWER:],
          "the second answer lists %r" % [room["name"] for room in second["rooms"]][:5])
    check(second["rooms_seq"] == baseline(server), "rooms_seq %r at the end" % second["rooms_seq"])


def a_room_changed_twice_is_listed_once_at_its_last_change(server):
    since = baseline(server)
    send(server, "busy", "one")
    put_room(server, "between")
    message = send(server, "busy", "two")
    body = server.get("/api/v1/rooms/quiet/messages?after=0&limit=1&rooms_since=%d" % since)
    names = [room["name"] for room in body["rooms"]]
    check(names == ["between", "busy"], "rooms in order of change: %r" % names)
    check(body["rooms"][1]["last_id"] == message["id"], "busy %r" % body["rooms"][1])


def a_cursor_from_before_a_restart_lists_what_changed_since(server):
    # The sequence starts at the process's start time in microseconds: a cursor from an
    # earlier process is below it, one from nowhere (the far future) above it. Both get
    # every room changed in this process, so nothing is missed.
    from_start = server.get("/api/v1/rooms/quiet/messages?after=0&limit=1&rooms_since=0")
    check(len(changed(from_start)) == ROOMS_PER_ANSWER, "from 0: %.300r" % from_start)
    for since in (1, 2 ** 52):
        body = server.get("/api/v1/rooms/quiet/messages?after=0&limit=1&rooms_since=%d" % since)
        check(body == from_start, "since %d: %.300r" % (since, body))


def invalid_rooms_since_is_400(server):
    for value in ("", "-1", "abc", "1.5", "+3", "0x10", "99999999999999999999"):
        status, _, body = server.request("GET", "/api/v1/rooms/quiet/messages?after=0&rooms_since=" + value)
        error = body.get("error", {}) if isinstance(body, dict) else {}
        check(status == 400 and error.get("code") == "invalid_query" and "rooms_since" in error.get("message", ""),
              "rooms_since=%r answered %d %.200r" % (value, status, body))
        status, _, body = server.request("GET", "/api/v1/rooms/quiet/events?rooms_since=" + value)
        check(status == 400, "events?rooms_since=%r answered %d" % (value, status))


def members(server, room):
    return [member["name"] for member in server.get("/api/v1/rooms/%s/members" % room)["members"]]


def leaving_removes_a_name_at_once_and_wakes_a_watcher(server):
    put_room(server, "hall")
    server.get("/api/v1/rooms/hall/messages?after=0&name=bea")
    check("bea" in members(server, "hall"), "bea is not online: %r" % members(server, "hall"))
    since = baseline(server)
    watcher = hold(server, "quiet", since)
    left_at = time.monotonic()
    status, _, body = server.request("DELETE", "/api/v1/rooms/hall/members/bea")
    check(status == 204 and body == b"", "DELETE answered %d %.200r" % (status, body))
    check("bea" not in members(server, "hall"), "bea is still online: %r" % members(server, "hall"))
    answer = watcher.wait(PROMPT_SECONDS + 1)
    check(watcher.answered - left_at < PROMPT_SECONDS, "the watcher waited %.2f s" % (watcher.answered - left_at))
    rooms = changed(answer)
    check("hall" in rooms and rooms["hall"]["online"] == 0, "hall %.300r" % answer)
    # Leaving again, or a name never seen, is no error: the name is not online either way.
    status, _, _ = server.request("DELETE", "/api/v1/rooms/hall/members/bea")
    check(status == 204, "leaving twice answered %d" % status)


def a_name_newly_seen_is_a_change(server):
    since = baseline(server)
    server.get("/api/v1/rooms/hall/messages?after=0&name=dora")
    body = server.get("/api/v1/rooms/quiet/messages?after=0&limit=1&rooms_since=%d" % since)
    rooms = changed(body)
    check("hall" in rooms and rooms["hall"]["online"] >= 1, "hall %.300r" % body)


def leaving_refuses_what_is_not_there(server):
    for path, code, status_wanted in (("/api/v1/rooms/nowhere/members/bea", "room_not_found", 404),
                                      ("/api/v1/rooms/hall/members/%01", "invalid_name", 400),
                                      ("/api/v1/rooms/hall/members/" + "x" * 300, "invalid_name", 400)):
        status, _, body = server.request("DELETE", path)
        error = body.get("error", {}) if isinstance(body, dict) else {}
        check(status == status_wanted and error.get("code") == code,
              "DELETE %s answered %d %.200r" % (path[:60], status, body))


def read_event(response):
    fields = {}
    while True:
        line = response.readline()
        if not line:
            raise Failure("the stream ended")
        line = line.decode().rstrip("\n")
        if not line:
            if fields:
                return fields
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        fields[name] = value[1:] if value.startswith(" ") else value


def the_stream_sends_a_rooms_event_when_rooms_change(server):
    since = baseline(server)
    connection = http.client.HTTPConnection(HOST, server.port, timeout=5)
    try:
        connection.request("GET", "/api/v1/rooms/quiet/events?rooms_since=%d" % since,
                           headers={"Accept": "text/event-stream"})
        response = connection.getresponse()
        check(response.status == 200, "events answered %d" % response.status)
        check(read_event(response).get("retry") == "2000", "no retry first")
        sent_at = time.monotonic()
        for i in range(50):  # a flood in another room is one event or a few, not fifty
            message = send(server, "busy", "flood %d" % i)
        events = []
        while not events or changed(json.loads(events[-1]["data"]))["busy"]["last_id"] != message["id"]:
            event = read_event(response)
            check(event.get("event") == "rooms" and "id" not in event, "event %r" % event)
            events.append(event)
        check(time.monotonic() - sent_at < PROMPT_SECONDS + 1, "the last took %.2f s" % (time.monotonic() - sent_at))
        check(len(events) <= 10, "%d rooms events for 50 messages" % len(events))
        data = json.loads(events[-1]["data"])
        check(data["rooms_seq"] > since, "rooms_seq %r" % data)
    finally:
        connection.close()


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(WHOLE_FILE_SECONDS)
    failures = run_with_server(binary, ["--send-rate", "1000000", "--send-burst", "1000000"], (
        message_in_another_room_wakes_a_held_poll,
        a_new_room_wakes_a_held_poll,
        polls_without_rooms_since_are_not_woken_by_other_rooms,
        more_than_a_hundred_changed_rooms_come_in_answers_of_a_hundred,
        a_room_changed_twice_is_listed_once_at_its_last_change,
        a_cursor_from_before_a_restart_lists_what_changed_since,
        invalid_rooms_since_is_400,
        leaving_removes_a_name_at_once_and_wakes_a_watcher,
        a_name_newly_seen_is_a_change,
        leaving_refuses_what_is_not_there,
        the_stream_sends_a_rooms_event_when_rooms_change))
    signal.alarm(0)
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
