#!/usr/bin/env python3
"""One node's send rate on PostgreSQL against the same node on SQLite: workload 1 of
bench/run.py (chatapp-bench, 64 closed-loop senders, form posts of 100 bytes) on 1 room
and on 100 rooms, and the design's acceptance check 2 (wrk, 64 connections, each POST
to the next of 100 rooms), SQLite and PostgreSQL alternating, median of --rounds.

    python3 bench/postgres_send_rate.py [--seconds 10] [--rounds 3] [--build-dir build]

ChatApp is pinned to core 0 and chatapp-bench to core 1, as in bench/run.py; PostgreSQL
(a throwaway cluster from tests/common/postgres_for_tests.py, fsync on) is not pinned,
so on a 2-core machine it shares both with them. Server CPU per send counts ChatApp's
process only. Prints a table; writes nothing."""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "common"))
import run  # noqa: E402  bench/run.py
import cluster_workloads  # noqa: E402  its wrk over 100 rooms (workload 13)
import postgres_for_tests  # noqa: E402


def start(peers, scratch, store_arguments):
    data = tempfile.mkdtemp(prefix="chatapp-data-", dir=scratch)
    return run.Server("chatapp", lambda port: [str(peers.chatapp), "--serve", "127.0.0.1", str(port), "--data-dir", data,
                                               "--quiet", "--send-rate", "1000000", "--send-burst", "1000000",
                                               "--max-connections", "19500", *store_arguments])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--build-dir", default=str(ROOT / "build"))
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="chatapp-pgbench-") as scratch, postgres_for_tests.TemporaryPostgres() as pg:
        peers = run.Peers(Path(args.build_dir), scratch)
        for round_number in range(args.rounds):
            for rooms in (1, 100):
                for store in ("sqlite", "postgresql"):
                    store_arguments = []
                    if store == "postgresql":
                        database = "bench_%d_%d" % (round_number, rooms)
                        pg.create_database(database)
                        store_arguments = ["--store", pg.url_of(database), "--store-password-file", pg.password_file]
                    server = start(peers, scratch, store_arguments)
                    try:
                        result = run.run_bench(peers, server, [
                            "--publish", run.chatapp_urls(server.port)["publish"], "--publish-format", "form",
                            "--rooms", str(rooms), "--senders", "64", "--rate", "0", "--duration", str(args.seconds),
                            "--threads", "1"], args.seconds + 20)
                    finally:
                        server.stop()
                    rate = result["send_rate"]
                    cpu = run.per_mille_us(result, "sends_acked")
                    results.setdefault((rooms, store), []).append((rate, cpu))
                    print("round %d, %d room(s), %s: %.0f sends/s, %s µs server CPU per send"
                          % (round_number + 1, rooms, store, rate, cpu), flush=True)
            for store in ("sqlite", "postgresql"):
                store_arguments = []
                if store == "postgresql":
                    database = "wrk_%d" % round_number
                    pg.create_database(database)
                    store_arguments = ["--store", pg.url_of(database), "--store-password-file", pg.password_file]
                server = start(peers, scratch, store_arguments)
                try:
                    acknowledged, refused = cluster_workloads.wrk_rooms([server.port], args.seconds, 64, scratch)
                    rate = acknowledged / args.seconds
                finally:
                    server.stop()
                results.setdefault(("wrk", store), []).append((rate, None))
                print("round %d, wrk 100 rooms, %s: %.0f sends/s acknowledged, %d not 2xx" % (round_number + 1, store, rate, refused),
                      flush=True)
    print("\n| load | SQLite sends/s | PostgreSQL sends/s | PG / SQLite |")
    print("|---|---|---|---|")
    for rooms, label in ((1, "1 room"), (100, "100 rooms"), ("wrk", "wrk, 64 connections, 100 rooms")):
        sqlite = statistics.median(r[0] for r in results[(rooms, "sqlite")])
        postgres = statistics.median(r[0] for r in results[(rooms, "postgresql")])
        print("| %s | %.0f | %.0f | %.2f |" % (label, sqlite, postgres, postgres / sqlite))
    return 0


if __name__ == "__main__":
    sys.exit(main())
