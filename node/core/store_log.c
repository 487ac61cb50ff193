/*
 * store_log.c - what this node took from the hub's log, kept as evidence:
 * records verbatim with the checkpoint size they were proved at, every
 * checkpoint accepted, other nodes' checkpoints already shown consistent,
 * each sender's last sequence number, and the refusals and alarms.  See
 * store.h for the rules every store function follows.
 */
#include "store_impl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- records ------------------------------------------------------------- */

int
store_record_add(struct node *n, const struct envelope *e, int64_t index, int64_t time,
    uint64_t checked)
{
	sqlite3_stmt *st = store_kept(n, ST_RECORD_ADD, "INSERT OR IGNORE INTO records(idx,"
	    " time, id, kind, envelope, checked_size) VALUES(?, ?, ?, ?, ?, ?)");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, index);
	sqlite3_bind_int64(st, 2, time);
	sqlite3_bind_blob(st, 3, e->id, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->kind, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, e->raw, (int)e->raw_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (int64_t)checked);
	return store_done(n, st);
}

enum store_result
store_record_get(struct node *n, const uint8_t id[32], struct stored_record *r)
{
	sqlite3_stmt *st = store_prep(n, "SELECT envelope, idx, time, kind FROM records"
	    " WHERE id = ?");
	enum store_result res = STORE_ERROR;
	int rc;

	memset(r, 0, sizeof(*r));
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		buf_add(&r->raw, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
		r->index = sqlite3_column_int64(st, 1);
		r->time = sqlite3_column_int64(st, 2);
		snprintf(r->kind, sizeof(r->kind), "%s", store_col_text(st, 3));
		res = STORE_OK;
	} else if (rc == SQLITE_DONE)
		res = STORE_NOT_FOUND;
	sqlite3_finalize(st);
	return res;
}

void
stored_record_free(struct stored_record *r)
{
	buf_free(&r->raw);
}

enum store_result
store_record_is_check(struct node *n, const uint8_t id[32])
{
	sqlite3_stmt *st = store_kept(n, ST_RECORD_IS_CHECK, "SELECT 1 FROM records"
	    " WHERE id = ? AND kind = 'check'");
	int rc;

	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	rc = store_step(n, st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : STORE_ERROR;
}

int64_t
store_record_time(struct node *n, int64_t index)
{
	sqlite3_stmt *st = store_prep(n, "SELECT time FROM records WHERE idx = ?");
	int64_t t = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, index);
	if (store_step(n, st) == SQLITE_ROW)
		t = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return t;
}

int64_t
store_records_size(struct node *n)
{
	sqlite3_stmt *st = store_prep(n, "SELECT coalesce(max(idx), -1) + 1 FROM records");
	int64_t v = 0;

	if (st != NULL && store_step(n, st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
store_records_each(struct node *n, const char *kind, int64_t after, int64_t before,
    int newest_first, store_record_fn fn, void *ud)
{
	char sql[256];
	sqlite3_stmt *st;
	int rc = 0, step;

	snprintf(sql, sizeof(sql), "SELECT idx, time, envelope FROM records WHERE kind %s"
	    " AND idx > ? AND idx < ? ORDER BY idx%s", kind != NULL ? "= ?" :
	    "IN " DIR_PUBLIC_KINDS_SQL " AND ? IS NULL", newest_first ? " DESC" : "");
	if ((st = store_prep(n, sql)) == NULL)
		return -1;
	if (kind != NULL)
		sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int64(st, 3, before);
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW)
		rc = fn(ud, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		    sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2));
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

int
store_records_proved_each(struct node *n, int64_t from, store_proved_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT idx, id, envelope, checked_size"
	    " FROM records WHERE idx >= ?");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, from);
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW)
		rc = fn(ud, sqlite3_column_int64(st, 0), sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1), sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2), sqlite3_column_int64(st, 3));
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

int
store_leaves_each(struct node *n, store_leaf_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT idx, time, id, NULL FROM records UNION"
	    " SELECT idx, time, id, receipt FROM outbox WHERE idx IS NOT NULL ORDER BY 1");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW)
		rc = fn(ud, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		    sqlite3_column_blob(st, 2), (const char *)sqlite3_column_text(st, 3));
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

/* ---- checkpoints ------------------------------------------------------------ */

enum store_result
store_checkpoint_newest(struct node *n, struct stored_checkpoint *c)
{
	sqlite3_stmt *st = store_kept(n, ST_CHECKPOINT_NEWEST, "SELECT size, root, time,"
	    " seen, text, sig, (SELECT count(*) FROM checkpoints) FROM checkpoints"
	    " ORDER BY size DESC, seen DESC LIMIT 1");
	enum store_result res = STORE_ERROR;
	int rc;

	memset(c, 0, sizeof(*c));
	if (st == NULL)
		return STORE_ERROR;
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		c->size = (uint64_t)sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == 32)
			memcpy(c->root, sqlite3_column_blob(st, 1), 32);
		c->time = sqlite3_column_int64(st, 2);
		c->seen = sqlite3_column_int64(st, 3);
		c->text = store_col_dup(st, 4);
		if (sqlite3_column_bytes(st, 5) == 64)
			memcpy(c->sig, sqlite3_column_blob(st, 5), 64);
		c->count = sqlite3_column_int64(st, 6);
		res = STORE_OK;
	} else if (rc == SQLITE_DONE)
		res = STORE_NOT_FOUND;
	sqlite3_reset(st);
	return res;
}

void
stored_checkpoint_free(struct stored_checkpoint *c)
{
	free(c->text);
	c->text = NULL;
}

enum store_result
store_checkpoint_other(struct node *n, const struct checkpoint *cp, char **other)
{
	sqlite3_stmt *st = store_kept(n, ST_CHECKPOINT_OTHER,
	    "SELECT text FROM checkpoints WHERE size = ? AND root != ?");
	int rc;

	*other = NULL;
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, (int64_t)cp->size);
	sqlite3_bind_blob(st, 2, cp->root, 32, SQLITE_STATIC);
	if ((rc = store_step(n, st)) == SQLITE_ROW)
		*other = store_col_dup(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : STORE_ERROR;
}

int
store_checkpoint_add(struct node *n, const struct checkpoint *cp)
{
	sqlite3_stmt *st = store_kept(n, ST_CHECKPOINT_ADD, "INSERT OR IGNORE INTO"
	    " checkpoints(size, root, time, text, sig, seen) VALUES(?, ?, ?, ?, ?, ?)");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)cp->size);
	sqlite3_bind_blob(st, 2, cp->root, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, cp->time);
	sqlite3_bind_text(st, 4, cp->text, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, cp->sig, 64, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now_ms());
	return store_done(n, st);
}

int64_t
store_checkpoint_seen(struct node *n, int64_t size)
{
	sqlite3_stmt *st = store_prep(n, "SELECT min(seen) FROM checkpoints WHERE size = ?");
	int64_t t = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, size);
	if (store_step(n, st) == SQLITE_ROW)
		t = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return t;
}

int
store_checkpoints_each(struct node *n, store_checkpoint_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT size, root FROM checkpoints"
	    " ORDER BY size, root");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW)
		rc = fn(ud, (uint64_t)sqlite3_column_int64(st, 0), sqlite3_column_blob(st, 1));
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

int
store_agreed_known(struct node *n, uint64_t size, const uint8_t root[32])
{
	sqlite3_stmt *st = store_prep(n, "SELECT 1 FROM agreed WHERE size = ?1 AND"
	    " root = ?2 UNION ALL SELECT 1 FROM checkpoints WHERE size = ?1 AND root = ?2");
	int found;

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, (int64_t)size);
	sqlite3_bind_blob(st, 2, root, 32, SQLITE_STATIC);
	found = store_step(n, st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

int
store_agreed_add(struct node *n, uint64_t size, const uint8_t root[32])
{
	sqlite3_stmt *st = store_prep(n, "INSERT OR IGNORE INTO agreed(size, root)"
	    " VALUES(?, ?)");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)size);
	sqlite3_bind_blob(st, 2, root, 32, SQLITE_STATIC);
	rc = store_done(n, st);
	sqlite3_finalize(st);
	return rc;
}

/* ---- senders ------------------------------------------------------------------ */

int
store_sender_seq(struct node *n, const uint8_t device[32], int64_t *seq)
{
	sqlite3_stmt *st = store_kept(n, ST_SENDER_GET,
	    "SELECT seq FROM senders WHERE device = ?");
	int rc;

	*seq = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, device, 32, SQLITE_STATIC);
	if ((rc = store_step(n, st)) == SQLITE_ROW)
		*seq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
store_sender_set(struct node *n, const uint8_t device[32], int64_t seq)
{
	sqlite3_stmt *st = store_kept(n, ST_SENDER_SET,
	    "INSERT OR REPLACE INTO senders(device, seq) VALUES(?, ?)");

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, device, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	return store_done(n, st);
}

/* ---- refusals and alarms ------------------------------------------------------- */

int
store_refusal(struct node *n, int64_t index, const char *reason)
{
	sqlite3_stmt *st;
	int rc;

	if (!n->quiet)
		fprintf(stderr, "roster: refused the record at log index %lld: %s\n",
		    (long long)index, reason);
	st = store_prep(n, "INSERT INTO refusals(time, idx, reason) VALUES(?, ?, ?)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms());
	sqlite3_bind_int64(st, 2, index);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_TRANSIENT);
	rc = store_done(n, st);
	sqlite3_finalize(st);
	return rc;
}

int64_t
store_refusals_count(struct node *n)
{
	sqlite3_stmt *st = store_prep(n, "SELECT count(*) FROM refusals");
	int64_t c = 0;

	if (st != NULL && store_step(n, st) == SQLITE_ROW)
		c = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return c;
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
	st = store_prep(n, "INSERT OR IGNORE INTO alarms(time, kind, text, evidence)"
	    " VALUES(?, ?, ?, ?)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms());
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, evidence, -1, SQLITE_STATIC);
	rc = store_done(n, st);
	sqlite3_finalize(st);
	return rc;
}

int
store_alarms_each(struct node *n, store_alarm_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT n, time, kind, text, evidence FROM alarms"
	    " ORDER BY n");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW)
		rc = fn(ud, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		    store_col_text(st, 2), store_col_text(st, 3),
		    (const char *)sqlite3_column_text(st, 4));
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}
