/*
 * store_log.c - what this node took from the hub's log, kept as evidence:
 * records verbatim with the checkpoint size they were proved at, every
 * checkpoint accepted, other nodes' checkpoints already shown consistent,
 * each sender's last sequence number, and the refusals and alarms.  See
 * store.h for the rules every store function follows.
 */
#include "store_impl.h"

#include <assert.h>
#include "jsonutil.h"

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
store_public_each(struct node *n, uint64_t pub_size, store_record_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT idx, time, envelope FROM records"
	    " WHERE pindex IS NOT NULL AND pindex < ? ORDER BY pindex");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)pub_size);
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

int
store_checkpoints_of_size(struct node *n, uint64_t size, store_signed_fn fn, void *ud)
{
	sqlite3_stmt *st = store_kept(n, ST_CHECKPOINTS_OF_SIZE,
	    "SELECT text, sig FROM checkpoints WHERE size = ?");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)size);
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW) {
		uint8_t sig[64] = {0};
		if (sqlite3_column_bytes(st, 1) == 64)
			memcpy(sig, sqlite3_column_blob(st, 1), 64);
		rc = fn(ud, store_col_text(st, 0), sig);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_reset(st);
	return rc;
}

enum store_result
store_checkpoint_has_v2(struct node *n)
{
	sqlite3_stmt *st = store_kept(n, ST_CHECKPOINT_V2, "SELECT 1 FROM checkpoints"
	    " WHERE substr(text, 1, 21) = 'roster-checkpoint-v2' || char(10) LIMIT 1");
	int rc;

	if (st == NULL)
		return STORE_ERROR;
	rc = store_step(n, st);
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

int64_t
store_checkpoint_time_of_size(struct node *n, uint64_t size)
{
	sqlite3_stmt *st = store_prep(n, "SELECT max(time) FROM checkpoints WHERE size = ?");
	int64_t t = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, (int64_t)size);
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

/* ---- senders and times ------------------------------------------------------- */

int
store_sender_seq(struct node *n, const uint8_t device[32], int64_t *seq, int64_t *index)
{
	sqlite3_stmt *st = store_kept(n, ST_SENDER_GET,
	    "SELECT seq, coalesce(idx, -1) FROM senders WHERE device = ?");
	int rc;

	*seq = 0;
	*index = -1;
	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, device, 32, SQLITE_STATIC);
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		*index = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
store_sender_set(struct node *n, const uint8_t device[32], int64_t seq, int64_t index)
{
	sqlite3_stmt *st = store_kept(n, ST_SENDER_SET,
	    "INSERT OR REPLACE INTO senders(device, seq, idx) VALUES(?, ?, ?)");

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, device, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int64(st, 3, index);
	return store_done(n, st);
}

int
store_log_times_around(struct node *n, int64_t index, int64_t *below, int64_t *above)
{
	sqlite3_stmt *st = store_kept(n, ST_TIMES_AROUND, "SELECT"
	    " (SELECT time FROM records WHERE idx < ?1 ORDER BY idx DESC LIMIT 1),"
	    " (SELECT time FROM records WHERE idx > ?1 ORDER BY idx LIMIT 1)");
	int rc;

	*below = *above = -1;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, index);
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			*below = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			*above = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* ---- public records ------------------------------------------------------------ */

enum store_result
store_record_id_at(struct node *n, int64_t index, uint8_t id[32])
{
	sqlite3_stmt *st = store_kept(n, ST_RECORD_ID_AT,
	    "SELECT id FROM records WHERE idx = ?");
	enum store_result res = STORE_ERROR;
	int rc;

	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, index);
	if ((rc = store_step(n, st)) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(id, sqlite3_column_blob(st, 0), 32);
		res = STORE_OK;
	} else if (rc == SQLITE_DONE)
		res = STORE_NOT_FOUND;
	else if (rc == SQLITE_ROW)
		rs_seterr("the node's store is damaged: record %lld has no id",
		    (long long)index);
	sqlite3_reset(st);
	return res;
}

int
store_record_add_public(struct node *n, const struct envelope *e, int64_t index,
    int64_t time, uint64_t checked, int64_t pindex, const uint8_t proot[32])
{
	sqlite3_stmt *st = store_kept(n, ST_RECORD_ADD_PUBLIC, "INSERT INTO records(idx,"
	    " time, id, kind, envelope, checked_size, pindex, proot)"
	    " VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(idx) DO UPDATE"
	    " SET pindex = excluded.pindex, proot = excluded.proot");

	assert(pindex >= 0);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, index);
	sqlite3_bind_int64(st, 2, time);
	sqlite3_bind_blob(st, 3, e->id, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->kind, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, e->raw, (int)e->raw_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (int64_t)checked);
	sqlite3_bind_int64(st, 7, pindex);
	sqlite3_bind_blob(st, 8, proot, 32, SQLITE_STATIC);
	return store_done(n, st);
}

int
store_public_forget_from(struct node *n, int64_t pindex)
{
	sqlite3_stmt *st = store_prep(n, "UPDATE records SET pindex = NULL, proot = NULL"
	    " WHERE pindex >= ?");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, pindex);
	rc = store_done(n, st);
	sqlite3_finalize(st);
	return rc;
}

enum store_result
store_public_below(struct node *n, int64_t size, int64_t limit, int64_t *count,
    uint8_t root[32])
{
	/* The unary + keeps SQLite off records_pindex: planned on it, every
	 * call sorted all public places below the limit (a node following a
	 * log did O(P^2) work); walking idx down from size stops at the first
	 * public record, about ten rows on a log one in ten of which is
	 * public (test_node_store's public plan). */
	sqlite3_stmt *st = store_kept(n, ST_PUBLIC_BELOW, "SELECT pindex, proot FROM records"
	    " WHERE idx < ? AND +pindex IS NOT NULL AND +pindex < ? ORDER BY idx DESC LIMIT 1");
	enum store_result res = STORE_ERROR;
	int rc;

	*count = 0;
	merkle_empty_root(root);
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, size);
	sqlite3_bind_int64(st, 2, limit);
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 1) == 32) {
			*count = sqlite3_column_int64(st, 0) + 1;
			memcpy(root, sqlite3_column_blob(st, 1), 32);
			res = STORE_OK;
		} else
			rs_seterr("the node's store is damaged: public record %lld has no root",
			    (long long)sqlite3_column_int64(st, 0));
	} else if (rc == SQLITE_DONE)
		res = STORE_NOT_FOUND;
	sqlite3_reset(st);
	return res;
}

enum store_result
store_public_leaf(struct node *n, int64_t pindex, int64_t *index, uint8_t id[32],
    int64_t *time)
{
	sqlite3_stmt *st = store_prep(n, "SELECT idx, id, time FROM records WHERE pindex = ?");
	enum store_result res = STORE_ERROR;
	int rc;

	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, pindex);
	if ((rc = store_step(n, st)) == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32) {
		*index = sqlite3_column_int64(st, 0);
		memcpy(id, sqlite3_column_blob(st, 1), 32);
		*time = sqlite3_column_int64(st, 2);
		res = STORE_OK;
	} else if (rc == SQLITE_DONE)
		res = STORE_NOT_FOUND;
	sqlite3_finalize(st);
	return res;
}

int
store_records_unindexed_each(struct node *n, int64_t after, int64_t before,
    const char *skip, store_record_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT idx, time, envelope FROM records"
	    " WHERE idx > ? AND idx < ? AND pindex IS NULL AND kind IS NOT ? ORDER BY idx");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, before);
	if (skip != NULL)
		sqlite3_bind_text(st, 3, skip, -1, SQLITE_STATIC);
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW)
		rc = fn(ud, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		    sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2));
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

static const char *const pub_names[] = { [PUB_TAKEN] = "taken", [PUB_VERIFIED] = "verified" };

enum store_result
store_pub_state_get(struct node *n, enum pub_which which, struct pub_state *ps)
{
	sqlite3_stmt *st = store_kept(n, ST_PUB_GET, "SELECT frontier, last_index, last_time,"
	    " size FROM public_state WHERE which = ?");
	enum store_result res = STORE_ERROR;
	int rc;

	assert(which == PUB_TAKEN || which == PUB_VERIFIED);
	memset(ps, 0, sizeof(*ps));
	merkle_frontier_init(&ps->f);
	ps->last_index = -1;
	if (st == NULL)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, pub_names[which], -1, SQLITE_STATIC);
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		if (merkle_frontier_parse(&ps->f, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0)) != 0) {
			char why[RS_ERRLEN];
			snprintf(why, sizeof(why), "%s", rs_err());
			rs_seterr("the node's store is damaged: the public state \"%s\": %s",
			    pub_names[which], why);
		} else {
			ps->last_index = sqlite3_column_int64(st, 1);
			ps->last_time = sqlite3_column_int64(st, 2);
			ps->size = (uint64_t)sqlite3_column_int64(st, 3);
			res = STORE_OK;
		}
	} else if (rc == SQLITE_DONE)
		res = STORE_NOT_FOUND;
	sqlite3_reset(st);
	return res;
}

int
store_pub_state_put(struct node *n, enum pub_which which, const struct pub_state *ps)
{
	sqlite3_stmt *st = store_kept(n, ST_PUB_PUT, "INSERT OR REPLACE INTO"
	    " public_state(which, frontier, last_index, last_time, size) VALUES(?, ?, ?, ?, ?)");
	struct buf f = {0};
	int rc;

	assert(which == PUB_TAKEN || which == PUB_VERIFIED);
	assert(ps->last_index >= -1 && (ps->f.size == 0) == (ps->last_index == -1));
	if (st == NULL)
		return -1;
	merkle_frontier_serialize(&ps->f, &f);
	sqlite3_bind_text(st, 1, pub_names[which], -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, f.p, (int)f.len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ps->last_index);
	sqlite3_bind_int64(st, 4, ps->last_time);
	sqlite3_bind_int64(st, 5, (int64_t)ps->size);
	rc = store_done(n, st);
	buf_free(&f);
	return rc;
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

static int
alarm_put(struct node *n, const char *kind, const char *feed, int64_t index,
    const char *evidence, const char *params, const char *text)
{
	sqlite3_stmt *st;
	int rc;

	fprintf(stderr, "roster: ALARM (%s): %s\n", kind, text);
	n->alarms++;
	st = store_prep(n, "INSERT INTO alarms(time, kind, text, evidence, idx, feed, params)"
	    " VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(kind, text) DO UPDATE"
	    " SET resolved = NULL, evidence = coalesce(excluded.evidence, evidence),"
	    " params = coalesce(excluded.params, params)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms());
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, evidence, -1, SQLITE_STATIC);
	if (index >= 0)
		sqlite3_bind_int64(st, 5, index);
	sqlite3_bind_text(st, 6, feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, params, -1, SQLITE_STATIC);
	rc = store_done(n, st);
	sqlite3_finalize(st);
	return rc;
}

int
store_alarm(struct node *n, const char *kind, const char *evidence,
    const char *fmt, ...)
{
	va_list ap;
	char text[1024];

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return alarm_put(n, kind, NULL, -1, evidence, NULL, text);
}

int
store_alarm_with(struct node *n, const char *kind, json_t *params, const char *evidence,
    const char *fmt, ...)
{
	va_list ap;
	char text[1024], *pj = params != NULL ? jdump(params) : NULL;
	int rc;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	rc = alarm_put(n, kind, NULL, -1, evidence, pj, text);
	free(pj);
	json_decref(params);
	return rc;
}

int
store_alarm_record(struct node *n, const char *kind, const char *feed, int64_t index,
    const char *evidence, const char *fmt, ...)
{
	va_list ap;
	char text[1024];

	assert(index >= 0);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return alarm_put(n, kind, feed, index, evidence, NULL, text);
}

static int
resolve(struct node *n, sqlite3_stmt *st, int *count)
{
	int rc;

	if (st == NULL)
		return -1;
	rc = store_done(n, st);
	if (rc == 0 && count != NULL)
		*count = sqlite3_changes(n->store->db);
	return rc;
}

int
store_alarms_resolve(struct node *n, int64_t index, int *count)
{
	sqlite3_stmt *st = store_kept(n, ST_ALARMS_RESOLVE, "UPDATE alarms SET resolved = ?"
	    " WHERE idx = ? AND resolved IS NULL AND kind IN ('bad-record', 'public-omitted',"
	    " 'log-time')");

	if (count != NULL)
		*count = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms());
	sqlite3_bind_int64(st, 2, index);
	return resolve(n, st, count);
}

int
store_alarms_resolve_kind(struct node *n, const char *kind, int *count)
{
	sqlite3_stmt *st = store_prep(n, "UPDATE alarms SET resolved = ?"
	    " WHERE kind = ? AND resolved IS NULL");
	int rc;

	if (count != NULL)
		*count = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms());
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	rc = resolve(n, st, count);
	sqlite3_finalize(st);
	return rc;
}

int64_t
store_alarms_unresolved(struct node *n, int records)
{
	sqlite3_stmt *st = store_kept(n, ST_ALARMS_UNRESOLVED,
	    "SELECT count(*) FROM alarms WHERE resolved IS NULL AND (?1 = 0 OR feed IS NOT NULL)");
	int64_t c = -1;

	if (st != NULL)
		sqlite3_bind_int(st, 1, records);
	if (st != NULL && store_step(n, st) == SQLITE_ROW)
		c = sqlite3_column_int64(st, 0);
	if (st != NULL)
		sqlite3_reset(st);
	return c;
}

int
store_alarms_pending_each(struct node *n, const char *feed, store_index_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT DISTINCT idx FROM alarms WHERE"
	    " resolved IS NULL AND feed = ? AND idx IS NOT NULL ORDER BY idx");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW)
		rc = fn(ud, sqlite3_column_int64(st, 0));
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

int
store_alarms_each(struct node *n, store_alarm_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT n, time, kind, text, evidence FROM alarms"
	    " WHERE resolved IS NULL ORDER BY n");
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

int
store_alarm_rows_each(struct node *n, store_alarm_row_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT n, time, kind, text, evidence,"
	    " coalesce(idx, -1), feed, coalesce(resolved, 0), params FROM alarms ORDER BY n");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW) {
		struct alarm_row a = {
			.row = sqlite3_column_int64(st, 0),
			.time = sqlite3_column_int64(st, 1),
			.kind = store_col_text(st, 2),
			.text = store_col_text(st, 3),
			.evidence = (const char *)sqlite3_column_text(st, 4),
			.index = sqlite3_column_int64(st, 5),
			.feed = (const char *)sqlite3_column_text(st, 6),
			.resolved = sqlite3_column_int64(st, 7),
			.params = (const char *)sqlite3_column_text(st, 8),
		};
		rc = fn(ud, &a);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}
