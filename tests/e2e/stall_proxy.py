#!/usr/bin/env python3
"""stall_proxy.py - a hub that stalls: a proxy in front of it for tests.

Listens on 127.0.0.1:PORT and forwards every request to the hub at
UPSTREAM.  While the file STALLFILE exists, every request is held for
STALL_S seconds (default 60) before it is forwarded, as a hub that answers
nothing for a minute would; each held request is logged on stderr as
"stalling METHOD PATH", so a test can wait until the node is stuck in one.
Every request is logged first as "request METHOD PATH", so a test can also
see what a node asked the hub (test_forward_leak.sh).

usage: stall_proxy.py PORT UPSTREAM STALLFILE [STALL_S]
"""
import http.server
import os
import socketserver
import sys
import time
import urllib.error
import urllib.request

PORT, UPSTREAM, STALLFILE = int(sys.argv[1]), sys.argv[2], sys.argv[3]
STALL_S = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        print("request %s %s" % (self.command, self.path), file=sys.stderr, flush=True)
        if os.path.exists(STALLFILE):
            print("stalling %s %s" % (self.command, self.path), file=sys.stderr, flush=True)
            time.sleep(STALL_S)
        req = urllib.request.Request(UPSTREAM + self.path, data=body, method=self.command)
        for h in ("Content-Type", "Content-Digest", "Signature-Input", "Signature"):
            if self.headers.get(h):
                req.add_header(h, self.headers[h])
        try:
            with urllib.request.urlopen(req, timeout=STALL_S + 30) as resp:
                status, data, ctype = resp.status, resp.read(), resp.headers.get("Content-Type")
        except urllib.error.HTTPError as e:
            status, data, ctype = e.code, e.read(), e.headers.get("Content-Type")
        except (urllib.error.URLError, OSError):
            status, data, ctype = 502, b'{"error": "upstream"}', "application/json"
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype or "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass

    do_GET = forward
    do_POST = forward
    do_PUT = forward


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


Server(("127.0.0.1", PORT), Proxy).serve_forever()
