#!/usr/bin/env python3
"""packaging/cluster/'s nginx and HAProxy configurations, each in front of a real
chatapp started with --trusted-proxy 127.0.0.1: clients connecting to the proxy from
127.0.0.2, .3 and .4 each count under their own address, one that writes its own
X-Forwarded-For gains nothing, and a stream's events come through as they happen. The
configurations are the shipped ones, with the proxy's port and the nodes moved to free
ports. A proxy that is not installed is skipped, saying so; exits 77 (skipped) when
neither is (scripts/install-deps.sh installs both)."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    HOST, Failure, Server, bound_whole_file, check, nginx_main_config, run_checks, stop_process, tail, wait_until)

WHOLE_FILE_SECONDS = 60
CLUSTER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "packaging", "cluster")


def free_port():
    """A port free just now. Neither proxy can be told to pick one and say which, so
    another process could take it first; the proxy then fails to start, loudly."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Proxy:
    """A proxy in the foreground, its log in `log_path`; subclasses write its
    configuration and name its command."""

    def start(self, command, log_path):
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        try:
            wait_until(self.accepts, 10, lambda: "%s to listen; its log: %s" % (self.name, tail(log_path)))
        except BaseException:
            self.kill()
            raise

    def accepts(self):
        check(self.process.poll() is None, "%s exited: %s" % (self.name, tail(self.log_path)))
        try:
            socket.create_connection((HOST, self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def send(self, text, source, forwarded_for=None):
        """POSTs a message through the proxy from `source`; returns the status."""
        with socket.create_connection((HOST, self.port), timeout=10, source_address=(source, 0)) as connection:
            body = ("author=ana&text=" + text).encode()
            spoof = "X-Forwarded-For: %s\r\n" % forwarded_for if forwarded_for else ""
            connection.sendall(("POST /api/v1/rooms/lab/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Content-Type: application/x-www-form-urlencoded\r\n%s"
                                "Content-Length: %d\r\nConnection: close\r\n\r\n" % (spoof, len(body))).encode()
                               + body)
            answer = b""
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                answer += chunk
        match = re.match(rb"HTTP/1\.1 (\d+) ", answer)
        check(match, "%s answered %r" % (self.name, answer[:80]))
        return int(match.group(1))

    def kill(self):
        stop_process(self.process)


def moved(path, replacements):
    """The file's text with each (pattern, replacement) made exactly once."""
    with open(path) as shipped:
        text = shipped.read()
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text)
        check(count == 1, "%s no longer has one %r" % (os.path.basename(path), pattern))
    return text


class Nginx(Proxy):
    """The shipped nginx.conf in the http context of a main configuration that keeps
    every file nginx writes under `prefix`."""
    name = "nginx"

    def __init__(self, binary, prefix, node_port):
        self.port = free_port()
        config = moved(os.path.join(CLUSTER, "nginx.conf"),
                       ((r"listen 80;", "listen %s:%d;" % (HOST, self.port)),
                        (r"(    server 127\.0\.0\.1:355\d;\n)+", "    server %s:%d;\n" % (HOST, node_port))))
        with open(os.path.join(prefix, "nginx-chatapp.conf"), "w") as written:
            written.write(config)
        with open(os.path.join(prefix, "nginx-main.conf"), "w") as main:
            main.write(nginx_main_config(prefix, os.path.join(prefix, "nginx-chatapp.conf")))
        self.start([binary, "-p", prefix, "-e", "stderr", "-c", os.path.join(prefix, "nginx-main.conf")],
                   os.path.join(prefix, "nginx.log"))


class HAProxy(Proxy):
    """The shipped haproxy.cfg in the foreground, logging nowhere, as whoever runs the
    test (no chroot, no user of its own), with fewer connections than its maxconn,
    which needs more descriptors than a test may have."""
    name = "HAProxy"

    def __init__(self, binary, prefix, node_port):
        self.port = free_port()
        config = moved(os.path.join(CLUSTER, "haproxy.cfg"),
                       ((r"bind :80", "bind %s:%d" % (HOST, self.port)),
                        (r"    log /dev/log local0\n", ""),
                        (r"    chroot \S+\n    user \S+\n    group \S+\n", ""),
                        (r"maxconn \d+", "maxconn 1000"),
                        (r"(    server node\d 127\.0\.0\.1:355\d check\n)+",
                         "    server node1 %s:%d check\n" % (HOST, node_port))))
        path = os.path.join(prefix, "haproxy.cfg")
        with open(path, "w") as written:
            written.write(config)
        self.start([binary, "-db", "-f", path], os.path.join(prefix, "haproxy.log"))
        # Until its first health check passes the node is not in service.
        wait_until(lambda: self.send("health", "127.0.0.9") == 201, 10,
                   lambda: "HAProxy to send to the node; its log: %s" % tail(self.log_path))


def each_client_behind_the_proxy_has_its_own_budget(proxy, chat):
    first = [proxy.send("first-%d" % i, "127.0.0.2") for i in range(3)]
    check(first == [201, 201, 429], "the first client's sends through %s answered %r" % (proxy.name, first))
    second = [proxy.send("second-%d" % i, "127.0.0.3") for i in range(2)]
    check(second == [201, 201], "the second client's answered %r: it shared the first's budget" % second)
    wait_until(lambda: " 127.0.0.3 POST " in chat.stderr, 5,
               lambda: "the second client in chatapp's access log: %s" % chat.stderr)


def a_header_the_client_writes_gains_it_nothing(proxy, chat):
    statuses = [proxy.send("spoof-%d" % i, "127.0.0.4", "198.51.100.%d" % i) for i in range(3)]
    check(statuses == [201, 201, 429],
          "a client writing a new X-Forwarded-For each time answered %r through %s" % (statuses, proxy.name))
    check(" 198.51.100." not in chat.stderr, "a made-up address reached the log: %s" % chat.stderr)


def events_come_through_as_they_happen(proxy, chat):
    with socket.create_connection((HOST, proxy.port), timeout=10, source_address=("127.0.0.5", 0)) as stream:
        stream.sendall(b"GET /api/v1/rooms/lab/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       b"Accept: text/event-stream\r\n\r\n")
        received = b""
        deadline = time.monotonic() + 5
        while b"\r\n\r\n" not in received:
            stream.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = stream.recv(65536)
            except socket.timeout:
                raise Failure("no stream head through %s within 5 s: %r" % (proxy.name, received))
            check(chunk, "%s closed the stream before its head: %r" % (proxy.name, received))
            received += chunk
        check(received.startswith(b"HTTP/1.1 200 "), "the stream answered %r" % received[:80])
        check(proxy.send("while-streaming", "127.0.0.6") == 201, "the send during the stream was refused")
        # Well before the stream's keep-alive (15 s) could push it out of a buffer.
        deadline = time.monotonic() + 5
        while b"while-streaming" not in received:
            remaining = deadline - time.monotonic()
            check(remaining > 0, "the event did not come through %s within 5 s: %r" % (proxy.name, received[-300:]))
            stream.settimeout(remaining)
            try:
                chunk = stream.recv(65536)
            except socket.timeout:
                continue
            check(chunk, "%s closed the stream: %r" % (proxy.name, received[-300:]))
            received += chunk


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(WHOLE_FILE_SECONDS)
    failures = 0
    tried = 0
    for proxy_class, program in ((Nginx, "nginx"), (HAProxy, "haproxy")):
        proxy_binary = shutil.which(program) or shutil.which(program, path="/usr/sbin")
        if not proxy_binary:
            print("SKIP %s is not installed (scripts/install-deps.sh installs it)" % program)
            continue
        tried += 1
        print("--- behind %s" % program)
        with tempfile.TemporaryDirectory() as work:
            # Not quiet: the checks read chatapp's access log.
            chat = Server(binary, work, os.path.join(work, "chatapp.log"),
                          ["--send-rate", "1", "--send-burst", "2", "--trusted-proxy", "127.0.0.1"],
                          quiet=False)
            try:
                try:
                    proxy = proxy_class(proxy_binary, work, chat.port)
                except Failure as failure:
                    failures += 1
                    print("FAIL %s did not start with the shipped configuration - %s" % (program, failure))
                    continue
                try:
                    failures += run_checks((each_client_behind_the_proxy_has_its_own_budget,
                                            a_header_the_client_writes_gains_it_nothing,
                                            events_come_through_as_they_happen), proxy, chat)
                finally:
                    proxy.kill()
            finally:
                chat.kill()
    signal.alarm(0)
    if not tried:
        return 77
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
