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
#include "blobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "jsonutil.h"
#include "log.h"
#include "mailwait.h"
#include "metrics.h"
#include "util.h"
#include "workpool.h"

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

int
api_query_int(const struct http_req *req, struct http_resp *resp, const char *name,
    int required, int64_t def, int64_t min, int64_t max, int64_t *out)
{
	return query_int(req, resp, name, required, def, min, max, out);
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
	json_object_set_new(j, "max_attachment",
	    json_integer((json_int_t)a->s->cfg.max_attachment));
	json_t *dl = json_object();
	for (int i = 0; i < URGENCY_LEVELS; i++)
		json_object_set_new(dl, urgency_names[i],
		    json_integer(a->s->cfg.deadline_ms[i]));
	json_object_set_new(j, "deadlines", dl);
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

json_t *
api_record(struct store *s, uint64_t size, uint64_t idx, int64_t time,
    int64_t pindex, const void *env, size_t len)
{
	uint8_t proof[MERKLE_MAX_PROOF][32];
	size_t np;
	json_t *o;

	if (merkle_inclusion_proof(s->tree, idx, size, proof, &np) != 0)
		return NULL;
	o = json_object();
	json_object_set_new(o, "index", json_integer((json_int_t)idx));
	json_object_set_new(o, "time", json_integer(time));
	json_object_set_new(o, "envelope", jb64(env, len));
	json_object_set_new(o, "proof", proof_json((const uint8_t (*)[32])proof, np));
	if (pindex >= 0)
		json_object_set_new(o, "pindex", json_integer(pindex));
	return o;
}

static int
add_record(void *arg, uint64_t idx, int64_t time, int64_t pindex,
    const void *env, size_t len)
{
	struct listing *l = arg;
	json_t *o = api_record(l->s, l->size, idx, time, pindex, env, len);

	if (o == NULL)
		return -1;
	json_array_append_new(l->records, o);
	return 0;
}

/* A listing page of the records with after < index, at most limit of them
 * and API_MAX_PAGE_BYTES of envelopes after the first.  The number of
 * records answered, or -1 after answering an error. */
static int
list_page(struct api *a, struct http_resp *resp, enum store_list which,
    const uint8_t *device, int64_t after, int64_t limit)
{
	struct listing l = { .s = a->s };
	json_t *cp, *j;
	int more, n;

	if ((cp = cp_current(a->s, &l.size)) == NULL) {
		internal_error(resp, "cannot make a checkpoint");
		return -1;
	}
	l.records = json_array();
	if (a->s->ops->list(a->s, which, device, after, l.size, (size_t)limit,
	    API_MAX_PAGE_BYTES, add_record, &l, &more) < 0) {
		json_decref(cp);
		json_decref(l.records);
		internal_error(resp, "cannot list the log");
		return -1;
	}
	n = (int)json_array_size(l.records);
	j = json_object();
	json_object_set_new(j, "checkpoint", cp);
	json_object_set_new(j, "records", l.records);
	json_object_set_new(j, "more", json_boolean(more));
	http_resp_json(resp, 200, j);
	return n;
}

/* ?after=I[&limit=L] */
static int
listing(struct api *a, const struct http_req *req, struct http_resp *resp,
    enum store_list which, const uint8_t *device)
{
	int64_t after, limit;

	if (query_int(req, resp, "after", 0, -1, -1, INT64_MAX, &after) != 0 ||
	    query_int(req, resp, "limit", 0, API_MAX_RECORDS, 1, API_MAX_RECORDS,
	    &limit) != 0)
		return -1;
	return list_page(a, resp, which, device, after, limit);
}

static void
get_public(struct api *a, const struct http_req *req, struct http_resp *resp)
{
	listing(a, req, resp, LIST_PUBLIC, NULL);
}

/* GET /v1/record?index=I: the public record at I as a one-record page. */
static void
get_record(struct api *a, const struct http_req *req, struct http_resp *resp)
{
	uint64_t committed = store_committed(a->s);
	int64_t index;

	if (committed == 0) {
		http_resp_error(resp, 404, "the log is empty");
		return;
	}
	if (query_int(req, resp, "index", 1, 0, 0, (int64_t)committed - 1,
	    &index) != 0)
		return;
	/* The page replaces nothing when it is empty: the 404 replaces it. */
	if (list_page(a, resp, LIST_RECORD, NULL, index - 1, 1) == 0)
		http_resp_error(resp, 404, "log index %lld holds no public record",
		    (long long)index);
}

/* GET /v1/proof/public?size=N&pindex=K: leaf K of the public tree that the
 * checkpoint of size N commits to, and its inclusion proof there. */
static void
get_proof_public(struct api *a, const struct http_req *req, struct http_resp *resp)
{
	uint64_t committed = store_committed(a->s), pub, idx = 0;
	uint8_t proof[MERKLE_MAX_PROOF][32];
	int64_t size, pindex, time = 0;
	uint8_t id[32];
	size_t np;
	json_t *j;
	int rc;

	if (committed == 0) {
		http_resp_error(resp, 400, "the log is empty: nothing to prove");
		return;
	}
	if (query_int(req, resp, "size", 1, 0, 1, (int64_t)committed, &size) != 0 ||
	    query_int(req, resp, "pindex", 1, 0, 0, INT64_MAX, &pindex) != 0)
		return;
	if (a->s->ops->pub_size_at(a->s, (uint64_t)size, &pub) != 0) {
		internal_error(resp, "cannot read the public records");
		return;
	}
	if ((uint64_t)pindex >= pub) {
		http_resp_error(resp, 400, "the checkpoint of size %lld counts %llu "
		    "public records: there is no public index %lld", (long long)size,
		    (unsigned long long)pub, (long long)pindex);
		return;
	}
	if ((rc = a->s->ops->pub_leaf(a->s, (uint64_t)pindex, &idx, id, &time)) > 0)
		rs_seterr("public record %lld is missing", (long long)pindex);
	if (rc != 0 || merkle_inclusion_proof(a->s->ptree, (uint64_t)pindex, pub,
	    proof, &np) != 0) {
		internal_error(resp, "cannot prove the public record");
		return;
	}
	j = json_object();
	json_object_set_new(j, "size", json_integer(size));
	json_object_set_new(j, "pub_size", json_integer((json_int_t)pub));
	json_object_set_new(j, "pindex", json_integer(pindex));
	json_object_set_new(j, "index", json_integer((json_int_t)idx));
	json_object_set_new(j, "id", jhex(id, 32));
	json_object_set_new(j, "time", json_integer(time));
	json_object_set_new(j, "proof", proof_json((const uint8_t (*)[32])proof, np));
	http_resp_json(resp, 200, j);
}

/* ---- authentication ------------------------------------------------------------ */

/* 0 with the signing device's key, or -1 after answering 401/403. */
int
api_authenticate(struct api *a, const struct http_req *req,
    struct http_resp *resp, uint8_t key[32])
{
	int64_t now = (int64_t)time(NULL);
	char nonce[33];

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
	return api_device_ok(a, key, resp);
}

/* 0 when key is a current device, or -1 after answering 403. */
int
api_device_ok(struct api *a, const uint8_t key[32], struct http_resp *resp)
{
	uint64_t committed = store_committed(a->s);
	struct dir_device *dev;
	char hex[17];
	int64_t revoked = -1;
	int known;

	pthread_rwlock_rdlock(&a->s->dirlock);
	dev = dir_device(a->s->dir, key);
	known = dev != NULL && dev->cert_index >= 0 &&
	    (uint64_t)dev->cert_index < committed;
	if (known && dev->revoked_index >= 0 &&
	    (uint64_t)dev->revoked_index < committed)
		revoked = dev->revoked_index;
	/* Its root key disowned by its State: as good as revoked. */
	if (known && revoked < 0 &&
	    !dir_device_current(a->s->dir, key, (int64_t)committed))
		revoked = dir_root_of(a->s->dir, dev->root)->decided_index;
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
	int64_t wait;

	if (query_int(req, resp, "wait", 0, 0, 0, MAILWAIT_MAX_S, &wait) != 0)
		return;
	if (req->woken)		/* parked earlier: its signature was checked */
		memcpy(key, req->park_key, 32);
	else if (api_authenticate(a, req, resp, key) != 0)
		return;
	if (listing(a, req, resp, LIST_MAIL, key) == 0)
		mailwait_park(req, resp, key, wait);
}

/* ---- POST /v1/envelopes ------------------------------------------------------------ */

struct batch {
	struct api *a;
	const uint8_t *body;
	size_t *off;		/* start of each envelope, plus the end */
	struct seq_item *items;
	struct receipt *receipts;
};

/* A slice of a batch, the unit of pipelining. */
struct part {
	struct batch *b;
	size_t base;
	struct seq_batch q;
	int queued;
};

/* Frames the envelopes of a batch into *offp; -1 after answering when the
 * framing is broken anywhere (nothing is then appended). */
static int64_t
frame_batch(const struct http_req *req, struct http_resp *resp, size_t **offp)
{
	size_t off = 0, cap = 64, *offs;
	int64_t n = 0, len;

	if (req->body_len == 0) {
		http_resp_error(resp, 400, "empty body: expected one or more "
		    "envelopes, concatenated");
		return -1;
	}
	offs = xcalloc(cap, sizeof(*offs));
	while (off < req->body_len) {
		len = env_frame_len(req->body + off, req->body_len - off);
		if (len < 0) {
			http_resp_error(resp, 400, "envelope %lld (at byte %zu): "
			    "truncated or not an envelope (bad magic or length); "
			    "nothing was appended", (long long)n + 1, off);
			free(offs);
			return -1;
		}
		if (n == API_MAX_BATCH) {
			http_resp_error(resp, 413, "more than %d envelopes in one "
			    "request; send them in several", API_MAX_BATCH);
			free(offs);
			return -1;
		}
		if ((size_t)n + 2 > cap) {
			cap *= 2;
			offs = xrealloc(offs, cap * sizeof(*offs));
		}
		offs[n++] = off;
		off += (size_t)len;
	}
	offs[n] = off;
	*offp = offs;
	return n;
}

/* workpool_for body: parses and verifies envelope i; on failure sets its
 * status and reason, which the answer prefixes with its position. */
static void
check_one(void *arg, size_t k)
{
	struct part *p = arg;
	struct batch *b = p->b;
	size_t i = p->base + k;
	struct seq_item *it = &b->items[i];
	enum kind_verdict v;
	int status = 400;

	if (env_parse(&it->e, b->body + b->off[i], b->off[i + 1] - b->off[i]) != 0)
		;
	else if (it->e.kind_id == KIND_UNKNOWN) {
		char kind[32];
		snprintf(kind, sizeof(kind), "%s", it->e.kind);
		rs_seterr("unknown envelope kind \"%s\"", kind);
	} else if ((v = kind_validate(&it->e, b->a->s->op->pk)) != KIND_VALID)
		status = v == KIND_TOO_LARGE ? 413 : 400;
	else if (env_verify(&it->e) != 0)
		status = 403;
	else if (blobs_check_msg(b->a, &it->e) != 0)
		status = 400;
	else
		return;
	it->status = status;
	snprintf(it->err, sizeof(it->err), "%.255s", rs_err());
}

/* workpool_for body: signs the receipt of item i. */
static void
sign_one(void *arg, size_t k)
{
	struct part *p = arg;
	struct batch *b = p->b;
	size_t i = p->base + k;

	if (b->items[i].has_receipt)
		seq_receipt(b->a->s, &b->items[i], &b->receipts[i]);
}

static void
add_hex(struct buf *out, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[128];

	for (size_t i = 0; i < n && i < sizeof(tmp) / 2; i++) {
		tmp[2 * i] = digits[p[i] >> 4];
		tmp[2 * i + 1] = digits[p[i] & 15];
	}
	buf_add(out, tmp, 2 * (n < sizeof(tmp) / 2 ? n : sizeof(tmp) / 2));
}

/* {"id":hex,"index":n,"time":t,"sig":b64}, as receipt_json writes it, but
 * straight into the answer: a batch of 10,000 receipts is cheap to send. */
static void
add_receipt(struct buf *out, const struct receipt *r)
{
	char sig[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];

	sodium_bin2base64(sig, sizeof(sig), r->sig, 64, sodium_base64_VARIANT_ORIGINAL);
	buf_addstr(out, "{\"id\":\"");
	add_hex(out, r->id, 32);
	buf_printf(out, "\",\"index\":%llu,\"time\":%lld,\"sig\":\"%s\"}",
	    (unsigned long long)r->index, (long long)r->time, sig);
}

static void
add_error(struct buf *out, size_t i, size_t n, const struct seq_item *it)
{
	char msg[sizeof(it->err) + 64], *text;
	json_t *j;

	snprintf(msg, sizeof(msg), "envelope %zu of %zu: %s", i + 1, n, it->err);
	j = json_text(msg);
	text = json_dumps(j, JSON_ENCODE_ANY);
	json_decref(j);
	buf_addstr(out, "\"error\":");
	buf_addstr(out, text != NULL ? text : "\"(unprintable)\"");
	buf_printf(out, ",\"status\":%d", it->status);
	if (it->status == 429)
		buf_printf(out, ",\"retry_after\":%lld", (long long)it->retry_after);
	free(text);
}

/* The fields of item i's result, without braces. */
static void
add_fields(struct buf *out, const struct batch *b, size_t i, size_t n)
{
	const struct seq_item *it = &b->items[i];

	if (it->status != 0)
		add_error(out, i, n, it);
	if (it->has_receipt) {
		buf_addstr(out, it->status != 0 ? ",\"receipt\":" : "\"receipt\":");
		add_receipt(out, &b->receipts[i]);
	}
}

/* The answer: 200 when any envelope was appended, else the first failure's
 * status with its error (and receipt) at the top level too. */
static void
answer_batch(struct http_resp *resp, const struct batch *b, size_t n)
{
	struct buf *out = &resp->body;
	size_t first = n;
	int accepted = 0;

	for (size_t i = 0; i < n; i++) {
		metrics_envelope(b->items[i].status);
		if (b->items[i].status == 0)
			accepted = 1;
		else if (first == n)
			first = i;
	}
	buf_free(out);
	resp->status = accepted ? 200 : b->items[first].status;
	if (resp->status == 429)
		snprintf(resp->extra_headers, sizeof(resp->extra_headers),
		    "Retry-After: %lld\r\n", (long long)b->items[first].retry_after);
	buf_addstr(out, "{");
	if (!accepted) {
		add_fields(out, b, first, n);
		buf_addstr(out, ",");
	}
	buf_addstr(out, "\"results\":[");
	for (size_t i = 0; i < n; i++) {
		buf_addstr(out, i > 0 ? ",{" : "{");
		add_fields(out, b, i, n);
		buf_addstr(out, "}");
	}
	buf_addstr(out, "]}");
}

/*
 * Pipelined: the batch is cut into parts; each part is verified (on every
 * core, through the work pool) and queued for the sequencer without waiting,
 * so the next part is verified while the sequencer appends this one.  Then
 * the parts are awaited in order and their receipts signed.
 */
static void
post_envelopes(struct api *a, const struct http_req *req, struct http_resp *resp)
{
	struct batch b = { .a = a, .body = req->body };
	int64_t n = frame_batch(req, resp, &b.off);
	struct part *parts;
	size_t nparts;

	if (n < 0)
		return;
	b.items = xcalloc((size_t)n, sizeof(*b.items));
	b.receipts = xcalloc((size_t)n, sizeof(*b.receipts));
	nparts = ((size_t)n + API_PART - 1) / API_PART;
	parts = xcalloc(nparts, sizeof(*parts));
	for (size_t k = 0; k < nparts; k++) {
		struct part *p = &parts[k];
		p->b = &b;
		p->base = k * API_PART;
		p->q.items = b.items + p->base;
		p->q.n = (size_t)n - p->base < API_PART ? (size_t)n - p->base : API_PART;
		workpool_for(a->pool, p->q.n, API_CHUNK, check_one, p);
		for (size_t i = 0; i < p->q.n && !p->queued; i++)
			p->queued = p->q.items[i].status == 0;
		if (p->queued)
			seq_enqueue(a->q, &p->q);
	}
	for (size_t k = 0; k < nparts; k++) {
		if (parts[k].queued)
			seq_wait(a->q, &parts[k].q);
		workpool_for(a->pool, parts[k].q.n, API_CHUNK, sign_one, &parts[k]);
	}
	answer_batch(resp, &b, (size_t)n);
	for (size_t i = 0; i < (size_t)n; i++)
		env_free(&b.items[i].e);
	free(parts);
	free(b.items);
	free(b.receipts);
	free(b.off);
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
	{ "/v1/proof/public", "GET", get_proof_public },
	{ "/v1/public", "GET", get_public },
	{ "/v1/record", "GET", get_record },
	{ "/v1/mail", "GET", get_mail },
	{ "/v1/checks/report", "GET", checks_get_report },
	{ "/v1/catalogue", "GET", api_get_catalogue },
};

/* Runs the route of req; returns its name (for the metrics and the log). */
static const char *
dispatch(struct api *a, const struct http_req *req, struct http_resp *resp)
{
	if (strncmp(req->path, BLOBS_PREFIX, strlen(BLOBS_PREFIX)) == 0) {
		blobs_get(a, req, resp);
		return BLOBS_PREFIX;
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(req->path, routes[i].path) != 0)
			continue;
		if (strcmp(req->method, routes[i].method) != 0) {
			http_resp_error(resp, 405, "%s takes %s, not %.16s",
			    routes[i].path, routes[i].method, req->method);
			snprintf(resp->extra_headers, sizeof(resp->extra_headers),
			    "Allow: %s\r\n", routes[i].method);
			return routes[i].path;
		}
		routes[i].fn(a, req, resp);
		return routes[i].path;
	}
	http_resp_error(resp, 404, "no such endpoint: %.200s", req->path);
	return "other";
}

void
api_handle(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	int64_t t0 = metrics_clock_us(), us;
	const char *route = dispatch(ctx, req, resp);

	us = metrics_clock_us() - t0;
	metrics_request(route, resp->status, us);
	if (log_format() == LOG_JSON) {
		json_t *f = json_object();
		json_object_set_new(f, "method", json_string(req->method));
		json_object_set_new(f, "route", json_string(route));
		json_object_set_new(f, "status", json_integer(resp->status));
		json_object_set_new(f, "duration_ms", json_real((double)us / 1000.0));
		if (resp->park_until > 0)
			json_object_set_new(f, "parked", json_true());
		log_fields(LOG_INFO, "request", f, 1, "%s %s %d", req->method,
		    route, resp->status);
	}
}
