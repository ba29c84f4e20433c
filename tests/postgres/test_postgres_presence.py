#!/usr/bin/env python3
"""Presence and typing across nodes (issue 16): two `chatapp --serve` nodes on one
throwaway PostgreSQL (tests/common/postgres_for_tests.py), started here and always
stopped. Node B's members are seen on node A:

- a name polling on B is in A's members list and A's room list counts it;
- a name with a stream open on B is online on A;
- a name typing on B reaches A's event streams as a `typing` event, and A's members list
  says `typing: true`; its message sent on B ends that on A;
- a name leaving on B is gone from A promptly, also one that was polling on A;
- B killed with -9: its names drop out of A's list within the bound below;
- a node stopped cleanly takes its names at once;
- more made-up names on B than a room holds leave A's list at B's bound.

Exit 77 (skipped) when PostgreSQL is missing and cannot be installed (not root)."""

import http.client
import json
import os
import signal
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
from chatapp_testing import HOST, Server, bound_whole_file, check, wait_until  # noqa: E402
import postgres_for_tests  # noqa: E402

UNTHROTTLED = ["--send-rate", "1000000", "--send-burst", "1000000"]
JSON = {"Content-Type": "application/json"}
ROOM = "general"  # made at every start: known to both nodes (rooms made later are step 1's)
# A change on B is written within ClusterPresence::promptWriteMs (0.2 s) and read by A
# within PostgresPresence::readIntervalMs (1 s): 3 s leaves room for a loaded machine.
PROMPTLY_SECONDS = 3
# PostgresPresence::silentNodeMs (15 s) after B's last heartbeat (every 3 s), plus a read.
DEAD_NODE_SECONDS = 15 + 1 + 4
MAX_MEMBERS_PER_ROOM = 1000  # Hub::maxMembersPerRoom in app/server/hub.h


def members(node):
    return {member["name"]: member for member in node.get("/api/v1/rooms/%s/members" % ROOM)["members"]}


def online_count(node):
    rooms = node.get("/api/v1/rooms")["rooms"]
    return next(room["online"] for room in rooms if room["name"] == ROOM)


def timed_wait(condition, seconds, what):
    started = time.monotonic()
    wait_until(condition, seconds, what)
    return time.monotonic() - started


class EventFollower:
    """An event stream on a node, read on a thread of its own into a list of events."""

    def __init__(self, node, query=""):
        self.events = []
        self.lock = threading.Lock()
        self.connection = http.client.HTTPConnection(HOST, node.port, timeout=60)
        self.connection.request("GET", "/api/v1/rooms/%s/events%s" % (ROOM, query),
                                headers={"Accept": "text/event-stream"})
        self.response = self.connection.getresponse()
        check(self.response.status == 200, "events answered %d" % self.response.status)
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def read(self):
        fields = {}
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if not line:
                    if fields:
                        with self.lock:
                            self.events.append(fields)
                    fields = {}
                elif not line.startswith(":"):
                    name, _, value = line.partition(":")
                    fields[name] = value[1:] if value.startswith(" ") else value
        except (OSError, ValueError):
            pass  # closed by close(), or by the node's death

    def typing(self):
        with self.lock:
            return [json.loads(event["data"])["names"] for event in self.events if event.get("event") == "typing"]

    def close(self):
        self.connection.close()


def typing_notice(node, name):
    status, _, body = node.request("POST", "/api/v1/rooms/%s/typing" % ROOM, json.dumps({"author": name}), JSON)
    check(status == 204, "POST typing answered %d %r" % (status, body))


def presence_across_nodes(binary, postgres):
    with tempfile.TemporaryDirectory() as data_dir:
        arguments = UNTHROTTLED + ["--store", postgres.database_for(data_dir),
                                   "--store-password-file", postgres.password_file]
        a = Server(binary, data_dir, os.path.join(data_dir, "a.log"), arguments)
        b = Server(binary, data_dir, os.path.join(data_dir, "b.log"), arguments)
        followers = []
        try:
            # A name polling on B.
            b.get("/api/v1/rooms/%s/messages?after=0&name=polly" % ROOM)
            took = timed_wait(lambda: "polly" in members(a), PROMPTLY_SECONDS, lambda: "polly on A: %r" % members(a))
            check(online_count(a) == 1, "A's room list counts %d online" % online_count(a))
            print("  a name polling on B: in A's members list after %.2f s" % took)

            # A name streaming on B.
            followers.append(EventFollower(b, "?name=streamy"))
            took = timed_wait(lambda: "streamy" in members(a), PROMPTLY_SECONDS,
                              lambda: "streamy on A: %r" % members(a))
            check(online_count(a) == 2, "A's room list counts %d online" % online_count(a))
            print("  a stream opened on B: online on A after %.2f s" % took)

            # A name typing on B, seen by a follower of A.
            on_a = EventFollower(a)
            followers.append(on_a)
            typing_notice(b, "polly")
            took = timed_wait(lambda: ["polly"] in on_a.typing(), PROMPTLY_SECONDS,
                              lambda: "a typing event on A; got %r" % on_a.typing())
            check(members(a)["polly"].get("typing") is True, "A's members list: %r" % members(a))
            print("  typing on B: A's stream told after %.2f s" % took)

            # Sending on B ends the typing on A, when the message reaches A (cross-node delivery).
            status, _, body = b.request("POST", "/api/v1/rooms/%s/messages" % ROOM,
                                        json.dumps({"author": "polly", "text": "done typing"}), JSON)
            check(status == 201, "POST message on B answered %d %r" % (status, body))
            took = timed_wait(lambda: on_a.typing()[-1:] == [[]], PROMPTLY_SECONDS,
                              lambda: "typing to end on A; got %r" % on_a.typing())
            check("typing" not in members(a)["polly"], "A's members list: %r" % members(a))
            print("  a message sent on B: typing ended on A after %.2f s" % took)

            # Leaving on B.
            status, _, _ = b.request("DELETE", "/api/v1/rooms/%s/members/polly" % ROOM)
            check(status == 204, "DELETE members/polly answered %d" % status)
            took = timed_wait(lambda: "polly" not in members(a), PROMPTLY_SECONDS,
                              lambda: "polly gone from A: %r" % members(a))
            check(online_count(a) == 1, "A's room list counts %d online after polly left" % online_count(a))
            print("  leaving on B: gone from A after %.2f s" % took)

            # A window's polls and its leaving may reach different nodes behind a load
            # balancer: polling on A, leaving through B.
            a.get("/api/v1/rooms/%s/messages?after=0&name=wanderer" % ROOM)
            check("wanderer" in members(a), "wanderer polled A: %r" % members(a))
            status, _, _ = b.request("DELETE", "/api/v1/rooms/%s/members/wanderer" % ROOM)
            check(status == 204, "DELETE members/wanderer answered %d" % status)
            took = timed_wait(lambda: "wanderer" not in members(a), PROMPTLY_SECONDS,
                              lambda: "wanderer gone from A: %r" % members(a))
            print("  polling on A, leaving through B: gone from A after %.2f s" % took)

            # B dies without a word: its stream's name drops out of A within the bound.
            b.process.send_signal(signal.SIGKILL)
            b.process.wait(timeout=5)
            check("streamy" in members(a), "streamy went before B's silence was long enough")
            took = timed_wait(lambda: "streamy" not in members(a), DEAD_NODE_SECONDS,
                              lambda: "streamy gone from A after B's death: %r" % members(a))
            check(online_count(a) == 0, "A's room list counts %d online after B died" % online_count(a))
            print("  B killed with -9: its stream's name gone from A after %.2f s (bound %d s)"
                  % (took, DEAD_NODE_SECONDS))
        finally:
            for follower in followers:
                follower.close()
            b.kill()
            check(a.stop() == 0, "A did not stop cleanly: %s" % a.stderr)


def a_clean_stop_takes_its_names_at_once(binary, postgres):
    """A node stopped with SIGTERM takes its rows with it: its names do not linger for
    the dead-node bound."""
    with tempfile.TemporaryDirectory() as data_dir:
        arguments = UNTHROTTLED + ["--store", postgres.database_for(data_dir),
                                   "--store-password-file", postgres.password_file]
        a = Server(binary, data_dir, os.path.join(data_dir, "a.log"), arguments)
        b = Server(binary, data_dir, os.path.join(data_dir, "b.log"), arguments)
        try:
            b.get("/api/v1/rooms/%s/messages?after=0&name=brief" % ROOM)
            wait_until(lambda: "brief" in members(a), PROMPTLY_SECONDS, lambda: "brief on A: %r" % members(a))
            check(b.stop() == 0, "B did not stop cleanly: %s" % b.stderr)
            took = timed_wait(lambda: "brief" not in members(a), PROMPTLY_SECONDS,
                              lambda: "brief gone from A after B stopped: %r" % members(a))
            print("  B stopped cleanly: its names gone from A after %.2f s" % took)
        finally:
            b.kill()
            check(a.stop() == 0, "A did not stop cleanly: %s" % a.stderr)


def a_flood_on_one_node_stays_bounded_on_the_others(binary, postgres):
    """More made-up names on B than a room holds (Hub::maxMembersPerRoom): A lists what B
    lists, the newest 1,000, not every name B ever saw."""
    with tempfile.TemporaryDirectory() as data_dir:
        arguments = UNTHROTTLED + ["--store", postgres.database_for(data_dir),
                                   "--store-password-file", postgres.password_file]
        a = Server(binary, data_dir, os.path.join(data_dir, "a.log"), arguments)
        b = Server(binary, data_dir, os.path.join(data_dir, "b.log"), arguments)
        try:
            connection = http.client.HTTPConnection(HOST, b.port, timeout=10)
            for n in range(MAX_MEMBERS_PER_ROOM + 100):
                connection.request("GET", "/api/v1/rooms/%s/messages?limit=1&name=flood%d" % (ROOM, n))
                check(connection.getresponse().read() is not None, "a poll on B failed")
            connection.close()
            on_b = set(members(b))
            check(len(on_b) == MAX_MEMBERS_PER_ROOM, "B lists %d names" % len(on_b))
            wait_until(lambda: set(members(a)) == on_b, PROMPTLY_SECONDS,
                       lambda: "A to list B's %d names: it lists %d" % (len(on_b), len(members(a))))
            check(online_count(a) == MAX_MEMBERS_PER_ROOM, "A's room list counts %d online" % online_count(a))
        finally:
            b.stop()
            check(a.stop() == 0, "A did not stop cleanly: %s" % a.stderr)


def main():
    bound_whole_file(300)
    return postgres_for_tests.run_checks_against_postgres(
        [presence_across_nodes, a_clean_stop_takes_its_names_at_once, a_flood_on_one_node_stays_bounded_on_the_others],
        os.environ["CHATAPP_BINARY"])


if __name__ == "__main__":
    sys.exit(main())
