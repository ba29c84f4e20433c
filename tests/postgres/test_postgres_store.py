#!/usr/bin/env python3
"""`chatapp --serve --store postgresql://...` against a throwaway PostgreSQL
(tests/common/postgres_for_tests.py), started here and always stopped:

- a bad --store, a password in the URL, and an unreachable server stop the start with a
  clear reason (exit 2 for a bad option, 1 for a store that cannot be opened);
- the schema is created once and its version recorded in chatapp_schema;
- a chosen subset of the integration tests passes against PostgreSQL unchanged
  (chatapp_testing.Server gives each data folder a database of its own);
- kill -9 in the middle of a burst loses no message answered 201, and leaves every room
  gapless with its counter at its newest id;
- one Idempotency-Key sent many times at once stores one message, also through two nodes;
- two nodes sending to the same rooms keep each room one gapless sequence;
- many changes to one message at once (several in one batch) leave it as replaying its
  entries gives it, on SQLite and PostgreSQL alike;
- connections that PostgreSQL ends are opened again without a failed request.

Exit 77 (skipped) when PostgreSQL is missing and cannot be installed (not root)."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
from chatapp_testing import HOST, Server, all_entries, bound_whole_file, check, tail  # noqa: E402
import postgres_for_tests  # noqa: E402

# Tests that only talk HTTP to their servers, so that the store under them can change,
# and that touch the store (sends, changes, pages, search, sessions, restarts) in a few
# seconds each. Every integration script but the three about SQLite's file
# (test_damaged_store, test_disk_full, test_schema_upgrade) passed on PostgreSQL once
# (docs/postgres-status.md); the slow ones are left to a manual run.
SUBSET = ["test_room_events.py", "test_search.py", "test_python_client.py", "test_room_pages.py",
          "test_access_control.py", "test_revocation.py", "test_room_activity.py", "test_room_mention.py",
          "test_stream_shutdown.py", "test_woken_polls.py"]
UNTHROTTLED = ["--send-rate", "1000000", "--send-burst", "1000000"]
JSON = {"Content-Type": "application/json"}


def start_failure(binary, arguments, environment=None):
    """Runs a server that must not start: (exit code, stderr)."""
    result = subprocess.run([binary, "--serve", HOST, "0", *arguments], stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=30, env=environment)
    return result.returncode, result.stderr


def bad_addresses_stop_the_start(binary, postgres):
    for url, expected in (("mysql://a@b/c", "only postgresql://"), ("postgresql://a@127.0.0.1:5432", "names no database"),
                          ("postgresql://a:secret@127.0.0.1/db", "process list")):
        code, stderr = start_failure(binary, ["--store", url])
        check(code == 2 and expected in stderr, "--store %s: exit %d, %r" % (url, code, stderr))
    started = time.monotonic()
    code, stderr = start_failure(binary, ["--store", "postgresql://chatapp@127.0.0.1:%d/x" % postgres_for_tests.free_port(),
                                          "--store-password-file", postgres.password_file])
    check(code == 1 and "cannot connect" in stderr, "an unreachable server: exit %d, %r" % (code, stderr))
    check(time.monotonic() - started < 15, "an unreachable server took %.1f s to refuse" % (time.monotonic() - started))
    code, stderr = start_failure(binary, ["--store", postgres.url])  # no password anywhere
    check(code == 1 and "password" in stderr.lower(), "no password: exit %d, %r" % (code, stderr))


def schema_is_versioned(binary, postgres):
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir, os.path.join(data_dir, "server.log"),
                        ["--store", postgres.url, "--store-password-file", postgres.password_file])
        try:
            rooms = server.get("/api/v1/rooms")
            check([room["name"] for room in rooms["rooms"]] == ["general"], "a new store's rooms: %r" % rooms)
        finally:
            check(server.stop() == 0, "the server did not stop cleanly: %s" % server.stderr)
    version = postgres.admin_sql("SELECT version FROM chatapp_schema", database=postgres_for_tests.DATABASE).split()
    check(version == ["3"], "chatapp_schema holds %r" % version)


def integration_subset_passes(binary, postgres):
    environment = dict(os.environ, CHATAPP_BINARY=binary, **postgres.environment())
    failed = []
    for script in SUBSET:
        path = os.path.join(HERE, "..", "integration", script)
        result = subprocess.run([sys.executable, path], env=environment, capture_output=True, text=True, timeout=240)
        print("  %s: exit %d" % (script, result.returncode))
        if result.returncode != 0:
            print(result.stdout[-4000:], result.stderr[-4000:])
            failed.append(script)
    check(not failed, "failed on PostgreSQL: %s" % ", ".join(failed))


def post(server, room, text, key=None):
    headers = dict(JSON)
    if key:
        headers["Idempotency-Key"] = key
    try:
        status, _, body = server.request("POST", "/api/v1/rooms/%s/messages" % room,
                                         json.dumps({"author": "ana", "text": text}), headers)
        return status, body
    except OSError:
        return None, None


def kill_9_loses_nothing_answered(binary, postgres):
    rooms = ["r%d" % n for n in range(4)]
    acknowledged = {room: {} for room in rooms}
    lock = threading.Lock()
    with tempfile.TemporaryDirectory() as data_dir:
        url = postgres.database_for(data_dir)
        arguments = UNTHROTTLED + ["--store", url, "--store-password-file", postgres.password_file]
        server = Server(binary, data_dir, os.path.join(data_dir, "server.log"), arguments)
        stop = threading.Event()

        def sender(room, worker):
            n = 0
            while not stop.is_set():
                n += 1
                text = "%s-%d-%d" % (room, worker, n)
                status, body = post(server, room, text)
                if status == 201:
                    with lock:
                        acknowledged[room][body["id"]] = text
                elif status is None:
                    return
        threads = [threading.Thread(target=sender, args=(room, worker)) for room in rooms for worker in range(3)]
        for thread in threads:
            thread.start()
        try:
            deadline = time.monotonic() + 20
            while sum(len(a) for a in acknowledged.values()) < 400 and time.monotonic() < deadline:
                time.sleep(0.01)
            server.process.send_signal(signal.SIGKILL)
            server.process.wait(timeout=5)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=15)
            server.kill()
        total = sum(len(a) for a in acknowledged.values())
        check(total >= 100, "only %d sends were acknowledged before the kill" % total)

        server = Server(binary, data_dir, os.path.join(data_dir, "after-kill.log"), arguments)
        try:
            for room in rooms:
                stored = {entry["id"]: entry["text"] for entry in all_entries(server, room)}
                missing = [i for i, text in acknowledged[room].items() if stored.get(i) != text]
                check(not missing, "room %s lost %d acknowledged messages, e.g. %r" % (room, len(missing), missing[:5]))
                check(sorted(stored) == list(range(1, len(stored) + 1)), "room %s has gaps" % room)
        finally:
            check(server.stop() == 0, "the server did not stop cleanly: %s" % server.stderr)
        database = url.rsplit("/", 1)[1]
        counters = postgres.admin_sql("SELECT count(*) FROM rooms r WHERE last_id <> (SELECT coalesce(max(id), 0)"
                                      " FROM messages m WHERE m.room = r.name)", database=database).strip()
        check(counters == "0", "%s rooms' counters differ from their newest ids" % counters)
        print("  %d sends acknowledged before kill -9, all stored" % total)


def one_key_sent_at_once_stores_once(binary, postgres):
    with tempfile.TemporaryDirectory() as data_dir:
        arguments = UNTHROTTLED + ["--store", postgres.database_for(data_dir),
                                   "--store-password-file", postgres.password_file]
        server = Server(binary, data_dir, os.path.join(data_dir, "server.log"), arguments)
        try:
            answers = []
            threads = [threading.Thread(target=lambda: answers.append(post(server, "keys", "once", key="k-1")))
                       for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=15)
            statuses = sorted(status for status, _ in answers)
            check(statuses == [200] * 7 + [201], "eight sends of one key answered %r" % statuses)
            check(len({body["id"] for _, body in answers}) == 1, "the answers name different messages: %r" % answers)
            check(len(all_entries(server, "keys")) == 1, "more than one message stored")
            status, body = post(server, "keys", "another text", key="k-1")
            check(status == 422, "a key reused for another text answered %r %r" % (status, body))
        finally:
            check(server.stop() == 0, "the server did not stop cleanly: %s" % server.stderr)


def two_nodes_share_rooms_gaplessly(binary, postgres):
    """Two nodes on one database, sending to the same rooms at once: each room's ids stay
    one gapless sequence with every acknowledged message in it once, and one key sent to
    both nodes at once stores one message. (This checks the database; test_cross_node.py
    checks what each node's readers see.)"""
    rooms = ["shared%d" % n for n in range(3)]
    acknowledged = []
    lock = threading.Lock()
    with tempfile.TemporaryDirectory() as data_dir:
        arguments = UNTHROTTLED + ["--store", postgres.database_for(data_dir),
                                   "--store-password-file", postgres.password_file]
        nodes = [Server(binary, data_dir, os.path.join(data_dir, "node%d.log" % n), arguments) for n in range(2)]
        try:
            def sender(node, room, worker):
                for n in range(60):
                    text = "%s-%d-%d" % (room, worker, n)
                    status, body = post(node, room, text)
                    check(status == 201, "a send to %s answered %r %r" % (room, status, body))
                    with lock:
                        acknowledged.append((room, body["id"], text))
            threads = [threading.Thread(target=sender, args=(node, room, worker))
                       for worker, node in enumerate(nodes) for room in rooms for _ in range(2)]
            answers = []

            def keyed(node):
                answers.append(post(node, "keyed", "exactly once", key="both-nodes"))
            threads += [threading.Thread(target=keyed, args=(node,)) for node in nodes for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            check(sorted(status for status, _ in answers) == [200] * 7 + [201], "one key on two nodes: %r" % answers)
        finally:
            for node in nodes:
                check(node.stop() == 0, "a node did not stop cleanly: %s" % node.stderr)
        database = postgres.database_for(data_dir).rsplit("/", 1)[1]
        stored = postgres.admin_sql("SELECT room, id, text FROM messages ORDER BY room, id", database=database)
        rows = {(room, int(i)): text for room, i, text in (line.split("|", 2) for line in stored.splitlines())}
        check(len(acknowledged) == 2 * len(rooms) * 2 * 60, "only %d sends were acknowledged" % len(acknowledged))
        for room, i, text in acknowledged:
            check(rows.get((room, i)) == text, "acknowledged %s #%d %r is stored as %r" % (room, i, text, rows.get((room, i))))
        for room in rooms:
            ids = sorted(i for r, i in rows if r == room)
            check(ids == list(range(1, len(ids) + 1)), "room %s is not gapless" % room)
        check(len([1 for r, _ in rows if r == "keyed"]) == 1, "one key on two nodes stored more than once")
        counters = postgres.admin_sql("SELECT count(*) FROM rooms r WHERE last_id <> (SELECT coalesce(max(id), 0)"
                                      " FROM messages m WHERE m.room = r.name)", database=database).strip()
        check(counters == "0", "%s rooms' counters differ from their newest ids" % counters)


def lost_connections_are_opened_again(binary, postgres):
    """PostgreSQL ends every connection of the node (pg_terminate_backend, as a restart or
    a failover would): the next send, page, search and sign-in still succeed."""
    with tempfile.TemporaryDirectory() as data_dir:
        url = postgres.database_for(data_dir)
        password_file = os.path.join(data_dir, "chat-password")
        with open(password_file, "w") as out:
            out.write("opensesame\n")
        server = Server(binary, data_dir, os.path.join(data_dir, "server.log"),
                        UNTHROTTLED + ["--store", url, "--store-password-file", postgres.password_file,
                                       "--password-file", password_file])
        try:
            def sign_in():
                status, _, body = server.request("POST", "/api/v1/sessions", json.dumps({"password": "opensesame"}),
                                                 JSON)
                check(status == 201, "sign-in answered %r %r" % (status, body))
                return {"Authorization": "Bearer " + body["token"], **JSON}
            headers = sign_in()
            status, _, _ = server.request("POST", "/api/v1/rooms/lab/messages",
                                          json.dumps({"author": "ana", "text": "before"}), headers)
            check(status == 201, "a send before answered %r" % status)
            ended = postgres.admin_sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                       " WHERE application_name = 'chatapp' AND datname = '%s'"
                                       % url.rsplit("/", 1)[1]).strip()
            check(int(ended) >= 3, "only %s of the node's connections were ended" % ended)
            status, _, body = server.request("POST", "/api/v1/rooms/lab/messages",
                                             json.dumps({"author": "ana", "text": "after"}), headers)
            check(status == 201, "the first send after the connections ended answered %r %r" % (status, body))
            status, _, body = server.request("GET", "/api/v1/search?q=after", headers=headers)
            check(status == 200 and [r["text"] for r in body["results"]] == ["after"], "search: %r %r" % (status, body))
            sign_in()
            status, _, body = server.request("GET", "/healthz")
            check(status == 200, "/healthz after reconnecting answered %r %r" % (status, body))
        finally:
            check(server.stop() == 0, "the server did not stop cleanly: %s" % server.stderr)


def concurrent_changes(server):
    """Reactions taken and given back, and edits, by many clients at once on one
    message, so that a batch holds several changes to it; then the message as history
    gives it must be what replaying its entries in id order gives, and no entry may
    record a change that changed nothing."""
    secret = "ana-secret-0123456789"
    status, _, message = server.request("POST", "/api/v1/rooms/busy/messages",
                                        json.dumps({"author": "ana", "text": "v0"}), {**JSON, "Author-Secret": secret})
    check(status == 201, "the send answered %r %r" % (status, message))
    target = "/api/v1/rooms/busy/messages/%d" % message["id"]

    def reactor(name):
        for emoji in ["👍", "🎉", "👍", "🙏", "🎉", "👍"]:
            server.request("POST", target + "/reactions", json.dumps({"author": name, "emoji": emoji}), JSON)
            server.request("DELETE", target + "/reactions?" + urllib.parse.urlencode({"author": name, "emoji": emoji}))
            server.request("POST", target + "/reactions", json.dumps({"author": name, "emoji": emoji}), JSON)

    def editor(worker):
        for n in range(8):
            server.request("PATCH", target, urllib.parse.urlencode({"text": "v%d-%d" % (worker, n % 3)}),
                           {"Content-Type": "application/x-www-form-urlencoded", "Author-Secret": secret})
    def commits():
        status, _, text = server.request("GET", "/metrics")
        line = [l for l in text.decode().splitlines() if l.startswith("chatapp_commit_seconds_count ")]
        return int(line[0].split()[1])
    commits_before = commits()
    threads = [threading.Thread(target=reactor, args=("n%d" % n,)) for n in range(6)]
    threads += [threading.Thread(target=editor, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    reactions, text = [], "v0"  # (emoji, name) in entry order
    for entry in all_entries(server, "busy"):
        kind = entry.get("type")
        if kind in ("react", "unreact"):
            present = (entry["emoji"], entry["author"]) in reactions
            check(present == (kind == "unreact"), "entry %r changes nothing" % entry)
            if kind == "react":
                reactions.append((entry["emoji"], entry["author"]))
            else:
                reactions.remove((entry["emoji"], entry["author"]))
        elif kind == "edit":
            check(entry["text"] != text, "edit entry %r changes nothing" % entry)
            text = entry["text"]
    expected = []
    for emoji, name in reactions:
        group = next((g for g in expected if g["emoji"] == emoji), None)
        if group is None:
            expected.append({"emoji": emoji, "names": [name]})
        else:
            group["names"].append(name)
    entries = len(all_entries(server, "busy")) - 1
    # Not checked: how the changes fall into batches depends on the machine's speed.
    print("  %d change entries in %d commits" % (entries, commits() - commits_before))
    current = server.get(target)
    check(current["text"] == text, "the message says %r, its last edit %r" % (current["text"], text))
    check(current.get("reactions", []) == expected,
          "the message's reactions %r, its entries' %r" % (current.get("reactions"), expected))


def changes_in_one_batch_agree_with_their_entries(binary, postgres):
    with tempfile.TemporaryDirectory() as data_dir:
        for store in ([], ["--store", postgres.database_for(data_dir), "--store-password-file", postgres.password_file]):
            # SQLite too: the replay above is the model both stores must follow.
            server = Server(binary, data_dir, os.path.join(data_dir, "server.log"), UNTHROTTLED + store)
            try:
                concurrent_changes(server)
            finally:
                check(server.stop() == 0, "the server did not stop cleanly: %s" % server.stderr)


def main():
    bound_whole_file(900)
    return postgres_for_tests.run_checks_against_postgres(
        [bad_addresses_stop_the_start, schema_is_versioned, one_key_sent_at_once_stores_once,
         kill_9_loses_nothing_answered, two_nodes_share_rooms_gaplessly, changes_in_one_batch_agree_with_their_entries,
         lost_connections_are_opened_again, integration_subset_passes], os.environ["CHATAPP_BINARY"])


if __name__ == "__main__":
    sys.exit(main())
