/*
 * escalate.c - deadlines: who is told when a recipient State stays silent.
 *
 * Every message carries, in its signed header, the deadline by which the
 * sender expects an acknowledgement (message.c).  The sender's node checks
 * its own messages (`roster serve` on every pass, `roster sync` once): for
 * each recipient State with no "acknowledged" from any of its devices by the
 * deadline, it sends an overdue notice in two stages (a State that answered
 * it, with a reply or a consultation step, has acknowledged it: the rule of
 * docs/protocol.md section 3, store_acknowledgements_each):
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
 * the notices' own "delivered" acknowledgements say when each node had it
 * (the receiving side is accept.c).
 * The sender's POC gets an "overdue" e-mail alert at the first stage, the
 * POCs reached an "escalated" one (alert.c; neither carries content).
 * A notice and its escalations row are stored in one transaction, so a
 * crash never sends a stage twice or records one that was not sent.
 */
#include "escalate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "jsonutil.h"
#include "message.h"
#include "outbox.h"
#include "seal.h"
#include "store.h"

struct acked_by {
	struct node *n;
	const char *state;
	int found;
};

static int
ack_of_state(void *ud, const struct ack_fact *f)
{
	struct acked_by *a = ud;
	struct dir_device *d = dir_device(a->n->directory, f->device);

	if (d != NULL && strcmp(d->state, a->state) == 0)
		a->found = 1;
	return a->found;
}

/* Has state acknowledged msg (an acknowledgement, or an answer: the rule
 * of store_acknowledgements_each)?  1, 0, -1. */
static int
state_acknowledged(struct node *n, const uint8_t msg[32], const char *state)
{
	struct acked_by a = { n, state, 0 };

	if (store_acknowledgements_each(n, msg, ack_of_state, &a) < 0)
		return -1;
	return a.found;
}

/* Current (not revoked or expired, its root key neither disowned nor
 * unendorsed: no notice to a device that may be the operator's own, as no
 * mail, audience.c), and not this device. */
static int
device_current(struct node *n, const struct dir_device *d)
{
	return d->revoked_index < 0 && (d->expires == 0 || d->expires >= now_ms()) &&
	    dir_device_current(n->directory, d->key, INT64_MAX) &&
	    !dir_device_unconfirmed(n->directory, d->key) &&
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

/* 0 sent, 1 nobody in this stage, -1 error. */
static int
send_notice(struct node *n, const uint8_t msg[32], const char *urgency,
    int64_t deadline, const char *state, int stage)
{
	int stage_sent_before = store_escalation_stage(n, msg, state) > 0 || stage > 1;
	struct outgoing o;
	uint8_t id[32];
	char *devices;
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
	if (store_begin(n) != 0)
		goto out;
	devices = jdump(o.rcpt);
	if (message_store_txn(n, &o, id) == 0) {
		rc = store_escalation_add(n, msg, state, stage, id, now_ms(), devices);
		/* The sender's own POC learns it too, once. */
		if (rc == 0 && stage_sent_before == 0)
			rc = alert_queue(n, "overdue", urgency, msg);
	}
	free(devices);
	if (rc != 0 || store_commit(n) != 0) {
		store_rollback(n);
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
	if ((stage = store_escalation_stage(n, msg, state)) < 0)
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

int
escalate_due(struct node *n, int *sent)
{
	struct msg_due *due = NULL;
	size_t count = 0;
	int rc = 0;

	*sent = 0;
	if (!n->cfg.has_root)
		return 0;
	if (store_messages_due(n, now_ms(), &due, &count) != 0)
		return -1;
	for (size_t k = 0; rc == 0 && k < count; k++) {
		struct msg_due *d = &due[k];
		json_t *states = d->to_states ? jparse(d->to_states, strlen(d->to_states)) : NULL;
		json_t *v;
		size_t i;
		int open = 0, r;
		json_array_foreach(states, i, v) {
			if (!json_is_string(v))
				continue;
			r = escalate_state(n, d->id, d->urgency, d->time, d->deadline,
			    json_string_value(v), sent);
			if (r < 0) {
				rc = -1;
				break;
			}
			open += r == 0;
		}
		json_decref(states);
		/* Nothing is left to escalate: later passes skip it, so a
		 * node's pass costs what is still open, not everything it
		 * ever sent. */
		if (rc == 0 && open == 0 && store_message_set_settled(n, d->id, now_ms()) != 0)
			rc = -1;
	}
	msg_due_free(due, count);
	if (*sent > 0 && outbox_flush(n, NULL) != 0)
		fprintf(stderr, "roster: overdue notices queued: %s\n", rs_err());
	return rc;
}

int64_t
escalate_next_ms(struct node *n)
{
	int64_t now = now_ms(), next = store_messages_next_deadline(n, now);

	if (next == INT64_MAX)
		return INT64_MAX;
	return next - now < 0 ? 0 : next - now;
}
