#!/usr/bin/env python3
"""The real chat window on a real X server (Xvfb, Qt's xcb platform, not offscreen).

Qt's xcb plugin takes `-name NAME` from the command line as the X11 WM_CLASS name, so a
`--name ana` that reached Qt instead of ChatApp would leave the window chatting under
some other name. This file proves, with nothing but Python's standard library, Xvfb and
xdotool (real X input through XTEST), that:

  * `chatapp --connect HOST:PORT --name ana --room lab` opens a window that the server
    lists as "ana" among lab's members, and whose title names ana;
  * the positional form `chatapp HOST PORT --name=bea --room lab` does the same for bea;
  * text typed into ana's window and sent with Return is stored with author ana, and is
    delivered to bea's window; then the same the other way round. Both windows talk to
    the server through a small recording proxy in this file: seeing a window's long poll
    answered with the other's message, and its next poll asking only for what is after
    that message, is the proof that the window received it;
  * `chatapp --help` needs no display, and `chatapp --lang fr` is refused on stderr.

Every wait has a deadline, the whole file is bounded by an alarm, and every process it
starts (Xvfb, server, windows) is killed in a finally.
"""

import http.client
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HOST = "127.0.0.1"
ROOM = "lab"
WHOLE_FILE_SECONDS = 60
STEP_SECONDS = 15
SOCKET_TIMEOUT = 10
# What a window would call itself if --name never reached ChatApp: no saved settings
# (a fresh XDG_CONFIG_HOME), so the account name, which the test sets to this.
FALLBACK_USER = "xcb-fallback-user"


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import Failure, Server, Xvfb, bound_whole_file, check, tail, wait_until  # noqa: E402


def room_members(server):
    try:
        page = server.get("/api/v1/rooms/%s/members" % ROOM)
    except Failure:
        return []  # the room may not exist yet
    return [member["name"] for member in page["members"]]


def room_messages(server):
    try:
        return server.get("/api/v1/rooms/%s/messages?after=0&limit=1000" % ROOM)["messages"]
    except Failure:
        return []


HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
              "trailer", "upgrade", "content-length"}


class RecordingProxy:
    """Forwards the windows' requests to the server and records each exchange.

    Each request is handled on its own thread, so that long polls held by the server
    (wait=25) do not hold up the other window's requests.
    """

    def __init__(self, server_port):
        self.exchanges = []  # dicts: method, path, query, status, body (parsed JSON or None)
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_):
                pass

            def forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {name: value for name, value in self.headers.items()
                           if name.lower() not in HOP_BY_HOP}
                split = urllib.parse.urlsplit(self.path)
                # Recorded as it arrives: a long poll may be held for 25 s before its answer.
                exchange = {"method": self.command, "path": split.path,
                            "query": urllib.parse.parse_qs(split.query),
                            "status": None, "body": None}
                with proxy.lock:
                    proxy.exchanges.append(exchange)
                upstream = http.client.HTTPConnection(HOST, server_port, timeout=75)
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    response = upstream.getresponse()
                    status, reason = response.status, response.reason
                    response_headers = response.getheaders()
                    data = response.read()
                except OSError as error:
                    status, reason, response_headers = 502, "Bad Gateway", []
                    data = json.dumps({"proxy_error": str(error)}).encode()
                finally:
                    upstream.close()
                try:
                    parsed = json.loads(data)
                except ValueError:
                    parsed = None
                with proxy.lock:
                    exchange.update(status=status, body=parsed)
                self.send_response_only(status, reason)
                for name, value in response_headers:
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = forward

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                # A window that is killed, or that gives up on a poll, drops its side.
                if not isinstance(sys.exc_info()[1], ConnectionError):
                    super().handle_error(request, client_address)

        self.httpd = Server((HOST, 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    def polls_of(self, name):
        """The message polls that `name`'s window made in the room, in the order they
        came; the ones still held have status None."""
        path = "/api/v1/rooms/%s/messages" % ROOM
        with self.lock:
            return [dict(e) for e in self.exchanges
                    if e["method"] == "GET" and e["path"] == path
                    and e["query"].get("name") == [name]]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Window:
    """One `chatapp` window process on the Xvfb display."""

    def __init__(self, label, binary, arguments, env, log_path):
        self.label = label
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen([binary] + arguments, env=env,
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        self.window_id = None
        self.title = None

    def assert_alive(self):
        code = self.process.poll()
        if code is not None:
            how = ("killed by signal %d" % -code) if code < 0 else ("exit code %d" % code)
            raise Failure("%s's window exited (%s); its output: %s"
                          % (self.label, how, tail(self.log_path)))

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=5)


def xdotool(display, *arguments, timeout=5):
    env = dict(os.environ, DISPLAY=display)
    try:
        result = subprocess.run(["xdotool"] + [str(a) for a in arguments], env=env,
                                stdin=subprocess.DEVNULL, capture_output=True,
                                timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure("xdotool %s did not finish within %d s" % (" ".join(map(str, arguments)),
                                                                 timeout))
    return result.returncode, result.stdout.decode(errors="replace").strip()


def find_window(display, window):
    """The visible top-level window of the process that shows room lab, once mapped."""
    def found():
        window.assert_alive()
        code, out = xdotool(display, "search", "--onlyvisible", "--pid", window.process.pid)
        if code != 0:
            return None
        for window_id in out.split():
            code, title = xdotool(display, "getwindowname", window_id)
            if code == 0 and ("#" + ROOM) in title:
                return window_id, title
        return None

    window.window_id, window.title = wait_until(
        found, STEP_SECONDS, "a visible window of %s's process showing #%s" % (window.label, ROOM))


def type_and_send(display, window, text):
    """Gives the window the keyboard focus, then types through XTEST as a person would.

    There is no window manager on Xvfb, so windowactivate (which asks the window manager
    through _NET_ACTIVE_WINDOW) cannot work; windowfocus sets the X input focus itself.
    """
    def focused():
        window.assert_alive()
        xdotool(display, "windowfocus", "--sync", window.window_id)
        code, out = xdotool(display, "getwindowfocus")
        return code == 0 and out == window.window_id

    wait_until(focused, STEP_SECONDS, "the X input focus on %s's window" % window.label)
    code, out = xdotool(display, "type", "--delay", "20", text, timeout=15)
    check(code == 0, "xdotool type into %s's window failed: %s" % (window.label, out))
    code, out = xdotool(display, "key", "Return")
    check(code == 0, "xdotool key Return in %s's window failed: %s" % (window.label, out))


def stored_with_text(server, text):
    return [m for m in room_messages(server) if m["text"] == text]


# ---------------------------------------------------------------------------------------
# The checks that need no X server.

def command_env_without_display():
    env = dict(os.environ)
    for variable in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(variable, None)
    return env


def help_needs_no_display(binary):
    result = subprocess.run([binary, "--help"], env=command_env_without_display(),
                            stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    out = result.stdout.decode(errors="replace")
    check(result.returncode == 0, "--help without a display exited %d; stderr: %r"
          % (result.returncode, result.stderr))
    check("--name" in out and "Usage" in out, "--help printed no usage with --name: %r" % out)


def unknown_language_is_refused(binary):
    result = subprocess.run([binary, "--lang", "fr"], env=command_env_without_display(),
                            stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    err = result.stderr.decode(errors="replace")
    check(result.returncode != 0, "--lang fr exited 0; stdout %r" % result.stdout)
    # Refused by ChatApp's own parser, not by Qt failing to find a display.
    check("fr" in err and "display" not in err.lower(),
          "--lang fr: no error about the language on stderr: %r" % err)


# ---------------------------------------------------------------------------------------
# The checks under Xvfb.

class Chat:
    def __init__(self, binary, work_dir):
        self.binary = binary
        self.work_dir = work_dir
        self.xvfb = self.server = self.proxy = None
        self.windows = {}

    def start(self):
        self.xvfb = Xvfb(os.path.join(self.work_dir, "xvfb.log"))
        data_dir = os.path.join(self.work_dir, "data")
        os.mkdir(data_dir)
        self.server = Server(self.binary, data_dir, os.path.join(self.work_dir, "server.log"))
        self.proxy = RecordingProxy(self.server.port)

    def client_env(self):
        runtime = os.path.join(self.work_dir, "runtime")
        os.makedirs(runtime, mode=0o700, exist_ok=True)
        env = dict(os.environ)
        env.pop("WAYLAND_DISPLAY", None)
        env.update({
            "QT_QPA_PLATFORM": "xcb",  # ctest sets offscreen for the whole suite
            "DISPLAY": self.xvfb.display,
            "XDG_CONFIG_HOME": os.path.join(self.work_dir, "config"),  # no saved name
            "XDG_CACHE_HOME": os.path.join(self.work_dir, "cache"),
            "XDG_RUNTIME_DIR": runtime,
            "USER": FALLBACK_USER,
            "LOGNAME": FALLBACK_USER,
        })
        return env

    def open_window(self, name, arguments):
        window = Window(name, self.binary, arguments, self.client_env(),
                        os.path.join(self.work_dir, "window-%s.log" % name))
        self.windows[name] = window
        return window

    def expect_member(self, name):
        window = self.windows[name]

        def listed():
            window.assert_alive()
            return name in room_members(self.server)

        wait_until(listed, STEP_SECONDS,
                   lambda: "%r among %s's members (members now: %r; a window whose --name "
                   "was lost would be %r)" % (name, ROOM, room_members(self.server), FALLBACK_USER))
        find_window(self.xvfb.display, window)
        check(name in window.title, "%s's window is titled %r" % (name, window.title))

    def connect_form(self):
        self.open_window("ana", ["--connect", "%s:%d" % (HOST, self.proxy.port),
                                 "--name", "ana", "--room", ROOM])
        self.expect_member("ana")

    def positional_form(self):
        self.open_window("bea", [HOST, str(self.proxy.port), "--name=bea", "--room", ROOM])
        self.expect_member("bea")

    def send_and_deliver(self, sender, receiver, text):
        """`sender` types text into its window; it is stored under its name and reaches
        `receiver`'s window."""
        windows = self.windows
        check(sender in windows and receiver in windows, "the two windows are not open")
        # The receiver must already be waiting on the room (a long poll with after=,
        # held), so that the message reaches it as news and not in its first page.
        def waiting():
            windows[receiver].assert_alive()
            return any(poll["status"] is None and "after" in poll["query"]
                       for poll in self.proxy.polls_of(receiver))

        wait_until(waiting, STEP_SECONDS, "a long poll held for %s's window" % receiver)
        type_and_send(self.xvfb.display, windows[sender], text)

        def stored():
            windows[sender].assert_alive()
            return stored_with_text(self.server, text)

        found = wait_until(stored, STEP_SECONDS,
                           lambda: "%r typed in %s's window to be stored (room holds %r)"
                           % (text, sender, self.room_messages(server)))
        check(len(found) == 1, "%r stored %d times: %r" % (text, len(found), found))
        message = found[0]
        check(message["author"] == sender, "%r was stored with author %r, not %r (%r)"
              % (text, message["author"], sender, message))

        def delivered():
            windows[receiver].assert_alive()
            polls = self.proxy.polls_of(receiver)
            answered_with_it = [
                i for i, poll in enumerate(polls)
                if poll["status"] == 200 and isinstance(poll["body"], dict)
                and message in poll["body"].get("messages", [])]
            if not answered_with_it:
                return False
            # The window took it in: its next poll asks only for what is after it.
            return any(int((poll["query"].get("after") or ["-1"])[0]) >= message["id"]
                       for poll in polls[answered_with_it[0] + 1:])

        wait_until(delivered, STEP_SECONDS,
                   lambda: "message %d (%r) to be delivered to %s's window and taken in "
                   "(its polls, after= and status: %r)" % (message["id"], text, receiver,
                      [(p["query"].get("after"), p["status"]) for p in
                       self.proxy.polls_of(receiver)]))

    def ana_to_bea(self):
        self.send_and_deliver("ana", "bea", "hello from ana")

    def bea_to_ana(self):
        self.send_and_deliver("bea", "ana", "hello from bea")

    def close(self):
        """Ends everything it started; one that will not end does not spare the rest."""
        steps = [window.kill for window in self.windows.values()]
        steps += [part.close if part is self.proxy else part.kill
                  for part in (self.proxy, self.server, self.xvfb) if part is not None]
        for step in steps:
            try:
                step()
            except Exception as error:
                print("cleanup: %s: %s" % (type(error).__name__, error), flush=True)


def main():
    binary = os.environ.get("CHATAPP_BINARY")
    if not binary or not os.access(binary, os.X_OK):
        print("CHATAPP_BINARY must name the built chatapp (got %r)" % binary)
        return 1
    for tool in ("Xvfb", "xdotool"):
        if not any(os.access(os.path.join(d, tool), os.X_OK)
                   for d in os.environ.get("PATH", "").split(os.pathsep)):
            print("%s is not installed (scripts/install-deps.sh installs it)" % tool)
            return 1

    bound_whole_file(WHOLE_FILE_SECONDS)
    started = time.monotonic()
    passed = failed = 0

    def run(name, step):
        nonlocal passed, failed
        try:
            step()
            passed += 1
            print("PASS", name, flush=True)
            return True
        except Failure as failure:
            failed += 1
            print("FAIL", name, "-", failure, flush=True)
        except Exception as error:  # anything unexpected is a failure too, with its reason
            failed += 1
            print("FAIL", name, "-", type(error).__name__, error, flush=True)
        return False

    with tempfile.TemporaryDirectory(prefix="chatapp-xcb-") as work_dir:
        chat = Chat(binary, work_dir)
        try:
            run("help_needs_no_display", lambda: help_needs_no_display(binary))
            run("unknown_language_is_refused", lambda: unknown_language_is_refused(binary))
            # Each step below needs the ones before it: the first failure ends the chain.
            chain = [("xvfb_server_and_proxy_start", chat.start),
                     ("connect_form_name_reaches_server", chat.connect_form),
                     ("positional_form_name_reaches_server", chat.positional_form),
                     ("ana_types_bea_receives", chat.ana_to_bea),
                     ("bea_types_ana_receives", chat.bea_to_ana)]
            for index, (name, step) in enumerate(chain):
                if not run(name, step):
                    for skipped, _ in chain[index + 1:]:
                        failed += 1
                        print("FAIL", skipped, "- not run: an earlier step failed", flush=True)
                    break
        except Failure as failure:  # the alarm, outside any step
            failed += 1
            print("FAIL", failure, flush=True)
        finally:
            signal.alarm(0)
            chat.close()
    print("took %.1f s" % (time.monotonic() - started))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
