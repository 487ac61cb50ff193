#!/usr/bin/env python3
"""tamper_proxy.py - a hostile man in the middle (or a hostile hub) for tests.

Listens on 127.0.0.1:PORT and forwards every request to the hub at UPSTREAM,
then alters the answer according to the word in MODEFILE (read per request):

  none        pass everything through
  checkpoint  change one hex digit of the root in every checkpoint
  checkpoint-sig  flip one bit of every checkpoint signature
  receipt     flip one bit of every receipt signature
  receipt-index   add one to every receipt's index
  envelope    flip one byte inside every record's envelope
  proof       flip one bit of the first hash of every inclusion proof
  time        add one millisecond to every record's log time

and, to leave records out of one node's listings without changing a byte of
what remains (docs/protocol.md section 8 is what must catch it):

  omit:I[,J...]  drop the records at log indexes I, J, ... from every listing
              (/v1/public and /v1/mail); /v1/record?index=I answers 404
  omit-last   drop the last record of every public listing page and say
              "more": false
  renumber:I  drop the record at log index I from /v1/public and lower the
              "pindex" of every later record by one, so there is no gap

Everything else passes through: a proof the hub gives for a missing leaf
(/v1/proof/public) is the hub's, which is how the victim names the index.

usage: tamper_proxy.py PORT UPSTREAM MODEFILE
"""
import base64
import http.server
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

PORT, UPSTREAM, MODEFILE = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def flip_b64(s, byte=0):
    raw = bytearray(base64.b64decode(s))
    raw[byte % len(raw)] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def tamper_checkpoint(cp, mode):
    if mode == "checkpoint":
        lines = cp["checkpoint"].split("\n")
        root = lines[3]
        lines[3] = ("1" if root[0] != "1" else "2") + root[1:]
        cp["checkpoint"] = "\n".join(lines)
    elif mode == "checkpoint-sig":
        cp["sig"] = flip_b64(cp["sig"], 7)


def tamper(obj, mode):
    if not isinstance(obj, dict):
        return
    if "checkpoint" in obj and isinstance(obj["checkpoint"], str):
        tamper_checkpoint(obj, mode)
    if isinstance(obj.get("checkpoint"), dict):
        tamper_checkpoint(obj["checkpoint"], mode)
    for r in obj.get("results", []):
        if "receipt" in r:
            if mode == "receipt":
                r["receipt"]["sig"] = flip_b64(r["receipt"]["sig"], 3)
            elif mode == "receipt-index":
                r["receipt"]["index"] += 1
    for r in obj.get("records", []):
        if mode == "envelope":
            r["envelope"] = flip_b64(r["envelope"], 200)
        elif mode == "proof" and r.get("proof"):
            r["proof"][0] = flip_b64(r["proof"][0], 5)
        elif mode == "time":
            r["time"] += 1
    for p in obj.get("proofs", []):
        if mode == "proof" and p.get("proof"):
            p["proof"][0] = flip_b64(p["proof"][0], 5)


LISTINGS = ("/v1/public", "/v1/mail")
PUBLIC_LISTINGS = LISTINGS[:1]


def omit(path, obj, mode):
    """Leaves records out of a listing; True when obj was changed."""
    route = urllib.parse.urlparse(path).path
    if not isinstance(obj, dict) or not isinstance(obj.get("records"), list):
        return False
    recs = obj["records"]
    if mode.startswith("omit:") and route in LISTINGS:
        drop = {int(i) for i in mode[5:].split(",") if i}
        obj["records"] = [r for r in recs if r.get("index") not in drop]
    elif mode == "omit-last" and route in PUBLIC_LISTINGS and recs:
        obj["records"] = recs[:-1]
        obj["more"] = False
    elif mode.startswith("renumber:") and route == "/v1/public":
        drop = int(mode[9:])
        out, gone = [], False
        for r in recs:
            if r.get("index") == drop:
                gone = True
                continue
            if gone and isinstance(r.get("pindex"), int):
                r["pindex"] -= 1
            out.append(r)
        obj["records"] = out
    else:
        return False
    return True


def omitted_record(path, mode):
    """GET /v1/record?index=I of an omitted record: as if there were none."""
    u = urllib.parse.urlparse(path)
    if u.path != "/v1/record" or not mode.startswith("omit:"):
        return False
    q = urllib.parse.parse_qs(u.query)
    drop = {i for i in mode[5:].split(",") if i}
    return bool(set(q.get("index", [])) & drop)


class Proxy(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def forward(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        req = urllib.request.Request(UPSTREAM + self.path, data=body, method=self.command)
        for h in ("Content-Type", "Content-Digest", "Signature-Input", "Signature"):
            if self.headers.get(h):
                req.add_header(h, self.headers[h])
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, data = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, data = e.code, e.read()
        try:
            mode = open(MODEFILE).read().strip()
        except OSError:
            mode = "none"
        if omitted_record(self.path, mode):
            status, data = 404, b'{"error": "no public record at that index"}'
        elif mode.startswith(("omit", "renumber")):
            try:
                obj = json.loads(data)
                if omit(self.path, obj, mode):
                    data = json.dumps(obj).encode()
            except ValueError:
                pass
        elif mode != "none":
            try:
                obj = json.loads(data)
                tamper(obj, mode)
                data = json.dumps(obj).encode()
            except ValueError:
                pass
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = forward
    do_POST = forward


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Proxy).serve_forever()
