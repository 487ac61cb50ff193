/*
 * read.c - the TAXII 2.1 endpoints that read (and delete), over the
 * node's store (node/core/store_taxii.c), under the front ends' lock.
 *
 * Pages.  Objects, manifest, one object and its versions are pages of one
 * collection in ascending date_added (ties, which the node does not make,
 * would be broken by the object's row): at most limit entries (100 by
 * default, 1000 at most) and about 4 MiB, with "more" when there is a
 * next page and "next", the opaque token of where this one ended
 * (lib/taxii_next.c: the position, under a MAC over the resource and the
 * query's filters).  The token is checked against the query it comes with:
 * another collection, endpoint or filter is a 400, so a walk can only be
 * continued as it was begun.  X-TAXII-Date-Added-First and -Last are the
 * first and last date_added of the page, in microseconds, so a client
 * paging by added_after instead of next loses nothing either (date_added
 * is unique on the node).  An empty page is the empty envelope {}.
 *
 * The objects of a page are the JSON the store holds, copied into the
 * answer as they are, never parsed again: the page costs its range scan
 * and its bytes.
 */
#include "taxii_impl.h"

#include <stdlib.h>
#include <string.h>

#include "core/collections.h"
#include "jsonutil.h"

#define STIX_MEDIA	"application/stix+json;version=2.1"

/* ---- server, API root, status ---------------------------------------------------- */

/* https://HOST of the request, when its Host header is a plain host[:port]. */
static void
base_url(const struct call *c, char *out, size_t len)
{
	const char *host = http_req_header(c->req, "Host");

	if (host == NULL || host[0] == '\0' || strlen(host) > 255 ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
	    != strlen(host))
		out[0] = '\0';		/* a path alone */
	else
		snprintf(out, len, "%s://%s", c->x->tls ? "https" : "http", host);
}

void
taxii_discovery(const struct call *c, struct http_resp *resp)
{
	char base[300], root[400], title[128];

	base_url(c, base, sizeof(base));
	snprintf(root, sizeof(root), "%s/taxii2/%s/", base, TAXII_ROOT);
	snprintf(title, sizeof(title), "roster node of %s (%s POC)", c->x->n->cfg.state,
	    c->x->n->cfg.role);
	taxii_json(resp, 200, json_pack("{s:s, s:s, s:s, s:s, s:[s]}", "title", title,
	    "description", "What this State received and sent through roster, as STIX 2.1, "
	    "with each sender's signature and TLP label preserved; and outboxes a tool "
	    "may send through.", "contact", c->x->n->cfg.email, "default", root,
	    "api_roots", root));
}

void
taxii_api_root(const struct call *c, struct http_resp *resp)
{
	char title[128];

	snprintf(title, sizeof(title), "roster: %s", c->x->n->cfg.state);
	taxii_json(resp, 200, json_pack("{s:s, s:s, s:[s], s:I}", "title", title,
	    "description", "The collections of received, per-State, per-group and sent "
	    "messages, and this node's outboxes (docs/taxii.md).", "versions",
	    TAXII_MEDIA_TYPE, "max_content_length", (json_int_t)TAXII_MAX_BODY));
}

/* A date_added (and a status's request time) always has its six
 * microsecond digits, even when they end in 000 (TAXII 2.1, 3.2: the
 * server's timestamps have microsecond precision; a client paging by
 * added_after compares them as strings too).  An object's version is its
 * own STIX "modified", shown at the precision it most likely had. */
static void
format_us(int64_t us, char out[STIX_TS_LEN])
{
	stix_ts_format(us, 6, out);
}

static void
format_version(int64_t us, char out[STIX_TS_LEN])
{
	stix_ts_format(us, us % 1000 == 0 ? 3 : 6, out);
}

void
taxii_status(const struct call *c, struct http_resp *resp)
{
	struct taxii_status s;
	struct msg_row m;
	json_t *objs = NULL, *o, *ok = json_array(), *bad = json_array(), *wait = json_array();
	char ts[STIX_TS_LEN], hex[17], line[RS_ERRLEN + 128];
	const char *state = "pending";
	int logged = 0, failed = 0, have = 0;
	size_t i;

	memset(&m, 0, sizeof(m));
	switch (store_taxii_status_get(c->x->n, c->route.status, &s)) {
	case STORE_OK:
		break;
	case STORE_NOT_FOUND:
		taxii_fail(resp, 404, "No such status", "no status %s here", c->route.status);
		goto out;
	default:
		taxii_fail(resp, 500, "Store error", "%s", rs_err());
		goto out;
	}
	if (!c->who->account && strcmp(s.who, c->who->name) != 0) {
		taxii_fail(resp, 404, "No such status", "no status %s here for %s",
		    c->route.status, c->who->name);
		goto out;
	}
	if (s.has_msg && store_message_get(c->x->n, s.msg, &m) == STORE_OK) {
		have = 1;
		logged = m.has_index;
		failed = m.error != NULL && m.error[0] != '\0';
		short_id(hex, s.msg);
	}
	if (logged || failed)
		state = "complete";
	objs = jparse(s.objects, strlen(s.objects));
	json_array_foreach(objs, i, o) {
		json_t *d = json_pack("{s:s, s:s}", "id", jstr(o, "id") ? jstr(o, "id") : "",
		    "version", jstr(o, "version") ? jstr(o, "version") : "");
		const char *note = jstr(o, "note");
		if (failed) {
			snprintf(line, sizeof(line), "the hub refused roster message %s: %s", hex,
			    m.error);
			json_object_set_new(d, "message", json_string(line));
			json_array_append_new(bad, d);
		} else if (logged) {
			snprintf(line, sizeof(line), "sent in roster message %s, log index %lld%s%s",
			    hex, (long long)m.index, note && *note ? "; " : "", note ? note : "");
			json_object_set_new(d, "message", json_string(line));
			json_array_append_new(ok, d);
		} else {
			if (note != NULL && *note != '\0')
				json_object_set_new(d, "message", json_string(note));
			json_array_append_new(wait, d);
		}
	}
	format_us(s.requested, ts);
	o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "id", s.uuid, "status", state,
	    "request_timestamp", ts, "total_count", (json_int_t)json_array_size(objs),
	    "success_count", (json_int_t)json_array_size(ok),
	    "failure_count", (json_int_t)json_array_size(bad),
	    "pending_count", (json_int_t)json_array_size(wait));
	if (json_array_size(ok) > 0)
		json_object_set(o, "successes", ok);
	if (json_array_size(bad) > 0)
		json_object_set(o, "failures", bad);
	if (json_array_size(wait) > 0)
		json_object_set(o, "pendings", wait);
	taxii_json(resp, 200, o);
out:
	if (have)
		msg_row_free(&m);
	json_decref(objs);
	json_decref(ok);
	json_decref(bad);
	json_decref(wait);
	taxii_status_free(&s);
}

/* ---- collections ------------------------------------------------------------------- */

static json_t *
coll_json(const struct taxii_coll *c, int can_read, int can_write)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:[s]}", "id", c->uuid,
	    "title", c->title, "description", c->description, "alias", c->alias,
	    "can_read", can_read, "can_write", can_write, "media_types", STIX_MEDIA);
}

struct listing {
	const struct who *who;
	json_t *list;
};

static int
list_one(void *ud, const struct taxii_coll *c)
{
	struct listing *l = ud;
	int r, w;

	taxii_rights(l->who, c, &r, &w);
	if (r || w)
		json_array_append_new(l->list, coll_json(c, r, w));
	return 0;
}

void
taxii_collections(const struct call *c, struct http_resp *resp)
{
	struct listing l = { c->who, json_array() };
	json_t *o = json_object();

	if (store_taxii_colls_each(c->x->n, list_one, &l) != 0) {
		json_decref(l.list);
		json_decref(o);
		taxii_fail(resp, 500, "Store error", "%s", rs_err());
		return;
	}
	if (json_array_size(l.list) > 0)	/* none: the property is left out */
		json_object_set(o, "collections", l.list);
	json_decref(l.list);
	taxii_json(resp, 200, o);
}

void
taxii_get_collection(const struct call *c, struct http_resp *resp)
{
	struct taxii_coll coll;
	int r, w;

	if (taxii_collection(c, &coll, &r, &w, resp) != 0)
		return;
	taxii_json(resp, 200, coll_json(&coll, r, w));
	taxii_coll_free(&coll);
}

/* ---- pages ---------------------------------------------------------------------------- */

enum page_kind { PAGE_OBJECTS, PAGE_MANIFEST, PAGE_OBJECT, PAGE_VERSIONS };

struct page {
	enum page_kind kind;
	struct buf items;
	int count, limit, more;
	int64_t first_added, last_added, last_obj;
};

static int
page_row(void *ud, const struct taxii_row *r)
{
	struct page *p = ud;
	char added[STIX_TS_LEN], version[STIX_TS_LEN];

	if (p->count == p->limit || (p->count > 0 && p->items.len > TAXII_PAGE_BYTES)) {
		p->more = 1;
		return 1;		/* stop: this row starts the next page */
	}
	if (p->count++ > 0)
		buf_addstr(&p->items, ",");
	if (p->count == 1)
		p->first_added = r->added;
	p->last_added = r->added;
	p->last_obj = r->obj;
	format_us(r->added, added);
	format_version(r->version, version);
	switch (p->kind) {
	case PAGE_OBJECTS:
	case PAGE_OBJECT:
		buf_addstr(&p->items, r->json);
		break;
	case PAGE_MANIFEST:
		/* ids and timestamps are of plain characters: no escaping needed */
		buf_printf(&p->items, "{\"id\":\"%s\",\"date_added\":\"%s\",\"version\":\"%s\","
		    "\"media_type\":\"application/stix+json;version=%s\"}", r->id, added, version,
		    r->spec);
		break;
	case PAGE_VERSIONS:
		buf_printf(&p->items, "\"%s\"", version);
		break;
	}
	return 0;
}

/* Is id in coll at all (any version, any spec_version)? */
static int
present(struct node *n, const char *coll, const char *id, int *yes)
{
	struct taxii_query q;
	struct page p = { .kind = PAGE_VERSIONS, .limit = 1 };
	struct taxii_filter f = { .coll = coll, .id = id, .q = &q, .all_versions = 1,
	    .limit = 1 };
	int rc;

	memset(&q, 0, sizeof(q));
	q.spec_versions = (char *[]){ "2.0", "2.1" };
	q.nspec_versions = 2;
	rc = store_taxii_page(n, &f, page_row, &p);
	buf_free(&p.items);
	*yes = p.count > 0;
	return rc < 0 ? -1 : 0;
}

static void
page(const struct call *c, enum page_kind kind, struct http_resp *resp)
{
	static const unsigned allowed[] = { TAXII_Q_OBJECTS, TAXII_Q_OBJECTS, TAXII_Q_OBJECT,
	    TAXII_Q_VERSIONS };
	static const char *const names[] = { "objects", "manifest", "object", "versions" };
	struct taxii_coll coll;
	struct taxii_query q;
	struct taxii_pos pos = { 0, 0 };
	struct page p = { .kind = kind };
	struct taxii_filter f;
	struct buf scope = {0}, out = {0};
	char tok[TAXII_NEXT_LEN], ts[STIX_TS_LEN];
	int r, w, yes, rc;

	memset(&q, 0, sizeof(q));
	if (taxii_collection(c, &coll, &r, &w, resp) != 0)
		return;
	if (!r) {
		taxii_fail(resp, 403, "Forbidden", "%s may write to %s but not read it",
		    c->who->name, coll.alias);
		goto out;
	}
	if (taxii_query_parse(&q, c->query, allowed[kind]) != 0) {
		taxii_fail(resp, 400, "Bad query", "%s", rs_err());
		goto out;
	}
	if (kind == PAGE_OBJECT || kind == PAGE_VERSIONS) {
		if (present(c->x->n, coll.alias, c->route.object, &yes) != 0) {
			taxii_fail(resp, 500, "Store error", "%s", rs_err());
			goto out;
		}
		if (!yes) {
			taxii_fail(resp, 404, "No such object", "%s is not in collection %s",
			    c->route.object, coll.alias);
			goto out;
		}
	}
	buf_printf(&scope, "%s %s%s%s", names[kind], coll.uuid,
	    kind >= PAGE_OBJECT ? " " : "", kind >= PAGE_OBJECT ? c->route.object : "");
	if (q.given & TAXII_Q_ADDED_AFTER) {
		pos.date_added = q.added_after;
		pos.seq = INT64_MAX;
	}
	if (q.next != NULL && taxii_next_decode(c->x->next_key, buf_cstr(&scope), &q, &pos) !=
	    TAXII_NEXT_OK) {
		taxii_fail(resp, 400, "Bad next", "%s", rs_err());
		goto out;
	}
	p.limit = (q.given & TAXII_Q_LIMIT) ? (q.limit < TAXII_PAGE_MAX ? (int)q.limit :
	    TAXII_PAGE_MAX) : TAXII_PAGE_DEFAULT;
	memset(&f, 0, sizeof(f));
	f.coll = coll.alias;
	f.after_added = pos.date_added;
	f.after_obj = pos.seq;
	f.q = &q;
	f.id = kind >= PAGE_OBJECT ? c->route.object : NULL;
	f.all_versions = kind == PAGE_VERSIONS;
	f.want_json = kind == PAGE_OBJECTS || kind == PAGE_OBJECT;
	f.limit = p.limit + 1;
	if ((rc = store_taxii_page(c->x->n, &f, page_row, &p)) < 0) {
		taxii_fail(resp, 500, "Store error", "%s", rs_err());
		goto out;
	}
	if (p.count == 0) {
		taxii_json(resp, 200, json_object());
		goto out;
	}
	buf_printf(&out, "{\"more\":%s", p.more ? "true" : "false");
	if (p.more) {
		struct taxii_pos end = { p.last_added, p.last_obj };
		taxii_next_encode(c->x->next_key, buf_cstr(&scope), &q, &end, tok);
		buf_printf(&out, ",\"next\":\"%s\"", tok);
	}
	buf_printf(&out, ",\"%s\":[", kind == PAGE_VERSIONS ? "versions" : "objects");
	buf_add(&out, p.items.p, p.items.len);
	buf_addstr(&out, "]}");
	buf_free(&resp->body);
	resp->status = 200;
	resp->content_type = TAXII_MEDIA_TYPE;
	resp->body = out;
	format_us(p.first_added, ts);
	taxii_header(resp, "X-TAXII-Date-Added-First", ts);
	format_us(p.last_added, ts);
	taxii_header(resp, "X-TAXII-Date-Added-Last", ts);
out:
	buf_free(&p.items);
	buf_free(&scope);
	taxii_query_free(&q);
	taxii_coll_free(&coll);
}

void
taxii_get_objects(const struct call *c, struct http_resp *resp)
{
	page(c, PAGE_OBJECTS, resp);
}

void
taxii_get_manifest(const struct call *c, struct http_resp *resp)
{
	page(c, PAGE_MANIFEST, resp);
}

void
taxii_get_object(const struct call *c, struct http_resp *resp)
{
	page(c, PAGE_OBJECT, resp);
}

void
taxii_get_versions(const struct call *c, struct http_resp *resp)
{
	page(c, PAGE_VERSIONS, resp);
}

/* Deleting: an outbox's entries only.  The collections of what was received
 * and sent are the State's record, and the messages behind every
 * collection stay signed in the log whatever a collection shows. */
void
taxii_delete_object(const struct call *c, struct http_resp *resp)
{
	struct taxii_coll coll;
	struct taxii_query q;
	int r, w, count;

	memset(&q, 0, sizeof(q));
	if (taxii_collection(c, &coll, &r, &w, resp) != 0)
		return;
	if (!r || !w) {
		taxii_fail(resp, 403, "Forbidden", "%s may not delete from %s (only from an "
		    "outbox it may read and write; received and sent are the State's record)",
		    c->who->name, coll.alias);
		goto out;
	}
	if (taxii_query_parse(&q, c->query, TAXII_Q_DELETE) != 0) {
		taxii_fail(resp, 400, "Bad query", "%s", rs_err());
		goto out;
	}
	if (store_taxii_entries_delete(c->x->n, coll.alias, c->route.object, &q, &count) != 0) {
		taxii_fail(resp, 500, "Store error", "%s", rs_err());
		goto out;
	}
	if (count == 0) {
		taxii_fail(resp, 404, "No such object", "no version of %s in %s matches",
		    c->route.object, coll.alias);
		goto out;
	}
	buf_free(&resp->body);
	resp->status = 200;
	resp->content_type = TAXII_MEDIA_TYPE;
out:
	taxii_query_free(&q);
	taxii_coll_free(&coll);
}
