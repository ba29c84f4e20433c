#!/usr/bin/env python3
"""ChatApp's .deb for a Debian release, installed and run in a clean root of that release.

tests/package/run.sh extracts a fresh debootstrap root and calls this with it:

  * bookworm: the Debian 12 .deb; trixie: first the Debian 12 .deb, which apt must refuse
    (its Qt HttpServer is not trixie's), then the Debian 13 .deb;
  * the README's install lines for that release work as written; `chatapp --version`,
    `--help`, the man page; the service's user and data directory exist and the service
    is not enabled; the server started exactly as the unit says (its user, environment,
    command line), with /etc/default/chatapp-server choosing the port, answers /healthz,
    stores a message that is still there after a restart, and stops cleanly on SIGTERM;
    the window from the .deb starts offscreen; systemd-analyze accepts the unit; purging
    removes the program and keeps the messages.
"""

import configparser
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from packagetesting import (HOST, TESTER, Failure, Packages, Root, as_root_in_root,  # noqa: E402
                            check, check_server_answers, check_window_joins, expect,
                            free_port, post_message, readme_block, require, root_test_options,
                            run_bounded, stop, stored_texts, tail, wait_listening)

WHOLE_FILE_SECONDS = 900
RELEASES = {"bookworm": 12, "trixie": 13}
UNIT = "/usr/lib/systemd/system/chatapp-server.service"


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


def allow_apt_yes(root):
    # The user's "Y" to apt's question.
    with open(root.host_path("/etc/apt/apt.conf.d/90assume-yes"), "w") as file:
        file.write('APT::Get::Assume-Yes "true";\n')


def check_other_release_refused(root, deb):
    """A .deb built against another release's Qt HttpServer must not install here."""
    shutil.copy(deb, root.host_path("/root"))
    result = root.run(["apt-get", "install", "-y", "-q", "./" + os.path.basename(deb)], cwd="/root",
                      env={"DEBIAN_FRONTEND": "noninteractive"}, timeout=600, stdin=b"")
    output = result.stdout.decode(errors="replace")
    expect(result.returncode != 0, "apt installed %s: %s" % (os.path.basename(deb), output[-1500:]))
    expect("libqt6httpserver6" in output, "apt refused it, but not for its Qt HttpServer: %s" % output[-1500:])
    expect(not os.path.exists(root.host_path("/usr/bin/chatapp")), "/usr/bin/chatapp is there")


def check_readme_deb_lines(root, options, packages, release):
    shutil.copy(packages.debs[release], root.host_path("/root"))
    block = as_root_in_root(readme_block(options.readme, "deb-install-%d" % release))
    output = root.run_ok(["sh", "-ec", block], "the README's .deb lines", cwd="/root",
                         env={"DEBIAN_FRONTEND": "noninteractive"}, timeout=600, stdin=b"")
    expect("chatapp %s" % packages.version in output.splitlines(),
           "the README's .deb lines printed no 'chatapp %s': %s" % (packages.version, output[-3000:]))


def check_deb_installed(root, packages):
    for path in ["/usr/bin/chatapp", "/usr/share/applications/chatapp.desktop",
                 "/usr/share/icons/hicolor/scalable/apps/chatapp.svg",
                 "/usr/share/man/man1/chatapp.1.gz", UNIT]:
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
    """The server started as a unit starts it: its User, Environment, EnvironmentFile
    (read after Environment, so its values win), WorkingDirectory and ExecStart."""

    def __init__(self, root, port, unit=UNIT, expected_program="/usr/bin/chatapp"):
        self.root = root
        unit = parse_unit(root.host_path(unit))
        self.user = unit["User"]
        expect(unit.get("Group") == self.user, "Group= %s" % unit.get("Group"))
        self.env = {}
        for line in unit.get("Environment", "").splitlines():
            for assignment in shlex.split(line):
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
        expect(self.exec_start[0] == expected_program, "ExecStart=%s" % unit["ExecStart"])
        self.cwd = unit.get("WorkingDirectory")
        self.port = port
        self.process = None

    def start(self, label):
        self.process = self.root.start(label, self.exec_start, user=self.user, env=self.env, cwd=self.cwd)
        port = wait_listening(self.process)
        expect(port == self.port, "listening on %d, not on %d from /etc/default" % (port, self.port))

    def stop(self):
        code = stop(self.process, signal.SIGTERM, seconds=20)
        expect(code == 0, "the server exited %s on SIGTERM: %s" % (code, tail(self.process.log_path)))


def check_deb_service(root):
    service = Service(root, free_port())
    service.start(root.suite + "-deb-server")
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
        service.start(root.suite + "-deb-server-again")
        expect(("deb", "stored by the service") in stored_texts(service.port),
               "the message is gone after a restart: %s" % stored_texts(service.port))
        # The window, installed by the .deb with its dependencies, against that server.
        check_window_joins(root, root.suite + "-deb-window-offscreen",
                           ["chatapp", HOST, str(service.port), "--name", "deb-offscreen"],
                           service.port, "deb-offscreen",
                           env={"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": "/tmp/deb-config"})
        service.stop()
    finally:
        if service.process and service.process.poll() is None:
            stop(service.process, signal.SIGKILL)


def check_unit_verifies(root, unit=UNIT):
    if not shutil.which("systemd-analyze"):
        raise Failure("systemd-analyze is not installed (packaging/install-deps.sh installs systemd)")
    # --man=no: the man page is in the root, where systemd-analyze would not look for it
    # (it is checked above).
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", "--root=" + root.path, unit],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    output = result.stdout.decode(errors="replace")
    # What it says of our unit; it also judges the root's own units (trixie's by an older
    # systemd), and the root's path may itself contain "chatapp".
    lines = [line for line in output.replace(root.path, "").splitlines() if "chatapp" in line]
    expect(result.returncode == 0 and not lines, "systemd-analyze verify: exit %d: %s"
           % (result.returncode, output))


def check_purge(root):
    root.apt(["purge", "chatapp"], timeout=120)
    expect(not os.path.exists(root.host_path("/usr/bin/chatapp")), "/usr/bin/chatapp is still there")
    expect(os.path.isfile(root.host_path("/var/lib/chatapp/chatapp.db")),
           "purging deleted the messages in /var/lib/chatapp")


def main():
    options = root_test_options(sorted(RELEASES))
    packages = Packages(options.packages)
    root = Root(options.root, options.suite, options.artifacts)
    release = RELEASES[root.suite]

    def body():
        try:
            require("make package made the Debian %d .deb" % release, lambda: expect(
                packages.debs.get(release) and packages.version, "in %s: %s" % (options.packages, packages.debs)))
            require("the clean %s root has no Qt, X, EGL or fontconfig" % root.suite, check_no_qt, root)
            root.run(["useradd", "--create-home", "--shell", "/bin/sh", TESTER])
            allow_apt_yes(root)
            prefix = "deb%d in %s: " % (release, root.suite)
            for other, deb in sorted(packages.debs.items()):
                if other != release:
                    check("deb%d in %s: apt refuses it (another Qt HttpServer)" % (other, root.suite),
                          check_other_release_refused, root, deb)
            require(prefix + "the README's install lines work as written", check_readme_deb_lines,
                    root, options, packages, release)
            check(prefix + "files, chatapp --version, --help and the man page", check_deb_installed,
                  root, packages)
            check(prefix + "the service's user and data directory; service not enabled",
                  check_service_user, root)
            check(prefix + "the server run as the unit says answers, stores, restarts, and the window starts",
                  check_deb_service, root)
            check(prefix + "systemd-analyze verify accepts chatapp-server.service", check_unit_verifies, root)
            check(prefix + "purging removes the program and keeps the messages", check_purge, root)
        finally:
            root.stop_all()
    return run_bounded("deb-%s" % root.suite, WHOLE_FILE_SECONDS, body)


if __name__ == "__main__":
    sys.exit(main())
