/*
 * fuzz_hub_api.c - libFuzzer target for the hub's HTTP API (hub/api.c):
 * everything a request from the network reaches after libmicrohttpd, that is
 * routing, the query numbers (after, size, from, to, wait) and index lists, the
 * batch framing of POST /v1/envelopes, and the authentication headers of
 * GET /v1/mail.
 *
 * LLVMFuzzerInitialize makes a hub in a temporary directory with
 * "rosterd init" (cmd_init), opens it as "rosterd serve" does (lock, store,
 * nonce cache, work pool, sequencer) and appends, through api_handle itself,
 * the admission of State XA's root, three certified devices A, B, C, the
 * revocation of C, a message A -> B, a cosignature by B and an operator's
 * communication check to A and B, so listings and
 * proofs have content.  The root and device keys come from fixed seeds (32
 * equal bytes: 0x21 root, 0x22/0x23 A, 0x24/0x25 B, 0x26/0x27 C, 0x28/0x29 D
 * which is not certified, 0x2a a key in no certificate) and every header
 * time is fixed, so the seed corpus can hold envelopes the hub accepts (A's
 * second message, D's certificate) and the operator key can stay random.
 *
 * Input:
 *   byte 0   flags.  Bit 0: sign the request as a node would (httpsig over
 *            method, target and body, created now, fresh nonce) with the key
 *            chosen by bits 1-2 (0 A, 1 B, 2 C revoked, 3 unknown); the three
 *            header fields of the input are then not used.  Bit 3 (with bit
 *            0): send the signed request a second time, which must be
 *            refused as a replay.
 *   then     method NUL target NUL Content-Digest NUL Signature-Input NUL
 *            Signature NUL body (missing fields are empty; an empty header
 *            field is an absent header; the body is the rest, NULs and all).
 * The target is split as libmicrohttpd splits it: the path before '?',
 * %-decoded, and the query's key=value pairs, '+' and %-decoded, the first
 * of a repeated key winning.  http_req_header and http_req_query read them
 * through MHD_lookup_connection_value, which this file defines over the
 * library's (req->conn points at the fake connection below); nothing of
 * libmicrohttpd itself runs here.
 * FUZZ_VERBOSE=1 in the environment prints each answer (to check seeds).
 *
 * The request goes to api_handle as lib/http_server.c's dispatch would pass
 * it (the body copied to an allocation of its exact size).  Invariants that
 * abort: the status is a valid HTTP status; the body is a JSON object, with
 * "error" unless the status is 200; a 200 listing holds only records after
 * the cursor, in order, of its kinds (mail: only for the device that signed
 * the request), each proved into its checkpoint (signed by the operator
 * key); a public listing (/v1/public, /v1/record) holds only public
 * records by their headers, each with the pindex of its leaf in the public
 * tree, consecutive; a 200 inclusion, consistency or public proof answer
 * verifies against the hub's own trees; a signed mail request sent again is refused as a replay; only
 * an empty mail page of the signing device is ever parked (wait=S).
 * Inputs that append to the log are fine: only envelopes signed by the seed
 * keys can, each at most once, so the log stays small.
 */
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "api.h"
#include "checkrec.h"
#include "directory.h"
#include "envelope.h"
#include "hub.h"
#include "httpsig.h"
#include "jsonutil.h"
#include "keys.h"
#include "merkle.h"
#include "sequencer.h"
#include "statement.h"
#include "store.h"
#include "util.h"
#include "workpool.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT	(64 * 1024)
#define MAX_ARGS	32
#define T0		1763820000000LL	/* every header time */

enum { K_ROOT, K_A, K_B, K_C, K_D, K_E, NKEYS };
static const int key_seed[NKEYS] = { 0x21, 0x22, 0x24, 0x26, 0x28, 0x2a };
static const int box_seed[NKEYS] = { 0, 0x23, 0x25, 0x27, 0x29, 0 };
static struct keypair keys[NKEYS];
/* Signed mode: bits 1-2 of the flags pick one of these. */
static const int signer[4] = { K_A, K_B, K_C, K_E };

static char hubdir[] = "/tmp/fuzz_hub_api.XXXXXX";
static int verbose;		/* FUZZ_VERBOSE set: print each answer */
static struct api api;
static int lockfd = -1;

/* ---- the fake connection ------------------------------------------------ */

struct fake_conn {
	const char *digest, *input, *signature;
	size_t nargs;
	char *key[MAX_ARGS];
	char *val[MAX_ARGS];		/* NULL: "key" without '=' */
};

/* Replaces the library's: lib/http_server.c reads headers and query
 * arguments through it, with req->conn as the connection. */
const char *
MHD_lookup_connection_value(struct MHD_Connection *connection,
    enum MHD_ValueKind kind, const char *key)
{
	const struct fake_conn *c = (const struct fake_conn *)(void *)connection;

	if (c == NULL || key == NULL)
		return NULL;
	if (kind == MHD_HEADER_KIND) {
		if (strcasecmp(key, "Content-Digest") == 0)
			return c->digest;
		if (strcasecmp(key, "Signature-Input") == 0)
			return c->input;
		if (strcasecmp(key, "Signature") == 0)
			return c->signature;
		return NULL;
	}
	if (kind == MHD_GET_ARGUMENT_KIND) {
		for (size_t i = 0; i < c->nargs; i++)
			if (strcmp(c->key[i], key) == 0)
				return c->val[i];
	}
	return NULL;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* %XX decoding in place, as MHD_http_unescape (bad escapes stay). */
static void
unescape(char *s, int plus)
{
	char *w = s;

	for (char *r = s; *r != '\0'; r++) {
		int h, l;
		if (*r == '%' && (h = hexval(r[1])) >= 0 && (l = hexval(r[2])) >= 0) {
			*w++ = (char)(h * 16 + l);
			r += 2;
		} else if (plus && *r == '+')
			*w++ = ' ';
		else
			*w++ = *r;
	}
	*w = '\0';
}

/* Splits a query "a=1&b&c=2" into c's arguments (q is modified). */
static void
parse_query(struct fake_conn *c, char *q)
{
	while (q != NULL && c->nargs < MAX_ARGS) {
		char *amp = strchr(q, '&'), *eq;
		if (amp != NULL)
			*amp = '\0';
		if (*q != '\0') {
			eq = strchr(q, '=');
			if (eq != NULL) {
				*eq = '\0';
				unescape(eq + 1, 1);
			}
			unescape(q, 1);
			c->key[c->nargs] = q;
			c->val[c->nargs] = eq != NULL ? eq + 1 : NULL;
			c->nargs++;
		}
		q = amp != NULL ? amp + 1 : NULL;
	}
}

/* ---- requests ------------------------------------------------------------- */

/* Runs one request through api_handle; returns the response (caller frees
 * its body). */
static void
call(struct http_resp *resp, const char *method, const char *target,
    const char *digest, const char *input, const char *signature,
    const uint8_t *body, size_t len)
{
	static const uint8_t empty[1];
	struct fake_conn c;
	struct http_req req;
	char *path = xstrdup(target), *q;
	uint8_t *copy = NULL;

	memset(&c, 0, sizeof(c));
	c.digest = digest != NULL && *digest != '\0' ? digest : NULL;
	c.input = input != NULL && *input != '\0' ? input : NULL;
	c.signature = signature != NULL && *signature != '\0' ? signature : NULL;
	if ((q = strchr(path, '?')) != NULL) {
		*q++ = '\0';
		parse_query(&c, q);
	}
	unescape(path, 0);
	if (len > 0) {
		copy = xmalloc(len);
		memcpy(copy, body, len);
	}
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = path;
	req.target = target;
	req.body = copy != NULL ? copy : empty;
	req.body_len = len;
	req.conn = &c;
	memset(resp, 0, sizeof(*resp));
	resp->content_type = "application/json";
	api_handle(&api, &req, resp);
	free(copy);
	free(path);
}

/* ---- invariants ----------------------------------------------------------- */

static size_t
proof_of(json_t *p, uint8_t (*proof)[32])
{
	json_t *h;
	size_t k;

	if (!json_is_array(p) || json_array_size(p) > MERKLE_MAX_PROOF)
		abort();
	json_array_foreach(p, k, h) {
		struct buf b = {0};
		if (!json_is_string(h) || b64_decode(&b, json_string_value(h),
		    json_string_length(h)) != 0 || b.len != 32)
			abort();
		memcpy(proof[k], b.p, 32);
		buf_free(&b);
	}
	return json_array_size(p);
}

/* The kinds a listing may hold. */
static int
listed_kind(const char *path, const struct envelope *e)
{
	const char *kind = e->kind;

	if (strcmp(path, "/v1/public") == 0 || strcmp(path, "/v1/record") == 0)
		return record_is_public(e);
	return strcmp(kind, "msg") == 0 || strcmp(kind, "ack") == 0;
}

/* Records after the cursor, in order, of the listing's kinds, each proved
 * into the answer's checkpoint; mail only for the device that asked. */
static void
check_listing(json_t *j, const char *path, int64_t after, const uint8_t *device)
{
	uint8_t proof[MERKLE_MAX_PROOF][32], leaf[32];
	struct checkpoint cp;
	int64_t last_pindex = -1;
	json_t *r;
	size_t i, np;

	if (checkpoint_from_json(&cp, json_object_get(j, "checkpoint"),
	    api.s->op->pk) != 0 || !json_is_array(json_object_get(j, "records")) ||
	    !json_is_boolean(json_object_get(j, "more")) ||
	    (json_is_true(json_object_get(j, "more")) &&
	    json_array_size(json_object_get(j, "records")) == 0))
		abort();
	json_array_foreach(json_object_get(j, "records"), i, r) {
		struct buf raw = {0};
		struct envelope e;
		int64_t idx, t;

		if (jint_req(r, "index", &idx) != 0 || jint_req(r, "time", &t) != 0 ||
		    jb64_req(r, "envelope", &raw) != 0 || idx <= after ||
		    (uint64_t)idx >= cp.size || env_parse(&e, raw.p, raw.len) != 0 ||
		    !listed_kind(path, &e))
			abort();
		after = idx;
		if (json_object_get(r, "pindex") != NULL) {
			/* public listings: pindex is the record's leaf in the
			 * public tree, consecutive within a page */
			uint8_t have[32];
			int64_t pi = json_integer_value(json_object_get(r, "pindex"));
			uint64_t first = 0;
			sqlite3 *db = store_reader(api.s);
			if (i == 0 && (db == NULL ||
			    store_pub_size_at(db, (uint64_t)idx, &first) != 0))
				abort();
			store_reader_done(api.s, db);
			if (!json_is_integer(json_object_get(r, "pindex")) || pi < 0 ||
			    (uint64_t)pi >= cp.pub_size || (i > 0 && pi != last_pindex + 1) ||
			    (i == 0 && (uint64_t)pi != first) ||
			    merkle_leaf(api.s->ptree, (uint64_t)pi, have) != 0)
				abort();
			merkle_public_leaf(leaf, (uint64_t)idx, e.id, t);
			if (memcmp(have, leaf, 32) != 0)
				abort();
			last_pindex = pi;
		} else if (strcmp(path, "/v1/public") == 0 ||
		    strcmp(path, "/v1/record") == 0)
			abort();
		if (device != NULL) {
			json_t *v;
			size_t k;
			char *hex = hex_encode(device, 32);
			int found = 0;
			json_array_foreach(env_field(&e, "rcpt"), k, v)
				found |= json_is_string(v) &&
				    strcmp(json_string_value(v), hex) == 0;
			free(hex);
			if (!found)
				abort();	/* someone else's mail */
		}
		np = proof_of(json_object_get(r, "proof"), proof);
		env_leaf_hash(leaf, e.id, t);
		if (merkle_verify_inclusion((uint64_t)idx, cp.size, leaf,
		    (const uint8_t (*)[32])proof, np, cp.root) != 0)
			abort();
		env_free(&e);
		buf_free(&raw);
	}
	checkpoint_free(&cp);
}

static void
check_inclusion(json_t *j)
{
	uint8_t proof[MERKLE_MAX_PROOF][32], leaf[32], root[32];
	int64_t size, idx;
	json_t *o;
	size_t i, np;

	if (jint_req(j, "size", &size) != 0 || size < 1 ||
	    merkle_root(api.s->tree, (uint64_t)size, root) != 0)
		abort();
	json_array_foreach(json_object_get(j, "proofs"), i, o) {
		if (jint_req(o, "index", &idx) != 0 || idx < 0 || idx >= size ||
		    merkle_leaf(api.s->tree, (uint64_t)idx, leaf) != 0)
			abort();
		np = proof_of(json_object_get(o, "proof"), proof);
		if (merkle_verify_inclusion((uint64_t)idx, (uint64_t)size, leaf,
		    (const uint8_t (*)[32])proof, np, root) != 0)
			abort();
	}
}

/* A 200 from /v1/proof/public proves its leaf in the hub's public tree. */
static void
check_public_proof(json_t *j)
{
	uint8_t proof[MERKLE_MAX_PROOF][32], leaf[32], root[32], id[32];
	int64_t size, pub, pindex, idx, t;
	uint64_t want;
	sqlite3 *db = store_reader(api.s);
	size_t np;

	if (db == NULL || jint_req(j, "size", &size) != 0 ||
	    jint_req(j, "pub_size", &pub) != 0 || jint_req(j, "pindex", &pindex) != 0 ||
	    jint_req(j, "index", &idx) != 0 || jint_req(j, "time", &t) != 0 ||
	    jhex32_req(j, "id", id) != 0 || pindex < 0 || pindex >= pub ||
	    idx < 0 || idx >= size || store_pub_size_at(db, (uint64_t)size, &want) != 0 ||
	    want != (uint64_t)pub || merkle_root(api.s->ptree, (uint64_t)pub, root) != 0)
		abort();
	store_reader_done(api.s, db);
	np = proof_of(json_object_get(j, "proof"), proof);
	merkle_public_leaf(leaf, (uint64_t)idx, id, t);
	if (merkle_verify_inclusion((uint64_t)pindex, (uint64_t)pub, leaf,
	    (const uint8_t (*)[32])proof, np, root) != 0)
		abort();
}

static void
check_consistency(json_t *j)
{
	uint8_t proof[MERKLE_MAX_PROOF][32], r1[32], r2[32];
	int64_t from, to;
	size_t np;

	if (jint_req(j, "from", &from) != 0 || jint_req(j, "to", &to) != 0 ||
	    from < 1 || to < from ||
	    merkle_root(api.s->tree, (uint64_t)from, r1) != 0 ||
	    merkle_root(api.s->tree, (uint64_t)to, r2) != 0)
		abort();
	np = proof_of(json_object_get(j, "proof"), proof);
	if (merkle_verify_consistency((uint64_t)from, (uint64_t)to, r1, r2,
	    (const uint8_t (*)[32])proof, np) != 0)
		abort();
}

/* The value of query argument "after" as the hub read it (-1 when absent). */
static int64_t
query_after(const char *target)
{
	struct fake_conn c;
	char *copy = xstrdup(target), *q = strchr(copy, '?');
	const char *v;
	int64_t after = -1;

	memset(&c, 0, sizeof(c));
	if (q != NULL)
		parse_query(&c, q + 1);
	v = MHD_lookup_connection_value((struct MHD_Connection *)(void *)&c,
	    MHD_GET_ARGUMENT_KIND, "after");
	if (v != NULL)
		after = strtoll(v, NULL, 10);
	free(copy);
	return after;
}

static void
check_response(const char *path, const char *target, const uint8_t *device,
    const struct http_resp *resp)
{
	json_t *j;

	if (resp->status < 100 || resp->status > 599)
		abort();
	/* Long polling: only an empty 200 mail page of the signing device is
	 * ever parked (held until mail for that device, hub/mailwait.c). */
	if (resp->park_until != 0 && (resp->status != 200 ||
	    strcmp(path, "/v1/mail") != 0 || device == NULL ||
	    memcmp(resp->park_key, device, 32) != 0 ||
	    strstr((const char *)resp->body.p, "\"records\":[]") == NULL))
		abort();
	j = json_loadb((const char *)resp->body.p, resp->body.len,
	    JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL || !json_is_object(j))
		abort();	/* every answer is a JSON object */
	if (resp->status != 200) {
		if (!json_is_string(json_object_get(j, "error")))
			abort();
	} else if (strcmp(path, "/v1/public") == 0)
		check_listing(j, path, query_after(target), NULL);
	else if (strcmp(path, "/v1/record") == 0) {
		if (json_array_size(json_object_get(j, "records")) != 1)
			abort();
		check_listing(j, path, -1, NULL);
	} else if (strcmp(path, "/v1/proof/public") == 0)
		check_public_proof(j);
	else if (strcmp(path, "/v1/mail") == 0) {
		if (device == NULL)
			abort();	/* mail without a signature */
		check_listing(j, path, query_after(target), device);
	}
	else if (strcmp(path, "/v1/checks/report") == 0) {
		json_t *rep = json_object_get(j, "report");
		if (!json_is_integer(json_object_get(j, "size")) ||
		    !json_is_array(json_object_get(rep, "checks")) ||
		    !json_is_array(json_object_get(rep, "history")))
			abort();
	}
	else if (strcmp(path, "/v1/proof/inclusion") == 0)
		check_inclusion(j);
	else if (strcmp(path, "/v1/proof/consistency") == 0)
		check_consistency(j);
	json_decref(j);
}

/* ---- the hub ------------------------------------------------------------------- */

static void
seeded(struct keypair *k, int n, int box_n)
{
	uint8_t seed[32];

	memset(k, 0, sizeof(*k));
	memset(seed, n, sizeof(seed));
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
	if (box_n) {
		memset(seed, box_n, sizeof(seed));
		crypto_box_seed_keypair(k->box_pk, k->box_sk, seed);
		k->has_box = 1;
	}
}

static void
build(struct buf *out, json_t *hdr, const char *payload, const struct keypair *k)
{
	json_object_set_new(hdr, "state", json_string("XA"));
	json_object_set_new(hdr, "time", json_integer(T0));
	if (env_build(out, hdr, payload, strlen(payload), k->pk, k->sk) != 0)
		abort();
	json_decref(hdr);
}

static void
build_json(struct buf *out, json_t *hdr, json_t *payload, const struct keypair *k)
{
	char *t = jdump(payload);

	build(out, hdr, t, k);
	free(t);
	json_decref(payload);
}

static void
cert(struct buf *out, const struct keypair *d)
{
	struct buf m = {0};
	uint8_t pop[64];

	dir_pop_message(&m, "XA", d->pk, d->box_pk);
	crypto_sign_detached(pop, NULL, m.p, m.len, d->sk);
	buf_free(&m);
	build_json(out, json_pack("{s:s}", "kind", "cert"),
	    json_pack("{s:s,s:o,s:o,s:s,s:s,s:s,s:[s],s:I,s:o}", "state", "XA",
	    "device", jhex(d->pk, 32), "box_key", jhex(d->box_pk, 32), "role",
	    "technical", "name", "Fuzz", "email", "fuzz@example.org",
	    "languages", "en", "issued", (json_int_t)T0, "pop", jb64(pop, 64)),
	    &keys[K_ROOT]);
}

/* A message from device from to device to, seq and prev (NULL for seq 1). */
static void
msg(struct buf *out, int from, int to, int seq, const uint8_t *prev)
{
	json_t *h = json_pack("{s:s,s:i,s:[s],s:[o],s:s}", "kind", "msg", "seq",
	    seq, "to", "XA", "rcpt", jhex(keys[to].pk, 32), "urgency", "routine");

	if (prev != NULL)
		json_object_set_new(h, "prev", jhex(prev, 32));
	build(out, h, "RSP1 ciphertext stand-in", &keys[from]);
}

/* A cosignature of a checkpoint the operator op signed (of the empty log:
 * any the operator signed is a cosign's payload, lib/kinds.c). */
static void
cosign(struct buf *out, int from, int seq, const uint8_t *prev,
    const struct keypair *op)
{
	json_t *h = json_pack("{s:s,s:i}", "kind", "cosign", "seq", seq);
	struct checkpoint c;
	uint8_t empty[32];

	if (prev != NULL)
		json_object_set_new(h, "prev", jhex(prev, 32));
	merkle_empty_root(empty);
	checkpoint_make(&c, "fuzz", 0, empty, T0, 0, empty, op->sk);
	build_json(out, h, checkpoint_json(&c), &keys[from]);
	checkpoint_free(&c);
}

static void
cleanup(void)
{
	seq_stop(api.q);
	workpool_free(api.pool);
	store_close(api.s);
	nonce_cache_free(api.nonces);
	hub_unlock(lockfd);
	memset(&api, 0, sizeof(api));
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	return remove(path);
}

static void
remove_hub(void)
{
	cleanup();
	nftw(hubdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
fatal(const char *what)
{
	fprintf(stderr, "fuzz_hub_api: %s: %s\n", what, rs_err());
	abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *init[] = { "init", hubdir, "--name", "Fuzz hub", NULL };
	struct hub_config cfg;
	struct keypair *op;
	struct buf batch = {0}, e = {0};
	struct http_resp resp;
	char *path;

	jalloc_init();
	if (sodium_init() < 0 || mkdtemp(hubdir) == NULL)
		abort();
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	for (int i = 0; i < NKEYS; i++)
		seeded(&keys[i], key_seed[i], box_seed[i]);

	/* rosterd init */
	if (cmd_init(4, init) != 0)
		abort();
	/* rosterd serve */
	if (hub_config_read(hubdir, &cfg) != 0)
		fatal("hub.json");
	if (hub_lock(hubdir, &lockfd) != 0)
		fatal("lock");
	if ((api.s = store_open(hubdir, &cfg)) == NULL)
		fatal("store_open");
	if ((api.nonces = nonce_cache_new()) == NULL)
		fatal("nonce cache");
	if ((api.pool = workpool_new(2)) == NULL)
		fatal("work pool");
	if ((api.q = seq_start(api.s)) == NULL)
		fatal("sequencer");
	atexit(remove_hub);

	/* The log: admit XA (operator), cert A, B, C (root), revoke C (root),
	 * msg A -> B, cosign by B. */
	path = hub_path(hubdir, "operator.key");
	if ((op = keyfile_read(path, KEY_OPERATOR, NULL)) == NULL)
		fatal("operator key");
	free(path);
	build_json(&e, json_pack("{s:s}", "kind", "admit"), json_pack("{s:s,s:o,s:s}",
	    "state", "XA", "root_key", jhex(keys[K_ROOT].pk, 32), "name", "Xanadu"), op);
	buf_add(&batch, e.p, e.len);
	buf_free(&e);
	for (int i = K_A; i <= K_C; i++) {
		cert(&e, &keys[i]);
		buf_add(&batch, e.p, e.len);
		buf_free(&e);
	}
	build_json(&e, json_pack("{s:s}", "kind", "revoke"), json_pack("{s:o,s:s}",
	    "device", jhex(keys[K_C].pk, 32), "reason", "lost"), &keys[K_ROOT]);
	buf_add(&batch, e.p, e.len);
	buf_free(&e);
	msg(&e, K_A, K_B, 1, NULL);
	buf_add(&batch, e.p, e.len);
	buf_free(&e);
	cosign(&e, K_B, 1, NULL, op);
	buf_add(&batch, e.p, e.len);
	buf_free(&e);
	/* an operator's communication check to A and B (its deadline is
	 * a day after now: it must be after its log time) */
	char *text = checkrec_payload(NULL, NULL);
	json_t *h = json_pack("{s:s,s:[s],s:[o,o],s:I}", "kind", "check", "to", "XA",
	    "rcpt", jhex(keys[K_A].pk, 32), jhex(keys[K_B].pk, 32), "deadline",
	    (json_int_t)(now_ms() + 86400000));
	if (env_build(&e, h, text, strlen(text), op->pk, op->sk) != 0)
		fatal("the check");
	json_decref(h);
	free(text);
	buf_add(&batch, e.p, e.len);
	buf_free(&e);
	keypair_free(op);
	call(&resp, "POST", "/v1/envelopes", NULL, NULL, NULL, batch.p, batch.len);
	if (resp.status != 200 || strstr((char *)buf_cstr(&resp.body), "\"error\"") != NULL) {
		fprintf(stderr, "fuzz_hub_api: the initial log was refused: %s\n",
		    buf_cstr(&resp.body));
		abort();
	}
	buf_free(&resp.body);
	buf_free(&batch);
	if (store_committed(api.s) != 8)
		abort();
	return 0;
}

/* Next NUL-terminated piece of [*p, end), copied. */
static char *
piece(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *s = *p, *z = s;
	char *out;

	while (z < end && *z != 0)
		z++;
	out = xmalloc((size_t)(z - s) + 1);
	memcpy(out, s, (size_t)(z - s));
	out[z - s] = '\0';
	*p = z < end ? z + 1 : end;
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data + 1, *end = data + size;
	struct httpsig_headers hs;
	struct http_resp resp;
	char *method, *target, *dg, *in, *sg, *path, *q;
	int flags;

	if (size == 0 || size > FUZZ_MAX_INPUT)
		return 0;
	flags = data[0];
	method = piece(&p, end);
	target = piece(&p, end);
	dg = piece(&p, end);
	in = piece(&p, end);
	sg = piece(&p, end);
	path = xstrdup(target);
	if ((q = strchr(path, '?')) != NULL)
		*q = '\0';
	unescape(path, 0);
	if (flags & 1) {
		const struct keypair *k = &keys[signer[(flags >> 1) & 3]];
		httpsig_sign(&hs, method, target, p, (size_t)(end - p),
		    (int64_t)time(NULL), k->pk, k->sk);
		call(&resp, method, target, hs.digest, hs.input, hs.signature, p,
		    (size_t)(end - p));
		if (flags & 8) {
			struct http_resp again;
			call(&again, method, target, hs.digest, hs.input,
			    hs.signature, p, (size_t)(end - p));
			if (resp.status == 200 && strcmp(path, "/v1/mail") == 0 &&
			    again.status != 401)
				abort();	/* a replayed request was served */
			buf_free(&again.body);
		}
	} else
		call(&resp, method, target, dg, in, sg, p, (size_t)(end - p));

	if (verbose)
		fprintf(stderr, "%s %s -> %d %.*s\n", method, target, resp.status,
		    (int)(resp.body.len < 600 ? resp.body.len : 600),
		    (const char *)resp.body.p);
	check_response(path, target, (flags & 1) ?
	    keys[signer[(flags >> 1) & 3]].pk : NULL, &resp);
	free(path);
	buf_free(&resp.body);
	free(method);
	free(target);
	free(dg);
	free(in);
	free(sg);
	return 0;
}
