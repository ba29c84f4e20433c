#!/usr/bin/env python3
"""Three `chatapp --serve` nodes on one PostgreSQL behind the shipped nginx.conf
(issue 16; design §5 and §6 checks 1 and 6-10), under about 1,500 keyed sends a second
with subscribers on every node and behind nginx:

1. node 2 killed (kill -9) at 4 s and restarted at 7 s, node 3's LISTEN connection
   ended from PostgreSQL at 9 s;
2. node 2 frozen (kill -STOP) for 8 s mid-burst, while another node waits on its locks;
3. one Idempotency-Key POSTed to the three nodes at once;
4. node 3's LISTEN connection ended while only node 1 sends.

After 1 and 2: every send answered 201 or 200 is stored exactly once, every room is
gapless, each node serves each room's history identically, and every subscriber saw
its room contiguous, in order, nothing twice; the recovery times of design §6 are
printed and held to generous bounds (CHATAPP_CLUSTER_REPORT=FILE also writes them as
JSON). Exits 77 (skipped) when PostgreSQL or nginx is missing and cannot be installed
(only root may)."""

import http.client
import json
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import Failure, bound_whole_file, check, wait_until  # noqa: E402
from cluster_for_tests import Cluster, ClusterFailure, ensure_installed  # noqa: E402
from cluster_traffic import PollSubscriber, Sender, SseSubscriber  # noqa: E402
import cluster_checks  # noqa: E402

WHOLE_FILE_SECONDS = 170
ROOMS = 20
RATE = int(os.environ.get("CHATAPP_CLUSTER_RATE", "1500"))
SECONDS = 12
DRAIN_SECONDS = 15
FROZEN_SECONDS = 8
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def rooms_of(scenario):
    return ["%s-%02d" % (scenario, number) for number in range(ROOMS)]


def request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def create_rooms(cluster, rooms):
    """Each room PUT on each node, so that every node knows it before its subscribers ask."""
    for node in cluster.nodes:
        for room in rooms:
            status, body = request(node.port, "PUT", "/api/v1/rooms/" + room)
            check(status in (200, 201), "PUT %s on node %d answered %d: %r" % (room, node.number, status, body))


def subscribe(cluster, rooms):
    """SSE subscribers on half the rooms and long pollers on a quarter, for each of
    nginx and the three nodes (each room followed by two streams and one poller); a
    subscriber on a node falls back to the next nodes, one behind nginx only to nginx."""
    node_ports = [node.port for node in cluster.nodes]
    endpoints = [("nginx", [cluster.proxy_port])]
    for index, node in enumerate(cluster.nodes):
        endpoints.append(("node%d" % node.number, node_ports[index:] + node_ports[:index]))
    subscribers = []
    for place, (name, ports) in enumerate(endpoints):
        for number, room in enumerate(rooms):
            if (number + place) % 2 == 0:
                subscribers.append(SseSubscriber(room, ports, "sse@%s/%s" % (name, room)))
            if number % len(endpoints) == place:
                subscribers.append(PollSubscriber(room, ports, "poll@%s/%s" % (name, room)))
    for subscriber in subscribers:
        subscriber.start()
    streams = [s for s in subscribers if isinstance(s, SseSubscriber)]
    wait_until(lambda: all(s.connections for s in streams), 15,
               lambda: "every stream to open; not yet: %s" % [s.label for s in streams if not s.connections])
    return subscribers


def run_traffic(cluster, scenario, ports, actions):
    """Sends and subscribers over the scenario's rooms; `actions` are (seconds after the
    start, name, function) done on time. Returns (sender, subscribers, {name: time done},
    whether every subscriber reached its room's last id, offered rate)."""
    rooms = rooms_of(scenario)
    create_rooms(cluster, rooms)
    subscribers = subscribe(cluster, rooms)
    sender = Sender(ports, rooms, RATE, SECONDS, scenario)
    try:
        sender.start()
        done = {}
        for at, name, action in actions:
            pause = sender.start_time + at - time.monotonic()
            if pause > 0:
                time.sleep(pause)  # the scenario's schedule, not a wait for a result
            done[name] = time.monotonic()
            action()
            print("  %.2f s: %s" % (time.monotonic() - sender.start_time, name), flush=True)
        check(sender.join(SECONDS + 70), "some sends were still being retried 70 s after the run")
        rate, late = sender.offered_rate()
        print("  offered %.0f sends/s (asked %d), p99 start %.0f ms after due; %d sends, %d answered" % (
            rate, RATE, late * 1000, len(sender.sends), len(sender.acked())), flush=True)
        heads = cluster_checks.heads(cluster, scenario)
        reached = True
        try:
            wait_until(lambda: all(s.last_id >= heads.get(s.room, 0) for s in subscribers), DRAIN_SECONDS,
                       lambda: "subscribers to reach their rooms' last ids: %s" % [
                           "%s at %d of %d" % (s.label, s.last_id, heads.get(s.room, 0))
                           for s in subscribers if s.last_id < heads.get(s.room, 0)][:8])
        except Failure as failure:
            reached = False
            print("  " + str(failure), flush=True)
    finally:
        sender.kill()
        for subscriber in subscribers:
            subscriber.stop()
        for subscriber in subscribers:
            subscriber.join(10)
    return sender, subscribers, done, reached, rate


def report(name, value):
    print("  %s: %s" % (name, value), flush=True)
    REPORT[name] = value


REPORT = {}

# Design §6's targets are 1 s (check 6), 3 s p99 with `retry: 1000` (7; the server says
# 2000), 2 s (8) and 6 s (9); these bounds leave room for a machine shared with builds.
FIRST_SEND_AFTER_KILL_MS = 1000
SENDS_IN_FLIGHT_AT_KILL_MS = 3000
CUT_STREAMS_CAUGHT_UP_P99_MS = 5000
LISTENER_STALL_MS = 3000
FROZEN_STALL_SECONDS = 7


def scenario_kill_and_listener(cluster):
    print("scenario 1: kill -9 of node 2 at 4 s, restart at 7 s, node 3's listener ended at 9 s", flush=True)
    listener = {}
    sender, subscribers, done, reached, rate = run_traffic(
        cluster, "s1", [cluster.proxy_port],
        [(4, "kill -9 node 2", lambda: cluster.kill_node(1)),
         (7, "restart node 2", lambda: cluster.restart_node(1)),
         (9, "end node 3's listener", lambda: listener.update(ended=cluster.terminate_listener(2)))])
    report("s1_offered_sends_per_s", round(rate))
    failures = cluster_checks.run_all(cluster, "s1", sender, subscribers, reached)
    times = cluster_checks.kill_timings(sender, subscribers, done["kill -9 node 2"], cluster.nodes[1].port)
    times.update(cluster_checks.listener_stall(sender, subscribers, done["end node 3's listener"],
                                               cluster.nodes[2].port))
    for name, value in times.items():
        report("s1_" + name, value)

    def node_3s_listener_was_found_and_ended():
        check(listener.get("ended", 0) >= 1, "no connection named '%s' in pg_stat_activity (found %d)" % (
            "chatapp listener <node 3's pid>", listener.get("ended", 0)))

    def sends_recovered_after_the_kill():
        first, in_flight = times["first_send_started_after_kill_answered_ms"], times["sends_in_flight_at_kill_answered_ms"]
        check(first is not None and first <= FIRST_SEND_AFTER_KILL_MS,
              "the first send started after the kill was answered after %s ms" % first)
        check(in_flight <= SENDS_IN_FLIGHT_AT_KILL_MS, "a send in flight at the kill waited %d ms" % in_flight)

    def cut_streams_resumed_and_caught_up():
        p99 = times["cut_streams_caught_up_p99_ms"]
        check(times["cut_streams"] and p99 <= CUT_STREAMS_CAUGHT_UP_P99_MS,
              "%d cut streams, caught up p99 %s ms; slowest %s" % (times["cut_streams"], p99,
                                                                 times["slowest_cut_stream"]))

    def node_3_delivered_after_its_listener_ended():
        stall = times["node3_delivery_after_listener_ended_max_ms"]
        check(stall is not None and stall <= LISTENER_STALL_MS, "node 3 delivered %s ms late" % stall)
    failures += cluster_checks.run([node_3s_listener_was_found_and_ended, sends_recovered_after_the_kill,
                                    cut_streams_resumed_and_caught_up, node_3_delivered_after_its_listener_ended])
    return failures


def scenario_frozen_node(cluster):
    print("scenario 2: node 2 frozen (kill -STOP) inside a transaction from about 2 s, for 8 s", flush=True)
    direct = [cluster.nodes[0].port, cluster.nodes[2].port]
    frozen = {}

    def freeze():
        frozen["in transaction"] = cluster.freeze_node_in_transaction(1)
        frozen["at"] = time.monotonic()

    def thaw():
        time.sleep(max(0, frozen["at"] + FROZEN_SECONDS - time.monotonic()))  # the freeze's length
        cluster.thaw_node(1)
    sender, subscribers, done, reached, rate = run_traffic(
        cluster, "s2", [cluster.proxy_port] + [node.port for node in cluster.nodes],
        [(2, "kill -STOP node 2", freeze), (2 + FROZEN_SECONDS, "kill -CONT node 2", thaw)])
    report("s2_offered_sends_per_s", round(rate))
    report("s2_frozen_inside_a_transaction", frozen["in transaction"])
    failures = cluster_checks.run_all(cluster, "s2", sender, subscribers, reached)
    stall = round(cluster_checks.longest_send(sender, direct), 2)
    report("s2_longest_send_to_nodes_1_and_3_s", stall)

    def others_stalled_boundedly_by_a_node_frozen_holding_locks():
        check(frozen["in transaction"], "node 2 was never caught inside a transaction: nothing was checked")
        check(stall <= FROZEN_STALL_SECONDS, "a send to node 1 or 3 waited %.2f s" % stall)
    return failures + cluster_checks.run([others_stalled_boundedly_by_a_node_frozen_holding_locks])


def listener_ended_with_only_other_nodes_sending(cluster):
    """Design §6 check 8 where nothing else can hide it: node 3's only news of a room
    comes from node 1's commits (under the load of scenario 1 its own commits bring the
    others' along). Sends to node 1 every 50 ms, node 3's listener ended after the first
    second; a stream on node 3 must get each one, in order, late by at most
    LISTENER_STALL_MS, and the listener must come back."""
    room = "s4-quiet"
    create_rooms(cluster, [room])
    stream = SseSubscriber(room, [cluster.nodes[2].port], "sse@node3/" + room)
    stream.start()
    answered = {}
    ended = None
    try:
        wait_until(lambda: stream.connections, 10, "the stream on node 3 to open")
        for number in range(80):
            if number == 20:
                ended = time.monotonic()
                check(cluster.terminate_listener(2) >= 1, "node 3 had no listener connection to end")
            status, body = request(cluster.nodes[0].port, "POST", "/api/v1/rooms/%s/messages" % room,
                                   body="author=ana&text=quiet-%d" % number, headers=FORM)
            check(status == 201, "the send to node 1 answered %d: %r" % (status, body))
            answered[json.loads(body)["id"]] = time.monotonic()
            time.sleep(0.05)  # the pace of the sends
        wait_until(lambda: stream.last_id >= max(answered), 10,
                   lambda: "node 3's stream to reach %d (at %d)" % (max(answered), stream.last_id))
        wait_until(lambda: cluster.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s'"
                                       % cluster.listener_application_name(2)).strip() == "1", 10,
                   "node 3 to connect its listener again")
    finally:
        stream.stop()
        stream.join(10)
    ids = [number for number, _, _ in stream.seen]
    check(ids == sorted(answered), "node 3's stream saw %s, sent %s" % (ids, sorted(answered)))
    late = {number: at - answered[number] for number, _, at in stream.seen}
    before = max(late[number] for number in answered if answered[number] < ended)
    after = max(late[number] for number in answered if answered[number] >= ended)
    report("s4_node3_delivery_before_listener_ended_max_ms", round(before * 1000))
    report("s4_node3_delivery_after_listener_ended_max_ms", round(after * 1000))
    check(after * 1000 <= LISTENER_STALL_MS, "node 3 delivered %.0f ms late after its listener ended" % (after * 1000))


def one_key_posted_to_three_nodes_at_once(cluster):
    key = "same-key-%d" % os.getpid()
    room = "s3-key"
    answers = []
    barrier = threading.Barrier(len(cluster.nodes))

    def post(port):
        barrier.wait(10)
        try:
            answers.append(request(port, "POST", "/api/v1/rooms/%s/messages" % room, body="author=ana&text=" + key,
                                   headers={"Content-Type": "application/x-www-form-urlencoded",
                                            "Idempotency-Key": key}))
        except (OSError, http.client.HTTPException) as error:
            answers.append((None, repr(error)))
    threads = [threading.Thread(target=post, args=(node.port,)) for node in cluster.nodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    statuses = sorted(status or 0 for status, _ in answers)
    check(statuses == [200, 200, 201], "the three nodes answered %r: %r" % (statuses, answers))
    ids = {json.loads(body)["id"] for _, body in answers}
    check(len(ids) == 1, "the answers named different messages: %r" % answers)
    stored = cluster.sql("SELECT count(*) FROM messages WHERE room = '%s' AND text = '%s'" % (room, key)).strip()
    check(stored == "1", "%s messages stored for the key" % stored)


def guarded(scenario, cluster):
    """The scenario's failures, or one if it could not run to its end (a node that no
    longer answers, say): the next scenario and the final checks still run."""
    try:
        return scenario(cluster)
    except (Failure, OSError, http.client.HTTPException) as error:
        print("FAIL %s could not finish: %r" % (scenario.__name__, error), flush=True)
        return 1


def main():
    # ctest sends SIGTERM when the test runs over its time: leave through the with-block.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        ensure_installed()
    except ClusterFailure as missing:
        print("SKIP", missing)
        return 77
    bound_whole_file(WHOLE_FILE_SECONDS)
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    started = time.monotonic()
    failures = 0
    with Cluster(binary, nodes=3) as cluster:
        failures += guarded(scenario_kill_and_listener, cluster)
        failures += guarded(scenario_frozen_node, cluster)
        print("scenario 3: one Idempotency-Key POSTed to the three nodes at once", flush=True)
        failures += cluster_checks.run([one_key_posted_to_three_nodes_at_once], cluster)
        print("scenario 4: node 3's listener ended while only node 1 sends", flush=True)
        failures += cluster_checks.run([listener_ended_with_only_other_nodes_sending], cluster)
        failures += cluster_checks.run([cluster_checks.every_process_still_runs], cluster)
    signal.alarm(0)
    if os.environ.get("CHATAPP_CLUSTER_REPORT"):
        with open(os.environ["CHATAPP_CLUSTER_REPORT"], "w") as out:
            json.dump(REPORT, out, indent=1)
    print("%d failure(s) in %.0f s" % (failures, time.monotonic() - started))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
