/*
 * store.h - the hub's durable state: the log in SQLite, the Merkle tree in
 * flat files, and what is derived from them in memory (the directory, the
 * committed size, the latest signed checkpoint).
 *
 * Two backends, one interface.  The embedded default is SQLite (store.c,
 * store_sqlite.c); a hub whose configuration names a postgresql:// URL
 * keeps everything, both trees included, in PostgreSQL instead
 * (store_pg.c, store_pg_write.c), so that several rosterd processes can
 * serve one log.  Everything that touches stored rows goes through
 * s->ops (struct store_ops below): the sequencer, the API, checkpoints,
 * communication checks, rosterd check and migrate-store are the same code
 * on both.  What the backends share is in struct store: the operator key,
 * the trees (lib/merkle.h: files, or a source tree over the database), the
 * in-memory directory, the committed sizes and the latest checkpoint.
 *
 * Two trees.  tree/ holds the log's tree (every envelope, section 4);
 * tree/public/ the public tree (the public records alone, section 8), and
 * the pub table maps each public index (pindex) to its log index.  The
 * sequencer appends to both in the same transaction and syncs both before
 * it commits, so a receipt for a public record means both hold it.
 *
 * One writer, many readers.  The sequencer (sequencer.c) is the only code
 * that writes, on the store's own connection (s->db) and only from its
 * thread; HTTP handlers read through a small pool of further connections,
 * which in WAL mode see the last committed transaction and never block the
 * writer.  "Committed" is the number of log rows known durable; readers
 * serve nothing at or beyond it, even though the tree may already hold
 * leaves of the batch being written.
 */
#ifndef ROSTER_HUB_STORE_H
#define ROSTER_HUB_STORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sqlite3.h>

#include "directory.h"
#include "envelope.h"
#include "hub.h"
#include "keys.h"
#include "merkle.h"
#include "process.h"
#include "quota.h"
#include "registry.h"
#include "statement.h"

#define STORE_POOL	16	/* idle reader connections kept */

struct store_ops;
struct pgstore;

struct store {
	const struct store_ops *ops;
	struct pgstore *pg;		/* the PostgreSQL backend's, else NULL */
	char *hubdir;
	char *dbpath;			/* for messages: hub.db's path, or the URL */
	char *treedir;
	struct hub_config cfg;
	struct keypair *op;		/* the operator key (signs) */

	sqlite3 *db;			/* the writer's connection */
	sqlite3_stmt *st_ins_log;
	sqlite3_stmt *st_ins_rcpt;
	sqlite3_stmt *st_get_chain;
	sqlite3_stmt *st_get_kind;
	sqlite3_stmt *st_set_head;
	sqlite3_stmt *st_ins_pub;
	struct merkle_tree *tree;
	struct merkle_tree *ptree;	/* the public tree */
	char *ptreedir;
	int64_t last_time;		/* log time of the last row (writer) */
	uint64_t pub_size;		/* public records appended (writer) */
	int broken;			/* memory and disk disagree: refuse */
	int deferred;			/* MUTANT(receipt): a batch left open */
	struct quota *quota;		/* per signer and hour (writer) */
	_Atomic uint64_t committed;	/* rows durable and servable */
	/* The public records among the committed rows and the log time of
	 * the last one; change together with committed, under size_mu
	 * (store_sizes reads the three). */
	pthread_mutex_t size_mu;
	uint64_t pub_committed;
	int64_t time_committed;

	/* The directory: written by the sequencer under the write lock,
	 * read by request handlers under the read lock. */
	struct directory *dir;
	pthread_rwlock_t dirlock;
	/* The process (lib/process.c) and the registries (lib/registry.c,
	 * over the shipped data), kept like the directory and rebuilt with it
	 * from the public records; the sequencer's thread only. */
	struct process *proc;
	struct registry *reg;

	pthread_mutex_t pool_mu;
	sqlite3 *pool[STORE_POOL];
	size_t npool;

	/* Latest signed checkpoint (checkpoint.c). */
	pthread_mutex_t cp_mu;
	struct checkpoint cp;
	int cp_valid;
	int cp_dirty;			/* signed but not yet in meta */
};

/* Creates HUBDIR/hub.db (schema, operator key in meta) and an empty tree.
 * (store_pg_create is the same in a PostgreSQL database.) */
int store_create(const char *hubdir, const uint8_t operator_pk[32]);

/* Opens an initialised hub: reads the operator key, the database, the trees
 * (rebuilding them from the log when their files are short or disagree,
 * saying so on stderr), checks every stored envelope against them
 * (store_check), then loads the directory and the latest checkpoint. */
struct store *store_open(const char *hubdir, const struct hub_config *cfg);
/* startcheck.c: every stored envelope against its id, its leaves in both
 * trees and its header (kind column, public or not).  0, or -1 with rs_err
 * naming the first bad index.  store_open runs it. */
int store_check(struct store *s);

/* Persists the latest checkpoint and closes everything. */
void store_close(struct store *s);

uint64_t store_committed(struct store *s);
/* The committed size, its public size and the last row's log time, as one
 * (time may be NULL). */
void store_sizes(struct store *s, uint64_t *size, uint64_t *pub, int64_t *time);
void store_set_committed(struct store *s, uint64_t n, uint64_t pub, int64_t time);
/* The number of public records below log index n (what a checkpoint of
 * size n commits to), from the pub table of db.  -1 on a database error. */
int store_pub_size_at(sqlite3 *db, uint64_t n, uint64_t *pub);

/* SQL text with "@public" replaced by the term of the kind index's WHERE
 * clause (the kinds that are not mail, from lib/kinds.c) and "@directory"
 * by the list of directory kinds; malloc'd.  store_prep prepares it. */
char *store_sql(const char *tmpl);
sqlite3_stmt *store_prep(sqlite3 *db, const char *tmpl);

/* Reader connections (any thread). */
sqlite3 *store_reader(struct store *s);
void store_reader_done(struct store *s, sqlite3 *db);

/* ---- writer side (the sequencer's thread only) ------------------------ */

/* Is e (refused by the rules) already in the log?  1 and its *idx, *time
 * when it is (committed or in the open transaction), 0 when not, -1 on
 * error.  Looks by (signer, seq) for device kinds, among the rows of e's
 * kind otherwise (see store.c on why there is no id index). */
int store_lookup(struct store *s, const struct envelope *e, uint64_t *idx,
    int64_t *time);
/* Inserts the log row, its routing rows and, when e is a public record
 * (lib/kinds.c decides, from its header), its pub row at pindex
 * s->pub_size, which it then counts.  -2 when the device's sequence number
 * is already stored (a unique-constraint failure), -1 on other errors. */
int store_insert(struct store *s, const struct envelope *e, uint64_t idx,
    int64_t time);
int store_set_head(struct store *s, const uint8_t device[32], int64_t seq,
    const uint8_t id[32]);
/* Rebuilds the in-memory directory and process from the committed database
 * and swaps them in (after a failed batch). */
int store_reload_dir(struct store *s);

/* Loads the directory from a database: the public records of the pub
 * table, each classified by its header (never by the kind column),
 * replayed in order, then the chain heads. */
struct directory *store_load_dir(sqlite3 *db, const uint8_t operator_pk[32]);
/* The same, and the process and the registries from the same records
 * (lib/rules.c's rules for each, in log order) into *proc and *reg; NULL
 * with rs_err when a stored process or registry record is refused, or the
 * shipped registry data does not load. */
struct directory *store_load_state(sqlite3 *db, const uint8_t operator_pk[32],
    struct process **proc, struct registry **reg);
/* One stored process or registry record replayed into p and r
 * (rules_replay, against d as of its index): -1 with rs_err naming the
 * index when the rules refuse it.  Both backends' replays. */
int store_replay_rules(struct directory *d, struct process *p, struct registry *r,
    const struct envelope *e, int64_t idx, int64_t time);

/* ---- listings (readers) ------------------------------------------------ */

enum store_list {
	LIST_PUBLIC,		/* every public record, from the pub table */
	LIST_RECORD,		/* the public record at index after + 1 */
	LIST_DIRECTORY,		/* directory kinds (old endpoint, kind column) */
	LIST_COSIGN,		/* cosign (old endpoint, kind column) */
	LIST_MAIL		/* msg, ack routed to one device */
};

/* pindex is the record's public index, -1 outside LIST_PUBLIC/RECORD. */
typedef int (*store_row_cb)(void *arg, uint64_t idx, int64_t time,
    int64_t pindex, const void *env, size_t len);

/* Calls cb for each record of the listing with after < idx < size, in index
 * order: at most limit of them and, after the first, no more than max_bytes
 * of envelopes in all (so a page is bounded, yet any record can be had);
 * *more tells whether further ones exist below size.  device is for
 * LIST_MAIL.  Returns the number of rows or -1. */
int store_list(struct store *s, enum store_list which, const uint8_t device[32],
    int64_t after, uint64_t size, size_t limit, size_t max_bytes,
    store_row_cb cb, void *arg, int *more);

/* ---- the interface both backends implement ---------------------------- */

/* A route of the routing table (rcpt): a recipient device, or a check's
 * answers key, and the log row it points to, with the row's time and
 * signer. */
typedef int (*store_route_cb)(void *arg, uint64_t idx, int64_t time,
    const uint8_t signer[32]);

/* One log row as stored, every column, for rosterd check and
 * migrate-store (id, signer may be of any length when damaged; state is
 * NULL when absent; has_seq says whether seq is set; pindex is the row's
 * public index, -1 when pub has none). */
struct store_row {
	uint64_t idx;
	int64_t time;
	const uint8_t *id;
	size_t id_len;
	const char *kind;
	const char *state;
	const uint8_t *signer;
	size_t signer_len;
	int has_seq;
	int64_t seq;
	const uint8_t *env;
	size_t env_len;
	int64_t pindex;
};
typedef int (*store_scan_cb)(void *arg, const struct store_row *r);
typedef int (*store_head_cb)(void *arg, const uint8_t *device, size_t dlen,
    int64_t seq, const uint8_t *id, size_t idlen);
typedef int (*store_pub_cb)(void *arg, int64_t pindex, int64_t idx);

/*
 * Each returns 0 (or a count) on success, -1 with rs_err on failure, unless
 * said otherwise.  The writer's entries run on the sequencer's thread (or
 * in a process appending alone), between begin and commit or rollback; the
 * others on any thread.
 */
struct store_ops {
	const char *name;		/* "sqlite", "postgresql" */

	/* writer */
	int (*begin)(struct store *s);	/* may catch up with other processes */
	int (*lookup)(struct store *s, const struct envelope *e, uint64_t *idx,
	    int64_t *time);		/* as store_lookup */
	int (*insert)(struct store *s, const struct envelope *e, uint64_t idx,
	    int64_t time);		/* as store_insert */
	int (*set_head)(struct store *s, const uint8_t device[32], int64_t seq,
	    const uint8_t id[32]);
	int (*set_size)(struct store *s, uint64_t size);
	int (*commit)(struct store *s);
	void (*rollback)(struct store *s);
	/* After a rolled-back batch whose appends started at base (pub_base
	 * public): trees, directory and sizes in memory again as committed;
	 * -1 when that fails (the store is then broken). */
	int (*recover)(struct store *s, uint64_t base, uint64_t pub_base);
	/* The batch begun by begin is over (committed or recovered). */
	void (*end)(struct store *s);
	/* The latest checkpoint, when newer than the stored one. */
	int (*save_checkpoint)(struct store *s, uint64_t size, const char *text,
	    const char *sig);

	/* readers */
	/* The stored checkpoint's text and base64 signature (malloc'd), or
	 * NULL for both when none. */
	int (*load_checkpoint)(struct store *s, char **text, char **sig);
	/* Public records below log index n (store_pub_size_at). */
	int (*pub_size_at)(struct store *s, uint64_t n, uint64_t *pub);
	/* Public record pindex: its log index, id and time; 1 when absent. */
	int (*pub_leaf)(struct store *s, uint64_t pindex, uint64_t *idx,
	    uint8_t id[32], int64_t *time);
	/* As store_list. */
	int (*list)(struct store *s, enum store_list which,
	    const uint8_t device[32], int64_t after, uint64_t size, size_t limit,
	    size_t max_bytes, store_row_cb cb, void *arg, int *more);
	/* Every row of kind (a public kind, by the kind column) below size,
	 * in index order. */
	int (*kind_rows)(struct store *s, const char *kind, uint64_t size,
	    store_row_cb cb, void *arg);
	/* The routes of key with after < idx < size, in index order, at most
	 * limit (0: all). */
	int (*routes)(struct store *s, const uint8_t key[32], int64_t after,
	    uint64_t size, size_t limit, store_route_cb cb, void *arg);
	/* Row idx's time and envelope (appended to env); 1 when absent. */
	int (*row)(struct store *s, uint64_t idx, int64_t *time, struct buf *env);

	/* rosterd check and migrate-store (a store opened with store_open_raw
	 * or store_open) */
	/* Rows with idx < limit (UINT64_MAX: all), in index order. */
	int (*scan)(struct store *s, uint64_t limit, store_scan_cb cb, void *arg);
	int (*heads)(struct store *s, store_head_cb cb, void *arg);
	/* The pub table's rows naming log indexes below limit, by pindex. */
	int (*pub_rows)(struct store *s, uint64_t limit, store_pub_cb cb, void *arg);
	/* Rows of table "log" or "rcpt". */
	int (*count)(struct store *s, const char *table, uint64_t *n);
	/* The operator key the database records; 1 when none. */
	int (*stored_operator)(struct store *s, uint8_t pk[32]);
	/* The size the database records (meta or the coordination row); 1
	 * when it records none. */
	int (*recorded_size)(struct store *s, int64_t *n);
	/* Opens the stored tree (public: the public tree) at size leaves as
	 * it is, without rebuilding; NULL *t with rs_err when it cannot. */
	int (*open_tree)(struct store *s, int public, uint64_t size,
	    struct merkle_tree **t);
};

extern const struct store_ops store_sqlite_ops;

/* Opens the database for reading only, with the operator key and nothing
 * checked or rebuilt (rosterd check, which must report what is wrong
 * rather than refuse it).  Only the readers and rosterd check's entries
 * of s->ops work, from one thread; on PostgreSQL they all read one
 * snapshot, so a check of a log that other processes keep appending to
 * sees one state of it.  Close with store_close. */
struct store *store_open_raw(const char *hubdir, const struct hub_config *cfg);
/* Opens a hub's log to read it while a hub may be serving it (rosterd
 * checks): the readers of s->ops, the directory and the committed size;
 * no tree, no writer.  Close with store_close. */
struct store *store_open_reader(const char *hubdir, const struct hub_config *cfg);

/* A keypair holding only the public key pk (a reader's s->op). */
struct keypair *store_public_key(const uint8_t pk[32]);
/* store_sqlite.c: the SQLite backend's halves of the two opens above. */
struct store *store_sqlite_open_raw(const char *hubdir, const struct hub_config *cfg);
struct store *store_sqlite_open_reader(const char *hubdir,
    const struct hub_config *cfg);

/* store_pg.c: the PostgreSQL backend's store_create (the schema and the
 * operator key in cfg->db, which must hold no hub yet), store_open (mode
 * STORE_PG_SERVE), the two opens above and store_close. */
int store_pg_create(const struct hub_config *cfg, const uint8_t operator_pk[32]);
/* Empties what store_pg_create and appends put in cfg->db (the schema
 * stays): a failed migrate-store's undo. */
int store_pg_wipe(const struct hub_config *cfg);
struct store *store_pg_open(const char *hubdir, const struct hub_config *cfg,
    int mode);
void store_pg_close(struct store *s);
enum { STORE_PG_SERVE, STORE_PG_RAW, STORE_PG_READER };

/* A serving process follows what other processes append to a shared
 * database (a thread listening for their commits; store_pg_follow.c), so
 * its directory, sizes and listings keep up without appending itself.
 * A no-op on SQLite. */
int store_follow(struct store *s) __attribute__((warn_unused_result));

/* Long polls to wake for what other processes appended to a shared
 * database (the PostgreSQL backend calls fn from its follower thread with
 * the devices routed, or all set when it cannot tell which); serve.c sets
 * it once serving and clears it (NULL) before it stops the server.  A
 * no-op on SQLite, where this process is the only writer. */
void store_set_wake(struct store *s, void (*fn)(void *arg,
    const uint8_t (*keys)[32], size_t n, int all), void *arg);

/* ---- checkpoints (checkpoint.c) ---------------------------------------- */

/* Loads the persisted checkpoint (at open), checking its signature and its
 * root against the tree. */
int cp_load(struct store *s);
/* The checkpoint for the committed size, signing one if the size changed;
 * *size tells which size it covers.  New JSON reference. */
json_t *cp_current(struct store *s, uint64_t *size);
/* Writes the latest checkpoint into meta if it is newer than what is there
 * (writer connection; inside the sequencer's transaction or at close). */
int cp_persist(struct store *s);
void cp_free(struct store *s);

#endif
