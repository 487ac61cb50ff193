/*
 * api.c - the routes of docs/protocol.md section 5.
 *
 * Every handler runs on an HTTP worker thread.  Reads go to the store's
 * reader connections and the Merkle tree (both safe alongside the writer);
 * appends go through the sequencer, after the expensive part (parsing and
 * Ed25519 verification) has been done here, in parallel with other
 * requests, and the receipts are signed here too once the sequencer says
 * the batch is durable.
 *
 * Everything served is taken at one committed size: a listing first takes
 * the checkpoint (which fixes the size), then reads only rows below it and
 * proves each against that checkpoint, so an answer never mixes two states
 * of the log and never shows what is not yet durable.
 *
 * Every refusal is a JSON {"error": sentence} naming what was wrong: 404 for
 * an unknown path, 405 for a wrong method, 400 for malformed input or
 * numbers out of range, 401 for a missing or bad request signature, 403 for
 * what the directory rules forbid, 409 for replays and chain breaks, 413 for
 * too much at once.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonutil.h"
#include "util.h"

typedef void (*route_fn)(struct api *, const struct http_req *, struct http_resp *);

/* ---- query parameters ------------------------------------------------------ */

/* Strict decimal: optional '-', 1..18 digits, nothing else. */
static int
parse_int(const char *s, int64_t *out)
{
	int64_t v = 0;
	int neg = 0;
	size_t i = 0, nd = 0;

	if (s[0] == '-') {
		neg = 1;
		i = 1;
	}
	for (; s[i] >= '0' && s[i] <= '9'; i++, nd++) {
		if (nd >= 18)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (nd == 0 || s[i] != '\0')
		return -1;
	*out = neg ? -v : v;
	return 0;
}

/* 0 and *out (def when absent and not required), -1 after answering 400. */
static int
query_int(const struct http_req *req, struct http_resp *resp, const char *name,
    int required, int64_t def, int64_t min, int64_t max, int64_t *out)
{
	const char *v = http_req_query(req, name);

	if (v == NULL) {
		if (required) {
			http_resp_error(resp, 400, "missing query parameter \"%s\"", name);
			return -1;
		}
		*out = def;
		return 0;
	}
	if (parse_int(v, out) != 0) {
		http_resp_error(resp, 400, "query parameter \"%s\" must be a "
		    "decimal integer, not \"%.40s\"", name, v);
		return -1;
	}
	if (*out < min || *out > max) {
		http_resp_error(resp, 400, "query parameter \"%s\" = %lld is out "
		    "of range (%lld to %lld)", name, (long long)*out,
		    (long long)min, (long long)max);
		return -1;
	}
	return 0;
}

/* ---- small JSON pieces ------------------------------------------------------- */

static json_t *
proof_json(const uint8_t (*proof)[32], size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, jb64(proof[i], 32));
	return a;
}

/* A JSON string of text that may hold invalid UTF-8 (a reason cut short in
 * a multi-byte character, a name from the network): bad bytes become '?'. */
static json_t *
json_text(const char *text)
{
	json_t *j = json_string(text);
	char *copy;

	if (j != NULL)
		return j;
	copy = xstrdup(text);
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static void
internal_error(struct http_resp *resp, const char *what)
{
	http_resp_error(resp, 500, "internal error: %s: %s", what, rs_err());
}

/* ---- GET /v1/info ------------------------------------------------------------ */

static void
get_info(struct api *a, const struct http_req *req, struct http_resp *resp)
{
	char fpr[RS_FPR_LEN];
	json_t *j = json_object();

	fingerprint(fpr, a->s->op->pk);
	json_object_set_new(j, "name", json_string(a->s->cfg.name));
	json_object_set_new(j, "operator_key", jhex(a->s->op->pk, 32));
	json_object_set_new(j, "fingerprint", json_string(fpr));
	json_object_set_new(j, "size", json_integer((json_int_t)store_committed(a->s)));
	http_resp_json(resp, 200, j);
}

/* ---- GET /v1/checkpoint ------------------------------------------------------ */

static void
get_checkpoint(struct api *a, const struct http_req *req, struct http_resp *resp)
{
	uint64_t size;
	json_t *cp = cp_current(a->s, &size);

	if (cp == NULL) {
		internal_error(resp, "cannot make a checkpoint");
		return;
	}
	http_resp_json(resp, 200, cp);
}

/* ---- proofs --------------------------------------------------------------------- */

/* Parses "I[,I...]" into at most API_MAX_PROOFS indexes below size. */
static int
parse_indexes(const char *list, uint64_t size, uint64_t *out, size_t *n,
    struct http_resp *resp)
{
	char item[24];
	const char *p = list;
	int64_t v;

	*n = 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		if (*n == API_MAX_PROOFS) {
			http_resp_error(resp, 400, "at most %d indexes per request",
			    API_MAX_PROOFS);
			return -1;
		}
		if (len == 0 || len >= sizeof(item)) {
			http_resp_error(resp, 400, "query parameter \"index\" must "
			    "be decimal indexes separated by commas");
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (parse_int(item, &v) != 0 || v < 0) {
			http_resp_error(resp, 400, "index \"%s\" is not a "
			    "non-negative decimal integer", item);
			return -1;
		}
		if ((uint64_t)v >= size) {
			http_resp_error(resp, 400, "index %lld is not below the "
			    "tree size %llu", (long long)v, (unsigned long long)size);
			return -1;
		}
		out[(*n)++] = (uint64_t)v;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

static void
get_inclusion(struct api *a, const struct http_req *req, struct http_resp *resp)
{
	uint64_t committed = store_committed(a->s), *idx;
	uint8_t proof[MERKLE_MAX_PROOF][32];
	const char *list = http_req_query(req, "index");
	json_t *j, *arr;
	int64_t size;
	size_t n, np;

	if (committed == 0) {
		http_resp_error(resp, 400, "the log is empty: nothing to prove");
		return;
	}
	if (query_int(req, resp, "size", 1, 0, 1, (int64_t)committed, &size) != 0)
		return;
	if (list == NULL) {
		http_resp_error(resp, 400, "missing query parameter \"index\"");
		return;
	}
	idx = xcalloc(API_MAX_PROOFS, sizeof(*idx));
	if (parse_indexes(list, (uint64_t)size, idx, &n, resp) != 0) {
		free(idx);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		if (merkle_inclusion_proof(a->s->tree, idx[i], (uint64_t)size,
		    proof, &np) != 0) {
			json_decref(arr);
			free(idx);
			internal_error(resp, "cannot make an inclusion proof");
			return;
		}
		json_t *o = json_object();
		json_object_set_new(o, "index", json_integer((json_int_t)idx[i]));
		json_object_set_new(o, "proof", proof_json((const uint8_t (*)[32])proof, np));
		json_array_append_new(arr, o);
	}
	free(idx);
	j = json_object();
	json_object_set_new(j, "size", json_integer(size));
	json_object_set_new(j, "proofs", arr);
	http_resp_json(resp, 200, j);
}

static void
get_consistency(struct api *a, const struct http_req *req, struct http_resp *resp)
{
	uint64_t committed = store_committed(a->s);
	uint8_t proof[MERKLE_MAX_PROOF][32];
	int64_t from, to;
	size_t np;
	json_t *j;

	if (committed == 0) {
		http_resp_error(resp, 400, "the log is empty: nothing to prove");
		return;
	}
	if (query_int(req, resp, "to", 1, 0, 1, (int64_t)committed, &to) != 0 ||
	    query_int(req, resp, "from", 1, 0, 1, to, &from) != 0)
		return;
	if (merkle_consistency_proof(a->s->tree, (uint64_t)from, (uint64_t)to,
	    proof, &np) != 0) {
		internal_error(resp, "cannot make a consistency proof");
		return;
	}
	j = json_object();
	json_object_set_new(j, "from", json_integer(from));
	json_object_set_new(j, "to", json_integer(to));
	json_object_set_new(j, "proof", proof_json((const uint8_t (*)[32])proof, np));
	http_resp_json(resp, 200, j);
}

/* ---- listings --------------------------------------------------------------------- */

struct listing {
	struct store *s;
	uint64_t size;
	json_t *records;
};

static int
add_record(void *arg, uint64_t idx, int64_t time, const void *env, size_t len)
{
	struct listing *l = arg;
	uint8_t proof[MERKLE_MAX_PROOF][32];
	size_t np;
	json_t *o;

	if (merkle_inclusion_proof(l->s->tree, idx, l->size, proof, &np) != 0)
		return -1;
	o = json_object();
	json_object_set_new(o, "index", json_integer((json_int_t)idx));
	json_object_set_new(o, "time", json_integer(time));
	json_object_set_new(o, "envelope", jb64(env, len));
	json_object_set_new(o, "proof", proof_json((const uint8_t (*)[32])proof, np));
	json_array_append_new(l->records, o);
	return 0;
}

static void
listing(struct api *a, const struct http_req *req, struct http_resp *resp,
    enum store_list which, const uint8_t *device)
{
	struct listing l = { .s = a->s };
	int64_t after;
	json_t *cp, *j;
	int more;

	if (query_int(req, resp, "after", 0, -1, -1, INT64_MAX, &after) != 0)
		return;
	if ((cp = cp_current(a->s, &l.size)) == NULL) {
		internal_error(resp, "cannot make a checkpoint");
		return;
	}
	l.records = json_array();
	if (store_list(a->s, which, device, after, l.size, API_MAX_RECORDS,
	    add_record, &l, &more) < 0) {
		json_decref(cp);
		json_decref(l.records);
		internal_error(resp, "cannot list the log");
		return;
	}
	j = json_object();
	json_object_set_new(j, "checkpoint", cp);
	json_object_set_new(j, "records", l.records);
	json_object_set_new(j, "more", json_boolean(more));
	http_resp_json(resp, 200, j);
}

static void
get_directory(struct api *a, const struct http_req *req, struct http_resp *resp)
{
	listing(a, req, resp, LIST_DIRECTORY, NULL);
}

static void
get_cosignatures(struct api *a, const struct http_req *req, struct http_resp *resp)
{
	listing(a, req, resp, LIST_COSIGN, NULL);
}

/* ---- authentication ------------------------------------------------------------ */

/* 0 with the signing device's key, or -1 after answering 401/403. */
static int
authenticate(struct api *a, const struct http_req *req, struct http_resp *resp,
    uint8_t key[32])
{
	int64_t now = (int64_t)time(NULL);
	uint64_t committed = store_committed(a->s);
	struct dir_device *dev;
	char nonce[33], hex[17];
	int64_t revoked = -1;
	int known;

	if (httpsig_verify(req->method, req->target, req->body, req->body_len,
	    http_req_header(req, "Content-Digest"),
	    http_req_header(req, "Signature-Input"),
	    http_req_header(req, "Signature"), now, key, nonce) != 0) {
		http_resp_error(resp, 401, "request signature refused: %s", rs_err());
		return -1;
	}
	if (nonce_seen(a->nonces, nonce, now)) {
		http_resp_error(resp, 401, "request signature refused: this nonce "
		    "was already used (a replayed request)");
		return -1;
	}
	pthread_rwlock_rdlock(&a->s->dirlock);
	dev = dir_device(a->s->dir, key);
	known = dev != NULL && dev->cert_index >= 0 &&
	    (uint64_t)dev->cert_index < committed;
	if (known && dev->revoked_index >= 0 &&
	    (uint64_t)dev->revoked_index < committed)
		revoked = dev->revoked_index;
	pthread_rwlock_unlock(&a->s->dirlock);
	for (int i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	if (!known) {
		http_resp_error(resp, 403, "key %s... is not a device in the "
		    "directory", hex);
		return -1;
	}
	if (revoked >= 0) {
		http_resp_error(resp, 403, "device %s... was revoked at log index "
		    "%lld", hex, (long long)revoked);
		return -1;
	}
	return 0;
}

static void
get_mail(struct api *a, const struct http_req *req, struct http_resp *resp)
{
	uint8_t key[32];

	if (authenticate(a, req, resp, key) != 0)
		return;
	listing(a, req, resp, LIST_MAIL, key);
}

/* ---- POST /v1/envelopes ------------------------------------------------------------ */

/* Counts the envelopes of a batch; -1 after answering when the framing is
 * broken anywhere (nothing is then appended). */
static int64_t
count_envelopes(const struct http_req *req, struct http_resp *resp)
{
	size_t off = 0;
	int64_t n = 0, len;

	if (req->body_len == 0) {
		http_resp_error(resp, 400, "empty body: expected one or more "
		    "envelopes, concatenated");
		return -1;
	}
	while (off < req->body_len) {
		len = env_frame_len(req->body + off, req->body_len - off);
		if (len < 0) {
			http_resp_error(resp, 400, "envelope %lld (at byte %zu): "
			    "truncated or not an envelope (bad magic or length); "
			    "nothing was appended", (long long)n + 1, off);
			return -1;
		}
		off += (size_t)len;
		if (++n > API_MAX_BATCH) {
			http_resp_error(resp, 413, "more than %d envelopes in one "
			    "request; send them in several", API_MAX_BATCH);
			return -1;
		}
	}
	return n;
}

/* Parses and verifies one envelope; on failure sets its status and
 * reason, which results_json prefixes with its position. */
static void
check_one(struct seq_item *it, const uint8_t *raw, size_t len)
{
	const char *why = NULL;
	int status = 400;
	char kind[32];

	if (env_parse(&it->e, raw, len) != 0)
		why = rs_err();
	else if (strcmp(it->e.kind, "admit") != 0 && strcmp(it->e.kind, "cert") != 0 &&
	    strcmp(it->e.kind, "revoke") != 0 && strcmp(it->e.kind, "msg") != 0 &&
	    strcmp(it->e.kind, "ack") != 0 && strcmp(it->e.kind, "cosign") != 0) {
		snprintf(kind, sizeof(kind), "%s", it->e.kind);
		rs_seterr("unknown envelope kind \"%s\"", kind);
		why = rs_err();
	} else if (env_verify(&it->e) != 0) {
		why = rs_err();
		status = 403;
	}
	if (why == NULL)
		return;
	it->status = status;
	snprintf(it->err, sizeof(it->err), "%.255s", why);
}

static json_t *
results_json(struct api *a, struct seq_item *items, size_t n, int *status,
    json_t **first)
{
	json_t *arr = json_array(), *o;
	struct receipt r;
	int accepted = 0;

	*first = NULL;
	*status = 0;
	for (size_t i = 0; i < n; i++) {
		struct seq_item *it = &items[i];
		o = json_object();
		if (it->status != 0) {
			char msg[sizeof(it->err) + 64];
			snprintf(msg, sizeof(msg), "envelope %zu of %zu: %s",
			    i + 1, n, it->err);
			json_object_set_new(o, "error", json_text(msg));
			json_object_set_new(o, "status", json_integer(it->status));
		}
		if (it->has_receipt) {
			seq_receipt(a->s, it, &r);
			json_object_set_new(o, "receipt", receipt_json(&r));
		}
		if (it->status == 0)
			accepted++;
		else if (*first == NULL) {
			*first = o;
			*status = it->status;
		}
		json_array_append_new(arr, o);
	}
	if (accepted > 0)
		*status = 200;
	return arr;
}

static void
post_envelopes(struct api *a, const struct http_req *req, struct http_resp *resp)
{
	struct seq_item *items;
	int64_t n = count_envelopes(req, resp);
	size_t off = 0, todo = 0;
	json_t *results, *first, *j;
	int status;

	if (n < 0)
		return;
	items = xcalloc((size_t)n, sizeof(*items));
	for (size_t i = 0; i < (size_t)n; i++) {
		size_t len = (size_t)env_frame_len(req->body + off, req->body_len - off);
		check_one(&items[i], req->body + off, len);
		off += len;
		todo += items[i].status == 0;
	}
	if (todo > 0)
		seq_submit(a->q, items, (size_t)n);
	results = results_json(a, items, (size_t)n, &status, &first);
	j = json_object();
	if (status != 200 && first != NULL) {
		json_object_set(j, "error", json_object_get(first, "error"));
		if (json_object_get(first, "receipt") != NULL)
			json_object_set(j, "receipt", json_object_get(first, "receipt"));
	}
	json_object_set_new(j, "results", results);
	for (size_t i = 0; i < (size_t)n; i++)
		env_free(&items[i].e);
	free(items);
	http_resp_json(resp, status, j);
}

/* ---- dispatch ------------------------------------------------------------------------ */

static const struct route {
	const char *path;
	const char *method;
	route_fn fn;
} routes[] = {
	{ "/v1/info", "GET", get_info },
	{ "/v1/envelopes", "POST", post_envelopes },
	{ "/v1/checkpoint", "GET", get_checkpoint },
	{ "/v1/proof/inclusion", "GET", get_inclusion },
	{ "/v1/proof/consistency", "GET", get_consistency },
	{ "/v1/directory", "GET", get_directory },
	{ "/v1/cosignatures", "GET", get_cosignatures },
	{ "/v1/mail", "GET", get_mail },
};

void
api_handle(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	struct api *a = ctx;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(req->path, routes[i].path) != 0)
			continue;
		if (strcmp(req->method, routes[i].method) != 0) {
			http_resp_error(resp, 405, "%s takes %s, not %.16s",
			    routes[i].path, routes[i].method, req->method);
			snprintf(resp->extra_headers, sizeof(resp->extra_headers),
			    "Allow: %s\r\n", routes[i].method);
			return;
		}
		routes[i].fn(a, req, resp);
		return;
	}
	http_resp_error(resp, 404, "no such endpoint: %.200s", req->path);
}
