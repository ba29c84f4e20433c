#!/usr/bin/env python3
"""GET /api/v1/search (docs/api.md, "Search"): full-text search over one room or all,
kept in the same transaction as the messages (SQLite FTS5), against the real server:

- whole words, in any case and with or without accents, every word of the query;
- one room or all, newest first, in pages that follow `next` (and the Link header) with
  nothing twice and nothing missed;
- each result is the message as history gives it, also after a restart;
- whatever is typed is words, never FTS5's syntax: quotes, stars, AND/OR/NEAR, column
  filters and parentheses find what they say or nothing, never an error;
- 400 invalid_query for a query without a word, a bad room, limit or cursor; 404 for a
  room that does not exist."""

import json
import os
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import Server, bound_whole_file, check, run_checks  # noqa: E402

UNTHROTTLED = ["--send-rate", "1000000", "--send-burst", "1000000"]
JSON = {"Content-Type": "application/json"}


def send(server, room, author, text):
    status, _, body = server.request("POST", "/api/v1/rooms/%s/messages" % room,
                                     json.dumps({"author": author, "text": text}), JSON)
    check(status == 201, "a send got %d %r" % (status, body))
    return body


def search(server, **query):
    return server.request("GET", "/api/v1/search?" + urllib.parse.urlencode(query))


def found(server, **query):
    status, _, body = search(server, **query)
    check(status == 200, "search %r answered %d %r" % (query, status, body))
    return body


def texts(body):
    return [result["text"] for result in body["results"]]


def seed(server):
    send(server, "lab", "ana", "The long poll answered 200 OK")
    send(server, "lab", "bea", "¿Dónde está el ÑANDÚ del laboratorio?")
    send(server, "hall", "carlos", "the poll is long today")
    send(server, "hall", "dana", "polling every second is wasteful")
    send(server, "lab", "eli", 'quotes " and stars * and (parens) and AND OR NEAR text:col')


def words_in_any_case_and_accent(server):
    check(texts(found(server, q="nandu laboratorio")) == ["¿Dónde está el ÑANDÚ del laboratorio?"],
          "accents and case were not ignored")
    check(texts(found(server, q="LONG poll")) == ["the poll is long today", "The long poll answered 200 OK"],
          "every word, newest first: %r" % texts(found(server, q="LONG poll")))
    check(texts(found(server, q="poll")) == ["the poll is long today", "The long poll answered 200 OK"],
          "a word is whole: 'polling' is not 'poll'")


def one_room_or_all(server):
    check(texts(found(server, q="poll", room="hall")) == ["the poll is long today"], "room= did not scope it")
    status, _, body = search(server, q="poll", room="nowhere")
    check(status == 404 and body["error"]["code"] == "room_not_found", "a missing room got %d %r" % (status, body))


def syntax_is_only_words(server):
    for query in ['"', '*', 'AND OR', 'NEAR(text quotes)', 'text:col', '(parens', "quotes\" and", "- ^ :"]:
        status, _, body = search(server, q=query)
        check(status in (200, 400), "%r answered %d %r" % (query, status, body))
        if status == 200:
            check(all("quotes" in text for text in texts(body)), "%r found %r" % (query, texts(body)))
    check(texts(found(server, q='NEAR(text quotes)')) == [texts(found(server, q="quotes"))[0]],
          "NEAR( was taken for syntax")


def bad_queries_are_400(server):
    for query in [{"q": ""}, {"q": "  * ! "}, {}, {"q": "x" * 201}, {"q": "poll", "room": "Bad Room"},
                  {"q": "poll", "limit": "0"}, {"q": "poll", "limit": "101"}, {"q": "poll", "before": "-1"},
                  {"q": "poll", "before": "soon"}]:
        status, _, body = search(server, **query)
        check(status == 400 and body["error"]["code"] == "invalid_query", "%r answered %d %r" % (query, status, body))


def pages_follow_next(server):
    for i in range(1, 26):
        send(server, "pages", "seed", "paged message %d" % i)
    seen = []
    path = "/api/v1/search?" + urllib.parse.urlencode({"q": "paged", "limit": 7})
    pages = 0
    while path:
        status, headers, body = server.request("GET", path)
        check(status == 200, "a page answered %d %r" % (status, body))
        seen += texts(body)
        path = body.get("next")
        check((headers.get("Link") is not None) == (path is not None), "Link and next disagree")
        if path:
            check(headers["Link"] == "<%s>; rel=\"next\"" % path, "the Link header is %r" % headers["Link"])
        pages += 1
        check(pages <= 5, "the pages do not end")
    check(seen == ["paged message %d" % i for i in range(25, 0, -1)], "the pages gave %r" % seen)


def results_are_history(server):
    for result in found(server, q="poll OR wasteful OR laboratorio")["results"] + found(server, q="poll")["results"]:
        status, _, message = server.request("GET", "/api/v1/rooms/%s/messages/%d" % (result["room"], result["id"]))
        check(status == 200 and message == result, "result %r is not history's %r" % (result, message))


def main():
    bound_whole_file(120)
    binary = os.environ["CHATAPP_BINARY"]
    failures = 0
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir, os.path.join(data_dir, "server.log"), UNTHROTTLED)
        try:
            seed(server)
            failures += run_checks([words_in_any_case_and_accent, one_room_or_all, syntax_is_only_words,
                                    bad_queries_are_400, pages_follow_next, results_are_history], server)
        finally:
            check(server.stop() == 0, "the server did not exit cleanly: %s" % server.stderr)
        # Kept: the index is in the file, as the messages are.
        server = Server(binary, data_dir, os.path.join(data_dir, "again.log"), UNTHROTTLED)
        try:
            failures += run_checks([words_in_any_case_and_accent, results_are_history], server)
            send(server, "lab", "ana", "after the restart, a poll")
            failures += run_checks([lambda s: check(texts(found(s, q="poll"))[0] == "after the restart, a poll",
                                                    "a message stored after a restart is not found first")],
                                   server)
        finally:
            server.stop()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
