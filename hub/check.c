/*
 * check.c - "rosterd check": an fsck of a hub's log, for operators and for
 * the crash tests.
 *
 * It trusts nothing it reads and recomputes everything from the envelope
 * bytes, in one pass over the log in index order (signatures verified on
 * every core, a chunk of rows at a time):
 *
 *   - indexes are contiguous from 0 and log times never go back;
 *   - every envelope parses, its signature verifies, its id is the SHA-256
 *     of its bytes and the row's kind, state, signer and seq are its
 *     header's;
 *   - replayed through the directory rules with chain checking, exactly as
 *     the hub would have appended them, every envelope is allowed;
 *   - ids are unique (sorted at the end: 32 bytes per envelope in memory);
 *   - the root recomputed from the leaves (id, log time) is the tree files'
 *     root, leaf by leaf; the chain heads and routing rows agree with the
 *     log; the stored checkpoint verifies and matches the log at its size;
 *   - the public records (docs/protocol.md section 8): the pub table lists
 *     exactly the envelopes whose headers make them public, numbered 0, 1,
 *     2, ... in log order; the public tree's files hold their leaves; a v2
 *     checkpoint's public size and root are those of the log at its size;
 *   - with --receipts, each receipt verifies against the operator key and
 *     its envelope is stored at its index with its time: what a receipt
 *     promised survived.
 *
 * It holds the hub lock while it runs, so it never reads a log that a hub is
 * writing; it writes nothing except what opening a tree always does (cutting
 * leaves beyond the committed size, which no one was ever promised).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checkrec.h"
#include "db.h"
#include "directory.h"
#include "envelope.h"
#include "hub.h"
#include "jsonutil.h"
#include "keys.h"
#include "merkle.h"
#include "process.h"
#include "rules.h"
#include "statement.h"
#include "store.h"
#include "util.h"
#include "workpool.h"

#define REPORT_MAX	20	/* problems printed per run before summarising */
#define RECEIPT_LINE_MAX (64 * 1024)

struct check {
	const char *hubdir;
	const char *receipts;
	sqlite3 *db;
	struct merkle_tree *tree;
	struct keypair *op;
	struct directory *dir;
	struct process *proc;
	struct workpool *pool;
	uint64_t problems;

	/* the walk */
	uint64_t n;			/* next expected index */
	uint64_t rows;			/* rows seen */
	int64_t last_time;
	uint8_t (*ids)[32];
	size_t idcap;
	uint64_t rcpt_rows;
	struct merkle_frontier range;	/* the root as the walk goes */
	/* the public records */
	struct merkle_tree *ptree;
	int64_t *pub;			/* pub's log index by pindex */
	uint64_t npub, pi;		/* rows in pub; next one the walk expects */
	struct merkle_frontier prange;	/* the public root as the walk goes */
	uint64_t pleaf_mismatch;
	/* checkpoint */
	int has_cp;
	struct checkpoint cp;
	uint8_t cp_root[32], cp_proot[32];
	uint64_t cp_pub;
	int cp_root_seen;
	uint64_t leaf_mismatch;
};

static void
problem(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->problems++ < REPORT_MAX) {
		fputs("rosterd check: ", stdout);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		fputc('\n', stdout);
	}
}

/* ---- options ------------------------------------------------------------------- */

static int
parse_check(int argc, char **argv, struct check *c)
{
	struct opts o;

	if (hub_opts(&o, &hdoc_check, argc, argv) != 0)
		return -1;
	c->receipts = opt_value(&o, "--receipts");
	return hub_opts_finish(&o, &c->hubdir);
}

/* ---- opening ------------------------------------------------------------------- */

static int
open_db(struct check *c)
{
	char *path = hub_path(c->hubdir, "hub.db"), *want;
	struct stat st;
	uint8_t pk[32];
	int rc = -1;

	if (stat(path, &st) != 0) {
		rs_seterr("%s is missing: not an initialised hub", path);
		goto out;
	}
	if ((c->db = db_open(path, NULL)) == NULL)
		goto out;
	want = db_meta_get_text(c->db, "operator_key");
	if (want == NULL || hex_decode_exact(pk, 32, want) != 0)
		problem(c, "the database records no operator key");
	else if (memcmp(pk, c->op->pk, 32) != 0)
		problem(c, "operator.key is not the key recorded in the database");
	free(want);
	rc = 0;
out:
	free(path);
	return rc;
}

static void
load_checkpoint(struct check *c)
{
	char *text = db_meta_get_text(c->db, "checkpoint");
	char *sigb = db_meta_get_text(c->db, "checkpoint_sig");
	struct buf sig = {0};

	if (text != NULL && sigb != NULL) {
		if (b64_decode(&sig, sigb, strlen(sigb)) != 0 || sig.len != 64 ||
		    checkpoint_parse(&c->cp, text, sig.p, c->op->pk) != 0)
			problem(c, "the stored checkpoint does not verify: %s", rs_err());
		else
			c->has_cp = 1;
	}
	buf_free(&sig);
	free(text);
	free(sigb);
}

static int
blob_is(sqlite3_stmt *st, int col, const uint8_t *want, size_t len)
{
	return (size_t)sqlite3_column_bytes(st, col) == len &&
	    memcmp(sqlite3_column_blob(st, col), want, len) == 0;
}

static uint64_t
count_rows(struct check *c)
{
	sqlite3_stmt *st = db_prep(c->db, "SELECT count(*) FROM log");
	uint64_t n = 0;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		n = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* ---- the walk ------------------------------------------------------------------- */

/*
 * Rows are read in chunks; each chunk's envelopes are parsed and their
 * signatures verified on every core (the work pool), then the chunk is
 * checked in log order on this thread (directory rules, chains, leaves),
 * which is what must be sequential.  A million envelopes cost a million
 * verifications: this halves the wait on two cores.
 */
#define CHUNK_ROWS	4096
#define CHUNK_BYTES	((size_t)64 << 20)

struct row {
	uint64_t idx;
	int64_t time;
	uint8_t id[32];
	int id_ok;
	char *kind, *state;
	uint8_t signer[32];
	int signer_ok;
	int has_seq;
	int64_t seq;
	uint8_t *raw;
	size_t len;
	/* filled by the pool */
	struct envelope e;
	int parsed, verified;
	char err[256];
};

static char *
col_text(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return t != NULL ? xstrdup(t) : NULL;
}

static size_t
read_row(sqlite3_stmt *st, struct row *r)
{
	const void *raw = sqlite3_column_blob(st, 6);

	memset(r, 0, sizeof(*r));
	r->idx = (uint64_t)sqlite3_column_int64(st, 0);
	r->time = sqlite3_column_int64(st, 2);
	if ((r->id_ok = sqlite3_column_bytes(st, 1) == 32))
		memcpy(r->id, sqlite3_column_blob(st, 1), 32);
	r->kind = col_text(st, 3);
	r->state = col_text(st, 4);
	if ((r->signer_ok = sqlite3_column_bytes(st, 5) == 32))
		memcpy(r->signer, sqlite3_column_blob(st, 5), 32);
	if ((r->has_seq = sqlite3_column_type(st, 7) == SQLITE_INTEGER))
		r->seq = sqlite3_column_int64(st, 7);
	r->len = (size_t)sqlite3_column_bytes(st, 6);
	r->raw = xmalloc(r->len);
	if (raw != NULL)
		memcpy(r->raw, raw, r->len);
	else
		r->len = 0;
	return r->len;
}

static void
free_row(struct row *r)
{
	if (r->parsed)
		env_free(&r->e);
	free(r->kind);
	free(r->state);
	free(r->raw);
}

/* work_fn: parse and verify one row's envelope. */
static void
verify_row(void *arg, size_t i)
{
	struct row *r = &((struct row *)arg)[i];

	if (env_parse(&r->e, r->raw, r->len) != 0) {
		snprintf(r->err, sizeof(r->err), "%.255s", rs_err());
		return;
	}
	r->parsed = 1;
	r->verified = env_verify(&r->e) == 0;
}

static int
str_eq(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static int
columns_match(const struct row *r)
{
	const struct envelope *e = &r->e;
	int want_seq = kind_has(e->kind_id, KIND_CHAINED) && e->seq > 0;

	return str_eq(r->kind, e->kind) && str_eq(r->state, e->state) &&
	    r->signer_ok && memcmp(r->signer, e->key, 32) == 0 &&
	    r->has_seq == want_seq && (!want_seq || r->seq == e->seq);
}

static uint64_t
count_recipients(const struct envelope *e)
{
	json_t *r = env_field(e, "rcpt"), *v;
	uint8_t (*keys)[32];
	uint64_t n = 0;
	size_t i;

	if (!kind_has(e->kind_id, KIND_ROUTED) || !json_is_array(r))
		return 0;
	keys = xcalloc(json_array_size(r) + 1, 32);
	json_array_foreach(r, i, v) {
		uint8_t k[32];
		int dup = 0;
		if (!json_is_string(v) || hex_decode_exact(k, 32, json_string_value(v)) != 0)
			continue;
		for (uint64_t j = 0; j < n && !dup; j++)
			dup = memcmp(keys[j], k, 32) == 0;
		if (!dup)
			memcpy(keys[n++], k, 32);
	}
	free(keys);
	return n + (checkrec_is_answer(e) ? 1 : 0);	/* its routing row */
}

static void
check_envelope(struct check *c, struct row *r)
{
	unsigned long long idx = (unsigned long long)r->idx;

	if (!r->parsed) {
		problem(c, "envelope %llu does not parse: %s", idx, r->err);
		return;
	}
	if (!r->id_ok || memcmp(r->id, r->e.id, 32) != 0)
		problem(c, "envelope %llu: stored id is not the hash of its bytes", idx);
	if (!columns_match(r))
		problem(c, "envelope %llu: kind, state, signer or seq columns "
		    "differ from its header", idx);
	if (!r->verified)
		problem(c, "envelope %llu: signature does not verify", idx);
	else if (rules_take(c->dir, c->proc, &r->e, r->idx, r->time,
	    DIR_CHECK_CHAIN) != RULES_OK)
		problem(c, "envelope %llu breaks the %s rules: %s", idx,
		    kind_has(r->e.kind_id, KIND_PROCESS) ? "process's" :
		    "directory", rs_err());
	c->rcpt_rows += count_recipients(&r->e);
}

static void
check_leaf(struct check *c, uint64_t idx, int64_t time, const uint8_t id[32])
{
	uint8_t leaf[32], have[32];

	env_leaf_hash(leaf, id, time);
	if (merkle_frontier_append(&c->range, leaf) != 0)
		problem(c, "tree: %s", rs_err());
	if (c->tree != NULL && (merkle_leaf(c->tree, idx, have) != 0 ||
	    memcmp(have, leaf, 32) != 0) && c->leaf_mismatch++ == 0)
		problem(c, "tree: leaf %llu is not the leaf of the envelope "
		    "stored there", (unsigned long long)idx);
	if (c->has_cp && c->cp.size == idx + 1) {
		merkle_frontier_root(&c->range, c->cp_root);
		merkle_frontier_root(&c->prange, c->cp_proot);
		c->cp_pub = c->prange.size;
		c->cp_root_seen = 1;
	}
}

/* Is the envelope in pub exactly when its header makes it public, at the
 * next public index, with its leaf in the public tree? */
static void
check_public(struct check *c, struct row *r)
{
	unsigned long long idx = (unsigned long long)r->idx;
	int64_t at = (int64_t)r->idx;
	int listed;
	uint8_t leaf[32], have[32];

	if (!r->parsed)
		return;
	while (c->pi < c->npub && c->pub[c->pi] < at) {
		problem(c, "public record %llu names log index %lld, which is not "
		    "in the log", (unsigned long long)c->pi, (long long)c->pub[c->pi]);
		c->pi++;
	}
	listed = c->pi < c->npub && c->pub[c->pi] == at;
	if (!record_is_public(&r->e)) {
		if (listed) {
			problem(c, "envelope %llu is listed as public record %llu but "
			    "its header makes it mail", idx, (unsigned long long)c->pi);
			c->pi++;
		}
		return;
	}
	if (!listed) {
		problem(c, "envelope %llu is a public record missing from the pub "
		    "table (the public tree leaves it out)", idx);
		return;
	}
	merkle_public_leaf(leaf, (uint64_t)r->idx, r->id, r->time);
	if (merkle_frontier_append(&c->prange, leaf) != 0)
		problem(c, "public tree: %s", rs_err());
	if (c->ptree != NULL && (merkle_leaf(c->ptree, c->pi, have) != 0 ||
	    memcmp(have, leaf, 32) != 0) && c->pleaf_mismatch++ == 0)
		problem(c, "public tree: leaf %llu is not the leaf of envelope %llu",
		    (unsigned long long)c->pi, idx);
	c->pi++;
}

static void
check_row(struct check *c, struct row *r)
{
	if (r->idx != c->n)
		problem(c, "index %llu is missing (the next row is %llu)",
		    (unsigned long long)c->n, (unsigned long long)r->idx);
	if (r->time < c->last_time)
		problem(c, "envelope %llu: log time %lld goes back (previous %lld)",
		    (unsigned long long)r->idx, (long long)r->time,
		    (long long)c->last_time);
	c->last_time = r->time;
	check_envelope(c, r);
	if (c->rows == c->idcap) {
		c->idcap = c->idcap ? c->idcap * 2 : 4096;
		c->ids = xrealloc(c->ids, c->idcap * 32);
	}
	memcpy(c->ids[c->rows++], r->id, 32);
	check_public(c, r);
	check_leaf(c, r->idx, r->time, r->id);
	c->n = r->idx + 1 > c->n ? r->idx + 1 : c->n + 1;
}

static int
id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

static void
check_unique(struct check *c, uint64_t rows)
{
	uint64_t dups = 0;

	if (rows < 2)
		return;
	qsort(c->ids, rows, 32, id_cmp);
	for (uint64_t i = 1; i < rows; i++)
		dups += memcmp(c->ids[i - 1], c->ids[i], 32) == 0;
	if (dups > 0)
		problem(c, "%llu envelope ids occur more than once",
		    (unsigned long long)dups);
}

static void
check_chunk(struct check *c, struct row *rows, size_t n)
{
	workpool_for(c->pool, n, 64, verify_row, rows);
	for (size_t i = 0; i < n; i++) {
		check_row(c, &rows[i]);
		free_row(&rows[i]);
	}
}

static int
walk(struct check *c, uint64_t *rows)
{
	sqlite3_stmt *st = db_prep(c->db, "SELECT idx, id, time, kind, state,"
	    " signer, envelope, seq FROM log ORDER BY idx");
	struct row *chunk = xcalloc(CHUNK_ROWS, sizeof(*chunk));
	size_t n = 0, bytes = 0;
	int rc;

	*rows = 0;
	if (st == NULL) {
		free(chunk);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bytes += read_row(st, &chunk[n++]);
		if (n == CHUNK_ROWS || bytes >= CHUNK_BYTES) {
			check_chunk(c, chunk, n);
			n = bytes = 0;
		}
	}
	check_chunk(c, chunk, n);
	free(chunk);
	*rows = c->rows;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rs_seterr("cannot read the log: %s", sqlite3_errmsg(c->db));
		return -1;
	}
	check_unique(c, *rows);
	return 0;
}

/* ---- after the walk --------------------------------------------------------------- */

static void
check_heads(struct check *c)
{
	sqlite3_stmt *st = db_prep(c->db, "SELECT device, seq, id FROM head");
	struct dir_device *dev;
	uint64_t heads = 0, want = 0;

	if (st == NULL)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		heads++;
		dev = sqlite3_column_bytes(st, 0) == 32 ?
		    dir_device(c->dir, sqlite3_column_blob(st, 0)) : NULL;
		if (dev == NULL || dev->last_seq != sqlite3_column_int64(st, 1) ||
		    !blob_is(st, 2, dev->last_id, 32))
			problem(c, "chain head table disagrees with the log for "
			    "device %llu of the table", (unsigned long long)heads);
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < c->dir->ndevices; i++)
		want += c->dir->devices[i]->last_seq > 0;
	if (want != heads)
		problem(c, "chain head table has %llu devices, the log %llu",
		    (unsigned long long)heads, (unsigned long long)want);
}

static void
check_size(struct check *c)
{
	int64_t recorded;

	if (db_meta_get_int(c->db, "size", &recorded) != 0) {
		if (c->rows > 0)
			problem(c, "the database does not record its size");
	} else if ((uint64_t)recorded != c->rows)
		problem(c, "the database records %lld envelopes but holds %llu",
		    (long long)recorded, (unsigned long long)c->rows);
}

static void
check_rcpt(struct check *c)
{
	sqlite3_stmt *st = db_prep(c->db, "SELECT count(*) FROM rcpt");
	uint64_t n = 0;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		n = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (n != c->rcpt_rows)
		problem(c, "routing table has %llu rows, the log's recipients "
		    "call for %llu", (unsigned long long)n,
		    (unsigned long long)c->rcpt_rows);
}

static void
check_tree_root(struct check *c, const uint8_t root[32])
{
	uint8_t have[32];

	if (c->tree == NULL)
		return;
	if (merkle_root(c->tree, c->n, have) != 0)
		problem(c, "tree: %s", rs_err());
	else if (memcmp(have, root, 32) != 0)
		problem(c, "tree: the root of the tree files is not the root of "
		    "the log");
	if (c->leaf_mismatch > 1)
		problem(c, "tree: %llu leaves in all differ from the log",
		    (unsigned long long)c->leaf_mismatch);
}

static void
check_cp(struct check *c, const uint8_t root[32])
{
	if (!c->has_cp)
		return;
	if (c->cp.size > c->n)
		problem(c, "the stored checkpoint covers %llu envelopes but the "
		    "log holds %llu: signed entries were lost",
		    (unsigned long long)c->cp.size, (unsigned long long)c->n);
	else if (c->cp.size == 0) {
		uint8_t e[32];
		merkle_empty_root(e);
		if (memcmp(e, c->cp.root, 32) != 0)
			problem(c, "the stored checkpoint of the empty log has a "
			    "wrong root");
	} else if (!c->cp_root_seen || memcmp(c->cp_root, c->cp.root, 32) != 0)
		problem(c, "the stored checkpoint's root (size %llu) is not the "
		    "log's root at that size", (unsigned long long)c->cp.size);
	else if (c->cp.version == 2 && (c->cp_pub != c->cp.pub_size ||
	    memcmp(c->cp_proot, c->cp.pub_root, 32) != 0))
		problem(c, "the stored checkpoint's public size and root (%llu) are "
		    "not the log's at its size (%llu public records)",
		    (unsigned long long)c->cp.pub_size, (unsigned long long)c->cp_pub);
	(void)root;
}

/* The pub table, by pindex; it must be dense from 0 with rising indexes. */
static void
load_pub(struct check *c)
{
	sqlite3_stmt *st = db_prep(c->db, "SELECT pindex, idx FROM pub ORDER BY pindex");
	size_t cap = 0;

	if (st == NULL) {
		problem(c, "the database has no pub table (run rosterd serve once to "
		    "build it): %s", rs_err());
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t pi = sqlite3_column_int64(st, 0), idx = sqlite3_column_int64(st, 1);
		if ((uint64_t)pi != c->npub) {
			problem(c, "public record %llu is missing (the next is %lld)",
			    (unsigned long long)c->npub, (long long)pi);
		}
		if (c->npub > 0 && idx <= c->pub[c->npub - 1])
			problem(c, "public record %lld names log index %lld, not after "
			    "the previous one's", (long long)pi, (long long)idx);
		if (c->npub == cap) {
			cap = cap ? 2 * cap : 1024;
			c->pub = xrealloc(c->pub, cap * sizeof(*c->pub));
		}
		c->pub[c->npub++] = idx;
	}
	sqlite3_finalize(st);
}

static void
check_public_end(struct check *c)
{
	uint8_t want[32], have[32];

	while (c->pi < c->npub) {
		problem(c, "public record %llu names log index %lld, which is not "
		    "in the log", (unsigned long long)c->pi, (long long)c->pub[c->pi]);
		c->pi++;
	}
	if (c->ptree == NULL)
		return;
	merkle_frontier_root(&c->prange, want);
	if (merkle_root(c->ptree, c->prange.size, have) != 0)
		problem(c, "public tree: %s", rs_err());
	else if (memcmp(have, want, 32) != 0)
		problem(c, "public tree: the root of its files is not the root of "
		    "the log's public records");
	if (c->pleaf_mismatch > 1)
		problem(c, "public tree: %llu leaves in all differ from the log",
		    (unsigned long long)c->pleaf_mismatch);
}

/* ---- receipts ------------------------------------------------------------------------ */

static void
check_receipt_line(struct check *c, sqlite3_stmt *st, const char *line,
    size_t lineno, uint64_t *ok)
{
	struct receipt r;
	json_t *j = jparse(line, strlen(line));

	if (j == NULL || receipt_from_json(&r, j) != 0) {
		problem(c, "receipt line %zu: %s", lineno, rs_err());
		json_decref(j);
		return;
	}
	json_decref(j);
	if (receipt_verify(&r, c->op->pk) != 0) {
		problem(c, "receipt line %zu: %s", lineno, rs_err());
		return;
	}
	sqlite3_bind_int64(st, 1, (int64_t)r.index);
	if (sqlite3_step(st) != SQLITE_ROW)
		problem(c, "receipt line %zu: index %llu is not in the log "
		    "(LOST)", lineno, (unsigned long long)r.index);
	else if (!blob_is(st, 0, r.id, 32) || sqlite3_column_int64(st, 1) != r.time)
		problem(c, "receipt line %zu: index %llu holds another envelope "
		    "or time", lineno, (unsigned long long)r.index);
	else
		(*ok)++;
	sqlite3_reset(st);
}

static int
check_receipts(struct check *c, uint64_t *ok)
{
	FILE *f = fopen(c->receipts, "r");
	sqlite3_stmt *st;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;

	*ok = 0;
	if (f == NULL) {
		rs_seterr("cannot open %s: %s", c->receipts, strerror(errno));
		return -1;
	}
	if ((st = db_prep(c->db, "SELECT id, time FROM log WHERE idx = ?")) == NULL) {
		fclose(f);
		return -1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (len > RECEIPT_LINE_MAX) {
			problem(c, "receipt line %zu is too long", lineno);
			continue;
		}
		check_receipt_line(c, st, line, lineno, ok);
	}
	free(line);
	sqlite3_finalize(st);
	fclose(f);
	return 0;
}

/* ---- main ------------------------------------------------------------------------------ */

static int
run_check(struct check *c)
{
	char *keypath = hub_path(c->hubdir, "operator.key");
	char *treedir = hub_path(c->hubdir, "tree");
	char *ptreedir = hub_path(c->hubdir, "tree/public");
	uint8_t root[32];
	uint64_t rows, receipts_ok = 0;
	char *hex;
	int rc = -1;

	c->op = keyfile_read(keypath, KEY_OPERATOR, NULL);
	if (c->op == NULL || open_db(c) != 0)
		goto out;
	c->dir = dir_new(c->op->pk);
	c->proc = proc_new();
	c->pool = workpool_new(0);	/* NULL: verify on this thread alone */
	load_checkpoint(c);
	if (merkle_open(&c->tree, treedir, count_rows(c)) != 0) {
		problem(c, "tree: %s", rs_err());
		c->tree = NULL;
	}
	load_pub(c);
	if (merkle_open(&c->ptree, ptreedir, c->npub) != 0) {
		problem(c, "public tree: %s", rs_err());
		c->ptree = NULL;
	}
	if (walk(c, &rows) != 0)
		goto out;
	merkle_frontier_root(&c->range, root);
	check_tree_root(c, root);
	check_public_end(c);
	check_heads(c);
	check_size(c);
	check_rcpt(c);
	check_cp(c, root);
	if (c->receipts != NULL && check_receipts(c, &receipts_ok) != 0)
		goto out;
	if (c->problems > REPORT_MAX)
		printf("rosterd check: ... and %llu more problems\n",
		    (unsigned long long)(c->problems - REPORT_MAX));
	merkle_frontier_root(&c->prange, root);
	hex = hex_encode(root, 32);
	printf("%llu public records, public root %s\n",
	    (unsigned long long)c->prange.size, hex);
	free(hex);
	merkle_frontier_root(&c->range, root);
	hex = hex_encode(root, 32);
	printf("%llu envelopes, root %s", (unsigned long long)rows, hex);
	if (c->receipts != NULL && c->problems == 0)
		printf(", all receipts present (%llu)", (unsigned long long)receipts_ok);
	else if (c->receipts != NULL)
		printf(", %llu receipts present", (unsigned long long)receipts_ok);
	printf("\n");
	if (c->problems > 0)
		printf("rosterd check: %llu problems found\n",
		    (unsigned long long)c->problems);
	free(hex);
	rc = 0;
out:
	free(keypath);
	free(treedir);
	free(ptreedir);
	return rc;
}

int
cmd_check(int argc, char **argv)
{
	struct check c;
	struct hub_config cfg;
	int lockfd, rc;

	memset(&c, 0, sizeof(c));
	if (parse_check(argc, argv, &c) != 0)
		return 2;
	if (hub_config_read(c.hubdir, &cfg) != 0) {
		fprintf(stderr, "rosterd check: %s\n", rs_err());
		return 1;
	}
	rc = hub_lock(c.hubdir, &lockfd);
	if (rc != 0) {
		fprintf(stderr, "rosterd check: %s%s\n", rs_err(), rc == 1 ?
		    " (stop the hub before checking it)" : "");
		return 1;
	}
	rc = run_check(&c);
	if (rc != 0)
		fprintf(stderr, "rosterd check: %s\n", rs_err());
	merkle_close(c.tree);
	merkle_close(c.ptree);
	free(c.pub);
	workpool_free(c.pool);
	db_close(c.db);
	dir_free(c.dir);
	proc_free(c.proc);
	checkpoint_free(&c.cp);
	keypair_free(c.op);
	free(c.ids);
	hub_unlock(lockfd);
	return rc != 0 || c.problems > 0 ? 1 : 0;
}
