#!/usr/bin/env python3
"""The README's "More than one machine", followed as written: the shell blocks marked
`<!-- cluster-test: NAME -->` there are read out of README.md and run by bash, so the
README cannot drift from what is tested.

What cannot run here is stood in for by tests/cluster/stand-ins/ (first on PATH): sudo
(the test is root; `-u postgres` is runuser), apt (scripts/apt-ensure.sh), systemctl (no
systemd: it runs the installed chatapp-node@.service's ExecStart for each instance, and
nginx), journalctl, and curl and nginx, moved to the test's ports. The README's paths
are moved into a temporary folder (/etc/chatapp, /etc/nginx, /var/lib, the pg_hba.conf),
its ports to free ones (5432 to the throwaway PostgreSQL's; 3551-3553, 80), and
10.0.0.0/24 to 127.0.0.1/32. The unit and the configurations are the ones `cmake
--install --component cluster` installs, the .deb's.

In order: the PostgreSQL set-up against a throwaway cluster (initdb as postgres in a
temporary folder on a free port, as tests/common/postgres_for_tests.py makes it, with
its own role and database dropped first), and pg_hba.conf left with the README's line
alone for TCP, so the nodes get in only through it; `systemd-analyze verify` on the
unit; three nodes from the unit; nginx with the shipped configuration; the README's
checks (/healthz through nginx, a send through nginx, read from every node); then the
README's rolling restart while a client keeps sending through nginx, each send with an
Idempotency-Key and resent until answered: every send stored once, every room gapless.

Root only (it installs packages, runs PostgreSQL as `postgres`): otherwise exit 77."""

import ctypes
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "common"))
from chatapp_testing import Failure, bound_whole_file, check, nginx_main_config, wait_until  # noqa: E402
from postgres_for_tests import PostgresFailure, TemporaryPostgres, free_port  # noqa: E402

WHOLE_FILE_SECONDS = 240
README_NODE_PORTS = ("3551", "3552", "3553")
ROLLING_ROOM = "rolling"


def readme_block(readme, name):
    match = re.search(r"<!-- cluster-test: %s -->\s*\n```[a-z]*\n(.*?)```" % re.escape(name), readme, re.S)
    check(match, "README.md has no block marked <!-- cluster-test: %s -->" % name)
    return match.group(1)


def reap_orphans():
    """The processes the stand-in started and stopped, which this process adopted (a
    subreaper): last, once no subprocess of this file is waited on any more."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


class ReadmeCluster:
    """The temporary folder, the moved paths and ports, and whatever the README's steps
    started there (PIDs in run/*.pid, written by the systemctl stand-in)."""

    def __init__(self, binary, build_dir, postgres, root):
        self.binary = binary
        self.build_dir = build_dir
        self.postgres = postgres
        self.root = root
        self.prefix = os.path.join(root, "usr")
        self.nginx_port = free_port()
        self.node_ports = {readme: str(free_port()) for readme in README_NODE_PORTS}
        self.paths = [
            ("/usr/share/doc/chatapp", os.path.join(self.prefix, "share", "doc", "chatapp")),
            ("/usr/bin/chatapp", binary),
            ("/etc/postgresql/15/main", postgres.data),
            ("/etc/chatapp", os.path.join(root, "etc", "chatapp")),
            ("/etc/nginx", os.path.join(root, "etc", "nginx")),
            ("/var/lib", os.path.join(root, "var", "lib")),
            ("10.0.0.0/24", "127.0.0.1/32"),
            (":5432/", ":%d/" % postgres.port),
        ] + list(self.node_ports.items())
        self.readme_path = os.path.join(SOURCE, "README.md")
        with open(self.readme_path) as readme:
            self.readme = readme.read()

    def moved(self, text):
        """In one pass, so that nothing is moved twice (a free port holding 3551)."""
        replacements = dict(self.paths)
        pattern = "|".join(re.escape(old) for old in sorted(replacements, key=len, reverse=True))
        return re.sub(pattern, lambda match: replacements[match.group(0)], text)

    def environment(self):
        stand_ins = os.path.join(HERE, "stand-ins")
        return dict(os.environ, PATH=stand_ins + ":" + os.environ["PATH"],
                    PGHOST=self.postgres.socket_dir, PGPORT=str(self.postgres.port),
                    STANDIN_ROOT=self.root, STANDIN_SOURCE_DIR=SOURCE, STANDIN_MAP=json.dumps(self.paths),
                    STANDIN_UNIT_DIR=os.path.join(self.prefix, "lib", "systemd", "system"),
                    STANDIN_NGINX_PORT=str(self.nginx_port),
                    STANDIN_PORTS=" ".join("%s=%s" % pair for pair in self.node_ports.items()),
                    STANDIN_PG_BIN=self.postgres.binaries, STANDIN_PGDATA=self.postgres.data)

    def run_block(self, name, seconds=60):
        """The README's block NAME, moved, run by bash as a user would paste it, but
        stopping at the first command that fails; returns its output."""
        script = self.moved(readme_block(self.readme, name))
        result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=self.root,
                                env=self.environment(), stdin=subprocess.DEVNULL, capture_output=True,
                                text=True, timeout=seconds)
        check(result.returncode == 0, "the README's block %r failed (%d):\n%s\n--- output:\n%s%s%s"
              % (name, result.returncode, script, result.stdout, result.stderr, self.logs()))
        print("ok   README block %r" % name)
        return result.stdout

    def logs(self):
        found = ""
        run = os.path.join(self.root, "run")
        for log in sorted(os.listdir(run)) if os.path.isdir(run) else []:
            if log.endswith(".log"):
                with open(os.path.join(run, log), errors="replace") as text:
                    found += "\n--- %s:\n%s" % (log, text.read()[-1500:])
        return found

    def stop_everything(self):
        """Every unit the README's steps started, stopped by the systemctl stand-in: by
        the PID it recorded, SIGTERM, then SIGKILL after the unit's TimeoutStopSec."""
        run = os.path.join(self.root, "run")
        units = [name[:-len(".pid")] for name in os.listdir(run) if name.endswith(".pid")] if os.path.isdir(run) else []
        if units:
            subprocess.run(["systemctl", "stop", *units], env=self.environment(), timeout=120)

    def get(self, port, path, host="127.0.0.1"):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", path, headers={"Host": host})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


def install_the_cluster_files(cluster):
    """What the .deb holds of the cluster, installed by CMake's rules into the test's /usr."""
    result = subprocess.run(["cmake", "--install", cluster.build_dir, "--prefix", cluster.prefix,
                             "--component", "cluster"], capture_output=True, text=True)
    check(result.returncode == 0, "cmake --install --component cluster failed: %s" % result.stderr)
    for path in ("lib/systemd/system/chatapp-node@.service", "share/doc/chatapp/examples/cluster/nginx.conf",
                 "share/doc/chatapp/examples/cluster/haproxy.cfg",
                 "share/doc/chatapp/examples/cluster/cluster.conf"):
        check(os.path.isfile(os.path.join(cluster.prefix, path)), "the cluster component installs no /usr/%s" % path)
    print("ok   cmake --install --component cluster: the unit and the examples")


def the_unit_verifies(cluster):
    """systemd-analyze verify, on an instance of the installed unit whose ExecStart names
    the built binary (verify wants the program to exist). Warnings count as failures:
    verify exits 0 on an unknown key, saying only that it ignores it."""
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        print("SKIP systemd-analyze verify: systemd-analyze is not installed")
        return
    folder = os.path.join(cluster.root, "verify")
    os.makedirs(folder)
    with open(os.path.join(cluster.prefix, "lib/systemd/system/chatapp-node@.service")) as unit:
        text = unit.read().replace("/usr/bin/chatapp", cluster.binary)
    instance = os.path.join(folder, "chatapp-node@3551.service")
    with open(instance, "w") as out:
        out.write(text)
    result = subprocess.run([analyze, "verify", "--man=no", instance], capture_output=True, text=True)
    said = (result.stdout + result.stderr).strip()
    check(result.returncode == 0 and not said, "systemd-analyze verify chatapp-node@.service: exit %d: %s"
          % (result.returncode, said))
    print("ok   systemd-analyze verify accepts chatapp-node@.service")


def postgres_set_up_as_written(cluster):
    # The harness made the chat's role and database; the README's commands make them.
    cluster.postgres.admin_sql("DROP DATABASE chatapp")
    cluster.postgres.admin_sql("DROP ROLE chatapp")
    cluster.run_block("postgres-setup")
    password_file = cluster.moved("/etc/chatapp/store-password")
    mode = os.stat(password_file).st_mode & 0o777
    check(mode == 0o600, "the README's password file has mode %o, not 600" % mode)
    with open(password_file) as secret:
        check(len(secret.readline().strip()) >= 24, "the README's password file holds no long password")
    owner = cluster.postgres.admin_sql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'chatapp'")
    check(owner.strip() == "chatapp", "the README's database belongs to %r, not chatapp" % owner.strip())
    # Only the README's line lets anyone in over TCP: the nodes connect through it or not at all.
    hba = os.path.join(cluster.postgres.data, "pg_hba.conf")
    with open(hba) as lines:
        kept = [line for line in lines if not line.lstrip().startswith("host")]
    with open(hba, "w") as out:
        out.writelines(kept)
    cluster.run_block("postgres-remote")


def nodes_start_from_the_unit(cluster):
    conf = cluster.moved("/etc/chatapp/cluster.conf")
    with open(conf, "w") as out:
        out.write(cluster.moved(readme_block(cluster.readme, "cluster-conf")))
    started = cluster.run_block("start-nodes")
    for port in cluster.node_ports.values():
        check("chatapp-node@%s: active (running)" % port in started,
              "systemctl status does not show node %s running:\n%s" % (port, started))

    def all_healthy():
        try:
            return all(cluster.get(int(port), "/healthz")[0] == 200 for port in cluster.node_ports.values())
        except OSError:
            return False
    wait_until(all_healthy, 30, lambda: "every node's /healthz to answer 200%s" % cluster.logs())
    with open(os.path.join(cluster.root, "run", "chatapp-node@%s.command" % cluster.node_ports["3551"])) as record:
        command = record.read()
    for expected in ("--store postgresql://chatapp@127.0.0.1:%d/chatapp" % cluster.postgres.port,
                     "--trusted-proxy 127.0.0.1", "--store-password-file "):
        check(expected in command, "the unit's ExecStart does not give %r: %s" % (expected, command))
    print("ok   three nodes from chatapp-node@.service answer /healthz: %s" % command.strip())


def nginx_as_written(cluster):
    prefix = cluster.moved("/etc/nginx")
    os.makedirs(os.path.join(prefix, "conf.d"))
    with open(os.path.join(prefix, "nginx.conf"), "w") as main:
        main.write(nginx_main_config(prefix, os.path.join(prefix, "conf.d", "*.conf")))
    cluster.run_block("nginx")


def the_readme_checks_pass(cluster):
    said = cluster.run_block("check")
    check('{"status":"ok"}' in said, "/healthz through nginx did not say ok: %s" % said)
    answers = json_values(said)
    sent = [answer for answer in answers if "id" in answer and "text" in answer]
    check(len(sent) == 1, "the send through nginx did not answer one message: %s" % said)
    pages = [answer for answer in answers if "messages" in answer]
    check(len(pages) == len(cluster.node_ports), "not one page from each of the %d nodes: %s"
          % (len(cluster.node_ports), said))
    expected = [(sent[0]["id"], sent[0]["text"])]
    missing = [port for port, page in zip(cluster.node_ports.values(), pages)
               if [(m["id"], m["text"]) for m in page["messages"]] != expected]
    check(not missing, "nodes %s do not read the message sent through nginx (%s): %s" % (missing, sent[0], pages))
    print("ok   /healthz through nginx; the send through nginx is message %d on every node" % sent[0]["id"])


def json_values(text):
    """Every JSON object in curl's output, however the answers run together."""
    decoder, values, at = json.JSONDecoder(), [], 0
    while True:
        at = text.find("{", at)
        if at < 0:
            return values
        try:
            value, at = decoder.raw_decode(text, at)
            values.append(value)
        except ValueError:
            at += 1


class Sender(threading.Thread):
    """One client sending through nginx, a message every 50 ms, each with its own
    Idempotency-Key, resent with the same key on any failure until answered 201 or 200,
    as the chat window does."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.stopping = threading.Event()
        self.answered = {}  # key -> status
        self.failed_tries = []
        self.unanswered = []

    def send(self, key, text):
        body = "author=ana&text=" + text
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("POST", "/api/v1/rooms/%s/messages" % ROLLING_ROOM, body=body,
                               headers={"Host": "chat.example.org", "Idempotency-Key": key,
                                        "Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    def run(self):
        number = 0
        while not self.stopping.is_set():
            number += 1
            key = str(uuid.uuid4())
            deadline = time.monotonic() + 20
            while True:
                try:
                    status = self.send(key, "rolling-%d" % number)
                except OSError as error:
                    status = repr(error)
                if status in (200, 201):
                    self.answered[key] = status
                    break
                self.failed_tries.append(status)
                if time.monotonic() > deadline:
                    self.unanswered.append(key)
                    break
                time.sleep(0.2)
            self.stopping.wait(0.05)


def a_rolling_restart_loses_nothing(cluster):
    sender = Sender(cluster.nginx_port)
    sender.start()
    wait_until(lambda: len(sender.answered) >= 5, 10, lambda: "the first sends through nginx")
    pids_before = {port: open(os.path.join(cluster.root, "run", "chatapp-node@%s.pid" % port)).read()
                   for port in cluster.node_ports.values()}
    cluster.run_block("rolling-restart", seconds=120)
    count_before_stop = len(sender.answered)
    wait_until(lambda: len(sender.answered) >= count_before_stop + 5, 10, lambda: "sends after the restart")
    sender.stopping.set()
    sender.join(30)
    for port, pid in pids_before.items():
        with open(os.path.join(cluster.root, "run", "chatapp-node@%s.pid" % port)) as now:
            check(now.read() != pid, "node %s was not restarted by the README's loop" % port)
    check(not sender.unanswered, "%d sends got no 201 or 200 within 20 s of resending: %s"
          % (len(sender.unanswered), sender.failed_tries[-10:]))
    # The README says nginx sends new requests to the other nodes meanwhile: not one
    # send may have been refused (nginx's 502 when it has set every node aside).
    check(not sender.failed_tries, "%d tries through nginx were refused during the README's rolling restart: %s"
          % (len(sender.failed_tries), sorted(set(map(str, sender.failed_tries)))))
    rows = cluster.postgres.admin_sql(
        "SELECT count(*), count(DISTINCT text), coalesce(max(id), 0), (SELECT last_id FROM rooms WHERE name = '%s')"
        " FROM messages WHERE room = '%s' AND kind = 0" % (ROLLING_ROOM, ROLLING_ROOM), "chatapp")
    count, distinct, top, last_id = (int(value) for value in rows.strip().split("|"))
    answered = len(sender.answered)
    check(count == answered and distinct == answered,
          "%d sends were answered, %d stored (%d distinct)" % (answered, count, distinct))
    check(top == count == last_id, "room %s is not gapless: %d rows, max id %d, last_id %d"
          % (ROLLING_ROOM, count, top, last_id))
    print("ok   rolling restart of the three nodes: %d sends through nginx, none refused, each stored once, "
          "gapless" % answered)


def main():
    if os.geteuid() != 0:
        print("SKIP: the README's cluster steps install packages and run PostgreSQL as postgres: root only")
        return 77
    binary = os.path.abspath(os.environ.get("CHATAPP_BINARY", "build/chatapp"))
    build_dir = os.environ.get("CHATAPP_BUILD_DIR", os.path.dirname(binary))
    bound_whole_file(WHOLE_FILE_SECONDS)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # Nodes and nginx are started by the systemctl stand-in, which exits at once: made
    # this process's children when orphaned, they can be reaped here once stopped.
    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    root = tempfile.mkdtemp(prefix="chatapp-readme-cluster-")
    os.chmod(root, 0o755)  # the postgres user runs the README's psql in it
    cluster = None
    try:
        # Before the throwaway PostgreSQL, which needs what this installs.
        with open(os.path.join(SOURCE, "README.md")) as readme:
            install = readme_block(readme.read(), "postgres-install")
        subprocess.run(["bash", "-e", "-c", install], env=dict(
            os.environ, PATH=os.path.join(HERE, "stand-ins") + ":" + os.environ["PATH"], STANDIN_SOURCE_DIR=SOURCE),
            check=True, stdout=subprocess.DEVNULL)
        print("ok   README block 'postgres-install'")
        with TemporaryPostgres() as postgres:
            cluster = ReadmeCluster(binary, build_dir, postgres, root)
            try:
                install_the_cluster_files(cluster)
                the_unit_verifies(cluster)
                postgres_set_up_as_written(cluster)
                nodes_start_from_the_unit(cluster)
                nginx_as_written(cluster)
                the_readme_checks_pass(cluster)
                a_rolling_restart_loses_nothing(cluster)
            finally:
                cluster.stop_everything()
    except (Failure, PostgresFailure, subprocess.CalledProcessError) as failure:
        print("FAIL", failure)
        return 1
    finally:
        signal.alarm(0)
        shutil.rmtree(root, ignore_errors=True)
        reap_orphans()
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
