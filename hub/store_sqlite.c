/*
 * store_sqlite.c - the SQLite backend's entries of struct store_ops.
 *
 * The log's own code (open, the trees on disk, inserts, listings, the
 * directory) is store.c's and fills the table as it is; this file adds the
 * entries the interface needs beyond it: the transaction around a batch,
 * recovery after a failed one, the checkpoint in meta, the reads that the
 * API, the communication checks and rosterd check used to make with their
 * own SQL, and the two lighter opens (raw, for rosterd check; reader, for
 * rosterd checks while a hub serves).
 *
 * One writer: the process holding HUBDIR/lock, on s->db; readers take
 * connections from store.c's pool (store_reader), which in WAL mode see
 * the last committed transaction.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "db.h"
#include "util.h"

/* ---- the writer ---------------------------------------------------------- */

static int
sq_begin(struct store *s)
{
	return db_begin(s->db);
}

static int
sq_set_size(struct store *s, uint64_t size)
{
	return db_meta_set_int(s->db, "size", (int64_t)size);
}

static int
sq_commit(struct store *s)
{
	return db_commit(s->db);
}

static void
sq_rollback(struct store *s)
{
	db_rollback(s->db);
}

/* The trees cut back to what is committed, the directory read again
 * (dir_apply ran for envelopes that are now not in the log). */
static int
sq_recover(struct store *s, uint64_t base, uint64_t pub_base)
{
	if (merkle_truncate(s->tree, base) != 0 ||
	    merkle_truncate(s->ptree, pub_base) != 0)
		return -1;
	return store_reload_dir(s);
}

static void
sq_end(struct store *s)
{
	(void)s;
}

static int
sq_save_checkpoint(struct store *s, uint64_t size, const char *text,
    const char *sig)
{
	(void)size;
	if (db_meta_set_text(s->db, "checkpoint", text) != 0)
		return -1;
	return db_meta_set_text(s->db, "checkpoint_sig", sig);
}

/* ---- readers ---------------------------------------------------------------- */

static int
sq_load_checkpoint(struct store *s, char **text, char **sig)
{
	sqlite3 *db = store_reader(s);

	*text = *sig = NULL;
	if (db == NULL)
		return -1;
	*text = db_meta_get_text(db, "checkpoint");
	*sig = db_meta_get_text(db, "checkpoint_sig");
	store_reader_done(s, db);
	if (*text == NULL || *sig == NULL) {
		free(*text);
		free(*sig);
		*text = *sig = NULL;
	}
	return 0;
}

static int
sq_pub_size_at(struct store *s, uint64_t n, uint64_t *pub)
{
	sqlite3 *db = store_reader(s);
	int rc;

	if (db == NULL)
		return -1;
	rc = store_pub_size_at(db, n, pub);
	store_reader_done(s, db);
	return rc;
}

static int
sq_pub_leaf(struct store *s, uint64_t pindex, uint64_t *idx, uint8_t id[32],
    int64_t *time)
{
	sqlite3 *db = store_reader(s);
	sqlite3_stmt *st;
	int rc = -1, step;

	if (db == NULL)
		return -1;
	st = db_prep(db, "SELECT p.idx, l.id, l.time FROM pub p JOIN log l"
	    " ON l.idx = p.idx WHERE p.pindex = ?1");
	if (st != NULL) {
		sqlite3_bind_int64(st, 1, (int64_t)pindex);
		step = sqlite3_step(st);
		if (step == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32) {
			*idx = (uint64_t)sqlite3_column_int64(st, 0);
			memcpy(id, sqlite3_column_blob(st, 1), 32);
			*time = sqlite3_column_int64(st, 2);
			rc = 0;
		} else if (step == SQLITE_ROW || step == SQLITE_DONE)
			rc = 1;
		else
			rs_seterr("database error: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
	}
	store_reader_done(s, db);
	return rc;
}

static int
sq_kind_rows(struct store *s, const char *kind, uint64_t size, store_row_cb cb,
    void *arg)
{
	sqlite3 *db = store_reader(s);
	sqlite3_stmt *st;
	int rc = 0, step;

	if (db == NULL)
		return -1;
	st = store_prep(db, "SELECT idx, time, envelope FROM log WHERE @public"
	    " AND kind = ?1 AND idx < ?2 ORDER BY idx");
	if (st == NULL) {
		store_reader_done(s, db);
		return -1;
	}
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)size);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cb(arg, (uint64_t)sqlite3_column_int64(st, 0),
		    sqlite3_column_int64(st, 1), -1, sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2));
	if (rc == 0 && step != SQLITE_DONE) {
		rs_seterr("database error: %s", sqlite3_errmsg(db));
		rc = -1;
	}
	sqlite3_finalize(st);
	store_reader_done(s, db);
	return rc == 0 ? 0 : -1;
}

static int
sq_routes(struct store *s, const uint8_t key[32], int64_t after, uint64_t size,
    size_t limit, store_route_cb cb, void *arg)
{
	sqlite3 *db = store_reader(s);
	sqlite3_stmt *st;
	int rc = 0, step;

	if (db == NULL)
		return -1;
	st = db_prep(db, "SELECT l.idx, l.time, l.signer FROM rcpt r JOIN log l"
	    " ON l.idx = r.idx WHERE r.device = ?1 AND r.idx > ?2 AND r.idx < ?3"
	    " ORDER BY r.idx LIMIT ?4");
	if (st == NULL) {
		store_reader_done(s, db);
		return -1;
	}
	sqlite3_bind_blob(st, 1, key, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int64(st, 3, (int64_t)size);
	sqlite3_bind_int64(st, 4, limit > 0 ? (int64_t)limit : -1);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cb(arg, (uint64_t)sqlite3_column_int64(st, 0),
		    sqlite3_column_int64(st, 1), sqlite3_column_bytes(st, 2) == 32 ?
		    sqlite3_column_blob(st, 2) : NULL);
	if (rc == 0 && step != SQLITE_DONE) {
		rs_seterr("database error: %s", sqlite3_errmsg(db));
		rc = -1;
	}
	sqlite3_finalize(st);
	store_reader_done(s, db);
	return rc == 0 ? 0 : -1;
}

static int
sq_row(struct store *s, uint64_t idx, int64_t *time, struct buf *env)
{
	sqlite3 *db = store_reader(s);
	sqlite3_stmt *st;
	int rc = -1, step;

	if (db == NULL)
		return -1;
	if ((st = db_prep(db, "SELECT time, envelope FROM log WHERE idx = ?1")) != NULL) {
		sqlite3_bind_int64(st, 1, (int64_t)idx);
		step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			*time = sqlite3_column_int64(st, 0);
			buf_add(env, sqlite3_column_blob(st, 1),
			    (size_t)sqlite3_column_bytes(st, 1));
			rc = 0;
		} else if (step == SQLITE_DONE)
			rc = 1;
		else
			rs_seterr("database error: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
	}
	store_reader_done(s, db);
	return rc;
}

/* ---- rosterd check and migrate-store ------------------------------------- */

static int
sq_scan(struct store *s, uint64_t limit, store_scan_cb cb, void *arg)
{
	sqlite3_stmt *st = db_prep(s->db, "SELECT l.idx, l.id, l.time, l.kind,"
	    " l.state, l.signer, l.seq, l.envelope, p.pindex FROM log l"
	    " LEFT JOIN pub p ON p.idx = l.idx WHERE l.idx < ?1 ORDER BY l.idx");
	struct store_row r;
	int rc = 0, step;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.idx = (uint64_t)sqlite3_column_int64(st, 0);
		r.id = sqlite3_column_blob(st, 1);
		r.id_len = (size_t)sqlite3_column_bytes(st, 1);
		r.time = sqlite3_column_int64(st, 2);
		r.kind = (const char *)sqlite3_column_text(st, 3);
		r.state = (const char *)sqlite3_column_text(st, 4);
		r.signer = sqlite3_column_blob(st, 5);
		r.signer_len = (size_t)sqlite3_column_bytes(st, 5);
		r.has_seq = sqlite3_column_type(st, 6) == SQLITE_INTEGER;
		r.seq = sqlite3_column_int64(st, 6);
		r.env = sqlite3_column_blob(st, 7);
		r.env_len = (size_t)sqlite3_column_bytes(st, 7);
		r.pindex = sqlite3_column_type(st, 8) == SQLITE_INTEGER ?
		    sqlite3_column_int64(st, 8) : -1;
		if (r.kind == NULL)
			r.kind = "";
		rc = cb(arg, &r);
	}
	if (rc == 0 && step != SQLITE_DONE) {
		rs_seterr("cannot read the log: %s", sqlite3_errmsg(s->db));
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc == 0 ? 0 : -1;
}

static int
sq_heads(struct store *s, store_head_cb cb, void *arg)
{
	sqlite3_stmt *st = db_prep(s->db, "SELECT device, seq, id FROM head");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cb(arg, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0), sqlite3_column_int64(st, 1),
		    sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2));
	if (rc == 0 && step != SQLITE_DONE) {
		rs_seterr("cannot read the chain heads: %s", sqlite3_errmsg(s->db));
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc == 0 ? 0 : -1;
}

static int
sq_pub_rows(struct store *s, uint64_t limit, store_pub_cb cb, void *arg)
{
	sqlite3_stmt *st = db_prep(s->db, "SELECT pindex, idx FROM pub WHERE idx < ?1"
	    " ORDER BY pindex");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cb(arg, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
	if (rc == 0 && step != SQLITE_DONE) {
		rs_seterr("cannot read the public records: %s", sqlite3_errmsg(s->db));
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc == 0 ? 0 : -1;
}

static int
sq_count(struct store *s, const char *table, uint64_t *n)
{
	sqlite3_stmt *st = db_prep(s->db, strcmp(table, "rcpt") == 0 ?
	    "SELECT count(*) FROM rcpt" : "SELECT count(*) FROM log");
	int rc = -1;

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*n = (uint64_t)sqlite3_column_int64(st, 0);
		rc = 0;
	} else
		rs_seterr("cannot count the rows of %s: %s", table,
		    sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return rc;
}

static int
sq_stored_operator(struct store *s, uint8_t pk[32])
{
	char *hex = db_meta_get_text(s->db, "operator_key");
	int rc = hex != NULL && hex_decode_exact(pk, 32, hex) == 0 ? 0 : 1;

	free(hex);
	return rc;
}

static int
sq_recorded_size(struct store *s, int64_t *n)
{
	return db_meta_get_int(s->db, "size", n) == 0 ? 0 : 1;
}

static int
sq_open_tree(struct store *s, int public, uint64_t size, struct merkle_tree **t)
{
	return merkle_open(t, public ? s->ptreedir : s->treedir, size);
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.begin = sq_begin,
	.lookup = store_lookup,
	.insert = store_insert,
	.set_head = store_set_head,
	.set_size = sq_set_size,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.recover = sq_recover,
	.end = sq_end,
	.save_checkpoint = sq_save_checkpoint,
	.load_checkpoint = sq_load_checkpoint,
	.pub_size_at = sq_pub_size_at,
	.pub_leaf = sq_pub_leaf,
	.list = store_list,
	.kind_rows = sq_kind_rows,
	.routes = sq_routes,
	.row = sq_row,
	.scan = sq_scan,
	.heads = sq_heads,
	.pub_rows = sq_pub_rows,
	.count = sq_count,
	.stored_operator = sq_stored_operator,
	.recorded_size = sq_recorded_size,
	.open_tree = sq_open_tree,
};

/* ---- the lighter opens ------------------------------------------------------ */

struct keypair *
store_public_key(const uint8_t pk[32])
{
	struct keypair *k = sodium_malloc(sizeof(*k));

	if (k == NULL)
		abort();
	memset(k, 0, sizeof(*k));
	memcpy(k->pk, pk, 32);
	return k;
}

/* The store around hub.db, opened without a schema; the operator key from
 * operator.key (with_key), else only its public half from meta. */
static struct store *
light_store(const char *hubdir, const struct hub_config *cfg, int with_key)
{
	struct store *s = xcalloc(1, sizeof(*s));
	struct stat st;
	char *keypath;

	s->ops = &store_sqlite_ops;
	s->hubdir = xstrdup(hubdir);
	s->dbpath = hub_path(hubdir, "hub.db");
	s->treedir = hub_path(hubdir, "tree");
	s->ptreedir = hub_path(hubdir, "tree/public");
	s->cfg = *cfg;
	if (pthread_rwlock_init(&s->dirlock, NULL) != 0 ||
	    pthread_mutex_init(&s->pool_mu, NULL) != 0 ||
	    pthread_mutex_init(&s->cp_mu, NULL) != 0 ||
	    pthread_mutex_init(&s->size_mu, NULL) != 0) {
		rs_seterr("cannot initialise the store's locks");
		goto fail;
	}
	if (with_key) {
		keypath = hub_path(hubdir, "operator.key");
		s->op = keyfile_read(keypath, KEY_OPERATOR, NULL);
		free(keypath);
		if (s->op == NULL)
			goto fail;
	}
	if (stat(s->dbpath, &st) != 0) {
		rs_seterr("%s is missing: %s is not an initialised hub", s->dbpath,
		    hubdir);
		goto fail;
	}
	if ((s->db = db_open(s->dbpath, NULL)) == NULL)
		goto fail;
	return s;
fail:
	store_close(s);
	return NULL;
}

struct store *
store_sqlite_open_raw(const char *hubdir, const struct hub_config *cfg)
{
	return light_store(hubdir, cfg, 1);
}

struct store *
store_sqlite_open_reader(const char *hubdir, const struct hub_config *cfg)
{
	struct store *s = light_store(hubdir, cfg, 0);
	char *hex;
	uint8_t pk[32];
	sqlite3_stmt *st;

	if (s == NULL)
		return NULL;
	hex = db_meta_get_text(s->db, "operator_key");
	if (hex == NULL || hex_decode_exact(pk, 32, hex) != 0) {
		rs_seterr("%s records no operator key: not a hub database", s->dbpath);
		free(hex);
		goto fail;
	}
	free(hex);
	s->op = store_public_key(pk);
	/* one read snapshot for all that follows (a deferred transaction: it
	 * takes no write lock, so a serving hub goes on appending) */
	if (db_exec(s->db, "BEGIN DEFERRED") != 0)
		goto fail;
	if ((s->dir = store_load_state(s->db, s->op->pk, &s->proc, &s->reg)) == NULL)
		goto fail;
	if ((st = db_prep(s->db, "SELECT coalesce(max(idx), -1) + 1,"
	    " coalesce(max(time), 0) FROM log")) == NULL)
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW) {
		atomic_store(&s->committed, (uint64_t)sqlite3_column_int64(st, 0));
		s->last_time = s->time_committed = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	db_rollback(s->db);	/* read only */
	return s;
fail:
	store_close(s);
	return NULL;
}
