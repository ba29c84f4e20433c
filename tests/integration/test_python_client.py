#!/usr/bin/env python3
"""A client written with nothing but Python's standard library against a real server.

This is what a student's lab client looks like (urllib, a form POST, polling), so the
API must work for it exactly as docs/api.md says. Every socket has a timeout and the
whole file is bounded by an alarm; the server is killed in a finally.
"""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

SOCKET_TIMEOUT = 10
WHOLE_FILE_SECONDS = 50
HOST = "127.0.0.1"


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import Failure, Server, bound_whole_file, check, run_checks  # noqa: E402


def call(server, method, path, body=None, headers=None):
    """One request on its own connection; returns (status, headers, body, json or None)."""
    connection = http.client.HTTPConnection(HOST, server.port, timeout=SOCKET_TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = None
        return response.status, response.headers, data, parsed
    finally:
        connection.close()


def expect_error(server, method, path, status, code, body=None, headers=None):
    got, _, data, parsed = call(server, method, path, body, headers)
    check(got == status, "%s %s: status %d, expected %d: %r" % (method, path, got, status, data))
    error = (parsed or {}).get("error", {})
    check(error.get("code") == code and error.get("status") == status,
          "%s %s: error %r, expected %d %s" % (method, path, parsed, status, code))


def metric(server, series):
    _, _, data, _ = call(server, "GET", "/metrics")
    for line in data.decode().splitlines():
        if line.startswith(series + " "):
            return float(line.split()[1])
    return None


def wait_until(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise Failure("timed out waiting for " + what)
        time.sleep(0.02)


def form_post_like_the_lab_client(server):
    # urllib sends data= as application/x-www-form-urlencoded, as the original client did.
    data = urllib.parse.urlencode({"author": "ana", "text": "hola, ¿qué tal? 1+1=2 & más"}).encode()
    with urllib.request.urlopen(server.url("/api/v1/rooms/lab/messages"), data=data,
                                timeout=SOCKET_TIMEOUT) as response:
        check(response.status == 201, "form POST answered %d" % response.status)
        check(response.headers["Location"] == "/api/v1/rooms/lab/messages/1"
              or response.headers["Location"] == server.url("/api/v1/rooms/lab/messages/1"),
              "Location %r" % response.headers["Location"])
        message = json.load(response)
    check(message["id"] == 1 and message["room"] == "lab" and message["author"] == "ana"
          and message["text"] == "hola, ¿qué tal? 1+1=2 & más", "stored %r" % message)
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", message["ts"]), "ts %r" % message)


def json_post(server):
    request = urllib.request.Request(
        server.url("/api/v1/rooms/lab/messages"),
        data=json.dumps({"author": "bea", "text": "línea 1\nlínea 2\tfin"}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=SOCKET_TIMEOUT) as response:
        check(response.status == 201, "JSON POST answered %d" % response.status)
        message = json.load(response)
    check(message["id"] == 2 and message["text"] == "línea 1\nlínea 2\tfin", "stored %r" % message)


def read_after(server):
    with urllib.request.urlopen(server.url("/api/v1/rooms/lab/messages?after=1"),
                                timeout=SOCKET_TIMEOUT) as response:
        page = json.load(response)
    check([m["id"] for m in page["messages"]] == [2] and page["last_id"] == 2, "page %r" % page)
    with urllib.request.urlopen(server.url("/api/v1/rooms/lab/messages?after=0&limit=50"),
                                timeout=SOCKET_TIMEOUT) as response:
        page = json.load(response)
    check([m["author"] for m in page["messages"]] == ["ana", "bea"], "page %r" % page)


def idempotent_retry(server):
    def send():
        request = urllib.request.Request(
            server.url("/api/v1/rooms/lab/messages"), data=b"author=ana&text=once",
            headers={"Idempotency-Key": "py-9f4c1a52"}, method="POST")
        with urllib.request.urlopen(request, timeout=SOCKET_TIMEOUT) as response:
            return response.status, json.load(response)

    first_status, first = send()
    again_status, again = send()
    check(first_status == 201 and again_status == 200, "statuses %d, %d" % (first_status, again_status))
    check(first == again, "retry answered %r, first %r" % (again, first))


def long_poll(server):
    _, _, _, page = call(server, "GET", "/api/v1/rooms/lab/messages?limit=1")
    last = page["last_id"]
    result = {}

    def poll():
        started = time.monotonic()
        try:
            result["answer"] = call(server, "GET",
                                    "/api/v1/rooms/lab/messages?after=%d&wait=5&name=carla" % last)
        except Exception as error:  # reported by the main thread
            result["error"] = error
        result["seconds"] = time.monotonic() - started

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    # Sending only once the server holds the poll: that is the case being tested.
    wait_until(lambda: metric(server, "chatapp_open_polls") == 1, 3, "the poll to be held")
    check(poller.is_alive(), "the poll answered before anything was sent: %r" % result)
    status, _, _, sent = call(server, "POST", "/api/v1/rooms/lab/messages",
                              b"author=ana&text=despierta",
                              {"Content-Type": "application/x-www-form-urlencoded"})
    check(status == 201, "POST answered %d" % status)
    poller.join(SOCKET_TIMEOUT)
    check("error" not in result and "answer" in result, "poll failed: %r" % result)
    status, _, _, page = result["answer"]
    check(status == 200 and page["messages"] == [sent], "poll answered %d %r" % (status, page))
    check(result["seconds"] < 4, "the poll took %.2f s, it should wake at once" % result["seconds"])

    started = time.monotonic()
    status, _, _, page = call(server, "GET",
                              "/api/v1/rooms/lab/messages?after=%d&wait=1" % sent["id"])
    elapsed = time.monotonic() - started
    check(status == 200 and page["messages"] == [], "quiet poll answered %d %r" % (status, page))
    check(0.9 <= elapsed < 3, "quiet poll took %.2f s, expected about 1" % elapsed)

    _, _, _, members = call(server, "GET", "/api/v1/rooms/lab/members")
    check("carla" in [m["name"] for m in members["members"]], "members %r" % members)


def read_event(response):
    """Reads one SSE event (skipping comments and retry fields) as a dict of fields."""
    fields = {}
    while True:
        line = response.readline()
        check(line, "the stream ended")
        line = line.decode().rstrip("\r\n")
        if not line:
            if "data" in fields:
                return fields
            fields = {}
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data" and "data" in fields:
            value = fields["data"] + "\n" + value
        fields[name] = value


def event_stream(server):
    _, _, _, page = call(server, "GET", "/api/v1/rooms/lab/messages?limit=1")
    last = page["last_id"]
    check(last >= 3, "expected a few messages in lab, last_id %d" % last)
    connection = http.client.HTTPConnection(HOST, server.port, timeout=5)
    try:
        connection.request("GET", "/api/v1/rooms/lab/events",
                           headers={"Last-Event-ID": str(last - 2), "Accept": "text/event-stream"})
        response = connection.getresponse()
        check(response.status == 200, "events answered %d" % response.status)
        check(response.headers["Content-Type"].startswith("text/event-stream"),
              "Content-Type %r" % response.headers["Content-Type"])
        replayed = [read_event(response), read_event(response)]
        check([int(e["id"]) for e in replayed] == [last - 1, last], "replayed %r" % replayed)
        check(all(e.get("event") == "message" for e in replayed), "event types %r" % replayed)
        check(json.loads(replayed[1]["data"])["id"] == last, "data %r" % replayed[1])

        status, _, _, sent = call(server, "POST", "/api/v1/rooms/lab/messages",
                                  json.dumps({"author": "dani", "text": "en vivo"}).encode(),
                                  {"Content-Type": "application/json"})
        check(status == 201, "POST answered %d" % status)
        live = read_event(response)
        check(int(live["id"]) == sent["id"] and json.loads(live["data"]) == sent, "live %r" % live)
    finally:
        connection.close()


def error_statuses(server):
    _, _, _, before = call(server, "GET", "/api/v1/rooms/lab/messages?limit=1")
    expect_error(server, "GET", "/api/v1/rooms/nosuchroom/messages", 404, "room_not_found")
    expect_error(server, "GET", "/api/v1/nothing-here", 404, "not_found")
    expect_error(server, "GET", "/api/v1/rooms/lab/messages/9999", 404, "message_not_found")
    expect_error(server, "GET", "/api/v1/rooms/lab/messages?limit=0", 400, "invalid_query")
    expect_error(server, "GET", "/api/v1/rooms/lab/messages?after=-1", 400, "invalid_query")
    expect_error(server, "POST", "/api/v1/rooms/Bad!/messages", 400, "invalid_room",
                 b"author=ana&text=x", {"Content-Type": "application/x-www-form-urlencoded"})
    expect_error(server, "POST", "/api/v1/rooms/lab/messages", 400, "invalid_json",
                 b"{not json", {"Content-Type": "application/json"})
    expect_error(server, "POST", "/api/v1/rooms/lab/messages", 400, "missing_field",
                 b"author=ana", {"Content-Type": "application/x-www-form-urlencoded"})
    expect_error(server, "POST", "/api/v1/rooms/lab/messages", 413, "text_too_long",
                 urllib.parse.urlencode({"author": "ana", "text": "x" * 4001}).encode(),
                 {"Content-Type": "application/x-www-form-urlencoded"})
    expect_error(server, "POST", "/api/v1/rooms/lab/messages", 415, "unsupported_media_type",
                 b"author=ana&text=x", {"Content-Type": "text/plain"})
    expect_error(server, "DELETE", "/api/v1/rooms/lab", 405, "method_not_allowed")
    _, headers, _, _ = call(server, "DELETE", "/api/v1/rooms/lab")
    allowed = {m.strip() for m in (headers["Allow"] or "").split(",")} - {"HEAD", "OPTIONS"}
    check(allowed == {"GET", "PUT"}, "Allow %r" % headers["Allow"])

    # urllib turns an error status into HTTPError; the body still carries the error object.
    try:
        urllib.request.urlopen(server.url("/api/v1/rooms/nosuchroom"), timeout=SOCKET_TIMEOUT)
        raise Failure("GET of a missing room did not fail")
    except urllib.error.HTTPError as error:
        check(error.code == 404 and json.load(error)["error"]["code"] == "room_not_found",
              "HTTPError %d" % error.code)

    _, _, _, after = call(server, "GET", "/api/v1/rooms/lab/messages?limit=1")
    check(after["last_id"] == before["last_id"], "a refused request stored something: %r" % after)


def rooms_and_health(server):
    status, _, _, health = call(server, "GET", "/healthz")
    check(status == 200 and health == {"status": "ok"}, "healthz %d %r" % (status, health))
    status, _, _, rooms = call(server, "GET", "/api/v1/rooms")
    check(status == 200, "rooms answered %d" % status)
    by_name = {room["name"]: room for room in rooms["rooms"]}
    check("general" in by_name and "lab" in by_name, "rooms %r" % rooms)
    _, _, _, page = call(server, "GET", "/api/v1/rooms/lab/messages?after=0&limit=1000")
    count = len(page["messages"])
    check(count >= 5 and by_name["lab"]["message_count"] == by_name["lab"]["last_id"] == count,
          "lab %r, but %d messages in its history" % (by_name["lab"], count))
    _, _, data, _ = call(server, "GET", "/metrics")
    check(b"chatapp_messages_stored_total" in data and b"chatapp_http_requests_total" in data,
          "metrics %r" % data[:500])


def main():
    binary = os.environ.get("CHATAPP_BINARY")
    if not binary or not os.access(binary, os.X_OK):
        print("CHATAPP_BINARY must name the built chatapp (got %r)" % binary)
        return 1

    bound_whole_file(WHOLE_FILE_SECONDS)

    steps = [form_post_like_the_lab_client, json_post, read_after, idempotent_retry, long_poll,
             event_stream, error_statuses, rooms_and_health]
    failures = 0
    server = None
    with tempfile.TemporaryDirectory(prefix="chatapp-py-") as data_dir:
        try:
            server = Server(binary, data_dir, os.path.join(data_dir, "server.log"))
            failures += run_checks(steps, server)
            code = server.stop()
            if code == 0:
                print("PASS sigterm_exits_zero")
            else:
                failures += 1
                print("FAIL sigterm_exits_zero - exit code %s; stderr: %s" % (code, server.stderr))
        except Exception as error:  # anything unexpected is one more failure, with its reason
            failures += 1
            print("FAIL", type(error).__name__, "-", error)
        finally:
            signal.alarm(0)
            if server is not None:
                server.kill()
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
