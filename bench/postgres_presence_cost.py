#!/usr/bin/env python3
"""What presence across nodes costs: two nodes on a throwaway PostgreSQL
(tests/common/postgres_for_tests.py); --names names poll node B once a second each for
--seconds (plain GETs with name=, the way a crowd of long-polling windows is seen), while
nobody uses node A. Prints the presence rows written per second, the store's transactions
per second (both nodes: writes, heartbeats, reads), each node's CPU, how long A takes to
list the members, and whether A lists every name.

    python3 bench/postgres_presence_cost.py [--names 300] [--seconds 30] [--build-dir build]
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "common"))
from chatapp_testing import HOST, Server, wait_until  # noqa: E402
import postgres_for_tests  # noqa: E402

ROOM = "general"


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def poller(port, names, stop, errors):
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    while not stop.is_set():
        started = time.monotonic()
        for name in names:
            try:
                connection.request("GET", "/api/v1/rooms/%s/messages?limit=1&name=%s" % (ROOM, name))
                connection.getresponse().read()
            except (OSError, http.client.HTTPException):
                errors.append(name)
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=10)
        stop.wait(max(0, 1 - (time.monotonic() - started)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--names", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--build-dir", default=str(ROOT / "build"))
    options = parser.parse_args()
    binary = os.path.join(options.build_dir, "chatapp")
    with postgres_for_tests.TemporaryPostgres() as postgres, tempfile.TemporaryDirectory() as data_dir:
        arguments = ["--store", postgres.database_for(data_dir), "--store-password-file", postgres.password_file,
                     "--send-rate", "1000000", "--send-burst", "1000000"]
        database = postgres.database_for(data_dir).rsplit("/", 1)[1]
        a = Server(binary, data_dir, os.path.join(data_dir, "a.log"), arguments)
        b = Server(binary, data_dir, os.path.join(data_dir, "b.log"), arguments)
        try:
            def counters():
                line = postgres.admin_sql(
                    "SELECT pg_stat_force_next_flush(); SELECT (SELECT coalesce(sum(n_tup_ins + n_tup_upd), 0)"
                    " FROM pg_stat_user_tables WHERE relname = 'presence'),"
                    " (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())",
                    database=database).split()[-1]
                rows, transactions = line.split("|")
                return int(rows), int(transactions)

            names = ["crowd%d" % n for n in range(options.names)]
            threads_count = 4
            stop, errors = threading.Event(), []
            threads = [threading.Thread(target=poller, args=(b.port, names[i::threads_count], stop, errors))
                       for i in range(threads_count)]
            for thread in threads:
                thread.start()
            # The first sightings are all prompt: measure after they are written.
            wait_until(lambda: len(a.get("/api/v1/rooms/%s/members" % ROOM)["members"]) == options.names, 20,
                       "every name on A")
            time.sleep(2)
            rows0, transactions0 = counters()
            cpu0 = {node: cpu_seconds(node.process.pid) for node in (a, b)}
            started = time.monotonic()
            time.sleep(options.seconds)
            elapsed = time.monotonic() - started
            rows1, transactions1 = counters()
            cpu1 = {node: cpu_seconds(node.process.pid) for node in (a, b)}
            listing = []
            for _ in range(20):
                begun = time.monotonic()
                listed = a.get("/api/v1/rooms/%s/members" % ROOM)["members"]
                listing.append((time.monotonic() - begun) * 1000)
            stop.set()
            for thread in threads:
                thread.join()
            print("names polling B once a second: %d for %.0f s (%d failed requests)"
                  % (options.names, elapsed, len(errors)))
            print("presence rows written: %.1f/s (%.3f per name per second)"
                  % ((rows1 - rows0) / elapsed, (rows1 - rows0) / elapsed / options.names))
            print("store transactions, both nodes: %.1f/s" % ((transactions1 - transactions0) / elapsed))
            print("CPU: node A (idle, reading) %.1f %%, node B (serving the polls) %.1f %%"
                  % (100 * (cpu1[a] - cpu0[a]) / elapsed, 100 * (cpu1[b] - cpu0[b]) / elapsed))
            print("A lists the members: %d names, median %.1f ms, max %.1f ms"
                  % (len(listed), statistics.median(listing), max(listing)))
        finally:
            a.stop()
            b.stop()


if __name__ == "__main__":
    main()
