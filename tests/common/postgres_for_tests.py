#!/usr/bin/env python3
"""A throwaway PostgreSQL for tests: nothing to set up by hand, nothing left behind.

    with TemporaryPostgres() as postgres:
        postgres.url            # postgresql://chatapp@127.0.0.1:PORT/chatapp
        postgres.password_file  # holds the user's password, for --store-password-file
        postgres.create_database("other")

or from a shell or ctest, running commands against it and stopping it whatever they do:

    postgres_for_tests.py run -- python3 tests/integration/test_search.py
    postgres_for_tests.py start   # prints the URL, waits until stdin closes or Ctrl-C

Installs Debian's postgresql (scripts/apt-ensure.sh: no system cluster is started) if
no initdb is found. PostgreSQL refuses to
run as root, so as root the cluster belongs to the `postgres` user (runuser); otherwise
to the caller. It listens on 127.0.0.1 and a free port, its unix socket in the temporary
folder; the chat user signs in over TCP with a password (scram-sha-256), as a real
deployment would, while the harness administers it over the socket (trust)."""

import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

USER = "chatapp"
DATABASE = "chatapp"
ADMIN = "postgres"


class PostgresFailure(Exception):
    pass


def server_binaries():
    """The directory of initdb and pg_ctl: Debian keeps them out of PATH, per version."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda path: int(path.split("/")[4]) if path.split("/")[4].isdigit() else 0)
    return os.path.dirname(found[-1]) if found else None


def ensure_installed():
    if server_binaries():
        return server_binaries()
    if os.geteuid() != 0:
        raise PostgresFailure("PostgreSQL is not installed and only root may apt-get it: "
                              "apt-get install -y postgresql")
    # Through the project's apt-ensure.sh: it keeps Debian's package from starting a
    # cluster of its own on port 5432 (policy-rc.d), which nothing here would stop.
    apt_ensure = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "apt-ensure.sh")
    subprocess.run(["bash", apt_ensure, "postgresql"], check=True, stdout=subprocess.DEVNULL)
    directory = server_binaries()
    if not directory:
        raise PostgresFailure("apt-get installed postgresql, yet no initdb is in /usr/lib/postgresql/*/bin")
    return directory


def free_port():
    # The port is free now; PostgreSQL binding it a moment later may still lose a race,
    # which start() reports with the server's log.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TemporaryPostgres:
    def __init__(self):
        self.folder = None
        self.postmaster_pid = None

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_):
        self.stop()

    def _as_owner(self, command, **options):
        """Runs a PostgreSQL program as the cluster's owner."""
        if os.geteuid() == 0:
            command = ["runuser", "-u", ADMIN, "--", *command]
        return subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, **options)

    def _checked(self, command, what):
        result = self._as_owner(command)
        if result.returncode != 0:
            raise PostgresFailure("%s failed (%d): %s%s%s" % (what, result.returncode, result.stdout, result.stderr,
                                                              self.log_tail()))
        return result.stdout

    def start(self):
        binaries = ensure_installed()
        self.folder = tempfile.mkdtemp(prefix="chatapp-postgres-")
        self.data = os.path.join(self.folder, "data")
        self.log = os.path.join(self.folder, "postgres.log")
        self.socket_dir = self.folder
        self.password_file = os.path.join(self.folder, "password")
        password = secrets.token_hex(16)
        with open(self.password_file, "w") as out:
            out.write(password + "\n")
        if os.geteuid() == 0:
            # The server, running as postgres, owns the folder; the password file stays
            # readable by root, who runs chatapp in the tests.
            shutil.chown(self.folder, ADMIN, ADMIN)
        os.chmod(self.folder, 0o755)
        os.chmod(self.password_file, 0o600)

        self._checked([os.path.join(binaries, "initdb"), "-D", self.data, "-U", ADMIN, "--auth-local=trust",
                       "--auth-host=scram-sha-256", "--no-instructions", "-E", "UTF8", "--locale=C.UTF-8"],
                      "initdb")
        self.port = free_port()
        settings = [
            "listen_addresses=127.0.0.1", "port=%d" % self.port, "unix_socket_directories=%s" % self.socket_dir,
            "shared_buffers=64MB", "fsync=on", "synchronous_commit=on", "max_connections=100",
            "idle_in_transaction_session_timeout=5s",
        ]
        options = " ".join("-c " + setting for setting in settings)
        self._checked([os.path.join(binaries, "pg_ctl"), "start", "-w", "-t", "30", "-D", self.data,
                       "-l", self.log, "-o", options], "pg_ctl start")
        with open(os.path.join(self.data, "postmaster.pid")) as pid_file:
            self.postmaster_pid = int(pid_file.readline())
        self._start_watchdog()
        self.binaries = binaries
        self.admin_sql("CREATE ROLE %s LOGIN CREATEDB PASSWORD '%s'" % (USER, password))
        self.create_database(DATABASE)
        self.url = "postgresql://%s@127.0.0.1:%d/%s" % (USER, self.port, DATABASE)

    def url_of(self, database):
        return "postgresql://%s@127.0.0.1:%d/%s" % (USER, self.port, database)

    def admin_sql(self, statement, database="postgres"):
        """Runs SQL as the superuser over the socket; returns psql's unaligned output."""
        result = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", self.socket_dir,
                                 "-p", str(self.port), "-U", ADMIN, "-d", database, "-c", statement],
                                stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if result.returncode != 0:
            raise PostgresFailure("psql %r failed: %s" % (statement, result.stderr))
        return result.stdout

    def create_database(self, name):
        self.admin_sql('CREATE DATABASE "%s" OWNER %s' % (name, USER))

    def database_for(self, data_dir):
        """As the module's database_for, for a caller that holds this server."""
        name = database_name(data_dir)
        if not self.admin_sql("SELECT 1 FROM pg_database WHERE datname = '%s'" % name).strip():
            self.create_database(name)
        return self.url_of(name)

    def log_tail(self, size=2000):
        try:
            with open(self.log, errors="replace") as log:
                return "\n--- postgres.log ---\n" + log.read()[-size:]
        except (OSError, AttributeError, TypeError):
            return ""

    def _start_watchdog(self):
        """A process of its own session that stops the server and removes the folder if
        this process dies without doing so (SIGKILL, as ctest's timeout sends): it waits
        for the end of a pipe whose only writer is this process, so no polling."""
        read_end, write_end = os.pipe()  # not inherited by other children (PEP 446)
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", WATCHDOG, str(self.postmaster_pid), self.folder], stdin=read_end,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(read_end)
        self._watchdog_pipe = write_end

    def stop(self):
        """Stops the server by its PID (fast shutdown, then SIGKILL) and removes the folder."""
        watchdog = getattr(self, "_watchdog", None)
        if watchdog:
            # Ended first: once the server is gone its PID may be another process's.
            watchdog.kill()
            watchdog.wait()
            os.close(self._watchdog_pipe)
            self._watchdog = None
        if self.postmaster_pid:
            try:
                os.kill(self.postmaster_pid, signal.SIGINT)  # PostgreSQL's "fast" shutdown
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline and _alive(self.postmaster_pid):
                    time.sleep(0.05)
                if _alive(self.postmaster_pid):
                    os.kill(self.postmaster_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.postmaster_pid = None
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def environment(self):
        """What tests read (chatapp_testing.Server) to run chatapp on this server."""
        return {"CHATAPP_STORE": self.url, "CHATAPP_STORE_PASSWORD_FILE": self.password_file,
                "CHATAPP_TEST_POSTGRES_SOCKET": self.socket_dir, "CHATAPP_TEST_POSTGRES_PORT": str(self.port)}


WATCHDOG = """
import os, shutil, signal, sys, time
sys.stdin.buffer.read()  # end of file: the process that started PostgreSQL is gone
pid, folder = int(sys.argv[1]), sys.argv[2]
try:
    os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and os.path.exists("/proc/%d" % pid):
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
except ProcessLookupError:
    pass
shutil.rmtree(folder, ignore_errors=True)
"""


def _alive(pid):
    # The postmaster is not our child when started by pg_ctl, so no waitpid: kill(0).
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open("/proc/%d/stat" % pid) as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def run_checks_against_postgres(checks, binary):
    """A test script's main: a throwaway PostgreSQL for `checks` (each called with the
    binary and it), always stopped, also when ctest ends the test with SIGTERM. Returns
    the exit code: 77 when PostgreSQL is missing and cannot be installed (not root)."""
    from chatapp_testing import run_checks
    try:
        postgres = TemporaryPostgres().__enter__()
    except PostgresFailure as failure:
        if os.geteuid() != 0 and not server_binaries():
            print("SKIP: %s" % failure)
            return 77
        raise
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        failures = run_checks(checks, binary, postgres)
    finally:
        postgres.stop()
    signal.alarm(0)
    return 1 if failures else 0


def database_name(data_dir):
    import hashlib
    return "t_" + hashlib.sha1(os.path.abspath(data_dir).encode()).hexdigest()[:20]


def database_for(data_dir):
    """The URL of a database of the test PostgreSQL (from the environment) that belongs
    to `data_dir`: created on first use, the same one again when a test restarts its
    server on the same folder, so each test's store starts empty as with SQLite."""
    name = database_name(data_dir)
    socket_dir = os.environ["CHATAPP_TEST_POSTGRES_SOCKET"]
    port = os.environ["CHATAPP_TEST_POSTGRES_PORT"]
    admin = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", socket_dir, "-p", port, "-U", ADMIN,
             "-d", "postgres"]
    exists = subprocess.run(admin + ["-c", "SELECT 1 FROM pg_database WHERE datname = '%s'" % name],
                            capture_output=True, text=True, check=True).stdout.strip()
    if not exists:
        subprocess.run(admin + ["-c", 'CREATE DATABASE "%s" OWNER %s' % (name, USER)], capture_output=True,
                       text=True, check=True)
    base = os.environ["CHATAPP_STORE"]
    return base[:base.rindex("/") + 1] + name


def main(arguments):
    if not arguments or arguments[0] not in ("run", "start"):
        print(__doc__)
        return 2
    # ctest ends a test that runs over its time with SIGTERM first: stop the server then too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with TemporaryPostgres() as postgres:
        if arguments[0] == "start":
            print(postgres.url, flush=True)
            print("password file:", postgres.password_file, flush=True)
            try:
                sys.stdin.read()
            except KeyboardInterrupt:
                pass
            return 0
        commands = arguments[1:]
        if commands[:1] == ["--"]:
            commands = commands[1:]
        environment = dict(os.environ, **postgres.environment())
        result = subprocess.run(commands, env=environment)
        return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
