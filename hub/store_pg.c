/*
 * store_pg.c - the hub's store in PostgreSQL: create, open, close, the
 * reader connections and every read of struct store_ops, and the two
 * Merkle trees as merkle sources over the tree and ptree tables.
 *
 * Same state, same checks as the SQLite store (store.c), so that a hub
 * behaves alike on both: at open the committed size is the coordination
 * row's, and the log must be dense up to it; the public records must be
 * numbered 0, 1, 2, ... below it; each tree must hold the entries of its
 * size, its right edge must hash from the level below, and its last leaf
 * must be the leaf of the last row, else it is rebuilt from the rows (said
 * on stderr), under the coordination row so no other process appends
 * meanwhile; then the directory is replayed from the public records
 * (classified by their headers, never by the kind column) and the chain
 * heads, every stored envelope is checked against its id, both trees and
 * its header (startcheck.c, unless startup_check is off), and the stored
 * checkpoint is checked against the trees (checkpoint.c): a database whose
 * tree does not produce the root the operator signed refuses to serve.  All of it is read in one repeatable-
 * read snapshot, so it is one state of the log even while other processes
 * append; the follower then catches up from there (store_pg_follow.c).
 *
 * Reads.  A request thread takes a reader connection from the pool, runs
 * one query, reads the whole result and gives the connection back before
 * any callback runs (a callback may read a tree, which takes a connection
 * again).  A query that finds its connection broken (the server restarted)
 * reconnects and runs once more.  Listing pages are bounded in bytes by
 * the query itself: a window sum of octet_length over at most limit + 1
 * rows, and the envelope is sent only for the rows within the bound, so a
 * page never carries more than one envelope past max_bytes.
 *
 * The trees.  Entry (level L, index i) is the row of key L * 2^56 + i of
 * tree (or ptree); a proof's entries come in one query, an index scan of
 * k = ANY(keys) (lib/merkle.c gathers them).
 * The sequencer's new entries are buffered and sent by COPY at commit
 * (store_pg_write.c), inside the batch's transaction.
 */
#include "store_pg.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkrec.h"
#include "kinds.h"
#include "log.h"
#include "util.h"

#define DIR_CHUNK	4096	/* public records per query while replaying */
#define SCAN_CHUNK	2048	/* rows per FETCH of a scan */
#define REBUILD_SEND	((size_t)4 << 20)	/* COPY bytes sent at a time */

/* ---- reader connections ------------------------------------------------ */

PGconn *
pgs_reader(struct store *s)
{
	struct pgstore *pg = s->pg;
	PGconn *c = NULL;

	pthread_mutex_lock(&pg->pool_mu);
	while (pg->npool == 0 && pg->nopen >= pg->max)
		pthread_cond_wait(&pg->pool_cv, &pg->pool_mu);
	if (pg->npool > 0)
		c = pg->pool[--pg->npool];
	else
		pg->nopen++;
	pthread_mutex_unlock(&pg->pool_mu);
	if (c == NULL && (c = pg_connect(pg->url)) == NULL) {
		pthread_mutex_lock(&pg->pool_mu);
		pg->nopen--;
		pthread_cond_signal(&pg->pool_cv);
		pthread_mutex_unlock(&pg->pool_mu);
	}
	return c;
}

void
pgs_reader_done(struct store *s, PGconn *c)
{
	struct pgstore *pg = s->pg;

	if (c == NULL)
		return;
	pthread_mutex_lock(&pg->pool_mu);
	if (!pg_broken(c) && pg->npool < pg->max)
		pg->pool[pg->npool++] = c;
	else {
		pg_close(c);
		pg->nopen--;
	}
	pthread_cond_signal(&pg->pool_cv);
	pthread_mutex_unlock(&pg->pool_mu);
}

/* One read on a reader connection, once more after reconnecting when the
 * connection was found broken.  A raw store (rosterd check) reads on its
 * one connection, in the snapshot opened with it. */
static PGresult *
query(struct store *s, const char *sql, const struct pgq *q)
{
	PGconn *c;
	PGresult *r;

	if (s->pg->mode == STORE_PG_RAW)
		return pg_exec(s->pg->w, sql, q);
	if ((c = pgs_reader(s)) == NULL)
		return NULL;
	r = pg_exec(c, sql, q);
	if (r == NULL && pg_broken(c) && pg_reset(c) == 0)
		r = pg_exec(c, sql, q);
	pgs_reader_done(s, c);
	return r;
}

/* ---- the trees as sources ---------------------------------------------- */

/* The row key of entry (level, index): one bigint, so that a proof's
 * entries are one index scan. */
#define TREE_KEY(level, index)	((int64_t)(((uint64_t)(level) << 56) | (index)))
#define TREE_MAX_INDEX		(((uint64_t)1 << 56) - 1)

static int
consecutive(size_t n, const uint8_t *level, const uint64_t *index)
{
	for (size_t i = 1; i < n; i++)
		if (level[i] != level[0] || index[i] != index[0] + i)
			return 0;
	return 1;
}

/* Entries first .. first + n - 1 of one level. */
static int
read_run(struct pgtree *pt, size_t n, uint8_t level, uint64_t first,
    uint8_t (*out)[32])
{
	char sql[160];
	struct pgq q;
	PGresult *r;
	int rc = -1;

	pgq_init(&q);
	pgq_i64(&q, TREE_KEY(level, first));
	pgq_i64(&q, TREE_KEY(level, first + n));
	snprintf(sql, sizeof(sql), "SELECT k, h FROM %s WHERE k >= $1 AND k < $2"
	    " ORDER BY k", pt->public ? "ptree" : "tree");
	if ((r = query(pt->s, sql, &q)) == NULL)
		return -1;
	if ((size_t)PQntuples(r) != n)
		rs_seterr("the %s in the database lacks entries of level %u from %llu",
		    pt->public ? "public tree" : "tree", level,
		    (unsigned long long)first);
	else {
		rc = 0;
		for (size_t i = 0; i < n && rc == 0; i++) {
			size_t len;
			const uint8_t *h = pg_bytes(r, (int)i, 1, &len);
			if (pg_i64(r, (int)i, 0) != TREE_KEY(level, first + i) || len != 32) {
				rs_seterr("the %s entry at level %u, index %llu is missing "
				    "or not a hash", pt->public ? "public tree" : "tree",
				    level, (unsigned long long)(first + i));
				rc = -1;
			} else
				memcpy(out[i], h, 32);
		}
	}
	PQclear(r);
	return rc;
}

static int
key_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int
tree_read(void *ctx, size_t n, const uint8_t *level, const uint64_t *index,
    uint8_t (*out)[32])
{
	struct pgtree *pt = ctx;
	struct buf keys = {0};
	char sql[128];
	struct pgq q;
	PGresult *r;
	int64_t *sorted;
	size_t found = 0;
	int rc = -1;

	/* A run of one level (a leaf range: the start-up check): by range. */
	if (n > 1 && consecutive(n, level, index))
		return read_run(pt, n, level[0], index[0], out);
	/* The keys as a text array "{k,k,...}", for one index scan; the rows
	 * come back by key and are matched to the requests by bsearch. */
	sorted = xcalloc(n, sizeof(*sorted));
	for (size_t i = 0; i < n; i++) {
		if (index[i] > TREE_MAX_INDEX) {
			rs_seterr("tree index %llu is beyond what the database holds",
			    (unsigned long long)index[i]);
			free(sorted);
			return -1;
		}
		sorted[i] = TREE_KEY(level[i], index[i]);
	}
	qsort(sorted, n, sizeof(*sorted), key_cmp);
	buf_addstr(&keys, "{");
	for (size_t i = 0; i < n; i++)
		buf_printf(&keys, "%s%lld", i ? "," : "", (long long)sorted[i]);
	buf_addstr(&keys, "}");
	pgq_init(&q);
	pgq_text(&q, buf_cstr(&keys));
	snprintf(sql, sizeof(sql), "SELECT k, h FROM %s WHERE k = ANY($1::text::int8[])",
	    pt->public ? "ptree" : "tree");
	if ((r = query(pt->s, sql, &q)) == NULL)
		goto out;
	for (int row = 0; row < PQntuples(r); row++) {
		int64_t k = pg_i64(r, row, 0);
		size_t len;
		const uint8_t *h = pg_bytes(r, row, 1, &len);
		if (len != 32) {
			rs_seterr("the %s entry of key %lld is not a hash",
			    pt->public ? "public tree" : "tree", (long long)k);
			PQclear(r);
			goto out;
		}
		/* Every request of this key (a list may repeat one). */
		for (size_t i = 0; i < n; i++)
			if (TREE_KEY(level[i], index[i]) == k) {
				memcpy(out[i], h, 32);
				found++;
			}
	}
	PQclear(r);
	if (found < n) {
		rs_seterr("the %s in the database lacks %zu of the %zu entries "
		    "asked for", pt->public ? "public tree" : "tree", n - found, n);
		goto out;
	}
	rc = 0;
out:
	free(sorted);
	buf_free(&keys);
	return rc;
}

/* Buffered for the batch's COPY (store_pg_write.c sends it at commit). */
static int
tree_write(void *ctx, int level, uint64_t first, const uint8_t *h, size_t n)
{
	struct pgtree *pt = ctx;
	struct pgcopy *c = &pt->s->pg->c_tree[pt->public];

	for (size_t i = 0; i < n; i++) {
		if (first + i > TREE_MAX_INDEX) {
			rs_seterr("the tree is full");
			return -1;
		}
		pgcopy_row(c);
		pgcopy_i64(c, TREE_KEY(level, first + i));
		pgcopy_bytes(c, h + 32 * i, 32);
	}
	return 0;
}

const struct merkle_source pgs_tree_source = { tree_read, tree_write };

const char *
pgs_tree_copy_sql(int public)
{
	return public ? "COPY ptree(k, h) FROM STDIN (FORMAT binary)" :
	    "COPY tree(k, h) FROM STDIN (FORMAT binary)";
}

/* ---- reads of struct store_ops ----------------------------------------- */

static int
pg_load_checkpoint(struct store *s, char **text, char **sig)
{
	PGresult *r = query(s, "SELECT text, sig FROM checkpoint", NULL);

	*text = *sig = NULL;
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 1) {
		*text = xstrdup(pg_text(r, 0, 0));
		*sig = xstrdup(pg_text(r, 0, 1));
	}
	PQclear(r);
	return 0;
}

static int
pg_pub_size_at(struct store *s, uint64_t n, uint64_t *pub)
{
	struct pgq q;
	PGresult *r;

	pgq_init(&q);
	pgq_i64(&q, (int64_t)n);
	r = query(s, "SELECT pindex FROM pub WHERE idx < $1 ORDER BY idx DESC"
	    " LIMIT 1", &q);
	if (r == NULL)
		return -1;
	*pub = PQntuples(r) == 1 ? (uint64_t)pg_i64(r, 0, 0) + 1 : 0;
	PQclear(r);
	return 0;
}

static int
pg_pub_leaf(struct store *s, uint64_t pindex, uint64_t *idx, uint8_t id[32],
    int64_t *time)
{
	struct pgq q;
	PGresult *r;
	size_t len;
	const uint8_t *p;
	int rc = 1;

	pgq_init(&q);
	pgq_i64(&q, (int64_t)pindex);
	r = query(s, "SELECT p.idx, l.id, l.time FROM pub p JOIN log l"
	    " ON l.idx = p.idx WHERE p.pindex = $1", &q);
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 1 && (p = pg_bytes(r, 0, 1, &len)) != NULL && len == 32) {
		*idx = (uint64_t)pg_i64(r, 0, 0);
		memcpy(id, p, 32);
		*time = pg_i64(r, 0, 2);
		rc = 0;
	}
	PQclear(r);
	return rc;
}

/* The rows of a listing, before the byte bound: idx, time, pindex, envelope. */
static void
list_rows_sql(struct buf *b, enum store_list which)
{
	switch (which) {
	case LIST_PUBLIC:
		buf_addstr(b, "SELECT l.idx, l.time, p.pindex, l.envelope FROM pub p"
		    " JOIN log l ON l.idx = p.idx WHERE p.idx > $1 AND p.idx < $2"
		    " ORDER BY p.idx LIMIT $3");
		break;
	case LIST_RECORD:
		buf_addstr(b, "SELECT l.idx, l.time, p.pindex, l.envelope FROM pub p"
		    " JOIN log l ON l.idx = p.idx WHERE p.idx = $1 + 1 AND p.idx < $2"
		    " LIMIT $3");
		break;
	case LIST_DIRECTORY:
		buf_printf(b, "SELECT idx, time, -1::int8, envelope FROM log"
		    " WHERE kind IN %s AND idx > $1 AND idx < $2 ORDER BY idx LIMIT $3",
		    kinds_sql(KINDS_DIRECTORY));
		break;
	case LIST_COSIGN:
		buf_addstr(b, "SELECT idx, time, -1::int8, envelope FROM log"
		    " WHERE kind = 'cosign' AND idx > $1 AND idx < $2 ORDER BY idx"
		    " LIMIT $3");
		break;
	case LIST_MAIL:
		buf_addstr(b, "SELECT l.idx, l.time, -1::int8, l.envelope FROM rcpt r"
		    " JOIN log l ON l.idx = r.idx WHERE r.device = $5 AND r.idx > $1"
		    " AND r.idx < $2 ORDER BY r.idx LIMIT $3");
		break;
	}
}

/* The page's records are about to be proven one by one at size (api.c):
 * their tree entries in one query first (lib/merkle.c), not one each. */
static void
prefetch_proofs(struct store *s, const PGresult *r, size_t limit, uint64_t size)
{
	size_t n = 0, rows = (size_t)PQntuples(r);
	uint64_t *idx = xcalloc(rows + 1, sizeof(*idx));

	for (size_t i = 0; i < rows && n < limit && !pg_null(r, (int)i, 3); i++)
		idx[n++] = (uint64_t)pg_i64(r, (int)i, 0);
	if (merkle_prefetch(s->tree, idx, n, size) != 0)
		log_event(LOG_WARN, "prefetch", "%s (the proofs are read one by one)",
		    rs_err());
	free(idx);
}

static int
pg_list(struct store *s, enum store_list which, const uint8_t device[32],
    int64_t after, uint64_t size, size_t limit, size_t max_bytes,
    store_row_cb cb, void *arg, int *more)
{
	struct buf sql = {0};
	struct pgq q;
	PGresult *r;
	int n = 0;

	assert(limit >= 1);
	*more = 0;
	buf_addstr(&sql, "SELECT idx, time, pindex, CASE WHEN rn = 1 OR cum <= $4"
	    " THEN envelope END FROM (SELECT y.*, row_number() OVER w AS rn,"
	    " sum(octet_length(y.envelope)) OVER w AS cum FROM (");
	list_rows_sql(&sql, which);
	buf_addstr(&sql, ") y(idx, time, pindex, envelope) WINDOW w AS"
	    " (ORDER BY y.idx)) x ORDER BY idx");
	pgq_init(&q);
	pgq_i64(&q, after);
	pgq_i64(&q, (int64_t)size);
	pgq_i64(&q, (int64_t)limit + 1);
	pgq_i64(&q, (int64_t)max_bytes);
	if (which == LIST_MAIL)
		pgq_bytes(&q, device, 32);
	r = query(s, buf_cstr(&sql), &q);
	buf_free(&sql);
	if (r == NULL)
		return -1;
	prefetch_proofs(s, r, limit, size);
	for (int i = 0; i < PQntuples(r); i++) {
		size_t len;
		const uint8_t *env = pg_bytes(r, i, 3, &len);
		/* Always one record, however large; then within the bounds. */
		if ((size_t)n == limit || env == NULL) {
			*more = 1;
			break;
		}
		if (cb(arg, (uint64_t)pg_i64(r, i, 0), pg_i64(r, i, 1),
		    pg_i64(r, i, 2), env, len) != 0) {
			n = -1;
			break;
		}
		n++;
	}
	merkle_prefetch_end(s->tree);
	PQclear(r);
	return n;
}

static int
pg_kind_rows(struct store *s, const char *kind, uint64_t size, store_row_cb cb,
    void *arg)
{
	struct pgq q;
	PGresult *r;
	int rc = 0;

	pgq_init(&q);
	pgq_text(&q, kind);
	pgq_i64(&q, (int64_t)size);
	r = query(s, "SELECT idx, time, envelope FROM log WHERE kind = $1"
	    " AND idx < $2 ORDER BY idx", &q);
	if (r == NULL)
		return -1;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
		size_t len;
		const uint8_t *env = pg_bytes(r, i, 2, &len);
		rc = cb(arg, (uint64_t)pg_i64(r, i, 0), pg_i64(r, i, 1), -1,
		    env != NULL ? env : (const uint8_t *)"", len);
	}
	PQclear(r);
	return rc == 0 ? 0 : -1;
}

static int
pg_routes(struct store *s, const uint8_t key[32], int64_t after, uint64_t size,
    size_t limit, store_route_cb cb, void *arg)
{
	struct pgq q;
	PGresult *r;
	int rc = 0;

	pgq_init(&q);
	pgq_bytes(&q, key, 32);
	pgq_i64(&q, after);
	pgq_i64(&q, (int64_t)size);
	pgq_i64(&q, (int64_t)limit);
	r = query(s, "SELECT l.idx, l.time, l.signer FROM rcpt r JOIN log l"
	    " ON l.idx = r.idx WHERE r.device = $1 AND r.idx > $2 AND r.idx < $3"
	    " ORDER BY r.idx LIMIT CASE WHEN $4 > 0 THEN $4 END", &q);
	if (r == NULL)
		return -1;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
		size_t len;
		const uint8_t *signer = pg_bytes(r, i, 2, &len);
		rc = cb(arg, (uint64_t)pg_i64(r, i, 0), pg_i64(r, i, 1),
		    len == 32 ? signer : NULL);
	}
	PQclear(r);
	return rc == 0 ? 0 : -1;
}

static int
pg_row(struct store *s, uint64_t idx, int64_t *time, struct buf *env)
{
	struct pgq q;
	PGresult *r;
	size_t len;
	const uint8_t *p;
	int rc = 1;

	pgq_init(&q);
	pgq_i64(&q, (int64_t)idx);
	r = query(s, "SELECT time, envelope FROM log WHERE idx = $1", &q);
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 1) {
		*time = pg_i64(r, 0, 0);
		if ((p = pg_bytes(r, 0, 1, &len)) != NULL)
			buf_add(env, p, len);
		rc = 0;
	}
	PQclear(r);
	return rc;
}

/* Every row below limit, in index order, through a cursor in one
 * snapshot: the raw store's own (rosterd check), else on a connection of
 * its own (the callback may read through the pool meanwhile). */
static int
pg_scan(struct store *s, uint64_t limit, store_scan_cb cb, void *arg)
{
	int raw = s->pg->mode == STORE_PG_RAW;
	PGconn *c = raw ? s->pg->w : pg_connect(s->pg->url);
	PGresult *r = NULL;
	struct pgq q;
	int rc = -1, n;

	if (c == NULL)
		return -1;
	if (!raw && pg_script(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") != 0)
		goto out;
	pgq_init(&q);
	pgq_i64(&q, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
	if (pg_cmd(c, "DECLARE scan NO SCROLL CURSOR FOR SELECT l.idx, l.id,"
	    " l.time, l.kind, l.state, l.signer, l.seq, l.envelope, p.pindex"
	    " FROM log l LEFT JOIN pub p ON p.idx = l.idx WHERE l.idx < $1"
	    " ORDER BY l.idx", &q) != 0)
		goto out;
	do {
		char fetch[64];
		snprintf(fetch, sizeof(fetch), "FETCH %d FROM scan", SCAN_CHUNK);
		if ((r = pg_exec(c, fetch, NULL)) == NULL)
			goto out;
		n = PQntuples(r);
		for (int i = 0; i < n; i++) {
			struct store_row row;
			memset(&row, 0, sizeof(row));
			row.idx = (uint64_t)pg_i64(r, i, 0);
			row.id = pg_bytes(r, i, 1, &row.id_len);
			row.time = pg_i64(r, i, 2);
			row.kind = pg_text(r, i, 3);
			row.state = pg_text(r, i, 4);
			row.signer = pg_bytes(r, i, 5, &row.signer_len);
			row.has_seq = !pg_null(r, i, 6);
			row.seq = pg_i64(r, i, 6);
			row.env = pg_bytes(r, i, 7, &row.env_len);
			row.pindex = pg_null(r, i, 8) ? -1 : pg_i64(r, i, 8);
			if (row.kind == NULL)
				row.kind = "";
			if (cb(arg, &row) != 0)
				goto out;
		}
		PQclear(r);
		r = NULL;
	} while (n == SCAN_CHUNK);
	rc = 0;
out:
	PQclear(r);
	if (raw) {
		if (pg_cmd(c, "CLOSE scan", NULL) != 0 && rc == 0)
			rc = -1;
	} else {
		pg_rollback(c);
		pg_close(c);
	}
	return rc;
}

static int
pg_heads(struct store *s, store_head_cb cb, void *arg)
{
	PGresult *r = query(s, "SELECT device, seq, id FROM head", NULL);
	int rc = 0;

	if (r == NULL)
		return -1;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
		size_t dl, il;
		const uint8_t *d = pg_bytes(r, i, 0, &dl), *id = pg_bytes(r, i, 2, &il);
		rc = cb(arg, d, dl, pg_i64(r, i, 1), id, il);
	}
	PQclear(r);
	return rc == 0 ? 0 : -1;
}

static int
pg_pub_rows(struct store *s, uint64_t limit, store_pub_cb cb, void *arg)
{
	struct pgq q;
	PGresult *r;
	int rc = 0;

	pgq_init(&q);
	pgq_i64(&q, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
	if ((r = query(s, "SELECT pindex, idx FROM pub WHERE idx < $1 ORDER BY pindex",
	    &q)) == NULL)
		return -1;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++)
		rc = cb(arg, pg_i64(r, i, 0), pg_i64(r, i, 1));
	PQclear(r);
	return rc == 0 ? 0 : -1;
}

static int
pg_count(struct store *s, const char *table, uint64_t *n)
{
	PGresult *r = query(s, strcmp(table, "rcpt") == 0 ?
	    "SELECT count(*) FROM rcpt" : "SELECT count(*) FROM log", NULL);

	if (r == NULL)
		return -1;
	*n = (uint64_t)pg_i64(r, 0, 0);
	PQclear(r);
	return 0;
}

static int
pg_stored_operator(struct store *s, uint8_t pk[32])
{
	PGresult *r = query(s, "SELECT v FROM meta WHERE k = 'operator_key'", NULL);
	int rc = 1;

	if (r == NULL)
		return -1;
	if (PQntuples(r) == 1 && hex_decode_exact(pk, 32, pg_text(r, 0, 0)) == 0)
		rc = 0;
	PQclear(r);
	return rc;
}

static int
pg_recorded_size(struct store *s, int64_t *n)
{
	PGresult *r = query(s, "SELECT size FROM seqlock", NULL);
	int rc = 1;

	if (r == NULL)
		return -1;
	if (PQntuples(r) == 1) {
		*n = pg_i64(r, 0, 0);
		rc = 0;
	}
	PQclear(r);
	return rc;
}

static int
pg_open_tree(struct store *s, int public, uint64_t size, struct merkle_tree **t)
{
	return merkle_open_source(t, public ? "public tree" : "Merkle tree",
	    &pgs_tree_source, &s->pg->src[public], size);
}

const struct store_ops store_pg_ops = {
	.name = "postgresql",
	.begin = pgw_begin,
	.lookup = pgw_lookup,
	.insert = pgw_insert,
	.set_head = pgw_set_head,
	.set_size = pgw_set_size,
	.commit = pgw_commit,
	.rollback = pgw_rollback,
	.recover = pgw_recover,
	.end = pgw_end,
	.save_checkpoint = pgw_save_checkpoint,
	.load_checkpoint = pg_load_checkpoint,
	.pub_size_at = pg_pub_size_at,
	.pub_leaf = pg_pub_leaf,
	.list = pg_list,
	.kind_rows = pg_kind_rows,
	.routes = pg_routes,
	.row = pg_row,
	.scan = pg_scan,
	.heads = pg_heads,
	.pub_rows = pg_pub_rows,
	.count = pg_count,
	.stored_operator = pg_stored_operator,
	.recorded_size = pg_recorded_size,
	.open_tree = pg_open_tree,
};

/* ---- the directory ----------------------------------------------------- */

struct directory *
pgs_load_state(PGconn *c, const uint8_t operator_pk[32], struct process **proc,
    struct registry **reg)
{
	struct registry *rg = reg_new_shipped();
	struct directory *d = dir_new(operator_pk);
	struct process *p = proc_new();
	struct envelope e;
	struct pgq q;
	PGresult *r;
	int64_t next = 0;
	int n;

	if (rg == NULL)
		goto fail;
	do {
		pgq_init(&q);
		pgq_i64(&q, next);
		pgq_i64(&q, DIR_CHUNK);
		r = pg_exec(c, "SELECT p.pindex, p.idx, l.envelope, l.time FROM pub p"
		    " JOIN log l ON l.idx = p.idx WHERE p.pindex >= $1"
		    " ORDER BY p.pindex LIMIT $2", &q);
		if (r == NULL)
			goto fail;
		n = PQntuples(r);
		for (int i = 0; i < n; i++) {
			int64_t idx = pg_i64(r, i, 1);
			size_t len;
			const uint8_t *raw = pg_bytes(r, i, 2, &len);
			if (raw == NULL || env_parse(&e, raw, len) != 0) {
				char why[RS_ERRLEN];
				snprintf(why, sizeof(why), "%s", raw == NULL ? "empty" : rs_err());
				rs_seterr("stored envelope %lld does not parse (%s); run "
				    "\"rosterd check\"", (long long)idx, why);
				PQclear(r);
				goto fail;
			}
			if (!record_is_public(&e)) {
				rs_seterr("public record %lld names log index %lld, "
				    "which is not a public record; run \"rosterd check\"",
				    (long long)pg_i64(r, i, 0), (long long)idx);
				env_free(&e);
				PQclear(r);
				goto fail;
			}
			if (kind_has(e.kind_id, KIND_DIRECTORY))
				dir_apply(d, &e, idx);
			else if (store_replay_rules(d, p, rg, &e, idx,
			    pg_i64(r, i, 3)) != 0) {
				env_free(&e);
				PQclear(r);
				goto fail;
			}
			env_free(&e);
			next = pg_i64(r, i, 0) + 1;
		}
		PQclear(r);
	} while (n == DIR_CHUNK);
	if ((r = pg_exec(c, "SELECT device, seq, id FROM head", NULL)) == NULL)
		goto fail;
	for (int i = 0; i < PQntuples(r); i++) {
		size_t dl, il;
		const uint8_t *dev = pg_bytes(r, i, 0, &dl), *id = pg_bytes(r, i, 2, &il);
		struct dir_device *dd;
		if (dl != 32 || il != 32 || (dd = dir_device(d, dev)) == NULL)
			continue;
		dd->last_seq = pg_i64(r, i, 1);
		memcpy(dd->last_id, id, 32);
	}
	PQclear(r);
	*proc = p;
	*reg = rg;
	return d;
fail:
	dir_free(d);
	proc_free(p);
	reg_free(rg);
	return NULL;
}

/* ---- open ----------------------------------------------------------------- */

/* The operator key of meta must be operator.key's; a reader (no key file)
 * takes it from meta. */
static int
check_operator(struct store *s)
{
	PGresult *r = pg_exec(s->pg->w, "SELECT v FROM meta WHERE k = 'operator_key'",
	    NULL);
	uint8_t pk[32];
	int rc = -1;

	if (r == NULL)
		return -1;
	if (PQntuples(r) != 1 || hex_decode_exact(pk, 32, pg_text(r, 0, 0)) != 0)
		rs_seterr("%s records no operator key: not a hub database", s->dbpath);
	else if (s->op == NULL) {
		s->op = store_public_key(pk);
		rc = 0;
	} else if (memcmp(pk, s->op->pk, 32) != 0)
		rs_seterr("operator.key in %s is not the key this hub's log was "
		    "started with", s->hubdir);
	else
		rc = 0;
	PQclear(r);
	return rc;
}

/* The last row's time is the coordination row's. */
static int
check_last_time(struct store *s, int64_t size, int64_t last)
{
	PGresult *r;
	int rc = 0;

	if (size == 0)
		return 0;
	if ((r = pg_exec(s->pg->w, "SELECT time FROM log ORDER BY idx DESC LIMIT 1",
	    NULL)) == NULL)
		return -1;
	if (pg_i64(r, 0, 0) != last) {
		rs_seterr("the last row of %s has log time %lld, the coordination "
		    "row says %lld; run \"rosterd check\"", s->dbpath,
		    (long long)pg_i64(r, 0, 0), (long long)last);
		rc = -1;
	}
	PQclear(r);
	return rc;
}

/* scan callback: stops at the first row whose header and the pub table
 * disagree (as startcheck.c words it), noting its index in *g. */
struct pubgap {
	int64_t next;		/* the next public index expected */
	int64_t idx;		/* -1 until found */
	const char *what;
};

static int
pubgap_row(void *arg, const struct store_row *r)
{
	struct pubgap *g = arg;
	struct envelope e;
	int pub;

	if (env_parse(&e, r->env, r->env_len) != 0)
		return 0;	/* the start-up check names what does not parse */
	pub = record_is_public(&e);
	env_free(&e);
	if (pub != (r->pindex >= 0))
		g->what = pub ? "is a public record missing from the public "
		    "records" : "is listed among the public records but is not one";
	else if (pub && r->pindex != g->next)
		g->what = "has not the next public index";
	else {
		g->next += pub;
		return 0;
	}
	g->idx = (int64_t)r->idx;
	return 1;
}

/* Which row a pub table that is not numbered 0, 1, 2, ... goes wrong at,
 * classifying the rows by their headers (a refusal's rare path): so the
 * refusal names an index, as the SQLite hub's start-up check does. */
static void
pubgap_find(struct store *s, struct pubgap *g)
{
	char saved[RS_ERRLEN];

	snprintf(saved, sizeof(saved), "%s", rs_err());
	g->next = 0;
	g->idx = -1;
	g->what = NULL;
	(void)pg_scan(s, UINT64_MAX, pubgap_row, g);
	rs_seterr("%s", saved);
}

/* The committed sizes from the coordination row, checked against the rows
 * as store.c's load_size and load_pub_size check them. */
static int
load_sizes(struct store *s)
{
	PGconn *c = s->pg->w;
	PGresult *r;
	int64_t size, pub, last, next, first, pnext, pcount, pfirst, pmaxidx;
	int rc = -1;

	if ((r = pg_exec(c, "SELECT size, pub_size, last_time FROM seqlock", NULL)) == NULL)
		return -1;
	if (PQntuples(r) != 1) {
		rs_seterr("%s has no coordination row (seqlock): not a hub "
		    "database", s->dbpath);
		PQclear(r);
		return -1;
	}
	size = pg_i64(r, 0, 0);
	pub = pg_i64(r, 0, 1);
	last = pg_i64(r, 0, 2);
	PQclear(r);
	if ((r = pg_exec(c, "SELECT coalesce(max(idx), -1) + 1, coalesce(min(idx), 0),"
	    " (SELECT coalesce(max(pindex), -1) + 1 FROM pub), (SELECT count(*) FROM pub),"
	    " (SELECT coalesce(min(pindex), 0) FROM pub),"
	    " (SELECT coalesce(max(idx), -1) FROM pub) FROM log", NULL)) == NULL)
		return -1;
	next = pg_i64(r, 0, 0);
	first = pg_i64(r, 0, 1);
	pnext = pg_i64(r, 0, 2);
	pcount = pg_i64(r, 0, 3);
	pfirst = pg_i64(r, 0, 4);
	pmaxidx = pg_i64(r, 0, 5);
	PQclear(r);
	if (next != size || first != 0)
		rs_seterr("the log in %s has %lld rows recorded but indexes from "
		    "%lld to %lld; run \"rosterd check\"", s->dbpath,
		    (long long)size, (long long)first, (long long)next - 1);
	else if (pnext != pcount || pfirst != 0 || pnext != pub) {
		struct pubgap g;
		char at[200] = "";
		pubgap_find(s, &g);
		if (g.idx >= 0)
			snprintf(at, sizeof(at), ": stored envelope %lld %s",
			    (long long)g.idx, g.what);
		rs_seterr("the public records of %s are not numbered 0, 1, 2, ... "
		    "up to the %lld recorded (%lld rows, up to %lld)%s; run "
		    "\"rosterd check\"", s->dbpath, (long long)pub,
		    (long long)pcount, (long long)pnext - 1, at);
	}
	else if (pmaxidx >= size)
		rs_seterr("a public record of %s names log index %lld, beyond the "
		    "log; run \"rosterd check\"", s->dbpath, (long long)pmaxidx);
	else
		rc = check_last_time(s, size, last);
	if (rc == 0) {
		atomic_store(&s->committed, (uint64_t)size);
		s->pub_size = s->pub_committed = (uint64_t)pub;
		s->last_time = s->time_committed = last;
	}
	return rc;
}

/* Leaf n of a tree as its row makes it; 1 when the row is missing. */
static int
row_leaf(struct store *s, int public, uint64_t n, uint8_t leaf[32])
{
	struct pgq q;
	PGresult *r;
	size_t len;
	const uint8_t *id;
	int rc = 1;

	pgq_init(&q);
	pgq_i64(&q, (int64_t)n);
	r = pg_exec(s->pg->w, public ? "SELECT p.idx, l.id, l.time FROM pub p"
	    " JOIN log l ON l.idx = p.idx WHERE p.pindex = $1" :
	    "SELECT idx, id, time FROM log WHERE idx = $1", &q);
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 1 && (id = pg_bytes(r, 0, 1, &len)) != NULL && len == 32) {
		if (public)
			merkle_public_leaf(leaf, (uint64_t)pg_i64(r, 0, 0), id,
			    pg_i64(r, 0, 2));
		else
			env_leaf_hash(leaf, id, pg_i64(r, 0, 2));
		rc = 0;
	}
	PQclear(r);
	return rc;
}

/*
 * Rebuilds a tree from its rows, under the coordination row (no process
 * appends meanwhile), in one transaction: entries deleted, every leaf
 * appended to a fresh source tree whose entries go out by COPY.
 */
static int
rebuild_tree(struct store *s, int public)
{
	struct pgstore *pg = s->pg;
	PGconn *c = pg->w;
	struct merkle_tree *t = NULL;
	struct pgcopy *cp = &pg->c_tree[public];
	const char *what = public ? "public tree" : "Merkle tree";
	PGresult *r = NULL;
	uint8_t leaf[32];
	uint64_t n = 0, want;
	int rc = -1, rows;

	log_event(LOG_WARN, "tree-rebuild", "rebuilding the %s in %s from its rows",
	    what, s->dbpath);
	if ((r = pg_exec(c, "BEGIN", NULL)) == NULL)
		return -1;
	PQclear(r);
	if ((r = pg_exec(c, "SELECT size, pub_size FROM seqlock FOR UPDATE", NULL)) == NULL)
		goto out;
	want = (uint64_t)pg_i64(r, 0, public ? 1 : 0);
	PQclear(r);
	r = NULL;
	if (pg_cmd(c, public ? "DELETE FROM ptree" : "DELETE FROM tree", NULL) != 0 ||
	    pg_script(c, public ? "DECLARE leaves NO SCROLL CURSOR FOR SELECT"
	    " p.pindex, p.idx, l.id, l.time FROM pub p JOIN log l ON l.idx = p.idx"
	    " ORDER BY p.pindex" : "DECLARE leaves NO SCROLL CURSOR FOR SELECT"
	    " idx, idx, id, time FROM log ORDER BY idx") != 0)
		goto out;
	if (merkle_open_source(&t, what, &pgs_tree_source, &pg->src[public], 0) != 0)
		goto out;
	do {
		if ((r = pg_exec(c, "FETCH 8192 FROM leaves", NULL)) == NULL)
			goto out;
		rows = PQntuples(r);
		for (int i = 0; i < rows; i++) {
			size_t len;
			const uint8_t *id = pg_bytes(r, i, 2, &len);
			if ((uint64_t)pg_i64(r, i, 0) != n || id == NULL || len != 32) {
				rs_seterr("the %s's row %llu is malformed or missing; run "
				    "\"rosterd check\"", what, (unsigned long long)n);
				goto out;
			}
			if (public)
				merkle_public_leaf(leaf, (uint64_t)pg_i64(r, i, 1), id,
				    pg_i64(r, i, 3));
			else
				env_leaf_hash(leaf, id, pg_i64(r, i, 3));
			if (merkle_append(t, leaf) != 0)
				goto out;
			n++;
		}
		PQclear(r);
		r = NULL;
		if (cp->b.len >= REBUILD_SEND && pgcopy_send(c, pgs_tree_copy_sql(public), cp) != 0)
			goto out;
	} while (rows > 0);
	if (n != want) {
		rs_seterr("the %s has %llu rows, not %llu; run \"rosterd check\"",
		    what, (unsigned long long)n, (unsigned long long)want);
		goto out;
	}
	if (merkle_sync(t) != 0 || pgcopy_send(c, pgs_tree_copy_sql(public), cp) != 0 ||
	    pg_script(c, "CLOSE leaves; COMMIT") != 0)
		goto out;
	log_event(LOG_WARN, "tree-rebuild", "%s rebuilt (%llu leaves)", what,
	    (unsigned long long)n);
	rc = 0;
out:
	PQclear(r);
	if (rc != 0)
		pg_rollback(c);
	cp->b.len = 0;
	cp->rows = 0;
	merkle_close(t);
	return rc;
}

/* Opens a tree at its committed size: 0 opened, 1 when it must be rebuilt
 * (missing or disagreeing entries, or a last leaf that is not the last
 * row's), -1 on a database error. */
static int
open_tree(struct store *s, int public)
{
	struct merkle_tree **t = public ? &s->ptree : &s->tree;
	uint64_t size = public ? s->pub_size : atomic_load(&s->committed);
	uint8_t want[32], have[32];
	int rc;

	if (pg_open_tree(s, public, size, t) != 0) {
		log_event(LOG_WARN, "tree-damaged", "%s", rs_err());
		return pg_broken(s->pg->w) ? -1 : 1;
	}
	if (size == 0)
		return 0;
	if ((rc = row_leaf(s, public, size - 1, want)) != 0)
		return rc < 0 ? -1 : 1;
	if (merkle_leaf(*t, size - 1, have) != 0)
		return -1;
	if (memcmp(want, have, 32) != 0) {
		log_event(LOG_WARN, "tree-damaged", "the %s's last leaf is not the "
		    "leaf of its last row", public ? "public tree" : "Merkle tree");
		return 1;
	}
	return 0;
}

/*
 * The state of the log, in one snapshot: sizes, trees (rebuilt when they
 * must be, which ends the snapshot and starts again), directory.
 */
static int
load_state(struct store *s)
{
	PGconn *c = s->pg->w;
	int rebuilt[2] = { 0, 0 };

	for (;;) {
		int need = -1, rc = 0;
		if (pg_script(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") != 0)
			return -1;
		merkle_close(s->tree);
		merkle_close(s->ptree);
		s->tree = s->ptree = NULL;
		if (load_sizes(s) != 0)
			goto fail;
		if (s->pg->mode != STORE_PG_READER)
			for (int p = 0; p < 2 && need < 0; p++) {
				if ((rc = open_tree(s, p)) < 0)
					goto fail;
				if (rc > 0)
					need = p;
			}
		if (need >= 0) {
			pg_rollback(c);
			if (rebuilt[need]++ > 0) {
				rs_seterr("the %s still disagrees with its rows after "
				    "being rebuilt", need ? "public tree" : "Merkle tree");
				return -1;
			}
			if (rebuild_tree(s, need) != 0)
				return -1;
			continue;
		}
		if ((s->dir = pgs_load_state(c, s->op->pk, &s->proc, &s->reg)) == NULL)
			goto fail;
		if (pg_script(c, "COMMIT") != 0)
			return -1;
		return 0;
fail:
		pg_rollback(c);
		return -1;
	}
}

static int
init_store(struct store *s, const char *hubdir, const struct hub_config *cfg,
    int mode)
{
	struct pgstore *pg = s->pg;

	s->ops = &store_pg_ops;
	s->hubdir = xstrdup(hubdir);
	s->dbpath = xstrdup(pg_redact(cfg->db));
	s->cfg = *cfg;
	snprintf(pg->url, sizeof(pg->url), "%s", cfg->db);
	pg->mode = mode;
	pg->max = cfg->db_pool > 0 ? cfg->db_pool : HUB_DEFAULT_DB_POOL;
	pg->pool = xcalloc(pg->max, sizeof(*pg->pool));
	pg->stop_pipe[0] = pg->stop_pipe[1] = -1;
	for (int p = 0; p < 2; p++) {
		pg->src[p].s = s;
		pg->src[p].public = p;
		pgcopy_init(&pg->c_tree[p], 2);
	}
	pgcopy_init(&pg->c_log, 8);
	pgcopy_init(&pg->c_rcpt, 2);
	pgcopy_init(&pg->c_pub, 2);
	pgcopy_init(&pg->c_head, 3);
	if (pthread_rwlock_init(&s->dirlock, NULL) != 0 ||
	    pthread_mutex_init(&s->pool_mu, NULL) != 0 ||
	    pthread_mutex_init(&s->cp_mu, NULL) != 0 ||
	    pthread_mutex_init(&s->size_mu, NULL) != 0 ||
	    pthread_mutex_init(&pg->follow_mu, NULL) != 0 ||
	    pthread_mutex_init(&pg->pool_mu, NULL) != 0 ||
	    pthread_mutex_init(&pg->wake_mu, NULL) != 0 ||
	    pthread_cond_init(&pg->pool_cv, NULL) != 0) {
		rs_seterr("cannot initialise the store's locks");
		return -1;
	}
	return 0;
}

struct store *
store_pg_open(const char *hubdir, const struct hub_config *cfg, int mode)
{
	struct store *s = xcalloc(1, sizeof(*s));
	char *keypath = hub_path(hubdir, "operator.key");

	s->pg = xcalloc(1, sizeof(*s->pg));
	if (init_store(s, hubdir, cfg, mode) != 0) {
		free(keypath);
		store_pg_close(s);
		return NULL;
	}
	if (mode != STORE_PG_READER &&
	    (s->op = keyfile_read(keypath, KEY_OPERATOR, NULL)) == NULL) {
		free(keypath);
		goto fail;
	}
	free(keypath);
	if ((s->pg->w = pg_connect(s->pg->url)) == NULL ||
	    pg_schema_check(s->pg->w, s->dbpath) != 0)
		goto fail;
	/* rosterd check: one snapshot for every read, and the operator key
	 * compared by the check itself (a problem to report, not a refusal). */
	if (mode == STORE_PG_RAW) {
		if (pg_script(s->pg->w, "BEGIN ISOLATION LEVEL REPEATABLE READ"
		    " READ ONLY") != 0)
			goto fail;
		return s;
	}
	if (check_operator(s) != 0)
		goto fail;
	s->pg->w_pid = PQbackendPID(s->pg->w);
	if (load_state(s) != 0)
		goto fail;
	if (mode == STORE_PG_READER)
		return s;
	if (s->cfg.startup_check && !MUTANT(startcheck) && store_check(s) != 0)
		goto fail;
	if (cp_load(s) != 0)
		goto fail;
	s->quota = quota_new(cfg->quota_envelopes, cfg->quota_bytes);
	return s;
fail:
	store_pg_close(s);
	return NULL;
}

void
store_pg_close(struct store *s)
{
	struct pgstore *pg = s->pg;

	pgs_follow_stop(s);
	if (pg->w != NULL && s->op != NULL && pg->mode == STORE_PG_SERVE &&
	    !pg_broken(pg->w) && cp_persist(s) != 0)
		log_event(LOG_ERROR, "checkpoint", "cannot save the latest "
		    "checkpoint: %s", rs_err());
	pg_close(pg->w);
	for (size_t i = 0; i < pg->npool; i++)
		pg_close(pg->pool[i]);
	free(pg->pool);
	pgcopy_free(&pg->c_log);
	pgcopy_free(&pg->c_rcpt);
	pgcopy_free(&pg->c_pub);
	pgcopy_free(&pg->c_head);
	pgcopy_free(&pg->c_tree[0]);
	pgcopy_free(&pg->c_tree[1]);
	buf_free(&pg->wake);
	merkle_close(s->tree);
	merkle_close(s->ptree);
	dir_free(s->dir);
	proc_free(s->proc);
	reg_free(s->reg);
	quota_free(s->quota);
	cp_free(s);
	keypair_free(s->op);
	pthread_rwlock_destroy(&s->dirlock);
	pthread_mutex_destroy(&s->pool_mu);
	pthread_mutex_destroy(&s->cp_mu);
	pthread_mutex_destroy(&s->size_mu);
	pthread_mutex_destroy(&pg->follow_mu);
	pthread_mutex_destroy(&pg->pool_mu);
	pthread_mutex_destroy(&pg->wake_mu);
	pthread_cond_destroy(&pg->pool_cv);
	free(s->hubdir);
	free(s->dbpath);
	free(pg);
	free(s);
}

/* ---- create ----------------------------------------------------------------- */

int
store_pg_wipe(const struct hub_config *cfg)
{
	PGconn *c = pg_connect(cfg->db);
	int rc;

	if (c == NULL)
		return -1;
	rc = pg_script(c, "BEGIN; TRUNCATE log, rcpt, head, pub, tree, ptree,"
	    " checkpoint, meta; UPDATE seqlock SET size = 0, pub_size = 0,"
	    " last_time = 0; COMMIT");
	pg_close(c);
	return rc;
}

int
store_pg_create(const struct hub_config *cfg, const uint8_t operator_pk[32])
{
	PGconn *c = pg_connect(cfg->db);
	PGresult *r;
	struct pgq q;
	char *hex = NULL;
	int from, to, rc = -1;

	if (c == NULL)
		return -1;
	if (pg_schema_migrate(c, &from, &to) != 0)
		goto out;
	if ((r = pg_exec(c, "SELECT 1 FROM meta WHERE k = 'operator_key'", NULL)) == NULL)
		goto out;
	if (PQntuples(r) > 0) {
		PQclear(r);
		rs_seterr("%s already holds a hub's log; refusing to start "
		    "another in it", pg_redact(cfg->db));
		goto out;
	}
	PQclear(r);
	hex = hex_encode(operator_pk, 32);
	pgq_init(&q);
	pgq_text(&q, hex);
	if (pg_cmd(c, "INSERT INTO meta(k, v) VALUES ('operator_key', $1)", &q) != 0)
		goto out;
	rc = 0;
out:
	free(hex);
	pg_close(c);
	return rc;
}
