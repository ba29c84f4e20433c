#!/usr/bin/env python3
"""--trusted-proxy: behind nginx or HAProxy every request comes from the proxy's address,
so the client's is taken from X-Forwarded-For, but only from a proxy the server was told
to trust. 127.0.0.1 plays the proxy; 127.0.0.2, bound as the source address, plays a
client that connects directly and writes the header itself to escape the limits."""

import http.client
import os
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    HOST, SOCKET_TIMEOUT, Failure, Server, bound_whole_file, check, read_line, run_checks, run_with_server,
    wait_until)

WHOLE_FILE_SECONDS = 60
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# A burst of 2, refilled at one a second: the third send in a row is refused.
BUDGET = ["--send-rate", "1", "--send-burst", "2"]
PROXY = "127.0.0.1"
DIRECT_CLIENT = "127.0.0.2"


def send(server, text, forwarded_for=(), source=None):
    """POSTs a message with one X-Forwarded-For header per item of `forwarded_for`
    (http.client's dict of headers cannot repeat one); returns the status."""
    connection = http.client.HTTPConnection(HOST, server.port, timeout=SOCKET_TIMEOUT,
                                            source_address=(source, 0) if source else None)
    try:
        body = ("author=ana&text=" + text).encode()
        connection.putrequest("POST", "/api/v1/rooms/lab/messages")
        connection.putheader("Content-Type", FORM["Content-Type"])
        connection.putheader("Content-Length", str(len(body)))
        for value in ([forwarded_for] if isinstance(forwarded_for, str) else forwarded_for):
            connection.putheader("X-Forwarded-For", value)
        connection.endheaders(body)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def sends(server, count, forwarded_for=(), source=None):
    return [send(server, "m%d" % i, forwarded_for, source) for i in range(count)]


def logged_from(server, address, what):
    """Waits for an access-log line of a POST from `address`: the line is written once the
    answer is, which the client may read first."""
    needle = " %s POST /api/v1/rooms/lab/messages " % address
    return wait_until(lambda: needle in server.stderr, 5,
                      lambda: "%s logged as from %s; log: %s" % (what, address, server.stderr))


# Without --trusted-proxy

def without_the_option_the_header_does_not_escape_the_limit(server):
    statuses = [send(server, "spoof-%d" % i, "198.51.100.%d" % i) for i in range(1, 4)]
    check(statuses == [201, 201, 429],
          "three sends under three made-up X-Forwarded-For addresses answered %r, not "
          "[201, 201, 429]: the header was believed" % statuses)


# With --trusted-proxy 127.0.0.1 --trusted-proxy 10.0.0.0/8

def clients_behind_the_proxy_each_have_their_own_budget(server):
    first = sends(server, 3, "198.51.100.1")
    check(first == [201, 201, 429], "the first client's sends answered %r" % first)
    second = sends(server, 2, "198.51.100.2")
    check(second == [201, 201],
          "the second client behind the same proxy answered %r: it shared the first's budget" % second)


def a_header_from_an_untrusted_peer_is_ignored(server):
    statuses = [send(server, "direct-%d" % i, "198.51.100.%d" % (10 + i), source=DIRECT_CLIENT)
                for i in range(3)]
    check(statuses == [201, 201, 429],
          "a direct client writing a new X-Forwarded-For each time answered %r" % statuses)
    logged_from(server, DIRECT_CLIENT, "a direct client's send")
    check(" 198.51.100.10 " not in server.stderr,
          "the direct client's made-up address reached the log: %s" % server.stderr)
    # The made-up addresses were not charged either: a real client behind the proxy
    # that has one of them still has its whole budget.
    check(sends(server, 2, "198.51.100.10") == [201, 201],
          "a made-up address was charged for the direct client's sends")


def the_client_is_found_from_the_right(server):
    # What the client wrote itself is left of the address the proxy saw, and changes
    # nothing; trusted hops (10.0.0.0/8) right of it are walked past.
    statuses = [send(server, "walk-%d" % i, "203.0.113.%d, 198.51.100.20, 10.0.0.%d" % (i, i + 1))
                for i in range(3)]
    check(statuses == [201, 201, 429],
          "one client writing a different address left of itself each time answered %r" % statuses)
    logged_from(server, "198.51.100.20", "the client two hops away")
    # Several headers are one list, in order: neither the first header alone nor the
    # last alone says who the client is.
    for name, headers in (("first", lambda i: ["198.51.100.%d" % (30 + i), "198.51.100.21"]),
                          ("last", lambda i: ["198.51.100.22", "10.0.0.%d" % (30 + i)])):
        statuses = [send(server, "split-%s-%d" % (name, i), headers(i)) for i in range(3)]
        check(statuses == [201, 201, 429],
              "a list split over two headers answered %r: was the %s header read alone?" % (statuses, name))
    logged_from(server, "198.51.100.21", "the last entry of the second header")
    logged_from(server, "198.51.100.22", "the last entry of the first header, the second trusted")


def the_access_log_shows_the_forwarded_address(server):
    check(send(server, "logged", "198.51.100.40") == 201, "the send was refused")
    logged_from(server, "198.51.100.40", "a forwarded send")


def a_malformed_header_falls_back_to_the_proxy(server):
    statuses = [send(server, "malformed-%d" % i, value)
                for i, value in enumerate(("unknown", "198.51.100.50:4711", "not an address, 10.0.0.1"))]
    # Counted under the proxy's own address: the third is over its burst.
    check(statuses == [201, 201, 429],
          "sends with malformed X-Forwarded-For answered %r, not [201, 201, 429]" % statuses)
    logged_from(server, PROXY, "a send with a malformed header")
    check(" 198.51.100.50 " not in server.stderr, "an address with a port was taken: %s" % server.stderr)
    check(send(server, "after-malformed", "198.51.100.51") == 201,
          "a well-formed header after malformed ones was refused")


def wrong_passwords_are_counted_per_forwarded_client(server):
    def sign_in(forwarded_for):
        status, _, _ = server.request("POST", "/api/v1/sessions", body='{"password": "wrong"}',
                                      headers={"Content-Type": "application/json",
                                               "X-Forwarded-For": forwarded_for})
        return status
    guesser = [sign_in("198.51.100.60") for _ in range(3)]
    check(guesser == [401, 401, 429], "a guesser behind the proxy answered %r" % guesser)
    check(sign_in("198.51.100.61") == 401,
          "another client behind the same proxy was throttled for the guesser's attempts")


def exit_without_listening(command, environment):
    """(exit code, stderr) of a server that must refuse to start; a Failure, not a hang,
    if it listens instead."""
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=dict(os.environ, **environment))
    try:
        try:
            line = read_line(process.stdout, 10, "end of the server's output")
        except Failure:
            line = None  # the output ended: it exited without listening
        check(line is None, "%s %s started instead: %r" % (command[6:], environment, line))
        return process.wait(timeout=10), process.stderr.read().decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=5)
        process.stdout.close()
        process.stderr.close()


def a_bad_value_refuses_to_start(binary):
    for arguments, environment in ((["--trusted-proxy", "10.0.0.0/33"], {}),
                                   (["--trusted-proxy", "proxy.example"], {}),
                                   (["--trusted-proxy", "127.0.0.1", "--trusted-proxy", "127.1"], {}),
                                   ([], {"CHATAPP_TRUSTED_PROXIES": "127.0.0.1,::1/200"})):
        with tempfile.TemporaryDirectory() as data_dir:
            code, stderr = exit_without_listening(
                [binary, "--serve", HOST, "0", "--data-dir", data_dir] + arguments, environment)
        check(code == 2 and "--trusted-proxy takes an IP address or a network" in stderr,
              "%s %s: exit %d, stderr %r (expected 2 and why)" % (arguments, environment, code, stderr))


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(WHOLE_FILE_SECONDS)
    failures = run_with_server(binary, BUDGET, (without_the_option_the_header_does_not_escape_the_limit,))
    with tempfile.TemporaryDirectory() as data_dir:
        # Not quiet: the checks read the access log.
        server = Server(binary, data_dir, os.path.join(data_dir, "server.log"),
                        BUDGET + ["--trusted-proxy", PROXY, "--trusted-proxy", "10.0.0.0/8"], quiet=False)
        try:
            failures += run_checks((clients_behind_the_proxy_each_have_their_own_budget,
                                    a_header_from_an_untrusted_peer_is_ignored,
                                    the_client_is_found_from_the_right,
                                    the_access_log_shows_the_forwarded_address,
                                    a_malformed_header_falls_back_to_the_proxy), server)
            if server.process.poll() is not None:
                failures += 1
                print("FAIL the server died:", server.stderr)
        finally:
            server.kill()
    failures += run_with_server(binary, ["--password", "right", "--password-attempts", "2",
                                         "--trusted-proxy", PROXY],
                                (wrong_passwords_are_counted_per_forwarded_client,))
    failures += run_checks((a_bad_value_refuses_to_start,), binary)
    signal.alarm(0)
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
