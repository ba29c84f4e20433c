"""What test_cluster.py checks after a run, and the recovery times it reports: the
store read straight from PostgreSQL, histories through each node's API, and what each
subscriber recorded (cluster_traffic.py)."""

import http.client
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import Failure, check, run_checks  # noqa: E402
from cluster_traffic import SseSubscriber  # noqa: E402


def run(checks, *arguments):
    return run_checks(checks, *arguments)


def heads(cluster, scenario):
    """{room: last_id} of the scenario's rooms, from PostgreSQL."""
    rows = cluster.sql("SELECT name, last_id FROM rooms WHERE name LIKE '%s-%%'" % scenario)
    return {name: int(last) for name, last in (line.split("|") for line in rows.splitlines() if line)}


def stored_rows(cluster, scenario):
    """[(room, id, kind, text)] of the scenario's rooms, from PostgreSQL."""
    rows = cluster.sql("SELECT room, id, kind, text FROM messages WHERE room LIKE '%s-%%' ORDER BY room, id"
                       % scenario)
    return [(room, int(number), int(kind), text)
            for room, number, kind, text in (line.split("|", 3) for line in rows.splitlines() if line)]


def history(port, room):
    """Every entry of the room as the node at `port` serves it, `?after=` page by page."""
    entries = []
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        try:
            connection.request("GET", "/api/v1/rooms/%s/messages?after=%d&limit=1000" % (
                room, entries[-1]["id"] if entries else 0))
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            raise Failure("GET %s's history on port %d failed: %r" % (room, port, error))
        finally:
            connection.close()
        check(response.status == 200, "GET %s's history on port %d answered %d: %r" % (
            room, port, response.status, body[:200]))
        page = json.loads(body)
        entries += page["messages"]
        if not page["messages"] or entries[-1]["id"] >= page["last_id"]:
            return entries


def run_all(cluster, scenario, sender, subscribers, reached):
    rows = stored_rows(cluster, scenario)
    room_heads = heads(cluster, scenario)
    print("  stored %d entries in %d rooms" % (len(rows), len(room_heads)), flush=True)

    def every_send_was_answered_201_or_200():
        unanswered = [send for send in sender.sends if send.acked is None]
        check(not unanswered, "%d of %d sends never got 201 or 200 (first: %s, %s)" % (
            len(unanswered), len(sender.sends), unanswered[0].key if unanswered else "",
            unanswered[0].failures[-3:] if unanswered else ""))

    def every_answered_send_is_stored_once_where_answered():
        where = {}
        for room, number, kind, text in rows:
            where.setdefault(text, []).append((room, number, kind))
        twice = {text: places for text, places in where.items() if len(places) > 1}
        check(not twice, "%d keys stored more than once, for example %s" % (len(twice), list(twice.items())[:3]))
        wrong = [(send.key, send.room, send.id, where.get(send.key)) for send in sender.acked()
                 if where.get(send.key) != [(send.room, send.id, 0)]]
        check(not wrong, "%d answered sends are not stored once as answered (key, room, id, stored): %s" % (
            len(wrong), wrong[:5]))
        strangers = [text for text in where if not text.startswith(scenario + "-")]
        check(not strangers, "entries nobody sent: %s" % strangers[:5])
        keys = cluster.sql("SELECT count(*), count(DISTINCT (room, key)) FROM idempotency_keys WHERE room LIKE '%s-%%'"
                           % scenario).strip().split("|")
        check(keys[0] == keys[1] == str(len(rows)), "idempotency keys %s for %d messages" % (keys, len(rows)))

    def every_room_is_gapless():
        by_room = {}
        for room, number, _, _ in rows:
            by_room.setdefault(room, []).append(number)
        broken = ["%s: %d entries, ids %s..%s, last_id %d" % (room, len(by_room.get(room, [])),
                                                              min(by_room.get(room, [0])),
                                                              max(by_room.get(room, [0])), last)
                  for room, last in room_heads.items() if by_room.get(room, []) != list(range(1, last + 1))]
        check(set(room_heads) == set(sender.rooms) and not broken,
              "rooms with gaps or counters off: %s (%d rooms of %d)" % (broken, len(room_heads), len(sender.rooms)))

    def every_node_serves_the_same_history():
        for room in sorted(room_heads):
            histories = {node.number: history(node.port, room) for node in cluster.nodes}
            stored = [(number, text) for r, number, _, text in rows if r == room]
            for number, entries in histories.items():
                check([(entry["id"], entry.get("text")) for entry in entries] == stored,
                      "node %d's history of %s differs from the store's (%d entries, %d stored)" % (
                          number, room, len(entries), len(stored)))
                check(entries == histories[1], "node %d's history of %s differs from node 1's" % (number, room))

    def every_subscriber_saw_its_room_whole_in_order_once():
        texts = {(room, number): text for room, number, _, text in rows}
        bad = []
        for subscriber in subscribers:
            ids = [number for number, _, _ in subscriber.seen]
            expected = list(range(1, room_heads[subscriber.room] + 1))
            if ids != expected:
                duplicates = len(ids) - len(set(ids))
                out_of_order = sum(1 for a, b in zip(ids, ids[1:]) if b < a)
                missing = len(set(expected) - set(ids))
                bad.append("%s: %d seen, %d missing, %d twice, %d out of order, %s" % (
                    subscriber.label, len(ids), missing, duplicates, out_of_order, subscriber.problems[:2]))
            elif any(texts.get((subscriber.room, number)) != text for number, text, _ in subscriber.seen):
                bad.append("%s: a text differs from the store's" % subscriber.label)
        check(reached and not bad, "%d of %d subscribers did not see their room whole, in order, once: %s" % (
            len(bad), len(subscribers), bad[:6]))

    return run([every_send_was_answered_201_or_200, every_answered_send_is_stored_once_where_answered,
                every_room_is_gapless, every_node_serves_the_same_history,
                every_subscriber_saw_its_room_whole_in_order_once])


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else None


def ms(seconds):
    return None if seconds is None else round(seconds * 1000)


def kill_timings(sender, subscribers, killed_at, killed_port):
    """Design §6 checks 6 and 7, in ms after the kill: the first 201/200 of a send
    started after it; the longest a send in flight at the kill took to be answered; and
    for each stream that was cut by it, how long until it reconnected and held what had
    been answered in its room by then."""
    after = [send.acked for send in sender.acked() if send.started >= killed_at]
    hit = [send.acked for send in sender.acked() if send.started < killed_at < send.acked and send.failures]
    catch_up = []
    detail = []
    answered = {}
    for send in sender.acked():
        answered.setdefault(send.room, []).append((send.acked, send.id))
    for subscriber in subscribers:
        if not isinstance(subscriber, SseSubscriber):
            continue
        cut = [c for c in subscriber.connections if c[0] >= killed_at and c[2] != 200]
        resumed = [c for c in subscriber.connections if c[0] >= killed_at and c[2] == 200]
        was_on_killed = any(c[1] == killed_port and c[2] == 200 and c[0] < killed_at for c in subscriber.connections)
        if not resumed or not (cut or was_on_killed) or resumed[0][0] > killed_at + 10:
            continue
        resumed_at = resumed[0][0]
        target = max([number for at, number in answered[subscriber.room] if at <= resumed_at] or [0])
        caught = [at for number, _, at in subscriber.seen if number >= target and at >= resumed_at]
        if target <= max([n for n, _, at in subscriber.seen if at < resumed_at] or [0]):
            caught = [resumed_at]
        if caught:
            catch_up.append(caught[0] - killed_at)
            detail.append((caught[0] - killed_at, "%s: connections %s, resumed at %.2f s for id %d" % (
                subscriber.label, ["%.2f s port %d %s" % (at - killed_at, port, what)
                                   for at, port, what in subscriber.connections if at >= killed_at - 1],
                resumed_at - killed_at, target)))
    return {
        "first_send_started_after_kill_answered_ms": ms(min(after) - killed_at) if after else None,
        "sends_in_flight_at_kill_answered_ms": ms(max(hit) - killed_at) if hit else 0,
        "cut_streams": len(catch_up),
        "cut_streams_caught_up_p50_ms": ms(percentile(catch_up, 0.5)),
        "cut_streams_caught_up_p99_ms": ms(percentile(catch_up, 0.99)),
        "slowest_cut_stream": max(detail)[1] if detail else None,
    }


def listener_stall(sender, subscribers, ended_at, port):
    """Design §6 check 8: how late the subscribers on the node at `port` got messages
    answered in the 3 s after its listener was ended, against the 3 s before the kill."""
    answered = {send.key: send.acked for send in sender.acked()}

    def latencies(start, end):
        found = []
        for subscriber in subscribers:
            if subscriber.ports[0] != port:
                continue
            for _, text, at in subscriber.seen:
                acked = answered.get(text)
                if acked is not None and start <= acked < end:
                    found.append(at - acked)
        return found
    during = latencies(ended_at, ended_at + 3)
    before = latencies(sender.start_time + 1, sender.start_time + 4)
    return {"node3_delivery_after_listener_ended_max_ms": ms(max(during) if during else None),
            "node3_delivery_before_faults_p99_ms": ms(percentile(before, 0.99)),
            "node3_delivery_before_faults_max_ms": ms(max(before) if before else None)}


def longest_send(sender, ports):
    """Design §6 check 9: the longest a send straight to one of `ports` took from its
    first attempt to its 201/200."""
    return max([send.acked - send.started for send in sender.acked() if send.port in ports] or [0])


def every_process_still_runs(cluster):
    dead = [node.number for node in cluster.nodes if not node.alive()]
    check(not dead, "nodes %s died: %s" % (dead, [cluster.nodes[n - 1].log() for n in dead]))
    check(cluster.nginx.poll() is None, "nginx died")
