#!/usr/bin/env python3
"""Several nodes on one PostgreSQL, each with its own readers (issue 16, design §2
"Wake-ups" and "Reads"): what one node stores reaches the readers of every other.

- senders on two nodes at once over shared rooms: an SSE follower and a long-poll
  follower on each node see every room's entries 1..N once, in order, with the texts the
  senders were answered;
- a poll held on one node wakes for a send on the other (the wake-up, not a timeout);
- a cursor another node gave out (`after=`, `Last-Event-ID`) is served, not refused;
- a room made on one node is listed, and readable, on the other, also asked of it before
  it can have heard of the room;
- edits, reactions and deletions made on one node show in the other's history, which
  otherwise comes from memory;
- PostgreSQL ending a node's listening connection (application_name
  'chatapp listener PID') loses nothing: the node opens another and catches up.

Exit 77 (skipped) when PostgreSQL is missing and cannot be installed (not root)."""

import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from chatapp_testing import Server, all_entries, bound_whole_file, check, metric, wait_until  # noqa: E402
import postgres_for_tests  # noqa: E402
from test_room_events import PollFollower, SseFollower  # noqa: E402

UNTHROTTLED = ["--send-rate", "1000000", "--send-burst", "1000000"]
JSON = {"Content-Type": "application/json"}
SECRET = "ana-secret-0123456789"


class Cluster:
    """Two nodes on one database of their own; `extra` arguments for each node, which
    `arguments` keeps for a node started again."""

    def __init__(self, binary, postgres, count=2, extra=()):
        self.folder = tempfile.TemporaryDirectory()
        self.url = postgres.database_for(self.folder.name)
        self.arguments = UNTHROTTLED + ["--store", self.url, "--store-password-file", postgres.password_file, *extra]
        self.nodes = []
        try:
            for n in range(count):
                self.nodes.append(Server(binary, self.folder.name, os.path.join(self.folder.name, "node%d.log" % n),
                                         self.arguments))
        except BaseException:
            self.close()
            raise

    def close(self):
        for node in self.nodes:
            node.kill()
        self.folder.cleanup()

    def __enter__(self):
        return self.nodes

    def __exit__(self, *_):
        self.close()


def send(node, room, text, author="ana", secret=None):
    headers = dict(JSON)
    if secret:
        headers["Author-Secret"] = secret
    status, _, body = node.request("POST", "/api/v1/rooms/%s/messages" % room,
                                   json.dumps({"author": author, "text": text}), headers)
    check(status == 201, "a send to %s answered %r %r" % (room, status, body))
    return body


def readers_on_every_node_see_every_entry_in_order(binary, postgres):
    rooms = ["cross%d" % n for n in range(3)]
    per_sender = 80
    with Cluster(binary, postgres) as nodes:
        for room in rooms:
            nodes[0].request("PUT", "/api/v1/rooms/" + room)
            wait_until(lambda room=room: nodes[1].request("GET", "/api/v1/rooms/" + room)[0] == 200, 10,
                       "room %s on the second node" % room)
        followers = [kind(node, room) for node in nodes for room in rooms for kind in (SseFollower, PollFollower)]
        for follower in followers:
            follower.start()
        acknowledged = {room: {} for room in rooms}
        lock = threading.Lock()

        def sender(node, room, worker):
            for n in range(per_sender):
                text = "%s w%d n%d" % (room, worker, n)
                body = send(node, room, text)
                with lock:
                    acknowledged[room][body["id"]] = text
        threads = [threading.Thread(target=sender, args=(node, room, worker))
                   for worker, node in enumerate(nodes) for room in rooms for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        expected = 2 * 2 * per_sender
        for room in rooms:
            check(sorted(acknowledged[room]) == list(range(1, expected + 1)),
                  "room %s acknowledged ids %r" % (room, sorted(acknowledged[room])[:20]))
        try:
            for follower in followers:
                wait_until(lambda f=follower: f.last_id() >= expected or f.error, 20,
                           "a %s on port %d of %s to reach %d (at %d)"
                           % (type(follower).__name__, follower.server.port, follower.room, expected, follower.last_id()))
        finally:
            for follower in followers:
                follower.stop.set()
        for follower in followers:
            check(follower.error is None, "%s: %s" % (type(follower).__name__, follower.error))
            ids = [entry["id"] for entry in follower.entries]
            check(ids == list(range(1, expected + 1)),
                  "a %s on port %d saw %s out of order, twice or not at all: %r"
                  % (type(follower).__name__, follower.server.port, follower.room, ids[:40]))
            wrong = [entry for entry in follower.entries if acknowledged[follower.room][entry["id"]] != entry["text"]]
            check(not wrong, "entries that differ from what was acknowledged: %r" % wrong[:3])
        for room in rooms:
            check(all_entries(nodes[0], room) == all_entries(nodes[1], room), "room %s's history differs by node" % room)


def a_held_poll_wakes_for_another_nodes_send(binary, postgres):
    with Cluster(binary, postgres) as nodes:
        latencies = []
        for n in range(8):
            last = nodes[1].get("/api/v1/rooms/general/messages?limit=1")["last_id"]
            answer = {}

            def poll():
                answer["page"] = nodes[1].get("/api/v1/rooms/general/messages?after=%d&wait=30" % last)
                answer["at"] = time.monotonic()
            poller = threading.Thread(target=poll)
            poller.start()
            wait_until(lambda: metric(nodes[1], "chatapp_open_polls") >= 1, 10, "the poll to be held")
            sent_at = time.monotonic()
            body = send(nodes[0], "general", "wake %d" % n)
            poller.join(timeout=35)
            check(answer.get("page") and [m["id"] for m in answer["page"]["messages"]] == [body["id"]],
                  "the held poll answered %r" % answer)
            latencies.append(answer["at"] - sent_at)
        # Heads are also read every 2 s: without the wake-up, half of these would take a second or more.
        check(statistics.median(latencies) < 0.5, "held polls took %r s to wake" % latencies)
        print("held poll on node B woken by a send on node A: median %.1f ms, max %.1f ms"
              % (statistics.median(latencies) * 1000, max(latencies) * 1000))


def cursors_from_another_node_are_served(binary, postgres):
    """A 201 from node A may come before node B has heard of the message (B hears after A
    answers): B must neither refuse A's cursor nor miss the message it waits for."""
    with Cluster(binary, postgres) as nodes:
        for n in range(20):
            body = send(nodes[0], "lab", "cursor %d" % n)
            if n == 0:  # the room itself is news to node B for a moment
                wait_until(lambda: nodes[1].request("GET", "/api/v1/rooms/lab")[0] == 200, 10, "room lab on node B")
            # The newest id, given out by A a moment ago: not beyond B's head.
            for cursor in ("after=%d" % body["id"], "after=%d&wait=1" % body["id"]):
                status, _, page = nodes[1].request("GET", "/api/v1/rooms/lab/messages?" + cursor)
                check(status == 200 and page["messages"] == [], "%s on node B: %r %r" % (cursor, status, page))
            status, _, page = nodes[1].request("GET", "/api/v1/rooms/lab/messages?after=%d&wait=10" % (body["id"] - 1))
            check(status == 200 and [m["id"] for m in page["messages"]] == [body["id"]],
                  "node B asked after=%d answered %r %r" % (body["id"] - 1, status, page))
        # And as a stream resumes: no reset event, the next message follows.
        body = send(nodes[0], "lab", "resumed")
        connection = socket.create_connection(("127.0.0.1", nodes[1].port), timeout=10)
        try:
            connection.sendall(("GET /api/v1/rooms/lab/events HTTP/1.1\r\nHost: 127.0.0.1\r\nLast-Event-ID: %d\r\n\r\n"
                                % body["id"]).encode())
            follow_up = send(nodes[0], "lab", "next")
            received = b""
            deadline = time.monotonic() + 10
            while b"id: %d\n" % follow_up["id"] not in received and time.monotonic() < deadline:
                received += connection.recv(65536)
            check(b"id: %d\n" % follow_up["id"] in received and b"event: reset" not in received,
                  "the stream resumed on node B at A's newest id got %r" % received[-400:])
        finally:
            connection.close()


def rooms_made_elsewhere_are_listed(binary, postgres):
    with Cluster(binary, postgres) as nodes:
        status, _, _ = nodes[0].request("PUT", "/api/v1/rooms/madeona")
        check(status == 201, "PUT answered %r" % status)
        wait_until(lambda: "madeona" in [room["name"] for room in nodes[1].get("/api/v1/rooms")["rooms"]], 10,
                   "node B to list the room made on node A")
        check(nodes[1].get("/api/v1/rooms/madeona/messages")["messages"] == [], "the new room's history on B")
        # Asked of B before B can have heard of them (its listener ended): B asks the store.
        check(terminate(postgres, "chatapp listener %d" % nodes[1].process.pid) == 1, "node B's listener not found")
        for n in range(10):
            room = "fresh%d" % n
            check(nodes[0].request("PUT", "/api/v1/rooms/" + room)[0] == 201, "PUT %s on A" % room)
            status, _, body = nodes[1].request("GET", "/api/v1/rooms/%s/messages" % room)
            check(status == 200 and body["messages"] == [], "%s, made on A, asked of B at once: %r %r" % (room, status, body))
            sent = send(nodes[0], room, "hello")
            status, _, body = nodes[1].request("GET", "/api/v1/rooms/%s/messages" % room)
            check(status == 200, "%s asked of B: %r" % (room, status))


def changes_made_elsewhere_show_in_history(binary, postgres):
    with Cluster(binary, postgres) as nodes:
        first = send(nodes[0], "changes", "first version", secret=SECRET)
        second = send(nodes[0], "changes", "to be deleted", secret=SECRET)
        wait_until(lambda: len(nodes[1].request("GET", "/api/v1/rooms/changes/messages")[2].get("messages", [])) == 2
                   if nodes[1].request("GET", "/api/v1/rooms/changes")[0] == 200 else False, 10,
                   "node B to have both messages")
        follower = SseFollower(nodes[1], "changes")
        follower.start()
        try:
            base = "/api/v1/rooms/changes/messages/"
            headers = {"Content-Type": "application/json", "Author-Secret": SECRET}
            status, _, _ = nodes[0].request("PATCH", base + str(first["id"]), json.dumps({"text": "second version"}),
                                            headers)
            check(status == 200, "PATCH answered %r" % status)
            status, _, _ = nodes[0].request("POST", base + "%d/reactions" % first["id"],
                                            json.dumps({"author": "ben", "emoji": "👍"}), JSON)
            check(status == 201, "a reaction answered %r" % status)
            status, _, _ = nodes[0].request("DELETE", base + str(second["id"]), headers={"Author-Secret": SECRET})
            check(status == 200, "DELETE answered %r" % status)
            wait_until(lambda: follower.last_id() >= 5, 10, "node B's stream to see the three changes")
        finally:
            follower.stop.set()
        on_a, on_b = all_entries(nodes[0], "changes"), all_entries(nodes[1], "changes")
        check(on_a == on_b, "history differs: node A %r, node B %r" % (on_a, on_b))
        check(on_b[0]["text"] == "second version" and on_b[0].get("reactions"),
              "node B's history shows the first message as %r" % on_b[0])
        check(on_b[1].get("deleted") and on_b[1]["text"] == "", "node B's history shows the deleted one as %r" % on_b[1])


def a_lost_listener_is_replaced(binary, postgres):
    with Cluster(binary, postgres) as nodes:
        name = "chatapp listener %d" % nodes[1].process.pid
        wait_until(lambda: terminate(postgres, name) == 1, 10, "node B's listening connection to be found and ended")
        follower = SseFollower(nodes[1], "general")
        follower.start()
        try:
            body = send(nodes[0], "general", "after the listener was ended")
            wait_until(lambda: follower.last_id() >= body["id"], 10, "node B's stream to get node A's message")
            wait_until(lambda: count_listeners(postgres, name) == 1, 10, "node B to listen again")
            # And the new one is woken as the first was.
            body = send(nodes[0], "general", "to the new listener")
            wait_until(lambda: follower.last_id() >= body["id"], 10, "node B's stream to get the next message")
        finally:
            follower.stop.set()


def terminate(postgres, application_name):
    return int(postgres.admin_sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                  " WHERE application_name = '%s'" % application_name).strip())


def count_listeners(postgres, application_name):
    return int(postgres.admin_sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s'"
                                  % application_name).strip())


def main():
    bound_whole_file(600)
    return postgres_for_tests.run_checks_against_postgres(
        [readers_on_every_node_see_every_entry_in_order, a_held_poll_wakes_for_another_nodes_send,
         cursors_from_another_node_are_served, rooms_made_elsewhere_are_listed, changes_made_elsewhere_show_in_history,
         a_lost_listener_is_replaced], os.environ["CHATAPP_BINARY"])


if __name__ == "__main__":
    sys.exit(main())
