#!/usr/bin/env python3
"""Access control (--password) from the outside, with Python's standard library as the
client: without a token, with a wrong one, with a revoked one, and with a good one;
password guessing slowed down per address; tokens that outlive a restart but not a
change of password; and no secret in the server's log."""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    Server, bound_whole_file, check, run_checks)

WHOLE_FILE_SECONDS = 60
PASSWORD = "correct horse battery staple"
JSON = {"Content-Type": "application/json"}
ATTEMPTS_PER_MINUTE = 4
MAX_PASSWORD_CHARACTERS = 1024  # Limits::maxPasswordCharacters in app/core/passwordrequest.h


def sign_in(server, password, source=None):
    return server.request("POST", "/api/v1/sessions", body=json.dumps({"password": password}),
                          headers=JSON, source=source)


def token_for(server, password=PASSWORD, source=None):
    status, headers, body = sign_in(server, password, source)
    check(status == 201, "signing in answered %d: %r" % (status, body))
    check(headers.get("Cache-Control") == "no-store", "a token must not be cached: %r" % headers.items())
    check(isinstance(body, dict) and body.get("token_type") == "Bearer" and len(body.get("token", "")) >= 40,
          "no bearer token in %r" % body)
    return body["token"]


def bearer(token):
    return {"Authorization": "Bearer " + token}


def send(server, text, token=None):
    headers = dict(JSON, **(bearer(token) if token else {}))
    return server.request("POST", "/api/v1/rooms/lab/messages",
                          body=json.dumps({"author": "ana", "text": text}), headers=headers)


def expect_401(answer, code, what):
    status, headers, body = answer
    check(status == 401, "%s answered %d, not 401: %r" % (what, status, body))
    challenge = headers.get("WWW-Authenticate", "")
    check(challenge.startswith("Bearer "), "%s: 401 without a Bearer challenge: %r" % (what, challenge))
    check(isinstance(body, dict) and body["error"]["code"] == code,
          "%s: expected error %s, got %r" % (what, code, body))
    if code == "invalid_token":
        check('error="invalid_token"' in challenge, "%s: challenge %r lacks the error" % (what, challenge))


def without_a_token_every_endpoint_is_401(server):
    for method, path in (("GET", "/api/v1/rooms"), ("GET", "/api/v1/rooms/general"),
                         ("PUT", "/api/v1/rooms/lab"), ("GET", "/api/v1/rooms/general/messages"),
                         ("GET", "/api/v1/rooms/general/messages?after=0&wait=5"),
                         ("GET", "/api/v1/rooms/general/events"), ("GET", "/metrics"),
                         ("GET", "/no/such/path"), ("DELETE", "/api/v1/sessions/current")):
        expect_401(server.request(method, path), "unauthorized", "%s %s" % (method, path))
    expect_401(send(server, "hello"), "unauthorized", "POST without a token")
    status, _, body = server.request("GET", "/healthz")
    check(status == 200, "/healthz must stay open for load balancers: %d %r" % (status, body))


def a_bad_token_is_401(server):
    for header in ("Bearer not-a-token", "Bearer ", "Basic YW5hOnNlY3JldA==", "bearer"):
        expect_401(server.request("GET", "/api/v1/rooms", headers={"Authorization": header}),
                   "invalid_token", "Authorization: %s" % header)


def a_good_token_works_everywhere(server):
    token = token_for(server)
    status, _, body = server.request("PUT", "/api/v1/rooms/lab", headers=bearer(token))
    check(status in (200, 201), "PUT with a token answered %d: %r" % (status, body))
    status, _, body = send(server, "with a token", token)
    check(status == 201, "POST with a token answered %d: %r" % (status, body))
    # The scheme is case-insensitive (RFC 9110, 11.1).
    status, _, body = server.request("GET", "/api/v1/rooms/lab/messages",
                                     headers={"Authorization": "bEaReR " + token})
    check(status == 200 and body["messages"][-1]["text"] == "with a token",
          "reading with a token answered %d: %r" % (status, body))


def a_revoked_token_is_401_and_the_others_still_work(server):
    kept, revoked = token_for(server), token_for(server)
    check(kept != revoked, "two sign-ins gave the same token")
    status, headers, body = server.request("DELETE", "/api/v1/sessions/current", headers=bearer(revoked))
    check(status == 204 and body == b"", "revoking answered %d: %r" % (status, body))
    check("Content-Length" not in headers or headers["Content-Length"] == "0",
          "204 with a body length: %r" % headers.items())
    expect_401(send(server, "after revoke", revoked), "invalid_token", "a revoked token")
    expect_401(server.request("DELETE", "/api/v1/sessions/current", headers=bearer(revoked)),
               "invalid_token", "revoking twice")
    status, _, body = send(server, "other session", kept)
    check(status == 201, "another session stopped working after a revoke: %d %r" % (status, body))


def sign_in_refuses_bad_requests(server):
    expect_401(sign_in(server, "wrong", source="127.0.0.9"), "wrong_password", "a wrong password")
    for body, headers, status, code in ((b"{}", JSON, 400, "missing_field"),
                                        (b'{"password": 7}', JSON, 400, "invalid_field"),
                                        (b"not json", JSON, 400, "invalid_json"),
                                        (b"password=" + PASSWORD.replace(" ", "+").encode(),
                                         {"Content-Type": "application/x-www-form-urlencoded"}, 201, None),
                                        (b"password=x", {"Content-Type": "text/plain"}, 415,
                                         "unsupported_media_type")):
        got, _, answer = server.request("POST", "/api/v1/sessions", body=body, headers=headers,
                                        source="127.0.0.8")
        check(got == status and (code is None or answer["error"]["code"] == code),
              "sign-in with %r answered %d %r, expected %d %s" % (body, got, answer, status, code))


def guessing_is_slowed_down_per_address(server):
    guesser, other = "127.0.0.5", "127.0.0.6"
    for attempt in range(ATTEMPTS_PER_MINUTE):
        expect_401(sign_in(server, "guess-%d" % attempt, guesser), "wrong_password", "guess %d" % attempt)
    for password in ("guess-again", PASSWORD):
        status, headers, body = sign_in(server, password, guesser)
        check(status == 429 and int(headers.get("Retry-After", "0")) >= 1,
              "guess past the limit (%s) answered %d %r, Retry-After %r"
              % (password == PASSWORD and "right" or "wrong", status, body, headers.get("Retry-After")))
    token_for(server, source=other)


def secrets_never_reach_the_log(server):
    token = token_for(server)
    send(server, "logged?", token)
    sign_in(server, "a-wrong-secret", source="127.0.0.7")
    log = server.stderr
    check("/api/v1/sessions" in log, "the access log is off, so this test shows nothing: %s" % log)
    for secret in (PASSWORD, token, "a-wrong-secret"):
        check(secret not in log, "the log holds a secret (%s...)" % secret[:6])


def restarts_keep_tokens_and_a_new_password_drops_them(binary):
    with tempfile.TemporaryDirectory() as data_dir:
        password_file = os.path.join(data_dir, "password")
        with open(password_file, "w") as f:
            f.write(PASSWORD + "\n")
        server = Server(binary, data_dir, os.path.join(data_dir, "1.log"), ["--password-file", password_file])
        try:
            token = token_for(server)
        finally:
            server.kill()
        server = Server(binary, data_dir, os.path.join(data_dir, "2.log"), ["--password", PASSWORD])
        try:
            status, _, body = send(server, "after restart", token)
            check(status == 201, "a token did not survive kill -9 and restart: %d %r" % (status, body))
        finally:
            server.stop()
        server = Server(binary, data_dir, os.path.join(data_dir, "3.log"), ["--password", "a new one"])
        try:
            expect_401(send(server, "old token", token), "invalid_token", "a token from the old password")
        finally:
            server.stop()


def without_a_password_there_are_no_sessions(binary):
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir, os.path.join(data_dir, "open.log"))
        try:
            status, _, body = send(server, "open server")
            check(status == 201, "an open server refused a send: %d %r" % (status, body))
            status, _, body = sign_in(server, "anything")
            check(status == 404 and body["error"]["code"] == "sessions_disabled",
                  "sign-in on an open server answered %d %r" % (status, body))
        finally:
            server.stop()
        empty = subprocess.run([binary, "--serve", "127.0.0.1", "0", "--data-dir", data_dir, "--password", ""],
                               capture_output=True, text=True, timeout=10)
        check(empty.returncode == 2 and "empty" in empty.stderr,
              "an empty --password must not start an open server: %d %s" % (empty.returncode, empty.stderr))


def a_password_no_client_can_send_is_refused_at_start(binary):
    with tempfile.TemporaryDirectory() as data_dir:
        longest = "p" * MAX_PASSWORD_CHARACTERS
        password_file = os.path.join(data_dir, "password")
        with open(password_file, "w") as f:
            f.write(longest + "p\n")
        for how in (["--password", longest + "p"], ["--password-file", password_file]):
            refused = subprocess.run([binary, "--serve", "127.0.0.1", "0", "--data-dir", data_dir] + how,
                                     capture_output=True, text=True, timeout=10)
            check(refused.returncode == 2 and str(MAX_PASSWORD_CHARACTERS) in refused.stderr,
                  "%s with %d characters must not start a server nobody can sign in to: %d %s"
                  % (how[0], MAX_PASSWORD_CHARACTERS + 1, refused.returncode, refused.stderr))
        server = Server(binary, data_dir, os.path.join(data_dir, "longest.log"), ["--password", longest])
        try:
            status, _, body = sign_in(server, longest)
            check(status == 201, "the longest password sign-in takes was refused: %d %r" % (status, body))
        finally:
            server.stop()


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(WHOLE_FILE_SECONDS)
    failures = 0
    with tempfile.TemporaryDirectory() as data_dir:
        log_path = os.path.join(data_dir, "server.log")
        # Not quiet: secrets_never_reach_the_log reads the access log.
        server = Server(binary, data_dir, log_path,
                        ["--password", PASSWORD, "--password-attempts", str(ATTEMPTS_PER_MINUTE)],
                        quiet=False)
        try:
            failures += run_checks((without_a_token_every_endpoint_is_401, a_bad_token_is_401,
                                    a_good_token_works_everywhere,
                                    a_revoked_token_is_401_and_the_others_still_work,
                                    sign_in_refuses_bad_requests, guessing_is_slowed_down_per_address,
                                    secrets_never_reach_the_log), server)
        finally:
            server.kill()
    failures += run_checks((restarts_keep_tokens_and_a_new_password_drops_them,
                            without_a_password_there_are_no_sessions,
                            a_password_no_client_can_send_is_refused_at_start), binary)
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
