#!/usr/bin/env python3
"""`make bench` and `make bench-quick`: ChatApp against nginx's nchan and against the
bare QHttpServer ceiling, on this machine, in one run, with the same load for each.

On a 2-core box the server gets core 0 and the load generator core 1 (taskset), and
nginx runs one worker. Every server is started fresh for each workload, on loopback,
and stopped afterwards; every load run ends by itself. Prints one table and writes it,
with the date, the commit and the machine, to docs/benchmarks.md (the file's history
section is kept)."""

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_CPU = "0"
LOAD_CPU = "1"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, deadline_s=15.0):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def pinned(cpu, command):
    if os.cpu_count() and os.cpu_count() >= 2 and shutil.which("taskset") and cpu is not None:
        return ["taskset", "-c", cpu] + command
    return command


class Server:
    """A server process on a free loopback port, pinned to the server core."""

    def __init__(self, name, command_for_port, cpu=SERVER_CPU, cwd=None):
        self.name = name
        self.port = free_port()
        self.process = subprocess.Popen(pinned(cpu, command_for_port(self.port)), cwd=cwd,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_for_port(self.port):
            self.stop()
            raise RuntimeError(f"{name} did not start on port {self.port}")

    @property
    def pid(self):
        """The process doing the work: the server itself (taskset execs it), or for
        nginx its one worker, since the master only supervises."""
        if self.name != "nchan":
            return self.process.pid
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            workers = children.read_text().split()
            if workers:
                return int(workers[0])
            time.sleep(0.05)
        raise RuntimeError("nginx started no worker")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Peers:
    def __init__(self, build_dir, scratch):
        self.build_dir = build_dir
        self.scratch = scratch
        self.chatapp = build_dir / "chatapp"
        self.bench = build_dir / "bench" / "chatapp-bench"
        self.ceiling = build_dir / "bench" / "ceiling" / "chatapp-ceiling"

    def start_chatapp(self, cpu=SERVER_CPU):
        data = tempfile.mkdtemp(prefix="chatapp-data-", dir=self.scratch)
        # The per-address limits are for abuse from the internet; every benchmark client
        # is 127.0.0.1, so they are lifted. Everything else is the server as shipped.
        return Server("chatapp", lambda port: [str(self.chatapp), "--serve", "127.0.0.1", str(port),
                                               "--data-dir", data, "--quiet", "--send-rate", "1000000",
                                               "--send-burst", "1000000", "--max-connections", "19500"], cpu)

    def start_nchan(self):
        prefix = Path(tempfile.mkdtemp(prefix="nginx-", dir=self.scratch))
        template = (ROOT / "bench" / "nginx" / "nginx.conf.in").read_text()

        def command(port):
            (prefix / "nginx.conf").write_text(
                template.replace("@PREFIX@", str(prefix)).replace("@PORT@", str(port)))
            return ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
        return Server("nchan", command)

    def start_ceiling(self):
        return Server("ceiling", lambda port: [str(self.ceiling), str(port)])


def chatapp_urls(port):
    base = f"http://127.0.0.1:{port}/api/v1/rooms/{{room}}"
    return {"publish": base + "/messages", "publish_format": "form",
            "sse": base + "/events", "longpoll": base + "/messages", "longpoll_mode": "longpoll-chatapp"}


def nchan_urls(port):
    return {"publish": f"http://127.0.0.1:{port}/pub?id={{room}}", "publish_format": "raw",
            "sse": f"http://127.0.0.1:{port}/sub/{{room}}", "longpoll": f"http://127.0.0.1:{port}/sub/{{room}}",
            "longpoll_mode": "longpoll-nchan"}


def run_bench(peers, server, options, max_seconds):
    command = pinned(LOAD_CPU, [str(peers.bench), "--json", "--server-pid", str(server.pid),
                                "--max-seconds", str(max_seconds)] + options)
    result = subprocess.run(command, capture_output=True, text=True, timeout=max_seconds + 30)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"chatapp-bench printed no result: {result.stderr.strip()[-400:]}")
    return json.loads(lines[-1])


def run_wrk(url, seconds, connections=64, body=None, content_type=None):
    script = None
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if body is not None:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write('wrk.method = "POST"\n'
                     f'wrk.body = {json.dumps(body)}\n'
                     f'wrk.headers["Content-Type"] = {json.dumps(content_type)}\n')
        script.close()
        command += ["-s", script.name]
    result = subprocess.run(pinned(LOAD_CPU, command + [url]), capture_output=True, text=True,
                            timeout=seconds + 30)
    if script:
        os.unlink(script.name)
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", result.stdout)
    if not match:
        raise RuntimeError(f"wrk failed: {result.stdout[-300:]} {result.stderr[-300:]}")
    return float(match.group(1)), int(non2xx.group(1)) if non2xx else 0


class Table:
    def __init__(self):
        self.rows = []

    def add(self, workload, figure, chatapp, nchan=None, ceiling=None, better="higher"):
        self.rows.append((workload, figure, chatapp, nchan, ceiling, better))
        print(f"  {workload} · {figure}: chatapp={fmt(chatapp)} nchan={fmt(nchan)} ceiling={fmt(ceiling)}",
              flush=True)

    def markdown(self):
        lines = ["| workload | figure | ChatApp | nchan | ChatApp/nchan | ceiling | ChatApp/ceiling |",
                 "|---|---|---:|---:|---:|---:|---:|"]
        for workload, figure, chatapp, nchan, ceiling, better in self.rows:
            lines.append(f"| {workload} | {figure} | {fmt(chatapp)} | {fmt(nchan)} | {ratio(chatapp, nchan)} | "
                         f"{fmt(ceiling)} | {ratio(chatapp, ceiling)} |")
        return "\n".join(lines)


def fmt(value):
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 100:
        return f"{int(value):,}"
    return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"


def ratio(a, b):
    if a is None or b is None or isinstance(a, str) or isinstance(b, str) or not b:
        return "–"
    return f"{a / b:.2f}"


def integrity(result):
    return f"{result.get('lost', '?')}/{result.get('duplicated', '?')}/{result.get('reordered', '?')}"


def per_mille_us(result, key="deliveries"):
    count = result.get(key) or 0
    return result["server_cpu_s"] * 1e6 / count if count else None


def workload_send_rate(peers, table, p):
    form = "author=bench&text=" + "x" * 100
    for name, start, urls in (("chatapp", peers.start_chatapp, chatapp_urls), ("nchan", peers.start_nchan, nchan_urls)):
        server = start()
        try:
            u = urls(server.port)
            result = run_bench(peers, server, ["--publish", u["publish"], "--publish-format", u["publish_format"],
                                               "--rooms", "1", "--senders", "64", "--rate", "0",
                                               "--duration", str(p["seconds"]), "--threads", "1"], p["seconds"] + 20)
            p[name + "_send"] = result
        finally:
            server.stop()
    table.add("1 send rate, 64 senders, 1 room", "acknowledged sends/s (chatapp-bench)",
              p["chatapp_send"]["send_rate"], p["nchan_send"]["send_rate"])
    table.add("1 send rate, 64 senders, 1 room", "server CPU µs per send",
              per_mille_us(p["chatapp_send"], "sends_acked"), per_mille_us(p["nchan_send"], "sends_acked"))

    rates = {}
    server = peers.start_chatapp()
    try:
        rates["chatapp"], _ = run_wrk(f"http://127.0.0.1:{server.port}/api/v1/rooms/bench0/messages", p["seconds"],
                                      body=form, content_type="application/x-www-form-urlencoded")
    finally:
        server.stop()
    server = peers.start_nchan()
    try:
        rates["nchan"], _ = run_wrk(f"http://127.0.0.1:{server.port}/pub?id=bench0", p["seconds"],
                                    body="x" * 100, content_type="text/plain")
        rates["nginx_ok"], _ = run_wrk(f"http://127.0.0.1:{server.port}/ok", p["seconds"])
    finally:
        server.stop()
    server = peers.start_ceiling()
    try:
        rates["ceiling_post"], _ = run_wrk(f"http://127.0.0.1:{server.port}/echo", p["seconds"],
                                           body=form, content_type="application/x-www-form-urlencoded")
        rates["ceiling_get"], _ = run_wrk(f"http://127.0.0.1:{server.port}/", p["seconds"])
    finally:
        server.stop()
    table.add("6 ceiling (wrk, 64 conns)", "POST requests/s: send vs publish vs echo",
              rates["chatapp"], rates["nchan"], rates["ceiling_post"])
    table.add("6 ceiling (wrk, 64 conns)", "GET requests/s: nginx return 200 vs QHttpServer route",
              None, rates["nginx_ok"], rates["ceiling_get"])

    if p.get("both_cores"):
        server = peers.start_chatapp(cpu=None)
        try:
            result = run_bench(peers, server, ["--publish", chatapp_urls(server.port)["publish"],
                                               "--publish-format", "form", "--senders", "64", "--rate", "0",
                                               "--duration", str(p["seconds"]), "--threads", "1"], p["seconds"] + 20)
        finally:
            server.stop()
        table.add("1 send rate, 64 senders, 1 room", "acknowledged sends/s, ChatApp unpinned (2 cores shared)",
                  result["send_rate"])


def run_pair(peers, options_for, seconds):
    results = {}
    for name, start, urls in (("chatapp", peers.start_chatapp, chatapp_urls), ("nchan", peers.start_nchan, nchan_urls)):
        server = start()
        try:
            results[name] = run_bench(peers, server, options_for(urls(server.port)), seconds)
        finally:
            server.stop()
    return results


def report_delivery(table, label, results):
    c, n = results["chatapp"], results["nchan"]
    table.add(label, "deliveries/s", c["delivery_rate"], n["delivery_rate"])
    table.add(label, "p50 latency µs", c["latency_us"]["p50"], n["latency_us"]["p50"], better="lower")
    table.add(label, "p99 latency µs", c["latency_us"]["p99"], n["latency_us"]["p99"], better="lower")
    table.add(label, "server CPU µs per delivery", per_mille_us(c), per_mille_us(n), better="lower")
    table.add(label, "lost/duplicated/reordered", integrity(c), integrity(n))


def workload_fanout(peers, table, p):
    for subscribers, rates in p["fanout"]:
        for rate in rates:
            results = run_pair(peers, lambda u: [
                "--publish", u["publish"], "--publish-format", u["publish_format"],
                "--subscribe", u["sse"], "--subscribe-mode", "sse", "--rooms", "1", "--senders", "8",
                "--subscribers-per-room", str(subscribers), "--rate", str(rate),
                "--duration", str(p["seconds"]),
                "--source-addresses", "4", "--threads", "1"], p["seconds"] + 90)
            report_delivery(table, f"2 fan-out, 1 room × {subscribers:,} SSE, {rate:,} msg/s", results)


def workload_many_rooms(peers, table, p):
    rooms, per_room, rate = p["many_rooms"]
    results = run_pair(peers, lambda u: [
        "--publish", u["publish"], "--publish-format", u["publish_format"],
        "--subscribe", u["sse"], "--subscribe-mode", "sse", "--rooms", str(rooms), "--senders", "16",
        "--subscribers-per-room", str(per_room), "--rate", str(rate), "--duration", str(p["seconds"]),
        "--source-addresses", "4", "--threads", "1"], p["seconds"] + 90)
    report_delivery(table, f"3 many rooms, {rooms:,} × {per_room} SSE, {rate:,} msg/s", results)


def workload_idle(peers, table, p):
    for subscribers in p["idle"]:
        results = run_pair(peers, lambda u: [
            "--subscribe", u["sse"], "--subscribe-mode", "sse", "--rooms", "100",
            "--subscribers-per-room", str(subscribers // 100), "--idle", "--duration", "2",
            "--source-addresses", "4", "--threads", "1"], 120)
        c, n = results["chatapp"], results["nchan"]
        label = f"4 idle, {subscribers:,} SSE subscribers"
        table.add(label, "connected", c.get("subscribers_connected"), n.get("subscribers_connected"))
        table.add(label, "server memory per subscriber, bytes", c["idle"]["bytes_per_subscriber"],
                  n["idle"]["bytes_per_subscriber"], better="lower")


def workload_longpoll(peers, table, p):
    subscribers, rate = p["longpoll"]
    results = run_pair(peers, lambda u: [
        "--publish", u["publish"], "--publish-format", u["publish_format"],
        "--subscribe", u["longpoll"], "--subscribe-mode", u["longpoll_mode"], "--rooms", "1", "--senders", "4",
        "--subscribers-per-room", str(subscribers), "--rate", str(rate), "--duration", str(p["seconds"]),
        "--source-addresses", "4", "--threads", "1"], p["seconds"] + 90)
    report_delivery(table, f"5 long-poll, 1 room × {subscribers:,}, {rate:,} msg/s", results)


def workload_lab_polling(peers, table, p):
    clients = p["lab_clients"]
    figures = {}
    for mode, extra in (("poll every 1 s", ["--subscribe-mode", "poll-chatapp", "--poll-interval", "1000"]),
                        ("long poll", ["--subscribe-mode", "longpoll-chatapp"])):
        server = peers.start_chatapp()
        try:
            u = chatapp_urls(server.port)
            figures[mode] = run_bench(peers, server, [
                "--publish", u["publish"], "--publish-format", "form", "--subscribe", u["longpoll"],
                "--rooms", "1", "--senders", "1", "--subscribers-per-room", str(clients), "--rate", "1",
                "--duration", str(p["seconds"]), "--threads", "1"] + extra,
                p["seconds"] + 60)
        finally:
            server.stop()
    for mode, result in figures.items():
        label = f"7 the lab's polling, {clients:,} clients, 1 msg/s: {mode}"
        table.add(label, "server CPU s", result["server_cpu_s"])
        table.add(label, "p50 latency µs", result["latency_us"]["p50"])
        table.add(label, "GET requests/s", result.get("requests_rate"))


QUICK = {"seconds": 3, "fanout": [(1000, [500])], "many_rooms": (200, 5, 500), "idle": [2000],
         "longpoll": (500, 100), "lab_clients": 200, "both_cores": False}
FULL = {"seconds": 10, "fanout": [(1000, [500, 1000, 2000, 4000]), (10000, [100, 200])],
        "many_rooms": (1000, 10, 1000), "idle": [10000, 19000], "longpoll": (1000, 200), "lab_clients": 1000,
        "both_cores": True}


def machine():
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} cores, {model}"


def commit():
    try:
        return subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        return "unknown"


def write_report(path, table, mode, elapsed):
    history = ""
    if path.exists():
        text = path.read_text()
        # The analysis and the history are written by people; only the table is regenerated.
        for marker in ("\n## Where ChatApp stands", "\n## History of improvements"):
            if marker in text:
                history = text[text.index(marker):]
                break
    header = (f"# Benchmarks\n\nLatest `make {'bench-quick' if mode == 'quick' else 'bench'}`: "
              f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit `{commit()}`, "
              f"{machine()}, {elapsed:.0f} s. Server on core {SERVER_CPU}, load generator on core {LOAD_CPU}, "
              "nginx with one worker. Ratios compare figures from this same run; the machine is shared, "
              "so compare ratios, not absolute numbers, across runs. How each workload is run: "
              "[bench/README.md](../bench/README.md); the figures' meaning: below the table.\n\n")
    legend = ("\n\nlost/duplicated/reordered counts, over every subscriber, acknowledged messages it never got, "
              "got twice, or got out of order; every one must be 0. Latency is from just before the send to "
              "the subscriber parsing it. Server CPU is user+system time of the server process from /proc.\n")
    path.write_text(header + table.markdown() + legend + (history or "\n## History of improvements\n"))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--build-dir", default=str(ROOT / "build"))
    parser.add_argument("--report", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--only", help="comma-separated workload numbers, e.g. 1,2")
    args = parser.parse_args()
    build_dir = Path(args.build_dir)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="chatapp-bench-") as scratch:
        peers = Peers(build_dir, scratch)
        params = dict(QUICK if args.quick else FULL)
        table = Table()
        workloads = {"1": workload_send_rate, "2": workload_fanout, "3": workload_many_rooms,
                     "4": workload_idle, "5": workload_longpoll, "7": workload_lab_polling}
        chosen = args.only.split(",") if args.only else list(workloads)
        for key in chosen:
            print(f"workload {key}: {workloads[key].__name__}", flush=True)
            try:
                workloads[key](peers, table, params)
            except Exception as error:  # one broken workload must not hide the others' figures
                table.add(f"{key} {workloads[key].__name__}", "FAILED", str(error)[:120])
    print()
    print(table.markdown())
    write_report(Path(args.report), table, "quick" if args.quick else "full", time.monotonic() - started)
    print(f"\nwritten to {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
