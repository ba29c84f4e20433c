#!/usr/bin/env python3
"""ChatApp's packages, installed and run in a clean Debian 12 root, as a user would.

tests/package/run.sh extracts a fresh debootstrap root (no Qt, no X, no fonts) and calls
this with it. With nothing but Python's standard library, chroot, Xvfb and xwd it checks:

  * desktop-file-validate accepts resources/chatapp.desktop and the copies in the .deb
    and the AppDir; the .deb holds the binary, .desktop file, icon, man page and unit,
    and its Depends were computed (Qt libraries) as well as named (plugins);
  * the AppImage's payload, in the root before any Qt is installed: the README's lines
    that unpack and start it work as written; `AppRun --version`; `AppRun --serve`
    answers /healthz and stores a POSTed message; the window starts offscreen and joins
    the room under its --name; on a real X server (Xvfb, Qt's xcb platform) the window
    shows, and a screenshot of it is saved in ARTIFACTS/appdir-window-xcb.png; the
    squashfs payload holds the same files as the tarball; the AppImage itself, if built;
  * the .deb: the README's install lines work as written; `chatapp --version`; the
    service's user and data directory exist and the service is not enabled; the server
    started exactly as the unit says (its user, environment, command line), with
    /etc/default/chatapp-server choosing the port, answers /healthz, stores a message
    that is still there after a restart, and stops cleanly on SIGTERM; the window from
    the .deb starts offscreen; systemd-analyze accepts the unit; purging works.

Every wait has a deadline and the whole file is bounded by an alarm. The last line says
how many checks passed and failed; the exit code is 1 if any failed.
"""

import argparse
import configparser
import json
import os
import re
import select
import selectors
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

WHOLE_FILE_SECONDS = 900
HOST = "127.0.0.1"
TESTER = "tester"            # the unprivileged user who runs the AppImage and the window
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import Failure, Xvfb, wait_until  # noqa: E402


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


def tail(path, size=1500):
    try:
        with open(path, "rb") as file:
            return file.read()[-size:].decode(errors="replace")
    except OSError as error:
        return "(no log: %s)" % error


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


# --- the root --------------------------------------------------------------------------

class Root:
    def __init__(self, path, artifacts):
        self.path = path
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
        log_path = os.path.join(self.artifacts, label + ".log")
        with open(log_path, "wb") as log_file:
            process = subprocess.Popen(self.command(argv, user, env, cwd),
                                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=log_file, start_new_session=True)
        process.label = label
        process.log_path = log_path
        self.processes.append(process)
        return process

    def stop_all(self):
        for process in self.processes:
            stop(process, signal.SIGKILL)


def stop(process, how=signal.SIGTERM, seconds=10):
    if process.poll() is None:
        try:
            os.killpg(process.pid, how)
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


def wait_listening(process):
    line = read_line(process, 20, "listening line")
    match = re.fullmatch(r"chatapp: listening on http://127\.0\.0\.1:(\d+)\n", line)
    expect(match, "unexpected first line %r" % line)
    return int(match.group(1))


# --- HTTP, from this machine to the server in the root (same network namespace) -------

def http(method, port, path, body=None):
    data = urllib.parse.urlencode(body).encode() if body is not None else None
    request = urllib.request.Request("http://%s:%d%s" % (HOST, port, path), data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
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


def check_window_joins(root, label, argv, port, name, env, user=TESTER):
    """The window process stays up and the server lists it among the room's members."""
    window = root.start(label, argv, user=user, env=env)
    try:
        def joined():
            code = window.poll()
            if code is not None:
                raise Failure("the window exited with %d; its output: %s" % (code, tail(window.log_path)))
            return name in members(port)
        wait_until(joined, 30, lambda: "%s among the members (have %s); window output: %s"
                   % (name, members(port), tail(window.log_path)))
        expect(window.poll() is None, "the window exited after joining: %s" % tail(window.log_path))
        output = tail(window.log_path, 20000)
        expect("Could not load the Qt platform plugin" not in output, output)
    finally:
        stop(window, signal.SIGKILL)
    return window


# --- the README's install lines ------------------------------------------------------

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


# --- the checks ------------------------------------------------------------------------

class Packages:
    def __init__(self, directory):
        def one(pattern):
            found = sorted(f for f in os.listdir(directory) if re.fullmatch(pattern, f))
            return os.path.join(directory, found[-1]) if found else None
        self.deb = one(r"chatapp_[0-9.]+_amd64\.deb")
        self.tarball = one(r"ChatApp-[0-9.]+-x86_64\.tar\.gz")
        self.squashfs = one(r"ChatApp-[0-9.]+-x86_64\.squashfs")
        self.appimage = one(r"ChatApp-[0-9.]+-x86_64\.AppImage")
        match = re.search(r"ChatApp-([0-9.]+)-x86_64", self.tarball or "")
        self.version = match.group(1) if match else None
        self.appdir_name = "ChatApp-%s-x86_64" % self.version


def check_desktop_files(options, packages, scratch):
    subjects = [options.desktop_file]
    extracted = os.path.join(scratch, "deb")
    subprocess.run(["dpkg-deb", "-x", packages.deb, extracted], check=True)
    subjects.append(os.path.join(extracted, "usr/share/applications/chatapp.desktop"))
    with tarfile.open(packages.tarball) as tarball:
        member = tarball.getmember(packages.appdir_name + "/chatapp.desktop")
        path = os.path.join(scratch, "appdir-chatapp.desktop")
        with open(path, "wb") as file:
            file.write(tarball.extractfile(member).read())
        subjects.append(path)
    for subject in subjects:
        expect(os.path.isfile(subject), "no %s" % subject)
        result = subprocess.run(["desktop-file-validate", subject], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        output = result.stdout.decode(errors="replace").strip()
        # Errors and warnings fail; hints (advice, such as on menu categories) are shown.
        expect(result.returncode == 0 and not re.search(r": (error|warning): ", output),
               "desktop-file-validate %s: exit %d: %s" % (subject, result.returncode, output))
        for line in output.splitlines():
            log("     %s" % line)


def check_deb_contents(packages):
    listing = subprocess.run(["dpkg-deb", "-c", packages.deb], stdout=subprocess.PIPE,
                             check=True).stdout.decode()
    for path in ["./usr/bin/chatapp", "./usr/share/applications/chatapp.desktop",
                 "./usr/share/icons/hicolor/scalable/apps/chatapp.svg",
                 "./usr/share/man/man1/chatapp.1.gz",
                 "./usr/lib/systemd/system/chatapp-server.service"]:
        expect(re.search(r" %s$" % re.escape(path), listing, re.M), "the .deb has no %s" % path)
    depends = subprocess.run(["dpkg-deb", "-f", packages.deb, "Depends"], stdout=subprocess.PIPE,
                             check=True).stdout.decode()
    # Computed by dpkg-shlibdeps (with versions), and the plugins named by hand.
    for package in ["libqt6core6 (>=", "libqt6gui6 (>=", "libqt6widgets6 (>=",
                    "libqt6network6 (>=", "libqt6httpserver6 (>=", "libqt6sql6 (>=",
                    "libqt6sql6-sqlite", "libqt6svg6", "adduser"]:
        expect(package in depends, "Depends lacks %s: %s" % (package, depends))


def check_no_qt(root):
    output = root.run_ok(["dpkg-query", "-W", "-f", "${Package}\\n"], "dpkg-query")
    qt = [p for p in output.split() if re.match(r"(lib)?qt6|libqt", p)]
    expect(not qt, "the clean root already has Qt packages: %s" % qt)
    for directory, dirs, files in os.walk(root.path):
        if directory[len(root.path):].startswith(("/proc", "/dev", "/sys")):
            dirs[:] = []
            continue
        hits = [f for f in files if f.startswith(("libQt6Core.so", "libxcb.so", "libEGL.so",
                                                  "libfontconfig.so"))]
        expect(not hits, "the clean root has %s in %s" % (hits, directory))
    expect(not os.path.exists(root.host_path("/etc/fonts/fonts.conf")), "the root has fontconfig")


def setup_tester(root, packages):
    root.run_ok(["useradd", "--create-home", "--shell", "/bin/sh", TESTER], "useradd")
    home = root.host_path("/home/" + TESTER)
    for path in [packages.tarball, packages.appimage]:
        if path:
            shutil.copy(path, home)
    uid_gid = root.run_ok(["id", "-u", TESTER], "id").strip(), root.run_ok(["id", "-g", TESTER], "id").strip()
    for name in os.listdir(home):
        os.chown(os.path.join(home, name), int(uid_gid[0]), int(uid_gid[1]))


def check_readme_appdir_lines(root, options, packages):
    block = readme_block(options.readme, "appdir-run")
    output = root.run_ok(["sh", "-ec", block], "the README's AppDir lines", user=TESTER,
                         cwd="/home/" + TESTER, timeout=120)
    expect("chatapp %s" % packages.version in output.splitlines(),
           "the README's AppDir lines printed no 'chatapp %s': %s" % (packages.version, output))


def appdir_apprun(packages):
    return "/home/%s/%s/AppRun" % (TESTER, packages.appdir_name)


def check_appdir_version(root, packages):
    output = root.run_ok([appdir_apprun(packages), "--version"], "AppRun --version", user=TESTER)
    expect(output.strip() == "chatapp %s" % packages.version, "AppRun --version said %r" % output)


class State:
    appdir_port = None


def check_appdir_serves(root, packages):
    server = root.start("appdir-server", [appdir_apprun(packages), "--serve", HOST, "0",
                                          "--data-dir", "/home/%s/chat-data" % TESTER],
                        user=TESTER)
    State.appdir_server = server
    port = wait_listening(server)
    State.appdir_port = port
    check_server_answers(port)
    post_message(port, "appdir", "hello from the AppDir")
    expect(("appdir", "hello from the AppDir") in stored_texts(port), "the message is not listed")
    expect(os.path.isfile(root.host_path("/home/%s/chat-data/chatapp.db" % TESTER)),
           "no chatapp.db in the data directory")


def check_appdir_window_offscreen(root, packages):
    expect(State.appdir_port, "no server to connect to")
    check_window_joins(root, "appdir-window-offscreen",
                       [appdir_apprun(packages), HOST, str(State.appdir_port), "--name", "pkg-offscreen"],
                       State.appdir_port, "pkg-offscreen",
                       env={"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": "/tmp/offscreen-config"})


def check_appdir_window_xcb(root, packages, artifacts):
    expect(State.appdir_port, "no server to connect to")
    xvfb = Xvfb(os.path.join(artifacts, "xvfb.log"), screen="1024x700x24")
    socket_dir = root.host_path("/tmp/.X11-unix")
    os.makedirs(socket_dir, exist_ok=True)
    subprocess.run(["mount", "--bind", "/tmp/.X11-unix", socket_dir], check=True)
    window = None
    try:
        name = "pkg-xcb"
        window = root.start("appdir-window-xcb",
                            [appdir_apprun(packages), HOST, str(State.appdir_port), "--name", name],
                            user=TESTER, env={"DISPLAY": xvfb.display, "QT_QPA_PLATFORM": "xcb",
                                              "XDG_CONFIG_HOME": "/tmp/xcb-config"})

        def joined():
            expect(window.poll() is None, "the window exited with %s: %s"
                   % (window.poll(), tail(window.log_path)))
            return name in members(State.appdir_port)
        wait_until(joined, 30, lambda: "%s among the members; window output: %s"
                   % (name, tail(window.log_path)))
        env = dict(os.environ, DISPLAY=xvfb.display)
        wait_until(lambda: subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", "ChatApp"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10).returncode == 0,
            20, "a visible window titled ChatApp on the X server")
        png = os.path.join(artifacts, "appdir-window-xcb.png")

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
        wait_until(painted, 20, "a painted window in the screenshot %s" % png)
        log("     screenshot: %s" % png)
    finally:
        if window:
            stop(window, signal.SIGKILL)
        xvfb.kill()
        subprocess.run(["umount", socket_dir])


def check_payload_matches_tarball(packages, scratch):
    expect(packages.squashfs, "make package made no .squashfs payload")
    listing = subprocess.run(["unsquashfs", "-lc", "-d", "", packages.squashfs],
                             stdout=subprocess.PIPE, check=True).stdout.decode()
    in_image = {line.strip().lstrip("/") for line in listing.splitlines() if line.strip()}
    with tarfile.open(packages.tarball) as tarball:
        prefix = packages.appdir_name + "/"
        in_tarball = {m.name[len(prefix):] for m in tarball.getmembers()
                      if m.name.startswith(prefix) and not m.isdir()}
    expect(in_image == in_tarball, "the payload and the tarball differ: only in the payload %s, "
           "only in the tarball %s" % (sorted(in_image - in_tarball)[:10],
                                        sorted(in_tarball - in_image)[:10]))
    for required in ["AppRun", "chatapp.desktop", "chatapp.svg", ".DirIcon", "usr/bin/chatapp",
                     "usr/bin/qt.conf", "usr/plugins/platforms/libqxcb.so",
                     "usr/plugins/platforms/libqoffscreen.so", "usr/plugins/sqldrivers/libqsqlite.so",
                     "usr/plugins/tls/libqopensslbackend.so", "usr/plugins/imageformats/libqsvg.so",
                     "usr/lib/libQt6Core.so.6"]:
        expect(required in in_image, "the payload has no %s" % required)


def check_appimage(root, options, packages):
    block = readme_block(options.readme, "appimage-run")
    # No FUSE inside the root: the runtime extracts itself instead of mounting.
    output = root.run_ok(["sh", "-ec", block], "the README's AppImage lines", user=TESTER,
                         cwd="/home/" + TESTER, env={"APPIMAGE_EXTRACT_AND_RUN": "1"}, timeout=120)
    expect("chatapp %s" % packages.version in output.splitlines(),
           "the AppImage printed no 'chatapp %s': %s" % (packages.version, output))


def check_readme_deb_lines(root, options, packages):
    shutil.copy(packages.deb, root.host_path("/root"))
    # The user's "Y" to apt's question.
    with open(root.host_path("/etc/apt/apt.conf.d/90assume-yes"), "w") as file:
        file.write('APT::Get::Assume-Yes "true";\n')
    block = as_root_in_root(readme_block(options.readme, "deb-install"))
    output = root.run_ok(["sh", "-ec", block], "the README's .deb lines", cwd="/root",
                         env={"DEBIAN_FRONTEND": "noninteractive"}, timeout=600, stdin=b"")
    expect("chatapp %s" % packages.version in output.splitlines(),
           "the README's .deb lines printed no 'chatapp %s': %s" % (packages.version, output[-3000:]))


def check_deb_installed(root, packages):
    for path in ["/usr/bin/chatapp", "/usr/share/applications/chatapp.desktop",
                 "/usr/share/icons/hicolor/scalable/apps/chatapp.svg",
                 "/usr/share/man/man1/chatapp.1.gz", "/usr/lib/systemd/system/chatapp-server.service"]:
        expect(os.path.isfile(root.host_path(path)), "%s is not installed" % path)
    output = root.run_ok(["chatapp", "--version"], "chatapp --version", user=TESTER)
    expect(output.strip() == "chatapp %s" % packages.version, "chatapp --version said %r" % output)
    output = root.run_ok(["chatapp", "--help"], "chatapp --help", user=TESTER)
    expect("--name" in output and "--serve" in output, "chatapp --help said %r" % output)
    output = root.run_ok(["sh", "-c", "zcat /usr/share/man/man1/chatapp.1.gz"], "zcat")
    expect(".SH NAME" in output and "HOSTING A CHAT" in output, "the man page is %r" % output[:300])


def check_service_user(root):
    entry = root.run_ok(["getent", "passwd", "chatapp"], "getent passwd chatapp").strip().split(":")
    expect(int(entry[2]) < 1000, "chatapp's uid %s is not a system uid" % entry[2])
    expect(entry[5] == "/var/lib/chatapp", "chatapp's home is %s" % entry[5])
    expect(entry[6] in ("/usr/sbin/nologin", "/sbin/nologin", "/bin/false"), "chatapp's shell is %s" % entry[6])
    status = os.stat(root.host_path("/var/lib/chatapp"))
    expect(status.st_uid == int(entry[2]), "/var/lib/chatapp is not chatapp's")
    expect(status.st_mode & 0o777 == 0o750, "/var/lib/chatapp has mode %o" % (status.st_mode & 0o777))
    wants = []
    for directory, _dirs, files in os.walk(root.host_path("/etc/systemd")):
        wants += [os.path.join(directory, f) for f in files if f.startswith("chatapp")]
    expect(not wants, "the service is enabled: %s" % wants)


def parse_unit(path):
    parser = configparser.ConfigParser(strict=False, interpolation=None,
                                       comment_prefixes=("#", ";"))
    parser.optionxform = str
    with open(path, encoding="utf-8") as file:
        parser.read_file(file)
    return parser["Service"]


class Service:
    """The server started as the unit starts it: its User, Environment, EnvironmentFile
    (read after Environment, so its values win), WorkingDirectory and ExecStart."""

    def __init__(self, root, port):
        self.root = root
        unit = parse_unit(root.host_path("/usr/lib/systemd/system/chatapp-server.service"))
        self.user = unit["User"]
        expect(unit.get("Group") == self.user, "Group= %s" % unit.get("Group"))
        self.env = {}
        for assignment in shlex.split(unit.get("Environment", "")):
            key, _, value = assignment.partition("=")
            self.env[key] = value
        expect(self.env.get("CHATAPP_HOST") == "0.0.0.0" and self.env.get("CHATAPP_PORT") == "3550",
               "the unit's Environment= is %s" % self.env)
        environment_file = unit["EnvironmentFile"].lstrip("-")
        expect(environment_file == "/etc/default/chatapp-server", "EnvironmentFile=%s" % environment_file)
        # As the README says: the port (and here the address) in /etc/default/chatapp-server.
        with open(root.host_path(environment_file), "w") as file:
            file.write("CHATAPP_HOST=%s\nCHATAPP_PORT=%d\n" % (HOST, port))
        with open(root.host_path(environment_file)) as file:
            for line in file:
                if "=" in line and not line.startswith("#"):
                    key, _, value = line.strip().partition("=")
                    self.env[key] = value
        self.exec_start = shlex.split(unit["ExecStart"])
        expect(self.exec_start[0] == "/usr/bin/chatapp", "ExecStart=%s" % unit["ExecStart"])
        self.cwd = unit.get("WorkingDirectory")
        self.port = port
        self.process = None

    def start(self, label):
        self.process = self.root.start(label, self.exec_start, user=self.user, env=self.env, cwd=self.cwd)
        port = wait_listening(self.process)
        expect(port == self.port, "listening on %d, not on %d from /etc/default" % (port, self.port))

    def stop(self):
        code = stop(self.process, signal.SIGTERM, seconds=15)
        expect(code == 0, "the server exited %s on SIGTERM: %s" % (code, tail(self.process.log_path)))


def check_deb_service(root):
    service = Service(root, free_port())
    service.start("deb-server")
    try:
        check_server_answers(service.port)
        post_message(service.port, "deb", "stored by the service")
        expect(("deb", "stored by the service") in stored_texts(service.port), "the message is not listed")
        service.stop()
        database = root.host_path("/var/lib/chatapp/chatapp.db")
        expect(os.path.isfile(database), "no /var/lib/chatapp/chatapp.db")
        owner = root.run_ok(["stat", "-c", "%U", "/var/lib/chatapp/chatapp.db"], "stat").strip()
        expect(owner == "chatapp", "chatapp.db belongs to %s" % owner)
        # Stored: a new server on the same data has it.
        service.start("deb-server-again")
        expect(("deb", "stored by the service") in stored_texts(service.port),
               "the message is gone after a restart: %s" % stored_texts(service.port))
        # The window, installed by the .deb with its dependencies, against that server.
        check_window_joins(root, "deb-window-offscreen",
                           ["chatapp", HOST, str(service.port), "--name", "deb-offscreen"],
                           service.port, "deb-offscreen",
                           env={"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": "/tmp/deb-config"})
        service.stop()
    finally:
        if service.process and service.process.poll() is None:
            stop(service.process, signal.SIGKILL)


def check_unit_verifies(root):
    if not shutil.which("systemd-analyze"):
        raise Failure("systemd-analyze is not installed (packaging/install-deps.sh installs systemd)")
    # --man=no: the man page is in the root, where systemd-analyze would not look for it
    # (it is checked above).
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", "--root=" + root.path,
                             "/usr/lib/systemd/system/chatapp-server.service"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    output = result.stdout.decode(errors="replace")
    lines = [l for l in output.splitlines() if "chatapp" in l]
    expect(result.returncode == 0 and not lines, "systemd-analyze verify: exit %d: %s"
           % (result.returncode, output))


def check_purge(root):
    root.run_ok(["apt-get", "purge", "-y", "-q", "chatapp"], "apt-get purge chatapp",
                env={"DEBIAN_FRONTEND": "noninteractive"}, timeout=120)
    expect(not os.path.exists(root.host_path("/usr/bin/chatapp")), "/usr/bin/chatapp is still there")
    expect(os.path.isfile(root.host_path("/var/lib/chatapp/chatapp.db")),
           "purging deleted the messages in /var/lib/chatapp")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--packages", required=True)
    parser.add_argument("--readme", required=True)
    parser.add_argument("--desktop-file", required=True)
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--scratch", help="a folder for unpacked files (default: a new temporary one)")
    options = parser.parse_args()

    def on_alarm(_signum, _frame):
        raise Fatal("the whole file took over %d s" % WHOLE_FILE_SECONDS)
    signal.signal(signal.SIGALRM, on_alarm)

    def on_terminate(signum, _frame):
        raise Fatal("stopped by signal %d" % signum)
    # So that every `finally` runs: Xvfb and the processes in the root are stopped.
    signal.signal(signal.SIGTERM, on_terminate)
    signal.signal(signal.SIGHUP, on_terminate)
    signal.alarm(WHOLE_FILE_SECONDS)
    started = time.monotonic()

    packages = Packages(options.packages)
    root = Root(options.root, options.artifacts)
    scratch = options.scratch or tempfile.mkdtemp(prefix="chatapp-package-files.")
    os.makedirs(scratch, exist_ok=True)
    try:
        require("make package made the .deb and the AppDir tarball", lambda: expect(
            packages.deb and packages.tarball and packages.version,
            "in %s: deb %s, tarball %s" % (options.packages, packages.deb, packages.tarball)))
        if packages.appimage:
            log("     %s was built: it is tested too" % os.path.basename(packages.appimage))
        else:
            log("     no .AppImage was built (see %s): its payload is tested, as the AppDir"
                % os.path.join(options.packages, packages.appdir_name + ".AppImage.MISSING"))
        check("desktop-file-validate accepts the .desktop files", check_desktop_files,
              options, packages, scratch)
        check("the .deb holds the binary, .desktop, icon, man page, unit; computed Depends",
              check_deb_contents, packages)
        check("the AppImage payload (squashfs) holds the AppDir tarball's files",
              check_payload_matches_tarball, packages, scratch)

        # The AppImage's payload, in the clean root before any Qt is in it.
        require("the clean root has no Qt, X, EGL or fontconfig", check_no_qt, root)
        require("a user to run the AppDir", setup_tester, root, packages)
        require("README: the AppDir's lines work as written", check_readme_appdir_lines,
                root, options, packages)
        check("AppDir: AppRun --version", check_appdir_version, root, packages)
        if check("AppDir: AppRun --serve answers /healthz and stores a message",
                 check_appdir_serves, root, packages):
            check("AppDir: the window starts offscreen and joins the room",
                  check_appdir_window_offscreen, root, packages)
            check("AppDir: the window shows on an X server (xcb); screenshot taken",
                  check_appdir_window_xcb, root, packages, options.artifacts)
            stop(State.appdir_server, signal.SIGTERM)
        if packages.appimage:
            check("README: the AppImage's lines work as written", check_appimage,
                  root, options, packages)

        # The .deb, in the same root.
        require("README: the .deb's install lines work as written", check_readme_deb_lines,
                root, options, packages)
        check("deb: files, chatapp --version, --help and the man page", check_deb_installed,
              root, packages)
        check("deb: the service's user and data directory; service not enabled",
              check_service_user, root)
        check("deb: the server run as the unit says answers, stores, restarts, and the window starts",
              check_deb_service, root)
        check("deb: systemd-analyze verify accepts chatapp-server.service", check_unit_verifies, root)
        check("deb: purging removes the program and keeps the messages", check_purge, root)
    except Fatal as fatal:
        if str(fatal) not in failed:
            failed.append(str(fatal))
        log("stopped: %s" % fatal)
    finally:
        signal.alarm(0)
        root.stop_all()
        shutil.rmtree(scratch, ignore_errors=True)
    log("test-package: %.0f s; artifacts in %s" % (time.monotonic() - started, options.artifacts))
    log("package: %d passed, %d failed" % (len(passed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
