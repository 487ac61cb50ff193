/*
 * store.c - NODEDIR/node.db: opening it (schema and migrations),
 * transactions, the meta table, and the statements kept prepared on the
 * connection.  The tables and the rules of the store API are in store.h;
 * the queries of each table family in store_log.c, store_messages.c,
 * store_outbox.c and store_local.c.
 *
 * Why one API.  Every SQL statement of the node is behind a store_*
 * function, so a table changes in one place, a failed write is reported
 * the same way everywhere (STORE_ERROR, never mistaken for a duplicate),
 * and the statements a sync pass runs per record are prepared once
 * instead of once per record.
 *
 * node.db holds the messages in clear, so it is the owner's alone (0600)
 * whatever the umask, made so before SQLite first opens it; SQLite gives
 * its -wal and -shm files the database's mode.  A store made wider by an
 * older version is narrowed at open.
 */
#include "store_impl.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"

static const char schema[] =
"CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v);"
"CREATE TABLE IF NOT EXISTS checkpoints(size INTEGER NOT NULL, root BLOB NOT NULL,"
"  time INTEGER NOT NULL, text TEXT NOT NULL, sig BLOB NOT NULL, seen INTEGER NOT NULL,"
"  PRIMARY KEY(size, root));"
"CREATE TABLE IF NOT EXISTS records(idx INTEGER PRIMARY KEY, time INTEGER NOT NULL,"
"  id BLOB NOT NULL UNIQUE, kind TEXT NOT NULL, envelope BLOB NOT NULL,"
"  checked_size INTEGER NOT NULL);"
"CREATE TABLE IF NOT EXISTS outbox(seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE,"
"  kind TEXT NOT NULL, envelope BLOB NOT NULL, created INTEGER NOT NULL,"
"  idx INTEGER, time INTEGER, receipt TEXT, error TEXT);"
"CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(seq) WHERE receipt IS NULL;"
"CREATE TABLE IF NOT EXISTS messages(id BLOB PRIMARY KEY, idx INTEGER, time INTEGER,"
"  direction TEXT NOT NULL, sender_state TEXT, sender_device BLOB, to_states TEXT,"
"  rcpt TEXT, urgency TEXT, subject TEXT, body TEXT, tlp TEXT, lang TEXT, sent INTEGER,"
"  acked INTEGER NOT NULL DEFAULT 0, checked_size INTEGER, error TEXT);"
"CREATE TABLE IF NOT EXISTS escalations(msg_id BLOB NOT NULL, state TEXT NOT NULL,"
"  stage INTEGER NOT NULL, notice_id BLOB NOT NULL, time INTEGER NOT NULL,"
"  devices TEXT NOT NULL, PRIMARY KEY(msg_id, state, stage));"
"CREATE TABLE IF NOT EXISTS senders(device BLOB PRIMARY KEY, seq INTEGER NOT NULL);"
"CREATE TABLE IF NOT EXISTS agreed(size INTEGER NOT NULL, root BLOB NOT NULL,"
"  PRIMARY KEY(size, root)) WITHOUT ROWID;"
"CREATE TABLE IF NOT EXISTS acks(msg_id BLOB NOT NULL, device BLOB NOT NULL,"
"  status TEXT NOT NULL, idx INTEGER, time INTEGER, note TEXT,"
"  PRIMARY KEY(msg_id, device, status));"
"CREATE TABLE IF NOT EXISTS refusals(n INTEGER PRIMARY KEY, time INTEGER NOT NULL,"
"  idx INTEGER, reason TEXT NOT NULL);"
"CREATE TABLE IF NOT EXISTS alarms(n INTEGER PRIMARY KEY, time INTEGER NOT NULL,"
"  kind TEXT NOT NULL, text TEXT NOT NULL, evidence TEXT,"
"  UNIQUE(kind, text));"
"CREATE TABLE IF NOT EXISTS alerts(n INTEGER PRIMARY KEY, created INTEGER NOT NULL,"
"  kind TEXT NOT NULL, urgency TEXT, ref BLOB, rcpt TEXT NOT NULL,"
"  attempts INTEGER NOT NULL DEFAULT 0, next_try INTEGER NOT NULL, sent INTEGER,"
"  failed INTEGER, last_error TEXT, UNIQUE(kind, ref));"
"CREATE TABLE IF NOT EXISTS public_state(which TEXT PRIMARY KEY, frontier BLOB NOT NULL,"
"  last_index INTEGER NOT NULL, last_time INTEGER NOT NULL, size INTEGER NOT NULL);"
/* the TAXII server's (store_taxii.c) */
"CREATE TABLE IF NOT EXISTS stix_objects(n INTEGER PRIMARY KEY, id TEXT NOT NULL,"
"  vkey TEXT NOT NULL, json TEXT NOT NULL, UNIQUE(id, vkey));"
"CREATE TABLE IF NOT EXISTS stix_msgs(msg BLOB PRIMARY KEY, filed INTEGER NOT NULL,"
"  result TEXT NOT NULL, objects INTEGER NOT NULL);"
"CREATE TABLE IF NOT EXISTS taxii_colls(alias TEXT PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
"  kind TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL, aud TEXT NOT NULL,"
"  roles TEXT NOT NULL, tlp TEXT NOT NULL, urgency TEXT NOT NULL, subject TEXT NOT NULL,"
"  fields TEXT NOT NULL, created INTEGER NOT NULL);"
"CREATE TABLE IF NOT EXISTS taxii_entries(coll TEXT NOT NULL, added INTEGER NOT NULL,"
"  obj INTEGER NOT NULL, type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,"
"  spec TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL,"
"  PRIMARY KEY(coll, added, obj)) WITHOUT ROWID;"
"CREATE UNIQUE INDEX IF NOT EXISTS taxii_entries_obj ON taxii_entries(coll, obj);"
"CREATE INDEX IF NOT EXISTS taxii_entries_type ON taxii_entries(coll, type, added, obj);"
"CREATE INDEX IF NOT EXISTS taxii_entries_id ON taxii_entries(coll, id, version);"
"CREATE TABLE IF NOT EXISTS taxii_tokens(name TEXT PRIMARY KEY, hash BLOB NOT NULL UNIQUE,"
"  colls TEXT NOT NULL, write INTEGER NOT NULL, created INTEGER NOT NULL, revoked INTEGER,"
"  used INTEGER);"
"CREATE TABLE IF NOT EXISTS taxii_status(uuid TEXT PRIMARY KEY, coll TEXT NOT NULL,"
"  msg BLOB, who TEXT NOT NULL, requested INTEGER NOT NULL, objects TEXT NOT NULL,"
"  digest BLOB);"
"CREATE INDEX IF NOT EXISTS taxii_status_msg ON taxii_status(msg) WHERE msg IS NOT NULL;"
"CREATE INDEX IF NOT EXISTS taxii_status_digest ON taxii_status(coll, digest);";

/* Columns added after the first release, added to older stores on open. */
static const struct {
	const char *table, *column;
} added[] = {
	{ "messages", "content TEXT" },		/* the decrypted payload, JSON */
	{ "messages", "parent BLOB" },		/* the message this one replies to */
	{ "messages", "deadline INTEGER" },	/* acknowledge by (log time, ms) */
	{ "messages", "notice TEXT" },		/* "overdue": an escalation notice */
	{ "messages", "escalated INTEGER" },	/* when an overdue notice came */
	{ "messages", "agreement BLOB" },	/* our "agreed" ack of an outcome */
	{ "messages", "settled INTEGER" },	/* sent: no escalation left to do */
	{ "records", "pindex INTEGER" },	/* its public index (section 8), or NULL */
	{ "records", "proot BLOB" },		/* the public root up to it, with pindex */
	{ "alarms", "idx INTEGER" },		/* the log index of the record concerned */
	{ "alarms", "feed TEXT" },		/* 'public' or 'mail': where it is retried */
	{ "alarms", "resolved INTEGER" },	/* when the record was served intact */
	{ "senders", "idx INTEGER" },		/* log index of the last seq seen */
	{ "messages", "proof TEXT" },		/* received: its inclusion proof at
						 * checked_size, as served (a forward
						 * of it carries it) */
	{ "alarms", "params TEXT" },		/* its facts, JSON (store_alarm_with) */
};

/* path readable and writable by its owner only (created so if missing);
 * 0, or -1 with rs_err.  With create 0 a missing file is left missing.
 * An existing file is changed by name, never opened: closing any
 * descriptor of a database file drops the POSIX locks every SQLite
 * connection of this process holds on it (the serve loop and the web each
 * have one), and two writers would then corrupt it. */
static int
owner_only(const char *path, int create)
{
	struct stat st;
	int fd;

	if (stat(path, &st) == 0) {
		if ((st.st_mode & 077) != 0 && chmod(path, st.st_mode & 0700) != 0) {
			rs_seterr("cannot make %s private to its owner: %s", path,
			    strerror(errno));
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT) {
		rs_seterr("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (!create)
		return 0;
	/* No connection can have a file open that did not exist. */
	if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 &&
	    errno != EEXIST) {
		rs_seterr("cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

/*
 * The rule of acknowledgement (docs/protocol.md section 3), in one place
 * for every query that needs it: the sent list's counts, the response
 * figures, the status of each recipient State, escalation.  A message this
 * node sent is acknowledged by a device that signed an "acknowledged" (or,
 * for a consultation's outcome, "agreed") acknowledgement of it, or that
 * answered it: sent a message whose "re" names it (a reply, a consultation
 * step) from one of the States it was sent to.  A temporary view, made
 * afresh on every connection, so it is never an old definition kept in an
 * old file.
 */
static const char acknowledgements[] =
"CREATE TEMP VIEW IF NOT EXISTS acknowledgements(msg_id, device, time, idx, how,"
"  answer, note) AS"
" SELECT a.msg_id, a.device, a.time, a.idx, a.status, NULL, a.note FROM acks a"
"  WHERE a.status IN ('acknowledged', 'agreed')"
" UNION ALL"
" SELECT m.parent, m.sender_device, m.time, m.idx,"
"  coalesce(json_extract(m.content, '$.consultation.step'), 'reply'), m.id, NULL"
"  FROM messages m JOIN messages p ON p.id = m.parent"
"  WHERE m.direction = 'in' AND m.notice IS NULL AND m.idx IS NOT NULL"
"  AND p.direction = 'out' AND EXISTS (SELECT 1 FROM json_each(p.to_states) j"
"  WHERE j.value = m.sender_state)";

int
store_open(struct node *n)
{
	char path[4096], side[4110];
	struct store *s;

	assert(n->store == NULL);
	snprintf(path, sizeof(path), "%s/node.db", n->dir);
	if (owner_only(path, 1) != 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		snprintf(side, sizeof(side), "%s%s", path, i ? "-shm" : "-wal");
		if (owner_only(side, 0) != 0)
			return -1;
	}
	s = xcalloc(1, sizeof(*s));
	if ((s->db = db_open(path, schema)) == NULL) {
		free(s);
		return -1;
	}
	n->store = s;
	for (size_t i = 0; i < sizeof(added) / sizeof(added[0]); i++)
		if (db_add_column(s->db, added[i].table, added[i].column) != 0)
			return -1;
	/* 16 MiB of page cache (SQLite's default is 2 MiB): filing a message
	 * of 1,000 STIX objects into its collections wrote pages out of a full
	 * cache mid-transaction (perf: sqlite3PcacheFetchStress) */
	return db_exec(s->db, "PRAGMA cache_size=-16384;"
	    "CREATE INDEX IF NOT EXISTS messages_parent"
	    " ON messages(parent) WHERE parent IS NOT NULL;"
	    "CREATE UNIQUE INDEX IF NOT EXISTS records_pindex ON records(pindex)"
	    " WHERE pindex IS NOT NULL;"
	    "CREATE INDEX IF NOT EXISTS alarms_open ON alarms(idx) WHERE resolved IS NULL;"
	    "CREATE INDEX IF NOT EXISTS messages_open ON messages(deadline)"
	    " WHERE direction = 'out' AND settled IS NULL AND notice IS NULL") != 0 ||
	    db_exec(s->db, acknowledgements) != 0 ? -1 : 0;
}

void
store_close(struct node *n)
{
	struct store *s = n->store;

	if (s == NULL)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->kept[i]);
	db_close(s->db);
	free(s);
	n->store = NULL;
}

int
store_begin(struct node *n)
{
	/* Transactions do not nest: every path that began one committed or
	 * rolled it back (a failed COMMIT is rolled back by its caller). */
	assert(sqlite3_get_autocommit(n->store->db));
	return db_begin(n->store->db);
}

int
store_commit(struct node *n)
{
	return db_commit(n->store->db);
}

void
store_rollback(struct node *n)
{
	db_rollback(n->store->db);
}

/* ---- statements ---------------------------------------------------------- */

sqlite3_stmt *
store_kept(struct node *n, enum stmt k, const char *sql)
{
	struct store *s = n->store;
	sqlite3_stmt *st;

	assert(k >= 0 && k < ST_COUNT);
	if ((st = s->kept[k]) != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		rs_seterr("database error: %s (in: %.60s)", sqlite3_errmsg(s->db), sql);
		return NULL;
	}
	s->kept[k] = st;
	return st;
}

sqlite3_stmt *
store_prep(struct node *n, const char *sql)
{
	return db_prep(n->store->db, sql);
}

int
store_done(struct node *n, sqlite3_stmt *st)
{
	return db_done(n->store->db, st);
}

int
store_step(struct node *n, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		rs_seterr("database error: %s", sqlite3_errmsg(n->store->db));
	return rc;
}

enum store_result
store_step_insert(struct node *n, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	int ext = sqlite3_extended_errcode(n->store->db);

	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return STORE_OK;
	rs_seterr("database error: %s", sqlite3_errmsg(n->store->db));
	if (ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE)
		return STORE_DUPLICATE;
	return STORE_ERROR;
}

const char *
store_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

char *
store_col_dup(sqlite3_stmt *st, int i)
{
	return xstrdup(store_col_text(st, i));
}

/* ---- meta ---------------------------------------------------------------- */

int
store_meta_get_int(struct node *n, const char *k, int64_t *v)
{
	sqlite3_stmt *st = store_kept(n, ST_META_GET, "SELECT v FROM meta WHERE k = ?");
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	if (store_step(n, st) == SQLITE_ROW) {
		*v = sqlite3_column_int64(st, 0);
		rc = 0;
	} else
		rs_seterr("no %s recorded", k);
	sqlite3_reset(st);
	return rc;
}

char *
store_meta_get_text(struct node *n, const char *k)
{
	sqlite3_stmt *st = store_kept(n, ST_META_GET, "SELECT v FROM meta WHERE k = ?");
	char *out = NULL;

	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	if (store_step(n, st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		out = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return out;
}

static int
meta_set(struct node *n, const char *k, const char *text, int64_t v)
{
	sqlite3_stmt *st = store_kept(n, ST_META_SET,
	    "INSERT OR REPLACE INTO meta(k, v) VALUES(?, ?)");

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	if (text != NULL)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 2, v);
	return store_done(n, st);
}

int
store_meta_set_int(struct node *n, const char *k, int64_t v)
{
	return meta_set(n, k, NULL, v);
}

int
store_meta_set_text(struct node *n, const char *k, const char *v)
{
	assert(v != NULL);
	return meta_set(n, k, v, 0);
}
