#!/usr/bin/env python3
"""slowloris.py - one anonymous client holding many half-open requests.

Opens N connections to HOST:PORT from SOURCE (a loopback address of its own,
such as 127.0.0.2, so that a per-address limit on the hub tells it from the
nodes on 127.0.0.1), sends on each the start of a request head and then one
more byte every INTERVAL seconds, never finishing it, for SECONDS seconds.
Every second it appends to REPORT a line

    <seconds since start> <connections opened> <still open> <closed by the server>

and once it has tried all N, it creates REPORT.ready.  A connection counts as
closed when the server ends it (end of file, reset, or a failed send).

usage: slowloris.py HOST PORT N SOURCE SECONDS REPORT [INTERVAL]
"""
import os
import selectors
import socket
import sys
import time


def main():
    host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    source, seconds, report = sys.argv[4], float(sys.argv[5]), sys.argv[6]
    interval = float(sys.argv[7]) if len(sys.argv) > 7 else 3.0
    sel = selectors.DefaultSelector()
    socks = set()
    opened = closed = 0
    start = time.monotonic()
    out = open(report, "a")

    def close(s):
        nonlocal closed
        if s in socks:
            socks.discard(s)
            try:
                sel.unregister(s)
            except (KeyError, ValueError):
                pass
            s.close()
            closed += 1

    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind((source, 0))
            s.settimeout(2)
            s.connect((host, port))
            s.sendall(b"GET /v1/info HTTP/1.1\r\nHost: hub\r\nX-Slow: ")
            s.setblocking(False)
        except OSError:
            s.close()
            closed += 1
            opened += 1
            continue
        opened += 1
        socks.add(s)
        sel.register(s, selectors.EVENT_READ)
    open(report + ".ready", "w").close()
    last_drip = last_report = 0.0
    while time.monotonic() - start < seconds:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            try:
                if not s.recv(65536):
                    close(s)
            except BlockingIOError:
                pass
            except OSError:
                close(s)
        now = time.monotonic() - start
        if now - last_drip >= interval:
            last_drip = now
            for s in list(socks):
                try:
                    s.send(b"x")
                except BlockingIOError:
                    pass
                except OSError:
                    close(s)
        if now - last_report >= 1.0:
            last_report = now
            out.write("%.1f %d %d %d\n" % (now, opened, len(socks), closed))
            out.flush()
    now = time.monotonic() - start
    out.write("%.1f %d %d %d\n" % (now, opened, len(socks), closed))
    out.close()
    for s in list(socks):
        s.close()


main()
