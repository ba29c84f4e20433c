#!/usr/bin/env python3
"""systemctl for test_readme_cluster.py, where there is no systemd: it starts, stops and
restarts the units the README's cluster steps name, from the unit files as installed.

  chatapp-node@PORT  the installed chatapp-node@.service read as systemd would for this
                     instance: Environment=, EnvironmentFile=, LoadCredential= (copied
                     into a credentials folder), StateDirectory=, WorkingDirectory= and
                     ExecStart= with %i, %d and ${NAME} filled in; the process gets only
                     that environment, as under systemd. Its User= is not taken: the
                     test runs as root and so does the node.
  nginx              the nginx stand-in in the foreground (its main configuration says
                     `daemon off`); reload and restart start it again.
  postgresql         the throwaway PostgreSQL: restart is `pg_ctl reload`, which rereads
                     pg_hba.conf (its other settings are on its command line).

Every path the unit names is moved with $STANDIN_MAP (JSON pairs [from, to]), as the
test moves the README's. Each process is started in a session of its own, its PID in
$STANDIN_ROOT/run/UNIT.pid and its output in UNIT.log; the test stops whatever those
files name."""

import fnmatch
import glob
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

ROOT = os.environ["STANDIN_ROOT"]
RUN = os.path.join(ROOT, "run")
STOP_SECONDS = 30  # the unit's TimeoutStopSec
START_SECONDS = 10


def alive(pid):
    """Running, not a zombie: started in its own session, a stopped unit's process may
    wait to be reaped by the test."""
    try:
        with open("/proc/%d/stat" % pid) as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


def pid_of(unit):
    try:
        with open(os.path.join(RUN, unit + ".pid")) as pid_file:
            pid = int(pid_file.read())
    except (OSError, ValueError):
        return None
    return pid if alive(pid) else None


def spawn(unit, argv, env, cwd=None):
    os.makedirs(RUN, exist_ok=True)
    with open(os.path.join(RUN, unit + ".log"), "ab") as log:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                   start_new_session=True)
    with open(os.path.join(RUN, unit + ".pid"), "w") as pid_file:
        pid_file.write(str(process.pid))


def stop(unit):
    pid = pid_of(unit)
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if alive(pid):
        os.kill(pid, signal.SIGKILL)


def moved(text):
    """In one pass, as the test moves the README."""
    replacements = dict(json.loads(os.environ["STANDIN_MAP"]))
    pattern = "|".join(re.escape(old) for old in sorted(replacements, key=len, reverse=True))
    return re.sub(pattern, lambda match: replacements[match.group(0)], text)


def service_settings(path):
    """The [Service] section's settings, in order, each (key, value); continuation lines
    joined."""
    with open(path) as unit_file:
        text = moved(unit_file.read()).replace("\\\n", " ")
    settings, section = [], None
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]":
            key, _, value = line.partition("=")
            settings.append((key.strip(), value.strip()))
    return settings


def environment_file(path):
    """systemd's EnvironmentFile=: NAME=value lines, comments with # or ;, quotes removed."""
    values = {}
    with open(path) as lines:
        for line in lines:
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            name, equals, value = line.partition("=")
            if not equals:
                raise SystemExit("%s: not NAME=value: %r" % (path, line))
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            values[name.strip()] = value
    return values


def expanded_command(line, specifiers, env):
    """ExecStart= as systemd splits and fills it: %x specifiers in every word; ${NAME}
    inside a word; $NAME as a whole word splits into words; an unknown name is empty."""
    words = []
    for word in shlex.split(line):
        word = re.sub(r"%(.)", lambda match: specifiers[match.group(1)], word)
        whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if whole:
            words.extend(env.get(whole.group(1), "").split())
            continue
        words.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda match: env.get(match.group(1), ""), word))
    return words


def start_node(unit, port):
    template = os.path.join(os.environ["STANDIN_UNIT_DIR"], "chatapp-node@.service")
    credentials = os.path.join(ROOT, "credentials", unit)
    specifiers = {"i": port, "d": credentials, "%": "%"}
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
    exec_start, cwd = None, None
    for key, value in service_settings(template):
        value = re.sub(r"%(.)", lambda match: specifiers[match.group(1)], value)
        if key == "Environment":
            env.update(word.split("=", 1) for word in shlex.split(value))
        elif key == "EnvironmentFile":
            optional = value.startswith("-")
            path = value.lstrip("-")
            if os.path.exists(path) or not optional:
                env.update(environment_file(path))
        elif key == "LoadCredential":
            name, _, source = value.partition(":")
            os.makedirs(credentials, mode=0o700, exist_ok=True)
            shutil.copyfile(source, os.path.join(credentials, name))
            os.chmod(os.path.join(credentials, name), 0o400)
            env["CREDENTIALS_DIRECTORY"] = credentials
        elif key == "StateDirectory":
            state = os.path.join(ROOT, "var", "lib", value)
            os.makedirs(state, mode=0o750, exist_ok=True)
            env["STATE_DIRECTORY"] = state
        elif key == "WorkingDirectory":
            cwd = value
        elif key == "ExecStart":
            exec_start = value
    if exec_start is None:
        raise SystemExit("%s has no ExecStart=" % template)
    argv = expanded_command(exec_start, specifiers, env)
    os.makedirs(RUN, exist_ok=True)
    with open(os.path.join(RUN, unit + ".command"), "w") as record:
        record.write(shlex.join(argv) + "\n")
    spawn(unit, argv, env, cwd)


def start_nginx():
    here = os.path.dirname(os.path.abspath(__file__))
    spawn("nginx", [os.path.join(here, "nginx")], dict(os.environ))
    port = int(os.environ["STANDIN_NGINX_PORT"])
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if pid_of("nginx") is None:
            raise SystemExit("nginx exited: see %s" % os.path.join(RUN, "nginx.log"))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("nginx does not listen on %d after %d s" % (port, START_SECONDS))


def reload_postgresql():
    pg_ctl = os.path.join(os.environ["STANDIN_PG_BIN"], "pg_ctl")
    subprocess.run(["runuser", "-u", "postgres", "--", pg_ctl, "reload", "-s", "-D", os.environ["STANDIN_PGDATA"]],
                   check=True)


def start(unit):
    node = re.fullmatch(r"chatapp-node@(\d+)(\.service)?", unit)
    if node:
        start_node("chatapp-node@" + node.group(1), node.group(1))
    elif unit == "nginx":
        start_nginx()
    else:
        raise SystemExit("systemctl stand-in: unknown unit %s" % unit)


def unit_name(unit):
    return re.sub(r"\.service$", "", unit)


def status(patterns):
    known = sorted(os.path.basename(path)[:-4] for path in glob.glob(os.path.join(RUN, "*.pid")))
    all_running = True
    for pattern in patterns:
        for unit in fnmatch.filter(known, unit_name(pattern)):
            pid = pid_of(unit)
            print("%s: %s" % (unit, "active (running), PID %d" % pid if pid else "inactive (dead)"))
            all_running = all_running and pid is not None
    return 0 if all_running else 3


def main(arguments):
    words = [word for word in arguments if not word.startswith("-")]
    if not words:
        raise SystemExit("systemctl stand-in: no command")
    command, units = words[0], [unit_name(unit) for unit in words[1:]]
    if command == "status":
        return status(units)
    if command == "enable" and "--now" not in arguments:
        return 0
    if command == "restart" and units == ["postgresql"]:
        reload_postgresql()
        return 0
    if command in ("stop", "restart", "reload"):
        for unit in units:
            stop(unit)
    if command in ("start", "enable", "restart", "reload"):
        for unit in units:
            start(unit)
        return 0
    if command == "stop":
        return 0
    raise SystemExit("systemctl stand-in: unknown command %s" % command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
