"""What the package tests share: a clean Debian root to run things in as a user would,
processes with deadlines, HTTP to a server inside the root, the README's marked shell
blocks, and screenshots of an X server taken with xwd. Standard library only."""

import argparse
import hashlib
import json
import os
import re
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import Failure, Xvfb, wait_until  # noqa: E402,F401

HOST = "127.0.0.1"
TESTER = "tester"            # the unprivileged user who runs the AppImage and the window
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


# --- checks ----------------------------------------------------------------------------

class Fatal(Exception):
    """A failure after which the remaining checks cannot run."""


passed = []
failed = []


def log(message):
    print(message, flush=True)


def check(name, function, *arguments):
    """Runs one check; a Failure is recorded and the run goes on."""
    started = time.monotonic()
    try:
        function(*arguments)
    except Failure as failure:
        failed.append(name)
        log("FAIL %s: %s" % (name, failure))
        return False
    passed.append(name)
    log("ok   %s (%.1f s)" % (name, time.monotonic() - started))
    return True


def require(name, function, *arguments):
    if not check(name, function, *arguments):
        raise Fatal(name)


def expect(condition, what):
    if not condition:
        raise Failure(what)


def run_bounded(what, seconds, body):
    """Runs body() under an alarm, turns Fatal into a recorded failure, prints the count
    line and returns the exit code: 1 if any check failed."""
    def on_alarm(_signum, _frame):
        raise Fatal("%s took over %d s" % (what, seconds))

    def on_terminate(signum, _frame):
        raise Fatal("stopped by signal %d" % signum)
    signal.signal(signal.SIGALRM, on_alarm)
    # So that every `finally` runs: Xvfb and the processes in the root are stopped.
    signal.signal(signal.SIGTERM, on_terminate)
    signal.signal(signal.SIGHUP, on_terminate)
    signal.alarm(seconds)
    started = time.monotonic()
    try:
        body()
    except Fatal as fatal:
        if str(fatal) not in failed:
            failed.append(str(fatal))
        log("stopped: %s" % fatal)
    finally:
        signal.alarm(0)
    log("%s: %.0f s" % (what, time.monotonic() - started))
    log("%s: %d passed, %d failed" % (what, len(passed), len(failed)))
    return 1 if failed else 0


def tail(path, size=1500):
    try:
        with open(path, "rb") as file:
            return file.read()[-size:].decode(errors="replace")
    except OSError as error:
        return "(no log: %s)" % error


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


# --- the root --------------------------------------------------------------------------

class Root:
    """A debootstrapped Debian root (tests/package/clean-root.sh), entered with chroot. It
    shares this machine's network and mount namespace: its servers are reached on
    127.0.0.1, and its mounts show in this machine's /proc/mounts under its path."""

    def __init__(self, path, suite, artifacts):
        self.path = os.path.realpath(path)
        self.suite = suite
        self.artifacts = artifacts
        self.processes = []

    def host_path(self, inside):
        return os.path.join(self.path, inside.lstrip("/"))

    def command(self, argv, user=None, env=None, cwd=None):
        """argv run inside the root, as user, with exactly env (plus PATH and LANG)."""
        environment = {"PATH": PATH, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        if user and user != "root":
            home = "/home/" + user if user == TESTER else "/"
            environment.update(HOME=home, USER=user, LOGNAME=user)
        else:
            environment.update(HOME="/root", USER="root", LOGNAME="root")
        environment.update(env or {})
        inner = ["env", "-i"] + ["%s=%s" % item for item in environment.items()]
        if cwd:
            inner = inner + ["sh", "-c", 'cd "$0" && exec "$@"', cwd]
        inner = inner + list(argv)
        if user and user != "root":
            inner = ["setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups"] + inner
        return ["chroot", self.path] + inner

    def run(self, argv, user=None, env=None, cwd=None, timeout=60, stdin=None):
        try:
            return subprocess.run(self.command(argv, user, env, cwd), input=stdin,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failure("%s did not finish within %d s" % (" ".join(argv), timeout))

    def run_ok(self, argv, what, **keywords):
        result = self.run(argv, **keywords)
        output = result.stdout.decode(errors="replace")
        expect(result.returncode == 0, "%s exited %d: %s" % (what, result.returncode, output[-2000:]))
        return output

    def start(self, label, argv, user=None, env=None, cwd=None):
        """A process with its stdout on a pipe (for the listening line) and its stderr
        in ARTIFACTS/label.log."""
        log_path = os.path.join(self.artifacts, label + ".log")
        with open(log_path, "wb") as log_file:
            process = subprocess.Popen(self.command(argv, user, env, cwd),
                                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=log_file, start_new_session=True)
        process.label = label
        process.log_path = log_path
        self.processes.append(process)
        return process

    def apt(self, arguments, timeout=600):
        """apt-get as root in the root, answering yes; its downloads are cached."""
        return self.run_ok(["apt-get", "-y", "-q", "--no-install-recommends"] + arguments,
                           "apt-get " + " ".join(arguments),
                           env={"DEBIAN_FRONTEND": "noninteractive"}, timeout=timeout, stdin=b"")

    def stop_all(self):
        for process in self.processes:
            stop(process, signal.SIGKILL)


def stop(process, how=signal.SIGTERM, seconds=10):
    """Signals the process the test started and waits for its exit code. SIGTERM goes to
    that process alone: it must reach the app through the AppImage runtime by itself.
    SIGKILL goes to its whole process group."""
    if process.poll() is None:
        try:
            if how == signal.SIGKILL:
                os.killpg(process.pid, how)
            else:
                os.kill(process.pid, how)
        except ProcessLookupError:
            pass
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
        raise Failure("%s did not stop within %d s of signal %d" % (process.label, seconds, how))


def read_line(process, seconds, what):
    """One line of the process's stdout, within a deadline."""
    line = bytearray()
    deadline = time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                raise Failure("no %s within %d s; stderr: %s" % (what, seconds, tail(process.log_path)))
            byte = os.read(process.stdout.fileno(), 1)
            if not byte:
                raise Failure("%s exited before the %s (code %s); stderr: %s"
                              % (process.label, what, process.wait(), tail(process.log_path)))
            line += byte
    return line.decode(errors="replace")


def wait_listening(process, seconds=60):
    line = read_line(process, seconds, "listening line")
    match = re.fullmatch(r"chatapp: listening on http://[0-9.]+:(\d+)\n", line)
    expect(match, "unexpected first line %r" % line)
    return int(match.group(1))


# --- HTTP, from this machine to the server in the root (same network namespace) -------

def http(method, port, path, body=None, headers=None):
    data = urllib.parse.urlencode(body).encode() if body is not None else None
    request = urllib.request.Request("http://%s:%d%s" % (HOST, port, path), data=data,
                                     method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError as error:
        raise Failure("%s %s failed: %s" % (method, path, error))


def check_server_answers(port):
    status, body = http("GET", port, "/healthz")
    expect(status == 200, "/healthz answered %d %r" % (status, body))
    expect(json.loads(body) == {"status": "ok"}, "/healthz said %r" % body)


def post_message(port, author, text):
    status, body = http("POST", port, "/api/v1/rooms/general/messages",
                        {"author": author, "text": text})
    expect(status == 201, "POST answered %d %r" % (status, body))


def stored_texts(port):
    status, body = http("GET", port, "/api/v1/rooms/general/messages?after=0")
    expect(status == 200, "GET messages answered %d %r" % (status, body))
    return [(m["author"], m["text"]) for m in json.loads(body)["messages"]]


def members(port, room="general"):
    status, body = http("GET", port, "/api/v1/rooms/%s/members" % room)
    if status != 200:
        return []
    return [member["name"] for member in json.loads(body)["members"]]


def check_window_joins(root, label, argv, port, name, env, user=TESTER, cwd=None):
    """The window process stays up and the server lists it among the room's members."""
    window = root.start(label, argv, user=user, env=env, cwd=cwd)
    try:
        def joined():
            code = window.poll()
            if code is not None:
                raise Failure("the window exited with %d; its output: %s" % (code, tail(window.log_path)))
            return name in members(port)
        wait_until(joined, 60, lambda: "%s among the members (have %s); window output: %s"
                   % (name, members(port), tail(window.log_path)))
        expect(window.poll() is None, "the window exited after joining: %s" % tail(window.log_path))
        output = tail(window.log_path, 20000)
        expect("Could not load the Qt platform plugin" not in output, output)
    finally:
        stop(window, signal.SIGKILL)
    return window


def check_window_shows_on_xcb(root, label, argv, port, name, artifacts):
    """The window on a real X server (Xvfb, Qt's xcb platform): it joins the room, a
    visible window titled ChatApp appears, and a screenshot of it is kept in
    ARTIFACTS/label.png. Returns its WM_CLASS."""
    xvfb = Xvfb(os.path.join(artifacts, label + "-xvfb.log"), screen="1024x700x24")
    socket_dir = root.host_path("/tmp/.X11-unix")
    os.makedirs(socket_dir, exist_ok=True)
    subprocess.run(["mount", "--bind", "/tmp/.X11-unix", socket_dir], check=True)
    window = None
    try:
        window = root.start(label, argv, user=TESTER,
                            env={"DISPLAY": xvfb.display, "QT_QPA_PLATFORM": "xcb",
                                 "XDG_CONFIG_HOME": "/tmp/%s-config" % label})

        def joined():
            expect(window.poll() is None, "the window exited with %s: %s"
                   % (window.poll(), tail(window.log_path)))
            return name in members(port)
        wait_until(joined, 60, lambda: "%s among the members; window output: %s"
                   % (name, tail(window.log_path)))
        env = dict(os.environ, DISPLAY=xvfb.display)

        def visible_window():
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "ChatApp"],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   timeout=10)
            return found.returncode == 0 and found.stdout.split()[0].decode()
        window_id = wait_until(visible_window, 30, "a visible window titled ChatApp on the X server")
        png = os.path.join(artifacts, label + ".png")

        def painted():
            # A painted window has text (many shades, from anti-aliasing), not one flat colour.
            dump = subprocess.run(["xwd", "-root", "-silent"], env=env, stdout=subprocess.PIPE,
                                  timeout=20, check=True).stdout
            width, height, rows = xwd_to_rgb(dump)
            colours = set()
            for row in rows[::4]:
                colours.update(row[i:i + 3] for i in range(0, len(row), 12))
            write_png(png, width, height, rows)
            return len(colours) >= 24
        wait_until(painted, 30, "a painted window in the screenshot %s" % png)
        log("     screenshot: %s" % png)
        return subprocess.run(["xprop", "-id", window_id, "WM_CLASS"], env=env, timeout=10,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout.decode()
    finally:
        if window:
            stop(window, signal.SIGKILL)
        xvfb.kill()
        subprocess.run(["umount", socket_dir])


# --- the README's marked blocks --------------------------------------------------------

def readme_block(readme, name):
    """The shell block after `<!-- package-test: NAME -->` in the README."""
    with open(readme, encoding="utf-8") as file:
        text = file.read()
    match = re.search(r"<!-- package-test: %s -->\s*\n```(?:sh|console|bash)?\n(.*?)```"
                      % re.escape(name), text, re.S)
    if not match:
        raise Failure("the README has no block marked <!-- package-test: %s -->" % name)
    return match.group(1)


def as_root_in_root(block):
    """The README's lines as root types them: without sudo (the root has none)."""
    return re.sub(r"(^|[;&|]\s*)sudo\s+", r"\1", block, flags=re.M)


# --- screenshots: xwd's dump to PNG --------------------------------------------------

def xwd_to_rgb(data):
    fields = struct.unpack(">25I", data[:100])
    (header_size, _version, _format, _depth, width, height, _xoffset, byte_order, _unit,
     _bit_order, _pad, bits_per_pixel, bytes_per_line, _visual, red_mask, green_mask,
     blue_mask, _bits_rgb, _entries, ncolors) = fields[:20]
    expect(bits_per_pixel in (24, 32), "xwd dump with %d bits per pixel" % bits_per_pixel)
    size = bits_per_pixel // 8
    offset = header_size + ncolors * 12
    order = "little" if byte_order == 0 else "big"

    def shift(mask):
        return (mask & -mask).bit_length() - 1
    shifts = [shift(m) for m in (red_mask, green_mask, blue_mask)]
    rows = []
    for y in range(height):
        start = offset + y * bytes_per_line
        line = data[start:start + size * width]
        expect(len(line) == size * width, "the xwd dump is cut short")
        row = bytearray()
        for x in range(0, len(line), size):
            value = int.from_bytes(line[x:x + size], order)
            row += bytes(((value & red_mask) >> shifts[0], (value & green_mask) >> shifts[1],
                          (value & blue_mask) >> shifts[2]))
        rows.append(bytes(row))
    return width, height, rows


def write_png(path, width, height, rows):
    def chunk(kind, payload):
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xffffffff))
    raw = b"".join(b"\x00" + row for row in rows)
    with open(path, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n")
        file.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        file.write(chunk(b"IDAT", zlib.compress(raw, 6)))
        file.write(chunk(b"IEND", b""))


def root_test_options(suites=None):
    """The command line tests/package/run.sh gives a test that runs in a root."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--suite", required=True, choices=suites)
    parser.add_argument("--packages", required=True)
    parser.add_argument("--readme", required=True)
    parser.add_argument("--artifacts", required=True)
    return parser.parse_args()


# --- what make package made ----------------------------------------------------------

class Packages:
    def __init__(self, directory):
        def one(pattern):
            found = sorted(f for f in os.listdir(directory) if re.fullmatch(pattern, f))
            return os.path.join(directory, found[-1]) if found else None
        self.directory = directory
        self.appimage = one(r"ChatApp-[0-9.]+-x86_64\.AppImage")
        self.appdir = os.path.join(directory, "ChatApp.AppDir")
        self.debs = {release: one(r"chatapp_[0-9.]+\+deb%d_amd64\.deb" % release) for release in (12, 13)}
        match = re.search(r"ChatApp-([0-9.]+)-x86_64", self.appimage or "")
        self.version = match.group(1) if match else None

    def require_all(self):
        expect(self.appimage and self.version and os.path.isdir(self.appdir)
               and all(self.debs.values()),
               "in %s: AppImage %s, AppDir %s, .debs %s" % (self.directory, self.appimage,
                                                             os.path.isdir(self.appdir), self.debs))
