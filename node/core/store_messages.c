/*
 * store_messages.c - messages sent and received (the decrypted payload
 * with its listing columns), the acknowledgements of what this node sent,
 * the overdue notices it sent, threads and consultations.  See store.h.
 */
#include "store_impl.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static void
bind_id(sqlite3_stmt *st, int i, const uint8_t *id)
{
	if (id != NULL)
		sqlite3_bind_blob(st, i, id, 32, SQLITE_STATIC);
}

enum store_result
store_message_exists(struct node *n, const uint8_t id[32])
{
	sqlite3_stmt *st = store_kept(n, ST_MESSAGE_EXISTS,
	    "SELECT 1 FROM messages WHERE id = ?");
	int rc;

	if (st == NULL)
		return STORE_ERROR;
	bind_id(st, 1, id);
	rc = store_step(n, st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : STORE_ERROR;
}

enum store_result
store_message_add(struct node *n, const struct msg_new *m)
{
	sqlite3_stmt *st = store_kept(n, ST_MESSAGE_ADD, "INSERT INTO messages(id, idx,"
	    " time, direction, sender_state, sender_device, to_states, rcpt, urgency,"
	    " subject, body, tlp, lang, sent, checked_size, content, parent, deadline,"
	    " notice, error) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?)");
	enum store_result rc;

	if (st == NULL)
		return STORE_ERROR;
	bind_id(st, 1, m->id);
	if (m->logged) {
		sqlite3_bind_int64(st, 2, m->index);
		sqlite3_bind_int64(st, 3, m->time);
		sqlite3_bind_int64(st, 15, m->checked_size);
	}
	bind_text(st, 4, m->direction);
	bind_text(st, 5, m->sender_state);
	bind_id(st, 6, m->sender_device);
	bind_text(st, 7, m->to_states);
	bind_text(st, 8, m->rcpt);
	bind_text(st, 9, m->urgency);
	bind_text(st, 10, m->subject);
	bind_text(st, 11, m->body);
	bind_text(st, 12, m->tlp);
	bind_text(st, 13, m->lang);
	sqlite3_bind_int64(st, 14, m->sent);
	bind_text(st, 16, m->content);
	bind_id(st, 17, m->parent);
	if (m->has_deadline)
		sqlite3_bind_int64(st, 18, m->deadline);
	bind_text(st, 19, m->notice);
	bind_text(st, 20, m->error);
	rc = store_step_insert(n, st);
	/* A uniqueness constraint is a duplicate only when the message is
	 * really there: anything else is a failed write. */
	if (rc == STORE_DUPLICATE && store_message_exists(n, m->id) != STORE_OK)
		rc = STORE_ERROR;
	return rc;
}

enum store_result
store_message_get(struct node *n, const uint8_t id[32], struct msg_row *m)
{
	sqlite3_stmt *st = store_prep(n, "SELECT direction, sender_state, sender_device,"
	    " to_states, rcpt, urgency, subject, body, tlp, lang, error, notice, content,"
	    " sent, idx, time, checked_size, acked, deadline, escalated, parent, agreement"
	    " FROM messages WHERE id = ?");
	enum store_result res = STORE_ERROR;
	int rc;

	memset(m, 0, sizeof(*m));
	if (st == NULL)
		return STORE_ERROR;
	bind_id(st, 1, id);
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		memcpy(m->id, id, 32);
		snprintf(m->direction, sizeof(m->direction), "%s", store_col_text(st, 0));
		m->sender_state = store_col_dup(st, 1);
		if (sqlite3_column_bytes(st, 2) == 32) {
			memcpy(m->sender_device, sqlite3_column_blob(st, 2), 32);
			m->has_sender = 1;
		}
		m->to_states = store_col_dup(st, 3);
		m->rcpt = store_col_dup(st, 4);
		m->urgency = store_col_dup(st, 5);
		m->subject = store_col_dup(st, 6);
		m->body = store_col_dup(st, 7);
		m->tlp = store_col_dup(st, 8);
		m->lang = store_col_dup(st, 9);
		m->error = store_col_dup(st, 10);
		m->notice = store_col_dup(st, 11);
		if (sqlite3_column_type(st, 12) != SQLITE_NULL)
			m->content = store_col_dup(st, 12);
		m->sent = sqlite3_column_int64(st, 13);
		if ((m->has_index = sqlite3_column_type(st, 14) != SQLITE_NULL)) {
			m->index = sqlite3_column_int64(st, 14);
			m->time = sqlite3_column_int64(st, 15);
		}
		if ((m->has_checked = sqlite3_column_type(st, 16) != SQLITE_NULL))
			m->checked_size = sqlite3_column_int64(st, 16);
		m->acked = sqlite3_column_int(st, 17);
		if ((m->has_deadline = sqlite3_column_type(st, 18) != SQLITE_NULL))
			m->deadline = sqlite3_column_int64(st, 18);
		m->escalated = sqlite3_column_int64(st, 19);
		if ((m->has_parent = sqlite3_column_bytes(st, 20) == 32))
			memcpy(m->parent, sqlite3_column_blob(st, 20), 32);
		if ((m->has_agreement = sqlite3_column_type(st, 21) != SQLITE_NULL) &&
		    sqlite3_column_bytes(st, 21) == 32)
			memcpy(m->agreement, sqlite3_column_blob(st, 21), 32);
		res = STORE_OK;
	} else if (rc == SQLITE_DONE)
		res = STORE_NOT_FOUND;
	sqlite3_finalize(st);
	return res;
}

void
msg_row_free(struct msg_row *m)
{
	free(m->sender_state);
	free(m->to_states);
	free(m->rcpt);
	free(m->urgency);
	free(m->subject);
	free(m->body);
	free(m->tlp);
	free(m->lang);
	free(m->error);
	free(m->notice);
	if (m->content != NULL)
		sodium_memzero(m->content, strlen(m->content));
	free(m->content);
	memset(m, 0, sizeof(*m));
}

int
store_message_match(struct node *n, const char *prefix, uint8_t id[32])
{
	sqlite3_stmt *st;
	size_t len = strlen(prefix);
	int found = 0, step;

	if (len < 8 || len > 64 || strspn(prefix, "0123456789abcdef") != len) {
		rs_seterr("a message id is 8 to 64 lower-case hex digits (got \"%.80s\")",
		    prefix);
		return -1;
	}
	st = store_prep(n, "SELECT id FROM messages WHERE lower(hex(id)) LIKE ? || '%'");
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	while ((step = store_step(n, st)) == SQLITE_ROW)
		if (found++ == 0)
			memcpy(id, sqlite3_column_blob(st, 0), 32);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return -1;
	if (found == 0)
		rs_seterr("no message %s on this node (run `roster sync`?)", prefix);
	else if (found > 1)
		rs_seterr("%s is ambiguous: several messages start with it", prefix);
	return found;
}

int
store_message_find(struct node *n, const char *prefix, uint8_t id[32])
{
	return store_message_match(n, prefix, id) == 1 ? 0 : -1;
}

enum store_result
store_sent_rcpt(struct node *n, const uint8_t id[32], char **rcpt)
{
	sqlite3_stmt *st = store_kept(n, ST_SENT_RCPT, "SELECT rcpt FROM messages"
	    " WHERE id = ? AND direction = 'out'");
	int rc;

	*rcpt = NULL;
	if (st == NULL)
		return STORE_ERROR;
	bind_id(st, 1, id);
	if ((rc = store_step(n, st)) == SQLITE_ROW)
		*rcpt = store_col_dup(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : STORE_ERROR;
}

/* Runs a one-use UPDATE with an id in ?1... as the caller bound it. */
static int
run_once(struct node *n, sqlite3_stmt *st)
{
	int rc;

	if (st == NULL)
		return -1;
	rc = store_done(n, st);
	sqlite3_finalize(st);
	return rc;
}

int
store_message_set_acked(struct node *n, const uint8_t id[32])
{
	sqlite3_stmt *st = store_prep(n, "UPDATE messages SET acked = 1 WHERE id = ?"
	    " AND direction = 'in'");

	if (st != NULL)
		bind_id(st, 1, id);
	return run_once(n, st);
}

int
store_message_set_agreement(struct node *n, const uint8_t id[32], const uint8_t ack[32])
{
	sqlite3_stmt *st = store_prep(n, "UPDATE messages SET agreement = ?, acked = 1"
	    " WHERE id = ?");

	if (st != NULL) {
		bind_id(st, 1, ack);
		bind_id(st, 2, id);
	}
	return run_once(n, st);
}

int
store_message_set_proof(struct node *n, const uint8_t id[32], const char *proof)
{
	sqlite3_stmt *st = store_prep(n, "UPDATE messages SET proof = ? WHERE id = ?");

	if (st != NULL) {
		bind_text(st, 1, proof);
		bind_id(st, 2, id);
	}
	return run_once(n, st);
}

enum store_result
store_message_proof(struct node *n, const uint8_t id[32], char **proof,
    int64_t *checked_size)
{
	sqlite3_stmt *st = store_prep(n, "SELECT proof, checked_size FROM messages"
	    " WHERE id = ? AND proof IS NOT NULL AND checked_size IS NOT NULL");
	enum store_result res = STORE_ERROR;
	int rc;

	*proof = NULL;
	if (st == NULL)
		return STORE_ERROR;
	bind_id(st, 1, id);
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		*proof = xstrdup(store_col_text(st, 0));
		*checked_size = sqlite3_column_int64(st, 1);
		res = STORE_OK;
	} else if (rc == SQLITE_DONE)
		res = STORE_NOT_FOUND;
	sqlite3_finalize(st);
	return res;
}

int
store_message_set_logged(struct node *n, const uint8_t id[32], int64_t index, int64_t time)
{
	sqlite3_stmt *st = store_kept(n, ST_MESSAGE_LOGGED,
	    "UPDATE messages SET idx = ?, time = ? WHERE id = ?");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, index);
	sqlite3_bind_int64(st, 2, time);
	bind_id(st, 3, id);
	return store_done(n, st);
}

int
store_message_set_escalated(struct node *n, const uint8_t ref[32], const uint8_t sender[32],
    int64_t time, int *changed)
{
	sqlite3_stmt *st = store_kept(n, ST_MESSAGE_ESCALATED, "UPDATE messages SET"
	    " escalated = ? WHERE id = ? AND direction = 'in' AND sender_device = ?");
	int rc;

	*changed = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, time);
	bind_id(st, 2, ref);
	bind_id(st, 3, sender);
	if ((rc = store_done(n, st)) == 0)
		*changed = sqlite3_changes(n->store->db) > 0;
	return rc;
}

int
store_message_set_settled(struct node *n, const uint8_t id[32], int64_t when)
{
	sqlite3_stmt *st = store_prep(n, "UPDATE messages SET settled = ? WHERE id = ?");

	if (st != NULL) {
		sqlite3_bind_int64(st, 1, when);
		bind_id(st, 2, id);
	}
	return run_once(n, st);
}

/* ---- deadlines ------------------------------------------------------------- */

int
store_messages_due(struct node *n, int64_t now, struct msg_due **out, size_t *count)
{
	sqlite3_stmt *st = store_prep(n, "SELECT id, urgency, time, deadline, to_states"
	    " FROM messages WHERE direction = 'out' AND notice IS NULL AND idx IS NOT NULL"
	    " AND settled IS NULL AND deadline IS NOT NULL AND deadline <= ?");
	int step;

	*out = NULL;
	*count = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	while ((step = store_step(n, st)) == SQLITE_ROW) {
		struct msg_due *d;
		if (sqlite3_column_bytes(st, 0) != 32)
			continue;
		*out = xrealloc(*out, (*count + 1) * sizeof(**out));
		d = &(*out)[(*count)++];
		memcpy(d->id, sqlite3_column_blob(st, 0), 32);
		snprintf(d->urgency, sizeof(d->urgency), "%s", store_col_text(st, 1));
		d->time = sqlite3_column_int64(st, 2);
		d->deadline = sqlite3_column_int64(st, 3);
		d->to_states = sqlite3_column_type(st, 4) != SQLITE_NULL ?
		    store_col_dup(st, 4) : NULL;
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		msg_due_free(*out, *count);
		*out = NULL;
		*count = 0;
		return -1;
	}
	return 0;
}

void
msg_due_free(struct msg_due *d, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(d[i].to_states);
	free(d);
}

int64_t
store_messages_next_deadline(struct node *n, int64_t now)
{
	/* The earliest deadline still to come, or the second stage of one
	 * already passed. */
	sqlite3_stmt *st = store_prep(n, "SELECT min(CASE WHEN deadline > ?1 THEN deadline"
	    " ELSE deadline + (deadline - time) / 2 END) FROM messages"
	    " WHERE direction = 'out' AND notice IS NULL AND idx IS NOT NULL"
	    " AND settled IS NULL AND deadline IS NOT NULL"
	    " AND deadline + (deadline - time) / 2 > ?1");
	int64_t next = INT64_MAX;

	if (st == NULL)
		return INT64_MAX;
	sqlite3_bind_int64(st, 1, now);
	if (store_step(n, st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		next = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return next;
}

/* ---- the inbox ---------------------------------------------------------------- */

int
store_inbox_each(struct node *n, const char *user, int limit, int64_t now,
    store_inbox_fn fn, void *ud)
{
	/* What an account read is the web's table (store_accounts_schema),
	 * asked only for an account. */
	static const char head[] = "SELECT id, idx, time, sender_state, urgency,"
	    " subject, lang, tlp, acked, deadline, escalated, notice, error, content, ",
	    tail[] = " FROM messages m WHERE direction = 'in' ORDER BY"
	    " (acked = 0 AND notice IS NULL AND deadline IS NOT NULL AND deadline < ?2) DESC,"
	    " CASE urgency WHEN 'flash' THEN 0 WHEN 'urgent' THEN 1 WHEN 'priority' THEN 2"
	    " ELSE 3 END, coalesce(deadline, 9000000000000000000), time DESC LIMIT ?1";
	char sql[1024];
	sqlite3_stmt *st;
	int rc = 0, step;

	snprintf(sql, sizeof(sql), "%s%s%s", head, user != NULL ? "EXISTS(SELECT 1 FROM"
	    " web_reads r WHERE r.user = ?3 AND r.msg_id = m.id)" : "0", tail);
	if ((st = store_prep(n, sql)) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, limit);
	sqlite3_bind_int64(st, 2, now);
	if (user != NULL)
		bind_text(st, 3, user);
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW) {
		struct inbox_row r;
		memset(&r, 0, sizeof(r));
		if (sqlite3_column_bytes(st, 0) == 32)
			memcpy(r.id, sqlite3_column_blob(st, 0), 32);
		r.index = sqlite3_column_int64(st, 1);
		r.time = sqlite3_column_int64(st, 2);
		r.sender_state = store_col_text(st, 3);
		r.urgency = store_col_text(st, 4);
		r.subject = store_col_text(st, 5);
		r.lang = store_col_text(st, 6);
		r.tlp = store_col_text(st, 7);
		r.acked = sqlite3_column_int(st, 8);
		if ((r.has_deadline = sqlite3_column_type(st, 9) != SQLITE_NULL))
			r.deadline = sqlite3_column_int64(st, 9);
		r.escalated = sqlite3_column_int64(st, 10);
		r.notice = store_col_text(st, 11);
		r.error = store_col_text(st, 12);
		r.content = store_col_text(st, 13);
		r.read = sqlite3_column_int(st, 14);
		rc = fn(ud, &r);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

/* ---- acknowledgements ---------------------------------------------------------- */

int
store_acks_each(struct node *n, const uint8_t msg[32], const uint8_t *device,
    const char *status, store_ack_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT device, status, idx, time, note FROM acks"
	    " WHERE msg_id = ?1 AND (?2 IS NULL OR device = ?2) AND (?3 IS NULL OR"
	    " status = ?3)");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	bind_id(st, 1, msg);
	bind_id(st, 2, device);
	bind_text(st, 3, status);
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != 32)
			continue;
		rc = fn(ud, sqlite3_column_blob(st, 0), store_col_text(st, 1),
		    sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
		    store_col_text(st, 4));
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

int
store_ack_add(struct node *n, const uint8_t ref[32], const uint8_t device[32],
    const char *status, int64_t index, int64_t time, const char *note)
{
	sqlite3_stmt *st = store_kept(n, ST_ACK_ADD, "INSERT OR IGNORE INTO acks(msg_id,"
	    " device, status, idx, time, note) VALUES(?, ?, ?, ?, ?, ?)");

	if (st == NULL)
		return -1;
	bind_id(st, 1, ref);
	bind_id(st, 2, device);
	bind_text(st, 3, status);
	sqlite3_bind_int64(st, 4, index);
	sqlite3_bind_int64(st, 5, time);
	bind_text(st, 6, note);
	return store_done(n, st);
}

int
store_acknowledgements_each(struct node *n, const uint8_t msg[32], store_ack_fact_fn fn,
    void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT device, time, idx, how, answer, note"
	    " FROM acknowledgements WHERE msg_id = ? ORDER BY time, idx");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	bind_id(st, 1, msg);
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW) {
		struct ack_fact a;
		if (sqlite3_column_bytes(st, 0) != 32)
			continue;
		memset(&a, 0, sizeof(a));
		a.device = sqlite3_column_blob(st, 0);
		a.time = sqlite3_column_int64(st, 1);
		a.index = sqlite3_column_int64(st, 2);
		a.how = store_col_text(st, 3);
		if (sqlite3_column_bytes(st, 4) == 32)
			a.answer = sqlite3_column_blob(st, 4);
		a.note = store_col_text(st, 5);
		rc = fn(ud, &a);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

enum store_result
store_own_answer(struct node *n, const uint8_t id[32], uint8_t answer[32], int64_t *time,
    char *how, size_t len)
{
	sqlite3_stmt *st = store_prep(n, "SELECT id, coalesce(time, sent),"
	    " coalesce(json_extract(content, '$.consultation.step'), 'reply') FROM messages"
	    " WHERE parent = ? AND direction = 'out' AND notice IS NULL ORDER BY 2 LIMIT 1");
	enum store_result res = STORE_ERROR;
	int rc;

	if (st == NULL)
		return STORE_ERROR;
	bind_id(st, 1, id);
	if ((rc = store_step(n, st)) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(answer, sqlite3_column_blob(st, 0), 32);
		*time = sqlite3_column_int64(st, 1);
		snprintf(how, len, "%s", store_col_text(st, 2));
		res = STORE_OK;
	} else if (rc == SQLITE_DONE)
		res = STORE_NOT_FOUND;
	sqlite3_finalize(st);
	return res;
}

enum store_result
store_escalation_reached(struct node *n, const uint8_t msg[32], const uint8_t device[32])
{
	char hex[65];
	sqlite3_stmt *st = store_prep(n, "SELECT 1 FROM escalations e, json_each(e.devices) j"
	    " WHERE e.msg_id = ? AND j.value = ?");
	int rc;

	if (st == NULL)
		return STORE_ERROR;
	sodium_bin2hex(hex, sizeof(hex), device, 32);
	bind_id(st, 1, msg);
	sqlite3_bind_text(st, 2, hex, -1, SQLITE_TRANSIENT);
	rc = store_step(n, st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : STORE_ERROR;
}

/* ---- escalations ------------------------------------------------------------------ */

int
store_escalation_stage(struct node *n, const uint8_t msg[32], const char *state)
{
	sqlite3_stmt *st = store_prep(n, "SELECT max(stage) FROM escalations"
	    " WHERE msg_id = ? AND state = ?");
	int stage = 0, rc;

	if (st == NULL)
		return -1;
	bind_id(st, 1, msg);
	bind_text(st, 2, state);
	if ((rc = store_step(n, st)) == SQLITE_ROW)
		stage = sqlite3_column_int(st, 0);
	else if (rc != SQLITE_DONE)
		stage = -1;
	sqlite3_finalize(st);
	return stage;
}

int
store_escalation_add(struct node *n, const uint8_t msg[32], const char *state, int stage,
    const uint8_t notice[32], int64_t time, const char *devices)
{
	sqlite3_stmt *st = store_prep(n, "INSERT INTO escalations(msg_id, state, stage,"
	    " notice_id, time, devices) VALUES(?, ?, ?, ?, ?, ?)");

	if (st != NULL) {
		bind_id(st, 1, msg);
		bind_text(st, 2, state);
		sqlite3_bind_int(st, 3, stage);
		bind_id(st, 4, notice);
		sqlite3_bind_int64(st, 5, time);
		bind_text(st, 6, devices);
	}
	return run_once(n, st);
}

int
store_escalations_each(struct node *n, const uint8_t msg[32], const char *state,
    store_escalation_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT stage, time, notice_id, devices"
	    " FROM escalations WHERE msg_id = ? AND state = ? ORDER BY stage");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	bind_id(st, 1, msg);
	bind_text(st, 2, state);
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 2) != 32)
			continue;
		rc = fn(ud, sqlite3_column_int(st, 0), sqlite3_column_int64(st, 1),
		    sqlite3_column_blob(st, 2), store_col_text(st, 3));
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

/* ---- threads --------------------------------------------------------------------- */

enum store_result
store_message_parent(struct node *n, const uint8_t id[32], uint8_t parent[32])
{
	sqlite3_stmt *st = store_prep(n, "SELECT parent FROM messages WHERE id = ?");
	enum store_result res = STORE_NOT_FOUND;
	int rc;

	if (st == NULL)
		return STORE_ERROR;
	bind_id(st, 1, id);
	if ((rc = store_step(n, st)) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(parent, sqlite3_column_blob(st, 0), 32);
		res = STORE_OK;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		res = STORE_ERROR;
	sqlite3_finalize(st);
	return res;
}

int
store_thread_each(struct node *n, const uint8_t root[32], store_thread_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "WITH RECURSIVE t(id, depth) AS (SELECT ?, 0"
	    " UNION ALL SELECT m.id, t.depth + 1 FROM messages m JOIN t ON m.parent = t.id"
	    " WHERE t.depth < 1000)"
	    " SELECT m.id, t.depth, m.sender_state, m.subject, coalesce(m.time, m.sent),"
	    " m.notice FROM t JOIN messages m ON m.id = t.id ORDER BY 5");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	bind_id(st, 1, root);
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW)
		rc = fn(ud, sqlite3_column_blob(st, 0), sqlite3_column_int(st, 1),
		    store_col_text(st, 2), store_col_text(st, 3), sqlite3_column_int64(st, 4),
		    sqlite3_column_type(st, 5) != SQLITE_NULL);
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

/* ---- consultations ------------------------------------------------------------- */

enum store_result
store_consult_step(struct node *n, const uint8_t id[32], char *step, size_t len,
    char *request_hex, size_t hlen, char *direction, size_t dlen)
{
	sqlite3_stmt *st = store_prep(n, "SELECT json_extract(content,"
	    " '$.consultation.step'), json_extract(content, '$.consultation.request'),"
	    " direction FROM messages WHERE id = ?");
	enum store_result res = STORE_ERROR;
	int rc;

	if (st == NULL)
		return STORE_ERROR;
	bind_id(st, 1, id);
	if ((rc = store_step(n, st)) == SQLITE_ROW) {
		snprintf(step, len, "%s", store_col_text(st, 0));
		snprintf(request_hex, hlen, "%s", store_col_text(st, 1));
		snprintf(direction, dlen, "%s", store_col_text(st, 2));
		res = STORE_OK;
	} else if (rc == SQLITE_DONE)
		res = STORE_NOT_FOUND;
	sqlite3_finalize(st);
	return res;
}

int
store_consult_steps_each(struct node *n, const uint8_t request[32], store_consult_fn fn,
    void *ud)
{
	char *hex = hex_encode(request, 32);
	sqlite3_stmt *st = store_prep(n, "SELECT id, direction, sender_state,"
	    " coalesce(time, sent), idx, json_extract(content, '$.consultation.step'),"
	    " subject, body, agreement, to_states FROM messages WHERE id = ?1 OR"
	    " json_extract(content, '$.consultation.request') = ?2 ORDER BY 4");
	int rc = 0, step;

	if (st == NULL) {
		free(hex);
		return -1;
	}
	bind_id(st, 1, request);
	sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC);
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW) {
		struct consult_row r;
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_blob(st, 0);
		r.direction = store_col_text(st, 1);
		r.from = store_col_text(st, 2);
		r.time = sqlite3_column_int64(st, 3);
		if ((r.has_index = sqlite3_column_type(st, 4) != SQLITE_NULL))
			r.index = sqlite3_column_int64(st, 4);
		r.step = sqlite3_column_text(st, 5) ? store_col_text(st, 5) : "?";
		r.subject = store_col_text(st, 6);
		r.body = store_col_text(st, 7);
		if (sqlite3_column_bytes(st, 8) == 32)
			r.agreement = sqlite3_column_blob(st, 8);
		r.to_states = (const char *)sqlite3_column_text(st, 9);
		rc = fn(ud, &r);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	free(hex);
	return rc;
}

int
store_consult_requests_each(struct node *n, store_id_fn fn, void *ud)
{
	sqlite3_stmt *st = store_prep(n, "SELECT id FROM messages WHERE"
	    " json_extract(content, '$.consultation.step') = 'request'"
	    " ORDER BY coalesce(time, sent) DESC");
	int rc = 0, step;

	if (st == NULL)
		return -1;
	while (rc == 0 && (step = store_step(n, st)) == SQLITE_ROW)
		if (sqlite3_column_bytes(st, 0) == 32)
			rc = fn(ud, sqlite3_column_blob(st, 0));
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}
