"""Several `chatapp --serve` nodes on one throwaway PostgreSQL, optionally behind nginx
with the shipped packaging/cluster/nginx.conf, for the issue 16 benchmarks in
bench/cluster_workloads.py. Everything listens on 127.0.0.1 and is stopped by PID.

    with TemporaryPostgres() as pg:
        cluster = Cluster(peers, pg, "db1", nodes=3)
        try:
            cluster.nodes[0].port, cluster.start_nginx()
        finally:
            cluster.stop()

CPU accounting: `cpu_seconds(pid)` is a process's user+system time from /proc, and
`postgres_cpu_seconds(pg)` the postmaster's and all its children's (each node's
backends, the WAL writer, the checkpointer), so that a send's cost can be split between
the nodes and the database."""

import os
import signal
import subprocess
import tempfile
from pathlib import Path

import run  # bench/run.py: Server, pinned, free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User+system CPU seconds of one process (all its threads), or 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def threads_cpu_seconds(pid):
    """CPU seconds of a process's threads by name: "main" for the event loop (the thread
    whose id is the process's), else the name Qt gave the thread (its QThread's
    objectName, cut to 15 characters: postgres-writer, postgres-reader, postgres-wakeup)."""
    found = {}
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue
        name = "main" if task.name == str(pid) else stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        found[name] = found.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return found


def children_of(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def postgres_cpu_seconds(pg):
    """The whole PostgreSQL server's CPU so far: the postmaster and its live children.
    A backend that exits between two readings takes its time with it, so read this
    while the nodes hold their connections open."""
    postmaster = pg.postmaster_pid
    return cpu_seconds(postmaster) + sum(cpu_seconds(child) for child in children_of(postmaster))


class Node(run.Server):
    """One `chatapp --serve` on the shared database, trusting a proxy on 127.0.0.1."""

    def __init__(self, peers, pg, database, cpu):
        data = tempfile.mkdtemp(prefix="chatapp-node-", dir=peers.scratch)
        super().__init__("chatapp", lambda port: [
            str(peers.chatapp), "--serve", "127.0.0.1", str(port), "--data-dir", data, "--quiet",
            "--send-rate", "1000000", "--send-burst", "1000000", "--max-connections", "19500",
            "--trusted-proxy", "127.0.0.1", "--store", pg.url_of(database), "--store-password-file",
            pg.password_file], cpu)

    def kill(self):
        """kill -9, as a machine that loses power: no answer, no goodbye."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()


class Nginx:
    """nginx in front of the nodes, configured by packaging/cluster/nginx.conf itself:
    only its listen address and upstream servers are replaced, and it is wrapped in a
    main context of its own (one worker, no daemon, every path in a scratch folder)."""

    def __init__(self, scratch, node_ports, cpu=None):
        self.prefix = Path(tempfile.mkdtemp(prefix="nginx-cluster-", dir=scratch))
        self.port = run.free_port()
        shipped = (ROOT / "packaging" / "cluster" / "nginx.conf").read_text()
        upstream = "".join(f"    server 127.0.0.1:{port};\n" for port in node_ports)
        lines, servers_written = [], False
        for line in shipped.splitlines(keepends=True):
            if line.strip().startswith("server 127.0.0.1:"):
                if not servers_written:
                    lines.append(upstream)
                    servers_written = True
                continue
            if line.strip() == "listen 80;":
                line = f"    listen 127.0.0.1:{self.port} backlog=8192;\n"
            lines.append(line)
        if not servers_written:
            raise RuntimeError("packaging/cluster/nginx.conf names no upstream server 127.0.0.1:PORT to replace")
        (self.prefix / "chatapp.conf").write_text("".join(lines))
        (self.prefix / "nginx.conf").write_text(f"""
worker_processes 1;
daemon off;
pid {self.prefix}/nginx.pid;
error_log {self.prefix}/error.log warn;
worker_rlimit_nofile 65536;
events {{ worker_connections 60000; }}
http {{
    access_log off;
    client_body_temp_path {self.prefix}/client_body;
    proxy_temp_path {self.prefix}/proxy;
    fastcgi_temp_path {self.prefix}/fastcgi;
    uwsgi_temp_path {self.prefix}/uwsgi;
    scgi_temp_path {self.prefix}/scgi;
    include {self.prefix}/chatapp.conf;
}}
""")
        self.process = subprocess.Popen(run.pinned(cpu, ["nginx", "-p", str(self.prefix), "-c",
                                                         str(self.prefix / "nginx.conf")]),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not run.wait_for_port(self.port):
            self.stop()
            raise RuntimeError(f"nginx did not start: {self.error_log()}")

    def error_log(self):
        try:
            return (self.prefix / "error.log").read_text()[-500:]
        except OSError:
            return ""

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finishes, then exits
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Cluster:
    """`nodes` nodes on database `database` of `pg` (created here), all pinned to `cpu`."""

    def __init__(self, peers, pg, database, nodes, cpu=run.SERVER_CPU):
        self.peers = peers
        pg.create_database(database)
        self.nodes, self.nginx = [], None
        try:
            for _ in range(nodes):
                self.nodes.append(Node(peers, pg, database, cpu))
        except BaseException:
            self.stop()
            raise

    def start_nginx(self, cpu=None):
        self.nginx = Nginx(self.peers.scratch, [node.port for node in self.nodes], cpu)
        return self.nginx

    def stop(self):
        if self.nginx:
            self.nginx.stop()
        for node in self.nodes:
            node.stop()

