#!/usr/bin/env python3
"""HTTP/1.1 framing (RFC 9112) over raw sockets on loopback: a body length or transfer
coding that a proxy in front could read another way than Qt's parser does (a signed
Content-Length, "xchunked", "gzip, chunked", chunked twice) is refused 400 invalid_header,
nothing of it is stored and the connection is closed; HTTP/1.1 without Host is 400;
Connection: close, and HTTP/1.0 without keep-alive, get Connection: close and a close;
ordinary keep-alive clients and curl still work. Bounded by an alarm; the server is
killed in a finally."""

import http.client
import os
import shutil
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    HOST, bound_whole_file, check, exchange_until_closed, run_with_server, stored_texts)

WHOLE_FILE_SECONDS = 90
# The refusal lingers about 2 s reading what follows before it closes (connectionguard.cpp).
CLOSE_SECONDS = 6
POST = (b"POST /api/v1/rooms/lab/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n")


def refused(server, headers, body, text):
    answer, closed = exchange_until_closed(server, POST + headers + b"\r\n" + body, CLOSE_SECONDS)
    check(answer.startswith(b"HTTP/1.1 400 "), "%r got %r" % (headers, answer[:60]))
    check(b'"code":"invalid_header"' in answer, "no invalid_header for %r: %r" % (headers, answer[-200:]))
    check(b"\r\nConnection: close\r\n" in answer.split(b"\r\n\r\n")[0] + b"\r\n",
          "no Connection: close for %r" % headers)
    check(closed, "the connection stayed open after %r" % headers)
    check(text not in stored_texts(server), "%r was stored after %r" % (text, headers))


def chunk(text):
    body = b"author=a&text=" + text.encode()
    return b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)


def signed_content_length_is_refused(server):
    refused(server, b"Content-Length: +18\r\n", b"author=a&text=plus", "plus")


def content_length_list_is_refused(server):
    refused(server, b"Content-Length: 19, 19\r\n", b"author=a&text=alist", "alist")


def content_length_with_inner_space_is_refused(server):
    refused(server, b"Content-Length: 1 9\r\n", b"author=a&text=space", "space")


def unknown_coding_is_refused(server):
    refused(server, b"Transfer-Encoding: xchunked\r\n", chunk("xchunk"), "xchunk")


def coding_before_chunked_is_refused(server):
    refused(server, b"Transfer-Encoding: gzip, chunked\r\n", chunk("gzipped"), "gzipped")


def chunked_twice_in_one_header_is_refused(server):
    refused(server, b"Transfer-Encoding: chunked, chunked\r\n", chunk("twiceone"), "twiceone")


def chunked_in_two_headers_is_refused(server):
    refused(server, b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", chunk("twicetwo"),
            "twicetwo")


def plain_chunked_in_any_case_is_accepted(server):
    answer, _ = exchange_until_closed(server, POST + b"Transfer-Encoding:  ChUnKeD \r\nConnection: close\r\n\r\n"
                                      + chunk("chunkok"), CLOSE_SECONDS)
    check(answer.startswith(b"HTTP/1.1 201 "), "chunked got %r" % answer[:60])
    check("chunkok" in stored_texts(server), "the chunked message was not stored")


def content_length_with_surrounding_spaces_is_accepted(server):
    answer, _ = exchange_until_closed(server, POST + b"Content-Length:  20 \r\nConnection: close\r\n\r\nauthor=a&text=padded", CLOSE_SECONDS)
    check(answer.startswith(b"HTTP/1.1 201 "), "Content-Length with spaces around got %r" % answer[:60])


def connection_close_closes(server):
    answer, closed = exchange_until_closed(server, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", CLOSE_SECONDS)
    check(answer.startswith(b"HTTP/1.1 200 "), "healthz got %r" % answer[:60])
    check(b"\r\nConnection: close\r\n" in answer, "no Connection: close in %r" % answer)
    check(closed, "the connection stayed open after Connection: close")


def http11_without_host_is_400(server):
    answer, _ = exchange_until_closed(server, b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", CLOSE_SECONDS)
    check(answer.startswith(b"HTTP/1.1 400 "), "HTTP/1.1 without Host got %r" % answer[:60])
    check(b'"code":"invalid_header"' in answer, "no invalid_header in %r" % answer[-200:])
    answer, _ = exchange_until_closed(server, b"POST /api/v1/rooms/lab/messages HTTP/1.1\r\nContent-Length: 20\r\n"
                                      b"Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n"
                                      b"author=a&text=nohost", CLOSE_SECONDS)
    check(answer.startswith(b"HTTP/1.1 400 "), "a POST without Host got %r" % answer[:60])
    check("nohost" not in stored_texts(server), "a POST without Host was stored")


def http10_without_host_is_served_and_closed(server):
    answer, closed = exchange_until_closed(server, b"GET /healthz HTTP/1.0\r\n\r\n", CLOSE_SECONDS)
    check(answer.startswith(b"HTTP/1.1 200 "), "HTTP/1.0 without Host got %r" % answer[:60])
    check(b"\r\nConnection: close\r\n" in answer, "no Connection: close for HTTP/1.0 in %r" % answer)
    check(closed, "an HTTP/1.0 connection stayed open")


def http10_keep_alive_stays_open(server):
    connection = socket.create_connection((HOST, server.port), timeout=10)
    try:
        for _ in range(2):
            connection.sendall(b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            answer = b""
            while not answer.endswith(b'{"status":"ok"}'):
                chunk = connection.recv(65536)
                check(chunk, "an HTTP/1.0 keep-alive connection was closed after %r" % answer)
                answer += chunk
            check(b"Connection: close" not in answer, "keep-alive HTTP/1.0 was told to close")
    finally:
        connection.close()


def keep_alive_client_still_works(server):
    connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        for i in range(3):
            connection.request("POST", "/api/v1/rooms/lab/messages",
                               body="author=a&text=kept%d" % i,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            response.read()
            check(response.status == 201, "keep-alive POST %d got %d" % (i, response.status))
            check(response.getheader("Connection") is None, "a keep-alive answer said Connection: close")
    finally:
        connection.close()
    check({"kept0", "kept1", "kept2"} <= set(stored_texts(server)), "the keep-alive messages were not all stored")


def websocket_handshake_gets_one_answer_and_a_close(server):
    handshake = (b"GET /api/v1/rooms/lab HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
                 b"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
    for _ in range(3):
        answer, closed = exchange_until_closed(server, handshake, CLOSE_SECONDS)
        check(answer.startswith(b"HTTP/1.1 400 ") and answer.count(b"HTTP/1.1 ") == 1,
              "a WebSocket handshake got %r" % answer[:300])
        check(b'"code":"invalid_header"' in answer and b"WebSocket" in answer, "the 400 says %r" % answer[-200:])
        check(closed, "the connection stayed open after a WebSocket handshake")
    check("WebSocket" not in server.stderr, "the handshakes were logged: %s" % server.stderr)


def curl_still_works(server):
    if not shutil.which("curl"):
        print("SKIP curl: not installed")
        return
    url = "http://%s:%d/api/v1/rooms/lab/messages" % (HOST, server.port)
    result = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
                             "-d", "author=a&text=bycurl", url], capture_output=True, timeout=20)
    check(result.stdout == b"201", "curl's POST got %r" % result.stdout)
    result = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
                             "-H", "Transfer-Encoding: chunked", "--data-binary", "author=a&text=curlchunk",
                             url], capture_output=True, timeout=20)
    check(result.stdout == b"201", "curl's chunked POST got %r" % result.stdout)
    check({"bycurl", "curlchunk"} <= set(stored_texts(server)), "curl's messages were not stored")


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(WHOLE_FILE_SECONDS)

    def make_room(server):
        check(server.request("PUT", "/api/v1/rooms/lab")[0] == 201, "PUT lab failed")

    failures = run_with_server(binary, [], (
        make_room, signed_content_length_is_refused, content_length_list_is_refused,
        content_length_with_inner_space_is_refused, unknown_coding_is_refused,
        coding_before_chunked_is_refused, chunked_twice_in_one_header_is_refused,
        chunked_in_two_headers_is_refused, plain_chunked_in_any_case_is_accepted,
        content_length_with_surrounding_spaces_is_accepted, connection_close_closes,
        http11_without_host_is_400, http10_without_host_is_served_and_closed, http10_keep_alive_stays_open,
        keep_alive_client_still_works, curl_still_works, websocket_handshake_gets_one_answer_and_a_close))
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
