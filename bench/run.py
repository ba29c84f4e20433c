#!/usr/bin/env python3
"""`make bench` and `make bench-quick`: ChatApp against nginx's nchan and against the
bare QHttpServer ceiling, on this machine, in one run, with the same load for each.

On a 2-core box the server gets core 0 and the load generator core 1 (taskset), and
nginx runs one worker. Every server is started fresh for each workload, on loopback,
and stopped afterwards; every load run ends by itself. Prints the tables and writes
them, with the date, the commit and the machine, to docs/benchmarks.md. The sections
written by people (from "## Where ChatApp stands" on) are kept, and so are the tables
of workloads that --only left out."""

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import socket
import statistics
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
        # Copies, so that a rebuild during the run (a shared machine) neither breaks a
        # server start half-way nor measures two versions in one report.
        binaries = Path(scratch) / "bin"
        binaries.mkdir()
        self.chatapp = self.private_copy(build_dir / "chatapp", binaries)
        self.bench = self.private_copy(build_dir / "bench" / "chatapp-bench", binaries)
        self.ceiling = self.private_copy(build_dir / "bench" / "ceiling" / "chatapp-ceiling", binaries)
        self.floor = self.private_copy(build_dir / "bench" / "chatapp-floor", binaries)
        self.window = self.private_copy(build_dir / "bench" / "chatapp-window-bench", binaries)

    @staticmethod
    def private_copy(binary, folder):
        if not binary.exists():
            return binary
        return Path(shutil.copy2(binary, folder / binary.name))

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
    """The table of workloads 1-7: one row per figure, ChatApp beside its peers."""

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


class Grid:
    """A table with columns of its own (the flood, fixed-load and fan-out tables)."""

    def __init__(self, columns, left, legend, title=""):
        self.columns, self.left, self.legend, self.title, self.rows = columns, left, legend, title, []

    def add(self, *cells):
        cells = [fmt(cell) if not isinstance(cell, str) else cell for cell in cells]
        self.rows.append(cells)
        print("  " + " · ".join(f"{c}={v}" for c, v in zip(self.columns, cells)), flush=True)

    def markdown(self):
        lines = ["| " + " | ".join(self.columns) + " |",
                 "|" + "|".join("---" if i < self.left else "---:" for i in range(len(self.columns))) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


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
    for subscribers, rate in p["longpoll"]:
        results = run_pair(peers, lambda u: [
            "--publish", u["publish"], "--publish-format", u["publish_format"],
            "--subscribe", u["longpoll"], "--subscribe-mode", u["longpoll_mode"], "--rooms", "1", "--senders", "4",
            "--subscribers-per-room", str(subscribers), "--rate", str(rate), "--duration", str(p["seconds"]),
            "--source-addresses", "4", "--threads", "1"], p["seconds"] + 90)
        label = f"5 long-poll, 1 room × {subscribers:,}, {rate:,} msg/s"
        report_delivery(table, label, results)
        # A poll's answer carries every message since its cursor, so a server that falls
        # behind delivers more per answer and looks cheaper per delivery; per answer, it does not.
        table.add(label, "server CPU µs per answered poll", per_mille_us(results["chatapp"], "subscriber_requests"),
                  per_mille_us(results["nchan"], "subscriber_requests"), better="lower")


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


def flood_table():
    return Grid(["server", "subscribers", "accepted (2xx)", "accepted/s", "delivered per subscriber, min–max",
                 "lost", "lost: skipped", "lost: not reached when the drain ended", "duplicated", "reordered",
                 "resumes (max per subscriber)", "p99 latency µs"], 2,
                "Every sender posts its next message as soon as the last is answered; what the server answered 2xx "
                "is *accepted*. Each subscriber must get every accepted message of the room once, in order: "
                "*skipped* are accepted messages older than one the subscriber did get (the stream jumped over "
                "them), *not reached* are accepted messages newer than anything it got before the drain ended "
                "(a subscriber that is merely behind; it would still get them). *Resumes* are reconnections, "
                "each continuing from the last message seen (`Last-Event-ID`, the long poll's cursor).")


def workload_flood(peers, tables, p):
    senders, per_kind, seconds, drain = p["flood"]
    label = {"chatapp": "ChatApp", "nchan": "nchan"}
    results = run_pair(peers, lambda u: [
        "--flood", "--publish", u["publish"], "--publish-format", u["publish_format"],
        "--subscribe", u["sse"], "--subscribe-mode", "sse",
        "--also-subscribe", u["longpoll"], "--also-subscribe-mode", u["longpoll_mode"],
        "--rooms", "1", "--senders", str(senders), "--subscribers-per-room", str(per_kind),
        "--duration", str(seconds), "--drain", str(drain), "--threads", "1"], seconds + drain + 60)
    table = tables.setdefault("flood", flood_table())
    table.title = (f"{senders} senders in a closed loop, {per_kind} SSE and {per_kind} long-poll subscribers in one "
                   f"room, {seconds} s of sending, then a drain of at most {drain} s")
    for name in ("chatapp", "nchan"):
        result = results[name]
        for group in result["groups"]:
            kind = "SSE" if group["mode"] == "sse" else "long poll"
            spread = group["per_subscriber"]
            table.add(label[name], f"{group['connected']} {kind}", result["sends_acked"], result["send_rate"],
                      f"{spread['deliveries']['min']:,}–{spread['deliveries']['max']:,}",
                      f"{group['lost']:,} ({100.0 * group['lost'] / max(1, group['expected_deliveries']):.1f} %)",
                      group["lost_skipped"], group["lost_behind"], group["duplicated"], group["reordered"],
                      f"{group['resumes']:,} ({spread['resumes']['max']})", group["latency_us"]["p99"])


def fixed_load_table():
    return Grid(["subscribers × msg/s", "subscribers", "figure", "ChatApp", "nchan", "ChatApp/nchan", "target",
                 "met"], 3,
                "The same offered load for both servers, paced, with enough senders that a publish answered "
                "within 0.1 s keeps up. CPU is user+system time of the server process (nginx's worker) from "
                "/proc over the send phase and the drain, divided by the deliveries; latency is from just "
                "before the send to the subscriber parsing the message. `make bench` runs each load twice, "
                "ChatApp and nchan alternately: a cell gives the median and, in brackets, the range; the ratio "
                "is of the medians. *messages/s acknowledged* below the offered rate means the server did not "
                "take the whole load, and its latency includes the wait. *load generator CPU* is what reading "
                "the deliveries cost on the other core; it differs between servers, since fewer and larger "
                "reads cost less. *delivered* is the share of the expected deliveries made before the drain "
                "ended, per run. Targets (issue 7): at 1,000 and 5,000 "
                "subscribers, CPU per SSE delivery ≤ 0.75 × nchan's and p99 ≤ 0.5 × nchan's.")


def workload_window(peers, tables, p):
    """The chat window's GUI thread, offscreen: CPU for one send (its pending row, then
    the stored message in its place, each laid out and painted) in a room of 5,000
    messages, beside the old window's whole-room re-render of the same room (done about
    four times per send then; counted once here)."""
    table = tables.setdefault("window", Grid(
        ["figure", "ChatApp's window", "whole-room re-render (the window before issue 14)", "ratio", "target", "met"],
        1, "`chatapp-window-bench 5000`: MessageModel and MessageListView as the window has them, 720×520, "
        "QT_QPA_PLATFORM=offscreen, CPU time of the GUI thread (CLOCK_THREAD_CPUTIME_ID); median and 90th "
        "percentile of the repeats. The peer turns the same room into HTML and gives it to a QTextBrowser, as "
        "MessageRenderer and MessageView did."))
    runs = []
    for _ in range(p.get("window_repeats", 3)):
        result = subprocess.run(pinned(SERVER_CPU, [str(peers.window), "5000", "40"]), capture_output=True,
                                text=True, timeout=300, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
        lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
        if result.returncode != 0 or not lines:
            raise RuntimeError(f"chatapp-window-bench failed: {result.stderr.strip()[-400:]}")
        runs.append(json.loads(lines[-1]))
    (send, send_cell), (peer, peer_cell) = (spread([r["send_cpu_ms_median"] for r in runs]),
                                            spread([r["whole_room_render_cpu_ms_median"] for r in runs]))
    table.add("CPU ms for one send, median", send_cell, peer_cell, ratio(send, peer), "< 5 ms", met(send, 5.0))
    (send90, send90_cell), (peer90, peer90_cell) = (spread([r["send_cpu_ms_p90"] for r in runs]),
                                                    spread([r["whole_room_render_cpu_ms_p90"] for r in runs]))
    table.add("CPU ms for one send, 90th percentile", send90_cell, peer90_cell, ratio(send90, peer90), "–", "–")


def met(value, limit):
    if value is None or limit is None:
        return "–"
    return "yes" if value <= limit else f"no ({value / limit:.1f}× the target)"


def fixed_load_senders(rate):
    """Enough senders that a server answering a publish within 0.1 s gets the whole
    offered rate (nchan answers only once it has written to every subscriber)."""
    return max(8, min(128, rate // 10))


def spread(values, digits=None):
    """The median, and with several runs the range, as one cell."""
    values = [v for v in values if v is not None]
    if not values:
        return None, "–"
    middle = statistics.median(values)
    if len(values) == 1:
        return middle, fmt(middle)
    return middle, f"{fmt(middle)} ({fmt(min(values))}–{fmt(max(values))})"


def workload_fixed_load(peers, tables, p):
    table = tables.setdefault("fixed", fixed_load_table())
    for subscribers, rate in p["fixed"]:
        targeted = subscribers >= 1000
        for kind in ("sse", "longpoll"):
            runs = {"chatapp": [], "nchan": []}
            for _ in range(p["fixed_repeats"]):  # alternately, so that both see the same noise
                results = run_pair(peers, lambda u: [
                    "--publish", u["publish"], "--publish-format", u["publish_format"],
                    "--subscribe", u[kind], "--subscribe-mode", "sse" if kind == "sse" else u["longpoll_mode"],
                    "--rooms", "1", "--senders", str(fixed_load_senders(rate)),
                    "--subscribers-per-room", str(subscribers), "--rate", str(rate),
                    "--duration", str(p["fixed_seconds"]), "--drain", str(p["fixed_drain"]),
                    "--source-addresses", "4", "--threads", "1"], p["fixed_seconds"] + 90)
                for name in runs:
                    runs[name].append(results[name])
            c, n = runs["chatapp"], runs["nchan"]
            load = f"{subscribers:,} × {rate:,}"
            who = "SSE" if kind == "sse" else "long poll"
            sse_target = targeted and kind == "sse"

            def row(figure, pick, target=None, show_ratio=True):
                (mc, tc), (mn, tn) = spread([pick(r) for r in c]), spread([pick(r) for r in n])
                value = mc / mn if mc is not None and mn else None
                table.add(load, who, figure, tc, tn, ratio(mc, mn) if show_ratio else "–",
                          f"≤ {target}" if target and sse_target else "–",
                          met(value, target) if target and sse_target else "–")

            row("server CPU µs per delivery", per_mille_us, 0.75)
            row("p50 latency µs", lambda r: r["latency_us"]["p50"])
            row("p99 latency µs", lambda r: r["latency_us"]["p99"], 0.5)
            row(f"messages/s acknowledged (offered {rate:,})", lambda r: r["send_rate"], show_ratio=False)
            row("load generator CPU µs per delivery", lambda r: r["bench_cpu_us_per_delivery"], show_ratio=False)
            table.add(load, who, "delivered; lost/duplicated/reordered",
                      "; ".join(f"{delivered_share(r)}, {integrity(r)}" for r in c),
                      "; ".join(f"{delivered_share(r)}, {integrity(r)}" for r in n), "–", "–", "–")


def one_sender_table():
    return Grid(["senders", "figure", "ChatApp", "nchan", "ChatApp/nchan", "target", "met"], 2,
                "One room, every subscriber on SSE, 1,000 messages/s offered by ONE publisher connection (and a "
                "row with four), each with one request in flight: a sender gets its next message out only once "
                "the last is answered, so a server whose answer waits behind the fan-out of the previous message "
                "takes less than is offered. CPU is the server process's (nginx's worker) user+system time over "
                "the send phase and the drain, per delivery. ChatApp and nchan run alternately; a cell gives the "
                "median and, with several runs, the range. Targets (issue 17): one sender, deliveries/s ≥ 1.33 × "
                "nchan's, CPU per delivery ≤ 0.75 ×, p99 ≤ 1 ×; four senders, deliveries/s ≥ 3 ×.")


def workload_one_sender(peers, tables, p):
    """A chat's real load: one message at a time to everyone in the room."""
    subscribers, rate, senders_list, seconds, drain, repeats = p["one_sender"]
    table = tables.setdefault("one_sender", one_sender_table())
    table.title = (f"1 room × {subscribers:,} SSE subscribers, {rate:,} msg/s offered, {seconds} s of sending, "
                   f"drain ≤ {drain} s, {repeats} run(s) per server")
    for senders in senders_list:
        runs = {"chatapp": [], "nchan": []}
        for _ in range(repeats):  # alternately, so that both see the same noise
            results = run_pair(peers, lambda u: [
                "--publish", u["publish"], "--publish-format", u["publish_format"],
                "--subscribe", u["sse"], "--subscribe-mode", "sse", "--rooms", "1",
                "--senders", str(senders), "--subscribers-per-room", str(subscribers), "--rate", str(rate),
                "--duration", str(seconds), "--drain", str(drain),
                "--source-addresses", "4", "--threads", "1"], seconds + drain + 90)
            for name in runs:
                runs[name].append(results[name])
        c, n = runs["chatapp"], runs["nchan"]

        def row(figure, pick, target=None, higher=False, show_ratio=True):
            (mc, tc), (mn, tn) = spread([pick(r) for r in c]), spread([pick(r) for r in n])
            value = mc / mn if mc is not None and mn else None
            if target is None:
                aim, verdict = "–", "–"
            elif higher:
                aim = f"≥ {target}"
                verdict = "–" if value is None else ("yes" if value >= target else f"no ({value:.2f}×)")
            else:
                aim, verdict = f"≤ {target}", met(value, target)
            table.add(senders, figure, tc, tn, ratio(mc, mn) if show_ratio else "–", aim, verdict)

        one = senders == 1
        row("deliveries/s", lambda r: r["delivery_rate"], 1.33 if one else 3, higher=True)
        row("messages/s acknowledged", lambda r: r["send_rate"])
        row("p50 latency µs", lambda r: r["latency_us"]["p50"])
        row("p99 latency µs", lambda r: r["latency_us"]["p99"], 1 if one else None)
        row("server CPU µs per delivery", per_mille_us, 0.75 if one else None)
        row("load generator CPU µs per delivery", lambda r: r["bench_cpu_us_per_delivery"], show_ratio=False)
        table.add(senders, "delivered; lost/duplicated/reordered",
                  "; ".join(f"{delivered_share(r)}, {integrity(r)}" for r in c),
                  "; ".join(f"{delivered_share(r)}, {integrity(r)}" for r in n), "–", "–", "–")


def delivered_share(result):
    expected = result.get("expected_deliveries") or 0
    return f"{100.0 * result['deliveries'] / expected:.1f} %" if expected else "–"


def run_fanout_once(peers, server, urls, subscribers, processes, scratch):
    """Subscribers spread over several bench processes (one process may open only
    20,000 files here); once all are connected, the last process publishes one message.
    Each process reports, in CLOCK_MONOTONIC, when its last subscriber got it."""
    work = Path(tempfile.mkdtemp(prefix="fanout-", dir=scratch))
    go = work / "go"
    prefix = f"once{int(time.monotonic() * 1000) % 1000000}"
    running = []
    for k in range(processes):
        options = ["--fanout-once", "--subscribe", urls["sse"], "--subscribe-mode", "sse",
                   "--subscribers-per-room", str(subscribers // processes), "--room-prefix", prefix,
                   "--source-addresses", "8", "--ready-file", str(work / f"ready{k}"), "--go-file", str(go),
                   "--duration", "20", "--max-seconds", "150", "--json", "--quiet", "--threads", "1"]
        if k == processes - 1:
            options += ["--publish", urls["publish"], "--publish-format", urls["publish_format"], "--senders", "1",
                        "--server-pid", str(server.pid)]
        out = open(work / f"out{k}", "w")
        running.append((subprocess.Popen(pinned(LOAD_CPU, [str(peers.bench)] + options), stdout=out,
                                         stderr=subprocess.DEVNULL), out))
    try:
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and not all((work / f"ready{k}").exists() for k in range(processes)):
            if any(proc.poll() is not None for proc, _ in running):
                break
            time.sleep(0.05)
        go.touch()
        for proc, out in running:
            proc.wait(timeout=200)
            out.close()
    finally:
        for proc, out in running:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    results = []
    for k in range(processes):
        lines = [line for line in (work / f"out{k}").read_text().splitlines() if line.startswith("{")]
        if not lines:
            raise RuntimeError(f"fan-out process {k} printed no result")
        results.append(json.loads(lines[-1]))
    sent = results[-1]["fanout_once"]["sent_ns"]
    reached = sum(r["fanout_once"]["reached"] for r in results)
    last = max(r["fanout_once"]["last_ns"] for r in results)
    first = min((r["fanout_once"]["first_ns"] for r in results if r["fanout_once"]["first_ns"]), default=0)
    return {"connected": sum(r["subscribers_connected"] for r in results),
            "reached": reached,
            "last_s": (last - sent) / 1e9 if sent and last else None,
            "first_ms": (first - sent) / 1e6 if sent and first else None,
            "acked_ms": (results[-1]["fanout_once"]["acked_ns"] - sent) / 1e6
            if results[-1]["fanout_once"]["acked_ns"] else None,
            "server_cpu_us": results[-1]["server_cpu_s"] * 1e6 / reached if results[-1].get("server_cpu_s") and reached
            else None,
            "bench_cpu_us": sum(r["bench_cpu_s"] for r in results) * 1e6 / reached if reached else None}


def run_floor(peers, subscribers):
    """The kernel's part of one message to many idle readers: chatapp-floor writes it
    with one write() per connection in a bare loop (writer on the server core, reader
    on the load core)."""
    cpus = [SERVER_CPU, LOAD_CPU] if os.cpu_count() and os.cpu_count() >= 2 else []
    result = subprocess.run([str(peers.floor), str(subscribers)] + cpus, capture_output=True, text=True,
                            timeout=120)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"chatapp-floor failed: {result.stderr.strip()[-400:]}")
    return json.loads(lines[-1])


def workload_fanout_once(peers, tables, p):
    subscribers, processes = p["fanout_once"]
    table = tables.setdefault("fanout_once", Grid(
        ["figure", "ChatApp", "nchan", "ChatApp/nchan", "target", "met"], 1,
        f"{subscribers:,} SSE subscribers in one room, connected and idle, spread over {processes} load-generator "
        "processes (a process may open at most 20,000 files here), all on the load core. Once all are "
        "connected, one message is published; the time is from just before the send to the moment the last "
        "subscriber parsed it (CLOCK_MONOTONIC, shared by the processes). It includes the load generator's "
        "own reading, overlapped with the server's writing: its CPU per subscriber is shown, beside the "
        "server's over the same time. The kernel's floor is chatapp-floor: the same number of loopback "
        "connections, and one write() of 250 bytes to each in a bare loop, no HTTP, no event loop; no "
        "server with one writing thread can be faster on this machine."))
    results = {}
    for name, start, urls in (("chatapp", peers.start_chatapp, chatapp_urls), ("nchan", peers.start_nchan, nchan_urls)):
        server = start()
        try:
            results[name] = run_fanout_once(peers, server, urls(server.port), subscribers, processes, peers.scratch)
        finally:
            server.stop()
    floors = [run_floor(peers, subscribers)["last_s"] for _ in range(3)]
    floor = statistics.median(floors)
    c, n = results["chatapp"], results["nchan"]
    target = 0.15 if subscribers >= 19000 else None
    table.add(f"one message to {subscribers:,} idle subscribers: the last one reached, s", c["last_s"], n["last_s"],
              ratio(c["last_s"], n["last_s"]), "≤ 0.15 s" if target else "–", met(c["last_s"], target))
    table.add("the kernel's floor, a bare write() loop (chatapp-floor, median of 3), s", floor, floor, "–",
              "≤ 0.15 s" if target else "–", met(floor, target))
    table.add("the last one reached ÷ the kernel's floor", ratio(c["last_s"], floor), ratio(n["last_s"], floor),
              "–", "–", "–")
    table.add("the first one reached, ms", c["first_ms"], n["first_ms"], ratio(c["first_ms"], n["first_ms"]), "–", "–")
    table.add("the send acknowledged, ms", c["acked_ms"], n["acked_ms"], "–", "–", "–")
    table.add("server CPU µs per subscriber reached", c["server_cpu_us"], n["server_cpu_us"],
              ratio(c["server_cpu_us"], n["server_cpu_us"]), "–", "–")
    table.add("load generator CPU µs per subscriber reached", c["bench_cpu_us"], n["bench_cpu_us"], "–", "–", "–")
    table.add("subscribers connected / reached", f"{c['connected']:,} / {c['reached']:,}",
              f"{n['connected']:,} / {n['reached']:,}", "–", "–", "–")


# flood: (senders, SSE subscribers = long-poll subscribers, seconds, longest drain);
# fixed: (subscribers, msg/s); fanout_once: (subscribers, load-generator processes);
# cluster_*: issue 16's workloads 13-16, each comparison alternated cluster_repeats times;
# cross_node: (rooms, SSE subscribers per room on each node, msg/s);
# failover: (rooms, SSE subscribers, sends/s, seconds before the kill, seconds after it).
QUICK = {"seconds": 3, "fanout": [(1000, [500])], "many_rooms": (200, 5, 500), "idle": [2000],
         "longpoll": [(500, 100), (1000, 20)], "lab_clients": 200, "both_cores": False,
         "flood": (32, 2, 2, 2), "fixed": [(1000, 100)], "fixed_seconds": 2, "fixed_drain": 2,
         "fixed_repeats": 1,
         "fanout_once": (2000, 2), "one_sender": (1000, 1000, [1, 4], 3, 3, 1),
         "cluster_seconds": 3, "cluster_repeats": 1, "cross_node": (10, 5, 1000), "failover": (6, 30, 200, 2, 4)}
FULL = {"seconds": 10, "fanout": [(1000, [500, 1000, 2000, 4000]), (10000, [100, 200])],
        "many_rooms": (1000, 10, 1000), "idle": [10000, 19000], "longpoll": [(1000, 200), (10000, 10), (1000, 20)], "lab_clients": 1000,
        "both_cores": True,
        "flood": (64, 5, 10, 30), "fixed": [(100, 1000), (1000, 100), (5000, 20)], "fixed_seconds": 8,
        "fixed_drain": 5, "fixed_repeats": 2,
        "fanout_once": (19000, 2), "one_sender": (1000, 1000, [1, 4], 10, 5, 2),
        "cluster_seconds": 10, "cluster_repeats": 2, "cross_node": (10, 10, 1000), "failover": (6, 60, 300, 3, 6)}


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


SECTIONS = (  # (key, heading, workloads that fill it), in the order they appear in the report
    ("flood", "## Flood: what each server accepted, and what reached each subscriber", {"8"}),
    ("fixed", "## Fixed load: server CPU per delivery, and latency", {"9"}),
    ("fanout_once", "## One message to many idle subscribers", {"10"}),
    ("main", "## Throughput, latency and memory by workload", {"1", "2", "3", "4", "5", "7"}),
    ("window", "## The window: one send in a long room", {"11"}),
    ("one_sender", "## One sender to a room of 1,000 readers", {"12"}),
    # Issue 16, bench/cluster_workloads.py: a section each, so that one can be measured again alone.
    ("pg_vs_sqlite", "## Issue 16: one node on PostgreSQL against one on SQLite", {"13"}),
    ("three_nodes", "## Issue 16: three nodes against one", {"14"}),
    ("cross_node", "## Issue 16: delivery across nodes", {"15"}),
    ("failover", "## Issue 16: a node killed behind nginx", {"16"}),
)
HAND_WRITTEN = ("\n## Where ChatApp stands", "\n## History of improvements")


def stamp(how, elapsed):
    return (f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit `{commit()}`, "
            f"`{how}`, {elapsed:.0f} s")


def old_sections(text):
    """The generated sections of the report as it is, by heading, to keep the ones
    that this run did not measure."""
    found = {}
    for key, heading, _ in SECTIONS:
        at = text.find("\n" + heading + "\n")
        if at < 0:
            continue
        end = len(text)
        for marker in [h for _, h, _ in SECTIONS if h != heading] + [m.strip() for m in HAND_WRITTEN]:
            other = text.find("\n" + marker, at + 1)
            if other > at:
                end = min(end, other)
        found[key] = text[at + 1:end].rstrip() + "\n"
    legacy = re.search(r"Latest `make [^`]*`: ([^\n]*?), \d+ cores[^\n]*?, (\d+) s\.", text)
    if "main" not in found and legacy and "| workload | figure |" in text:
        # A report from before the sections: its one table is the "main" section.
        start = text.index("| workload | figure |")
        end = min([text.index(m) for m in HAND_WRITTEN if m in text] or [len(text)])
        found["main"] = (f"{SECTIONS[-1][1]}\n\n_{legacy.group(1)}, `make bench`, {legacy.group(2)} s._\n\n"
                         + text[start:end].rstrip() + "\n")
    return found


def section_of(workload):
    return next(key for key, _, workloads in SECTIONS if workload in workloads)


def write_report(path, tables, failures, ran, how, elapsed, load):
    history, previous = "", {}
    if path.exists():
        text = path.read_text()
        previous = old_sections(text)
        # The analysis and the history are written by people; only the tables are regenerated.
        for marker in HAND_WRITTEN:
            if marker in text:
                history = text[text.index(marker):]
                break
    header = ("# Benchmarks\n\n"
              f"Written by bench/run.py on {machine()}. Server on core {SERVER_CPU}, load generator on core "
              f"{LOAD_CPU}, nginx with one worker. Each section says when it was measured and how loaded the "
              "machine was; the machine is shared, so compare ratios from one run, not absolute numbers across "
              "runs. How each workload is run: [bench/README.md](../bench/README.md).\n")
    body = ""
    for key, heading, workloads in SECTIONS:
        table = tables.get(key)
        if workloads & ran and (table is not None and table.rows or key in failures):
            body += f"\n{heading}\n\n_{stamp(how, elapsed)}; load average before the run {load}._\n\n"
            if isinstance(table, Grid):
                body += (f"{table.title}.\n\n" if table.title else "") + f"{table.markdown()}\n\n{table.legend}\n"
            elif table is not None and table.rows:
                body += table.markdown() + MAIN_LEGEND
            body += "".join(f"\n**{line}**\n" for line in failures.get(key, []))
        elif key in previous:
            body += "\n" + previous[key]
    path.write_text(header + body + (history or "\n## History of improvements\n"))


MAIN_LEGEND = ("\n\nlost/duplicated/reordered counts, over every subscriber, acknowledged messages it never got, "
               "got twice, or got out of order; every one must be 0. Latency is from just before the send to "
               "the subscriber parsing it. Server CPU is user+system time of the server process from /proc.\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--build-dir", default=str(ROOT / "build"))
    parser.add_argument("--report", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--only", help="comma-separated workload numbers, e.g. 1,2 (8 flood, 9 fixed load, "
                                       "10 one message to many idle subscribers, 11 the window, 12 one sender to 1,000 SSE, "
                                       "13-16 issue 16's nodes on PostgreSQL)")
    args = parser.parse_args()
    build_dir = Path(args.build_dir)
    started = time.monotonic()
    load = " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    with tempfile.TemporaryDirectory(prefix="chatapp-bench-") as scratch:
        peers = Peers(build_dir, scratch)
        params = dict(QUICK if args.quick else FULL)
        table = Table()
        tables = {"main": table}
        failures = {}
        workloads = {"1": workload_send_rate, "2": workload_fanout, "3": workload_many_rooms,
                     "4": workload_idle, "5": workload_longpoll, "7": workload_lab_polling,
                     "8": workload_flood, "9": workload_fixed_load, "10": workload_fanout_once,
                     "11": workload_window, "12": workload_one_sender}
        # Imported here, not at the top, since it imports this file: as the same module,
        # or its tables would be of another Grid class than write_report knows.
        sys.modules.setdefault("run", sys.modules[__name__])
        import cluster_workloads
        workloads.update(cluster_workloads.WORKLOADS)
        chosen = args.only.split(",") if args.only else list(workloads)
        for key in chosen:
            print(f"workload {key}: {workloads[key].__name__} (at {time.monotonic() - started:.0f} s)", flush=True)
            try:
                if key not in ("1", "2", "3", "4", "5", "7"):
                    workloads[key](peers, tables, params)
                else:
                    workloads[key](peers, table, params)
            except Exception as error:  # one broken workload must not hide the others' figures
                failures.setdefault(section_of(key), []).append(f"workload {key} {workloads[key].__name__} "
                                                                f"FAILED: {str(error)[:300]}")
                print(failures[section_of(key)][-1], flush=True)
    for key, heading, _ in SECTIONS:
        if key in tables and tables[key].rows or key in failures:
            print(f"\n{heading}\n")
            print(tables[key].markdown() if key in tables else "")
            print("\n".join(failures.get(key, [])))
    if args.only:
        how = f"bench/run.py{' --quick' if args.quick else ''} --only {args.only}"
    else:
        how = "make bench-quick" if args.quick else "make bench"
    write_report(Path(args.report), tables, failures, set(chosen), how, time.monotonic() - started, load)
    print(f"\nwritten to {args.report} (load average before the run: {load}; now: "
          f"{' / '.join(Path('/proc/loadavg').read_text().split()[:3])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
