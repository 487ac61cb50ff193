/*
 * store_pg_follow.c - how a rosterd process follows what the others append
 * to the PostgreSQL log it shares with them.
 *
 * Each process keeps in memory what the SQLite hub keeps: the committed
 * size, public size and last log time, the directory, the trees' right
 * edges.  Another process's commit changes the log under it; this process
 * learns of it three ways: its own sequencer takes the coordination row
 * and finds the size moved (pgw_begin), a NOTIFY on roster_log says so
 * (the committing process sends one in its transaction, with the devices
 * that got mail), or, should a notification be lost with a connection, a
 * poll of the coordination row once a second.  Either way pgs_catch_up
 * runs, under follow_mu so the sequencer and the follower never change
 * that state at once:
 *
 *   for the new rows, a chunk at a time, in index order: each row's leaf
 *   is folded into a copy of the tree's compact range, each public row's
 *   (its pindex must be the next) into the public tree's, and the
 *   envelope of each public record is parsed and classified by its
 *   header; then both trees are moved to the new sizes (merkle_reset
 *   reads and checks their right edges) and their compact ranges must be
 *   the ones just folded: the rows another process committed are the
 *   leaves of the tree it committed, or nothing is applied and the store
 *   refuses to go on;
 *   then the directory records are applied, the chain heads of the new
 *   device envelopes set, each signer's envelopes charged to its quota
 *   (so a device gets one hour's quota across all processes, not one per
 *   process), and the new sizes published.
 *
 * After that, long polls parked on this process for the devices named in
 * the notifications are woken (all of them when a batch named too many to
 * list), and they answer from the new committed size.
 *
 * A database that holds fewer envelopes than this process saw committed
 * has lost receipted ones (a failover to a replica that was behind): the
 * store is marked broken and refuses everything, loudly.
 *
 * pgs_resync reads everything again (sizes, trees, directory) after a
 * failed batch or a lost connection.
 */
#include "store_pg.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kinds.h"
#include "log.h"
#include "rules.h"
#include "util.h"

#define CATCH_CHUNK	4096	/* rows read at a time */
#define POLL_MS		1000	/* the coordination row is read this often */

/* One row of a catch-up. */
struct crow {
	uint64_t idx;
	int64_t time;
	uint8_t id[32];
	uint8_t signer[32];
	int64_t seq;		/* 0 when none */
	size_t len;		/* the envelope's bytes, for the quotas */
	int public;
	struct envelope e;	/* public rows only */
};

static int
read_target(PGconn *c, uint64_t *size, uint64_t *pub, int64_t *last)
{
	PGresult *r = pg_exec(c, "SELECT size, pub_size, last_time FROM seqlock", NULL);

	if (r == NULL)
		return -1;
	*size = (uint64_t)pg_i64(r, 0, 0);
	*pub = (uint64_t)pg_i64(r, 0, 1);
	*last = pg_i64(r, 0, 2);
	PQclear(r);
	return 0;
}

static int
frontier_eq(const struct merkle_frontier *a, const struct merkle_frontier *b)
{
	return a->size == b->size && memcmp(a->h, b->h,
	    32 * (size_t)__builtin_popcountll(a->size)) == 0;
}

/* Reads and checks rows [n0, n1) into rows; folds their leaves. */
static int
read_chunk(struct store *s, PGconn *c, uint64_t n0, uint64_t n1,
    struct crow *rows, struct merkle_frontier *fm, struct merkle_frontier *fp)
{
	struct pgq q;
	PGresult *r;
	uint8_t leaf[32];
	int rc = -1, n;

	pgq_init(&q);
	pgq_i64(&q, (int64_t)n0);
	pgq_i64(&q, (int64_t)n1);
	r = pg_exec(c, "SELECT l.idx, l.id, l.time, l.signer, l.seq, p.pindex,"
	    " CASE WHEN p.pindex IS NOT NULL THEN l.envelope END,"
	    " octet_length(l.envelope) FROM log l"
	    " LEFT JOIN pub p ON p.idx = l.idx WHERE l.idx >= $1 AND l.idx < $2"
	    " ORDER BY l.idx", &q);
	if (r == NULL)
		return -1;
	n = PQntuples(r);
	if ((uint64_t)n != n1 - n0) {
		rs_seterr("the log holds %d rows from index %llu to %llu, not %llu",
		    n, (unsigned long long)n0, (unsigned long long)n1 - 1,
		    (unsigned long long)(n1 - n0));
		goto out;
	}
	for (int i = 0; i < n; i++) {
		struct crow *w = &rows[i];
		size_t il, sl, el;
		const uint8_t *id = pg_bytes(r, i, 1, &il), *signer = pg_bytes(r, i, 3, &sl);
		const uint8_t *env = pg_bytes(r, i, 6, &el);
		w->idx = (uint64_t)pg_i64(r, i, 0);
		w->time = pg_i64(r, i, 2);
		if (w->idx != n0 + (uint64_t)i || il != 32 || sl != 32) {
			rs_seterr("log row %llu is missing or malformed",
			    (unsigned long long)(n0 + (uint64_t)i));
			goto out;
		}
		memcpy(w->id, id, 32);
		memcpy(w->signer, signer, 32);
		w->seq = pg_null(r, i, 4) ? 0 : pg_i64(r, i, 4);
		w->len = (size_t)pg_i64(r, i, 7);
		env_leaf_hash(leaf, w->id, w->time);
		if (merkle_frontier_append(fm, leaf) != 0)
			goto out;
		if (pg_null(r, i, 5))
			continue;
		if ((uint64_t)pg_i64(r, i, 5) != fp->size) {
			rs_seterr("log row %llu is public record %lld, not %llu",
			    (unsigned long long)w->idx, (long long)pg_i64(r, i, 5),
			    (unsigned long long)fp->size);
			goto out;
		}
		if (env == NULL || env_parse(&w->e, env, el) != 0) {
			rs_seterr("stored envelope %llu does not parse",
			    (unsigned long long)w->idx);
			goto out;
		}
		w->public = 1;
		if (!record_is_public(&w->e)) {
			rs_seterr("public record %llu is not a public record by its "
			    "header", (unsigned long long)w->idx);
			goto out;
		}
		merkle_public_leaf(leaf, w->idx, w->id, w->time);
		if (merkle_frontier_append(fp, leaf) != 0)
			goto out;
	}
	rc = 0;
out:
	PQclear(r);
	return rc;
}

/* Moves both trees to the folded sizes; their edges must be the folded
 * compact ranges.  On failure both are back where they were. */
static int
move_trees(struct store *s, const struct merkle_frontier *fm,
    const struct merkle_frontier *fp, uint64_t n0, uint64_t p0)
{
	struct merkle_frontier have;

	if (merkle_reset(s->tree, fm->size) != 0)
		return -1;
	merkle_tree_frontier(s->tree, &have);
	if (!frontier_eq(&have, fm)) {
		rs_seterr("the Merkle tree in the database is not the tree of "
		    "its rows at size %llu", (unsigned long long)fm->size);
		goto back;
	}
	if (merkle_reset(s->ptree, fp->size) != 0)
		goto back;
	merkle_tree_frontier(s->ptree, &have);
	if (!frontier_eq(&have, fp)) {
		rs_seterr("the public tree in the database is not the tree of its "
		    "public rows at size %llu", (unsigned long long)fp->size);
		if (merkle_reset(s->ptree, p0) != 0)
			s->pg->need_resync = 1;
		goto back;
	}
	return 0;
back:
	if (merkle_reset(s->tree, n0) != 0)
		s->pg->need_resync = 1;
	return -1;
}

static void
apply_chunk(struct store *s, struct crow *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct crow *w = &rows[i];
		struct dir_device *dev;
		/* The other process's sequencer accepted these rows by the
		 * same rules (lib/rules.c); here they are applied, as its
		 * rules_apply did: the directory, a chain head, the process. */
		if (w->public) {
			if (kind_has(w->e.kind_id, KIND_DIRECTORY)) {
				pthread_rwlock_wrlock(&s->dirlock);
				rules_apply(s->dir, s->proc, s->reg, &w->e,
				    (int64_t)w->idx, w->time);
				pthread_rwlock_unlock(&s->dirlock);
			} else
				rules_apply(s->dir, s->proc, s->reg, &w->e,
				    (int64_t)w->idx, w->time);
		} else if (w->seq > 0 && (dev = dir_device(s->dir, w->signer)) != NULL) {
			/* dir_apply's effect of a device envelope: its chain head. */
			dev->last_seq = w->seq;
			memcpy(dev->last_id, w->id, 32);
		}
		/* What a signer appended through another process counts
		 * against its quota here too (the sequencer's quota_charge). */
		if (s->quota != NULL && memcmp(w->signer, s->op->pk, 32) != 0)
			quota_charge(s->quota, w->signer, w->len, w->time);
	}
}

static void
free_rows(struct crow *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].public)
			env_free(&rows[i].e);
	memset(rows, 0, n * sizeof(*rows));
}

int
pgs_catch_up(struct store *s, PGconn *c)
{
	struct merkle_frontier fm, fp;
	struct crow *rows = NULL;
	uint64_t size, pub, n0;
	int64_t last;
	int rc = -1;

	if (read_target(c, &size, &pub, &last) != 0)
		return -1;
	n0 = store_committed(s);
	if (size < n0) {
		rs_seterr("the database holds %llu envelopes, fewer than the %llu "
		    "this hub saw committed: committed envelopes were lost (a "
		    "failover to a replica that was behind?); refusing everything "
		    "until an operator looks (docs/operations.md)",
		    (unsigned long long)size, (unsigned long long)n0);
		log_event(LOG_ERROR, "database-behind", "%s", rs_err());
		s->broken = 1;
		return -1;
	}
	if (size == n0)
		return 0;
	rows = xcalloc(CATCH_CHUNK, sizeof(*rows));
	while (n0 < size) {
		uint64_t n1 = size - n0 > CATCH_CHUNK ? n0 + CATCH_CHUNK : size;
		uint64_t p0 = s->pub_size;
		assert(merkle_size(s->tree) == n0 && merkle_size(s->ptree) == p0);
		merkle_tree_frontier(s->tree, &fm);
		merkle_tree_frontier(s->ptree, &fp);
		if (read_chunk(s, c, n0, n1, rows, &fm, &fp) != 0 ||
		    move_trees(s, &fm, &fp, n0, p0) != 0) {
			char why[RS_ERRLEN];
			snprintf(why, sizeof(why), "%s", rs_err());
			rs_seterr("cannot follow the log from index %llu: %s",
			    (unsigned long long)n0, why);
			free_rows(rows, (size_t)(n1 - n0));
			goto out;
		}
		apply_chunk(s, rows, (size_t)(n1 - n0));
		s->pub_size = fp.size;
		s->last_time = rows[n1 - n0 - 1].time;
		store_set_committed(s, n1, s->pub_size, s->last_time);
		free_rows(rows, (size_t)(n1 - n0));
		n0 = n1;
	}
	if (s->pub_size != pub || s->last_time != last) {
		rs_seterr("the coordination row says %llu public records and log "
		    "time %lld at size %llu; the rows say %llu and %lld",
		    (unsigned long long)pub, (long long)last, (unsigned long long)size,
		    (unsigned long long)s->pub_size, (long long)s->last_time);
		s->pg->need_resync = 1;
		goto out;
	}
	rc = 0;
out:
	free(rows);
	return rc;
}

int
pgs_resync(struct store *s)
{
	struct pgstore *pg = s->pg;
	struct directory *d = NULL, *old;
	struct process *p = NULL, *oldp;
	struct registry *rg = NULL, *oldr;
	uint64_t size, pub;
	int64_t last;
	PGconn *c = pg->w;

	if (pg_broken(c)) {
		if (pg_reset(c) != 0)
			return -1;
		pg->w_pid = PQbackendPID(c);
	}
	if (pg_script(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") != 0)
		return -1;
	if (read_target(c, &size, &pub, &last) != 0 ||
	    (d = pgs_load_state(c, s->op->pk, &p, &rg)) == NULL) {
		pg_rollback(c);
		return -1;
	}
	pg_rollback(c);		/* read only: nothing to commit */
	if (size < store_committed(s)) {
		rs_seterr("the database holds %llu envelopes, fewer than the %llu "
		    "this hub saw committed: committed envelopes were lost",
		    (unsigned long long)size, (unsigned long long)store_committed(s));
		log_event(LOG_ERROR, "database-behind", "%s", rs_err());
		s->broken = 1;
		dir_free(d);
		proc_free(p);
		reg_free(rg);
		return -1;
	}
	/* Entries below these sizes never change: reading the trees outside
	 * the snapshot is reading the same entries. */
	if (merkle_reset(s->tree, size) != 0 || merkle_reset(s->ptree, pub) != 0) {
		dir_free(d);
		proc_free(p);
		reg_free(rg);
		return -1;
	}
	pthread_rwlock_wrlock(&s->dirlock);
	old = s->dir;
	s->dir = d;
	pthread_rwlock_unlock(&s->dirlock);
	dir_free(old);
	oldp = s->proc;		/* under follow_mu: the sequencer's and ours */
	s->proc = p;
	proc_free(oldp);
	oldr = s->reg;
	s->reg = rg;
	reg_free(oldr);
	s->pub_size = pub;
	s->last_time = last;
	store_set_committed(s, size, pub, last);
	pg->need_resync = 0;
	return 0;
}

/* ---- the follower thread ------------------------------------------------------ */

/* "SIZE KEY KEY ..." or "SIZE *" (store_pg_write.c).  A payload comes from
 * the database: whatever it holds, at most one key per 64 hex digits is
 * taken, anything that is not one is skipped. */
void
pgs_parse_payload(const char *p, struct wakes *w)
{
	const char *sp = strchr(p, ' ');

	while (sp != NULL) {
		p = sp + 1;
		sp = strchr(p, ' ');
		if (p[0] == '*') {
			w->all = 1;
			return;
		}
		if (w->n == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 64;
			w->keys = xrealloc(w->keys, w->cap * 32);
		}
		if (strlen(p) >= 64 && (sp == NULL || sp - p == 64)) {
			char hex[65];
			memcpy(hex, p, 64);
			hex[64] = '\0';
			if (hex_decode_exact(w->keys[w->n], 32, hex) == 0)
				w->n++;
		}
	}
}

static void
wake(struct store *s, struct wakes *w)
{
	struct pgstore *pg = s->pg;

	if (w->n == 0 && !w->all)
		return;
	pthread_mutex_lock(&pg->wake_mu);
	if (pg->wake_fn != NULL)
		pg->wake_fn(pg->wake_arg, (const uint8_t (*)[32])w->keys, w->n, w->all);
	pthread_mutex_unlock(&pg->wake_mu);
	w->n = 0;
	w->all = 0;
}

void
store_set_wake(struct store *s, void (*fn)(void *arg, const uint8_t (*keys)[32],
    size_t n, int all), void *arg)
{
	if (s->pg == NULL)
		return;
	pthread_mutex_lock(&s->pg->wake_mu);
	s->pg->wake_fn = fn;
	s->pg->wake_arg = arg;
	pthread_mutex_unlock(&s->pg->wake_mu);
}

static PGconn *
listen_conn(struct store *s)
{
	PGconn *c = pg_connect(s->pg->url);

	if (c != NULL && pg_cmd(c, "LISTEN " PG_CHANNEL, NULL) != 0) {
		pg_close(c);
		c = NULL;
	}
	return c;
}

/* 1 when asked to stop (within ms). */
static int
nap(struct pgstore *pg, int fd, int ms)
{
	struct pollfd p[2] = { { .fd = pg->stop_pipe[0], .events = POLLIN },
		{ .fd = fd, .events = POLLIN } };

	if (poll(p, fd >= 0 ? 2 : 1, ms) < 0 && errno != EINTR)
		return 0;
	return (p[0].revents & POLLIN) != 0;
}

static void *
follow_main(void *arg)
{
	struct store *s = arg;
	struct pgstore *pg = s->pg;
	struct wakes w = {0};
	PGconn *c = NULL;
	PGnotify *n;
	int64_t next_poll = 0;
	int due, logged = 0;

	for (;;) {
		if (c == NULL || pg_broken(c)) {
			pg_close(c);
			if ((c = listen_conn(s)) == NULL) {
				if (!logged++)
					log_event(LOG_WARN, "follow", "cannot listen for "
					    "other processes' appends: %s (retrying)", rs_err());
				if (nap(pg, -1, POLL_MS))
					break;
				continue;
			}
			/* Notifications may have been missed meanwhile. */
			logged = 0;
			w.all = 1;
			next_poll = 0;
		}
		if (nap(pg, PQsocket(c), POLL_MS))
			break;
		due = now_ms() >= next_poll;
		if (PQconsumeInput(c) == 0)
			continue;	/* broken: reconnect above */
		while ((n = PQnotifies(c)) != NULL) {
			if (n->be_pid != pg->w_pid) {
				pgs_parse_payload(n->extra, &w);
				due = 1;
			}
			PQfreemem(n);
		}
		if (!due)
			continue;
		pthread_mutex_lock(&pg->follow_mu);
		if (!s->broken) {
			if (pg->need_resync ? pgs_resync(s) : pgs_catch_up(s, c))
				log_event(LOG_WARN, "follow", "%s", rs_err());
		}
		pthread_mutex_unlock(&pg->follow_mu);
		wake(s, &w);
		next_poll = now_ms() + POLL_MS;
	}
	pg_close(c);
	free(w.keys);
	return NULL;
}

int
store_follow(struct store *s)
{
	return s->pg != NULL ? pgs_follow_start(s) : 0;
}

int
pgs_follow_start(struct store *s)
{
	struct pgstore *pg = s->pg;

	if (pg->th_running)
		return 0;
	if (pipe2(pg->stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		rs_seterr("cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	if (pthread_create(&pg->th, NULL, follow_main, s) != 0) {
		rs_seterr("cannot start the follower thread");
		return -1;
	}
	pg->th_running = 1;
	return 0;
}

void
pgs_follow_stop(struct store *s)
{
	struct pgstore *pg = s->pg;

	if (pg->th_running) {
		if (write(pg->stop_pipe[1], "x", 1) != 1)
			log_event(LOG_WARN, "follow", "cannot stop the follower: %s",
			    strerror(errno));
		pthread_join(pg->th, NULL);
		pg->th_running = 0;
	}
	for (int i = 0; i < 2; i++)
		if (pg->stop_pipe[i] >= 0) {
			close(pg->stop_pipe[i]);
			pg->stop_pipe[i] = -1;
		}
}
