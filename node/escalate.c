/*
 * escalate.c - deadlines: who is told when a recipient State stays silent.
 *
 * Every message carries, in its signed header, the deadline by which the
 * sender expects an acknowledgement (message.c).  The sender's node checks
 * its own messages (`roster serve` on every pass, `roster sync` once): for
 * each recipient State with no "acknowledged" from any of its devices by the
 * deadline, it sends an overdue notice in two stages:
 *
 *   stage 1, at the deadline:   the State's alternate POCs
 *   stage 2, half the original  every other current POC of the State not
 *            allowance later:   reached in stage 1
 *
 * (a State without alternates goes straight to stage 2).  A notice is an
 * ordinary sealed message to those devices, naming the overdue message by id
 * and urgency and nothing of its content, so it is TLP-safe whatever the
 * original's label; the receiving node marks the original as escalated and
 * raises an alert.  The escalations table records who was reached and when;
 * the notices' own "delivered" acknowledgements say when each node had it.
 * The sender's POC gets an "overdue" e-mail alert at the first stage, the
 * POCs reached an "escalated" one (alert.c; neither carries content).
 * A notice and its escalations row are stored in one transaction, so a
 * crash never sends a stage twice or records one that was not sent.
 */
#include "node.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "jsonutil.h"
#include "seal.h"

/* Has any device of state acknowledged msg? */
static int
state_acknowledged(struct node *n, const uint8_t msg[32], const char *state)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT device FROM acks WHERE msg_id = ?"
	    " AND status = 'acknowledged'");
	int found = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, msg, 32, SQLITE_STATIC);
	while (!found && sqlite3_step(st) == SQLITE_ROW) {
		struct dir_device *d;
		if (sqlite3_column_bytes(st, 0) == 32 &&
		    (d = dir_device(n->directory, sqlite3_column_blob(st, 0))) != NULL)
			found = strcmp(d->state, state) == 0;
	}
	sqlite3_finalize(st);
	return found;
}

/* The highest stage already sent to state for msg (0: none). */
static int
stage_sent(struct node *n, const uint8_t msg[32], const char *state)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT max(stage) FROM escalations"
	    " WHERE msg_id = ? AND state = ?");
	int stage = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, msg, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		stage = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return stage;
}

static int
device_current(struct node *n, const struct dir_device *d)
{
	return d->revoked_index < 0 && (d->expires == 0 || d->expires >= now_ms()) &&
	    memcmp(d->key, n->cfg.device, 32) != 0;
}

/* The devices of a stage: alternates in stage 1; in stage 2 everyone else
 * current in the State.  Fills o's recipients; returns how many. */
static size_t
stage_targets(struct node *n, const char *state, int stage, struct outgoing *o)
{
	for (size_t i = 0; i < n->directory->ndevices; i++) {
		struct dir_device *d = n->directory->devices[i];
		int alternate = strcmp(d->role, "alternate") == 0;
		if (strcmp(d->state, state) != 0 || !device_current(n, d) ||
		    (stage == 1) != alternate)
			continue;
		o->r = xrealloc(o->r, (o->nr + 1) * sizeof(*o->r));
		memcpy(o->r[o->nr].device, d->key, 32);
		memcpy(o->r[o->nr].box_pk, d->box, 32);
		json_array_append_new(o->rcpt, jhex(d->key, 32));
		o->nr++;
	}
	return o->nr;
}

static int
send_notice(struct node *n, const uint8_t msg[32], const char *urgency,
    int64_t deadline, const char *state, int stage)
{
	int stage_sent_before = stage_sent(n, msg, state) > 0 || stage > 1;
	struct outgoing o;
	uint8_t id[32];
	char *devices;
	sqlite3_stmt *st;
	int rc = -1;

	outgoing_init(&o);
	if (stage_targets(n, state, stage, &o) == 0) {
		outgoing_free(&o);
		return 1;	/* nobody in this stage */
	}
	json_array_append_new(o.states, json_string(state));
	o.urgency = urgency;
	o.parent = msg;
	o.notice = "overdue";
	json_object_set_new(o.payload, "notice", json_string("overdue"));
	json_object_set_new(o.payload, "ref", jhex(msg, 32));
	json_object_set_new(o.payload, "urgency", json_string(urgency));
	json_object_set_new(o.payload, "deadline", json_integer(deadline));
	json_object_set_new(o.payload, "stage", json_integer(stage));
	json_object_set_new(o.payload, "tlp", json_string("CLEAR"));
	if (db_begin(n->db) != 0)
		goto out;
	devices = jdump(o.rcpt);
	st = db_prep(n->db, "INSERT INTO escalations(msg_id, state, stage, notice_id,"
	    " time, devices) VALUES(?, ?, ?, ?, ?, ?)");
	if (message_store_txn(n, &o, id) == 0 && st != NULL) {
		sqlite3_bind_blob(st, 1, msg, 32, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, stage);
		sqlite3_bind_blob(st, 4, id, 32, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, now_ms());
		sqlite3_bind_text(st, 6, devices, -1, SQLITE_STATIC);
		rc = db_done(n->db, st);
		/* The sender's own POC learns it too, once. */
		if (rc == 0 && stage_sent_before == 0)
			rc = alert_queue(n, "overdue", urgency, msg);
	}
	sqlite3_finalize(st);
	free(devices);
	if (rc != 0 || db_commit(n->db) != 0) {
		db_rollback(n->db);
		rc = -1;
	}
out:
	outgoing_free(&o);
	return rc;
}

/* Stages due for one recipient State of one message: 1 when nothing is
 * left to do for it (acknowledged, or both stages done), 0 when a stage may
 * still come, -1 on a store error. */
static int
escalate_state(struct node *n, const uint8_t msg[32], const char *urgency,
    int64_t logged, int64_t deadline, const char *state, int *sent)
{
	int64_t now = now_ms(), second = deadline + (deadline - logged) / 2;
	int stage, acked, rc;

	if ((acked = state_acknowledged(n, msg, state)) != 0)
		return acked < 0 ? -1 : 1;
	if ((stage = stage_sent(n, msg, state)) < 0)
		return -1;
	if (stage >= 2)
		return 1;
	if (stage == 0) {
		if ((rc = send_notice(n, msg, urgency, deadline, state, 1)) < 0)
			return -1;
		if (rc == 0) {
			(*sent)++;
			return 0;
		}
		/* No alternates: straight to every other POC. */
		if ((rc = send_notice(n, msg, urgency, deadline, state, 2)) < 0)
			return -1;
		if (rc == 0)
			(*sent)++;
		return 1;	/* sent, or nobody at all to tell */
	}
	if (stage == 1 && now >= second) {
		if ((rc = send_notice(n, msg, urgency, deadline, state, 2)) < 0)
			return -1;
		if (rc == 0)
			(*sent)++;
		return 1;	/* sent, or only alternates exist: nothing left */
	}
	return 0;
}

/* Nothing is left to escalate for msg: later passes skip it, so a node's
 * pass costs what is still open, not everything it ever sent. */
static int
settle(struct node *n, const uint8_t msg[32])
{
	sqlite3_stmt *st = db_prep(n->db, "UPDATE messages SET settled = ? WHERE id = ?");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms());
	sqlite3_bind_blob(st, 2, msg, 32, SQLITE_STATIC);
	rc = db_done(n->db, st);
	sqlite3_finalize(st);
	return rc;
}

int
escalate_due(struct node *n, int *sent)
{
	sqlite3_stmt *st;
	struct sync_stats s = {0};
	int rc = 0;

	*sent = 0;
	if (!n->cfg.has_root)
		return 0;
	st = db_prep(n->db, "SELECT id, urgency, time, deadline, to_states FROM messages"
	    " WHERE direction = 'out' AND notice IS NULL AND idx IS NOT NULL"
	    " AND settled IS NULL AND deadline IS NOT NULL AND deadline <= ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms());
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		uint8_t msg[32];
		char urgency[16];
		const char *tos = (const char *)sqlite3_column_text(st, 4);
		json_t *states = tos ? jparse(tos, strlen(tos)) : NULL, *v;
		size_t i;
		memcpy(msg, sqlite3_column_blob(st, 0), 32);
		snprintf(urgency, sizeof(urgency), "%s", sqlite3_column_text(st, 1));
		int open = 0, r;
		json_array_foreach(states, i, v) {
			if (!json_is_string(v))
				continue;
			r = escalate_state(n, msg, urgency, sqlite3_column_int64(st, 2),
			    sqlite3_column_int64(st, 3), json_string_value(v), sent);
			if (r < 0) {
				rc = -1;
				break;
			}
			open += r == 0;
		}
		json_decref(states);
		if (rc == 0 && open == 0 && settle(n, msg) != 0)
			rc = -1;
	}
	sqlite3_finalize(st);
	if (*sent > 0 && outbox_flush(n, &s) != 0)
		fprintf(stderr, "roster: overdue notices queued: %s\n", rs_err());
	return rc;
}

int64_t
escalate_next_ms(struct node *n)
{
	/* The earliest deadline still to come, or the second stage of one
	 * already passed; the loop may sleep longer otherwise. */
	sqlite3_stmt *st = db_prep(n->db, "SELECT min(CASE WHEN deadline > ?1 THEN deadline"
	    " ELSE deadline + (deadline - time) / 2 END) FROM messages"
	    " WHERE direction = 'out' AND notice IS NULL AND idx IS NOT NULL"
	    " AND settled IS NULL AND deadline IS NOT NULL"
	    " AND deadline + (deadline - time) / 2 > ?1");
	int64_t now = now_ms(), next = INT64_MAX;

	if (st == NULL)
		return INT64_MAX;
	sqlite3_bind_int64(st, 1, now);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		next = sqlite3_column_int64(st, 0) - now;
	sqlite3_finalize(st);
	return next < 0 ? 0 : next;
}

int
notice_received(struct node *n, const struct envelope *e, json_t *m, int64_t time)
{
	uint8_t ref[32];
	sqlite3_stmt *st;
	const char *notice = jstr(m, "notice");

	if (notice == NULL)
		return 0;
	if (strcmp(notice, "overdue") != 0 || jstr(m, "ref") == NULL ||
	    hex_decode_exact(ref, 32, jstr(m, "ref")) != 0)
		return 0;	/* a notice this version does not know: kept, not acted on */
	st = db_prep(n->db, "UPDATE messages SET escalated = ? WHERE id = ?"
	    " AND direction = 'in' AND sender_device = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, time);
	sqlite3_bind_blob(st, 2, ref, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, e->key, 32, SQLITE_STATIC);
	int rc = db_done(n->db, st);
	sqlite3_finalize(st);
	if (rc == 0 && sqlite3_changes(n->db) > 0)
		rc = alert_queue(n, "escalated", jstr(m, "urgency") ? jstr(m, "urgency") :
		    "routine", ref);
	return rc;
}
