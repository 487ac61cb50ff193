/*
 * store_local.c - the tables that are this node's own business, not the
 * log's: e-mail alerts (alert.c), the web interface's accounts and what
 * each has read, and the listings and counters the web pages draw from
 * them.  See store.h.
 */
#include "store_impl.h"

#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "alert.h"
#include "db.h"

/* ---- alerts ------------------------------------------------------------- */

int
store_alert_add(struct node *n, const struct alert *a, int64_t now)
{
	sqlite3_stmt *st = store_kept(n, ST_ALERT_ADD, "INSERT OR IGNORE INTO alerts(created,"
	    " kind, urgency, ref, rcpt, next_try) VALUES(?, ?, ?, ?, ?, ?)");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, a->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->urgency, -1, SQLITE_STATIC);
	if (a->has_ref)
		sqlite3_bind_blob(st, 4, a->ref, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->rcpt, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	return store_done(n, st);
}

int
store_alert_add_test(struct node *n, struct alert *a)
{
	sqlite3_stmt *st = store_prep(n, "INSERT INTO alerts(created, kind, urgency, rcpt,"
	    " next_try) VALUES(?, 'test', 'routine', ?, ?)");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, a->created);
	sqlite3_bind_text(st, 2, a->rcpt, -1, SQLITE_STATIC);
	/* never due for the thread: the command sends it itself */
	sqlite3_bind_int64(st, 3, INT64_MAX);
	rc = store_done(n, st);
	sqlite3_finalize(st);
	a->n = sqlite3_last_insert_rowid(n->store->db);
	return rc;
}

int
store_alert_next_due(struct node *n, int64_t now, struct alert *a)
{
	sqlite3_stmt *st = store_prep(n, "SELECT n, created, kind, urgency, ref,"
	    " rcpt, attempts FROM alerts WHERE sent IS NULL AND failed IS NULL"
	    " AND next_try <= ? ORDER BY next_try, n LIMIT 1");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	memset(a, 0, sizeof(*a));
	rc = store_step(n, st);
	if (rc == SQLITE_ROW) {
		a->n = sqlite3_column_int64(st, 0);
		a->created = sqlite3_column_int64(st, 1);
		snprintf(a->kind, sizeof(a->kind), "%s", store_col_text(st, 2));
		snprintf(a->urgency, sizeof(a->urgency), "%s", store_col_text(st, 3));
		if (sqlite3_column_bytes(st, 4) == 32) {
			memcpy(a->ref, sqlite3_column_blob(st, 4), 32);
			a->has_ref = 1;
		}
		snprintf(a->rcpt, sizeof(a->rcpt), "%s", store_col_text(st, 5));
		a->attempts = sqlite3_column_int64(st, 6);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	return rc == SQLITE_ROW;
}

int
store_alert_record(struct node *n, int64_t row, int64_t attempts, int64_t sent,
    int64_t failed, int64_t next_try, const char *error)
{
	sqlite3_stmt *st = store_prep(n, "UPDATE alerts SET attempts = ?,"
	    " sent = ?, failed = ?, next_try = ?, last_error = ? WHERE n = ?");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, attempts);
	if (sent != 0)
		sqlite3_bind_int64(st, 2, sent);
	if (failed != 0)
		sqlite3_bind_int64(st, 3, failed);
	sqlite3_bind_int64(st, 4, next_try);
	if (error != NULL)
		sqlite3_bind_text(st, 5, error, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, row);
	rc = store_done(n, st);
	sqlite3_finalize(st);
	return rc;
}

int
store_alerts_each(struct node *n, int limit, store_alert_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT created, kind, urgency, ref, attempts,"
	    " sent, failed, last_error, rcpt FROM alerts ORDER BY n DESC LIMIT ?");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, limit);
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW) {
		struct alert_row r;
		memset(&r, 0, sizeof(r));
		r.created = sqlite3_column_int64(st, 0);
		r.kind = store_col_text(st, 1);
		r.urgency = (const char *)sqlite3_column_text(st, 2);
		if ((r.has_ref = sqlite3_column_bytes(st, 3) == 32))
			memcpy(r.ref, sqlite3_column_blob(st, 3), 32);
		r.attempts = sqlite3_column_int64(st, 4);
		r.sent = sqlite3_column_int64(st, 5);
		r.failed = sqlite3_column_int64(st, 6);
		r.last_error = store_col_text(st, 7);
		r.rcpt = store_col_text(st, 8);
		rc = fn(ud, &r);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

/* ---- accounts ------------------------------------------------------------- */

/* Created only where accounts are used (the web interface, `roster user`),
 * so the rest of the store does not depend on them. */
static const char accounts_schema[] =
"CREATE TABLE IF NOT EXISTS web_users(name TEXT PRIMARY KEY, admin INTEGER NOT NULL,"
"  lang TEXT NOT NULL, email TEXT NOT NULL DEFAULT '', pwhash TEXT NOT NULL,"
"  key_salt BLOB NOT NULL, key_nonce BLOB NOT NULL, key_box BLOB NOT NULL,"
"  created INTEGER NOT NULL);"
"CREATE TABLE IF NOT EXISTS web_reads(user TEXT NOT NULL, msg_id BLOB NOT NULL,"
"  time INTEGER NOT NULL, PRIMARY KEY(user, msg_id)) WITHOUT ROWID;";

int
store_accounts_schema(struct node *n)
{
	return db_exec(n->store->db, accounts_schema);
}

int
store_accounts_count(struct node *n)
{
	sqlite3_stmt *st = store_prep(n, "SELECT count(*) FROM web_users");
	int c = -1;

	if (st != NULL && store_step(n, st) == SQLITE_ROW)
		c = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return c;
}

static int
copy_blob(sqlite3_stmt *st, int col, void *out, size_t len)
{
	if (sqlite3_column_bytes(st, col) != (int)len)
		return -1;
	memcpy(out, sqlite3_column_blob(st, col), len);
	return 0;
}

enum store_result
store_account_get(struct node *n, const char *name, struct account *a)
{
	sqlite3_stmt *st = store_prep(n, "SELECT name, admin, lang, email, pwhash, key_salt,"
	    " key_nonce, key_box FROM web_users WHERE name = ?");
	int rc;

	if (st == NULL)
		return STORE_ERROR;
	memset(a, 0, sizeof(*a));
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = store_step(n, st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return STORE_NOT_FOUND;
		rs_seterr("cannot read the accounts: %s", sqlite3_errmsg(n->store->db));
		return STORE_ERROR;
	}
	snprintf(a->name, sizeof(a->name), "%s", store_col_text(st, 0));
	a->admin = sqlite3_column_int(st, 1);
	snprintf(a->lang, sizeof(a->lang), "%s", store_col_text(st, 2));
	snprintf(a->email, sizeof(a->email), "%s", store_col_text(st, 3));
	snprintf(a->hash, sizeof(a->hash), "%s", store_col_text(st, 4));
	rc = copy_blob(st, 5, a->sealed.salt, sizeof(a->sealed.salt)) |
	    copy_blob(st, 6, a->sealed.nonce, sizeof(a->sealed.nonce)) |
	    copy_blob(st, 7, a->sealed.box, sizeof(a->sealed.box));
	sqlite3_finalize(st);
	if (rc != 0) {
		rs_seterr("the account %s is damaged in node.db (sealed key of the wrong size)",
		    name);
		return STORE_ERROR;
	}
	return STORE_OK;
}

int
store_account_put(struct node *n, const struct account *a, int update)
{
	sqlite3_stmt *st = store_prep(n, update ?
	    "UPDATE web_users SET pwhash = ?1, key_salt = ?2, key_nonce = ?3, key_box = ?4"
	    " WHERE name = ?5" :
	    "INSERT INTO web_users(pwhash, key_salt, key_nonce, key_box, name, admin, lang,"
	    " email, created) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, a->hash, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, a->sealed.salt, sizeof(a->sealed.salt), SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, a->sealed.nonce, sizeof(a->sealed.nonce), SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, a->sealed.box, sizeof(a->sealed.box), SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->name, -1, SQLITE_STATIC);
	if (!update) {
		sqlite3_bind_int(st, 6, a->admin);
		sqlite3_bind_text(st, 7, a->lang, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, a->email, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 9, now_ms());
	}
	rc = store_done(n, st);
	sqlite3_finalize(st);
	return rc;
}

int
store_account_set_prefs(struct node *n, const char *name, const char *lang,
    const char *email)
{
	sqlite3_stmt *st = store_prep(n, "UPDATE web_users SET lang = coalesce(?, lang),"
	    " email = coalesce(?, email) WHERE name = ?");
	int rc;

	if (st == NULL)
		return -1;
	if (lang != NULL)
		sqlite3_bind_text(st, 1, lang, -1, SQLITE_STATIC);
	if (email != NULL)
		sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	rc = store_done(n, st);
	sqlite3_finalize(st);
	return rc;
}

int
store_accounts_each(struct node *n, store_account_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT name, admin, lang, email, created"
	    " FROM web_users ORDER BY name");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW)
		rc = fn(ud, store_col_text(st, 0), sqlite3_column_int(st, 1),
		    store_col_text(st, 2), store_col_text(st, 3), sqlite3_column_int64(st, 4));
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

int
store_read_mark(struct node *n, const char *user, const uint8_t id[32])
{
	sqlite3_stmt *st = store_prep(n, "INSERT OR IGNORE INTO web_reads(user, msg_id, time)"
	    " VALUES(?, ?, ?)");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 2, id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now_ms());
	rc = store_done(n, st);
	sqlite3_finalize(st);
	return rc;
}

/* ---- what the web pages list ----------------------------------------------- */

int
store_sent_each(struct node *n, store_sent_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT m.id, m.idx, m.time, m.sent, m.to_states,"
	    " m.urgency, m.subject, m.tlp, json_array_length(m.rcpt), m.error,"
	    " (SELECT count(DISTINCT device) FROM acks a WHERE a.msg_id = m.id AND"
	    "  a.status = 'delivered'),"
	    " (SELECT count(DISTINCT device) FROM acknowledgements a WHERE a.msg_id = m.id"
	    "  AND lower(hex(a.device)) IN (SELECT value FROM json_each(m.rcpt))),"
	    " m.lang, json_extract(m.content, '$.template'), m.notice"
	    " FROM messages m WHERE m.direction = 'out' ORDER BY m.rowid DESC LIMIT 500");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW) {
		struct sent_row r;
		memset(&r, 0, sizeof(r));
		if (sqlite3_column_bytes(st, 0) == 32)
			memcpy(r.id, sqlite3_column_blob(st, 0), 32);
		if ((r.has_index = sqlite3_column_type(st, 1) != SQLITE_NULL)) {
			r.index = sqlite3_column_int64(st, 1);
			r.time = sqlite3_column_int64(st, 2);
		}
		r.sent = sqlite3_column_int64(st, 3);
		r.to_states = store_col_text(st, 4);
		r.urgency = store_col_text(st, 5);
		r.subject = store_col_text(st, 6);
		r.tlp = store_col_text(st, 7);
		r.recipients = sqlite3_column_int64(st, 8);
		r.error = (const char *)sqlite3_column_text(st, 9);
		r.delivered = sqlite3_column_int64(st, 10);
		r.acknowledged = sqlite3_column_int64(st, 11);
		r.lang = store_col_text(st, 12);
		r.template_id = (const char *)sqlite3_column_text(st, 13);
		r.notice = (const char *)sqlite3_column_text(st, 14);
		rc = fn(ud, &r);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

int
store_responses_each(struct node *n, store_response_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT m.time, j.value,"
	    " (SELECT min(time) FROM acks a WHERE a.msg_id = m.id AND lower(hex(a.device))"
	    "  = j.value AND a.status = 'delivered'),"
	    " (SELECT min(time) FROM acknowledgements a WHERE a.msg_id = m.id AND"
	    "  lower(hex(a.device)) = j.value)"
	    " FROM messages m, json_each(m.rcpt) j WHERE m.direction = 'out'"
	    " AND m.idx IS NOT NULL ORDER BY m.time LIMIT 20000");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW)
		rc = fn(ud, sqlite3_column_int64(st, 0), store_col_text(st, 1),
		    sqlite3_column_type(st, 2) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 2),
		    sqlite3_column_type(st, 3) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 3));
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

int
store_counters(struct node *n, const char *user, struct store_counters *c)
{
	sqlite3_stmt *st = store_prep(n, "SELECT (SELECT count(*) FROM messages),"
	    " (SELECT count(*) FROM acks), (SELECT count(*) FROM alarms),"
	    " (SELECT coalesce(max(size), -1) FROM checkpoints),"
	    " (SELECT count(*) FROM records),"		/* checks and their answers */
	    " (SELECT count(*) FROM messages WHERE direction = 'in' AND acked = 0),"
	    " (SELECT count(*) FROM messages m WHERE direction = 'in' AND NOT EXISTS"
	    "  (SELECT 1 FROM web_reads r WHERE r.user = ? AND r.msg_id = m.id))");
	int rc;

	memset(c, 0, sizeof(*c));
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		c->messages = sqlite3_column_int64(st, 0);
		c->acks = sqlite3_column_int64(st, 1);
		c->alarms = sqlite3_column_int64(st, 2);
		c->checkpoint = sqlite3_column_int64(st, 3);
		c->records = sqlite3_column_int64(st, 4);
		c->unacknowledged = sqlite3_column_int64(st, 5);
		c->unread = sqlite3_column_int64(st, 6);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}
