/*
 * store.c - the hub's log in SQLite and its Merkle tree on disk.
 *
 * Schema (docs/protocol.md section 4 is what it serves):
 *
 *   meta(k, v)             operator_key, size (rows committed), latest
 *                          checkpoint and its signature
 *   log(idx, id, time, kind, state, signer, seq, envelope)
 *                          one row per accepted envelope, idx = leaf index;
 *                          seq only for device kinds (msg, ack, cosign)
 *   rcpt(device, idx)      routing of msg/ack to each device named in "rcpt";
 *                          answers to a communication check under the
 *                          check's routing key (lib/checkrec.h)
 *   head(device, seq, id)  each device's chain head
 *   pub(pindex, idx)       the public records (docs/protocol.md section 8):
 *                          public index -> log index, dense from 0
 *
 * Why no index on the envelope id.  Ids are hashes: an index on them takes
 * every insert to a random page, and at group-commit sizes each envelope
 * then dirties a page of its own, written to the WAL at commit and again at
 * checkpoint (measured: about 4 KiB of index writes per envelope and a
 * quarter of ingest throughput).  Uniqueness of ids follows from the rules
 * instead: a device envelope repeats a used (signer, seq), which the unique
 * index log_chain forbids (an index that grows at one point per device, so a
 * commit touches a page or two per device); an admit, cert or revoke repeats
 * a change the directory refuses to make twice.  So a duplicate is found by
 * (signer, seq) for device kinds, or among the few rows of its kind for the
 * others.  "rosterd check" verifies that ids are unique.
 *
 * The chain-head table is what keeps start-up fast at any log size: the
 * directory is rebuilt by replaying only the public records (found through
 * the pub table and classified by their own headers, never by the kind
 * column, which a database edit could change) and then reading one head
 * row per device, instead of replaying every message.  The sequencer
 * updates the heads in the same transaction as the rows, so they can never
 * disagree with the log.
 *
 * The public tree.  Which records are public is decided once, by
 * lib/kinds.c from the envelope's header, when the sequencer appends it:
 * it gets the next pindex in pub and a leaf in tree/public.  Everything
 * that serves or replays public records reads pub, so a row removed from
 * it shows as a gap in pindex to every node, and a row whose kind column
 * was edited changes nothing.  A log written before the public tree
 * existed has no pub rows: the first open classifies every stored envelope
 * by its header and builds the tree (saying so on stderr, with the count
 * and the time taken), and marks meta public_tree.
 *
 * The database is the authority on what is committed: each tree is cut back
 * to the number of rows at open (lib/merkle.c does that), and when its files
 * hold fewer leaves than the log (or pub), or its last leaf is not the leaf
 * of the last row, it is rebuilt from the rows.  That costs a pass over the id and
 * time columns, seconds for a million envelopes, and only ever happens after
 * someone deleted or damaged the tree files.
 */
#include "store.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checkrec.h"
#include "db.h"
#include "jsonutil.h"
#include "rules.h"
#include "util.h"

/* The kind index leaves out the mail kinds' rows (nearly all of them): they
 * are found through rcpt, and leaving them out saves an index insert per
 * envelope.  SQLite uses a partial index only for queries that repeat its
 * WHERE term, so every such query names it as "@public", which store_sql
 * replaces by the term built from lib/kinds.c's table. */
#define SCHEMA \
	"CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v);" \
	"CREATE TABLE IF NOT EXISTS log(idx INTEGER PRIMARY KEY," \
	" id BLOB NOT NULL, time INTEGER NOT NULL, kind TEXT NOT NULL," \
	" state TEXT, signer BLOB NOT NULL, seq INTEGER, envelope BLOB NOT NULL);" \
	"CREATE INDEX IF NOT EXISTS log_public ON log(kind, idx)" \
	" WHERE @public;" \
	"CREATE UNIQUE INDEX IF NOT EXISTS log_chain ON log(signer, seq)" \
	" WHERE seq IS NOT NULL;" \
	"CREATE TABLE IF NOT EXISTS rcpt(device BLOB, idx INTEGER," \
	" PRIMARY KEY(device, idx)) WITHOUT ROWID;" \
	"CREATE TABLE IF NOT EXISTS head(device BLOB PRIMARY KEY," \
	" seq INTEGER NOT NULL, id BLOB NOT NULL) WITHOUT ROWID;" \
	"CREATE TABLE IF NOT EXISTS pub(pindex INTEGER PRIMARY KEY," \
	" idx INTEGER NOT NULL UNIQUE);"

/* The writer's page cache: the pages it touches are the insertion points of
 * each index (a few per device) and the table's tail; 8 MiB holds them. */
#define WRITER_CACHE_KIB	8192

char *
store_sql(const char *tmpl)
{
	struct buf b = {0};
	const char *p = tmpl;

	while (*p != '\0') {
		if (strncmp(p, "@public", 7) == 0) {
			buf_printf(&b, "kind NOT IN %s", kinds_sql(KINDS_MAIL));
			p += 7;
		} else if (strncmp(p, "@directory", 10) == 0) {
			buf_addstr(&b, kinds_sql(KINDS_DIRECTORY));
			p += 10;
		} else
			buf_add(&b, p++, 1);
	}
	buf_cstr(&b);
	return (char *)b.p;
}

sqlite3_stmt *
store_prep(sqlite3 *db, const char *tmpl)
{
	char *sql = store_sql(tmpl);
	sqlite3_stmt *st = db_prep(db, sql);

	free(sql);
	return st;
}

static sqlite3 *
open_db(const char *path)
{
	char *schema = store_sql(SCHEMA);
	sqlite3 *db = db_open(path, schema);

	free(schema);
	return db;
}

static int
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int
store_create(const char *hubdir, const uint8_t operator_pk[32])
{
	char *dbpath = hub_path(hubdir, "hub.db");
	char *treedir = hub_path(hubdir, "tree");
	char *ptreedir = hub_path(hubdir, "tree/public");
	struct merkle_tree *t = NULL, *pt = NULL;
	sqlite3 *db = NULL;
	char *hex = NULL;
	int rc = -1;

	if (file_exists(dbpath)) {
		rs_seterr("%s already exists", dbpath);
		goto out;
	}
	if ((db = open_db(dbpath)) == NULL)
		goto out;
	if (chmod(dbpath, 0600) != 0) {
		rs_seterr("cannot set the mode of %s: %s", dbpath, strerror(errno));
		goto out;
	}
	hex = hex_encode(operator_pk, 32);
	if (db_meta_set_text(db, "operator_key", hex) != 0 ||
	    db_meta_set_int(db, "public_tree", 1) != 0)
		goto out;
	if (merkle_open(&t, treedir, 0) != 0 || merkle_sync(t) != 0)
		goto out;
	if (merkle_open(&pt, ptreedir, 0) != 0 || merkle_sync(pt) != 0)
		goto out;
	rc = 0;
out:
	merkle_close(t);
	merkle_close(pt);
	db_close(db);
	free(hex);
	free(dbpath);
	free(treedir);
	free(ptreedir);
	return rc;
}

/* ---- open ---------------------------------------------------------------- */

static int
check_operator(struct store *s)
{
	char *want = db_meta_get_text(s->db, "operator_key");
	uint8_t pk[32];
	int rc = -1;

	if (want == NULL || hex_decode_exact(pk, 32, want) != 0) {
		rs_seterr("%s records no operator key: not a hub database", s->dbpath);
		goto out;
	}
	if (memcmp(pk, s->op->pk, 32) != 0) {
		rs_seterr("operator.key in %s is not the key this hub's log was "
		    "started with", s->hubdir);
		goto out;
	}
	rc = 0;
out:
	free(want);
	return rc;
}

static int64_t
one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = db_prep(db, sql);
	int64_t v = -1;

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else
		rs_seterr("database error: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return v;
}

/*
 * The committed size and the last row's time.  Indexes are dense from 0, so
 * the size is max(idx) + 1, which SQLite finds in O(log n); the sequencer
 * also records the size in meta in every transaction, and the two must
 * agree.  (count(*) would read the whole table at every start: "rosterd
 * check" is where every row is counted.)  A database without the meta
 * record (none committed yet) is counted once.
 */
static int
load_size(struct store *s)
{
	int64_t next, first, count, recorded;

	next = one_int(s->db, "SELECT coalesce(max(idx), -1) + 1 FROM log");
	first = one_int(s->db, "SELECT coalesce(min(idx), 0) FROM log");
	if (next < 0 || first < 0)
		return -1;
	if (db_meta_get_int(s->db, "size", &recorded) != 0) {
		if ((count = one_int(s->db, "SELECT count(*) FROM log")) < 0)
			return -1;
		recorded = count;
	}
	if (recorded != next || first != 0) {
		rs_seterr("the log in %s has %lld rows recorded but indexes from "
		    "%lld to %lld; run \"rosterd check\"", s->dbpath,
		    (long long)recorded, (long long)first, (long long)next - 1);
		return -1;
	}
	atomic_store(&s->committed, (uint64_t)next);
	s->last_time = 0;
	if (next > 0 && (s->last_time = one_int(s->db,
	    "SELECT time FROM log ORDER BY idx DESC LIMIT 1")) < 0)
		return -1;
	s->time_committed = s->last_time;
	return 0;
}

/*
 * The trees, both built from the database the same way: spec says which
 * rows make the leaves (in leaf order: leaf number, log index, id, time)
 * and how a leaf is hashed.
 */
struct tree_spec {
	const char *what;		/* for messages */
	const char *dir;
	struct merkle_tree **t;
	uint64_t size;			/* leaves the database commits to */
	const char *rows;		/* every leaf's row, in order */
	const char *row;		/* leaf ?1's row */
	int public;			/* merkle_public_leaf, else env_leaf_hash */
};

static void
spec_of(struct store *s, int public, struct tree_spec *t)
{
	memset(t, 0, sizeof(*t));
	t->public = public;
	if (public) {
		t->what = "public tree";
		t->dir = s->ptreedir;
		t->t = &s->ptree;
		t->size = s->pub_size;
		t->rows = "SELECT p.pindex, p.idx, l.id, l.time FROM pub p"
		    " JOIN log l ON l.idx = p.idx ORDER BY p.pindex";
		t->row = "SELECT p.pindex, p.idx, l.id, l.time FROM pub p"
		    " JOIN log l ON l.idx = p.idx WHERE p.pindex = ?1";
	} else {
		t->what = "Merkle tree";
		t->dir = s->treedir;
		t->t = &s->tree;
		t->size = atomic_load(&s->committed);
		t->rows = "SELECT idx, idx, id, time FROM log ORDER BY idx";
		t->row = "SELECT idx, idx, id, time FROM log WHERE idx = ?1";
	}
}

/* The leaf of the current row of st, which must be leaf n. */
static int
row_leaf(const struct tree_spec *t, sqlite3_stmt *st, uint64_t n, uint8_t leaf[32])
{
	if ((uint64_t)sqlite3_column_int64(st, 0) != n ||
	    sqlite3_column_bytes(st, 2) != 32) {
		rs_seterr("the %s's row %llu is malformed or missing; run "
		    "\"rosterd check\"", t->what, (unsigned long long)n);
		return -1;
	}
	if (t->public)
		merkle_public_leaf(leaf, (uint64_t)sqlite3_column_int64(st, 1),
		    sqlite3_column_blob(st, 2), sqlite3_column_int64(st, 3));
	else
		env_leaf_hash(leaf, sqlite3_column_blob(st, 2),
		    sqlite3_column_int64(st, 3));
	return 0;
}

static int
last_leaf(struct store *s, const struct tree_spec *t, uint8_t leaf[32])
{
	sqlite3_stmt *st = db_prep(s->db, t->row);
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)t->size - 1);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = row_leaf(t, st, t->size - 1, leaf);
	else
		rs_seterr("cannot read the %s's row %llu", t->what,
		    (unsigned long long)t->size - 1);
	sqlite3_finalize(st);
	return rc;
}

static int
rebuild_tree(struct store *s, const struct tree_spec *t)
{
	sqlite3_stmt *st;
	uint8_t leaf[32];
	uint64_t n = 0;
	int rc;

	merkle_close(*t->t);
	*t->t = NULL;
	fprintf(stderr, "rosterd: rebuilding the %s in %s from %llu rows\n",
	    t->what, t->dir, (unsigned long long)t->size);
	if (merkle_open(t->t, t->dir, 0) != 0)
		return -1;
	if ((st = db_prep(s->db, t->rows)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (row_leaf(t, st, n, leaf) != 0 || merkle_append(*t->t, leaf) != 0) {
			sqlite3_finalize(st);
			return -1;
		}
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rs_seterr("cannot read the log: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	if (n != t->size) {
		rs_seterr("the %s has %llu rows, not %llu; run \"rosterd check\"",
		    t->what, (unsigned long long)n, (unsigned long long)t->size);
		return -1;
	}
	if (merkle_sync(*t->t) != 0)
		return -1;
	fprintf(stderr, "rosterd: %s rebuilt (%llu leaves)\n", t->what,
	    (unsigned long long)n);
	return 0;
}

/* Opens a tree at the size the database commits to; rebuilds it when its
 * files are short, disagree, or end in another leaf than the last row's
 * (or always, with force). */
static int
open_tree(struct store *s, int public, int force)
{
	struct tree_spec t;
	uint8_t want[32], have[32];

	spec_of(s, public, &t);
	if (force)
		return rebuild_tree(s, &t);
	if (merkle_open(t.t, t.dir, t.size) != 0) {
		fprintf(stderr, "rosterd: %s\n", rs_err());
		return rebuild_tree(s, &t);
	}
	if (t.size == 0)
		return 0;
	if (last_leaf(s, &t, want) != 0)
		return -1;
	if (merkle_leaf(*t.t, t.size - 1, have) != 0 || memcmp(want, have, 32) != 0) {
		fprintf(stderr, "rosterd: the %s's last leaf is not the leaf of "
		    "its last row\n", t.what);
		return rebuild_tree(s, &t);
	}
	return 0;
}

/*
 * A log from before the public tree: classify every stored envelope by its
 * header (lib/kinds.c) into pub, in one transaction.  1 when it was built
 * now (the public tree is then rebuilt from scratch), 0 when it existed.
 */
static int
build_pub_table(struct store *s)
{
	uint64_t n = atomic_load(&s->committed), pub = 0, rows = 0;
	sqlite3_stmt *st = NULL, *ins = NULL;
	int64_t built = 0, t0 = now_ms();
	struct envelope e;
	int rc;

	if (db_meta_get_int(s->db, "public_tree", &built) == 0 && built == 1)
		return 0;
	fprintf(stderr, "rosterd: this log was written before the public tree "
	    "(docs/protocol.md section 8); classifying its %llu envelopes by "
	    "their headers\n", (unsigned long long)n);
	if (db_begin(s->db) != 0 || db_exec(s->db, "DELETE FROM pub") != 0)
		goto fail;
	st = db_prep(s->db, "SELECT idx, envelope FROM log ORDER BY idx");
	ins = db_prep(s->db, "INSERT INTO pub(pindex, idx) VALUES(?, ?)");
	if (st == NULL || ins == NULL)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t idx = sqlite3_column_int64(st, 0);
		const void *raw = sqlite3_column_blob(st, 1);
		if (raw == NULL || env_parse(&e, raw,
		    (size_t)sqlite3_column_bytes(st, 1)) != 0) {
			char why[RS_ERRLEN];
			snprintf(why, sizeof(why), "%s", raw == NULL ? "empty" : rs_err());
			rs_seterr("stored envelope %lld does not parse (%s); run "
			    "\"rosterd check\"", (long long)idx, why);
			goto fail;
		}
		if (record_is_public(&e)) {
			sqlite3_bind_int64(ins, 1, (int64_t)pub++);
			sqlite3_bind_int64(ins, 2, idx);
			if (db_done(s->db, ins) != 0) {
				env_free(&e);
				goto fail;
			}
		}
		env_free(&e);
		rows++;
	}
	if (rc != SQLITE_DONE || rows != n) {
		rs_seterr("cannot read the log to classify it: %s",
		    rc != SQLITE_DONE ? sqlite3_errmsg(s->db) : "rows are missing");
		goto fail;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	st = ins = NULL;
	if (db_meta_set_int(s->db, "public_tree", 1) != 0 || db_commit(s->db) != 0)
		goto fail;
	fprintf(stderr, "rosterd: %llu public records among %llu envelopes, "
	    "classified in %.2f s\n", (unsigned long long)pub,
	    (unsigned long long)n, (double)(now_ms() - t0) / 1000.0);
	return 1;
fail:
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	db_rollback(s->db);
	return -1;
}

/* The committed public size: pub is dense from 0 and names committed rows. */
static int
load_pub_size(struct store *s)
{
	sqlite3_stmt *st = db_prep(s->db, "SELECT coalesce(max(pindex), -1) + 1,"
	    " count(*), coalesce(min(pindex), 0), coalesce(max(idx), -1) FROM pub");
	uint64_t committed = atomic_load(&s->committed);
	int rc = -1;

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW)
		rs_seterr("cannot read the public records: %s", sqlite3_errmsg(s->db));
	else if (sqlite3_column_int64(st, 0) != sqlite3_column_int64(st, 1) ||
	    sqlite3_column_int64(st, 2) != 0)
		rs_seterr("the public records of %s are not numbered 0, 1, 2, ... "
		    "(%lld rows, up to %lld); run \"rosterd check\"", s->dbpath,
		    (long long)sqlite3_column_int64(st, 1),
		    (long long)sqlite3_column_int64(st, 0) - 1);
	else if (sqlite3_column_int64(st, 3) >= (int64_t)committed)
		rs_seterr("a public record of %s names log index %lld, beyond the "
		    "log; run \"rosterd check\"", s->dbpath,
		    (long long)sqlite3_column_int64(st, 3));
	else {
		s->pub_size = (uint64_t)sqlite3_column_int64(st, 0);
		s->pub_committed = s->pub_size;
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int
store_pub_size_at(sqlite3 *db, uint64_t n, uint64_t *pub)
{
	sqlite3_stmt *st = db_prep(db, "SELECT pindex FROM pub WHERE idx < ?1"
	    " ORDER BY idx DESC LIMIT 1");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)n);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*pub = (uint64_t)sqlite3_column_int64(st, 0) + 1;
	else if (rc == SQLITE_DONE)
		*pub = 0;
	else
		rs_seterr("cannot read the public records: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int
prepare_writer(struct store *s)
{
	char pragma[64];

	snprintf(pragma, sizeof(pragma), "PRAGMA cache_size=-%d", WRITER_CACHE_KIB);
	if (db_exec(s->db, pragma) != 0)
		return -1;
	s->st_ins_log = db_prep(s->db, "INSERT INTO log(idx, id, time, kind, state,"
	    " signer, seq, envelope) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
	s->st_ins_rcpt = db_prep(s->db, "INSERT OR IGNORE INTO rcpt(device, idx)"
	    " VALUES(?, ?)");
	s->st_get_chain = db_prep(s->db, "SELECT idx, time, id FROM log"
	    " WHERE signer = ? AND seq = ?");
	s->st_get_kind = store_prep(s->db, "SELECT idx, time, id FROM log"
	    " WHERE @public AND kind = ? AND id = ?");
	s->st_set_head = db_prep(s->db, "INSERT OR REPLACE INTO head(device, seq, id)"
	    " VALUES(?, ?, ?)");
	s->st_ins_pub = db_prep(s->db, "INSERT INTO pub(pindex, idx) VALUES(?, ?)");
	if (s->st_ins_log == NULL || s->st_ins_rcpt == NULL ||
	    s->st_get_chain == NULL || s->st_get_kind == NULL ||
	    s->st_set_head == NULL || s->st_ins_pub == NULL)
		return -1;
	return 0;
}

static int
init_locks(struct store *s)
{
	if (pthread_rwlock_init(&s->dirlock, NULL) != 0 ||
	    pthread_mutex_init(&s->pool_mu, NULL) != 0 ||
	    pthread_mutex_init(&s->cp_mu, NULL) != 0 ||
	    pthread_mutex_init(&s->size_mu, NULL) != 0) {
		rs_seterr("cannot initialise the store's locks");
		return -1;
	}
	return 0;
}

struct store *
store_open(const char *hubdir, const struct hub_config *cfg)
{
	struct store *s;
	char *keypath;
	int built;

	if (cfg->db[0] != '\0')
		return store_pg_open(hubdir, cfg, STORE_PG_SERVE);
	s = xcalloc(1, sizeof(*s));
	keypath = hub_path(hubdir, "operator.key");
	s->ops = &store_sqlite_ops;
	s->hubdir = xstrdup(hubdir);
	s->dbpath = hub_path(hubdir, "hub.db");
	s->treedir = hub_path(hubdir, "tree");
	s->ptreedir = hub_path(hubdir, "tree/public");
	s->cfg = *cfg;
	if (init_locks(s) != 0) {
		free(keypath);
		free(s->hubdir);
		free(s->dbpath);
		free(s->treedir);
		free(s->ptreedir);
		free(s);
		return NULL;
	}
	s->op = keyfile_read(keypath, KEY_OPERATOR, NULL);
	free(keypath);
	if (s->op == NULL)
		goto fail;
	if (!file_exists(s->dbpath)) {
		rs_seterr("%s is missing: %s is not an initialised hub", s->dbpath,
		    hubdir);
		goto fail;
	}
	if ((s->db = open_db(s->dbpath)) == NULL)
		goto fail;
	if (check_operator(s) != 0 || load_size(s) != 0 || open_tree(s, 0, 0) != 0)
		goto fail;
	if ((built = build_pub_table(s)) < 0 || load_pub_size(s) != 0 ||
	    open_tree(s, 1, built) != 0 ||
	    (cfg->startup_check && !MUTANT(startcheck) && store_check(s) != 0))
		goto fail;
	if ((s->dir = store_load_state(s->db, s->op->pk, &s->proc, &s->reg)) == NULL)
		goto fail;
	if (cp_load(s) != 0 || prepare_writer(s) != 0)
		goto fail;
	s->quota = quota_new(cfg->quota_envelopes, cfg->quota_bytes);
	return s;
fail:
	store_close(s);
	return NULL;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->pg != NULL) {
		store_pg_close(s);
		return;
	}
	if (s->db != NULL && s->op != NULL && cp_persist(s) != 0)
		fprintf(stderr, "rosterd: cannot save the latest checkpoint: %s\n",
		    rs_err());
	sqlite3_finalize(s->st_ins_log);
	sqlite3_finalize(s->st_ins_rcpt);
	sqlite3_finalize(s->st_get_chain);
	sqlite3_finalize(s->st_get_kind);
	sqlite3_finalize(s->st_set_head);
	sqlite3_finalize(s->st_ins_pub);
	for (size_t i = 0; i < s->npool; i++)
		db_close(s->pool[i]);
	db_close(s->db);
	merkle_close(s->tree);
	merkle_close(s->ptree);
	quota_free(s->quota);
	dir_free(s->dir);
	proc_free(s->proc);
	reg_free(s->reg);
	cp_free(s);
	keypair_free(s->op);
	pthread_rwlock_destroy(&s->dirlock);
	pthread_mutex_destroy(&s->pool_mu);
	pthread_mutex_destroy(&s->cp_mu);
	pthread_mutex_destroy(&s->size_mu);
	free(s->hubdir);
	free(s->dbpath);
	free(s->treedir);
	free(s->ptreedir);
	free(s);
}

struct store *
store_open_raw(const char *hubdir, const struct hub_config *cfg)
{
	if (cfg->db[0] != '\0')
		return store_pg_open(hubdir, cfg, STORE_PG_RAW);
	return store_sqlite_open_raw(hubdir, cfg);
}

struct store *
store_open_reader(const char *hubdir, const struct hub_config *cfg)
{
	if (cfg->db[0] != '\0')
		return store_pg_open(hubdir, cfg, STORE_PG_READER);
	return store_sqlite_open_reader(hubdir, cfg);
}

uint64_t
store_committed(struct store *s)
{
	return atomic_load_explicit(&s->committed, memory_order_acquire);
}

void
store_sizes(struct store *s, uint64_t *size, uint64_t *pub, int64_t *time)
{
	pthread_mutex_lock(&s->size_mu);
	*size = atomic_load(&s->committed);
	*pub = s->pub_committed;
	if (time != NULL)
		*time = s->time_committed;
	pthread_mutex_unlock(&s->size_mu);
}

void
store_set_committed(struct store *s, uint64_t n, uint64_t pub, int64_t time)
{
	assert(pub <= n);
	pthread_mutex_lock(&s->size_mu);
	assert(time >= s->time_committed);
	s->pub_committed = pub;
	s->time_committed = time;
	atomic_store_explicit(&s->committed, n, memory_order_release);
	pthread_mutex_unlock(&s->size_mu);
}

/* ---- reader pool ----------------------------------------------------------- */

sqlite3 *
store_reader(struct store *s)
{
	sqlite3 *db = NULL;

	pthread_mutex_lock(&s->pool_mu);
	if (s->npool > 0)
		db = s->pool[--s->npool];
	pthread_mutex_unlock(&s->pool_mu);
	if (db == NULL)
		db = db_open(s->dbpath, NULL);
	return db;
}

void
store_reader_done(struct store *s, sqlite3 *db)
{
	if (db == NULL)
		return;
	pthread_mutex_lock(&s->pool_mu);
	if (s->npool < STORE_POOL) {
		s->pool[s->npool++] = db;
		db = NULL;
	}
	pthread_mutex_unlock(&s->pool_mu);
	db_close(db);
}

/* ---- writer ---------------------------------------------------------------- */

int
store_lookup(struct store *s, const struct envelope *e, uint64_t *idx,
    int64_t *time)
{
	sqlite3_stmt *st;
	int rc;

	if (kind_has(e->kind_id, KIND_CHAINED) && e->seq > 0) {
		st = s->st_get_chain;
		sqlite3_bind_blob(st, 1, e->key, 32, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, e->seq);
	} else {
		st = s->st_get_kind;
		sqlite3_bind_text(st, 1, e->kind, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, e->id, 32, SQLITE_STATIC);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*idx = (uint64_t)sqlite3_column_int64(st, 0);
		*time = sqlite3_column_int64(st, 1);
		rc = sqlite3_column_bytes(st, 2) == 32 &&
		    memcmp(sqlite3_column_blob(st, 2), e->id, 32) == 0;
	} else if (rc == SQLITE_DONE)
		rc = 0;
	else {
		rs_seterr("database error: %s", sqlite3_errmsg(s->db));
		rc = -1;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* An answer to a communication check is filed under its check's routing
 * key (lib/checkrec.h), so GET /v1/checks finds a check's answers. */
static int
route_answer(struct store *s, const struct envelope *e, uint64_t idx)
{
	const char *hex = env_str(e, "ref");
	uint8_t ref[32], key[32];

	if (hex == NULL || hex_decode_exact(ref, 32, hex) != 0)
		return 0;	/* dir_check refused it already */
	checkrec_route(key, ref);
	sqlite3_bind_blob(s->st_ins_rcpt, 1, key, 32, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s->st_ins_rcpt, 2, (int64_t)idx);
	return db_done(s->db, s->st_ins_rcpt);
}

static int
insert_rcpt(struct store *s, const struct envelope *e, uint64_t idx)
{
	json_t *r = env_field(e, "rcpt"), *v;
	uint8_t key[32];
	size_t i;

	if (!kind_has(e->kind_id, KIND_ROUTED))
		return 0;
	if (checkrec_is_answer(e) && route_answer(s, e, idx) != 0)
		return -1;
	if (!json_is_array(r))
		return 0;
	json_array_foreach(r, i, v) {
		if (!json_is_string(v) ||
		    hex_decode_exact(key, 32, json_string_value(v)) != 0)
			continue;	/* dir_check refused these already */
		sqlite3_bind_blob(s->st_ins_rcpt, 1, key, 32, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s->st_ins_rcpt, 2, (int64_t)idx);
		if (db_done(s->db, s->st_ins_rcpt) != 0)
			return -1;
	}
	return 0;
}

int
store_insert(struct store *s, const struct envelope *e, uint64_t idx,
    int64_t time)
{
	sqlite3_stmt *st = s->st_ins_log;
	int rc;

	sqlite3_bind_int64(st, 1, (int64_t)idx);
	sqlite3_bind_blob(st, 2, e->id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, time);
	sqlite3_bind_text(st, 4, e->kind, -1, SQLITE_STATIC);
	if (e->state != NULL)
		sqlite3_bind_text(st, 5, e->state, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_blob(st, 6, e->key, 32, SQLITE_STATIC);
	if (kind_has(e->kind_id, KIND_CHAINED) && e->seq > 0)
		sqlite3_bind_int64(st, 7, e->seq);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_bind_blob(st, 8, e->raw, (int)e->raw_len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_CONSTRAINT) {
		rs_seterr("sequence number %lld of this device is already in the log",
		    (long long)e->seq);
		return -2;
	}
	if (rc != SQLITE_DONE) {
		rs_seterr("database error: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	if (insert_rcpt(s, e, idx) != 0)
		return -1;
	if (!record_is_public(e))
		return 0;
	sqlite3_bind_int64(s->st_ins_pub, 1, (int64_t)s->pub_size);
	sqlite3_bind_int64(s->st_ins_pub, 2, (int64_t)idx);
	if (db_done(s->db, s->st_ins_pub) != 0)
		return -1;
	s->pub_size++;
	return 0;
}

int
store_set_head(struct store *s, const uint8_t device[32], int64_t seq,
    const uint8_t id[32])
{
	sqlite3_stmt *st = s->st_set_head;
	int rc;

	sqlite3_bind_blob(st, 1, device, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_blob(st, 3, id, 32, SQLITE_STATIC);
	rc = db_done(s->db, st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* ---- directory --------------------------------------------------------------- */

/* A stored process or registry record the rules refuse: the store is not
 * a log an honest hub wrote (or the rules changed under it); never
 * skipped. */
int
store_replay_rules(struct directory *d, struct process *p, struct registry *r,
    const struct envelope *e, int64_t idx, int64_t time)
{
	char why[RS_ERRLEN];

	if (rules_replay(d, p, r, e, idx, time) == RULES_OK)
		return 0;
	snprintf(why, sizeof(why), "%s", rs_err());
	rs_seterr("stored %s record %lld (%s) is refused by the %s rules: %s; run "
	    "\"rosterd check\"", kind_has(e->kind_id, KIND_REGISTRY) ? "registry" :
	    "process", (long long)idx, e->kind, kind_has(e->kind_id, KIND_REGISTRY) ?
	    "registries'" : "process's", why);
	return -1;
}

/* The directory records among the public records, by their headers, and
 * (when p and r are given) the process and registry records, through the
 * same rules as when they were appended. */
static int
replay_public(sqlite3 *db, struct directory *d, struct process *p, struct registry *r)
{
	sqlite3_stmt *st = db_prep(db, "SELECT p.pindex, p.idx, l.envelope, l.time"
	    " FROM pub p JOIN log l ON l.idx = p.idx ORDER BY p.pindex");
	struct envelope e;
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t idx = sqlite3_column_int64(st, 1);
		const uint8_t *raw = sqlite3_column_blob(st, 2);
		int len = sqlite3_column_bytes(st, 2);
		if (raw == NULL || env_parse(&e, raw, (size_t)len) != 0) {
			char why[RS_ERRLEN];
			snprintf(why, sizeof(why), "%s", raw == NULL ? "empty" : rs_err());
			rs_seterr("stored envelope %lld does not parse (%s); run "
			    "\"rosterd check\"", (long long)idx, why);
			sqlite3_finalize(st);
			return -1;
		}
		if (!record_is_public(&e)) {
			rs_seterr("public record %lld names log index %lld, which is "
			    "not a public record; run \"rosterd check\"",
			    (long long)sqlite3_column_int64(st, 0), (long long)idx);
			env_free(&e);
			sqlite3_finalize(st);
			return -1;
		}
		if (kind_has(e.kind_id, KIND_DIRECTORY))
			dir_apply(d, &e, idx);
		else if (p != NULL && store_replay_rules(d, p, r, &e, idx,
		    sqlite3_column_int64(st, 3)) != 0) {
			env_free(&e);
			sqlite3_finalize(st);
			return -1;
		}
		env_free(&e);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rs_seterr("cannot read the directory records: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static int
restore_heads(sqlite3 *db, struct directory *d)
{
	sqlite3_stmt *st = db_prep(db, "SELECT device, seq, id FROM head");
	struct dir_device *dev;
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != 32 || sqlite3_column_bytes(st, 2) != 32)
			continue;
		dev = dir_device(d, sqlite3_column_blob(st, 0));
		if (dev == NULL)
			continue;
		dev->last_seq = sqlite3_column_int64(st, 1);
		memcpy(dev->last_id, sqlite3_column_blob(st, 2), 32);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rs_seterr("cannot read the chain heads: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

struct directory *
store_load_state(sqlite3 *db, const uint8_t operator_pk[32], struct process **proc,
    struct registry **reg)
{
	struct directory *d;
	struct process *p = NULL;
	struct registry *r = NULL;

	if (proc != NULL && (r = reg_new_shipped()) == NULL)
		return NULL;
	d = dir_new(operator_pk);
	p = proc != NULL ? proc_new() : NULL;
	if (replay_public(db, d, p, r) != 0 || restore_heads(db, d) != 0) {
		dir_free(d);
		proc_free(p);
		reg_free(r);
		return NULL;
	}
	if (proc != NULL) {
		*proc = p;
		*reg = r;
	}
	return d;
}

struct directory *
store_load_dir(sqlite3 *db, const uint8_t operator_pk[32])
{
	return store_load_state(db, operator_pk, NULL, NULL);
}

int
store_reload_dir(struct store *s)
{
	struct process *p, *oldp;
	struct registry *r, *oldr;
	struct directory *d = store_load_state(s->db, s->op->pk, &p, &r), *old;

	if (d == NULL)
		return -1;
	pthread_rwlock_wrlock(&s->dirlock);
	old = s->dir;
	s->dir = d;
	pthread_rwlock_unlock(&s->dirlock);
	oldp = s->proc;
	s->proc = p;
	oldr = s->reg;
	s->reg = r;
	dir_free(old);
	proc_free(oldp);
	reg_free(oldr);
	return 0;
}

/* ---- listings ---------------------------------------------------------------- */

static const char *
list_sql(enum store_list which)
{
	switch (which) {
	case LIST_PUBLIC:
		return "SELECT l.idx, l.time, l.envelope, p.pindex FROM pub p"
		    " JOIN log l ON l.idx = p.idx"
		    " WHERE p.idx > ?1 AND p.idx < ?2 ORDER BY p.idx LIMIT ?3";
	case LIST_RECORD:
		return "SELECT l.idx, l.time, l.envelope, p.pindex FROM pub p"
		    " JOIN log l ON l.idx = p.idx"
		    " WHERE p.idx = ?1 + 1 AND p.idx < ?2 LIMIT ?3";
	case LIST_DIRECTORY:
		return "SELECT idx, time, envelope, -1 FROM log"
		    " WHERE @public AND kind IN @directory"
		    " AND idx > ?1 AND idx < ?2 ORDER BY idx LIMIT ?3";
	case LIST_COSIGN:
		return "SELECT idx, time, envelope, -1 FROM log"
		    " WHERE @public AND kind = 'cosign'"
		    " AND idx > ?1 AND idx < ?2 ORDER BY idx LIMIT ?3";
	case LIST_MAIL:
		return "SELECT l.idx, l.time, l.envelope, -1 FROM rcpt r"
		    " JOIN log l ON l.idx = r.idx"
		    " WHERE r.device = ?4 AND r.idx > ?1 AND r.idx < ?2"
		    " ORDER BY r.idx LIMIT ?3";
	}
	return NULL;
}

int
store_list(struct store *s, enum store_list which, const uint8_t device[32],
    int64_t after, uint64_t size, size_t limit, size_t max_bytes,
    store_row_cb cb, void *arg, int *more)
{
	sqlite3 *db = store_reader(s);
	sqlite3_stmt *st;
	size_t bytes = 0, len;
	int rc, n = 0;

	assert(limit >= 1);
	*more = 0;
	if (db == NULL)
		return -1;
	if ((st = store_prep(db, list_sql(which))) == NULL) {
		store_reader_done(s, db);
		return -1;
	}
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, (int64_t)size);
	sqlite3_bind_int64(st, 3, (int64_t)limit + 1);
	if (which == LIST_MAIL)
		sqlite3_bind_blob(st, 4, device, 32, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		len = (size_t)sqlite3_column_bytes(st, 2);
		/* Always one record, however large; then within the bounds. */
		if ((size_t)n == limit || (n > 0 && bytes + len > max_bytes)) {
			*more = 1;
			break;
		}
		bytes += len;
		if (cb(arg, (uint64_t)sqlite3_column_int64(st, 0),
		    sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 3),
		    sqlite3_column_blob(st, 2), len) != 0) {
			n = -1;
			break;
		}
		n++;
	}
	if (n >= 0 && rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rs_seterr("database error: %s", sqlite3_errmsg(db));
		n = -1;
	}
	sqlite3_finalize(st);
	store_reader_done(s, db);
	return n;
}
