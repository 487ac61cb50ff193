/*
 * store.c - NODEDIR/node.db.
 *
 * Tables:
 *   meta         cursors (dir_after, mail_after, cosign_after) and the device's
 *                chain head (seq, prev)
 *   checkpoints  every checkpoint this node has accepted, verbatim
 *   records      every log record this node accepted (directory, cosignatures,
 *                mail), verbatim, with index and log time
 *   outbox       every envelope this device signed, in sequence order; idx and
 *                receipt are filled when the hub's receipt arrives
 *   messages     decrypted messages, sent and received: the listing columns,
 *                the whole decrypted payload (content), its thread parent,
 *                the acknowledgement deadline and what kind of notice it is
 *   escalations  overdue notices this node sent for its messages, per State
 *   acks         acknowledgements of messages this node sent
 *   senders      the last sequence number seen from each other device
 *   agreed       other nodes' checkpoints already shown consistent with this
 *                node's view (it only grows consistently, so once is enough)
 *   refusals     records refused, with the reason
 *   alarms       evidence of a misbehaving hub or a foreign key record
 *   alerts       e-mail alerts queued, sent or failed (alert.c)
 *
 * The chain head advances in the same transaction that stores the signed
 * envelope in the outbox, so a crash can never make the device sign two
 * envelopes with one sequence number.
 */
#include "node.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "jsonutil.h"

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
"  failed INTEGER, last_error TEXT, UNIQUE(kind, ref));";

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
};

int
store_open(struct node *n)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/node.db", n->dir);
	n->db = db_open(path, schema);
	if (n->db == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(added) / sizeof(added[0]); i++)
		if (db_add_column(n->db, added[i].table, added[i].column) != 0)
			return -1;
	return db_exec(n->db, "CREATE INDEX IF NOT EXISTS messages_parent"
	    " ON messages(parent) WHERE parent IS NOT NULL;"
	    "CREATE INDEX IF NOT EXISTS messages_open ON messages(deadline)"
	    " WHERE direction = 'out' AND settled IS NULL AND notice IS NULL");
}

int
store_alarm(struct node *n, const char *kind, const char *evidence,
    const char *fmt, ...)
{
	va_list ap;
	char text[1024];
	sqlite3_stmt *st;
	int rc;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fprintf(stderr, "roster: ALARM (%s): %s\n", kind, text);
	n->alarms++;
	st = db_prep(n->db, "INSERT OR IGNORE INTO alarms(time, kind, text, evidence)"
	    " VALUES(?, ?, ?, ?)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms());
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, evidence, -1, SQLITE_STATIC);
	rc = db_done(n->db, st);
	sqlite3_finalize(st);
	return rc;
}

int
store_refusal(struct node *n, int64_t index, const char *reason)
{
	sqlite3_stmt *st;
	int rc;

	if (!n->quiet)
		fprintf(stderr, "roster: refused the record at log index %lld: %s\n",
		    (long long)index, reason);
	st = db_prep(n->db, "INSERT INTO refusals(time, idx, reason) VALUES(?, ?, ?)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms());
	sqlite3_bind_int64(st, 2, index);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_TRANSIENT);
	rc = db_done(n->db, st);
	sqlite3_finalize(st);
	return rc;
}

int
store_find_message(struct node *n, const char *prefix, uint8_t id[32])
{
	sqlite3_stmt *st;
	size_t len = strlen(prefix);
	int found = 0;

	if (len < 8 || len > 64 || strspn(prefix, "0123456789abcdef") != len) {
		rs_seterr("a message id is 8 to 64 lower-case hex digits (got \"%s\")", prefix);
		return -1;
	}
	st = db_prep(n->db, "SELECT id FROM messages WHERE lower(hex(id)) LIKE ? || '%'");
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (found++ == 0)
			memcpy(id, sqlite3_column_blob(st, 0), 32);
	}
	sqlite3_finalize(st);
	if (found == 0) {
		rs_seterr("no message %s on this node (run `roster sync`?)", prefix);
		return -1;
	}
	if (found > 1) {
		rs_seterr("%s is ambiguous: %d messages start with it", prefix, found);
		return -1;
	}
	return 0;
}

int
store_outbox_add(struct node *n, json_t *hdr, const void *payload, size_t len,
    struct buf *env, uint8_t id[32])
{
	int64_t seq = 0;
	char *prev = NULL;
	sqlite3_stmt *st = NULL;

	if (db_meta_get_int(n->db, "seq", &seq) != 0)
		seq = 0;
	prev = db_meta_get_text(n->db, "prev");
	json_object_set_new(hdr, "state", json_string(n->cfg.state));
	json_object_set_new(hdr, "seq", json_integer(seq + 1));
	if (seq > 0 && prev != NULL)
		json_object_set_new(hdr, "prev", json_string(prev));
	free(prev);
	if (env_build(env, hdr, payload, len, n->key->pk, n->key->sk) != 0)
		goto fail;
	sha256(id, env->p, env->len);
	st = db_prep(n->db, "INSERT INTO outbox(seq, id, kind, envelope, created)"
	    " VALUES(?, ?, ?, ?, ?)");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, seq + 1);
	sqlite3_bind_blob(st, 2, id, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, jstr(hdr, "kind"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 4, env->p, (int)env->len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now_ms());
	if (db_done(n->db, st) != 0)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	char *idhex = hex_encode(id, 32);
	int rc = db_meta_set_int(n->db, "seq", seq + 1) == 0 &&
	    db_meta_set_text(n->db, "prev", idhex) == 0 ? 0 : -1;
	free(idhex);
	if (rc != 0)
		goto fail;
	return 0;
fail:
	sqlite3_finalize(st);
	return -1;
}
