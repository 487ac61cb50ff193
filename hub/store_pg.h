/*
 * store_pg.h - the PostgreSQL backend's own state, shared by its files:
 *
 *   pg_schema.c        the tables, versioned migrations
 *   store_pg.c         create, open, close; reader connections; every read
 *                      of struct store_ops; the trees as merkle sources
 *   store_pg_write.c   the sequencer's side: the coordination row, the
 *                      batch's rows sent by COPY, commit and NOTIFY
 *   store_pg_follow.c  following what other processes append (LISTEN, a
 *                      catch-up that checks their rows against the tree),
 *                      and resynchronising after a failure
 *
 * Connections: one writer (the sequencer's, also the follower's when it
 * catches up under follow_mu), one listener (the follower thread's), and
 * at most cfg.db_pool readers, taken by request threads one at a time and
 * never two by one thread (results are read whole and the connection given
 * back before any callback runs, so a callback may read again).
 */
#ifndef ROSTER_HUB_STORE_PG_H
#define ROSTER_HUB_STORE_PG_H

#include <pthread.h>

#include "pg.h"
#include "store.h"

#define PG_CHANNEL	"roster_log"	/* LISTEN/NOTIFY */

/* A tree as a merkle source: which of the two, in which store. */
struct pgtree {
	struct store *s;
	int public;
};

struct pgstore {
	char url[HUB_DB_MAX];
	int mode;			/* STORE_PG_SERVE, _RAW, _READER */

	/* The writer.  follow_mu is held from begin to end of every batch,
	 * and by the follower while it catches up: the in-memory state
	 * (sizes, directory, trees) changes under it only. */
	PGconn *w;
	_Atomic int w_pid;		/* its server process, to skip our NOTIFYs */
	pthread_mutex_t follow_mu;
	int in_txn;
	int need_resync;		/* memory may disagree with the database */
	struct pgcopy c_log, c_rcpt, c_pub, c_head, c_tree[2];
	uint64_t new_size;		/* set_size of this batch */
	struct buf wake;		/* devices routed by this batch, 32 bytes each */
	int wake_all;			/* too many for one NOTIFY */

	/* Readers. */
	pthread_mutex_t pool_mu;
	pthread_cond_t pool_cv;
	PGconn **pool;
	size_t npool, nopen, max;

	struct pgtree src[2];

	/* The follower (serve mode). */
	pthread_t th;
	int th_running;
	int stop_pipe[2];
	pthread_mutex_t wake_mu;
	void (*wake_fn)(void *arg, const uint8_t (*keys)[32], size_t n, int all);
	void *wake_arg;
};

/* ---- pg_schema.c ---- */
int pg_schema_latest(void);
/* 0 when the database holds no roster schema. */
int pg_schema_version(PGconn *c, int *version);
/* Applies every pending migration; *from and *to are the versions. */
int pg_schema_migrate(PGconn *c, int *from, int *to);
/* Every migration, applied (with its time) or pending (applied -1). */
typedef void (*pg_schema_cb)(void *arg, int version, const char *name,
    int64_t applied);
int pg_schema_list(PGconn *c, pg_schema_cb cb, void *arg);
/* 0 when the schema is this rosterd's; -1 with what to do otherwise. */
int pg_schema_check(PGconn *c, const char *what);

/* ---- store_pg.c ---- */
PGconn *pgs_reader(struct store *s);
void pgs_reader_done(struct store *s, PGconn *c);
/* The directory and the process from the database: public records
 * replayed in order, classified by their headers, then the chain heads (as
 * store_load_state); NULL with rs_err, *proc untouched. */
struct directory *pgs_load_state(PGconn *c, const uint8_t operator_pk[32],
    struct process **proc, struct registry **reg);
extern const struct merkle_source pgs_tree_source;

/* The COPY statement of a tree's entries (level, idx, h). */
const char *pgs_tree_copy_sql(int public);
extern const struct store_ops store_pg_ops;

/* ---- store_pg_write.c: the writer's entries of store_pg_ops ---- */
int pgw_begin(struct store *s);
int pgw_lookup(struct store *s, const struct envelope *e, uint64_t *idx,
    int64_t *time);
int pgw_insert(struct store *s, const struct envelope *e, uint64_t idx,
    int64_t time);
int pgw_set_head(struct store *s, const uint8_t device[32], int64_t seq,
    const uint8_t id[32]);
int pgw_set_size(struct store *s, uint64_t size);
int pgw_commit(struct store *s);
void pgw_rollback(struct store *s);
int pgw_recover(struct store *s, uint64_t base, uint64_t pub_base);
void pgw_end(struct store *s);
int pgw_save_checkpoint(struct store *s, uint64_t size, const char *text,
    const char *sig);

/* ---- store_pg_follow.c ---- */
/* Brings sizes, trees and directory up to the database's committed size
 * (read on c), checking the new rows against the stored trees; follow_mu
 * held.  -1 with rs_err, memory as it was before the failing chunk. */
int pgs_catch_up(struct store *s, PGconn *c);
/* Everything in memory again from the database (after a failed batch or a
 * lost connection); follow_mu held. */
int pgs_resync(struct store *s);
int pgs_follow_start(struct store *s);
void pgs_follow_stop(struct store *s);

/* The devices a NOTIFY payload names (fuzz/fuzz_hub_notify.c tries it). */
struct wakes {
	uint8_t (*keys)[32];
	size_t n, cap;
	int all;
};
void pgs_parse_payload(const char *payload, struct wakes *w);

#endif
