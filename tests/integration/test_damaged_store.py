#!/usr/bin/env python3
"""A damaged store is loud (docs/security.md, "A damaged store"). Each case damages
chatapp.db the way a bad restore, another program or a failing disk would, with Python's
sqlite3 module or by overwriting the file, then checks what the operator and the clients
see:

- an empty (0-byte) file, a file that is not SQLite, another program's SQLite file and an
  SQLite file without tables stop the start with exit status 1 and the reason, and are
  left as they were; a new data directory starts an empty chat, and a database from
  before ChatApp marked its files is still served;
- a room whose counter fell behind its messages is repaired at start-up; a room whose
  next id is taken while the server runs refuses only its own sends (503
  room_inconsistent), not those of other rooms in the same group commits, and /healthz
  names it until a restart repairs it;
- a cursor beyond a room's newest message gets 400 cursor_beyond_last_id at once, with
  or without wait=, and a stream resumed from one gets a reset event and then goes on;
- pages of the database overwritten while the server runs make reads of them 503 and
  /healthz 503 store_unreadable, with the reason."""

import concurrent.futures
import hashlib
import http.client
import json
import os
import re
import signal
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    HOST, Failure, Server, bound_whole_file, check, refused_start, run_checks, wait_until)

WHOLE_FILE_SECONDS = 120
JSON = {"Content-Type": "application/json"}
# All clients here are 127.0.0.1: the per-address send limit would refuse them.
UNTHROTTLED = ["--send-rate", "1000000", "--send-burst", "1000000"]
CHATAPP_APPLICATION_ID = 0x43684170
# The schema of a database written before ChatApp marked its files (application_id 0).
UNMARKED_SCHEMA = """
CREATE TABLE rooms (name TEXT PRIMARY KEY, last_id INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL);
CREATE TABLE messages (room TEXT NOT NULL, id INTEGER NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL,
                       ts_ms INTEGER NOT NULL, PRIMARY KEY (room, id)) WITHOUT ROWID;
CREATE TABLE idempotency_keys (room TEXT NOT NULL, key TEXT NOT NULL, message_id INTEGER NOT NULL,
                               created_ms INTEGER NOT NULL, PRIMARY KEY (room, key)) WITHOUT ROWID;
"""


class Context:
    def __init__(self, binary, top):
        self.binary = binary
        self.top = top
        self.servers = []

    def data_dir(self, name):
        path = os.path.join(self.top, name)
        os.mkdir(path)
        return path

    def database(self, data_dir):
        return os.path.join(data_dir, "chatapp.db")

    def start(self, data_dir):
        log = os.path.join(self.top, "%s-%d.log" % (os.path.basename(data_dir), len(self.servers)))
        server = Server(self.binary, data_dir, log, UNTHROTTLED)
        self.servers.append(server)
        return server

    def stop(self, server):
        check(server.stop() == 0, "the server did not exit cleanly: %s" % server.stderr)

    def refused_start(self, data_dir):
        """Starts the server on `data_dir`, which it must refuse: returns what it said."""
        return refused_start(self.binary, data_dir, os.path.join(self.top, os.path.basename(data_dir) + "-refused.log"))

    def kill_all(self):
        for server in self.servers:
            server.kill()


def digest(path):
    with open(path, "rb") as source:
        return hashlib.sha256(source.read()).hexdigest()


def send(server, room, text, headers=JSON):
    return server.request("POST", "/api/v1/rooms/%s/messages" % room,
                          body=json.dumps({"author": "ana", "text": text}), headers=headers)


def send_ok(server, room, text):
    status, _, body = send(server, room, text)
    check(status == 201, "a send to %s got %d %r" % (room, status, body))
    return body


def ids_of(server, room):
    page = server.get("/api/v1/rooms/%s/messages?after=0&limit=1000" % room)
    return [m["id"] for m in page["messages"]]


def expect_error(answer, status, code, what):
    got_status, headers, body = answer
    check(got_status == status and isinstance(body, dict) and body.get("error", {}).get("code") == code,
          "%s answered %d %r, not %d %s" % (what, got_status, body, status, code))
    return headers, body["error"]


def commits(server):
    status, _, text = server.request("GET", "/metrics")
    check(status == 200, "/metrics answered %d" % status)
    match = re.search(rb"^chatapp_commit_seconds_count (\d+)$", text, re.MULTILINE)
    check(match, "no commit count in /metrics")
    return int(match.group(1))


def refusal_leaves_file(context, name, make, reason):
    """`make(path)` writes chatapp.db; the start must be refused with `reason` in its
    message and the file left byte for byte as it was."""
    data_dir = context.data_dir(name)
    path = context.database(data_dir)
    make(path)
    before = digest(path)
    said = context.refused_start(data_dir)
    check(reason in said, "the refusal does not say %r: %s" % (reason, said))
    check("restore it from a backup" in said, "the refusal says nothing of what to do: %s" % said)
    check(digest(path) == before, "the refused file was changed")


def an_empty_file_is_refused(context):
    def make(path):
        open(path, "wb").close()
    refusal_leaves_file(context, "empty", make, "is empty (0 bytes)")


def a_file_that_is_not_sqlite_is_refused(context):
    def make(path):
        with open(path, "wb") as garbage:
            garbage.write(b"these are not the messages you are looking for\n" * 200)
    refusal_leaves_file(context, "not-sqlite", make, "is not an SQLite database")


def another_programs_database_is_refused(context):
    def notes(path):
        with sqlite3.connect(path) as database:
            database.execute("CREATE TABLE notes (body TEXT)")
            database.execute("INSERT INTO notes VALUES ('buy milk')")
        database.close()
    refusal_leaves_file(context, "notes", notes, "is not a ChatApp database: it holds the tables notes")

    def marked(path):
        # Our table names, another program's mark: the mark decides.
        with sqlite3.connect(path) as database:
            database.executescript(UNMARKED_SCHEMA)
            database.execute("PRAGMA application_id = 1234")
        database.close()
    refusal_leaves_file(context, "marked", marked, "belongs to another program")

    def tableless(path):
        with sqlite3.connect(path) as database:
            database.execute("PRAGMA user_version = 1")
        database.close()
    refusal_leaves_file(context, "tableless", tableless, "without a single table")


def a_new_data_dir_starts_an_empty_chat(context):
    data_dir = context.data_dir("new")
    server = context.start(data_dir)
    rooms = server.get("/api/v1/rooms")["rooms"]
    check([r["name"] for r in rooms] == ["general"], "a new chat has the rooms %r" % rooms)
    check(send_ok(server, "lab", "first")["id"] == 1, "the first message is not 1")
    context.stop(server)
    with sqlite3.connect(context.database(data_dir)) as database:
        mark = database.execute("PRAGMA application_id").fetchone()[0]
    database.close()
    check(mark == CHATAPP_APPLICATION_ID, "a new database is marked %#x" % mark)
    check(not os.path.exists(context.database(data_dir) + ".new"), "the file it was built as is left")
    server = context.start(data_dir)
    check(ids_of(server, "lab") == [1], "the chat did not survive a restart")
    context.stop(server)


def a_chat_from_before_the_mark_is_served(context):
    data_dir = context.data_dir("unmarked")
    with sqlite3.connect(context.database(data_dir)) as database:
        database.executescript(UNMARKED_SCHEMA)
        database.execute("INSERT INTO rooms VALUES ('lab', 2, 0)")
        database.executemany("INSERT INTO messages (room, id, author, text, ts_ms) VALUES ('lab', ?, 'ana', ?, 0)", [(1, "uno"), (2, "dos")])
    database.close()
    server = context.start(data_dir)
    texts = [m["text"] for m in server.get("/api/v1/rooms/lab/messages?after=0")["messages"]]
    check(texts == ["uno", "dos"], "the old chat reads %r" % texts)
    check(send_ok(server, "lab", "tres")["id"] == 3, "the next id is not 3")
    context.stop(server)
    with sqlite3.connect(context.database(data_dir)) as database:
        mark = database.execute("PRAGMA application_id").fetchone()[0]
    database.close()
    check(mark == CHATAPP_APPLICATION_ID, "the old database was not marked: %#x" % mark)


def a_counter_behind_is_repaired_at_start(context):
    data_dir = context.data_dir("behind")
    server = context.start(data_dir)
    for i in range(5):
        send_ok(server, "lab", "lab %d" % i)
    for i in range(3):
        send_ok(server, "other", "other %d" % i)
    context.stop(server)
    # As a restore of the rooms table from an older copy would leave it.
    with sqlite3.connect(context.database(data_dir)) as database:
        database.execute("UPDATE rooms SET last_id = 2 WHERE name = 'lab'")
        database.execute("DELETE FROM rooms WHERE name = 'other'")
    database.close()

    server = context.start(data_dir)
    check(re.search(r"room 'lab' counted 2 messages, but messages up to id 5 are stored.*counter is now 5",
                    server.stderr), "the repair of lab is not logged: %s" % server.stderr)
    check(re.search(r"room 'other' had no counter, but messages up to id 3", server.stderr),
          "the repair of other is not logged: %s" % server.stderr)
    rooms = {r["name"]: r["last_id"] for r in server.get("/api/v1/rooms")["rooms"]}
    check(rooms.get("lab") == 5 and rooms.get("other") == 3, "after the repair the rooms say %r" % rooms)
    check(send_ok(server, "lab", "after")["id"] == 6, "the send after the repair is not 6")
    check(send_ok(server, "other", "after")["id"] == 4, "the send to other after the repair is not 4")
    check(ids_of(server, "lab") == list(range(1, 7)), "lab holds %r" % ids_of(server, "lab"))
    check(server.request("GET", "/healthz")[0] == 200, "/healthz is not 200 after the repair")
    context.stop(server)


def one_rooms_collision_fails_only_its_sends(context):
    data_dir = context.data_dir("collision")
    server = context.start(data_dir)
    for i in range(3):
        send_ok(server, "lab", "lab %d" % i)
    # Another program writes into the live database: lab's next ids are taken.
    with sqlite3.connect(context.database(data_dir), timeout=10) as database:
        database.executemany("INSERT INTO messages (room, id, author, text, ts_ms) VALUES ('lab', ?, 'intruder', 'x', 0)", [(4,), (5,), (6,)])
    database.close()

    others = ("one", "two")
    sent = {room: 0 for room in others}
    per_room = 12
    lab_answers = []

    def burst_shares_commits():
        """Sends to lab and to the other rooms, interleaved and at once; true once the
        writer took several of them in one commit."""
        before = commits(server)
        rooms = [room for _ in range(per_room) for room in ("lab",) + others]
        with concurrent.futures.ThreadPoolExecutor(len(rooms)) as pool:
            answers = list(pool.map(lambda room: (room, send(server, room, "burst to " + room)), rooms))
        shared = commits(server) - before < len(rooms)
        for room, (status, headers, body) in answers:
            if room == "lab":
                lab_answers.append((status, headers, body))
            else:
                check(status == 201, "a send to %s, in a burst with lab's, got %d %r" % (room, status, body))
                sent[room] += 1
        return shared
    wait_until(burst_shares_commits, 30, "sends to several rooms to share a commit")

    for answer in lab_answers:
        headers, error = expect_error(answer, 503, "room_inconsistent", "a send to lab")
        check("'lab'" in error["message"] and headers["Retry-After"], "the 503 says %r" % error)
    for room in others:
        check(ids_of(server, room) == list(range(1, sent[room] + 1)), "%s holds %r" % (room, ids_of(server, room)))
    with sqlite3.connect(context.database(data_dir), timeout=10) as database:
        stored = database.execute("SELECT id, author FROM messages WHERE room = 'lab' ORDER BY id").fetchall()
    database.close()
    check([author for _, author in stored] == ["ana"] * 3 + ["intruder"] * 3,
          "lab's refused sends left rows behind: %r" % stored)
    _, error = expect_error(server.request("GET", "/healthz"), 503, "room_inconsistent", "/healthz")
    check("'lab'" in error["message"], "/healthz does not name lab: %r" % error)
    check("room 'lab' cannot take messages" in server.stderr, "not logged: %s" % server.stderr)

    context.stop(server)
    server = context.start(data_dir)
    check("room 'lab' counted 3 messages, but messages up to id 6" in server.stderr,
          "the restart did not repair lab: %s" % server.stderr)
    check(send_ok(server, "lab", "after the restart")["id"] == 7, "lab does not go on from 7")
    check(server.request("GET", "/healthz")[0] == 200, "/healthz is not 200 after the repair")
    context.stop(server)


def a_key_whose_message_is_gone_is_sent_again(context):
    data_dir = context.data_dir("lostkey")
    server = context.start(data_dir)
    keyed = dict(JSON, **{"Idempotency-Key": "lost-1"})
    status, _, body = send(server, "lab", "keyed", keyed)
    check(status == 201 and body["id"] == 1, "the keyed send got %d %r" % (status, body))
    # The message goes, its key stays: a partial restore, a hand edit.
    with sqlite3.connect(context.database(data_dir), timeout=10) as database:
        database.execute("DELETE FROM messages WHERE room = 'lab' AND id = 1")
    database.close()
    status, _, body = send(server, "lab", "keyed", keyed)
    check(status == 201 and body.get("id") == 2, "the send again with the lost key got %d %r" % (status, body))
    status, _, body = send(server, "lab", "keyed", keyed)
    check(status in (200, 201) and body.get("id") == 2, "a third send with the key got %d %r" % (status, body))
    check(send_ok(server, "lab", "unkeyed")["id"] == 3, "the next send is not 3")
    context.stop(server)
    # On disk: the server's own reads may come from what it remembers of the room.
    with sqlite3.connect(context.database(data_dir), timeout=10) as database:
        stored = database.execute("SELECT id, text FROM messages WHERE room = 'lab' ORDER BY id").fetchall()
        keys = database.execute("SELECT message_id FROM idempotency_keys WHERE key = 'lost-1'").fetchall()
    database.close()
    check(stored == [(2, "keyed"), (3, "unkeyed")], "lab holds %r" % stored)
    check(keys == [(2,)], "the key names %r" % keys)


def read_event(response):
    """One event of a stream, as its fields; comments and the retry field are skipped."""
    fields = {}
    while True:
        try:
            line = response.fp.readline()
        except TimeoutError:
            raise Failure("no event within %d s (so far %r)" % (STREAM_TIMEOUT, fields))
        check(line, "the stream ended")
        line = line.decode().rstrip("\n")
        if not line:
            if "data" in fields:
                return fields
            fields = {}
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        fields[name] = value[1:] if value.startswith(" ") else value


STREAM_TIMEOUT = 5


def open_stream(server, path, headers):
    connection = http.client.HTTPConnection(HOST, server.port, timeout=STREAM_TIMEOUT)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    check(response.status == 200, "%s answered %d" % (path, response.status))
    return connection, response


def a_cursor_beyond_the_room_is_refused(context):
    data_dir = context.data_dir("cursor")
    server = context.start(data_dir)
    for i in range(3):
        send_ok(server, "lab", "lab %d" % i)
    messages = "/api/v1/rooms/lab/messages"
    for query in ("after=4", "after=4&wait=30", "after=500&limit=5", "after=4&before=9"):
        started = time.monotonic()
        _, error = expect_error(server.request("GET", messages + "?" + query), 400, "cursor_beyond_last_id", query)
        check(time.monotonic() - started < 5, "%s waited %.1f s for its 400" % (query, time.monotonic() - started))
        check("newest is 3" in error["message"], "the 400 does not say the newest id: %r" % error)
    page = server.get(messages + "?after=3")
    check(page == {"messages": [], "last_id": 3}, "after the newest answered %r" % page)

    # A stream that resumes from beyond the room is told, and goes on from its newest.
    for headers, path in (({"Last-Event-ID": "50"}, "/api/v1/rooms/lab/events"),
                          ({}, "/api/v1/rooms/lab/events?after=50")):
        newest = server.get(messages + "?limit=1")["last_id"]
        connection, response = open_stream(server, path, headers)
        try:
            reset = read_event(response)
            check(reset.get("event") == "reset" and reset.get("id") == str(newest), "the first event is %r" % reset)
            data = json.loads(reset["data"])
            check(data["room"] == "lab" and data["last_id"] == newest and data["code"] == "cursor_beyond_last_id",
                  "the reset event says %r" % data)
            sent = send_ok(server, "lab", "after a reset")
            live = read_event(response)
            check(live.get("event") == "message" and json.loads(live["data"]) == sent,
                  "after the reset the stream sent %r" % live)
        finally:
            connection.close()
    # A stream at the newest id gets no reset.
    connection, response = open_stream(server, "/api/v1/rooms/lab/events", {"Last-Event-ID": str(sent["id"])})
    try:
        sent = send_ok(server, "lab", "no reset")
        live = read_event(response)
        check(live.get("event") == "message" and int(live["id"]) == sent["id"], "a stream at the newest got %r" % live)
    finally:
        connection.close()
    context.stop(server)


def pages_overwritten_make_reads_and_healthz_fail(context):
    data_dir = context.data_dir("unreadable")
    server = context.start(data_dir)
    server.get("/api/v1/rooms")  # past start-up, where SIGTERM is handled
    context.stop(server)
    # `archive` sorts first, so its messages fill the first leaves of the messages tree;
    # lab's fill the last, which the health check's own small read reaches.
    marker = b"archive-marker"
    with sqlite3.connect(context.database(data_dir)) as database:
        database.execute("INSERT INTO rooms VALUES ('archive', 600, 0), ('lab', 60, 0)")
        database.executemany("INSERT INTO messages (room, id, author, text, ts_ms) VALUES ('archive', ?, 'ana', ?, 0)",
                             [(i, "%s %d %s" % (marker.decode(), i, "x" * 300)) for i in range(1, 601)])
        database.executemany("INSERT INTO messages (room, id, author, text, ts_ms) VALUES ('lab', ?, 'ana', ?, 0)",
                             [(i, "lab %d %s" % (i, "y" * 300)) for i in range(1, 61)])
    database.close()  # the last connection: the log is written back into chatapp.db
    path = context.database(data_dir)
    check(not os.path.exists(path + "-wal") or os.path.getsize(path + "-wal") == 0, "the log is not empty")

    server = context.start(data_dir)
    check(server.request("GET", "/healthz")[0] == 200, "/healthz is not 200 before the damage")
    # A disk that returns garbage for archive's pages, under the running server.
    page_size = 4096
    damaged = 0
    with open(path, "r+b") as database:
        contents = database.read()
        for offset in range(0, len(contents), page_size):
            if marker in contents[offset:offset + page_size]:
                database.seek(offset)
                database.write(b"\xff" * page_size)
                damaged += 1
        database.flush()
        os.fsync(database.fileno())
    check(damaged > 10, "only %d pages held archive's messages" % damaged)
    check(server.request("GET", "/healthz")[0] == 200,
          "/healthz fails before any read reached the damage (its own read should not)")

    expect_error(server.request("GET", "/api/v1/rooms/archive/messages?after=0"), 503, "store_unavailable",
                 "a read of the damaged pages")
    newest = server.get("/api/v1/rooms/lab/messages?limit=2")["messages"]
    check([m["id"] for m in newest] == [59, 60], "lab's newest read %r" % newest)
    headers, error = expect_error(server.request("GET", "/healthz"), 503, "store_unreadable",
                                  "/healthz after a read failed")
    check("archive" in error["message"] and "malformed" in error["message"], "/healthz says %r" % error)
    check(headers["Retry-After"], "/healthz's 503 has no Retry-After")
    server.kill()


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(WHOLE_FILE_SECONDS)
    failures = 0
    with tempfile.TemporaryDirectory() as top:
        context = Context(binary, top)
        try:
            failures += run_checks((an_empty_file_is_refused, a_file_that_is_not_sqlite_is_refused,
                                    another_programs_database_is_refused, a_new_data_dir_starts_an_empty_chat,
                                    a_chat_from_before_the_mark_is_served, a_counter_behind_is_repaired_at_start,
                                    one_rooms_collision_fails_only_its_sends, a_key_whose_message_is_gone_is_sent_again,
                                    a_cursor_beyond_the_room_is_refused,
                                    pages_overwritten_make_reads_and_healthz_fail), context)
        finally:
            context.kill_all()
    signal.alarm(0)
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
