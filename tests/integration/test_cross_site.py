#!/usr/bin/env python3
"""What a web page on another site can make a visitor's browser do to a server, tried with
the headers a browser would send: a cross-site form POST (Origin names the other site, or
is "null"), a request marked Sec-Fetch-Site: cross-site, and a DNS-rebinding read (a Host
naming another site). Programs that send no Origin (urllib, curl, the chat window) must be
served as before, and so must the names a server really has (docs/security.md)."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    HOST, SOCKET_TIMEOUT, Server, bound_whole_file, check, run_checks, run_with_server)

WHOLE_FILE_SECONDS = 60
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
PASSWORD = "a class password"
OPEN_ROUTES = ("/", "/healthz", "/docs/api.md", "/download/ChatApp-x86_64.AppImage")


def last_id(server, room="general"):
    return server.get("/api/v1/rooms/" + room)["last_id"]


def post(server, headers, room="general"):
    return server.request("POST", "/api/v1/rooms/%s/messages" % room, body="author=eve&text=hello",
                          headers=dict(FORM, **headers))


def expect_error(answer, status, code, what):
    got, headers, body = answer
    check(got == status, "%s answered %d, not %d: %r" % (what, got, status, body))
    check(isinstance(body, dict) and body["error"]["code"] == code and body["error"]["status"] == status,
          "%s: expected error %s, got %r" % (what, code, body))
    return body["error"]["message"]


def own_origin(server):
    return "http://%s:%d" % (HOST, server.port)


def a_cross_site_form_post_is_403_and_stores_nothing(server):
    before = last_id(server)
    for origin in ("http://evil.example", "null", "http://%s:%d" % (HOST, server.port + 1),
                   "http://%s.evil.example:%d" % (HOST, server.port)):
        message = expect_error(post(server, {"Origin": origin}), 403, "cross_site_request",
                               "a form POST from Origin %s" % origin)
        check(origin in message, "the 403 does not say which origin it refused: %r" % message)
    check(last_id(server) == before, "a refused cross-site POST stored a message")
    expect_error(server.request("PUT", "/api/v1/rooms/evilroom", headers={"Origin": "http://evil.example"}),
                 403, "cross_site_request", "a cross-site PUT of a room")
    status, _, _ = server.request("GET", "/api/v1/rooms/evilroom")
    check(status == 404, "the cross-site PUT created the room: %d" % status)
    expect_error(server.request("DELETE", "/api/v1/sessions/current", headers={"Origin": "null"}),
                 403, "cross_site_request", "a cross-site DELETE")


def sec_fetch_site_cross_site_is_403(server):
    before = last_id(server)
    for value in ("cross-site", "Cross-Site"):
        expect_error(post(server, {"Sec-Fetch-Site": value}), 403, "cross_site_request",
                     "Sec-Fetch-Site: %s without an Origin" % value)
    check(last_id(server) == before, "a request marked cross-site stored a message")
    status, _, body = post(server, {"Sec-Fetch-Site": "same-origin", "Origin": own_origin(server)})
    check(status == 201, "Sec-Fetch-Site: same-origin with its own Origin answered %d: %r" % (status, body))


def the_servers_own_origin_and_no_origin_pass(server):
    status, _, body = post(server, {"Origin": own_origin(server)})
    check(status == 201, "a same-origin POST answered %d: %r" % (status, body))
    status, _, body = post(server, {"Origin": "http://localhost:%d" % server.port,
                                    "Host": "localhost:%d" % server.port})
    check(status == 201, "a same-origin POST through localhost answered %d: %r" % (status, body))
    status, _, body = post(server, {})
    check(status == 201, "a POST without Origin (curl, scripts) answered %d: %r" % (status, body))
    # urllib as a student's script uses it: it sends Host with the port, and no Origin.
    request = urllib.request.Request(server.url("/api/v1/rooms/general/messages"),
                                     data=json.dumps({"author": "ana", "text": "hi"}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=SOCKET_TIMEOUT) as answer:
        check(answer.status == 201, "urllib's POST answered %d" % answer.status)
    # Another site may make a browser read; the browser does not let it see the answer.
    status, _, _ = server.request("GET", "/api/v1/rooms", headers={"Origin": "http://evil.example",
                                                                  "Sec-Fetch-Site": "cross-site"})
    check(status == 200, "a cross-site GET answered %d" % status)


def a_foreign_host_is_421_naming_the_flag(server):
    before = last_id(server)
    for host in ("evil.example:%d" % server.port, "evil.example", "127.0.0.1.evil.example",
                 "localhost.evil.example:%d" % server.port):
        message = expect_error(server.request("GET", "/api/v1/rooms/general/messages", headers={"Host": host}),
                               421, "misdirected_request", "a read with Host: %s" % host)
        check("--allowed-host" in message, "the 421 does not name --allowed-host: %r" % message)
    expect_error(post(server, {"Host": "evil.example"}), 421, "misdirected_request", "a POST with a foreign Host")
    check(last_id(server) == before, "a POST with a foreign Host stored a message")
    for path in OPEN_ROUTES:
        expect_error(server.request("GET", path, headers={"Host": "evil.example"}), 421,
                     "misdirected_request", "GET %s with a foreign Host" % path)


def addresses_and_localhost_pass_with_and_without_port(server):
    for host in ("127.0.0.1", "127.0.0.1:%d" % server.port, "localhost", "localhost:%d" % server.port,
                 "LocalHost.", "[::1]:%d" % server.port, "203.0.113.7"):
        status, _, body = server.request("GET", "/api/v1/rooms", headers={"Host": host})
        check(status == 200, "Host: %s answered %d: %r" % (host, status, body))
    for path in OPEN_ROUTES[:3]:
        status, _, _ = server.request("GET", path, headers={"Host": "localhost:%d" % server.port})
        check(status == 200, "GET %s through localhost answered %d" % (path, status))
    # An HTTP/1.0 client may send no Host at all; no browser does. (HTTP/1.1 must:
    # test_framing.py.)
    connection = socket.create_connection((HOST, server.port), timeout=SOCKET_TIMEOUT)
    try:
        connection.sendall(b"GET /api/v1/rooms HTTP/1.0\r\n\r\n")
        answer = connection.recv(65536)
        check(answer.startswith(b"HTTP/1.1 200 "), "an HTTP/1.0 request without Host answered %r" % answer[:60])
    finally:
        connection.close()


def allowed_hosts_are_admitted(binary):
    """--allowed-host (repeatable) and CHATAPP_ALLOWED_HOSTS admit names; others stay out."""
    with tempfile.TemporaryDirectory() as data_dir:
        for how, environment in ((["--allowed-host", "chat.example", "--allowed-host", "Other.Example."], {}),
                                 ([], {"CHATAPP_ALLOWED_HOSTS": "chat.example, other.example"})):
            saved = dict(os.environ)
            os.environ.update(environment)
            try:
                server = Server(binary, data_dir, os.path.join(data_dir, "allowed.log"), how)
            finally:
                os.environ.clear()
                os.environ.update(saved)
            try:
                shown = " ".join(how) or "CHATAPP_ALLOWED_HOSTS"
                for host in ("chat.example:%d" % server.port, "CHAT.example", "other.example:%d" % server.port):
                    status, _, body = server.request("GET", "/api/v1/rooms", headers={"Host": host})
                    check(status == 200, "%s: Host: %s answered %d: %r" % (shown, host, status, body))
                status, _, body = post(server, {"Host": "chat.example:%d" % server.port,
                                                "Origin": "http://chat.example:%d" % server.port})
                check(status == 201, "%s: a same-origin POST by name answered %d: %r" % (shown, status, body))
                expect_error(post(server, {"Host": "chat.example:%d" % server.port,
                                           "Origin": "http://evil.example"}),
                             403, "cross_site_request", "%s: a cross-site POST by name" % shown)
                expect_error(server.request("GET", "/", headers={"Host": "evil.example"}), 421,
                             "misdirected_request", "%s: Host: evil.example" % shown)
            finally:
                server.stop()


def a_bad_allowed_host_stops_the_server(binary):
    with tempfile.TemporaryDirectory() as data_dir:
        for name in ("chat.example:3550", "http://chat.example", "chat example"):
            refused = subprocess.run([binary, "--serve", HOST, "0", "--data-dir", data_dir, "--allowed-host", name],
                                     capture_output=True, text=True, timeout=10)
            check(refused.returncode == 2 and "--allowed-host" in refused.stderr,
                  "--allowed-host %r: exit %d, %r" % (name, refused.returncode, refused.stderr))
    shown = subprocess.run([binary, "--serve", "--help"], capture_output=True, text=True, timeout=10).stdout
    check("--allowed-host" in shown and "CHATAPP_ALLOWED_HOSTS" in shown, "--help lacks --allowed-host: %s" % shown)


def with_a_password_both_rules_hold(binary):
    """The Host rule comes before the token check; the Origin rule guards sign-in too."""
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir, os.path.join(data_dir, "password.log"), ["--password", PASSWORD])
        try:
            expect_error(server.request("GET", "/api/v1/rooms", headers={"Host": "evil.example"}), 421,
                         "misdirected_request", "a foreign Host on a server with a password")
            sign_in = {"Content-Type": "application/json"}
            body = json.dumps({"password": PASSWORD})
            expect_error(server.request("POST", "/api/v1/sessions", body=body,
                                        headers=dict(sign_in, Origin="http://evil.example")),
                         403, "cross_site_request", "a cross-site sign-in")
            status, _, answer = server.request("POST", "/api/v1/sessions", body=body, headers=sign_in)
            check(status == 201, "a sign-in without Origin answered %d: %r" % (status, answer))
            token = {"Authorization": "Bearer " + answer["token"]}
            expect_error(server.request("PUT", "/api/v1/rooms/lab", headers=dict(token, Origin="null")),
                         403, "cross_site_request", "a cross-site PUT with a token")
            status, _, _ = server.request("PUT", "/api/v1/rooms/lab", headers=token)
            check(status == 201, "a PUT with a token and no Origin answered %d" % status)
        finally:
            server.stop()


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(WHOLE_FILE_SECONDS)
    failures = run_with_server(binary, [], (
        a_cross_site_form_post_is_403_and_stores_nothing,
        sec_fetch_site_cross_site_is_403,
        the_servers_own_origin_and_no_origin_pass,
        a_foreign_host_is_421_naming_the_flag,
        addresses_and_localhost_pass_with_and_without_port,
    ))
    failures += run_checks((allowed_hosts_are_admitted, a_bad_allowed_host_stops_the_server,
                            with_a_password_both_rules_hold), binary)
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
