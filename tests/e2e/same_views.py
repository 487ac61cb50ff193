#!/usr/bin/env python3
# same_views.py ROSTER NODEDIR URL: `roster show --json ID` and GET
# /api/messages/ID of the node serving at URL give the same view of every
# message the node holds, and `roster status --json` and GET /api/sent the
# same sent list (issue 9: one view of each thing, built once in
# node/core/views.c).  The node's serve loop may store something between
# the two reads, so the command's answer must equal the API's answer just
# before or just after it.  Prints how many were compared; exits 1 naming
# the first difference.
import json, subprocess, sys, urllib.request

roster, node, url = sys.argv[1:4]

def api(path):
    with urllib.request.urlopen(url + path) as r:
        return json.load(r)

def cli(*args):
    return json.loads(subprocess.check_output([roster, *args, "--dir", node, "--json"]))

ids = [m["id"] for m in cli("inbox")] + [m["id"] for m in api("/api/sent")]
if not ids:
    sys.exit("no message on " + node)
for i in ids:
    before = api("/api/messages/" + i)
    shown = cli("show", i)
    after = api("/api/messages/" + i)
    if shown != before and shown != after:
        diff = sorted(k for k in set(shown) | set(after) if shown.get(k) != after.get(k))
        sys.exit("message %s: roster show --json and /api/messages differ in %s:\n%s\n%s" %
                 (i[:16], diff, json.dumps({k: shown.get(k) for k in diff}),
                  json.dumps({k: after.get(k) for k in diff})))
    # a prefix names the same message
    if api("/api/messages/" + i[:16])["id"] != i:
        sys.exit("message %s: its 16-digit prefix names another" % i[:16])
# the sent list: GET /api/sent and `roster status --json`'s "sent" are one
# view (sent_view in node/core/views.c)
before = api("/api/sent")
listed = cli("status", "--offline")["sent"]
after = api("/api/sent")
if listed != before and listed != after:
    sys.exit("roster status --json's sent list and /api/sent differ:\n%s\n%s" %
             (json.dumps(listed)[:2000], json.dumps(after)[:2000]))
print("%d sent: the same list from roster status --json and /api/sent" % len(listed))
print("%d messages: the same view from roster show --json and /api/messages/ID" % len(ids))
