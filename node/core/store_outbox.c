/*
 * store_outbox.c - every envelope this device signed, in sequence order,
 * with the hub's receipt once it came; and the device's chain head (meta
 * seq and prev), which outbox.c advances in the transaction that stores
 * the envelope it signed.  See store.h.
 */
#include "store_impl.h"

#include <stdlib.h>
#include <string.h>

int
store_chain_head(struct node *n, int64_t *seq, char prev[65])
{
	char *p;

	*seq = 0;
	prev[0] = '\0';
	if (store_meta_get_int(n, "seq", seq) != 0)
		*seq = 0;
	if ((p = store_meta_get_text(n, "prev")) != NULL) {
		snprintf(prev, 65, "%s", p);
		free(p);
	}
	return 0;
}

int
store_outbox_add(struct node *n, int64_t seq, const uint8_t id[32], const char *kind,
    const struct buf *env)
{
	sqlite3_stmt *st = store_kept(n, ST_OUTBOX_ADD, "INSERT INTO outbox(seq, id, kind,"
	    " envelope, created) VALUES(?, ?, ?, ?, ?)");
	char *idhex;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_blob(st, 2, id, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, env->p, (int)env->len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now_ms());
	if (store_done(n, st) != 0)
		return -1;
	idhex = hex_encode(id, 32);
	rc = store_meta_set_int(n, "seq", seq) == 0 &&
	    store_meta_set_text(n, "prev", idhex) == 0 ? 0 : -1;
	free(idhex);
	return rc;
}

int
store_outbox_pending(struct node *n, int limit, struct outbox_item **items, size_t *count,
    struct buf *body)
{
	sqlite3_stmt *st = store_prep(n, "SELECT seq, id, envelope FROM outbox"
	    " WHERE receipt IS NULL ORDER BY seq LIMIT ?");
	int step;

	*items = NULL;
	*count = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, limit);
	while ((step = store_step(n, st)) == SQLITE_ROW) {
		*items = xrealloc(*items, (*count + 1) * sizeof(**items));
		(*items)[*count].seq = sqlite3_column_int64(st, 0);
		memcpy((*items)[*count].id, sqlite3_column_blob(st, 1), 32);
		buf_add(body, sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2));
		(*count)++;
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? 0 : -1;
}

int
store_outbox_set_receipt(struct node *n, int64_t seq, int64_t index, int64_t time,
    const char *receipt)
{
	sqlite3_stmt *st = store_kept(n, ST_OUTBOX_RECEIPT, "UPDATE outbox SET idx = ?,"
	    " time = ?, receipt = ? WHERE seq = ?");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, index);
	sqlite3_bind_int64(st, 2, time);
	sqlite3_bind_text(st, 3, receipt, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, seq);
	return store_done(n, st);
}

int
store_outbox_drop_from(struct node *n, int64_t seq, const char *reason)
{
	sqlite3_stmt *st;
	int64_t head = 0;
	char *prev = NULL;
	int rc;

	st = store_prep(n, "UPDATE messages SET error = ? WHERE id IN"
	    " (SELECT id FROM outbox WHERE seq >= ? AND receipt IS NULL)");
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, seq);
	rc = store_done(n, st);
	sqlite3_finalize(st);
	if (rc != 0 || (st = store_prep(n, "DELETE FROM outbox WHERE seq >= ? AND"
	    " receipt IS NULL")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	rc = store_done(n, st);
	sqlite3_finalize(st);
	if (rc != 0 || (st = store_prep(n, "SELECT seq, lower(hex(id)) FROM outbox"
	    " ORDER BY seq DESC LIMIT 1")) == NULL)
		return -1;
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		head = sqlite3_column_int64(st, 0);
		prev = store_col_dup(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	rc = store_meta_set_int(n, "seq", head) == 0 &&
	    store_meta_set_text(n, "prev", prev ? prev : "") == 0 ? 0 : -1;
	free(prev);
	return rc;
}

enum store_result
store_outbox_get(struct node *n, const uint8_t id[32], struct outbox_row *r)
{
	sqlite3_stmt *st = store_prep(n, "SELECT idx, time, error FROM outbox WHERE id = ?");
	enum store_result res = STORE_ERROR;
	int rc;

	memset(r, 0, sizeof(*r));
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		if ((r->has_index = sqlite3_column_type(st, 0) != SQLITE_NULL)) {
			r->index = sqlite3_column_int64(st, 0);
			r->time = sqlite3_column_int64(st, 1);
		}
		r->error = store_col_dup(st, 2);
		res = STORE_OK;
	} else if (rc == SQLITE_DONE)
		res = STORE_NOT_FOUND;
	sqlite3_finalize(st);
	return res;
}

int
store_outbox_waiting(struct node *n, int64_t *count, int64_t *urgent, int64_t *oldest)
{
	sqlite3_stmt *st = store_prep(n, "SELECT count(*), coalesce(sum(m.urgency IN"
	    " ('flash', 'urgent')), 0), coalesce(min(o.created), 0) FROM outbox o"
	    " LEFT JOIN messages m ON m.id = o.id AND o.kind = 'msg'"
	    " WHERE o.receipt IS NULL AND o.error IS NULL");
	int rc;

	*count = *urgent = *oldest = 0;
	if (st == NULL)
		return -1;
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		*count = sqlite3_column_int64(st, 0);
		*urgent = sqlite3_column_int64(st, 1);
		*oldest = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

void
outbox_row_free(struct outbox_row *r)
{
	free(r->error);
	r->error = NULL;
}

enum store_result
store_outbox_envelope(struct node *n, const uint8_t id[32], struct buf *raw)
{
	sqlite3_stmt *st = store_prep(n, "SELECT envelope FROM outbox WHERE id = ?");
	enum store_result res = STORE_ERROR;
	int rc;

	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		buf_add(raw, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
		res = STORE_OK;
	} else if (rc == SQLITE_DONE)
		res = STORE_NOT_FOUND;
	sqlite3_finalize(st);
	return res;
}

int
store_outbox_each(struct node *n, const char *kind, store_outbox_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT envelope, time FROM outbox WHERE kind = ?");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW)
		rc = fn(ud, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
		    sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 1));
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

int
store_outbox_logged_each(struct node *n, int64_t after, int64_t before,
    store_logged_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT idx, envelope, receipt FROM outbox"
	    " WHERE idx > ? AND idx < ? AND receipt IS NOT NULL ORDER BY idx");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, before);
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW)
		rc = fn(ud, sqlite3_column_int64(st, 0), sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1), store_col_text(st, 2));
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}
