#!/usr/bin/env python3
"""web_headers.py DESK_URL SIGNIN_URL MSG_ID: every answer of a node's local
API carries the security headers (issue 8 item 6): each route of the route
table (node/web/server.c) with good and bad input, the static files, an
attachment download, the refusals before any route (421, 405, 404, 401) and
those of the HTTP server itself (413, 414, 431).  DESK_URL is a loopback
desk without accounts (every route reaches its handler), SIGNIN_URL a node
with accounts, asked without a session.  Prints one line per answer missing
a header and exits 1 if any does."""
import http.client
import json
import sys
import urllib.parse

WANT = {
    "content-security-policy": "default-src 'self'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def ask(base, method, path, body=None, headers=None, host=None):
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    h = {"Host": host or u.netloc}
    if body is not None:
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for k, v in h.items():
        c.putheader(k, v)
    data = body.encode() if isinstance(body, str) else body
    if data is not None:
        c.putheader("Content-Length", str(len(data)))
    c.endheaders()
    if data is not None:
        try:
            c.send(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
    r = c.getresponse()
    got = {k.lower(): v for k, v in r.getheaders()}
    r.read()
    c.close()
    return r.status, got


def main():
    desk, signin, mid = sys.argv[1], sys.argv[2], sys.argv[3]
    csrf = json.loads(
        urllib.request.urlopen(desk + "/api/session").read())["csrf"]
    tok = {"X-CSRF-Token": csrf}
    cases = [  # (base, method, path, body, headers, host, what)
        (desk, "GET", "/", None, None, None, "the page"),
        (desk, "GET", "/js/app.js", None, None, None, "a module"),
        (desk, "GET", "/favicon.svg", None, None, None, "the icon"),
        (desk, "GET", "/nothing-here.js", None, None, None, "a missing file"),
        (desk, "GET", "/../../etc/passwd", None, None, None, "a traversal"),
        (desk, "GET", "/api/inbox", None, None, "evil.example:80",
         "a DNS-rebinding Host (421)"),
        (desk, "PUT", "/api/inbox", "{}", None, None, "a PUT (405)"),
        (desk, "GET", "/api/nothing", None, None, None, "an unknown route"),
        (signin, "GET", "/api/inbox", None, None, None, "no session (401)"),
        (signin, "POST", "/api/session/login", '{"user":"x","password":"y"}',
         None, None, "a failed sign-in"),
        (desk, "GET", "/api/messages/" + mid + "/attachments/1", None, None,
         None, "an attachment download"),
        (desk, "GET", "/api/messages/" + mid + "/attachments/9", None, None,
         None, "a missing attachment"),
        (desk, "GET", "/api/messages/" + mid[:12], None, None, None,
         "a message by prefix"),
        (desk, "GET", "/api/messages/" + "0" * 64, None, None, None,
         "no such message"),
        (desk, "POST", "/api/send", "x" * (2 << 20), tok, None,
         "a body over the limit (413)"),
        (desk, "GET", "/api/inbox?" + "x" * 9000, None, None, None,
         "a target over 8 KiB (414)"),
        (desk, "GET", "/api/inbox", None,
         {"X-Pad-%d" % i: "y" * 1000 for i in range(18)}, None,
         "headers over 16 KiB (431)"),
    ]
    gets = ["/api/session", "/api/countries?lang=fr", "/api/health",
            "/api/inbox", "/api/sent", "/api/messages/" + mid,
            "/api/recipients?to=XA", "/api/recipients?to=group:none",
            "/api/templates", "/api/directory", "/api/trust",
            "/api/settings", "/api/events", "/api/stats/responses",
            "/api/checks", "/api/checks/report"]
    for p in gets:
        cases.append((desk, "GET", p, None, None, None, "GET " + p))
    posts = ["/api/send", "/api/settings", "/api/messages/%s/ack" % mid,
             "/api/messages/%s/forward" % mid,
             "/api/messages/%s/consult" % mid, "/api/messages/%s/agree" % mid,
             "/api/checks", "/api/checks/nope/answer", "/api/session/logout"]
    for p in posts:
        cases.append((desk, "POST", p, "{}", tok, None, "POST %s {}" % p))
        cases.append((desk, "POST", p, "{}", None, None,
                      "POST %s without CSRF" % p))
        cases.append((desk, "POST", p, "not json", tok, None,
                      "POST %s garbage" % p))
    bad = 0
    for base, method, path, body, hdrs, host, what in cases:
        try:
            status, got = ask(base, method, path, body, hdrs, host)
        except Exception as e:  # noqa: BLE001 (an answer we could not read)
            print("no answer to %s: %s" % (what, e))
            bad += 1
            continue
        missing = [k for k, v in WANT.items() if v not in got.get(k, "")]
        if missing:
            print("%s (%d) lacks %s" % (what, status, ", ".join(missing)))
            bad += 1
    print("%d answers, %d without every security header" % (len(cases), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    import urllib.request  # noqa: E402 (used in main)
    sys.exit(main())
