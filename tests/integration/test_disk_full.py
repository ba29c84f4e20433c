#!/usr/bin/env python3
"""The disk under the server fills up, for real: the data directory is a small tmpfs,
filled to the last byte, then grown with `mount -o remount`. While it is full every
send gets 503 store_unavailable with Retry-After and nothing is half-written; reads go
on, and /healthz says 503 store_unwritable; once space returns /healthz says 200 again
by itself, before any send, and the next send gets 201 with the next id, without a
restart; and after a kill -9 and a restart exactly the acknowledged messages are
stored, each once, ids 1..N.

Where mounting is refused (not root, or a container without the right), the server's
file size limit stands in for the disk (prlimit --fsize): its writes then fail with
EFBIG where they would fail with ENOSPC, and take the same path. The mode that ran is
printed."""

import concurrent.futures
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    Failure, Server, bound_whole_file, check, run_checks, wait_until)

WHOLE_FILE_SECONDS = 60
ROOM = "lab"
JSON = {"Content-Type": "application/json"}
# Long texts fill the disk in few sends; every text is unique, to tell them apart.
PADDING = " " + "x" * 3000
BURST = 32
# Enough refusals that whole group commits failed, not only single sends.
REFUSALS_WANTED = 150
TMPFS_SIZE = "2m"
TMPFS_GROWN = "64m"


class Tmpfs:
    """The data directory on a tmpfs of its own, which fill() fills to the last byte."""
    mode = "tmpfs"

    def __init__(self, path):
        self.path = path
        self.mounted = False
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs", path],
                                capture_output=True, text=True, timeout=10)
        if result.returncode != 0:
            raise PermissionError(" ".join(result.stderr.split())
                                  or "mount exited with %d" % result.returncode)
        self.mounted = True

    def fill(self, server):
        try:
            with open(os.path.join(self.path, "filler"), "wb") as filler:
                while True:
                    filler.write(b"\0" * 4096)
                    filler.flush()
        except OSError as error:
            check(error.errno == 28, "filling the tmpfs failed with %r, not ENOSPC" % error)
        free = os.statvfs(self.path).f_bavail
        check(free == 0, "the tmpfs still has %d blocks free" % free)

    def make_room(self, server):
        subprocess.run(["mount", "-o", "remount,size=" + TMPFS_GROWN, self.path],
                       check=True, timeout=10)

    def close(self):
        if self.mounted:
            subprocess.run(["umount", self.path], check=True, timeout=10)
            self.mounted = False


class FileSizeLimit:
    """The server's RLIMIT_FSIZE (soft only: without CAP_SYS_RESOURCE a lowered hard
    limit could not be raised again) at the size of its write-ahead log, so that the next
    commit, which appends to it, cannot be written."""
    mode = "prlimit --fsize"

    def __init__(self, path):
        self.path = path

    def fill(self, server):
        limit = os.path.getsize(os.path.join(self.path, "chatapp.db-wal"))
        check(limit > 0, "no write-ahead log to cap")
        subprocess.run(["prlimit", "--pid", str(server.process.pid), "--fsize=%d:" % limit],
                       check=True, timeout=10)

    def make_room(self, server):
        subprocess.run(["prlimit", "--pid", str(server.process.pid), "--fsize=unlimited:"],
                       check=True, timeout=10)

    def close(self):
        pass


class Chat:
    """The server under test and what it answered: `acknowledged` maps each text that
    got 201 to its id, `refused` counts the 503s. Sends run on many threads at once,
    hence the lock around the bookkeeping."""

    def __init__(self, binary, disk, data_dir, log_dir):
        self.binary = binary
        self.disk = disk
        self.data_dir = data_dir
        self.log_dir = log_dir
        self.runs = 0
        self.lock = threading.Lock()
        self.acknowledged = {}
        self.ids = set()
        self.refused = 0
        self.numbers = itertools.count(1)
        self.server = None
        self.start()

    def start(self):
        self.runs += 1
        # All clients here are 127.0.0.1: the per-address send limit would refuse them.
        self.server = Server(self.binary, self.data_dir,
                             os.path.join(self.log_dir, "server-%d.log" % self.runs),
                             ["--send-rate", "1000000", "--send-burst", "1000000"])

    def send(self):
        """One send of a new text; returns (status, body)."""
        with self.lock:
            text = "message %d%s" % (next(self.numbers), PADDING)
        return self.post(text, JSON)

    def post(self, text, headers):
        """Anything but a 201 that is new, or a proper 503 store_unavailable, fails."""
        status, response_headers, body = self.server.request(
            "POST", "/api/v1/rooms/%s/messages" % ROOM,
            body=json.dumps({"author": "ana", "text": text}), headers=headers)
        with self.lock:
            if status == 201:
                check(body["text"] == text, "201 with another text: %r" % body)
                check(text not in self.acknowledged, "201 twice for one text")
                check(body["id"] not in self.ids,
                      "201 with id %d, which an earlier 201 gave another message" % body["id"])
                self.acknowledged[text] = body["id"]
                self.ids.add(body["id"])
            elif status == 503:
                check(body["error"]["code"] == "store_unavailable", "503 %r" % body)
                check(response_headers["Retry-After"] == "1",
                      "503 without Retry-After: 1: %r" % dict(response_headers))
                self.refused += 1
            else:
                raise Failure("a send got %d %r" % (status, body))
        return status, body

    def burst(self, count):
        """`count` sends at once, on as many connections, so that the writer gets them
        together and group-commits them."""
        with concurrent.futures.ThreadPoolExecutor(count) as pool:
            return [status for status, _ in pool.map(lambda _: self.send(), range(count))]

    def stored(self):
        """Every message of the room, paged; checks ids 1..N and the room's last_id."""
        messages = []
        while True:
            page = self.server.get("/api/v1/rooms/%s/messages?after=%d&limit=1000"
                                   % (ROOM, messages[-1]["id"] if messages else 0))
            if not page["messages"]:
                break
            messages += page["messages"]
        ids = [m["id"] for m in messages]
        check(ids == list(range(1, len(ids) + 1)), "ids are not 1..%d: %r" % (len(ids), ids))
        check(page["last_id"] == len(ids), "last_id %d for %d messages" % (page["last_id"], len(ids)))
        room = self.server.get("/api/v1/rooms/%s" % ROOM)
        check(room["last_id"] == len(ids),
              "the room says last_id %d for %d messages" % (room["last_id"], len(ids)))
        return messages

    def check_stored_is_acknowledged(self):
        """Exactly the acknowledged messages, each once, under the id their 201 gave."""
        messages = self.stored()
        texts = [m["text"] for m in messages]
        check(len(set(texts)) == len(texts), "a message is stored twice")
        missing = set(self.acknowledged) - set(texts)
        check(not missing, "%d acknowledged messages are missing, e.g. %r"
              % (len(missing), sorted(missing)[0][:30] if missing else None))
        extra = set(texts) - set(self.acknowledged)
        check(not extra, "%d messages stored that never got 201, e.g. %r"
              % (len(extra), sorted(extra)[0][:30] if extra else None))
        for message in messages:
            check(self.acknowledged[message["text"]] == message["id"],
                  "%r got 201 with id %d but is stored as %d"
                  % (message["text"][:20], self.acknowledged[message["text"]], message["id"]))
        return len(messages)


def sends_before_the_disk_fills_are_stored(chat):
    statuses = [chat.send()[0] for _ in range(10)]
    check(statuses == [201] * 10, "sends on an empty disk got %r" % statuses)
    check(chat.check_stored_is_acknowledged() == 10, "not 10 messages")


def a_full_disk_refuses_sends_with_503(chat):
    chat.disk.fill(chat.server)
    # Until a whole burst is refused: a commit may still fit in space SQLite's files
    # already hold, and each answer is checked to be a 201 or a proper 503 meanwhile.
    def refused_a_whole_burst():
        statuses = chat.burst(BURST)
        chat.check_stored_is_acknowledged()
        return statuses == [503] * BURST and chat.refused >= REFUSALS_WANTED
    wait_until(refused_a_whole_burst, 20, lambda: "a full disk to refuse sends (%d refused, %d stored)"
               % (chat.refused, len(chat.acknowledged)))
    check(chat.server.process.poll() is None, "the server died: %s" % chat.server.stderr)
    # A careful client's send, to be retried with its key once space returns.
    chat.retried_text = "sent with a key while full" + PADDING
    status, _ = chat.post(chat.retried_text, dict(JSON, **{"Idempotency-Key": "while-full"}))
    check(status == 503, "a send with a key got %d on a full disk" % status)
    print("  %d sends refused, %d stored before the disk was full"
          % (chat.refused, len(chat.acknowledged)))


def reads_go_on_and_healthz_says_full(chat):
    count = chat.check_stored_is_acknowledged()
    newest = chat.server.get("/api/v1/rooms/%s/messages?limit=3" % ROOM)["messages"]
    check([m["id"] for m in newest] == [count - 2, count - 1, count],
          "the newest page holds %r" % [m["id"] for m in newest])
    status, _, body = chat.server.request("GET", "/api/v1/rooms/%s/messages/%d" % (ROOM, count + 1))
    check(status == 404 and body["error"]["code"] == "message_not_found",
          "message %d, never acknowledged, answered %d %r" % (count + 1, status, body))
    # Reads are served, but a server that stores nothing is not healthy: a load balancer
    # should send the chat elsewhere, and the operator learn why.
    status, headers, body = chat.server.request("GET", "/healthz")
    check(status == 503 and body["error"]["code"] == "store_unwritable" and headers["Retry-After"],
          "/healthz answered %d %r on a full disk" % (status, body))
    check("commits fail since" in body["error"]["message"], "/healthz says %r" % body)


def sends_succeed_again_once_space_returns(chat):
    before = len(chat.acknowledged)
    chat.disk.make_room(chat.server)
    # Nobody sends (a load balancer would not send to a server whose /healthz fails):
    # the writer's own small write finds the space.
    wait_until(lambda: chat.server.request("GET", "/healthz")[0] == 200, 10,
               "/healthz to say 200 once space returned, before any send")
    # The client retries its key, as after Retry-After: the failed commits remembered
    # neither the key nor an id, so it is stored now, as the next message.
    def retry_stored():
        status, body = chat.post(chat.retried_text, dict(JSON, **{"Idempotency-Key": "while-full"}))
        return body if status == 201 else None
    body = wait_until(retry_stored, 5, "a send to be stored once space returned")
    check(body["id"] == before + 1,
          "the first send stored after the disk filled got id %d, not %d" % (body["id"], before + 1))
    statuses = chat.burst(BURST * 2)
    check(statuses == [201] * (BURST * 2), "sends after space returned got %r" % sorted(set(statuses)))
    check(chat.check_stored_is_acknowledged() == before + 1 + BURST * 2, "wrong count after recovery")
    # The writer's own account: every write it refused was answered 503, and (more
    # writes than commits) whole group commits failed, not only single sends.
    recovered = re.compile(r"commits succeed again, after (\d+) failed commits refused (\d+) writes")
    log = wait_until(lambda: recovered.search(chat.server.stderr), 5, "the server to log its recovery")
    commits, writes = int(log.group(1)), int(log.group(2))
    print("  %d failed commits refused %d writes" % (commits, writes))
    check(writes == chat.refused,
          "the store refused %d writes, the clients got %d 503s" % (writes, chat.refused))
    check(writes > commits, "every failed commit held a single send: no group commit failed")


def a_restart_keeps_exactly_the_acknowledged(chat):
    chat.server.kill()
    chat.start()
    count = chat.check_stored_is_acknowledged()
    status, body = chat.send()
    check(status == 201 and body["id"] == count + 1,
          "the first send after the restart got %d %r" % (status, body))
    chat.check_stored_is_acknowledged()


def exit_status(server):
    try:
        code = server.process.wait(timeout=2)
    except subprocess.TimeoutExpired:
        return "the server is running"
    if code < 0:
        return "the server was killed by %s" % signal.Signals(-code).name
    return "the server exited with %d" % code


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(WHOLE_FILE_SECONDS)
    failures = 0
    with tempfile.TemporaryDirectory() as top:
        data_dir = os.path.join(top, "data")
        os.mkdir(data_dir)
        try:
            disk = Tmpfs(data_dir)
        except PermissionError as error:
            print("mount refused (%s); the server's file size limit stands in for the disk" % error)
            disk = FileSizeLimit(data_dir)
        print("mode:", disk.mode)
        chat = None
        try:
            chat = Chat(binary, disk, data_dir, top)
            for phase in (sends_before_the_disk_fills_are_stored, a_full_disk_refuses_sends_with_503,
                          reads_go_on_and_healthz_says_full, sends_succeed_again_once_space_returns,
                          a_restart_keeps_exactly_the_acknowledged):
                # Each phase builds on the one before; after a failure the rest would
                # only repeat it. A server that died shows as a refused connection.
                try:
                    failures += run_checks([phase], chat)
                except OSError as error:
                    failures += 1
                    print("FAIL", phase.__name__, "-", repr(error), "-", exit_status(chat.server))
                if failures:
                    print("server log:", chat.server.stderr)
                    break
            if not failures and chat.server.process.poll() is not None:
                failures += 1
                print("FAIL the server died:", chat.server.stderr)
        finally:
            if chat and chat.server:
                chat.server.kill()
            disk.close()
    signal.alarm(0)
    print("%d failure(s), mode %s" % (failures, disk.mode))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
