#!/usr/bin/env python3
"""The schema is versioned (PRAGMA user_version, ordered migrations in
app/storage/schemamigrations.cpp), so a release that changes it upgrades the chats it
finds. Checked on tests/data/chatapp-0.1.0.db, a database the 0.1.0 release wrote (how:
tests/data/README.md), and the messages that release served from it
(chatapp-0.1.0.json):

- every message of every room survives the upgrade, field for field, and so does a send's
  Idempotency-Key: sent again, the send is recognised, not stored twice;
- the file then says the current schema version, a second start changes nothing, and the
  next id goes on from the last;
- a new data directory starts at the current version;
- a database of a newer ChatApp (a higher user_version) is refused with the reason, and
  left as it was."""

import hashlib
import json
import os
import shutil
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import Server, bound_whole_file, check, refused_start, run_checks  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
RELEASE_DATABASE = os.path.join(DATA, "chatapp-0.1.0.db")
RELEASE_MESSAGES = os.path.join(DATA, "chatapp-0.1.0.json")
# app/storage/schemamigrations.h, chatAppSchemaVersion.
CURRENT_SCHEMA_VERSION = 3
CHATAPP_APPLICATION_ID = 0x43684170
UNTHROTTLED = ["--send-rate", "1000000", "--send-burst", "1000000"]
JSON = {"Content-Type": "application/json"}


def pragma(path, name):
    database = sqlite3.connect(path)
    try:
        return database.execute("PRAGMA %s" % name).fetchone()[0]
    finally:
        database.close()


def digest(path):
    with open(path, "rb") as source:
        return hashlib.sha256(source.read()).hexdigest()


def every_message(server):
    rooms = server.get("/api/v1/rooms?limit=1000")["rooms"]
    return {room["name"]: server.get("/api/v1/rooms/%s/messages?after=0&limit=1000" % room["name"])["messages"]
            for room in rooms}


def release_copy(top, name):
    data_dir = os.path.join(top, name)
    os.mkdir(data_dir)
    shutil.copyfile(RELEASE_DATABASE, os.path.join(data_dir, "chatapp.db"))
    return data_dir


def the_release_chat_survives_the_upgrade(binary, top):
    check(pragma(RELEASE_DATABASE, "user_version") == 0, "the release's file is not from before versioning")
    with open(RELEASE_MESSAGES, encoding="utf-8") as source:
        served_then = json.load(source)
    data_dir = release_copy(top, "upgraded")
    database = os.path.join(data_dir, "chatapp.db")
    server = Server(binary, data_dir, os.path.join(top, "upgraded.log"), UNTHROTTLED)
    try:
        served_now = every_message(server)
        for room, messages in served_then.items():
            check(served_now.get(room) == messages,
                  "room %s after the upgrade: %d messages, not the %d of 0.1.0, or changed"
                  % (room, len(served_now.get(room, [])), len(messages)))
        # What the release stored is found by search, as history has it.
        found = server.get("/api/v1/search?q=nandu")["results"]
        check(found == [m for m in served_then["general"] if "ñandú" in m["text"]],
              "search over the upgraded chat found %r" % found)
        found = server.get("/api/v1/search?q=old&room=lab&limit=100")["results"]
        check(len(found) == 30 and found[0]["text"] == "old-30.", "searching the old lab found %d" % len(found))
        # The same send again, with the key it had: the original, not a second copy.
        original = next(m for m in served_then["lab"] if m["author"] == "carlos")
        status, _, body = server.request(
            "POST", "/api/v1/rooms/lab/messages", json.dumps({"author": original["author"], "text": original["text"]}),
            dict(JSON, **{"Idempotency-Key": "release-0.1-key-1"}))
        check(status == 200 and body.get("id") == original["id"],
              "the release's Idempotency-Key was not recognised: %d %r" % (status, body))
        status, _, body = server.request("POST", "/api/v1/rooms/lab/messages",
                                         json.dumps({"author": "ana", "text": "after the upgrade"}), JSON)
        check(status == 201 and body.get("id") == len(served_then["lab"]) + 1,
              "a new send got %d %r" % (status, body))
    finally:
        check(server.stop() == 0, "the server did not exit cleanly: %s" % server.stderr)
    check(pragma(database, "user_version") == CURRENT_SCHEMA_VERSION,
          "the upgraded file says schema version %r" % pragma(database, "user_version"))
    check(pragma(database, "application_id") == CHATAPP_APPLICATION_ID, "the upgraded file lost its mark")

    # Started again: nothing left to migrate, nothing lost.
    server = Server(binary, data_dir, os.path.join(top, "upgraded-again.log"), UNTHROTTLED)
    try:
        again = every_message(server)
        check(again["lab"][:-1] == served_then["lab"] and again["lab"][-1]["text"] == "after the upgrade",
              "the second start serves another lab")
    finally:
        check(server.stop() == 0, "the server did not exit cleanly: %s" % server.stderr)


def a_new_chat_starts_at_the_current_version(binary, top):
    data_dir = os.path.join(top, "new")
    os.mkdir(data_dir)
    server = Server(binary, data_dir, os.path.join(top, "new.log"), UNTHROTTLED)
    check(server.stop() == 0, "the server did not exit cleanly: %s" % server.stderr)
    version = pragma(os.path.join(data_dir, "chatapp.db"), "user_version")
    check(version == CURRENT_SCHEMA_VERSION, "a new database says schema version %r" % version)


def a_newer_chatapps_database_is_refused(binary, top):
    data_dir = release_copy(top, "newer")
    database = os.path.join(data_dir, "chatapp.db")
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA application_id = %d" % CHATAPP_APPLICATION_ID)
    connection.execute("PRAGMA user_version = %d" % (CURRENT_SCHEMA_VERSION + 7))
    connection.commit()
    connection.close()
    before = digest(database)
    said = refused_start(binary, data_dir, os.path.join(top, "newer.log"))
    check("written by a newer ChatApp (schema version %d" % (CURRENT_SCHEMA_VERSION + 7) in said,
          "the refusal does not say why: %s" % said)
    check(digest(database) == before, "the newer database was changed")


def main():
    bound_whole_file(120)
    binary = os.environ["CHATAPP_BINARY"]
    with tempfile.TemporaryDirectory() as top:
        failures = run_checks([the_release_chat_survives_the_upgrade, a_new_chat_starts_at_the_current_version,
                               a_newer_chatapps_database_is_refused], binary, top)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
