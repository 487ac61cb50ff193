#!/usr/bin/env python3
"""taxii_suite.py - a TAXII 2.1 conformance suite, written from the OASIS
specification (TAXII Version 2.1, OASIS Standard, 10 June 2021), run
against a real node by tests/e2e/test_taxii.sh.

Each check prints "ok   ..." or "FAIL ...", as tests/e2e/lib.sh does; the
shell counts them.  Python's standard library only.

What it covers, section by section of the specification:
  1.6, 3.1  the media type application/taxii+json;version=2.1 on every
            answer, errors included; Accept negotiation (406) and
            Content-Type (415)
  3.3, 3.4  pagination: limit, more, next to the last page and by
            added_after with X-TAXII-Date-Added-First/Last, microseconds,
            ascending date_added, no object twice or lost at a boundary
  3.4       match[id], match[type], match[version] (first, last, all, a
            timestamp), match[spec_version]; bad values are 400
  3.6       error objects (title, http_status as a string), the status
            codes 400, 401 (with WWW-Authenticate), 403, 404, 405, 406,
            413, 415, 422
  4.1, 4.2  discovery and the API root
  4.3       status resources: pending, then complete with successes
  5.1-5.8   collections, one collection, objects (GET and POST), one
            object, delete, versions, manifest
"""
import base64
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.parse

MEDIA = "application/taxii+json;version=2.1"
URL = urllib.parse.urlparse(os.environ["TAXII_URL"])
ROOT = "/taxii2/roster/"
PASS = FAIL = 0


def ok(desc):
    global PASS
    PASS += 1
    print("ok   " + desc, flush=True)


def bad(desc, detail=""):
    global FAIL
    FAIL += 1
    print("FAIL " + desc + (("\n     | " + str(detail)[:600]) if detail else ""), flush=True)


def check(desc, cond, detail=""):
    if cond:
        ok(desc)
    else:
        bad(desc, detail)
    return cond


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def h(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return "%d %s %r" % (self.status, self.h("Content-Type"), self.body[:300])


def auth_basic(user, secret):
    return "Basic " + base64.b64encode((user + ":" + secret).encode()).decode()


def call(method, path, auth=None, accept=MEDIA, body=None, ctype=None, headers=None,
         chunked=False):
    c = http.client.HTTPConnection(URL.hostname, URL.port, timeout=60)
    h = {}
    if auth is not None:
        h["Authorization"] = auth
    if accept is not None:
        h["Accept"] = accept
    if ctype is not None:
        h["Content-Type"] = ctype
    if headers:
        h.update(headers)
    if chunked:
        h["Transfer-Encoding"] = "chunked"
        c.putrequest(method, path)
        for k, v in h.items():
            c.putheader(k, v)
        c.endheaders()
        step = 1 << 16
        try:
            for i in range(0, len(body), step):
                piece = body[i:i + step]
                c.send(b"%x\r\n%s\r\n" % (len(piece), piece))
            c.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
    else:
        try:
            c.request(method, path, body=body, headers=h)
        except (BrokenPipeError, ConnectionResetError):
            pass	# the server answered (413) before taking the whole body
    try:
        r = c.getresponse()
        a = Answer(r.status, r.getheaders(), r.read())
    except (ConnectionResetError, http.client.RemoteDisconnected) as e:
        a = Answer(0, [], str(e).encode())
    c.close()
    return a


TOK = "Bearer " + os.environ["TOK_ALL"]


def get(path, auth=TOK, **kw):
    return call("GET", path, auth=auth, **kw)


def is_error(a, status):
    """A TAXII error object with the media type (section 3.6)."""
    j = a.json
    return (a.status == status and a.h("Content-Type") == MEDIA and isinstance(j, dict)
            and isinstance(j.get("title"), str) and j.get("http_status") == str(status))


def us(ts):
    """A TAXII timestamp to microseconds (it has at most 6 fraction digits here)."""
    date, _, rest = ts.partition("T")
    hms, _, frac = rest.rstrip("Z").partition(".")
    import calendar
    y, mo, d = (int(x) for x in date.split("-"))
    hh, mm, ss = (int(x) for x in hms.split(":"))
    t = calendar.timegm((y, mo, d, hh, mm, ss))
    return t * 1000000 + int((frac + "000000")[:6])


def fmt(u):
    s, f = divmod(u, 1000000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ".%06dZ" % f


def roster(*args, node=None, check_rc=True):
    cmd = [os.environ["ROSTER"]] + list(args)
    if node:
        cmd += ["--dir", os.path.join(os.environ["T"], "node-" + node)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check_rc and r.returncode != 0:
        raise RuntimeError("%s: %s %s" % (cmd, r.stdout, r.stderr))
    return r


# ---- discovery, API root, collections ----------------------------------------------

def test_server():
    a = get("/taxii2/")
    check("discovery: 200 with the TAXII media type", a.status == 200 and
          a.h("Content-Type") == MEDIA, a)
    j = a.json or {}
    roots = j.get("api_roots", [])
    check("discovery: a title and the one API root, absolute, ending /taxii2/roster/",
          isinstance(j.get("title"), str) and len(roots) == 1 and
          roots[0].endswith(ROOT) and roots[0].startswith("http"), j)
    check("discovery: default is that root", j.get("default") == (roots or [None])[0], j)
    a = get(ROOT)
    j = a.json or {}
    check("API root: versions lists TAXII 2.1 and max_content_length is 8 MiB",
          a.status == 200 and j.get("versions") == [MEDIA] and
          j.get("max_content_length") == 8 << 20, a)
    check("API root without its final /: the same resource", get(ROOT[:-1]).json == j)
    a = get("/taxii2/other/")
    check("another API root: 404 error object", is_error(a, 404), a)
    a = get(ROOT + "nothing/")
    check("an unknown resource: 404 error object", is_error(a, 404), a)


def collections(auth=TOK):
    a = get(ROOT + "collections/", auth=auth)
    return a, {c["alias"]: c for c in (a.json or {}).get("collections", [])}


def test_collections():
    a, cs = collections()
    check("collections: 200 with the media type", a.status == 200 and
          a.h("Content-Type") == MEDIA, a)
    want = {"received", "sent", "from-XA", "from-XC", "group-forum", "to-xc"}
    check("collections: received, sent, from-XA, from-XC, group-forum and the outbox",
          want <= set(cs), sorted(cs))
    good = True
    for c in cs.values():
        good &= (len(c["id"]) == 36 and c["id"].count("-") == 4 and
                 isinstance(c["title"], str) and isinstance(c["can_read"], bool) and
                 isinstance(c["can_write"], bool) and
                 c["media_types"] == ["application/stix+json;version=2.1"])
    check("each collection: a UUID id, title, can_read, can_write, media_types", good, cs)
    check("only the outbox can_write (for a writing token)",
          [k for k, c in cs.items() if c["can_write"]] == ["to-xc"], cs)
    c = cs["received"]
    a = get(ROOT + "collections/%s/" % c["id"])
    check("one collection: the same object", a.status == 200 and a.json == c, a)
    a = get(ROOT + "collections/%s/" % c["id"].upper())
    check("a collection id in upper case is the same UUID", a.status == 200, a)
    a = get(ROOT + "collections/00000000-0000-4000-8000-000000000000/")
    check("an unknown collection: 404 error object", is_error(a, 404), a)
    a = get(ROOT + "collections/not-a-uuid/objects/")
    check("a collection id that is no UUID: 404 error object", is_error(a, 404), a)
    return cs


# ---- objects and pages ---------------------------------------------------------------

def walk(cid, query="", limit=None, kind="objects", auth=TOK):
    """Every page of a collection by next; (items, pages, answers)."""
    items, answers = [], []
    q = dict(urllib.parse.parse_qsl(query))
    if limit:
        q["limit"] = str(limit)
    while True:
        a = get(ROOT + "collections/%s/%s/?%s" % (cid, kind, urllib.parse.urlencode(q)),
                auth=auth)
        answers.append(a)
        if a.status != 200:
            return items, answers
        j = a.json
        items += j.get("objects", [])
        if not j.get("more"):
            return items, answers
        if not j.get("next"):
            return items, answers + ["more without next"]
        q["next"] = j["next"]


def test_pages(cs):
    rid = cs["received"]["id"]
    man, answers = walk(rid, "match[version]=all", kind="manifest", limit=1000)
    check("manifest: one page holds the whole collection", len(answers) == 1 and
          answers[0].status == 200 and answers[0].json.get("more") is False, answers[0])
    check("manifest: id, date_added, version, media_type on each record",
          man and all(set(m) == {"id", "date_added", "version", "media_type"} for m in man),
          man[:2])
    added = [us(m["date_added"]) for m in man]
    check("date_added ascending and unique (no ties on this node)",
          added == sorted(added) and len(set(added)) == len(added), added[:10])
    check("date_added in microseconds (6 fraction digits)",
          all(len(m["date_added"]) == 27 for m in man), man[:1])
    check("the collection holds several messages (%d objects)" % len(man), len(man) > 30)
    first = answers[0]
    check("X-TAXII-Date-Added-First/Last are the page's first and last date_added",
          first.h("X-TAXII-Date-Added-First") == man[0]["date_added"] and
          first.h("X-TAXII-Date-Added-Last") == man[-1]["date_added"],
          (first.h("X-TAXII-Date-Added-First"), man[0]["date_added"]))

    # every page by next, to the last page
    objs, answers = walk(rid, "match[version]=all", limit=7)
    check("objects by next, 7 a page: every object once, in date_added order",
          [o["id"] for o in objs] == [m["id"] for m in man], (len(objs), len(man)))
    check("each page but the last has more and next; the last has more false, no next",
          all(a.json.get("more") and a.json.get("next") for a in answers[:-1]) and
          answers[-1].json.get("more") is False and "next" not in answers[-1].json,
          [a.json.get("more") for a in answers])
    check("a page holds limit objects", all(len(a.json["objects"]) == 7
          for a in answers[:-1]), [len(a.json["objects"]) for a in answers])
    hdr_ok = True
    pos = 0
    for a in answers:
        n = len(a.json["objects"])
        hdr_ok &= (a.h("X-TAXII-Date-Added-First") == man[pos]["date_added"] and
                   a.h("X-TAXII-Date-Added-Last") == man[pos + n - 1]["date_added"])
        pos += n
    check("every page's X-TAXII-Date-Added headers", hdr_ok)

    # without next: added_after = the last page's X-TAXII-Date-Added-Last
    seen, after, rounds = [], None, 0
    while rounds < 200:
        rounds += 1
        q = "match[version]=all&limit=5" + ("&added_after=" + after if after else "")
        a = get(ROOT + "collections/%s/objects/?%s" % (rid, q))
        if a.status != 200 or not a.json.get("objects"):
            break
        seen += [o["id"] for o in a.json["objects"]]
        after = a.h("X-TAXII-Date-Added-Last")
    check("objects by added_after and X-TAXII-Date-Added-Last: every object once",
          seen == [m["id"] for m in man], (len(seen), len(man)))
    check("past the last object: the empty envelope {}, no date headers",
          a.status == 200 and a.json == {} and a.h("X-TAXII-Date-Added-First") is None, a)

    # microseconds: after D excludes D, after D - 1 us includes it
    k = len(man) // 2
    d = added[k]
    a = get(ROOT + "collections/%s/manifest/?match[version]=all&limit=1&added_after=%s" %
            (rid, fmt(d)))
    check("added_after D: the next object is the one after D",
          a.json["objects"][0]["id"] == man[k + 1]["id"], a)
    a = get(ROOT + "collections/%s/manifest/?match[version]=all&limit=1&added_after=%s" %
            (rid, fmt(d - 1)))
    check("added_after D - 1 microsecond: D's object first", a.json["objects"][0]["id"] ==
          man[k]["id"], a)
    a = get(ROOT + "collections/%s/manifest/?match[version]=all&limit=1&added_after=%s" %
            (rid, fmt(d)[:-1] + "999Z"))
    check("added_after with 9 fraction digits is read to the microsecond",
          a.json["objects"][0]["id"] == man[k + 1]["id"], a)
    a = get(ROOT + "collections/%s/manifest/?match[version]=all&limit=1&added_after=%s" %
            (rid, fmt(d)[:19] + "Z"))
    check("added_after without a fraction: whole seconds",
          us(a.json["objects"][0]["date_added"]) > (d // 1000000) * 1000000, a)

    # a limit past the server's page size is capped, never refused
    a = get(ROOT + "collections/%s/objects/?limit=100000" % rid)
    check("limit 100000: capped to the page size (200 with more or all)",
          a.status == 200 and len(a.json.get("objects", [])) <= 1000, a)
    for q in ("limit=0", "limit=-1", "limit=abc", "limit=", "added_after=yesterday",
              "added_after=2026-13-01T00:00:00Z", "added_after=2026-01-01T00:00:00+01:00",
              "match[type]=Indicator", "match[id]=indicator--x", "match[version]=newest",
              "match[spec_version]=two", "match[colour]=red", "limit=1&limit=2",
              "match[type]=a,,b", "next=!!!", "added_after=%zz"):
        a = get(ROOT + "collections/%s/objects/?%s" % (rid, q))
        check("objects?%s: 400 error object" % q, is_error(a, 400), a)
    a = get(ROOT + "collections/%s/objects/?cachebuster=17" % rid)
    check("a parameter that is not TAXII's is ignored", a.status == 200, a)
    return man


def test_filters(cs, man):
    rid = cs["received"]["id"]
    types = {}
    for m in man:
        types.setdefault(m["id"].split("--")[0], []).append(m["id"])
    a = get(ROOT + "collections/%s/objects/?match[type]=indicator&limit=1000" % rid)
    got = [o["id"] for o in a.json.get("objects", [])]
    check("match[type]=indicator: exactly the indicators, in order",
          got == types.get("indicator"), (got, types.get("indicator")))
    a = get(ROOT + "collections/%s/objects/?match[type]=incident,report&limit=1000" % rid)
    got = [o["id"] for o in a.json.get("objects", [])]
    want = [m["id"] for m in man if m["id"].split("--")[0] in ("incident", "report")]
    check("match[type]=incident,report: both types", got == want and len(got) > 1, got)
    a = get(ROOT + "collections/%s/objects/?match[type]=malware" % rid)
    check("match[type] of a type not there: {}", a.status == 200 and a.json == {}, a)
    ids = [types["indicator"][0], types["report"][0]]
    a = get(ROOT + "collections/%s/objects/?match[id]=%s" % (rid, ",".join(ids)))
    check("match[id]=two ids: those two", sorted(o["id"] for o in a.json["objects"]) ==
          sorted(ids), a)
    a = get(ROOT + "collections/%s/objects/?match[id]=%s&match[type]=report" %
            (rid, ",".join(ids)))
    check("match[id] and match[type] together: both hold",
          [o["id"] for o in a.json["objects"]] == [ids[1]], a)
    m = next(x for x in man if x["id"] == ids[0])
    for v, n in (("first", 1), ("last", 1), ("all", 1), ("first,last", 1),
                 (m["version"], 1), ("2001-01-01T00:00:00Z", 0)):
        a = get(ROOT + "collections/%s/objects/?match[id]=%s&match[version]=%s" %
                (rid, ids[0], v))
        check("match[version]=%s on a one-version object: %d" % (v, n),
              len((a.json or {}).get("objects", [])) == n, a)
    a = get(ROOT + "collections/%s/objects/?match[spec_version]=2.0" % rid)
    check("match[spec_version]=2.0: nothing here is 2.0", a.status == 200 and a.json == {},
          a)
    a = get(ROOT + "collections/%s/manifest/?match[spec_version]=2.0,2.1&limit=1000"
            "&match[version]=all" % rid)
    check("match[spec_version]=2.0,2.1: everything", len(a.json["objects"]) == len(man), a)
    a = get(ROOT + "collections/%s/objects/?match[version]=all&limit=1000" % rid)
    check("every object is STIX 2.1 with a type and an id",
          all(o.get("spec_version", "2.1") == "2.1" and "--" in o["id"] and
              o["id"].startswith(o["type"] + "--") for o in a.json["objects"]))

    # one object, its versions
    oid = ids[0]
    a = get(ROOT + "collections/%s/objects/%s/" % (rid, oid))
    check("one object: an envelope with it", a.status == 200 and
          [o["id"] for o in a.json["objects"]] == [oid] and a.h("X-TAXII-Date-Added-First"),
          a)
    a = get(ROOT + "collections/%s/objects/%s/?match[version]=2001-01-01T00:00:00Z" %
            (rid, oid))
    check("one object, a version it does not have: {}", a.status == 200 and a.json == {}, a)
    a = get(ROOT + "collections/%s/objects/%s/?match[type]=indicator" % (rid, oid))
    check("one object with match[type] (not a filter there): 400", is_error(a, 400), a)
    a = get(ROOT + "collections/%s/objects/%s/versions/" % (rid, oid))
    check("versions: {more, versions} with its one version", a.status == 200 and
          a.json.get("versions") == [m["version"]] and a.json.get("more") is False, a)
    a = get(ROOT + "collections/%s/objects/%s/versions/?match[version]=all" % (rid, oid))
    check("versions with match[version] (not a filter there): 400", is_error(a, 400), a)
    missing = "indicator--00000000-0000-4000-8000-00000000dead"
    a = get(ROOT + "collections/%s/objects/%s/" % (rid, missing))
    check("an object not in the collection: 404", is_error(a, 404), a)
    a = get(ROOT + "collections/%s/objects/%s/versions/" % (rid, missing))
    check("versions of an object not in the collection: 404", is_error(a, 404), a)
    a = get(ROOT + "collections/%s/objects/not-an-id/" % rid)
    check("an object id that is no STIX id: 404", is_error(a, 404), a)


def test_next(cs):
    rid, xa = cs["received"]["id"], cs["from-XA"]["id"]
    a = get(ROOT + "collections/%s/objects/?limit=3&match[type]=indicator,report" % rid)
    tok = a.json.get("next")
    if not check("a first page of 3 with next", a.status == 200 and tok, a):
        return None
    base = ROOT + "collections/%s/objects/?match[type]=indicator,report" % rid
    a2 = get(base + "&limit=10&next=" + tok)
    check("next with another limit: the page after", a2.status == 200 and
          a2.json["objects"][0]["id"] not in [o["id"] for o in a.json["objects"]], a2)
    a3 = get(ROOT + "collections/%s/objects/?match[type]=report,indicator&limit=3&next=%s" %
             (rid, tok))
    check("next with the same filters written in another order: the same page",
          a3.status == 200 and a3.json["objects"][0] == a2.json["objects"][0], a3)
    for desc, path in (
            ("with other filters", ROOT + "collections/%s/objects/?match[type]=indicator"
             "&next=%s" % (rid, tok)),
            ("without its filters", ROOT + "collections/%s/objects/?next=%s" % (rid, tok)),
            ("on another collection", ROOT + "collections/%s/objects/?match[type]="
             "indicator,report&next=%s" % (xa, tok)),
            ("on another endpoint", ROOT + "collections/%s/manifest/?match[type]="
             "indicator,report&next=%s" % (rid, tok)),
            ("with a character changed", base + "&next=" + tok[:10] +
             ("A" if tok[10] != "A" else "B") + tok[11:]),
            ("cut short", base + "&next=" + tok[:-2]),
            ("of another server", base + "&next=AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            ("with another added_after", base + "&added_after=2001-01-01T00:00:00Z&next=" +
             tok)):
        a = get(path)
        check("next %s: 400 error object" % desc, is_error(a, 400), a)
    return base, tok, a2.json["objects"][0]["id"]


# ---- media types and errors ------------------------------------------------------------

def test_media(cs):
    rid = cs["received"]["id"]
    path = ROOT + "collections/%s/objects/?limit=1" % rid
    for acc in (None, "", MEDIA, "application/taxii+json", "*/*", "application/*",
                "application/taxii+json; version=2.1", "text/html, */*;q=0.1",
                "APPLICATION/TAXII+JSON;VERSION=2.1"):
        a = get(path, accept=acc)
        check("Accept %r: 200 in TAXII 2.1" % acc, a.status == 200 and
              a.h("Content-Type") == MEDIA, a)
    for acc in ("application/json", "text/html", "application/taxii+json;version=2.0",
                "application/vnd.oasis.taxii+json; version=2.0",
                "application/taxii+json;version=2.1;q=0, */*",
                "application/stix+json;version=2.1"):
        a = get(path, accept=acc)
        check("Accept %r: 406 error object" % acc, is_error(a, 406), a)
    a = get(path, accept="application/taxii+json;;")
    check("an Accept that does not parse: 400", is_error(a, 400), a)
    a = call("PUT", ROOT + "collections/%s/objects/" % rid, auth=TOK, body=b"{}",
             ctype=MEDIA)
    check("PUT objects/: 405 with Allow: GET, POST", is_error(a, 405) and
          a.h("Allow") == "GET, POST", a)
    a = call("POST", ROOT + "collections/", auth=TOK, body=b"{}", ctype=MEDIA)
    check("POST collections/: 405", is_error(a, 405) and a.h("Allow") == "GET", a)
    a = call("DELETE", ROOT, auth=TOK)
    check("DELETE the API root: 405", is_error(a, 405), a)


def test_auth(cs):
    path = ROOT + "collections/"
    a = get(path, auth=None)
    check("no credentials: 401 error object with WWW-Authenticate Basic and Bearer",
          is_error(a, 401) and "Basic" in (a.h("WWW-Authenticate") or "") and
          "Bearer" in a.h("WWW-Authenticate"), a)
    a = get(path, auth=None, accept="text/html")
    check("no credentials and a bad Accept: still 401 first", is_error(a, 401), a)
    for desc, cred in (("a wrong token", "Bearer rtk_" + "A" * 43),
                       ("a token of another form", "Bearer secret"),
                       ("the token under another name", auth_basic(
                           "other", os.environ["TOK_ALL"])),
                       ("a revoked token", "Bearer " + os.environ["TOK_REVOKED"]),
                       ("another scheme", "Digest username=x"),
                       ("Basic that does not decode", "Basic %%%"),
                       ("an account's wrong password", auth_basic("alice", "wrong password")),
                       ("an unknown account", auth_basic("nobody", "whatever1"))):
        a = get(path, auth=cred)
        check("%s: 401" % desc, is_error(a, 401) and a.h("WWW-Authenticate"), a)
    a = get(path, auth=auth_basic("misp", os.environ["TOK_ALL"]))
    check("a token as HTTP Basic (its name, the token): 200", a.status == 200, a)
    acct = auth_basic("alice", os.environ["ALICE_PW"])
    a = get(path, auth=acct)
    _, cs_a = collections(acct)
    check("an account with Basic: reads every collection, writes none",
          a.status == 200 and set(cs_a) == set(cs) and
          not any(c["can_write"] for c in cs_a.values()), cs_a)
    t0 = time.time()
    get(path, auth=acct)
    check("an account's password checked lately is not hashed again (%.0f ms)" %
          ((time.time() - t0) * 1000), time.time() - t0 < 0.5)
    # a read-only token scoped to from-XA
    xa = "Bearer " + os.environ["TOK_XA"]
    _, cs_x = collections(xa)
    check("a token for from-XA sees from-XA only, read only",
          list(cs_x) == ["from-XA"] and not cs_x["from-XA"]["can_write"], cs_x)
    a = get(ROOT + "collections/%s/objects/" % cs["received"]["id"], auth=xa)
    check("...and received is a 404 to it", is_error(a, 404), a)
    a = get(ROOT + "collections/%s/objects/?limit=1" % cs["from-XA"]["id"], auth=xa)
    check("...and from-XA's objects a 200", a.status == 200, a)
    # the limiter: 5 failures lock the name
    for _ in range(5):
        get(path, auth=auth_basic("bob", "wrong password"))
    a = get(path, auth=auth_basic("bob", os.environ["BOB_PW"]))
    check("after 5 wrong passwords, even the right one: 429 with Retry-After",
          is_error(a, 429) and a.h("Retry-After"), a)
    a = get(path, auth=acct)
    check("...while another account still signs in", a.status == 200, a)


# ---- POST to an outbox -------------------------------------------------------------------

IND = ('{"type": "indicator", "spec_version": "2.1", "id": "indicator--%s", '
       '"created": "2026-12-01T00:00:00.000Z", "modified": "2026-12-01T00:00:00.000Z", '
       '"name": "%s", "pattern": "[ipv4-addr:value = \'%s\']", "pattern_type": "stix", '
       '"valid_from": "2026-11-30T00:00:00Z"%s}')


def uuid(n):
    return "00000000-0000-4000-8000-%012x" % n


def envelope(objs):
    return ('{"objects": [%s]}' % ", ".join(objs)).encode()


def inbox_count(state):
    r = roster("sync", node=state, check_rc=False)
    out = roster("inbox", "--json", node=state).stdout
    return len(json.loads(out)), r


def status_of(sid, auth=TOK):
    return get(ROOT + "status/%s/" % sid, auth=auth)


def test_post(cs):
    out = cs["to-xc"]["id"]
    path = ROOT + "collections/%s/objects/" % out
    before, _ = inbox_count("XC")
    n_out = len(walk(out, "match[version]=all", limit=1000)[0])
    refusals = (
        ("a read-only token", "Bearer " + os.environ["TOK_RO"], MEDIA,
         envelope([IND % (uuid(1), "x", "198.51.100.1", "")]), 403),
        ("an account", auth_basic("alice", os.environ["ALICE_PW"]), MEDIA,
         envelope([IND % (uuid(1), "x", "198.51.100.1", "")]), 403),
        ("no Content-Type", TOK, None, envelope([IND % (uuid(1), "x", "198.51.100.1", "")]),
         415),
        ("Content-Type application/json", TOK, "application/json",
         envelope([IND % (uuid(1), "x", "198.51.100.1", "")]), 415),
        ("TAXII 2.0's Content-Type", TOK, "application/vnd.oasis.stix+json; version=2.0",
         envelope([IND % (uuid(1), "x", "198.51.100.1", "")]), 415),
        ("malformed JSON", TOK, MEDIA, b'{"objects": [', 400),
        ("not an object", TOK, MEDIA, b'[1, 2]', 400),
        ("nested 30 deep", TOK, MEDIA, b'{"objects": [' + b'[' * 30 + b']' * 30 + b']}', 400),
        ("an empty envelope", TOK, MEDIA, b'{"objects": []}', 422),
        ("an id that is not a string", TOK, MEDIA,
         b'{"objects": [{"type": "indicator", "id": 7}]}', 422),
        ("a timestamp of the wrong form", TOK, MEDIA, envelope([(IND % (
            uuid(2), "x", "198.51.100.2", "")).replace("2026-11-30T00:00:00Z", "yesterday")]),
         422),
        ("a pattern that does not parse", TOK, MEDIA, envelope([(IND % (
            uuid(3), "x", "198.51.100.3", "")).replace("[ipv4", "ipv4")]), 422),
        ("an unknown object type a message cannot carry (malware)", TOK, MEDIA,
         envelope(['{"type": "malware", "spec_version": "2.1", "id": "malware--%s", '
                   '"created": "2026-12-01T00:00:00.000Z", "modified": '
                   '"2026-12-01T00:00:00.000Z", "name": "x", "is_family": false}' % uuid(4)]),
         422),
        ("TLP:RED into an AMBER outbox", TOK, MEDIA, envelope([IND % (
            uuid(5), "x", "198.51.100.5", ', "object_marking_refs": ["marking-definition--'
            'e828b379-4e03-4974-9ac4-e53a884c97c1"]')]), 422),
        ("a bad taxonomy code (the template refuses it)", TOK, MEDIA, envelope([
            '{"type": "incident", "spec_version": "2.1", "id": "incident--%s", "created": '
            '"2026-12-01T00:00:00.000Z", "modified": "2026-12-01T00:00:00.000Z", "name": '
            '"x", "labels": ["sector:enrgy"]}' % uuid(6)]), 422),
    )
    for desc, auth, ct, body, status in refusals:
        a = call("POST", path, auth=auth, body=body, ctype=ct)
        check("POST %s: %d error object" % (desc, status), is_error(a, status), a)
    a = call("POST", path, auth=TOK, body=b'{"objects": [{"type": "malware", "spec_version": '
             b'"2.1", "id": "malware--' + uuid(4).encode() + b'", "created": '
             b'"2026-12-01T00:00:00.000Z", "modified": "2026-12-01T00:00:00.000Z", "name": '
             b'"x", "is_family": false}]}', ctype=MEDIA)
    check("...the refusal names the object", "objects[0] (malware--" in
          (a.json or {}).get("description", ""), a)
    a = call("POST", path, auth=TOK, body=envelope([
        '{"type": "incident", "spec_version": "2.1", "id": "incident--%s", "created": '
        '"2026-12-01T00:00:00.000Z", "modified": "2026-12-01T00:00:00.000Z", "name": '
        '"x", "labels": ["sector:enrgy"]}' % uuid(6)]), ctype=MEDIA)
    check("...and the field", "sector" in (a.json or {}).get("description", ""), a)
    big = b'{"objects": [' + b'{"type": "note", "x": "' + b'a' * (9 << 20) + b'"}]}'
    a = call("POST", path, auth=TOK, body=big, ctype=MEDIA)
    check("POST 9 MiB with Content-Length: 413 error object", is_error(a, 413), a)
    a = call("POST", path, auth=TOK, body=big, ctype=MEDIA, chunked=True)
    check("POST 9 MiB chunked (no Content-Length): 413 error object", is_error(a, 413), a)
    many = envelope([IND % (uuid(100000 + i), "x", "198.51.100.9", "") for i in range(10001)])
    a = call("POST", path, auth=TOK, body=many, ctype=MEDIA)
    check("POST 10,001 objects: 413", is_error(a, 413), a)
    a = call("POST", ROOT + "collections/%s/objects/" % cs["received"]["id"], auth=TOK,
             body=envelope([IND % (uuid(7), "x", "198.51.100.7", "")]), ctype=MEDIA)
    check("POST to received (not an outbox): 403", is_error(a, 403), a)
    time.sleep(3)	# anything wrongly queued would be sent by now
    after, _ = inbox_count("XC")
    check("nothing refused reached XC (%d messages before and after)" % before,
          after == before, (before, after))
    check("...nor the outbox collection",
          len(walk(out, "match[version]=all", limit=1000)[0]) == n_out)

    # a good bundle: 202 pending, then complete; XC receives it
    objs = [IND % (uuid(200 + i), "bad host %d" % i, "203.0.113.%d" % (i + 1),
                   ', "kill_chain_phases": [{"kill_chain_name": "k", "phase_name": "p"}]'
                   if i == 0 else "") for i in range(5)]
    objs.append('{"type": "identity", "spec_version": "2.1", "id": "identity--%s", '
                '"created": "2026-12-01T00:00:00.000Z", "modified": "2026-12-01T00:00:00.000Z",'
                ' "name": "Our CERT", "identity_class": "organization"}' % uuid(300))
    a = call("POST", path, auth=TOK, body=envelope(objs), ctype=MEDIA)
    j = a.json or {}
    check("POST 5 indicators and an identity: 202 with a status resource, pending",
          a.status == 202 and a.h("Content-Type") == MEDIA and j.get("status") == "pending"
          and j.get("total_count") == 6 and j.get("pending_count") == 6, a)
    sid = j.get("id", "")
    notes = {p["id"]: p.get("message", "") for p in j.get("pendings", [])}
    check("...the status says what is not carried of each object",
          "kill_chain_phases" in notes.get("indicator--" + uuid(200), "") and
          "signer" in notes.get("identity--" + uuid(300), ""), notes)
    for _ in range(100):
        s = status_of(sid)
        if s.json and s.json.get("status") == "complete":
            break
        time.sleep(0.2)
    j = s.json or {}
    check("...the status completes when the hub's receipt arrives: 6 successes",
          j.get("status") == "complete" and j.get("success_count") == 6 and
          j.get("pending_count") == 0 and "log index" in
          j.get("successes", [{}])[0].get("message", ""), s)
    a = call("POST", path, auth=TOK, body=envelope(list(reversed(objs))), ctype=MEDIA)
    check("the same objects POSTed again (a retry): 202 with the first POST's status, "
          "nothing sent again", a.status == 202 and (a.json or {}).get("id") == sid and
          a.json.get("status") == "complete", a)
    a = status_of(sid, auth="Bearer " + os.environ["TOK_RO"])
    check("another token cannot read that status: 404", is_error(a, 404), a)
    a = status_of(sid, auth=auth_basic("alice", os.environ["ALICE_PW"]))
    check("an account can", a.status == 200, a)
    a = status_of("00000000-0000-4000-8000-000000000000")
    check("an unknown status: 404", is_error(a, 404), a)
    for _ in range(50):
        after, _ = inbox_count("XC")
        if after == before + 1:
            break
        time.sleep(0.3)
    check("XC received it as one message", after == before + 1, (before, after))
    inbox = json.loads(roster("inbox", "--json", node="XC").stdout)
    msg = inbox[0]
    shown = roster("show", "--json", msg["id"], node="XC").stdout
    check("...an incident notification from XB under TLP:AMBER with the 5 addresses",
          '"incident-notification"' in shown and "203.0.113.5" in shown and
          '"AMBER"' in shown and '"XB"' in shown, shown[:400])
    objs_out, _ = walk(out, "match[version]=all", limit=1000)
    check("the outbox collection now holds the message, as STIX",
          len(objs_out) > n_out and any(o["type"] == "indicator" and
                                        "203.0.113.1" in o["pattern"] for o in objs_out),
          len(objs_out))
    sent, _ = walk(cs["sent"]["id"], "match[type]=indicator", limit=1000)
    check("...and so does sent", any("203.0.113.1" in o["pattern"] for o in sent))
    time.sleep(2)
    again, _ = inbox_count("XC")
    check("...and XC still has it once (the retry sent nothing)", again == before + 1,
          (before, again))
    return objs_out


def test_delete(cs, objs_out):
    out, rid = cs["to-xc"]["id"], cs["received"]["id"]
    ind = next(o for o in objs_out if o["type"] == "indicator")
    a = get(ROOT + "collections/%s/objects/?match[type]=report&limit=1" % rid)
    r = a.json["objects"][0]["id"]
    a = call("DELETE", ROOT + "collections/%s/objects/%s/" % (rid, r), auth=TOK)
    check("DELETE in received: 403 (the State's record)", is_error(a, 403), a)
    a = call("DELETE", ROOT + "collections/%s/objects/%s/" % (out, ind["id"]),
             auth="Bearer " + os.environ["TOK_RO"])
    check("DELETE by a read-only token: 403", is_error(a, 403), a)
    a = call("DELETE", ROOT + "collections/%s/objects/%s/" % (out, ind["id"]),
             auth="Bearer " + os.environ["TOK_XA"])
    check("DELETE by a token without the outbox: 404", is_error(a, 404), a)
    a = call("DELETE", ROOT + "collections/%s/objects/%s/?match[version]=2001-01-01T00:00:00Z"
             % (out, ind["id"]), auth=TOK)
    check("DELETE of a version it does not have: 404", is_error(a, 404), a)
    a = call("DELETE", ROOT + "collections/%s/objects/%s/?match[type]=indicator" %
             (out, ind["id"]), auth=TOK)
    check("DELETE with match[type] (not a filter there): 400", is_error(a, 400), a)
    a = call("DELETE", ROOT + "collections/%s/objects/%s/" % (out, ind["id"]), auth=TOK)
    check("DELETE in the outbox: 200 with the media type", a.status == 200 and
          a.h("Content-Type") == MEDIA, a)
    a = get(ROOT + "collections/%s/objects/%s/" % (out, ind["id"]))
    check("...the object is gone from the outbox", is_error(a, 404), a)
    a = call("DELETE", ROOT + "collections/%s/objects/%s/" % (out, ind["id"]), auth=TOK)
    check("...and a second DELETE is a 404", is_error(a, 404), a)
    sent, _ = walk(cs["sent"]["id"], "match[version]=all", limit=1000)
    check("...while sent still holds it", any(o["id"] == ind["id"] for o in sent))


# ---- the round trip and TLP ------------------------------------------------------------------

def test_round_trip(cs):
    xa_msg, red_msg = os.environ["MSG_AMBER"], os.environ["MSG_RED"]
    objs, _ = walk(cs["received"]["id"], "match[version]=all", limit=1000)
    mine = [o for o in objs if o.get("extensions", {}).get(
        "extension-definition--4cf5d89d-0ffb-473b-8f0c-96b72dd2b4e1", {}).get(
        "message_id") == xa_msg]
    byid = {o["id"]: o for o in objs}
    inc = [o for o in mine if o["type"] == "incident"]
    check("XA's incident notification is in XB's received as an incident",
          len(inc) == 1 and inc[0]["name"] == "Wipers in the grid", [o["type"] for o in mine])
    if not inc:
        return
    inc = inc[0]
    check("...with its class, sector and impact as labels",
          {"incident-class:malicious-code", "sector:energy", "impact:high"} <=
          set(inc.get("labels", [])), inc.get("labels"))
    ident = byid.get(inc.get("created_by_ref"))
    check("...created_by_ref XA's identity", ident is not None and ident["name"] == "XA" and
          ident["identity_class"] == "organization", ident)
    check("...marked TLP:AMBER by the official TLP 2.0 object",
          inc.get("object_marking_refs") == [
              "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"] and
          byid.get("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", {}).get(
              "name") == "TLP:AMBER", inc.get("object_marking_refs"))
    prov = inc["extensions"]["extension-definition--4cf5d89d-0ffb-473b-8f0c-96b72dd2b4e1"]
    check("...with roster provenance: message id, log index, XA's signer key and State",
          prov["message_id"] == xa_msg and isinstance(prov["log_index"], int) and
          len(prov["signer_key"]) == 64 and prov["state"] == "XA", prov)
    pats = sorted(o["pattern"] for o in mine if o["type"] == "indicator")
    check("...its indicators as patterns", pats == [
        "[domain-name:value = 'evil.example']", "[ipv4-addr:value = '192.0.2.1']"], pats)
    check("every object of it carries provenance or is one of the fixed objects",
          all(o["type"] in ("identity", "marking-definition", "extension-definition") or
              o in mine for o in objs if o in mine))
    # valid STIX by the project's validator, as a bundle
    path = os.path.join(os.environ["T"], "served.json")
    with open(path, "w") as f:
        json.dump({"type": "bundle", "id": "bundle--" + uuid(77), "objects": objs}, f)
    r = roster("stix", "check", path, check_rc=False)
    check("everything received is valid STIX 2.1 (roster stix check)",
          "valid STIX 2.1 (%d objects)" % len(objs) in r.stdout, r.stdout + r.stderr)
    # TLP:RED: nowhere in a collection, yet `roster stix` gives it to its recipient
    for alias in ("received", "from-XA", "sent"):
        allo, _ = walk(cs[alias]["id"], "match[version]=all", limit=1000)
        check("the TLP:RED message is not in %s" % alias, not any(
            red_msg in json.dumps(o) for o in allo) and not any(
            "e828b379-4e03-4974-9ac4-e53a884c97c1" in json.dumps(o) for o in allo))
    r = roster("stix", red_msg[:16], node="XB", check_rc=False)
    check("roster stix gives XB's POC the TLP:RED message, marked RED",
          r.returncode == 0 and "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
          in r.stdout, r.stderr)
    grp, _ = walk(cs["group-forum"]["id"], "match[type]=report", limit=1000)
    check("group-forum holds what XC (a member) sent, not what XA (no member) sent",
          grp and all(o["created_by_ref"] != inc["created_by_ref"] for o in grp), grp[:1])


def main():
    phase = sys.argv[1] if len(sys.argv) > 1 else "all"
    if phase == "resume":
        base, tok, first = sys.argv[2], sys.argv[3], sys.argv[4]
        a = get(base + "&limit=10&next=" + tok)
        check("a next token from before the restart continues the walk",
              a.status == 200 and a.json["objects"][0]["id"] == first, a)
    else:
        test_server()
        cs = test_collections()
        man = test_pages(cs)
        test_filters(cs, man)
        walkpos = test_next(cs)
        test_media(cs)
        test_auth(cs)
        objs_out = test_post(cs)
        test_delete(cs, objs_out)
        test_round_trip(cs)
        if walkpos:
            with open(os.path.join(os.environ["T"], "walk.txt"), "w") as f:
                f.write("\n".join(walkpos))
    print("%d passed, %d failed" % (PASS, FAIL))
    return 1 if FAIL else 0


if __name__ == "__main__":
    sys.exit(main())
