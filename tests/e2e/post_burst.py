#!/usr/bin/env python3
"""post_burst.py - submit a batch of signed envelopes one request at a time,
as fast as the hub answers, and keep every receipt.

The power-loss and flood tests need load that a `roster send` per message
(a process, a passphrase unlock) cannot make.  The envelopes are signed
beforehand (tests/tools/forge sign --count N, chained by seq and prev); this
client splits the batch by its framing (docs/protocol.md section 2) and
POSTs each on one kept-alive connection, in order.  Every receipt the hub
returns is appended to RECEIPTS at once, one JSON object a line (the form
rosterd check --receipts reads): what this client holds a receipt for is
what the hub promised to keep.  It stops at the first connection error (the
hub was killed) or refusal, and prints how many it posted and why it stopped
(a refusal's status, its error and its Retry-After header, if any).

usage: post_burst.py HUB_URL BATCH_FILE RECEIPTS_FILE
"""
import http.client
import json
import struct
import sys
import urllib.parse


def envelopes(data):
    pos = 0
    while pos < len(data):
        hl = struct.unpack(">I", data[pos + 4:pos + 8])[0]
        pl_at = pos + 8 + hl + 64
        pl = struct.unpack(">I", data[pl_at:pl_at + 4])[0]
        end = pl_at + 4 + pl
        yield data[pos:end]
        pos = end


def main():
    url, batch, out = sys.argv[1], sys.argv[2], sys.argv[3]
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    data = open(batch, "rb").read()
    posted = 0
    why = "all posted"
    with open(out, "a") as rf:
        for env in envelopes(data):
            try:
                conn.request("POST", "/v1/envelopes", body=env,
                             headers={"Content-Type": "application/octet-stream"})
                resp = conn.getresponse()
                body = resp.read()
            except (OSError, http.client.HTTPException) as e:
                why = "connection lost: %s" % e.__class__.__name__
                break
            try:
                res = json.loads(body)["results"][0]
            except (ValueError, KeyError, IndexError):
                why = "answer %d without results: %r" % (resp.status, body[:200])
                break
            if "receipt" not in res:
                why = "refused %d: %s" % (resp.status, res.get("error"))
                if resp.getheader("Retry-After") is not None:
                    why += " (Retry-After: %s)" % resp.getheader("Retry-After")
                break
            rf.write(json.dumps(res["receipt"], separators=(",", ":")) + "\n")
            rf.flush()
            posted += 1
    print("%d posted; %s" % (posted, why))


main()
