/*
 * test_public.c - the hub's public tree (docs/protocol.md section 8):
 * GET /v1/public, /v1/proof/public, /v1/record, v2 checkpoints, the
 * migration of a log written before the public tree, and the database edits
 * the issue names.
 *
 * What it tries to break: completeness (promise 8).  Every public record
 * the hub holds must be in /v1/public with consecutive pindex, each leaf
 * provable in the public tree, and the tree's root and size in the signed
 * checkpoint; mail must not be there.  A row removed from the pub table, or
 * the public tree's files removed, must not pass unnoticed: the hub refuses
 * to start, or rebuilds the same tree.  An old log (no pub table, a v1
 * checkpoint persisted) migrates at its first open to the same public tree
 * a new hub would have built.
 *
 * Uses the fixture of tests/unit/hubfx.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hubfx.h"
#include "db.h"
#include "kinds.h"

/* What a node following /v1/public would hold. */
struct pubview {
	struct checkpoint cp;		/* of the last page */
	struct merkle_frontier range;
	uint8_t (*leaves)[32];		/* public leaves, in pindex order */
	int64_t *index;			/* their log indexes */
	size_t n, cap;
	int pages;
};

static void
view_free(struct pubview *v)
{
	checkpoint_free(&v->cp);
	free(v->leaves);
	free(v->index);
	memset(v, 0, sizeof(*v));
}

/* Reads one record of a public listing as a node must: pindex the next
 * one, index rising, in the main tree, public by its header. */
static void
take_public(struct pubview *v, json_t *r)
{
	struct buf env = {0}, pb = {0};
	uint8_t proof[MERKLE_MAX_PROOF][32], leaf[32];
	json_t *p = json_object_get(r, "proof"), *x;
	struct envelope e;
	int64_t idx, t, pindex;
	size_t k, np = 0;

	assert_int_equal(jb64_req(r, "envelope", &env), 0);
	assert_int_equal(jint_req(r, "index", &idx), 0);
	assert_int_equal(jint_req(r, "time", &t), 0);
	assert_int_equal(jint_req(r, "pindex", &pindex), 0);
	assert_int_equal(pindex, (int64_t)v->n);
	assert_true(v->n == 0 || idx > v->index[v->n - 1]);
	assert_true((uint64_t)idx < v->cp.size);
	assert_true((uint64_t)pindex < v->cp.pub_size);
	json_array_foreach(p, k, x) {
		buf_free(&pb);
		assert_int_equal(b64_decode(&pb, json_string_value(x),
		    strlen(json_string_value(x))), 0);
		assert_int_equal(pb.len, 32);
		memcpy(proof[np++], pb.p, 32);
	}
	assert_int_equal(env_parse(&e, env.p, env.len), 0);
	assert_int_equal(env_verify(&e), 0);
	assert_true(record_is_public(&e));
	env_leaf_hash(leaf, e.id, t);
	assert_int_equal(merkle_verify_inclusion((uint64_t)idx, v->cp.size, leaf,
	    (const uint8_t (*)[32])proof, np, v->cp.root), 0);
	merkle_public_leaf(leaf, (uint64_t)idx, e.id, t);
	assert_int_equal(merkle_frontier_append(&v->range, leaf), 0);
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 64;
		v->leaves = xrealloc(v->leaves, v->cap * 32);
		v->index = xrealloc(v->index, v->cap * sizeof(*v->index));
	}
	memcpy(v->leaves[v->n], leaf, 32);
	v->index[v->n++] = idx;
	env_free(&e);
	buf_free(&env);
	buf_free(&pb);
}

/* Follows /v1/public to its end, limit records a page; the compact range
 * then has the checkpoint's public size and root. */
static void
follow_public(struct hubfx *f, int limit, struct pubview *v)
{
	json_t *ans, *recs, *r;
	char target[96];
	int64_t after = -1;
	size_t i;
	int more;

	memset(v, 0, sizeof(*v));
	do {
		if (limit > 0)
			snprintf(target, sizeof(target), "/v1/public?after=%lld&limit=%d",
			    (long long)after, limit);
		else
			snprintf(target, sizeof(target), "/v1/public?after=%lld",
			    (long long)after);
		assert_int_equal(get(f, target, &ans), 200);
		checkpoint_free(&v->cp);
		assert_int_equal(checkpoint_from_json(&v->cp,
		    json_object_get(ans, "checkpoint"), f->op), 0);
		assert_int_equal(v->cp.version, 2);
		recs = json_object_get(ans, "records");
		if (limit > 0)
			assert_true(json_array_size(recs) <= (size_t)limit);
		json_array_foreach(recs, i, r)
			take_public(v, r);
		more = json_is_true(json_object_get(ans, "more"));
		if (v->n > 0)
			after = v->index[v->n - 1];
		json_decref(ans);
		v->pages++;
	} while (more);
	assert_true(v->range.size == v->cp.pub_size);
	uint8_t root[32];
	merkle_frontier_root(&v->range, root);
	assert_memory_equal(root, v->cp.pub_root, 32);
	merkle_root_of(root, (const uint8_t (*)[32])v->leaves, v->n);
	assert_memory_equal(root, v->cp.pub_root, 32);
}

/* Device i cosigns the current checkpoint. */
static void
send_cosign(struct hubfx *f, int i)
{
	json_t *ans;
	char *p;
	struct buf m = {0};

	assert_int_equal(get(f, "/v1/checkpoint", &ans), 200);
	p = jdump(ans);
	json_decref(ans);
	make_chained(&m, f, i, json_pack("{s:s}", "kind", "cosign"), p);
	free(p);
	accept_one(f, &m);
	advance(f, i, &m);
	buf_free(&m);
}

/* A log of every kind: the fixture's admission and 3 certificates (0..3),
 * then msg, check (by dev 0 to 1 and 2), msg, two answers, cosign, msg,
 * revoke of dev 2: 13 records, 9 of them public. */
static void
mixed_log(struct hubfx *f)
{
	struct buf m = {0};
	uint8_t cid[32];
	char *p = checkrec_payload(NULL, NULL);

	send_msg(f, 0, 1);				/* 4 */
	make_chained(&m, f, 0, json_pack("{s:s,s:[s],s:[o,o],s:I}", "kind", "check",
	    "to", "XA", "rcpt", jhex(f->dev[1].k->pk, 32), jhex(f->dev[2].k->pk, 32),
	    "deadline", (json_int_t)(now_ms() + 3600000)), p);
	free(p);
	accept_one(f, &m);				/* 5 */
	advance(f, 0, &m);
	sha256(cid, m.p, m.len);
	buf_free(&m);
	send_msg(f, 1, 0);				/* 6 */
	for (int d = 1; d <= 2; d++) {			/* 7, 8 */
		make_chained(&m, f, d, checkrec_answer_header(cid), "{}");
		accept_one(f, &m);
		advance(f, d, &m);
		buf_free(&m);
	}
	send_cosign(f, 1);				/* 9 */
	send_msg(f, 0, 1);				/* 10 */
	build(&m, json_pack("{s:s, s:s}", "kind", "revoke", "state", "XA"),
	    json_pack("{s:o}", "device", jhex(f->dev[2].k->pk, 32)), f->root);
	accept_one(f, &m);				/* 11 */
	buf_free(&m);
	send_msg(f, 1, 0);				/* 12 */
}

static const int64_t mixed_public[] = { 0, 1, 2, 3, 5, 7, 8, 9, 11 };
#define MIXED_SIZE 13
#define MIXED_PUBLIC 9

static void
test_public_listing(void **state)
{
	struct hubfx *f = *state;
	struct pubview v, w;
	json_t *ans;

	mixed_log(f);
	follow_public(f, 0, &v);
	assert_true(v.cp.size == MIXED_SIZE);
	assert_int_equal(v.n, MIXED_PUBLIC);
	assert_int_equal(v.pages, 1);
	for (size_t i = 0; i < v.n; i++)
		assert_int_equal(v.index[i], mixed_public[i]);
	/* The same, two records a page. */
	follow_public(f, 2, &w);
	assert_int_equal(w.n, v.n);
	assert_int_equal(w.pages, 5);
	assert_memory_equal(w.leaves, v.leaves, v.n * 32);
	view_free(&w);
	/* From the middle: after index 6, the records from pindex 5 on. */
	assert_int_equal(get(f, "/v1/public?after=6", &ans), 200);
	assert_int_equal(json_array_size(json_object_get(ans, "records")), 4);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    json_object_get(ans, "records"), 0), "pindex")), 5);
	json_decref(ans);
	/* Bad queries. */
	const char *bad[] = { "/v1/public?after=x", "/v1/public?limit=0",
	    "/v1/public?limit=1001", "/v1/public?after=-2", "/v1/public?limit=-1",
	    NULL };
	for (int i = 0; bad[i] != NULL; i++) {
		assert_int_equal(get(f, bad[i], &ans), 400);
		assert_non_null(jstr(ans, "error"));
		json_decref(ans);
	}
	assert_int_equal(post(f, "x", 1, &ans), 400);
	json_decref(ans);
	view_free(&v);
}

/* Every leaf of the public tree, proven at the latest size and at an
 * earlier one, against the roots a node computes itself. */
static void
test_proof_public(void **state)
{
	struct hubfx *f = *state;
	struct pubview v;
	uint8_t root[32], proof[MERKLE_MAX_PROOF][32], id[32], leaf[32];
	struct buf pb = {0};
	char target[96];
	json_t *ans, *x;
	size_t k, np;
	static const struct { uint64_t size, pub; } at[] = {
		{ MIXED_SIZE, MIXED_PUBLIC }, { 9, 7 }, { 4, 4 }, { 1, 1 }, { 6, 5 },
	};

	mixed_log(f);
	follow_public(f, 0, &v);
	for (size_t a = 0; a < sizeof(at) / sizeof(at[0]); a++) {
		merkle_root_of(root, (const uint8_t (*)[32])v.leaves, at[a].pub);
		for (uint64_t K = 0; K < at[a].pub; K++) {
			snprintf(target, sizeof(target), "/v1/proof/public?size=%llu&pindex=%llu",
			    (unsigned long long)at[a].size, (unsigned long long)K);
			assert_int_equal(get(f, target, &ans), 200);
			assert_int_equal(json_integer_value(json_object_get(ans, "pub_size")),
			    at[a].pub);
			assert_int_equal(json_integer_value(json_object_get(ans, "index")),
			    v.index[K]);
			assert_int_equal(jhex32_req(ans, "id", id), 0);
			merkle_public_leaf(leaf, (uint64_t)v.index[K], id,
			    json_integer_value(json_object_get(ans, "time")));
			assert_memory_equal(leaf, v.leaves[K], 32);
			np = 0;
			json_array_foreach(json_object_get(ans, "proof"), k, x) {
				buf_free(&pb);
				assert_int_equal(b64_decode(&pb, json_string_value(x),
				    strlen(json_string_value(x))), 0);
				memcpy(proof[np++], pb.p, 32);
			}
			assert_int_equal(merkle_verify_inclusion(K, at[a].pub, leaf,
			    (const uint8_t (*)[32])proof, np, root), 0);
			json_decref(ans);
		}
	}
	buf_free(&pb);
	/* Out of range: a pindex the size does not count, sizes outside the log. */
	const char *bad[] = { "/v1/proof/public?size=13&pindex=9",
	    "/v1/proof/public?size=4&pindex=4", "/v1/proof/public?size=0&pindex=0",
	    "/v1/proof/public?size=14&pindex=0", "/v1/proof/public?size=13",
	    "/v1/proof/public?pindex=0", "/v1/proof/public?size=13&pindex=-1",
	    "/v1/proof/public?size=13&pindex=x", NULL };
	for (int i = 0; bad[i] != NULL; i++) {
		assert_int_equal(get(f, bad[i], &ans), 400);
		assert_non_null(jstr(ans, "error"));
		json_decref(ans);
	}
	view_free(&v);
}

static void
test_record(void **state)
{
	struct hubfx *f = *state;
	json_t *ans, *r;
	char target[64];
	size_t p = 0;

	mixed_log(f);
	for (int64_t i = 0; i < MIXED_SIZE; i++) {
		int pub = p < MIXED_PUBLIC && mixed_public[p] == i;
		snprintf(target, sizeof(target), "/v1/record?index=%lld", (long long)i);
		if (!pub) {
			/* mail is nobody else's business */
			assert_int_equal(get(f, target, &ans), 404);
			assert_non_null(strstr(jstr(ans, "error"), "no public record"));
			json_decref(ans);
			continue;
		}
		assert_int_equal(get(f, target, &ans), 200);
		assert_int_equal(check_listing(f, ans), 1);
		r = json_array_get(json_object_get(ans, "records"), 0);
		assert_int_equal(json_integer_value(json_object_get(r, "index")), i);
		assert_int_equal(json_integer_value(json_object_get(r, "pindex")), p);
		assert_false(json_is_true(json_object_get(ans, "more")));
		json_decref(ans);
		p++;
	}
	const char *bad[] = { "/v1/record?index=13", "/v1/record?index=-1",
	    "/v1/record", "/v1/record?index=1x", NULL };
	for (int i = 0; bad[i] != NULL; i++) {
		assert_int_equal(get(f, bad[i], &ans), 400);
		json_decref(ans);
	}
}

/* The checkpoint is v2 and commits to the public tree at its size; after a
 * restart the hub serves the same statement. */
static void
test_checkpoint_v2(void **state)
{
	struct hubfx *f = *state;
	struct checkpoint a, b;
	struct pubview v;
	json_t *ans;

	assert_int_equal(get(f, "/v1/checkpoint", &ans), 200);
	assert_int_equal(checkpoint_from_json(&a, ans, f->op), 0);
	json_decref(ans);
	assert_int_equal(a.version, 2);
	assert_true(a.size == 4 && a.pub_size == 4);
	checkpoint_free(&a);
	mixed_log(f);
	follow_public(f, 0, &v);
	hub_stop(f);
	hub_start(f);
	assert_int_equal(get(f, "/v1/checkpoint", &ans), 200);
	assert_int_equal(checkpoint_from_json(&b, ans, f->op), 0);
	json_decref(ans);
	assert_true(checkpoint_same_tree(&b, &v.cp));
	assert_string_equal(b.text, v.cp.text);
	checkpoint_free(&b);
	view_free(&v);
}

/* The public tree's files removed: rebuilt at start from pub and log, to
 * the same root. */
static void
test_public_tree_rebuilt(void **state)
{
	struct hubfx *f = *state;
	struct pubview v, w;
	struct buf err = {0};
	char path[160];

	mixed_log(f);
	follow_public(f, 0, &v);
	hub_stop(f);
	for (int l = 0; l < 8; l++) {
		snprintf(path, sizeof(path), "%s/tree/public/level-%02d", f->dir, l);
		unlink(path);
	}
	hub_start(f);
	hub_stderr(f, &err);
	assert_non_null(strstr((char *)err.p, "rebuilding the public tree"));
	follow_public(f, 0, &w);
	assert_true(checkpoint_same_tree(&v.cp, &w.cp));
	send_msg(f, 0, 1);
	send_cosign(f, 0);
	view_free(&w);
	follow_public(f, 0, &w);
	assert_int_equal(w.n, v.n + 1);
	view_free(&v);
	view_free(&w);
	buf_free(&err);
}

/* A row taken out of pub: a gap in pindex the hub will not serve, nor sign
 * over; the last row taken out: the signed checkpoint no longer matches. */
static void
test_pub_row_deleted(void **state)
{
	struct hubfx *f = *state;
	json_t *ans;

	struct buf out = {0};

	mixed_log(f);
	assert_int_equal(get(f, "/v1/checkpoint", &ans), 200);	/* persisted at stop */
	json_decref(ans);
	hub_stop(f);
	assert_int_equal(run(&out, "check", f->dir, NULL), 0);
	assert_non_null(strstr((char *)out.p, "9 public records, public root"));
	buf_free(&out);
	hub_sql(f, "DELETE FROM pub WHERE pindex = 6");
	serve_refuses(f, "not numbered 0, 1, 2");
	assert_int_equal(run(&out, "check", f->dir, NULL), 1);
	assert_non_null(strstr((char *)out.p, "public record 6 is missing"));
	assert_non_null(strstr((char *)out.p, "envelope 8 is a public record "
	    "missing from the pub table"));
	buf_free(&out);
	hub_sql(f, "INSERT INTO pub(pindex, idx) VALUES(6, 8)");
	hub_sql(f, "DELETE FROM pub WHERE pindex = 8");
	serve_refuses(f, "stored envelope 11 is a public record missing from the "
	    "public records");
	assert_int_equal(run(&out, "check", f->dir, NULL), 1);
	assert_non_null(strstr((char *)out.p, "envelope 11 is a public record "
	    "missing from the pub table"));
	assert_non_null(strstr((char *)out.p, "the stored checkpoint's public size"));
	buf_free(&out);
	hub_sql(f, "INSERT INTO pub(pindex, idx) VALUES(8, 11)");
	/* A mail row made public. */
	hub_sql(f, "INSERT INTO pub(pindex, idx) VALUES(9, 12)");
	serve_refuses(f, "stored envelope 12 is listed among the public records "
	    "but is not one");
	assert_int_equal(run(&out, "check", f->dir, NULL), 1);
	assert_non_null(strstr((char *)out.p, "envelope 12 is listed as public "
	    "record 9 but its header makes it mail"));
	buf_free(&out);
	hub_sql(f, "DELETE FROM pub WHERE pindex = 9");
	assert_int_equal(run(&out, "check", f->dir, NULL), 0);
	buf_free(&out);
	hub_start(f);
}

/* A hub.db from before the public tree: no pub table, a v1 checkpoint
 * persisted, no tree/public.  The first open classifies every envelope by
 * its header and signs a v2 of the same tree. */
static void
test_migration(void **state)
{
	struct hubfx *f = *state;
	struct pubview v, w;
	struct checkpoint c1, c2;
	struct keypair *op;
	struct buf text = {0}, err = {0}, sql = {0};
	char path[160], *root, *sig;
	json_t *ans;
	uint8_t s1[64];

	mixed_log(f);
	follow_public(f, 0, &v);
	hub_stop(f);
	snprintf(path, sizeof(path), "%s/operator.key", f->dir);
	assert_non_null(op = keyfile_read(path, KEY_OPERATOR, NULL));
	root = hex_encode(v.cp.root, 32);
	buf_printf(&text, "roster-checkpoint-v1\nTest hub\n%llu\n%s\n%lld\n",
	    (unsigned long long)v.cp.size, root, (long long)v.cp.time);
	crypto_sign_detached(s1, NULL, text.p, text.len, op->sk);
	assert_int_equal(checkpoint_parse(&c1, buf_cstr(&text), s1, f->op), 0);
	sig = b64_encode(s1, 64);
	buf_printf(&sql, "DROP TABLE pub; DELETE FROM meta WHERE k = 'public_tree';"
	    " UPDATE meta SET v = '%s' WHERE k = 'checkpoint';"
	    " UPDATE meta SET v = '%s' WHERE k = 'checkpoint_sig';", buf_cstr(&text), sig);
	hub_sql(f, buf_cstr(&sql));
	snprintf(path, sizeof(path), "rm -rf %s/tree/public", f->dir);
	assert_int_equal(system(path), 0);
	hub_start(f);
	hub_stderr(f, &err);
	assert_non_null(strstr((char *)err.p, "classifying its 13 envelopes"));
	assert_non_null(strstr((char *)err.p, "9 public records among 13 envelopes, "
	    "classified in"));
	assert_int_equal(get(f, "/v1/checkpoint", &ans), 200);
	assert_int_equal(checkpoint_from_json(&c2, ans, f->op), 0);
	json_decref(ans);
	assert_int_equal(c2.version, 2);
	assert_true(checkpoint_same_tree(&c1, &c2));
	assert_true(checkpoint_same_tree(&v.cp, &c2));
	follow_public(f, 0, &w);
	assert_int_equal(w.n, v.n);
	assert_memory_equal(w.leaves, v.leaves, v.n * 32);
	/* Once only. */
	hub_stop(f);
	hub_start(f);
	hub_stderr(f, &err);
	assert_null(strstr((char *)err.p, "classifying"));
	send_msg(f, 0, 1);
	checkpoint_free(&c1);
	checkpoint_free(&c2);
	view_free(&v);
	view_free(&w);
	keypair_free(op);
	free(root);
	free(sig);
	buf_free(&text);
	buf_free(&err);
	buf_free(&sql);
}

/* The variant without a front end: the kind column of a
 * revocation's row edited, to take it out of every listing.  The listings
 * and the directory come from pub and the headers, and the start-up check
 * refuses the edit anyway, naming the row. */
static void
test_kind_column_edited(void **state)
{
	struct hubfx *f = *state;
	struct buf m = {0};

	mixed_log(f);			/* dev 2 revoked at 11 */
	hub_stop(f);
	hub_sql(f, "UPDATE log SET kind = 'msg' WHERE idx = 11");
	serve_refuses(f, "stored envelope 11 has a kind column that is not its "
	    "header's kind");
	hub_sql(f, "UPDATE log SET kind = 'revoke' WHERE idx = 11");
	hub_start(f);
	make_msg(&m, f, 2, 0);		/* the revoked device writes */
	json_decref(refuse_one(f, &m, 403));
	buf_free(&m);
}

/* A second root key through the hub: admitted (with the CLI's warning),
 * a device certified under it writes; XA disowns it with an endorse record
 * (a public record like the others) and that device is refused from then
 * on, for envelopes and for its mail. */
static void
test_second_root_key(void **state)
{
	struct hubfx *f = *state;
	struct keypair *ra2 = keypair_new("XA", 0), *x1 = keypair_new("XA", 1);
	struct buf out = {0}, m = {0};
	struct pubview v;
	uint8_t first[32];
	char path[160];
	json_t *h, *ans;

	snprintf(path, sizeof(path), "%s/xa2.pub", f->dir);
	assert_int_equal(pubfile_write(path, KEY_ROOT, "XA", ra2->pk), 0);
	assert_int_equal(run(&out, "admit", f->dir, "--state", "XA", "--root-key",
	    path, NULL), 0);
	assert_non_null(strstr((char *)out.p, "WARNING: XA already has a root key"));
	buf_free(&out);
	make_cert(&m, ra2, x1);				/* 5 */
	accept_one(f, &m);
	buf_free(&m);
	h = json_pack("{s:s,s:s,s:i,s:[s],s:[o],s:s}", "kind", "msg", "state", "XA",
	    "seq", 1, "to", "XA", "rcpt", jhex(f->dev[0].k->pk, 32), "urgency",
	    "routine");
	assert_int_equal(env_build(&m, h, "x", 1, x1->pk, x1->sk), 0);
	json_decref(h);
	accept_one(f, &m);				/* 6: it writes */
	sha256(first, m.p, m.len);
	buf_free(&m);
	build(&m, json_pack("{s:s,s:s}", "kind", "endorse", "state", "XA"),
	    json_pack("{s:o,s:b}", "root_key", jhex(ra2->pk, 32), "accept", 0),
	    f->root);
	accept_one(f, &m);				/* 7: disowned */
	buf_free(&m);
	h = json_pack("{s:s,s:s,s:i,s:o,s:[s],s:[o],s:s}", "kind", "msg", "state",
	    "XA", "seq", 2, "prev", jhex(first, 32), "to", "XA", "rcpt",
	    jhex(f->dev[0].k->pk, 32), "urgency", "routine");
	assert_int_equal(env_build(&m, h, "x", 1, x1->pk, x1->sk), 0);
	json_decref(h);
	ans = refuse_one(f, &m, 403);
	assert_non_null(strstr(jstr(ans, "error"), "disowned"));
	json_decref(ans);
	buf_free(&m);
	http_client_set_signer(f->c, x1->pk, x1->sk);
	assert_int_equal(get(f, "/v1/mail?after=-1", &ans), 403);
	json_decref(ans);
	http_client_set_signer(f->c, NULL, NULL);
	/* The admission, the certificate and the endorsement are public. */
	follow_public(f, 0, &v);
	assert_int_equal(v.n, 7);
	assert_int_equal(v.index[4], 4);
	assert_int_equal(v.index[5], 5);
	assert_int_equal(v.index[6], 7);
	view_free(&v);
	keypair_free(ra2);
	keypair_free(x1);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_public_listing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proof_public, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_public_tree_rebuilt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pub_row_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kind_column_edited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_root_key, setup, teardown),
	};

	(void)argc;
	if (hubfx_init(argv[0]) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
