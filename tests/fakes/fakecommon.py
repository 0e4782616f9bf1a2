# SPDX-License-Identifier: MIT
"""Shared machinery of the fake provider servers in tests/fakes/.

Each fake is a stateful HTTP/1.1 server (keep-alive) on 127.0.0.1 and an
ephemeral port, written to --port-file once it listens.  Besides its API it
answers a control interface under /_fake/ that the tests use:

  GET  /_fake/state           the fake's state as JSON
  POST /_fake/seed            replace parts of the state (JSON object)
  POST /_fake/script          JSON list of forced answers for the next API
                              requests, each {"status": N, "body": "...",
                              "delay": seconds, "repeat": N, "drop": true}
  POST /_fake/mode            {"down": N} answers N to every API request
                              until {"down": 0}; {"clock": seconds} shifts
                              the fake's clock (signature timestamps)
  GET  /_fake/log             every API request seen: method, path, status

Forced answers come before the API's own checks, as a proxy or a broken
server would.  Everything else is the API's real behaviour, checks included.
"""

import argparse
import json
import os
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default 5 drops SYNs when 8 clients connect at once

    def __init__(self, handler, api):
        super().__init__(("127.0.0.1", 0), handler)
        self.api = api
        self.lock = threading.Lock()
        self.script = []
        self.down = 0
        self.clock_offset = 0
        self.log = []
        self.latency = 0.0

    def now(self):
        return time.time() + self.clock_offset


class FakeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        # headers and body leave in separate writes: without this a kept-alive
        # connection waits for the client's delayed ACK after every answer
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def reply(self, status, body=b"", ctype="application/json"):
        if isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.status_sent = status

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def control(self, method, body):
        srv = self.server
        path = self.path.split("?")[0]
        with srv.lock:
            if path == "/_fake/state":
                return self.reply(200, srv.api.state())
            if path == "/_fake/log":
                return self.reply(200, srv.log)
            if method == "POST" and path == "/_fake/seed":
                srv.api.seed(json.loads(body or b"{}"))
                return self.reply(200, {"ok": True})
            if method == "POST" and path == "/_fake/script":
                srv.script.extend(json.loads(body or b"[]"))
                return self.reply(200, {"ok": True})
            if method == "POST" and path == "/_fake/mode":
                m = json.loads(body or b"{}")
                if "down" in m:
                    srv.down = int(m["down"])
                if "clock" in m:
                    srv.clock_offset = float(m["clock"])
                return self.reply(200, {"ok": True})
        return self.reply(404, {"error": "no such control"})

    def handle_any(self, method):
        body = self.read_body()
        if self.path.startswith("/_fake/"):
            return self.control(method, body)
        srv = self.server
        forced = None
        with srv.lock:
            if srv.down:
                forced = {"status": srv.down, "body": "down"}
            elif srv.script:
                forced = srv.script[0]
                forced["repeat"] = forced.get("repeat", 1) - 1
                if forced["repeat"] <= 0:
                    srv.script.pop(0)
        self.status_sent = 0
        if srv.latency > 0:
            time.sleep(srv.latency)
        if forced is not None:
            if forced.get("delay"):
                time.sleep(float(forced["delay"]))
            if forced.get("drop"):
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                status = 0
            else:
                status = int(forced.get("status", 200))
                self.reply(status, forced.get("body", ""), forced.get("type", "application/json"))
        else:
            with srv.lock:
                srv.api.handle(self, method, body)
            status = self.status_sent
        with srv.lock:
            srv.log.append({"method": method, "path": self.path, "status": status, "forced": forced is not None})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_DELETE(self):
        self.handle_any("DELETE")


def serve(api, description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--port-file", required=True, help="write the port here once listening")
    ap.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    ap.add_argument("--tls-key", help="the certificate's private key (PEM)")
    ap.add_argument("--latency", type=float, default=0.0,
                    help="seconds every API answer takes (a remote server's round trip and work)")
    for name, default in api.options():
        ap.add_argument("--" + name.replace("_", "-"), default=default)
    args = ap.parse_args()
    api.configure(args)
    srv = FakeServer(FakeHandler, api)
    srv.latency = args.latency
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        # the handshake happens in the handler's thread, not in accept()
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    srv.api.server = srv
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


def php_urlencode(s):
    """PHP urlencode(): A-Z a-z 0-9 . _ - literal, space as +, the rest %XX."""
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in "._-"):
            out.append(c)
        elif c == " ":
            out.append("+")
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def http_build_query(params):
    """PHP http_build_query over PARAMS (a list of (key, value)), in order."""
    return "&".join(php_urlencode(k) + "=" + php_urlencode(v) for k, v in params)
