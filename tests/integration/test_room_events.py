#!/usr/bin/env python3
"""Edits, deletions, reactions and replies (docs/api.md, "Changing a message"), against
the real server:

- every operation with its status codes: 200/201, 400, 403 (no or a wrong Author-Secret),
  404, 409 (a deleted message), 413, 422 (a change is not a message; a reply to nothing),
  429 (they count as sends);
- each change is an entry of the room's one sequence: a follower by SSE and one by long
  poll each see every edit, deletion and reaction exactly once and in order, also across
  a reconnect in the middle, and what they build by applying them is what history says;
- history, a single message and search give each message as it is now; a change asked
  twice adds nothing;
- a deleted message's text is gone from the database file, search agrees with history
  after edits and deletions, and an acknowledged change survives kill -9;
- `around=` gives a message in its context."""

import http.client
import json
import os
import signal
import socket
import sys
import tempfile
import threading
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import HOST, Server, bound_whole_file, check, run_checks, wait_until  # noqa: E402

UNTHROTTLED = ["--send-rate", "1000000", "--send-burst", "1000000"]
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SECRET = "ana-secret-0123456789"
OTHER_SECRET = "bea-secret-9876543210"


def path(room, *rest):
    return "/api/v1/rooms/%s/messages%s" % (room, "".join("/%s" % part for part in rest))


def send(server, room, author, text, secret=None, reply_to=None):
    headers = dict(JSON)
    if secret:
        headers["Author-Secret"] = secret
    body = {"author": author, "text": text}
    if reply_to is not None:
        body["reply_to"] = reply_to
    return server.request("POST", path(room), json.dumps(body), headers)


def sent(server, room, author, text, secret=None, reply_to=None):
    status, _, body = send(server, room, author, text, secret, reply_to)
    check(status == 201, "a send got %d %r" % (status, body))
    return body


def edit(server, room, message_id, text, secret=SECRET):
    headers = dict(FORM)
    if secret:
        headers["Author-Secret"] = secret
    return server.request("PATCH", path(room, message_id), urllib.parse.urlencode({"text": text}), headers)


def delete(server, room, message_id, secret=SECRET):
    return server.request("DELETE", path(room, message_id), None, {"Author-Secret": secret} if secret else {})


def react(server, room, message_id, author, emoji):
    return server.request("POST", path(room, message_id, "reactions"),
                          json.dumps({"author": author, "emoji": emoji}), JSON)


def unreact(server, room, message_id, author, emoji):
    query = urllib.parse.urlencode({"author": author, "emoji": emoji})
    return server.request("DELETE", path(room, message_id, "reactions") + "?" + query)


def expect(answer, status, code=None, what=""):
    got_status, _, body = answer
    got_code = body.get("error", {}).get("code") if isinstance(body, dict) else None
    check(got_status == status and (code is None or got_code == code),
          "%s: expected %d %s, got %d %r" % (what, status, code or "", got_status, body))
    return body


def history(server, room):
    return server.get(path(room) + "?after=0&limit=1000")


def apply(state, entry):
    """What a follower does with an entry (docs/api.md, Conventions): changes are settings,
    so one already shown by the page it follows changes nothing. Who reacted is a set: such
    a change can reorder the names, not change them."""
    kind = entry.get("type")
    if kind is None:
        state[entry["id"]] = {"text": entry["text"], "deleted": entry.get("deleted", False),
                              "reactions": {r["emoji"]: set(r["names"]) for r in entry.get("reactions", [])},
                              "reply_to": entry.get("reply_to")}
        return
    message = state.get(entry["target"])
    check(message is not None, "entry %r is about a message the follower never saw" % entry)
    if kind == "edit":
        if not message["deleted"]:
            message["text"] = entry["text"]
    elif kind == "delete":
        message["deleted"], message["text"] = True, ""
    elif kind == "react":
        message["reactions"].setdefault(entry["emoji"], set()).add(entry["author"])
    elif kind == "unreact":
        names = message["reactions"].get(entry["emoji"], set())
        names.discard(entry["author"])
        if not names:
            message["reactions"].pop(entry["emoji"], None)
    else:
        raise AssertionError("unknown entry type %r" % kind)


def state_of(entries):
    state = {}
    for entry in entries:
        apply(state, entry)
    return state


def statuses_of_every_operation(server):
    first = sent(server, "lab", "ana", "helo wrold", SECRET)
    check("reply_to" not in first and "type" not in first, "a plain message has new fields: %r" % first)
    mid = first["id"]
    expect(edit(server, "lab", mid, "hello world"), 200, what="an edit by its author")
    expect(edit(server, "lab", mid, "hello world"), 200, what="the same edit again")
    expect(edit(server, "lab", mid, "x", secret=None), 403, "author_secret_required", "an edit without a secret")
    expect(edit(server, "lab", mid, "x", secret=OTHER_SECRET), 403, "not_your_message", "an edit with another secret")
    expect(server.request("PATCH", path("lab", mid), json.dumps({"text": "x"}), {**JSON, "Author-Secret": "short"}),
           400, "invalid_header", "a secret too short")
    expect(server.request("PATCH", path("lab", mid), json.dumps({}), {**JSON, "Author-Secret": SECRET}),
           400, "missing_field", "an edit without text")
    expect(edit(server, "lab", mid, "x" * 4001), 413, "text_too_long", "an edit too long")
    expect(edit(server, "lab", 999, "x"), 404, "message_not_found", "an edit of no message")
    expect(edit(server, "nowhere", 1, "x"), 404, "room_not_found", "an edit in no room")
    unsigned = sent(server, "lab", "bea", "sent without a secret")
    expect(edit(server, "lab", unsigned["id"], "x", secret=OTHER_SECRET), 403, "not_your_message",
           "an edit of a message sent without a secret")
    expect(delete(server, "lab", unsigned["id"], secret=OTHER_SECRET), 403, "not_your_message",
           "a deletion of a message sent without a secret")

    body = expect(react(server, "lab", mid, "bea", "👍"), 201, what="a new reaction")
    check(body["reactions"] == [{"emoji": "👍", "names": ["bea"]}], "reactions after one: %r" % body)
    expect(react(server, "lab", mid, "bea", "👍"), 200, what="the same reaction again")
    expect(react(server, "lab", mid, "bea", "👨‍👩‍👧‍👦"), 201, what="a joined emoji sequence")
    expect(react(server, "lab", mid, "bea", "🇦🇷"), 201, what="a flag")
    expect(react(server, "lab", mid, "bea", "1\ufe0f\u20e3"), 201, what="a keycap")
    for bad in ("ok", "👍 👍", "a👍", "👍" * 17, "7", "👍1", "👍]", "\ufeff👍", "\ufffd"):
        expect(react(server, "lab", mid, "bea", bad), 400, "invalid_field", "emoji %r" % bad)
    expect(server.request("POST", path("lab", mid, "reactions"), json.dumps({"emoji": "👍"}), JSON),
           400, "missing_field", "a reaction without a name")
    expect(unreact(server, "lab", mid, "bea", "🇦🇷"), 200, what="a reaction taken back")
    expect(unreact(server, "lab", mid, "bea", "🇦🇷"), 200, what="a reaction taken back twice")
    expect(unreact(server, "lab", mid, "bea", "1\ufe0f\u20e3"), 200, what="a keycap taken back")
    expect(server.request("DELETE", path("lab", mid, "reactions") + "?author=bea"), 400, "invalid_query",
           "taking back without an emoji")

    entry_ids = [m["id"] for m in history(server, "lab")["messages"] if m.get("type")]
    check(entry_ids, "no change entries in history")
    expect(edit(server, "lab", entry_ids[0], "x"), 422, "not_a_message", "an edit of an edit")
    expect(react(server, "lab", entry_ids[0], "bea", "👍"), 422, "not_a_message", "a reaction to an edit")

    reply = sent(server, "lab", "bea", "what world?", reply_to=mid)
    check(reply["reply_to"] == mid, "the reply came back as %r" % reply)
    form_reply = server.request("POST", path("lab"), "author=bea&text=again&reply_to=%d" % mid, FORM)
    check(expect(form_reply, 201, what="a reply as a form")["reply_to"] == mid, "form reply_to lost")
    expect(send(server, "lab", "bea", "to nothing", reply_to=9999), 422, "invalid_reply_to", "a reply to nothing")
    expect(send(server, "lab", "bea", "to an edit", reply_to=entry_ids[0]), 422, "invalid_reply_to",
           "a reply to an edit")
    expect(server.request("POST", path("lab"), json.dumps({"author": "bea", "text": "x", "reply_to": "7a"}), JSON),
           400, "invalid_field", "a reply_to that is no id")

    last = history(server, "lab")["last_id"]
    body = expect(delete(server, "lab", mid), 200, what="a deletion by its author")
    check(body["deleted"] is True and body["text"] == "", "a deleted message answered %r" % body)
    expect(delete(server, "lab", mid), 200, what="a second deletion")
    check(history(server, "lab")["last_id"] == last + 1, "a second deletion added an entry")
    expect(edit(server, "lab", mid, "back"), 409, "message_deleted", "an edit of a deleted message")
    expect(react(server, "lab", mid, "bea", "👍"), 409, "message_deleted", "a reaction to a deleted message")
    check(sent(server, "lab", "bea", "a reply to the deleted", reply_to=mid)["reply_to"] == mid,
          "a reply to a deleted message was refused")


def changes_count_as_sends():
    """A server with a small send rate: edits and reactions are refused like sends."""
    binary = os.environ["CHATAPP_BINARY"]
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir, os.path.join(data_dir, "server.log"), ["--send-rate", "1", "--send-burst", "3"])
        try:
            mid = sent(server, "lab", "ana", "one", SECRET)["id"]
            answers = [edit(server, "lab", mid, "edit %d" % i)[0] for i in range(3)]
            answers += [react(server, "lab", mid, "bea", "👍")[0]]
            check(answers[:2] == [200, 200] and 429 in answers[2:], "changes past the burst got %r" % answers)
        finally:
            server.kill()


def history_gives_current_state(server):
    mid = sent(server, "state", "ana", "first words", SECRET)["id"]
    sent(server, "state", "bea", "other")
    expect(edit(server, "state", mid, "second words"), 200, what="edit")
    expect(react(server, "state", mid, "bea", "🎉"), 201, what="react")
    expect(react(server, "state", mid, "cy", "👍"), 201, what="react")
    expect(react(server, "state", mid, "dan", "🎉"), 201, what="react")
    page = history(server, "state")["messages"]
    message = page[0]
    check(message["text"] == "second words" and "edited_ts" in message, "history shows %r" % message)
    check(message["reactions"] == [{"emoji": "🎉", "names": ["bea", "dan"]}, {"emoji": "👍", "names": ["cy"]}],
          "history's reactions: %r" % message["reactions"])
    check([m.get("type") for m in page] == [None, None, "edit", "react", "react", "react"],
          "the entries in history: %r" % [m.get("type") for m in page])
    check(server.get(path("state", mid)) == message, "GET of the message is not history's")
    found = server.get("/api/v1/search?q=second&room=state")["results"]
    check(found == [message], "search gives %r" % found)
    check(server.get("/api/v1/search?q=first&room=state")["results"] == [],
          "search still finds the text before the edit")
    check(state_of(page) == state_of([message, page[1]]), "replaying history's entries changes its state")


def around_shows_a_message_in_context(server):
    ids = [sent(server, "context", "ana", "m%d" % i)["id"] for i in range(1, 41)]
    page = server.get(path("context") + "?around=%d&limit=10" % ids[19])["messages"]
    check([m["id"] for m in page] == list(range(16, 26)), "around=20 gave %r" % [m["id"] for m in page])
    page = server.get(path("context") + "?around=39&limit=10")["messages"]
    check([m["id"] for m in page] == list(range(31, 41)), "around the end gave %r" % [m["id"] for m in page])
    page = server.get(path("context") + "?around=2&limit=10")["messages"]
    check([m["id"] for m in page] == list(range(1, 11)), "around the start gave %r" % [m["id"] for m in page])
    expect(server.request("GET", path("context") + "?around=5&after=1"), 400, "invalid_query", "around with after")


class SseFollower(threading.Thread):
    """Follows a room's stream, resuming by Last-Event-ID; `cut()` drops the connection."""

    def __init__(self, server, room):
        super().__init__(daemon=True)
        self.server, self.room = server, room
        self.entries = []
        self.stop = threading.Event()
        self.socket = None
        self.connections = 0
        self.error = None

    def last_id(self):
        return self.entries[-1]["id"] if self.entries else 0

    def cut(self):
        self.socket.shutdown(socket.SHUT_RDWR)

    def run(self):
        try:
            while not self.stop.is_set():
                self.follow()
        except Exception as error:
            self.error = repr(error)

    def follow(self):
        connection = socket.create_connection((HOST, self.server.port), timeout=1)
        self.socket = connection
        self.connections += 1
        connection.sendall(("GET /api/v1/rooms/%s/events HTTP/1.1\r\nHost: 127.0.0.1\r\nLast-Event-ID: %d\r\n\r\n"
                            % (self.room, self.last_id())).encode())
        buffered, head_done = b"", False
        try:
            while not self.stop.is_set():
                try:
                    chunk = connection.recv(65536)
                except socket.timeout:
                    continue
                if not chunk:
                    return
                buffered += chunk
                if not head_done:
                    if b"\r\n\r\n" not in buffered:
                        continue
                    head, buffered = buffered.split(b"\r\n\r\n", 1)
                    head_done = True
                lines = buffered.split(b"\n")
                buffered = lines.pop()
                for line in lines:
                    if line.startswith(b"data: "):
                        self.entries.append(json.loads(line[6:]))
        except OSError:
            return
        finally:
            connection.close()


class PollFollower(threading.Thread):
    """Follows a room by long polls from its last id; `cut()` drops a held poll."""

    def __init__(self, server, room):
        super().__init__(daemon=True)
        self.server, self.room = server, room
        self.entries = []
        self.stop = threading.Event()
        self.connection = None
        self.error = None

    def last_id(self):
        return self.entries[-1]["id"] if self.entries else 0

    def cut(self):
        self.connection.sock.shutdown(socket.SHUT_RDWR)

    def run(self):
        while not self.stop.is_set():
            self.connection = http.client.HTTPConnection(HOST, self.server.port, timeout=5)
            try:
                while not self.stop.is_set():
                    self.connection.request("GET", path(self.room) + "?after=%d&wait=1&limit=1000" % self.last_id())
                    response = self.connection.getresponse()
                    page = json.loads(response.read())
                    if response.status != 200:
                        self.error = "poll answered %d %r" % (response.status, page)
                        return
                    self.entries.extend(page["messages"])
            except (OSError, http.client.HTTPException, ValueError):
                pass
            finally:
                self.connection.close()


def followers_see_every_change_once_in_order(server):
    server.request("PUT", "/api/v1/rooms/follow")
    followers = [SseFollower(server, "follow"), PollFollower(server, "follow")]
    for follower in followers:
        follower.start()
    wait_until(lambda: all(f.socket if isinstance(f, SseFollower) else f.connection and f.connection.sock
                           for f in followers), 5, "the followers to connect")
    mids = []

    def some_changes(round_number):
        mid = sent(server, "follow", "ana", "round %d" % round_number, SECRET)["id"]
        mids.append(mid)
        expect(edit(server, "follow", mid, "round %d, edited" % round_number), 200, what="edit")
        expect(react(server, "follow", mid, "bea", "👍"), 201, what="react")
        sent(server, "follow", "bea", "a reply in round %d" % round_number, reply_to=mid)
        expect(react(server, "follow", mid, "cy", "👀"), 201, what="react")
        expect(unreact(server, "follow", mid, "bea", "👍"), 200, what="unreact")
        if round_number % 2:
            expect(delete(server, "follow", mid), 200, what="delete")

    for round_number in range(6):
        some_changes(round_number)
    last = history(server, "follow")["last_id"]
    wait_until(lambda: all(f.last_id() >= last for f in followers), 10, "the followers to see the first half")
    for follower in followers:  # a reconnect in the middle
        follower.cut()
    for round_number in range(6, 12):
        some_changes(round_number)
    page = history(server, "follow")
    last = page["last_id"]
    try:
        wait_until(lambda: all(f.last_id() >= last for f in followers), 10, lambda: "the followers to reach %d: %s" % (
            last, [f.last_id() for f in followers]))
    finally:
        for follower in followers:
            follower.stop.set()
    for follower in followers:
        check(follower.error is None, "%s: %s" % (type(follower).__name__, follower.error))
        ids = [entry["id"] for entry in follower.entries]
        check(ids == list(range(1, last + 1)), "%s saw %d entries, not 1..%d once in order"
              % (type(follower).__name__, len(ids), last))
        check(state_of(follower.entries) == state_of(page["messages"]),
              "%s built another state than history's" % type(follower).__name__)
    check(followers[0].connections >= 2, "the stream was never reconnected")
    kinds = [entry.get("type") for entry in followers[0].entries]
    check(kinds.count("edit") == 12 and kinds.count("delete") == 6 and kinds.count("react") == 24
          and kinds.count("unreact") == 12, "the stream's entry types: %r" % kinds)


def deleted_text_leaves_the_file_and_the_index():
    """Also: FTS agrees with history, and an acknowledged change survives kill -9."""
    binary = os.environ["CHATAPP_BINARY"]
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir, os.path.join(data_dir, "server.log"), UNTHROTTLED)
        try:
            keep = sent(server, "lab", "ana", "keep the quokkaword", SECRET)["id"]
            gone = sent(server, "lab", "ana", "zanzibarword wombatword first", SECRET)["id"]
            expect(edit(server, "lab", gone, "zanzibarword wombatword platypusword"), 200, what="edit")
            expect(edit(server, "lab", keep, "keep the numbatword"), 200, what="edit")
            expect(delete(server, "lab", gone), 200, what="delete")
            for word, expected in (("zanzibarword", []), ("platypusword", []), ("quokkaword", []),
                                   ("numbatword", [keep])):
                ids = [m["id"] for m in server.get("/api/v1/search?q=%s" % word)["results"]]
                check(ids == expected, "search for %s found %r, not %r" % (word, ids, expected))
        finally:
            check(server.stop() == 0, "the server did not stop cleanly: %s" % server.stderr)
        for name in os.listdir(data_dir):
            if name.startswith("chatapp.db"):
                with open(os.path.join(data_dir, name), "rb") as stored:
                    content = stored.read()
                for word in (b"zanzibarword", b"wombatword", b"platypusword", b"first"):
                    check(word not in content, "%r is still in %s after the deletion" % (word, name))
                check(b"numbatword" in content, "the kept message is not in %s" % name)

        server = Server(binary, data_dir, os.path.join(data_dir, "again.log"), UNTHROTTLED)
        try:
            expect(edit(server, "lab", keep, "edited just before the kill"), 200, what="edit")
            expect(react(server, "lab", keep, "bea", "🙏"), 201, what="react")
        finally:
            server.process.send_signal(signal.SIGKILL)
            server.process.wait(timeout=5)
        server = Server(binary, data_dir, os.path.join(data_dir, "after-kill.log"), UNTHROTTLED)
        try:
            message = server.get(path("lab", keep))
            check(message["text"] == "edited just before the kill" and message["reactions"][0]["names"] == ["bea"],
                  "after kill -9 the message is %r" % message)
            states = [m.get("deleted", False) for m in history(server, "lab")["messages"] if "type" not in m]
            check(states == [False, True], "after kill -9 the messages' deleted states are %r" % states)
        finally:
            server.kill()


def main():
    bound_whole_file(150)
    binary = os.environ["CHATAPP_BINARY"]
    failures = 0
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir, os.path.join(data_dir, "server.log"), UNTHROTTLED)
        try:
            failures += run_checks([statuses_of_every_operation, history_gives_current_state,
                                    around_shows_a_message_in_context, followers_see_every_change_once_in_order],
                                   server)
            if server.process.poll() is not None:
                failures += 1
                print("FAIL the server died:", server.stderr)
        finally:
            server.kill()
    failures += run_checks([changes_count_as_sends, deleted_text_leaves_the_file_and_the_index])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
