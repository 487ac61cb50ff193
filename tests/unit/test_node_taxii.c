/*
 * test_node_taxii.c - the node's TAXII store (node/core/store_taxii.c) and
 * the filing of messages into collections (stixstore.c), tokens
 * (tokens.c), outboxes' names (collections.c) and a bundle as a message
 * (stixsend.c).
 *
 * What it tries to break:
 *   - paging: a page ends exactly where asked, the next starts strictly
 *     after it, with ties on date_added broken by the object's row; every
 *     match[] filter selects what TAXII says (type, id, first/last/all and
 *     timestamped versions, spec_version), and the flags follow a new
 *     version and a DELETE;
 *   - filing: a received message's objects land in received and from-XB
 *     once each, with date_added unique and rising even when the clock
 *     says otherwise (the counter in meta), fixed objects (markings,
 *     identities) once per collection; a TLP:RED message and a notice are
 *     recorded and not filed; filing twice changes nothing; a store that
 *     fails mid-filing leaves nothing behind after the rollback, and the
 *     message is filed on the next try;
 *   - tokens: the secret is never stored, a wrong or revoked one is not
 *     found, scopes are what was named;
 *   - compose: the sender's fields replace the bundle's, a less strict
 *     label than the bundle's is refused, a bundle without a subject needs
 *     one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/collections.h"
#include "core/message.h"
#include "core/stixsend.h"
#include "core/stixstore.h"
#include "core/store.h"
#include "core/store_impl.h"
#include "core/tokens.h"
#include "db.h"
#include "jsonutil.h"
#include "keys.h"
#include "taxii.h"
#include "tmpdir.h"

#define has(s, sub) do { \
	if (strstr((s), (sub)) == NULL) \
		fail_msg("\"%s\" does not contain \"%s\"", (s), (sub)); \
} while (0)

struct fixture {
	char *dir;
	struct node n;
	struct keypair *xb;		/* the sender's device */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	void *tmp;

	if (f == NULL || setup_tmp(&tmp) != 0)
		return -1;
	f->dir = tmp;
	f->n.dir = xstrdup(f->dir);
	f->n.quiet = 1;
	snprintf(f->n.cfg.state, sizeof(f->n.cfg.state), "XA");
	if (store_open(&f->n) != 0 || (f->xb = keypair_new("XB", 1)) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	void *tmp = f->dir;

	keypair_free(f->xb);
	catalogue_free(f->n.cat);	/* what node_close would drop */
	store_close(&f->n);
	free(f->n.dir);
	free(f);
	return teardown_tmp(&tmp);
}

/* ---- paging --------------------------------------------------------------- */

struct seen {
	int64_t added[64], obj[64], version[64];
	char id[64][80];
	int n;
};

static int
see(void *ud, const struct taxii_row *r)
{
	struct seen *s = ud;

	assert_true(s->n < 64);
	s->added[s->n] = r->added;
	s->obj[s->n] = r->obj;
	s->version[s->n] = r->version;
	snprintf(s->id[s->n], sizeof(s->id[0]), "%s", r->id);
	s->n++;
	return 0;
}

static void
page(struct node *n, const char *query, unsigned allowed, int64_t after_added,
    int64_t after_obj, const char *id, int limit, struct seen *s)
{
	struct taxii_query q;
	struct taxii_filter f = { .coll = "c", .after_added = after_added,
	    .after_obj = after_obj, .q = &q, .id = id, .limit = limit, .want_json = 1 };

	memset(s, 0, sizeof(*s));
	assert_int_equal(taxii_query_parse(&q, query, allowed), 0);
	assert_int_equal(store_taxii_page(n, &f, see, s), 0);
	taxii_query_free(&q);
}

static int64_t
put(struct node *n, const char *id, const char *type, const char *modified, int64_t added)
{
	char json[256];
	int64_t obj, v = added;
	struct taxii_entry e;

	snprintf(json, sizeof(json), "{\"type\":\"%s\",\"id\":\"%s\"%s%s%s}", type, id,
	    modified ? ",\"modified\":\"" : "", modified ? modified : "", modified ? "\"" : "");
	assert_int_equal(store_stix_object_put(n, id, modified ? modified : "", json, &obj), 0);
	if (modified != NULL)
		assert_int_equal(stix_ts_parse(modified, &v, NULL), 0);
	e = (struct taxii_entry){ .coll = "c", .added = added, .obj = obj, .version = v,
	    .type = type, .id = id, .spec = "2.1" };
	assert_int_equal(store_taxii_entry_add(n, &e), STORE_OK);
	return obj;
}

#define ID(t, k) t "--00000000-0000-4000-8000-00000000000" #k

static void
test_paging(void **state)
{
	struct fixture *f = *state;
	struct node *n = &f->n;
	struct seen s;
	int64_t o1, o2;

	o1 = put(n, ID("indicator", 1), "indicator", "2026-01-01T00:00:00.000Z", 100);
	o2 = put(n, ID("url", 2), "url", NULL, 100);	/* a tie on date_added */
	put(n, ID("indicator", 3), "indicator", "2026-01-01T00:00:00.000Z", 200);
	put(n, ID("indicator", 1), "indicator", "2026-02-01T00:00:00.000Z", 300);
	put(n, ID("note", 4), "note", "2026-01-01T00:00:00.000Z", 400);
	/* the same object version again is one entry */
	{
		int64_t obj;
		struct taxii_entry e = { .coll = "c", .added = 500, .version = 1,
		    .type = "url", .id = ID("url", 2), .spec = "2.1" };
		assert_int_equal(store_stix_object_put(n, ID("url", 2), "", "{}", &obj), 0);
		assert_int_equal(obj, o2);
		e.obj = obj;
		assert_int_equal(store_taxii_entry_add(n, &e), STORE_DUPLICATE);
	}

	/* default: the last version of each, in (date_added, obj) order */
	page(n, NULL, TAXII_Q_OBJECTS, 0, 0, NULL, 100, &s);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.id[0], ID("url", 2));
	assert_string_equal(s.id[1], ID("indicator", 3));
	assert_string_equal(s.id[2], ID("indicator", 1));
	assert_int_equal(s.added[2], 300);
	/* a page of one, then strictly after it: the tie at 100 is split by obj */
	page(n, "match[version]=all", TAXII_Q_OBJECTS, 0, 0, NULL, 1, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.obj[0], o1 < o2 ? o1 : o2);
	page(n, "match[version]=all", TAXII_Q_OBJECTS, 100, s.obj[0], NULL, 1, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.added[0], 100);
	assert_int_equal(s.obj[0], o1 < o2 ? o2 : o1);
	page(n, "match[version]=all", TAXII_Q_OBJECTS, 100, INT64_MAX, NULL, 100, &s);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.added[0], 200);
	/* filters */
	page(n, "match[type]=indicator&match[version]=all", TAXII_Q_OBJECTS, 0, 0, NULL, 100,
	    &s);
	assert_int_equal(s.n, 3);
	page(n, "match[type]=url,note", TAXII_Q_OBJECTS, 0, 0, NULL, 100, &s);
	assert_int_equal(s.n, 2);
	page(n, "match[id]=" ID("indicator", 1) "&match[version]=first", TAXII_Q_OBJECTS, 0, 0,
	    NULL, 100, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.added[0], 100);
	page(n, "match[version]=first,last", TAXII_Q_OBJECTS, 0, 0, ID("indicator", 1), 100, &s);
	assert_int_equal(s.n, 2);
	page(n, "match[version]=2026-02-01T00:00:00Z", TAXII_Q_OBJECTS, 0, 0, NULL, 100, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.id[0], ID("indicator", 1));
	page(n, "match[spec_version]=2.0", TAXII_Q_OBJECTS, 0, 0, NULL, 100, &s);
	assert_int_equal(s.n, 0);
	page(n, "match[spec_version]=2.0,2.1", TAXII_Q_OBJECTS, 0, 0, NULL, 100, &s);
	assert_int_equal(s.n, 4);
	/* an SCO is versioned by its date_added */
	page(n, NULL, TAXII_Q_OBJECTS, 0, 0, ID("url", 2), 100, &s);
	assert_int_equal(s.version[0], 100);

	/* a later version takes the last flag; deleting it gives it back */
	{
		struct taxii_query q;
		int count;
		assert_int_equal(taxii_query_parse(&q, "match[version]=2026-02-01T00:00:00.000Z",
		    TAXII_Q_DELETE), 0);
		assert_int_equal(store_taxii_entries_delete(n, "c", ID("indicator", 1), &q, &count),
		    0);
		assert_int_equal(count, 1);
		taxii_query_free(&q);
	}
	page(n, NULL, TAXII_Q_OBJECTS, 0, 0, ID("indicator", 1), 100, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.added[0], 100);
	assert_int_equal(store_taxii_count(n, "c"), 4);
	assert_int_equal(store_taxii_count(n, "other"), 0);
}

/* ---- filing ------------------------------------------------------------------ */

/* A message from XB to XA, logged at index, with payload, stored as the
 * accept path stores it. */
static void
received(struct fixture *f, int64_t index, json_t *payload, uint8_t id[32])
{
	struct buf env = {0};
	struct envelope e;
	struct msg_new m;
	char *content = jdump(payload);
	json_t *hdr = json_pack("{s:s, s:[s], s:[], s:s, s:I}", "kind", "msg", "to", "XA",
	    "rcpt", "urgency", "routine", "time", (json_int_t)1798761600000 + index);

	assert_int_equal(env_build(&env, hdr, content, strlen(content), f->xb->pk, f->xb->sk),
	    0);
	assert_int_equal(env_parse(&e, env.p, env.len), 0);
	memcpy(id, e.id, 32);
	memset(&m, 0, sizeof(m));
	m.id = e.id;
	m.direction = "in";
	m.logged = 1;
	m.index = index;
	m.time = 1798761600000 + index;
	m.checked_size = index + 1;
	m.sender_state = "XB";
	m.sender_device = f->xb->pk;
	m.to_states = "[\"XA\"]";
	m.rcpt = "[]";
	m.urgency = "routine";
	m.subject = jstr(payload, "subject");
	m.body = jstr(payload, "body");
	m.tlp = jstr(payload, "tlp");
	m.content = content;
	assert_int_equal(store_message_add(&f->n, &m), STORE_OK);
	assert_int_equal(store_record_add(&f->n, &e, index, m.time, (uint64_t)index + 1), 0);
	env_free(&e);
	buf_free(&env);
	json_decref(hdr);
	free(content);
}

static json_t *
incident(struct node *n, const char *tlp)
{
	const char *kv[] = { "incident_class=malicious-code", "sector=energy",
	    "first_seen=2026-12-01T10:00:00Z", "impact=high",
	    "indicators=ip:192.0.2.1,domain:evil.example" };
	json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "subject", "Scanning", "body", "",
	    "tlp", tlp, "lang", "en");

	if (message_fill_template(n, "incident-notification", kv, 5, "en", p) != 0)
		fail_msg("fill: %s", rs_err());
	return p;
}

struct added {
	int64_t last;
	int n, rising;
	char types[1024];
};

static int
check_added(void *ud, const struct taxii_row *r)
{
	struct added *a = ud;

	if (r->added <= a->last)
		a->rising = 0;
	a->last = r->added;
	a->n++;
	snprintf(a->types + strlen(a->types), sizeof(a->types) - strlen(a->types), "%s ",
	    r->type);
	return 0;
}

static void
walk(struct node *n, const char *coll, struct added *a)
{
	struct taxii_query q;
	struct taxii_filter f = { .coll = coll, .q = &q, .limit = 1000 };

	memset(a, 0, sizeof(*a));
	a->rising = 1;
	assert_int_equal(taxii_query_parse(&q, "match[version]=all", TAXII_Q_OBJECTS), 0);
	assert_int_equal(store_taxii_page(n, &f, check_added, a), 0);
	taxii_query_free(&q);
}

static void
test_filing(void **state)
{
	struct fixture *f = *state;
	struct node *n = &f->n;
	struct added a, b;
	struct taxii_coll c;
	uint8_t id1[32], id2[32], red[32], notice[32];
	json_t *p;
	int64_t future = INT64_C(4102444800000000);	/* 2100: a clock far ahead, once */

	p = incident(n, "AMBER");
	received(f, 10, p, id1);
	json_decref(p);
	/* date_added stays rising even after a clock far ahead */
	assert_int_equal(store_meta_set_int(n, "taxii_added", future), 0);
	assert_int_equal(store_begin(n), 0);
	assert_int_equal(stixstore_file(n, NULL, id1), 0);
	assert_int_equal(store_commit(n), 0);
	walk(n, "received", &a);
	assert_true(a.n >= 10);
	assert_true(a.rising);
	assert_true(a.last > future);
	has(a.types, "incident");
	has(a.types, "indicator");
	has(a.types, "ipv4-addr");
	has(a.types, "marking-definition");
	walk(n, "from-XB", &b);
	assert_int_equal(b.n, a.n);
	assert_int_equal(store_taxii_coll_get(n, NULL, "from-XB", &c), STORE_OK);
	assert_string_equal(c.kind, "state");
	{
		char u[37];
		coll_uuid("from-XB", u);
		assert_string_equal(c.uuid, u);
	}
	taxii_coll_free(&c);
	/* filing again changes nothing */
	assert_int_equal(store_begin(n), 0);
	assert_int_equal(stixstore_file(n, NULL, id1), 0);
	assert_int_equal(store_commit(n), 0);
	walk(n, "received", &b);
	assert_int_equal(b.n, a.n);

	/* a second message: its own objects, the shared ones not again */
	p = incident(n, "GREEN");
	received(f, 11, p, id2);
	json_decref(p);
	assert_int_equal(store_begin(n), 0);
	assert_int_equal(stixstore_file(n, NULL, id2), 0);
	assert_int_equal(store_commit(n), 0);
	walk(n, "received", &b);
	assert_true(b.rising);
	/* roster's identity and extension, XB's identity are there once, the
	 * AMBER marking too; GREEN's is new */
	assert_int_equal(b.n, a.n + (a.n - 4) + 1);

	/* TLP:RED and a notice: recorded, not filed */
	p = incident(n, "RED");
	received(f, 12, p, red);
	json_decref(p);
	p = json_pack("{s:s, s:s, s:s, s:s}", "subject", "overdue", "body", "", "notice",
	    "overdue", "tlp", "GREEN");
	received(f, 13, p, notice);
	json_decref(p);
	assert_int_equal(stixstore_backfill(n, NULL), 0);
	walk(n, "received", &a);
	assert_int_equal(a.n, b.n);
	assert_int_equal(store_stix_msg_filed(n, red), STORE_OK);
	assert_int_equal(store_stix_msg_filed(n, notice), STORE_OK);
	/* an id that is no message is nothing to file */
	memset(id2, 0x5a, 32);
	assert_int_equal(stixstore_file(n, NULL, id2), 0);

	/* a mapped bundle of a RED message for `roster stix` */
	{
		json_t *bundle;
		assert_int_equal(stixstore_bundle(n, NULL, red, &bundle), STIX_MAP_OK);
		assert_int_equal(stix_bundle_check(bundle), STIX_OK);
		json_decref(bundle);
	}
}

/* A message of 700 indicators: more objects than STIX_FILE_CHUNK. */
static json_t *
big_incident(struct node *n)
{
	struct buf ind = {0};
	const char *kv[] = { "incident_class=malicious-code", "sector=energy",
	    "first_seen=2026-12-01T10:00:00Z", "impact=high", NULL };
	json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "subject", "Scanning", "body", "",
	    "tlp", "GREEN", "lang", "en");
	char one[64];

	buf_add(&ind, "indicators=", 11);
	for (int i = 0; i < 700; i++) {
		snprintf(one, sizeof(one), "%sip:10.%d.%d.1", i ? "," : "", i / 250, i % 250);
		buf_add(&ind, one, strlen(one));
	}
	buf_add(&ind, "", 1);
	kv[4] = (const char *)ind.p;
	if (message_fill_template(n, "incident-notification", kv, 5, "en", p) != 0)
		fail_msg("fill: %s", rs_err());
	buf_free(&ind);
	return p;
}

/* Filing in chunks: a store failing in the second chunk keeps the first,
 * does not mark the message filed, and the backfill files the rest with
 * nothing twice. */
static void
test_filing_chunked(void **state)
{
	struct fixture *f = *state;
	struct node *n = &f->n;
	json_t *p = big_incident(n), *bundle;
	uint8_t id[32];
	size_t objects;
	int64_t first;

	received(f, 30, p, id);
	json_decref(p);
	assert_int_equal(stixstore_bundle(n, NULL, id, &bundle), STIX_MAP_OK);
	objects = json_array_size(json_object_get(bundle, "objects"));
	json_decref(bundle);
	assert_true(objects > 2 * STIX_FILE_CHUNK);
	/* received and from-XB: two entries an object; the second chunk's
	 * 100th object fails */
	assert_int_equal(db_exec(n->store->db, "CREATE TEMP TRIGGER boom BEFORE INSERT ON"
	    " taxii_entries WHEN (SELECT count(*) FROM taxii_entries) >= 2 * 600 BEGIN"
	    " SELECT RAISE(ABORT, 'disk on fire'); END"), 0);
	assert_int_equal(stixstore_file_chunked(n, NULL, id), -1);
	first = store_taxii_count(n, "received");
	assert_int_equal(first, STIX_FILE_CHUNK);	/* the first chunk stays */
	assert_int_equal(store_stix_msg_filed(n, id), STORE_NOT_FOUND);
	assert_int_equal(db_exec(n->store->db, "DROP TRIGGER boom"), 0);
	assert_int_equal(stixstore_backfill(n, NULL), 0);
	assert_int_equal(store_stix_msg_filed(n, id), STORE_OK);
	assert_int_equal(store_taxii_count(n, "received"), (int64_t)objects);
	assert_int_equal(store_taxii_count(n, "from-XB"), (int64_t)objects);
	/* again: nothing */
	assert_int_equal(stixstore_file_chunked(n, NULL, id), 0);
	assert_int_equal(store_taxii_count(n, "received"), (int64_t)objects);
}

/* Filing from what the accept path holds files what filing from the store
 * does: the same objects, in the same collections. */
static void
test_filing_received(void **state)
{
	struct fixture *f = *state;
	struct node *n = &f->n;
	struct buf raw = {0};
	struct stored_record rec;
	struct envelope e;
	json_t *p = incident(n, "AMBER"), *stored;
	struct msg_row m;
	uint8_t id[32];
	struct added a, b;

	received(f, 40, p, id);
	json_decref(p);
	assert_int_equal(store_message_get(n, id, &m), STORE_OK);
	assert_int_equal(store_record_get(n, id, &rec), STORE_OK);
	raw = rec.raw;
	memset(&rec.raw, 0, sizeof(rec.raw));
	stored_record_free(&rec);
	assert_int_equal(env_parse(&e, raw.p, raw.len), 0);
	e.state = "XB";		/* what the hub's directory says of XB's device */
	assert_non_null(stored = jparse(m.content, strlen(m.content)));
	assert_int_equal(store_begin(n), 0);
	assert_int_equal(stixstore_file_received(n, NULL, &e, m.index, stored), 0);
	assert_int_equal(store_commit(n), 0);
	walk(n, "received", &a);
	walk(n, "from-XB", &b);
	json_decref(stored);
	env_free(&e);
	buf_free(&raw);
	msg_row_free(&m);
	/* the same message filed from the store, in a store of its own */
	{
		struct fixture *g;
		void *gs;
		struct added c;
		uint8_t id2[32];
		assert_int_equal(setup(&gs), 0);
		g = gs;
		p = incident(&g->n, "AMBER");
		keypair_free(g->xb);
		g->xb = f->xb;		/* the same sender */
		received(g, 40, p, id2);
		json_decref(p);
		assert_int_equal(store_begin(&g->n), 0);
		assert_int_equal(stixstore_file(&g->n, NULL, id2), 0);
		assert_int_equal(store_commit(&g->n), 0);
		walk(&g->n, "received", &c);
		assert_int_equal(c.n, a.n);
		assert_string_equal(c.types, a.types);
		assert_int_equal(b.n, a.n);
		g->xb = NULL;
		assert_int_equal(teardown(&gs), 0);
	}
}

/* A store that fails in the middle of filing: nothing is left, and the
 * message is filed on the next try. */
static void
test_filing_fails(void **state)
{
	struct fixture *f = *state;
	struct node *n = &f->n;
	struct added a;
	uint8_t id[32];
	json_t *p = incident(n, "AMBER");

	received(f, 20, p, id);
	json_decref(p);
	/* a trigger that refuses the 5th entry */
	assert_int_equal(db_exec(n->store->db, "CREATE TEMP TRIGGER boom BEFORE INSERT ON"
	    " taxii_entries WHEN (SELECT count(*) FROM taxii_entries) >= 4 BEGIN"
	    " SELECT RAISE(ABORT, 'disk on fire'); END"), 0);
	assert_int_equal(store_begin(n), 0);
	assert_int_equal(stixstore_file(n, NULL, id), -1);
	store_rollback(n);
	walk(n, "received", &a);
	assert_int_equal(a.n, 0);
	assert_int_equal(store_stix_msg_filed(n, id), STORE_NOT_FOUND);
	assert_int_equal(db_exec(n->store->db, "DROP TRIGGER boom"), 0);
	assert_int_equal(stixstore_backfill(n, NULL), 0);
	walk(n, "received", &a);
	assert_true(a.n > 4);
}

/* ---- tokens -------------------------------------------------------------------- */

static void
test_tokens(void **state)
{
	struct fixture *f = *state;
	struct node *n = &f->n;
	char secret[TOKEN_SECRET_LEN], other[TOKEN_SECRET_LEN];
	struct taxii_token t;

	assert_int_equal(token_create(n, "misp", "received,from-XC,to-forum", 0, secret), 0);
	assert_int_equal(strlen(secret), TOKEN_SECRET_LEN - 1);
	assert_memory_equal(secret, TOKEN_PREFIX, 4);
	assert_int_equal(token_check(n, secret, &t), STORE_OK);
	assert_string_equal(t.name, "misp");
	assert_false(t.write);
	assert_true(token_covers(&t, "received"));
	assert_true(token_covers(&t, "from-XC"));
	assert_false(token_covers(&t, "sent"));
	taxii_token_free(&t);
	/* the secret is not in the store */
	{
		sqlite3_stmt *st = store_prep(n, "SELECT count(*) FROM taxii_tokens WHERE"
		    " instr(hash, ?) OR instr(colls, ?)");
		sqlite3_bind_text(st, 1, secret + 4, 20, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, secret + 4, 20, SQLITE_STATIC);
		assert_int_equal(store_step(n, st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 0);
		sqlite3_finalize(st);
	}
	/* one character off, or another form: not found */
	snprintf(other, sizeof(other), "%s", secret);
	other[10] = other[10] == 'A' ? 'B' : 'A';
	assert_int_equal(token_check(n, other, &t), STORE_NOT_FOUND);
	assert_int_equal(token_check(n, "rtk_short", &t), STORE_NOT_FOUND);
	assert_int_equal(token_check(n, "", &t), STORE_NOT_FOUND);
	/* a second current token of the name is refused; revoked, it is gone */
	assert_int_equal(token_create(n, "misp", "all", 1, other), -1);
	has(rs_err(), "already a token misp");
	assert_int_equal(store_taxii_token_revoke(n, "misp", now_ms()), STORE_OK);
	assert_int_equal(token_check(n, secret, &t), STORE_NOT_FOUND);
	assert_int_equal(store_taxii_token_revoke(n, "misp", now_ms()), STORE_NOT_FOUND);
	assert_int_equal(token_create(n, "misp", "all", 1, other), 0);
	assert_int_equal(token_check(n, other, &t), STORE_OK);
	assert_true(t.write);
	assert_true(token_covers(&t, "anything"));
	taxii_token_free(&t);
	/* names and scopes */
	assert_int_equal(token_create(n, "Bad Name", "all", 0, other), -1);
	assert_int_equal(token_create(n, "x", "received,from-xc", 0, other), -1);
	has(rs_err(), "from-xc");
	assert_int_equal(token_create(n, "x", "", 0, other), -1);
	assert_int_equal(token_create(n, "x", "group-", 0, other), -1);
	assert_true(coll_outbox_name_ok("to-forum"));
	assert_false(coll_outbox_name_ok("received"));
	assert_false(coll_outbox_name_ok("from-xa"));
	assert_false(coll_outbox_name_ok("group-x"));
	assert_false(coll_outbox_name_ok("9lives"));
	assert_false(coll_outbox_name_ok("a_b"));
	assert_false(coll_tlp_allowed("RED"));
	assert_true(coll_tlp_allowed("AMBER+STRICT"));
}

/* ---- compose ------------------------------------------------------------------------ */

static json_t *
bundle_of(const char *objects)
{
	struct buf b = {0};
	json_t *j;

	buf_printf(&b, "{\"type\": \"bundle\", \"id\": \"bundle--"
	    "00000000-0000-4000-8000-000000000009\", \"objects\": [%s]}", objects);
	assert_int_equal(stix_bundle_parse(b.p, b.len, &j), STIX_OK);
	buf_free(&b);
	return j;
}

#define INCIDENT "{\"type\": \"incident\", \"spec_version\": \"2.1\", \"id\": \"" \
	ID("incident", 1) "\", \"created\": \"2026-12-01T00:00:00.000Z\", \"modified\": " \
	"\"2026-12-01T00:00:00.000Z\", \"name\": \"Wiper\", \"labels\": [\"impact:low\", " \
	"\"sector:energy\", \"incident-class:malicious-code\"], \"object_marking_refs\": " \
	"[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"]}"
#define INDICATOR "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"" \
	ID("indicator", 2) "\", \"created\": \"2026-12-01T00:00:00.000Z\", \"modified\": " \
	"\"2026-12-01T00:00:00.000Z\", \"pattern\": \"[ipv4-addr:value = '192.0.2.7']\", " \
	"\"pattern_type\": \"stix\", \"valid_from\": \"2026-11-30T08:00:00Z\"}"

static void
test_compose(void **state)
{
	struct fixture *f = *state;
	struct node *n = &f->n;
	const char *kv[] = { "impact=high" };
	struct stix_send s = { .kv = kv, .nkv = 1 };
	struct outgoing o;
	struct stix_draft d;
	json_t *b = bundle_of(INCIDENT "," INDICATOR), *fields;

	outgoing_init(&o);
	if (stix_compose(n, b, &s, &o, &d) != 0)
		fail_msg("compose: %s", rs_err());
	stix_draft_free(&d);
	assert_string_equal(jstr(o.payload, "subject"), "Wiper");
	assert_string_equal(jstr(o.payload, "tlp"), "AMBER");
	assert_string_equal(jstr(o.payload, "template"), "incident-notification");
	fields = json_object_get(o.payload, "fields");
	assert_string_equal(jstr(fields, "impact"), "high");	/* the sender's word */
	assert_string_equal(jstr(fields, "first_seen"), "2026-11-30T08:00:00Z");
	outgoing_free(&o);

	/* an outbox's defaults fill what the bundle leaves out, and only that */
	{
		const char *defs[] = { "impact=medium", "threat_category=criminal" };
		struct stix_send sd = { .defaults = defs, .ndefaults = 2 };
		outgoing_init(&o);
		if (stix_compose(n, b, &sd, &o, &d) != 0)
			fail_msg("compose: %s", rs_err());
		stix_draft_free(&d);
		fields = json_object_get(o.payload, "fields");
		assert_string_equal(jstr(fields, "impact"), "low");	/* the bundle's */
		assert_non_null(json_object_get(fields, "threat_category"));
		outgoing_free(&o);
	}

	/* a label looser than the bundle's */
	outgoing_init(&o);
	s.tlp = "GREEN";
	assert_int_equal(stix_compose(n, b, &s, &o, &d), -1);
	has(rs_err(), "the bundle carries TLP:AMBER");
	stix_draft_free(&d);
	outgoing_free(&o);
	/* a bad field value from the sender, named */
	outgoing_init(&o);
	s.tlp = "AMBER+STRICT";
	kv[0] = "impact=enormous";
	assert_int_equal(stix_compose(n, b, &s, &o, &d), -1);
	has(rs_err(), "impact");
	stix_draft_free(&d);
	outgoing_free(&o);
	json_decref(b);

	/* no subject: the sender's, or a refusal */
	b = bundle_of(INDICATOR);
	outgoing_init(&o);
	kv[0] = "impact=low";
	s.tlp = NULL;
	assert_int_equal(stix_compose(n, b, &s, &o, &d), -1);
	has(rs_err(), "no subject");
	stix_draft_free(&d);
	outgoing_free(&o);
	outgoing_init(&o);
	{
		const char *more[] = { "impact=low", "sector=health", "incident_class=malicious-code" };
		s.kv = more;
		s.nkv = 3;
		s.subject = "From our sensors";
		assert_int_equal(stix_compose(n, b, &s, &o, &d), 0);
	}
	assert_string_equal(jstr(o.payload, "subject"), "From our sensors");
	stix_draft_free(&d);
	outgoing_free(&o);
	json_decref(b);
}

int
main(void)
{
	(void)path_in;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filing_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filing_chunked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filing_received, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compose, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
