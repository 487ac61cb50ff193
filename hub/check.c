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
 * leaves beyond the committed size, which no one was ever promised).  On
 * PostgreSQL it reads one snapshot of the database (store_open_raw), so it
 * may run while hubs serve: it checks the log as it was when it began, up
 * to the size the coordination row then recorded.
 *
 * Every read goes through the store's interface (store.h), so the same
 * checks run on both backends.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checkrec.h"
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
	struct store *s;
	uint64_t limit;			/* rows checked: idx below it */
	struct merkle_tree *tree;
	struct keypair *op;
	struct directory *dir;
	struct process *proc;
	struct registry *reg;
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
	size_t pubcap;
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
open_db(struct check *c, const struct hub_config *cfg)
{
	uint8_t pk[32];
	int64_t recorded;
	int rc;

	if ((c->s = store_open_raw(c->hubdir, cfg)) == NULL)
		return -1;
	c->op = c->s->op;
	if ((rc = c->s->ops->stored_operator(c->s, pk)) < 0)
		return -1;
	if (rc > 0)
		problem(c, "the database records no operator key");
	else if (memcmp(pk, c->op->pk, 32) != 0)
		problem(c, "operator.key is not the key recorded in the database");
	/* A log others may append to (PostgreSQL) is checked up to the size
	 * its coordination row recorded; a stopped hub's, every row. */
	c->limit = UINT64_MAX;
	if (c->s->pg != NULL && c->s->ops->recorded_size(c->s, &recorded) == 0)
		c->limit = (uint64_t)recorded;
	return 0;
}

static void
load_checkpoint(struct check *c)
{
	char *text = NULL, *sigb = NULL;
	struct buf sig = {0};

	if (c->s->ops->load_checkpoint(c->s, &text, &sigb) != 0)
		problem(c, "the stored checkpoint cannot be read: %s", rs_err());
	else if (text != NULL && sigb != NULL) {
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

static uint64_t
count_rows(struct check *c)
{
	uint64_t n = 0;

	if (c->limit != UINT64_MAX)
		return c->limit;
	if (c->s->ops->count(c->s, "log", &n) != 0)
		problem(c, "cannot count the log's rows: %s", rs_err());
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

static size_t
read_row(const struct store_row *sr, struct row *r)
{
	memset(r, 0, sizeof(*r));
	r->idx = sr->idx;
	r->time = sr->time;
	if ((r->id_ok = sr->id_len == 32))
		memcpy(r->id, sr->id, 32);
	r->kind = xstrdup(sr->kind);
	r->state = sr->state != NULL ? xstrdup(sr->state) : NULL;
	if ((r->signer_ok = sr->signer_len == 32))
		memcpy(r->signer, sr->signer, 32);
	r->has_seq = sr->has_seq;
	r->seq = sr->seq;
	r->len = sr->env != NULL ? sr->env_len : 0;
	r->raw = xmalloc(r->len > 0 ? r->len : 1);
	if (r->len > 0)
		memcpy(r->raw, sr->env, r->len);
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
	else if (rules_take(c->dir, c->proc, c->reg, &r->e, r->idx, r->time,
	    DIR_CHECK_CHAIN) != RULES_OK)
		problem(c, "envelope %llu breaks the %s rules: %s", idx,
		    kind_has(r->e.kind_id, KIND_PROCESS) ? "process's" :
		    kind_has(r->e.kind_id, KIND_REGISTRY) ? "registries'" :
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

struct walking {
	struct check *c;
	struct row *chunk;
	size_t n, bytes;
};

/* store_scan_cb: gathers rows into chunks, checked when full. */
static int
walk_row(void *arg, const struct store_row *sr)
{
	struct walking *w = arg;

	w->bytes += read_row(sr, &w->chunk[w->n++]);
	if (w->n == CHUNK_ROWS || w->bytes >= CHUNK_BYTES) {
		check_chunk(w->c, w->chunk, w->n);
		w->n = w->bytes = 0;
	}
	return 0;
}

static int
walk(struct check *c, uint64_t *rows)
{
	struct walking w = { .c = c };
	int rc;

	*rows = 0;
	w.chunk = xcalloc(CHUNK_ROWS, sizeof(*w.chunk));
	rc = c->s->ops->scan(c->s, c->limit, walk_row, &w);
	check_chunk(c, w.chunk, w.n);
	free(w.chunk);
	*rows = c->rows;
	if (rc != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("cannot read the log: %s", why);
		return -1;
	}
	check_unique(c, *rows);
	return 0;
}

/* ---- after the walk --------------------------------------------------------------- */

struct heading {
	struct check *c;
	uint64_t heads;
};

/* store_head_cb: one row of the chain-head table against the replay. */
static int
check_head(void *arg, const uint8_t *device, size_t dlen, int64_t seq,
    const uint8_t *id, size_t idlen)
{
	struct heading *h = arg;
	struct dir_device *dev;

	h->heads++;
	dev = dlen == 32 ? dir_device(h->c->dir, device) : NULL;
	if (dev == NULL || dev->last_seq != seq || idlen != 32 ||
	    memcmp(id, dev->last_id, 32) != 0)
		problem(h->c, "chain head table disagrees with the log for "
		    "device %llu of the table", (unsigned long long)h->heads);
	return 0;
}

static void
check_heads(struct check *c)
{
	struct heading h = { .c = c };
	uint64_t want = 0;

	if (c->s->ops->heads(c->s, check_head, &h) != 0) {
		problem(c, "cannot read the chain heads: %s", rs_err());
		return;
	}
	for (size_t i = 0; i < c->dir->ndevices; i++)
		want += c->dir->devices[i]->last_seq > 0;
	if (want != h.heads)
		problem(c, "chain head table has %llu devices, the log %llu",
		    (unsigned long long)h.heads, (unsigned long long)want);
}

static void
check_size(struct check *c)
{
	int64_t recorded;
	int rc = c->s->ops->recorded_size(c->s, &recorded);

	if (rc < 0)
		problem(c, "cannot read the recorded size: %s", rs_err());
	else if (rc > 0) {
		if (c->rows > 0)
			problem(c, "the database does not record its size");
	} else if ((uint64_t)recorded != c->rows)
		problem(c, "the database records %lld envelopes but holds %llu",
		    (long long)recorded, (unsigned long long)c->rows);
}

static void
check_rcpt(struct check *c)
{
	uint64_t n = 0;

	if (c->s->ops->count(c->s, "rcpt", &n) != 0)
		problem(c, "cannot count the routing rows: %s", rs_err());
	else if (c->limit == UINT64_MAX && n != c->rcpt_rows)
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

/* store_pub_cb: one row of the pub table, in pindex order. */
static int
pub_row(void *arg, int64_t pi, int64_t idx)
{
	struct check *c = arg;

	if ((uint64_t)pi != c->npub) {
		problem(c, "public record %llu is missing (the next is %lld)",
		    (unsigned long long)c->npub, (long long)pi);
	}
	if (c->npub > 0 && idx <= c->pub[c->npub - 1])
		problem(c, "public record %lld names log index %lld, not after "
		    "the previous one's", (long long)pi, (long long)idx);
	if (c->npub == c->pubcap) {
		c->pubcap = c->pubcap ? 2 * c->pubcap : 1024;
		c->pub = xrealloc(c->pub, c->pubcap * sizeof(*c->pub));
	}
	c->pub[c->npub++] = idx;
	return 0;
}

/* The pub table, by pindex; it must be dense from 0 with rising indexes. */
static void
load_pub(struct check *c)
{
	if (c->s->ops->pub_rows(c->s, c->limit, pub_row, c) != 0)
		problem(c, "the database has no readable pub table (run rosterd "
		    "serve once to build it): %s", rs_err());
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
check_receipt_line(struct check *c, const char *line, size_t lineno,
    uint64_t *ok)
{
	struct receipt r;
	struct buf env = {0};
	json_t *j = jparse(line, strlen(line));
	uint8_t id[32];
	int64_t time;
	int rc;

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
	rc = r.index < c->limit ? c->s->ops->row(c->s, r.index, &time, &env) : 1;
	if (rc < 0)
		problem(c, "receipt line %zu: %s", lineno, rs_err());
	else if (rc > 0)
		problem(c, "receipt line %zu: index %llu is not in the log "
		    "(LOST)", lineno, (unsigned long long)r.index);
	else {
		sha256(id, env.p, env.len);
		if (memcmp(id, r.id, 32) != 0 || time != r.time)
			problem(c, "receipt line %zu: index %llu holds another "
			    "envelope or time", lineno, (unsigned long long)r.index);
		else
			(*ok)++;
	}
	buf_free(&env);
}

static int
check_receipts(struct check *c, uint64_t *ok)
{
	FILE *f = fopen(c->receipts, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;

	*ok = 0;
	if (f == NULL) {
		rs_seterr("cannot open %s: %s", c->receipts, strerror(errno));
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
		check_receipt_line(c, line, lineno, ok);
	}
	free(line);
	fclose(f);
	return 0;
}

/* ---- main ------------------------------------------------------------------------------ */

static int
run_check(struct check *c, const struct hub_config *cfg)
{
	uint8_t root[32];
	uint64_t rows, receipts_ok = 0;
	char *hex;

	if (open_db(c, cfg) != 0)
		return -1;
	c->dir = dir_new(c->op->pk);
	c->proc = proc_new();
	if ((c->reg = reg_new_shipped()) == NULL)
		return -1;
	c->pool = workpool_new(0);	/* NULL: verify on this thread alone */
	load_checkpoint(c);
	if (c->s->ops->open_tree(c->s, 0, count_rows(c), &c->tree) != 0) {
		problem(c, "tree: %s", rs_err());
		c->tree = NULL;
	}
	load_pub(c);
	if (c->s->ops->open_tree(c->s, 1, c->npub, &c->ptree) != 0) {
		problem(c, "public tree: %s", rs_err());
		c->ptree = NULL;
	}
	if (walk(c, &rows) != 0)
		return -1;
	merkle_frontier_root(&c->range, root);
	check_tree_root(c, root);
	check_public_end(c);
	check_heads(c);
	if (c->limit == UINT64_MAX)
		check_size(c);
	check_rcpt(c);
	check_cp(c, root);
	if (c->receipts != NULL && check_receipts(c, &receipts_ok) != 0)
		return -1;
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
	return 0;
}

int
cmd_check(int argc, char **argv)
{
	struct check c;
	struct hub_config cfg;
	int lockfd = -1, rc;

	memset(&c, 0, sizeof(c));
	if (parse_check(argc, argv, &c) != 0)
		return 2;
	if (hub_config_read(c.hubdir, &cfg) != 0) {
		fprintf(stderr, "rosterd check: %s\n", rs_err());
		return 1;
	}
	/* SQLite: no hub may be writing.  PostgreSQL: a snapshot instead. */
	if (cfg.db[0] == '\0' && (rc = hub_lock(c.hubdir, &lockfd)) != 0) {
		fprintf(stderr, "rosterd check: %s%s\n", rs_err(), rc == 1 ?
		    " (stop the hub before checking it)" : "");
		return 1;
	}
	rc = run_check(&c, &cfg);
	if (rc != 0)
		fprintf(stderr, "rosterd check: %s\n", rs_err());
	merkle_close(c.tree);
	merkle_close(c.ptree);
	free(c.pub);
	workpool_free(c.pool);
	store_close(c.s);
	dir_free(c.dir);
	proc_free(c.proc);
	reg_free(c.reg);
	checkpoint_free(&c.cp);
	free(c.ids);
	hub_unlock(lockfd);
	return rc != 0 || c.problems > 0 ? 1 : 0;
}
