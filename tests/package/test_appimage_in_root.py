#!/usr/bin/env python3
"""The AppImage in a clean Debian root (bullseye, bookworm or trixie), as a user would
run it: without FUSE, with fuse3 and, on bullseye, with FUSE 2's fusermount only.

tests/package/run.sh extracts a fresh debootstrap root (no Qt, no X, no fonts) and calls
this with it. In each FUSE set-up, as an unprivileged user:

  * `--version`, and a bad option exits 2 through the runtime; `--store postgresql://`
    finds the bundled PostgreSQL driver and libpq (it tries to connect);
  * without FUSE the runtime says in one line that it runs from a temporary copy; with
    FUSE it mounts itself (a fuse mount is there while the app runs) and says nothing;
  * `--serve` answers /healthz, stores a POST, serves its own file at
    /download/ChatApp-x86_64.AppImage (the same bytes), shows as `chatapp` to ps, exits
    0 on SIGTERM, and still has the message after a restart;
  * the window starts offscreen and joins a room; on Xvfb with Qt's xcb platform it
    shows (a screenshot is kept in ARTIFACTS) with the window class chatapp;
  * once the app is gone, no mount and no extracted folder is left behind.

On bullseye (glibc 2.31), the negative control: without the bundled loader
(CHATAPP_BUNDLED_LOADER=0) chatapp cannot start there. On bullseye and trixie, the
README's AppImage lines as written: the server's, the students' (download from the
server, run with its address) and the systemd unit's.
"""

import glob
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from packagetesting import (HOST, TESTER, Failure, Packages, Root, as_root_in_root,  # noqa: E402
                            check, check_server_answers, check_window_joins,
                            check_window_shows_on_xcb, expect, free_port, http,
                            post_message, readme_block, require, root_test_options, run_bounded, sha256_of,
                            stop, stored_texts, tail, wait_listening, wait_until)
from test_deb_in_root import Service, check_no_qt, check_unit_verifies  # noqa: E402

WHOLE_FILE_SECONDS = 900
# What the runtime says on stderr when it runs from a temporary copy instead of a mount.
EXTRACTED_NOTE = re.compile(r"^ChatApp: .*temporary copy in (/\S+)", re.M)


class FuseSetup:
    """One way a machine can be: which FUSE packages it has, and whether the AppImage is
    then expected to mount itself."""

    def __init__(self, name, install, remove, mounts):
        self.name = name
        self.install = install
        self.remove = remove
        self.mounts = mounts

    def prepare(self, root):
        if self.remove:
            root.apt(["purge"] + self.remove)
        if self.install:
            root.apt(["install"] + self.install)
        helpers = [h for h in ("fusermount3", "fusermount")
                   if root.run(["sh", "-c", "command -v " + h]).returncode == 0]
        expect(bool(helpers) == self.mounts, "%s: the root has %s" % (self.name, helpers or "no fusermount"))


def fuse_setups(suite):
    setups = [FuseSetup("no FUSE", [], [], mounts=False),
              FuseSetup("fuse3", ["fuse3"], [], mounts=True)]
    if suite == "bullseye":
        setups.append(FuseSetup("FUSE 2 only", ["fuse"], ["fuse3"], mounts=True))
    return setups


class AppImageRun:
    """The AppImage in the tester's home, run one way (one FuseSetup)."""

    def __init__(self, root, packages, setup, artifacts):
        self.root = root
        self.packages = packages
        self.setup = setup
        self.artifacts = artifacts
        self.file = "/home/%s/%s" % (TESTER, os.path.basename(packages.appimage))
        self.label = "%s-%s" % (root.suite, re.sub(r"\W+", "-", setup.name.lower()))
        self.data_dir = "/home/%s/data-%s" % (TESTER, self.label)

    def check_note(self, output):
        note = EXTRACTED_NOTE.search(output)
        if self.setup.mounts:
            expect(not note, "with FUSE it ran from a copy: %r" % output[-1500:])
        else:
            expect(note, "without FUSE it did not say it runs from a temporary copy: %r" % output[-1500:])
            expect(len(EXTRACTED_NOTE.findall(output)) == 1, "said it more than once: %r" % output)

    def check_version(self):
        output = self.root.run_ok([self.file, "--version"], "the AppImage --version", user=TESTER)
        expect("chatapp %s" % self.packages.version in output.splitlines(),
               "--version printed %r" % output)
        self.check_note(output)

    def check_bad_option(self):
        result = self.root.run([self.file, "--serve", "--no-such-option"], user=TESTER)
        expect(result.returncode == 2, "a bad option exited %d: %r" % (result.returncode, result.stdout[-800:]))

    def check_postgres_driver(self):
        # Nothing listens on port 1: the driver and libpq load and try, and say so.
        password_file = "/home/%s/store-password" % TESTER
        self.root.run(["sh", "-c", "umask 077 && echo secret > " + password_file], user=TESTER)
        result = self.root.run([self.file, "--serve", HOST, "0", "--data-dir", self.data_dir, "--store",
                                "postgresql://chatapp@127.0.0.1:1/chatapp", "--store-password-file", password_file],
                               user=TESTER)
        output = result.stdout.decode(errors="replace")
        expect(result.returncode == 1 and "cannot connect to" in output and "not installed" not in output,
               "--store postgresql:// exited %d: %r" % (result.returncode, output[-800:]))

    def start_server(self, label):
        server = self.root.start("%s-%s" % (self.label, label),
                                 [self.file, "--serve", HOST, "0", "--data-dir", self.data_dir],
                                 user=TESTER)
        server.port = wait_listening(server)
        return server

    def stop_server(self, server):
        code = stop(server, signal.SIGTERM, seconds=20)
        expect(code == 0, "the server exited %s on SIGTERM: %s" % (code, tail(server.log_path)))
        self.check_note(tail(server.log_path, 20000))

    def payload_in_use(self):
        """The AppImage's fuse mounts and mount points or extracted folders in the root's
        /tmp right now, and the fuse mounts alone."""
        prefix = os.path.join(self.root.path, "tmp") + "/"
        with open("/proc/mounts") as mounts:
            mounted = [fields[1] for fields in (line.split() for line in mounts)
                       if fields[2].startswith("fuse") and fields[1].startswith(prefix)]
        folders = glob.glob(prefix + "appimage_extracted_*") + glob.glob(prefix + ".mount_*")
        return sorted(set(mounted + folders)), mounted

    def check_serves(self):
        server = self.start_server("server")
        try:
            port = server.port
            check_server_answers(port)
            post_message(port, "appimage", "hello from %s" % self.label)
            expect(("appimage", "hello from %s" % self.label) in stored_texts(port), "the message is not listed")
            in_use, mounted = self.payload_in_use()
            if self.setup.mounts:
                expect(mounted, "no fuse mount of the AppImage while it runs (in use: %s)" % in_use)
            else:
                expect(in_use and not mounted, "no extracted folder while it runs: %s" % in_use)
            with open("/proc/%d/comm" % server.pid) as comm:
                name = comm.read().strip()
            expect(name == "chatapp", "ps shows the server as %r" % name)
            self.check_download(port)
        finally:
            self.stop_server(server)
        server = self.start_server("server-again")
        try:
            expect(("appimage", "hello from %s" % self.label) in stored_texts(server.port),
                   "the message is gone after a restart: %s" % stored_texts(server.port))
            self.server = server
        except Failure:
            self.stop_server(server)
            raise

    def check_download(self, port):
        status, body = http("GET", port, "/download/ChatApp-x86_64.AppImage")
        expect(status == 200, "the download answered %d: %r" % (status, body[:300]))
        expect(hashlib.sha256(body).hexdigest() == sha256_of(self.packages.appimage),
               "the download (%d bytes) is not the AppImage (%d bytes)"
               % (len(body), os.path.getsize(self.packages.appimage)))

    def check_window_offscreen(self):
        check_window_joins(self.root, self.label + "-window-offscreen",
                           [self.file, HOST, str(self.server.port), "--name", "offscreen-" + self.root.suite],
                           self.server.port, "offscreen-" + self.root.suite,
                           env={"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": "/tmp/offscreen-config"})

    def check_window_xcb(self):
        name = "xcb-" + self.root.suite
        wm_class = check_window_shows_on_xcb(self.root, self.label + "-window-xcb",
                                             [self.file, HOST, str(self.server.port), "--name", name],
                                             self.server.port, name, self.artifacts)
        expect('"chatapp"' in wm_class, "the window's class is %r" % wm_class)

    def check_nothing_left(self):
        try:
            self.stop_server(self.server)
        finally:
            wait_until(lambda: not self.payload_in_use()[0], 30,
                       lambda: "the mount points and extracted folders to go: %s" % self.payload_in_use()[0])


def setup_tester(root, packages):
    root.run_ok(["useradd", "--create-home", "--shell", "/bin/sh", TESTER], "useradd")
    home = root.host_path("/home/" + TESTER)
    shutil.copy(packages.appimage, home)
    ids = root.run_ok(["id", "-u", TESTER], "id").strip(), root.run_ok(["id", "-g", TESTER], "id").strip()
    for name in os.listdir(home):
        os.chown(os.path.join(home, name), int(ids[0]), int(ids[1]))


def check_needs_the_bundled_loader(root, packages):
    """The negative control: this machine's glibc is too old for chatapp, which only
    starts because AppRun uses the bundled loader."""
    file = "/home/%s/%s" % (TESTER, os.path.basename(packages.appimage))
    result = root.run([file, "--version"], user=TESTER, env={"CHATAPP_BUNDLED_LOADER": "0"})
    output = result.stdout.decode(errors="replace")
    expect(result.returncode != 0 and re.search(r"GLIBC_2\.\d+' not found", output),
           "without the bundled loader it exited %d: %r" % (result.returncode, output[-800:]))


class ReadmeServer:
    """The README's lines for hosting from the AppImage, run as written in the tester's
    home; the last one serves on port 3550 until stopped."""
    port = 3550

    def start(self, root, options, packages):
        busy = subprocess.run(["ss", "-Hltn", "sport = :%d" % self.port], stdout=subprocess.PIPE).stdout
        expect(not busy.strip(), "port %d is taken on this machine: %r" % (self.port, busy))
        block = readme_block(options.readme, "appimage-serve")
        self.process = root.start(root.suite + "-readme-serve", ["sh", "-ec", block], user=TESTER,
                                  cwd="/home/" + TESTER)
        wait_listening(self.process)
        check_server_answers(self.port)

    def stop(self):
        # The AppImage, not the block's shell, which would die of the signal itself; the
        # shell then exits with the AppImage's status.
        for pid in process_group(self.process.pid):
            if pid != self.process.pid:
                os.kill(pid, signal.SIGTERM)
        code = self.process.wait(timeout=20)
        expect(code == 0, "the README's server exited %d: %s" % (code, tail(self.process.log_path)))


def process_group(pgid):
    """The processes in a process group (the runtime's own helper has left it)."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:
                members.append(int(entry))
    return members


def check_readme_student(root, options):
    """The students' lines: download the AppImage from the server, run it with the
    server's address. The README's example address is this root's server."""
    block = readme_block(options.readme, "appimage-student")
    address = re.search(r"http://([0-9.]+):3550/download/", block)
    expect(address, "the students' lines download from no http://ADDRESS:3550/download/...: %r" % block)
    block = block.replace(address.group(1), HOST)
    check_window_joins(root, root.suite + "-readme-student", ["sh", "-ec", block], ReadmeServer.port,
                       TESTER, env={"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": "/tmp/student-config"},
                       cwd="/home/" + TESTER)


def check_readme_service(root, options, packages):
    """The README's lines that install the AppImage as a systemd service, as root types
    them (without systemctl: no systemd runs in the root), then the server started
    exactly as the unit says: it answers, stores, restarts and stops with 0."""
    shutil.copy(packages.appimage, root.host_path("/root"))
    # A machine that runs services has systemd, which systemd-analyze needs to verify the unit.
    root.apt(["install", "systemd"])
    block = as_root_in_root(readme_block(options.readme, "appimage-service"))
    block = "\n".join(line for line in block.splitlines() if not line.strip().startswith("systemctl "))
    root.run_ok(["sh", "-ec", block], "the README's service lines", cwd="/root", timeout=120)
    unit = "/etc/systemd/system/chatapp-server.service"
    check_unit_verifies(root, unit)
    service = Service(root, free_port(), unit, expected_program="/opt/chatapp/ChatApp-x86_64.AppImage")
    service.start(root.suite + "-appimage-service")
    try:
        check_server_answers(service.port)
        post_message(service.port, "unit", "stored by the AppImage service")
        service.stop()
        service.start(root.suite + "-appimage-service-again")
        expect(("unit", "stored by the AppImage service") in stored_texts(service.port),
               "the message is gone after a restart")
        service.stop()
    finally:
        if service.process and service.process.poll() is None:
            stop(service.process, signal.SIGKILL)


def main():
    options = root_test_options()
    packages = Packages(options.packages)
    root = Root(options.root, options.suite, options.artifacts)
    what = "appimage-%s" % options.suite

    def body():
        try:
            require("make package made the AppImage", lambda: expect(
                packages.appimage and packages.version, "no AppImage in %s" % options.packages))
            require("the clean %s root has no Qt, X, EGL or fontconfig" % root.suite, check_no_qt, root)
            require("a user to run the AppImage", setup_tester, root, packages)
            require("apt knows the %s archive (for fuse3, fuse, curl)" % root.suite, root.apt, ["update"])
            if root.suite == "bullseye":
                check("negative control: without the bundled loader chatapp cannot start on bullseye",
                      check_needs_the_bundled_loader, root, packages)
            for setup in fuse_setups(root.suite):
                require("%s: the root is set up (%s)" % (root.suite, setup.name), setup.prepare, root)
                run = AppImageRun(root, packages, setup, options.artifacts)
                prefix = "%s, %s: " % (root.suite, setup.name)
                check(prefix + "--version", run.check_version)
                check(prefix + "a bad option exits 2", run.check_bad_option)
                check(prefix + "--store postgresql:// finds Qt's PostgreSQL driver and libpq", run.check_postgres_driver)
                if check(prefix + "--serve answers, stores, serves its own file, exits 0 on SIGTERM, "
                         "keeps the message across a restart", run.check_serves):
                    check(prefix + "the window starts offscreen and joins the room", run.check_window_offscreen)
                    check(prefix + "the window shows on an X server (xcb); screenshot kept", run.check_window_xcb)
                    check(prefix + "nothing mounted or extracted is left behind", run.check_nothing_left)
            if root.suite in ("bullseye", "trixie"):
                root.apt(["install", "curl"])
                server = ReadmeServer()
                if check("README (%s): the AppImage's server lines work as written" % root.suite,
                         server.start, root, options, packages):
                    try:
                        check("README (%s): the students' lines download from the server and join"
                              % root.suite, check_readme_student, root, options)
                    finally:
                        check("README (%s): the server stops with 0 on SIGTERM" % root.suite, server.stop)
                check("README (%s): the AppImage as a systemd service" % root.suite,
                      check_readme_service, root, options, packages)
        finally:
            root.stop_all()
    return run_bounded(what, WHOLE_FILE_SECONDS, body)


if __name__ == "__main__":
    sys.exit(main())
