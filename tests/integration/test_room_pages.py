#!/usr/bin/env python3
"""GET /api/v1/rooms in pages: a server with hundreds of rooms answers a bounded page and
says where the next one is (`next` and a Link header), and following it gives every room
once, in name order. Many rooms are cheap to make (a PUT each), so an unpaged list would
let anyone make every window's refresh as big as they like; docs/security.md has the limits."""

import http.client
import os
import random
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    HOST, SOCKET_TIMEOUT, bound_whole_file, check, run_with_server)

import json  # noqa: E402

WHOLE_FILE_SECONDS = 90
DEFAULT_PAGE = 100  # Limits::defaultPageSize, as docs/api.md states it
MAX_PAGE = 1000
# Names chosen to sort differently by byte than by any "natural" order: '-' < digits < '_'
# < letters, and a prefix before its extensions.
MADE_ROOMS = ["room%03d" % i for i in range(244)] + ["a", "a-b", "a0", "a_b", "ab", "z-9"]
ALL_ROOMS = sorted(MADE_ROOMS + ["general"])


def create_rooms(server):
    # One kept-alive connection: making the rooms is the set-up, not what is tested.
    connection = http.client.HTTPConnection(HOST, server.port, timeout=SOCKET_TIMEOUT)
    try:
        for name in random.Random(13).sample(MADE_ROOMS, len(MADE_ROOMS)):
            connection.request("PUT", "/api/v1/rooms/" + name)
            response = connection.getresponse()
            body = response.read()
            check(response.status == 201, "PUT %s answered %d: %r" % (name, response.status, body))
    finally:
        connection.close()


def page(server, path):
    status, headers, body = server.request("GET", path)
    check(status == 200, "GET %s answered %d: %r" % (path, status, body))
    check(isinstance(body, dict) and isinstance(body.get("rooms"), list), "GET %s: %r" % (path, body))
    return headers, body


def follow_pages(server, first):
    """Every page from `first` on, following `next`; returns the pages' bodies."""
    pages = []
    path = first
    while path is not None:
        check(len(pages) <= len(ALL_ROOMS), "more pages than rooms: %r" % [p.get("next") for p in pages])
        headers, body = page(server, path)
        pages.append(body)
        path = body.get("next")
        link = headers.get("Link")
        if path is None:
            check(link is None, "the last page (%s) has a Link header: %r" % (first, link))
        else:
            check(path.startswith("/api/v1/rooms?"), "next is %r" % path)
            check(link == '<%s>; rel="next"' % path, "Link %r for next %r" % (link, path))
    return pages


def names(pages):
    return [room["name"] for body in pages for room in body["rooms"]]


def pages_of_100_list_every_room_once_in_order(server):
    create_rooms(server)
    pages = follow_pages(server, "/api/v1/rooms?limit=100")
    check([len(body["rooms"]) for body in pages] == [100, 100, len(ALL_ROOMS) - 200],
          "page sizes %r" % [len(body["rooms"]) for body in pages])
    listed = names(pages)
    check(listed == ALL_ROOMS, "listed %d rooms, want %d in order; first difference at %r"
          % (len(listed), len(ALL_ROOMS),
             next((i for i, (a, b) in enumerate(zip(listed, ALL_ROOMS)) if a != b), None)))
    # The objects are the ones GET /api/v1/rooms/{room} gives.
    check(pages[0]["rooms"][0] == server.get("/api/v1/rooms/" + ALL_ROOMS[0]),
          "%r is not the room's own object" % pages[0]["rooms"][0])


def the_default_page_is_bounded_and_says_where_the_rest_is(server):
    headers, body = page(server, "/api/v1/rooms")
    check(len(body["rooms"]) == DEFAULT_PAGE, "the default page has %d rooms" % len(body["rooms"]))
    check(body.get("next") == "/api/v1/rooms?after=%s&limit=%d" % (ALL_ROOMS[DEFAULT_PAGE - 1], DEFAULT_PAGE),
          "next is %r" % body.get("next"))
    check(len(json.dumps(body)) < 16 * 1024, "the default page is %d bytes" % len(json.dumps(body)))
    check(names(follow_pages(server, "/api/v1/rooms")) == ALL_ROOMS, "the default pages miss rooms")
    # The largest page holds them all, so it has no next.
    pages = follow_pages(server, "/api/v1/rooms?limit=%d" % MAX_PAGE)
    check(len(pages) == 1 and names(pages) == ALL_ROOMS, "limit=%d gave %d pages" % (MAX_PAGE, len(pages)))


def next_is_there_exactly_when_more_rooms_follow(server):
    _, body = page(server, "/api/v1/rooms?limit=%d" % len(ALL_ROOMS))
    check(len(body["rooms"]) == len(ALL_ROOMS) and "next" not in body,
          "a page that ends with the last room has next %r" % body.get("next"))
    _, body = page(server, "/api/v1/rooms?limit=%d" % (len(ALL_ROOMS) - 1))
    check("next" in body, "a page one room short of the end has no next")
    _, last = page(server, body["next"])
    check(names([last]) == ALL_ROOMS[-1:] and "next" not in last, "the page after it: %r" % last)


def after_is_exclusive_and_need_not_be_a_room(server):
    _, body = page(server, "/api/v1/rooms?after=a&limit=3")
    check(names([body]) == ["a-b", "a0", "a_b"], "after=a gave %r" % names([body])[:5])
    _, body = page(server, "/api/v1/rooms?after=m&limit=2")
    check(names([body]) == ["room000", "room001"], "after=m gave %r" % names([body])[:5])
    _, body = page(server, "/api/v1/rooms?after=zzz")
    check(body["rooms"] == [] and "next" not in body, "after the last room: %.200r" % body)


def bad_limits_and_cursors_get_400(server):
    for query in ("limit=0", "limit=1001", "limit=-1", "limit=abc", "limit=", "limit=1.5",
                  "limit=%2B5", "limit=%205", "limit=99999999999999999999",
                  "after=", "after=Lab", "after=a%2Fb", "after=" + "a" * 65):
        status, _, body = server.request("GET", "/api/v1/rooms?" + query)
        check(status == 400, "%s answered %d: %.200r" % (query, status, body))
        error = body.get("error", {}) if isinstance(body, dict) else {}
        check(error.get("status") == 400 and error.get("code") == "invalid_query"
              and query.split("=")[0] in error.get("message", ""),
              "%s: error body %.200r" % (query, body))


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(WHOLE_FILE_SECONDS)
    # ctest lifts the send limit through the environment already; the flags say so for a
    # run by hand too, as every room here is made from one address.
    failures = run_with_server(binary, ["--send-rate", "1000000", "--send-burst", "1000000"], (
        pages_of_100_list_every_room_once_in_order,
        the_default_page_is_bounded_and_says_where_the_rest_is,
        next_is_there_exactly_when_more_rooms_follow,
        after_is_exclusive_and_need_not_be_a_room,
        bad_limits_and_cursors_get_400))
    signal.alarm(0)
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
