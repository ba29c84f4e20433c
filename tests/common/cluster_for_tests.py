#!/usr/bin/env python3
"""Several `chatapp --serve` nodes on one throwaway PostgreSQL, nginx in front, for
tests and benchmarks; everything stopped by PID afterwards, whatever happens.

    with Cluster(binary, nodes=3) as cluster:
        cluster.proxy_port                  # nginx, packaging/cluster/nginx.conf on a free port
        cluster.nodes[1].port               # node 2, straight
        cluster.kill_node(1)                # kill -9
        cluster.restart_node(1)             # same port, same store; returns once it listens
        cluster.freeze_node(2); cluster.thaw_node(2)       # kill -STOP / -CONT
        cluster.terminate_listener(2)       # pg_terminate_backend of node 3's LISTEN connection
        cluster.sql("SELECT count(*) FROM messages")       # the chat database, as superuser

or from a shell: `cluster_for_tests.py start [NODES]` prints the addresses and waits for
Ctrl-C or end of input.

Needs PostgreSQL (tests/common/postgres_for_tests.py; installed through
scripts/apt-ensure.sh as root) and nginx (the same way); `ensure_installed()` says what is
missing when it cannot install it. Nodes listen on 127.0.0.1 and free ports, with
--trusted-proxy 127.0.0.1/32 as behind a real nginx. If the process that started the
cluster is killed outright (SIGKILL), a watchdog stops the nodes and nginx (PostgreSQL has
its own) and removes the folder."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import postgres_for_tests  # noqa: E402
from postgres_for_tests import TemporaryPostgres, free_port  # noqa: E402
from chatapp_testing import tail  # noqa: E402

HOST = "127.0.0.1"
REPOSITORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
NGINX_CONF = os.path.join(REPOSITORY, "packaging", "cluster", "nginx.conf")
START_SECONDS = 15


class ClusterFailure(Exception):
    pass


def nginx_binary():
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def ensure_installed():
    """Installs PostgreSQL and nginx as root when missing; otherwise raises
    ClusterFailure naming what is missing (a test exits 77 on it)."""
    try:
        postgres_for_tests.ensure_installed()
    except postgres_for_tests.PostgresFailure as failure:
        raise ClusterFailure(str(failure))
    if nginx_binary():
        return
    if os.geteuid() != 0:
        raise ClusterFailure("nginx is not installed and only root may apt-get it: apt-get install -y nginx")
    # apt-ensure.sh keeps Debian's package from starting an nginx of its own on port 80.
    subprocess.run(["bash", os.path.join(REPOSITORY, "scripts", "apt-ensure.sh"), "nginx"], check=True,
                   stdout=subprocess.DEVNULL)
    if not nginx_binary():
        raise ClusterFailure("apt-get installed nginx, yet no nginx is on PATH or in /usr/sbin")


def _start_time(pid):
    """The process's start time in clock ticks (/proc/PID/stat field 22), which with the
    PID names one process: a PID alone may be reused once it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


class Node:
    """One `chatapp --serve` on a fixed port, so that a restart comes back where nginx
    and the clients expect it."""

    def __init__(self, cluster, number):
        self.cluster = cluster
        self.number = number  # 1-based, as people count nodes
        self.port = free_port()
        self.data_dir = os.path.join(cluster.folder, "node%d" % number)
        os.makedirs(self.data_dir)
        self.log_path = os.path.join(cluster.folder, "node%d.log" % number)
        self.process = None
        self.starts = 0

    @property
    def pid(self):
        return self.process.pid

    def url(self, path=""):
        return "http://%s:%d%s" % (HOST, self.port, path)

    def log(self):
        return tail(self.log_path)

    def start(self):
        self.starts += 1
        postgres = self.cluster.postgres
        command = [self.cluster.binary, "--serve", HOST, str(self.port), "--data-dir", self.data_dir,
                   "--store", postgres.url, "--store-password-file", postgres.password_file,
                   "--trusted-proxy", "127.0.0.1/32", *self.cluster.node_arguments]
        listening = os.path.join(self.cluster.folder, "node%d.stdout" % self.number)
        with open(self.log_path, "ab") as log, open(listening, "wb") as out:
            log.write(b"--- start %d ---\n" % self.starts)
            log.flush()
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=log,
                                            env=self.cluster.node_environment)
        self.cluster._watch(self.process.pid)
        expected = ("chatapp: listening on http://%s:%d\n" % (HOST, self.port)).encode()
        deadline = time.monotonic() + START_SECONDS
        while True:
            with open(listening, "rb") as out:
                said = out.read()
            if said.startswith(expected):
                return
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise ClusterFailure("node %d did not start listening on port %d (it said %r): %s"
                                     % (self.number, self.port, said, self.log()))
            time.sleep(0.02)

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def signal(self, number):
        if self.alive():
            self.process.send_signal(number)

    def kill(self):
        """kill -9, and waits for it, so that the port is free for a restart."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self.cluster._forget(self.process.pid)

    def stop(self):
        """SIGTERM (a clean stop: it finishes what is in flight), SIGKILL after 10 s."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a frozen node cannot stop
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.kill()


class Cluster:
    def __init__(self, binary, nodes=3, node_arguments=("--quiet",), environment=None, postgres=None):
        """`node_arguments` go to every node after the cluster's own; `environment`
        entries are added to the nodes' (by default the send limits are lifted, since
        every client of a test shares 127.0.0.1). A `postgres` given is used and left
        running; otherwise the cluster starts its own and stops it."""
        self.binary = os.path.abspath(binary)
        self.node_count = nodes
        self.node_arguments = list(node_arguments)
        self.node_environment = dict(os.environ)
        self.node_environment.setdefault("CHATAPP_SEND_RATE", "1000000")
        self.node_environment.setdefault("CHATAPP_SEND_BURST", "1000000")
        self.node_environment.update(environment or {})
        self.postgres = postgres
        self._owns_postgres = postgres is None
        self.folder = None
        self.nodes = []
        self.nginx = None
        self._watchdog = None

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_):
        self.stop()

    def start(self):
        ensure_installed()
        if self._owns_postgres:
            self.postgres = TemporaryPostgres()
            self.postgres.start()
        self.folder = tempfile.mkdtemp(prefix="chatapp-cluster-")
        self._start_watchdog()
        self.nodes = [Node(self, number) for number in range(1, self.node_count + 1)]
        for node in self.nodes:
            node.start()
        self._start_nginx()

    # --- nginx -------------------------------------------------------------------------

    def proxy_url(self, path=""):
        return "http://%s:%d%s" % (HOST, self.proxy_port, path)

    def _nginx_configuration(self):
        """packaging/cluster/nginx.conf with its listen address and upstream servers
        moved to this cluster's ports, and nothing else changed."""
        with open(NGINX_CONF) as shipped:
            text = shipped.read()
        servers = "".join("    server %s:%d;\n" % (HOST, node.port) for node in self.nodes)
        for pattern, replacement in ((r"listen 80;", "listen %s:%d;" % (HOST, self.proxy_port)),
                                     (r"(    server 127\.0\.0\.1:\d+;\n)+", servers)):
            text, count = re.subn(pattern, lambda _: replacement, text)
            if count != 1:
                raise ClusterFailure("packaging/cluster/nginx.conf no longer has one %r to move" % pattern)
        return text

    def _start_nginx(self):
        prefix = os.path.join(self.folder, "nginx")
        os.makedirs(prefix)
        self.proxy_port = free_port()
        with open(os.path.join(prefix, "chatapp.conf"), "w") as out:
            out.write(self._nginx_configuration())
        # One process (no master), in the foreground, every file it writes under prefix;
        # enough connections for the tests' streams both to clients and to the nodes.
        with open(os.path.join(prefix, "main.conf"), "w") as out:
            out.write("""daemon off;
master_process off;
pid %(p)s/nginx.pid;
error_log %(p)s/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path %(p)s/body;
    proxy_temp_path %(p)s/proxy;
    fastcgi_temp_path %(p)s/fastcgi;
    uwsgi_temp_path %(p)s/uwsgi;
    scgi_temp_path %(p)s/scgi;
    include %(p)s/chatapp.conf;
}
""" % {"p": prefix})
        self.nginx_log = os.path.join(prefix, "error.log")
        with open(os.path.join(prefix, "stderr.log"), "wb") as log:
            self.nginx = subprocess.Popen([nginx_binary(), "-p", prefix, "-e", self.nginx_log, "-c",
                                           os.path.join(prefix, "main.conf")],
                                          stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        self._watch(self.nginx.pid)
        deadline = time.monotonic() + START_SECONDS
        while True:
            if self.nginx.poll() is not None or time.monotonic() > deadline:
                raise ClusterFailure("nginx did not start listening on port %d: %s%s" % (
                    self.proxy_port, tail(os.path.join(prefix, "stderr.log")), tail(self.nginx_log)))
            try:
                socket.create_connection((HOST, self.proxy_port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.02)

    # --- what tests do to nodes -----------------------------------------------------------

    def kill_node(self, index):
        """kill -9 of self.nodes[index]."""
        self.nodes[index].kill()

    def restart_node(self, index):
        """Starts a node that was killed or stopped again, on its port and store."""
        node = self.nodes[index]
        if node.alive():
            raise ClusterFailure("node %d is still running" % node.number)
        node.start()

    def freeze_node(self, index):
        self.nodes[index].signal(signal.SIGSTOP)

    def freeze_node_in_transaction(self, index, seconds=4):
        """kill -STOP of the node at a moment when it holds row locks that another
        node's transaction waits for (the case that stalls the others); tries for
        `seconds`, thawing it between tries. True if it caught one; frozen either way."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.freeze_node(index)
            ports = ",".join(str(port) for port in self.postgres_client_ports(index)) or "0"
            # The backend finishes a statement it was running while psql starts, then waits;
            # a transaction id means it has locked or written rows, not only begun.
            holders = self.sql("SELECT pid FROM pg_stat_activity WHERE client_port IN (%s) AND state = "
                               "'idle in transaction' AND backend_xid IS NOT NULL" % ports).split()
            blocking = "SELECT count(*) FROM pg_stat_activity WHERE pg_blocking_pids(pid) && ARRAY[%s]::int[]" % (
                ",".join(holders) or "0")
            wait_until = time.monotonic() + 0.5
            while holders and time.monotonic() < wait_until:
                if self.sql(blocking).strip() != "0":
                    return True
            self.thaw_node(index)
            time.sleep(0.01)  # let it run a moment before the next try
        self.freeze_node(index)
        return False

    def postgres_client_ports(self, index):
        """The local ports of the node's TCP connections to PostgreSQL, which
        pg_stat_activity shows as client_port."""
        inodes = set()
        folder = "/proc/%d/fd" % self.nodes[index].pid
        for name in os.listdir(folder):
            try:
                target = os.readlink(os.path.join(folder, name))
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        ports = []
        with open("/proc/net/tcp") as table:
            for line in table.readlines()[1:]:
                fields = line.split()
                remote_port = int(fields[2].split(":")[1], 16)
                if remote_port == self.postgres.port and fields[9] in inodes:
                    ports.append(int(fields[1].split(":")[1], 16))
        return ports

    def thaw_node(self, index):
        self.nodes[index].signal(signal.SIGCONT)

    def listener_application_name(self, index):
        return "chatapp listener %d" % self.nodes[index].pid

    def terminate_listener(self, index):
        """pg_terminate_backend of the node's LISTEN connection (found by its
        application_name); returns how many connections were ended."""
        answer = self.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                          "WHERE application_name = '%s'" % self.listener_application_name(index))
        return int(answer.strip() or 0)

    def sql(self, statement):
        """SQL as superuser on the chat database; psql's unaligned output (| between columns)."""
        return self.postgres.admin_sql(statement, database=postgres_for_tests.DATABASE)

    # --- stopping, always -----------------------------------------------------------------

    def _start_watchdog(self):
        """A process of its own session that, when this one dies without stopping the
        cluster, kills every process it was told of (by PID and start time, so never
        a stranger that reused a PID) and removes the folder. It learns of each start and
        each stop by lines on a pipe whose only writer is this process."""
        read_end, write_end = os.pipe()
        self._watchdog = subprocess.Popen([sys.executable, "-c", WATCHDOG, self.folder], stdin=read_end,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True)
        os.close(read_end)
        self._watchdog_pipe = os.fdopen(write_end, "w", buffering=1)

    def _watch(self, pid):
        if self._watchdog:
            self._watchdog_pipe.write("+%d %s\n" % (pid, _start_time(pid)))

    def _forget(self, pid):
        if self._watchdog:
            self._watchdog_pipe.write("-%d\n" % pid)

    def stop(self):
        """nginx, then the nodes (SIGTERM, SIGKILL after 10 s), then PostgreSQL if the
        cluster started it; removes the folder. Safe to call twice."""
        if self.nginx is not None:
            if self.nginx.poll() is None:
                self.nginx.terminate()  # nginx's fast shutdown
                try:
                    self.nginx.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.nginx.kill()
            self.nginx.wait(timeout=10)
            self._forget(self.nginx.pid)
            self.nginx = None
        for node in self.nodes:
            node.stop()
        self.nodes = []
        if self._watchdog:
            self._watchdog.kill()
            self._watchdog.wait()
            self._watchdog_pipe.close()
            self._watchdog = None
        if self._owns_postgres and self.postgres is not None:
            self.postgres.stop()
            self.postgres = None
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


WATCHDOG = """
import os, shutil, signal, sys
folder = sys.argv[1]
watched = {}
for line in sys.stdin:  # end of file: the process that started the cluster is gone
    if line.startswith("+"):
        pid, started = line[1:].split()
        watched[int(pid)] = started
    elif line.startswith("-"):
        watched.pop(int(line[1:]), None)
for pid, started in watched.items():
    try:
        with open("/proc/%d/stat" % pid) as stat:
            if stat.read().rsplit(")", 1)[1].split()[19] != started:
                continue
        os.kill(pid, signal.SIGKILL)
    except (OSError, IndexError):
        pass
shutil.rmtree(folder, ignore_errors=True)
"""


def main(arguments):
    if not arguments or arguments[0] != "start":
        print(__doc__)
        return 2
    nodes = int(arguments[1]) if len(arguments) > 1 else 3
    binary = os.environ.get("CHATAPP_BINARY", os.path.join(REPOSITORY, "build", "chatapp"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with Cluster(binary, nodes=nodes) as cluster:
        print("nginx:", cluster.proxy_url(), flush=True)
        for node in cluster.nodes:
            print("node %d: %s (pid %d)" % (node.number, node.url(), node.pid), flush=True)
        print("store:", cluster.postgres.url, "password file:", cluster.postgres.password_file, flush=True)
        try:
            sys.stdin.read()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
