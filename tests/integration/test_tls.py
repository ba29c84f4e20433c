#!/usr/bin/env python3
"""HTTPS built in (--tls-cert, --tls-key), with a self-signed certificate made here by
openssl: a client that trusts it chats, streams and signs in over TLS; one that does
not refuses the connection; plain HTTP and a stalled handshake get nothing; an
unusable certificate or key stops the server at start-up with a reason."""

import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import (  # noqa: E402
    HOST, Failure, Server, bound_whole_file, check, run_checks)

WHOLE_FILE_SECONDS = 60
JSON = {"Content-Type": "application/json"}


def make_certificate(folder, key_type):
    """A self-signed certificate for 127.0.0.1 and localhost; returns (cert, key) paths."""
    certificate, key = os.path.join(folder, key_type + "-cert.pem"), os.path.join(folder, key_type + "-key.pem")
    key_options = ["-newkey", "rsa:2048"] if key_type == "rsa" else \
        ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    subprocess.run(["openssl", "req", "-x509", *key_options, "-nodes", "-keyout", key, "-out", certificate,
                    "-days", "2", "-subj", "/CN=chatapp test",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=30)
    return certificate, key


def trusting(certificate):
    return ssl.create_default_context(cafile=certificate)


def request(server, context, method, path, body=None, headers=None):
    connection = http.client.HTTPSConnection(HOST, server.port, timeout=10, context=context)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return response.status, response.headers, json.loads(data) if data else None
    finally:
        connection.close()


def a_trusting_client_chats_over_tls(server, certificate):
    context = trusting(certificate)
    status, headers, body = request(server, context, "POST", "/api/v1/rooms/general/messages",
                                    json.dumps({"author": "ana", "text": "cifrado"}), JSON)
    check(status == 201, "POST over TLS answered %d: %r" % (status, body))
    status, _, body = request(server, context, "GET", "/api/v1/rooms/general/messages?after=0")
    check(status == 200 and [m["text"] for m in body["messages"]] == ["cifrado"],
          "GET over TLS answered %d: %r" % (status, body))
    check(server.scheme == "https", "the server announced %s://, not https://" % server.scheme)


def a_stream_is_delivered_over_tls(server, certificate):
    connection = http.client.HTTPSConnection(HOST, server.port, timeout=10, context=trusting(certificate))
    try:
        connection.request("GET", "/api/v1/rooms/general/events?after=0")
        response = connection.getresponse()
        check(response.status == 200, "the stream answered %d" % response.status)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            line = response.fp.readline()
            if line.startswith(b"data:") and b"cifrado" in line:
                return
        raise Failure("the stream over TLS never delivered message 1")
    finally:
        connection.close()


def an_untrusting_client_refuses_the_certificate(server, _certificate):
    try:
        request(server, ssl.create_default_context(), "GET", "/healthz")
    except ssl.SSLCertVerificationError as error:
        check("self-signed" in str(error) or "self signed" in str(error),
              "refused for another reason: %s" % error)
        return
    raise Failure("a client without the certificate accepted it")


def plain_http_on_the_https_port_gets_no_answer(server, _certificate):
    connection = http.client.HTTPConnection(HOST, server.port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        raise Failure("plain HTTP was answered %d on the HTTPS port" % response.status)
    except (http.client.RemoteDisconnected, ConnectionResetError, http.client.BadStatusLine):
        pass
    finally:
        connection.close()


def a_stalled_handshake_is_cut_off(server, certificate):
    """Slowloris before TLS: a connection that never completes its handshake is closed
    after --request-timeout, while a normal client goes on chatting."""
    stalled = socket.create_connection((HOST, server.port), timeout=10)
    try:
        stalled.sendall(b"\x16\x03\x01")  # the start of a ClientHello, and then nothing
        started = time.monotonic()
        status, _, _ = request(server, trusting(certificate), "GET", "/healthz")
        check(status == 200, "a normal client was not served beside a stalled handshake")
        stalled.settimeout(8)
        try:
            data = stalled.recv(100)
        except ConnectionResetError:
            data = b""
        check(data == b"", "the stalled handshake got %r" % data)
        waited = time.monotonic() - started
        check(waited < 6, "the stalled handshake was closed only after %.1f s" % waited)
    except socket.timeout:
        raise Failure("a stalled handshake was still open after 8 s (--request-timeout 2)")
    finally:
        stalled.close()


def sign_in_works_over_tls(binary, folder):
    certificate, key = make_certificate(folder, "rsa")
    with tempfile.TemporaryDirectory() as data_dir:
        server = Server(binary, data_dir, os.path.join(data_dir, "server.log"),
                        ["--tls-cert", certificate, "--tls-key", key, "--password", "s3cret"])
        try:
            context = trusting(certificate)
            status, _, body = request(server, context, "POST", "/api/v1/sessions",
                                      json.dumps({"password": "s3cret"}), JSON)
            check(status == 201, "sign-in over TLS (RSA key) answered %d: %r" % (status, body))
            status, _, body = request(server, context, "GET", "/api/v1/rooms",
                                      headers={"Authorization": "Bearer " + body["token"]})
            check(status == 200, "a token over TLS answered %d: %r" % (status, body))
        finally:
            server.kill()


def unusable_files_stop_the_server(binary, folder):
    certificate, key = make_certificate(folder, "ec")
    garbage = os.path.join(folder, "garbage.pem")
    with open(garbage, "w") as f:
        f.write("not a certificate\n")
    for arguments, why in ((["--tls-cert", certificate], "go together"),
                           (["--tls-cert", garbage, "--tls-key", key], "no PEM certificate"),
                           (["--tls-cert", certificate, "--tls-key", garbage], "private key"),
                           (["--tls-cert", os.path.join(folder, "missing.pem"), "--tls-key", key], "cannot read")):
        result = subprocess.run([binary, "--serve", HOST, "0", "--data-dir", os.path.join(folder, "data"),
                                 *arguments], capture_output=True, text=True, timeout=10)
        check(result.returncode == 2 and why in result.stderr,
              "%s: exit %d, stderr %r (expected 2 and %r)" % (arguments, result.returncode, result.stderr, why))


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(WHOLE_FILE_SECONDS)
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        certificate, key = make_certificate(folder, "ec")
        data_dir = os.path.join(folder, "data")
        server = Server(binary, data_dir, os.path.join(folder, "server.log"),
                        ["--tls-cert", certificate, "--tls-key", key, "--request-timeout", "2"])
        try:
            failures += run_checks((a_trusting_client_chats_over_tls, a_stream_is_delivered_over_tls,
                                    an_untrusting_client_refuses_the_certificate,
                                    plain_http_on_the_https_port_gets_no_answer,
                                    a_stalled_handshake_is_cut_off), server, certificate)
            if server.process.poll() is not None:
                failures += 1
                print("FAIL the server died:", server.stderr)
        finally:
            server.kill()
        failures += run_checks((sign_in_works_over_tls, unusable_files_stop_the_server), binary, folder)
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
