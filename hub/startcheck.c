/*
 * startcheck.c - the hub checks what it stores before it serves it.
 *
 * A byte changed in a stored envelope, a kind column edited, a public
 * record taken out of the pub table: each would be served (or not served)
 * to nodes that then refuse a record, or never see one, while the hub goes
 * on as if nothing happened.  So at every start, before the first request,
 * the hub walks the whole log in index order and refuses to start, naming
 * the first index that is wrong, unless for every row:
 *
 *   - the indexes run 0, 1, 2, ... and log times never go back;
 *   - SHA-256 of the stored envelope is its id (the envelope is intact);
 *   - the main tree's leaf at its index is H(0x00 || id || time);
 *   - it parses, and the kind column is its header's kind;
 *   - it is in pub exactly when its header makes it public (lib/kinds.c),
 *     with the next public index, and the public tree's leaf there is
 *     H(0x00 || index || id || time).
 *
 * "rosterd check" does all that and more (signatures, directory rules, chain
 * heads, receipts); this is the part cheap enough for every start: one
 * SHA-256 pass over the stored bytes and a header parse per row, spread over
 * every core by the work pool, and one sequential read of each tree's leaf
 * level.  bench/bench_startcheck.c measures it against SHA-256 alone.
 *
 * The rows come through the store's interface (scan), so the same check
 * runs on both backends; on PostgreSQL it reads the rows committed when
 * the hub opened, however many other processes append meanwhile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "log.h"
#include "store.h"
#include "util.h"
#include "workpool.h"

#define CHUNK_ROWS	4096
#define CHUNK_BYTES	((size_t)64 << 20)

struct crow {
	int64_t idx, time, pindex;	/* pindex -1: not in pub */
	uint8_t id[32];
	int id_ok;
	char kind[32];			/* the kind column, cut */
	uint8_t *raw;
	size_t len;
	/* filled by the pool */
	uint8_t hash[32];
	int parsed, is_public;
	char hkind[32];			/* the header's kind */
	char err[160];
};

struct walk {
	struct store *s;
	uint64_t n;			/* next index expected */
	uint64_t p;			/* next public index expected */
	int64_t last_time;
	uint8_t (*leaves)[32];		/* a chunk of either tree's leaves */
};

/* work_fn: hash and classify one row. */
static void
hash_row(void *arg, size_t i)
{
	struct crow *r = &((struct crow *)arg)[i];
	struct envelope e;

	if (env_parse(&e, r->raw, r->len) != 0) {
		snprintf(r->err, sizeof(r->err), "%s", rs_err());
		sha256(r->hash, r->raw, r->len);
		return;
	}
	memcpy(r->hash, e.id, 32);	/* env_parse hashed the whole envelope */
	r->parsed = 1;
	r->is_public = record_is_public(&e);
	snprintf(r->hkind, sizeof(r->hkind), "%s", e.kind);
	env_free(&e);
}

static int
bad(const struct walk *w, const struct crow *r, const char *what)
{
	rs_seterr("stored envelope %lld %s; the store was edited or damaged: run "
	    "\"rosterd check\", and restore %s from a backup", (long long)r->idx,
	    what, w->s->pg != NULL ? "the database" : "hub.db");
	return -1;
}

/* The rows of one chunk, in order, against the trees. */
static int
check_chunk(struct walk *w, struct crow *rows, size_t n, struct workpool *pool)
{
	uint8_t leaf[32];
	size_t i;

	workpool_for(pool, n, 64, hash_row, rows);
	if (n > 0 && merkle_leaves(w->s->tree, w->n, n, w->leaves) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct crow *r = &rows[i];
		char why[200];
		if ((uint64_t)r->idx != w->n + i)
			return bad(w, r, "is not where the log's numbering puts it");
		if (r->time < w->last_time)
			return bad(w, r, "has a log time before its predecessor's");
		w->last_time = r->time;
		if (!r->id_ok || memcmp(r->hash, r->id, 32) != 0)
			return bad(w, r, "does not hash to its id");
		env_leaf_hash(leaf, r->id, r->time);
		if (memcmp(leaf, w->leaves[i], 32) != 0)
			return bad(w, r, "is not the Merkle tree's leaf at its index");
		if (!r->parsed) {
			snprintf(why, sizeof(why), "does not parse (%s)", r->err);
			return bad(w, r, why);
		}
		if (strcmp(r->kind, r->hkind) != 0)
			return bad(w, r, "has a kind column that is not its header's kind");
		if (r->is_public != (r->pindex >= 0))
			return bad(w, r, r->is_public ? "is a public record missing from "
			    "the public records" : "is listed among the public "
			    "records but is not one");
	}
	/* The public rows of the chunk against the public tree. */
	for (i = 0; i < n; i++) {
		struct crow *r = &rows[i];
		if (r->pindex < 0)
			continue;
		if ((uint64_t)r->pindex != w->p)
			return bad(w, r, "has not the next public index");
		if (merkle_leaves(w->s->ptree, w->p, 1, w->leaves) != 0)
			return -1;
		merkle_public_leaf(leaf, (uint64_t)r->idx, r->id, r->time);
		if (memcmp(leaf, w->leaves[0], 32) != 0)
			return bad(w, r, "is not the public tree's leaf at its public index");
		w->p++;
	}
	return 0;
}

static size_t
read_row(const struct store_row *sr, struct crow *r)
{
	memset(r, 0, sizeof(*r));
	r->idx = (int64_t)sr->idx;
	if ((r->id_ok = sr->id_len == 32))
		memcpy(r->id, sr->id, 32);
	r->time = sr->time;
	snprintf(r->kind, sizeof(r->kind), "%s", sr->kind);
	r->len = sr->env != NULL ? sr->env_len : 0;
	r->raw = xmalloc(r->len + 1);
	if (r->len > 0)
		memcpy(r->raw, sr->env, r->len);
	r->pindex = sr->pindex;
	return r->len;
}

static void
free_rows(struct crow *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].raw);
}

struct checking {
	struct walk w;
	struct crow *rows;
	struct workpool *pool;
	size_t n, bytes, total;
};

/* store_scan_cb: rows gathered into chunks, each checked when full. */
static int
check_row(void *arg, const struct store_row *sr)
{
	struct checking *k = arg;
	int rc;

	k->bytes += read_row(sr, &k->rows[k->n++]);
	if (k->n < CHUNK_ROWS && k->bytes < CHUNK_BYTES)
		return 0;
	rc = check_chunk(&k->w, k->rows, k->n, k->pool);
	free_rows(k->rows, k->n);
	k->w.n += k->n;
	k->total += k->bytes;
	k->n = k->bytes = 0;
	return rc;
}

int
store_check(struct store *s)
{
	struct checking k = { .w = { .s = s } };
	uint64_t committed = store_committed(s);
	int64_t t0 = now_ms();
	int rc = -1;

	k.rows = xcalloc(CHUNK_ROWS, sizeof(*k.rows));
	k.pool = workpool_new(0);
	k.w.leaves = xcalloc(CHUNK_ROWS, 32);
	/* The committed rows: on a shared database others may be appending. */
	if (s->ops->scan(s, committed, check_row, &k) != 0)
		goto out;
	rc = check_chunk(&k.w, k.rows, k.n, k.pool);
	free_rows(k.rows, k.n);
	k.w.n += k.n;
	k.total += k.bytes;
	k.n = 0;
	if (rc != 0)
		goto out;
	rc = -1;
	if (k.w.n != committed || k.w.p != s->pub_size) {
		rs_seterr("the log holds %llu envelopes (%llu public) where %llu "
		    "(%llu) were committed; run \"rosterd check\"",
		    (unsigned long long)k.w.n, (unsigned long long)k.w.p,
		    (unsigned long long)committed, (unsigned long long)s->pub_size);
		goto out;
	}
	log_event(LOG_INFO, "start-check", "checked %llu stored envelopes (%.1f MB, "
	    "%llu public) against both trees in %.2f s", (unsigned long long)k.w.n,
	    (double)k.total / 1e6, (unsigned long long)k.w.p,
	    (double)(now_ms() - t0) / 1000.0);
	rc = 0;
out:
	free_rows(k.rows, k.n);
	free(k.rows);
	free(k.w.leaves);
	workpool_free(k.pool);
	return rc;
}
