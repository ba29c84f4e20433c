"""What the Python tests share: `chatapp --serve` on an ephemeral port, and waiting on
a condition with a deadline. Standard library only, as a student's client would be."""

import http.client
import json
import os
import re
import selectors
import signal
import socket
import subprocess
import tempfile
import time

HOST = "127.0.0.1"
SOCKET_TIMEOUT = 10


class Failure(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Failure(what)


def bound_whole_file(seconds):
    """From now on, a Failure in the main thread once `seconds` have passed: no test file
    runs forever. signal.alarm(0) lifts it."""
    def out_of_time(*_):
        raise Failure("the whole file ran over %d s" % seconds)
    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(seconds)


def run_checks(checks, *arguments):
    """Calls each check with `arguments`, printing PASS or FAIL; returns how many failed."""
    failures = 0
    for one in checks:
        try:
            one(*arguments)
            print("PASS", one.__name__)
        except Failure as failure:
            failures += 1
            print("FAIL", one.__name__, "-", failure)
    return failures


def wait_until(condition, seconds, what):
    """Polls condition() until it returns something true, which is returned."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure("timed out after %s s waiting for %s" % (seconds, what() if callable(what) else what))
        time.sleep(0.05)


def read_line(stream, seconds, what):
    """One line from a pipe, within a deadline, without blocking past it."""
    line = bytearray()
    deadline = time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                raise Failure("no %s within %d s" % (what, seconds))
            byte = os.read(stream if isinstance(stream, int) else stream.fileno(), 1)
            if not byte:
                raise Failure("end of file before the %s (got %r)" % (what, bytes(line)))
            line += byte
    return bytes(line)


def tail(path, size=2000):
    try:
        with open(path, "rb") as log:
            return log.read()[-size:].decode(errors="replace")
    except OSError as error:
        return "(no log: %s)" % error


def store_arguments(data_dir, extra_args):
    """With CHATAPP_STORE set (postgres_for_tests.py run sets it), the server stores in
    PostgreSQL: in a database of its own for each data folder, so that tests keep their
    stores apart and a restart on the same folder finds the same messages."""
    if not os.environ.get("CHATAPP_STORE") or "--store" in extra_args:
        return []
    import postgres_for_tests
    return ["--store", postgres_for_tests.database_for(data_dir),
            "--store-password-file", os.environ["CHATAPP_STORE_PASSWORD_FILE"]]


class Server:
    """`chatapp --serve` on 127.0.0.1 and a free port, its stderr in `log_path`. A
    `command_prefix` that execs what follows (["prlimit", "--nofile=1024:1024"]) keeps
    the process's pid the server's."""

    def __init__(self, binary, data_dir, log_path, extra_args=(), quiet=True, command_prefix=()):
        self.log_path = log_path
        extra_args = [*extra_args, *store_arguments(data_dir, extra_args)]
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                [*command_prefix, binary, "--serve", HOST, "0", "--data-dir", data_dir,
                 *(["--quiet"] if quiet else []), *extra_args],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log)
        try:
            line = read_line(self.process.stdout, 10, "listening line from the server")
        except BaseException:
            self.kill()  # not yet known to the caller, which could not kill it
            raise
        match = re.fullmatch(rb"chatapp: listening on (https?)://127\.0\.0\.1:(\d+)\n", line)
        check(match, "unexpected listening line %r; stderr: %s" % (line, tail(log_path)))
        self.scheme = match.group(1).decode()
        self.port = int(match.group(2))

    @property
    def stderr(self):
        return tail(self.log_path)

    def url(self, path):
        return "%s://%s:%d%s" % (self.scheme, HOST, self.port, path)

    def request(self, method, path, body=None, headers=None, source=None):
        """(status, headers, parsed JSON or raw bytes); `source` binds the client's address."""
        connection = http.client.HTTPConnection(
            HOST, self.port, timeout=SOCKET_TIMEOUT, source_address=(source, 0) if source else None)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            data = response.read()
            try:
                parsed = json.loads(data)
            except ValueError:
                parsed = data
            return response.status, response.headers, parsed
        finally:
            connection.close()

    def get(self, path):
        status, _, parsed = self.request("GET", path)
        check(status == 200, "GET %s answered %d: %r" % (path, status, parsed))
        return parsed

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=10)

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=5)


class Xvfb:
    """An X server of our own; -displayfd lets it pick a free display and say when ready."""

    def __init__(self, log_path, screen="1280x800x24"):
        self.log_path = log_path
        read_end, write_end = os.pipe()
        try:
            with open(log_path, "wb") as log:
                self.process = subprocess.Popen(
                    ["Xvfb", "-displayfd", str(write_end), "-screen", "0", screen,
                     "-nolisten", "tcp", "-noreset"],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=log, pass_fds=(write_end,))
            os.close(write_end)
            write_end = None
            try:
                line = read_line(read_end, 10, "display number from Xvfb")
            except Failure as failure:
                self.kill()
                raise Failure("%s; Xvfb log: %s" % (failure, tail(log_path)))
            except BaseException:
                self.kill()
                raise
        finally:
            if write_end is not None:
                os.close(write_end)
            os.close(read_end)
        check(re.fullmatch(rb"\d+\n", line), "Xvfb wrote %r as its display" % line)
        number = int(line)
        self.display = ":%d" % number
        socket_path = "/tmp/.X11-unix/X%d" % number
        wait_until(lambda: os.path.exists(socket_path), 5, "the socket " + socket_path)

    def kill(self):
        stop_process(self.process)


def stop_process(process):
    """SIGTERM, and SIGKILL if it is not gone within 5 s: a helper (Xvfb, a proxy) that
    outlived its test would hold its port or display for the next."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait(timeout=5)


def resident_kib(pid):
    """The process's resident memory, in KiB."""
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise Failure("no VmRSS for %d" % pid)


def is_sanitized(pid):
    """Whether the process runs with AddressSanitizer, whose quarantine makes its memory
    figures meaningless."""
    with open("/proc/%d/maps" % pid) as maps:
        return "libasan" in maps.read()


def refused_start(binary, data_dir, log_path):
    """Starts the server on `data_dir`, which it must refuse (exit 1 without listening):
    returns the end of what it said."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [binary, "--serve", HOST, "0", "--data-dir", data_dir, "--quiet"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log)
    try:
        try:
            line = read_line(process.stdout, 10, "end of the server's output")
        except Failure:
            line = None  # the output ended: it exited without listening
        check(line is None, "the server started instead (%r): %s" % (line, tail(log_path)))
        code = process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
    check(code == 1, "the server exited with %d, not 1: %s" % (code, tail(log_path)))
    return tail(log_path)


def run_with_server(binary, extra_args, checks):
    """Runs `checks` against one server started with `extra_args` on a fresh data
    directory; returns how many failed, counting the server's death as one more."""
    failures = 0
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir, os.path.join(data_dir, "server.log"), extra_args)
        try:
            failures += run_checks(checks, server)
            if server.process.poll() is not None:
                failures += 1
                print("FAIL the server died:", server.stderr)
        finally:
            server.kill()
    return failures


def metric(server, name):
    """The value of the series `name` in the server's /metrics, or None when absent."""
    text = server.get("/metrics")
    text = text.decode() if isinstance(text, bytes) else text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def stalled_reader(server, messages, text):
    """An SSE stream of `lab` whose reader takes nothing (a 4 KiB receive buffer), then
    `messages` sends of `text` numbered "N-": the server is left holding output for it.
    Returns the reader's socket, for the caller to read or close."""
    check(server.request("PUT", "/api/v1/rooms/lab")[0] == 201, "PUT lab failed")
    reader = socket.socket()
    try:
        reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        reader.connect((HOST, server.port))
        reader.sendall(b"GET /api/v1/rooms/lab/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        wait_until(lambda: metric(server, "chatapp_open_connections") >= 1, 5, "the stream to be open")
        connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
        try:
            for i in range(messages):
                connection.request("POST", "/api/v1/rooms/lab/messages", body="author=ana&text=%d-%s" % (i, text),
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
                response = connection.getresponse()
                response.read()
                check(response.status == 201, "send %d answered %d" % (i, response.status))
        finally:
            connection.close()
        wait_until(lambda: (metric(server, "chatapp_unsent_bytes") or 0) > 0, 5,
                   "output to wait in the server for the reader that does not read")
    except BaseException:
        reader.close()
        raise
    return reader


def all_entries(server, room):
    """Every entry of `room` the server gives, oldest first, a page at a time."""
    entries, after = [], 0
    while True:
        page = server.get("/api/v1/rooms/%s/messages?after=%d&limit=1000" % (room, after))
        if not page["messages"]:
            return entries
        entries += page["messages"]
        after = page["messages"][-1]["id"]


def stored_texts(server, room="lab"):
    """The texts the server has stored in `room`, oldest first."""
    return [m["text"] for m in server.get("/api/v1/rooms/%s/messages?after=0&limit=1000" % room)["messages"]]


def exchange_until_closed(server, data, seconds):
    """Sends `data` on a new connection; returns what the server sent back until it
    closed, and whether it closed within `seconds`."""
    deadline = time.monotonic() + seconds
    connection = socket.create_connection((HOST, server.port), timeout=seconds)
    try:
        connection.sendall(data)
        answer = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return answer, False
            connection.settimeout(left)
            try:
                chunk = connection.recv(65536)
            except socket.timeout:
                return answer, False
            except ConnectionResetError:
                return answer, True
            if not chunk:
                return answer, True
            answer += chunk
    finally:
        connection.close()
