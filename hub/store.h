/*
 * store.h - the hub's durable state: the log in SQLite, the Merkle tree in
 * flat files, and what is derived from them in memory (the directory, the
 * committed size, the latest signed checkpoint).
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
#include "statement.h"

#define STORE_POOL	16	/* idle reader connections kept */

struct store {
	char *hubdir;
	char *dbpath;
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
	/* The process (lib/process.c), kept like the directory and rebuilt
	 * with it from the public records; the sequencer's thread only. */
	struct process *proc;

	pthread_mutex_t pool_mu;
	sqlite3 *pool[STORE_POOL];
	size_t npool;

	/* Latest signed checkpoint (checkpoint.c). */
	pthread_mutex_t cp_mu;
	struct checkpoint cp;
	int cp_valid;
	int cp_dirty;			/* signed but not yet in meta */
};

/* Creates HUBDIR/hub.db (schema, operator key in meta) and an empty tree. */
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
/* The same, and the process from the same records (lib/rules.c's rules
 * for each, in log order) into *proc; NULL with rs_err when a stored
 * process record is refused. */
struct directory *store_load_state(sqlite3 *db, const uint8_t operator_pk[32],
    struct process **proc);

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
