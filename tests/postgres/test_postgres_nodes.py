#!/usr/bin/env python3
"""Several `chatapp --serve` nodes on one throwaway PostgreSQL (postgres_for_tests.py),
started here and always stopped:

- sessions across nodes: a token issued by node A works on node B at once (a page, a
  send, a held long poll, an SSE stream); revoked on A, it is refused with 401 on B within
  2 s (the time is printed) and B's held poll and stream end; a made-up token is 401 on B;
  a restart of B keeps valid tokens valid and revoked ones refused;
- a frozen node: `kill -STOP` of node A while its writer holds room locks in a
  transaction, for 8 s, with senders on both nodes over shared rooms. PostgreSQL ends A's
  transaction after the node's own idle_in_transaction_session_timeout (the cluster's is
  switched off here, so only the node's setting can do it) and A's locks are gone from
  pg_locks; B's sends stall at most 6 s (the longest is printed); once A is continued,
  its aborted batch is answered 503 with Retry-After, never 201, and its next sends
  succeed; every send answered 201 or 200 is stored exactly once (retries reuse their
  Idempotency-Key) and every room is gapless.

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
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from chatapp_testing import HOST, Server, bound_whole_file, check, wait_until  # noqa: E402
import postgres_for_tests  # noqa: E402
from test_cross_node import UNTHROTTLED, Cluster  # noqa: E402
from test_revocation import RawRequest, answered, bearer  # noqa: E402

PASSWORD = "correct horse battery staple"
JSON = {"Content-Type": "application/json"}
REVOCATION_SECONDS = 2.0  # design check 11
FROZEN_SECONDS = 8
STALL_SECONDS = 6.0  # design check 9: the idle timeout (5 s) and a second
# The node's idle timeout (5 s), and time for this test to see the locks go (psql in a loop).
RELEASE_SECONDS = 7.0


def sign_in(node):
    status, _, body = node.request("POST", "/api/v1/sessions", json.dumps({"password": PASSWORD}), JSON)
    check(status == 201, "signing in answered %r %r" % (status, body))
    return body["token"]


def send(node, token, text, room="general"):
    status, _, body = node.request("POST", "/api/v1/rooms/%s/messages" % room,
                                   json.dumps({"author": "ana", "text": text}), {**JSON, **bearer(token)})
    check(status == 201, "a send with the token answered %r %r" % (status, body))
    return body["id"]


def page_status(node, token):
    status, _, body = node.request("GET", "/api/v1/rooms/general/messages?after=0", headers=bearer(token))
    return status, body


def tokens_work_across_nodes_and_revocations_reach_them(binary, postgres):
    cluster = Cluster(binary, postgres, extra=["--password", PASSWORD])
    with cluster:
        a, b = cluster.nodes
        requests = []
        try:
            token, kept = sign_in(a), sign_in(b)
            # Issued by A, used on B at once: nothing but the store tells B of it.
            status, body = page_status(b, token)
            check(status == 200, "A's token on B answered %r %r" % (status, body))
            last = send(b, token, "sent on B with A's token")
            check(page_status(a, kept)[0] == 200, "B's token on A was refused")
            stream = RawRequest(b, "/api/v1/rooms/general/events", token)
            poll = RawRequest(b, "/api/v1/rooms/general/messages?after=%d&wait=30" % last, token)
            kept_stream = RawRequest(b, "/api/v1/rooms/general/events", kept)
            requests += [stream, poll, kept_stream]
            for opened in (stream, kept_stream):
                opened.read_until(lambda r: b"retry: 2000\n\n" in r.received, 5, "the stream's head on B")
            check(stream.status() == 200, "A's token's stream on B answered %r" % stream.received[:80])
            wait_until(lambda: b"chatapp_open_polls 1" in b.request("GET", "/metrics", headers=bearer(kept))[2],
                       5, "the held poll on B")

            status, _, body = a.request("DELETE", "/api/v1/sessions/current", headers=bearer(token))
            check(status == 204, "revoking on A answered %r %r" % (status, body))
            revoked_at = time.monotonic()
            wait_until(lambda: page_status(b, token)[0] == 401, 10, "B refusing the token revoked on A")
            refused_after = time.monotonic() - revoked_at
            print("  a token revoked on A was refused on B after %.2f s" % refused_after)
            check(refused_after <= REVOCATION_SECONDS, "B went on accepting the revoked token for %.2f s" % refused_after)
            status, body = page_status(b, token)
            check(body["error"]["code"] == "invalid_token", "B's refusal: %r" % body)

            poll.read_until(answered, 3, "the end of the revoked token's held poll on B")
            check(poll.status() == 401, "the revoked token's held poll on B got %r" % poll.received[:120])
            stream.read_until(lambda r: r.closed, 3, "the end of the revoked token's stream on B")
            check(b"event: revoked\n" in stream.received, "B's stream ended without saying why: %r" % stream.received)
            check(not kept_stream.closed, "another token's stream on B ended too")
            print("  B's held poll and stream under it ended %.2f s after the revocation"
                  % (time.monotonic() - revoked_at))

            status, body = page_status(b, "made-up-" + "x" * 40)
            check(status == 401 and body["error"]["code"] == "invalid_token", "a made-up token on B: %r %r" % (status, body))
            check(page_status(b, "made-up-" + "x" * 40)[0] == 401, "a made-up token asked twice on B was not refused")

            check(b.stop() == 0, "B did not stop cleanly: %s" % b.stderr)
            b = cluster.nodes[1] = Server(binary, cluster.folder.name, os.path.join(cluster.folder.name, "again.log"),
                                          cluster.arguments)
            check(page_status(b, kept)[0] == 200, "B, restarted, refused its own valid token")
            later = sign_in(a)
            check(page_status(b, later)[0] == 200, "B, restarted, refused a token A issued since")
            check(page_status(b, token)[0] == 401, "B, restarted, accepted the revoked token")
        finally:
            for request in requests:
                request.close()


def post_keyed(node, room, text):
    """(status, headers, body) of one keyed send; status 0 when the connection failed."""
    connection = http.client.HTTPConnection(HOST, node.port, timeout=30)
    try:
        connection.request("POST", "/api/v1/rooms/%s/messages" % room, json.dumps({"author": "bo", "text": text}),
                           {**JSON, "Idempotency-Key": text})
        response = connection.getresponse()
        return response.status, response.headers, json.loads(response.read() or b"null")
    except (OSError, http.client.HTTPException, ValueError):
        return 0, {}, None
    finally:
        connection.close()


class Senders:
    """Threads sending keyed messages to shared rooms through their node until stopped,
    each send retried with its key until it is answered 201 or 200, as a client should."""

    def __init__(self, nodes, rooms, per_node):
        self.rooms = rooms
        self.answers = []  # (node index, started, answered, status, headers, body, key)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.unfinished = []
        self.threads = [threading.Thread(target=self.send, args=(index, node, worker))
                        for index, node in enumerate(nodes) for worker in range(per_node)]
        for thread in self.threads:
            thread.start()

    def send(self, index, node, worker):
        n = 0
        while not self.stopping.is_set():
            key = "n%d-w%d-%d" % (index, worker, n)
            room = self.rooms[(worker + n) % len(self.rooms)]
            give_up = None
            while True:
                started = time.monotonic()
                status, headers, body = post_keyed(node, room, key)
                with self.lock:
                    self.answers.append((index, started, time.monotonic(), status, headers, body, key))
                if status in (200, 201):
                    break
                give_up = give_up or started + 30
                if time.monotonic() > give_up:
                    with self.lock:
                        self.unfinished.append(key)
                    return
                time.sleep(0.1)  # a client's pause before its retry, not a wait on the test
            n += 1

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)
        check(not any(thread.is_alive() for thread in self.threads), "a sender did not finish")


def node_sockets(pid, port):
    """The local ports of `pid`'s TCP connections to `port` (its PostgreSQL connections)."""
    inodes = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if fields[9] in inodes and int(fields[2].split(":")[1], 16) == port:
                ports.add(int(fields[1].split(":")[1], 16))
    return ports


def a_frozen_node_holds_the_others_up_for_seconds_only(binary, postgres):
    rooms = ["frozen%d" % n for n in range(4)]
    with tempfile.TemporaryDirectory() as data_dir:
        database = postgres.database_for(data_dir).rsplit("/", 1)[1]
        # The harness's cluster ends idle transactions itself; here only the node's own
        # setting may (a database's setting overrides the command line's, a session's both).
        postgres.admin_sql('ALTER DATABASE "%s" SET idle_in_transaction_session_timeout = 0' % database)
        arguments = UNTHROTTLED + ["--store", postgres.database_for(data_dir),
                                   "--store-password-file", postgres.password_file]
        a, b = [Server(binary, data_dir, os.path.join(data_dir, "node%d.log" % n), arguments) for n in range(2)]
        sql = lambda statement: postgres.admin_sql(statement, database=database).strip()  # noqa: E731
        a_ports = ",".join(str(p) for p in node_sockets(a.process.pid, postgres.port))
        senders = Senders([a, b], rooms, 3)
        frozen = stopped_at = None
        try:
            wait_until(lambda: len(senders.answers) > 200, 20, "sends flowing on both nodes")
            # Stopped until caught inside a transaction holding room locks (between two
            # batches the writer holds nothing).
            for _ in range(30):
                os.kill(a.process.pid, signal.SIGSTOP)
                stopped_at = time.monotonic()
                frozen = sql("SELECT a.pid, extract(epoch FROM clock_timestamp() - a.state_change)"
                             " FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid"
                             " WHERE a.client_port IN (%s) AND a.state = 'idle in transaction'"
                             " AND l.relation = 'rooms'::regclass AND l.granted" % a_ports)
                if frozen:
                    break
                os.kill(a.process.pid, signal.SIGCONT)
                time.sleep(0.2)  # lets the node run a little before the next try
            check(frozen, "node A was never caught holding room locks")
            # Its transaction went idle when its last statement ended, which may be after
            # the stop (a statement waiting on B's lock) or a moment before it.
            frozen, idle_for = frozen.splitlines()[0].split("|")
            idle_since = time.monotonic() - float(idle_for)
            wait_until(lambda: not sql("SELECT 1 FROM pg_locks WHERE pid = %s UNION ALL"
                                       " SELECT 1 FROM pg_stat_activity WHERE pid = %s" % (frozen, frozen)),
                       FROZEN_SECONDS, "PostgreSQL ending the frozen node's transaction and freeing its locks")
            released = time.monotonic() - idle_since
            print("  the frozen node's locks were released %.2f s after its transaction went idle" % released)
            check(released <= RELEASE_SECONDS, "the frozen node held its locks %.2f s" % released)
            time.sleep(max(0, stopped_at + FROZEN_SECONDS - time.monotonic()))  # the freeze's length, not a wait
            os.kill(a.process.pid, signal.SIGCONT)
            continued_at = time.monotonic()
            wait_until(lambda: any(i == 0 and s == 201 and t0 > continued_at
                                   for i, t0, _, s, _, _, _ in list(senders.answers)),
                       10, "a send on A succeeding after it was continued")
        finally:
            os.kill(a.process.pid, signal.SIGCONT)
            senders.stop()
            for node in (a, b):
                check(node.stop() == 0, "a node did not stop cleanly: %s" % node.stderr)
            postgres.admin_sql('ALTER DATABASE "%s" RESET idle_in_transaction_session_timeout' % database)
        check(not senders.unfinished, "sends never acknowledged: %r" % senders.unfinished[:5])

        longest = max(t1 - t0 for i, t0, t1, *_ in senders.answers if i == 1)
        first_try, acknowledged_at = {}, {}
        for i, t0, t1, status, _, _, key in senders.answers:
            if i == 1:
                first_try.setdefault(key, t0)
                if status in (200, 201):
                    acknowledged_at[key] = t1
        retried = max(acknowledged_at[key] - first_try[key] for key in acknowledged_at)
        print("  B's longest request while A was frozen took %.2f s; its longest send, retries included, %.2f s"
              % (longest, retried))
        check(longest <= STALL_SECONDS and retried <= STALL_SECONDS,
              "a send on B waited %.2f s (%.2f s with its retries)" % (longest, retried))
        a_refusals = [(status, headers, body) for i, t0, t1, status, headers, body, _ in senders.answers
                      if i == 0 and status not in (200, 201) and t1 > continued_at]
        check(a_refusals, "no send of A's aborted batch was answered 503")
        for status, headers, body in a_refusals:
            check(status == 503 and headers.get("Retry-After") and body["error"]["status"] == 503,
                  "a send of A's aborted batch was answered %r %r %r" % (status, dict(headers), body))
        print("  A answered %d sends 503 once continued; B answered %d sends 503"
              % (len(a_refusals), sum(1 for i, *_rest in senders.answers if i == 1 and _rest[2] == 503)))

        acknowledged = {key for _, _, _, status, _, _, key in senders.answers if status in (200, 201)}
        stored = sql("SELECT room, id, text FROM messages ORDER BY room, id").splitlines()
        texts = [line.split("|", 2)[2] for line in stored]
        check(len(texts) == len(set(texts)), "a message was stored twice")
        check(acknowledged <= set(texts), "acknowledged sends missing: %r" % sorted(acknowledged - set(texts))[:5])
        for room in rooms:
            ids = [int(line.split("|")[1]) for line in stored if line.split("|")[0] == room]
            check(ids == list(range(1, len(ids) + 1)), "room %s is not gapless" % room)
        counters = sql("SELECT count(*) FROM rooms r WHERE last_id <> (SELECT coalesce(max(id), 0)"
                       " FROM messages m WHERE m.room = r.name)")
        check(counters == "0", "%s rooms' counters differ from their newest ids" % counters)
        print("  %d sends acknowledged, each stored once" % len(acknowledged))


def main():
    bound_whole_file(600)
    return postgres_for_tests.run_checks_against_postgres(
        [tokens_work_across_nodes_and_revocations_reach_them, a_frozen_node_holds_the_others_up_for_seconds_only],
        os.environ["CHATAPP_BINARY"])


if __name__ == "__main__":
    sys.exit(main())
