#!/usr/bin/env python3
"""@room calls everyone in a room (docs/api.md, "@room"), so the server limits it per
address: two in a row, then one every 30 s; past that 429 room_mention_rate_limited with
Retry-After and nothing stored. Sends without it are not limited by it, nor is another
address, nor a word that only looks like it (@roomba, mail@room.org)."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import bound_whole_file, check, run_with_server, stored_texts  # noqa: E402

JSON = {"Content-Type": "application/json"}
# Sends as such are not what is limited here.
UNTHROTTLED = ["--send-rate", "1000000", "--send-burst", "1000000"]


def send(server, text, source=None):
    return server.request("POST", "/api/v1/rooms/lab/messages", json.dumps({"author": "ana", "text": text}), JSON,
                          source=source)


def room_mentions_are_limited_per_address(server):
    statuses = [send(server, "@room meeting %d" % i)[0] for i in range(2)]
    check(statuses == [201, 201], "the first two @room got %r" % statuses)
    status, headers, body = send(server, "@ROOM once more")
    check(status == 429 and body["error"]["code"] == "room_mention_rate_limited",
          "a third @room got %d %r" % (status, body))
    check(int(headers["Retry-After"]) >= 1, "429 without a usable Retry-After: %r" % headers)
    check("@ROOM once more" not in stored_texts(server), "the refused @room was stored")
    for text in ["no mention here", "my @roomba broke", "write to mail@room.org", "which room?"]:
        status, _, body = send(server, text)
        check(status == 201, "%r got %d %r" % (text, status, body))
    status, _, body = send(server, "@room from elsewhere", source="127.0.0.2")
    check(status == 201, "another address's @room got %d %r" % (status, body))


def main():
    bound_whole_file(60)
    return 1 if run_with_server(os.environ["CHATAPP_BINARY"], UNTHROTTLED,
                                [room_mentions_are_limited_per_address]) else 0


if __name__ == "__main__":
    sys.exit(main())
