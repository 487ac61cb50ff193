/*
 * consult.c - a request for consultations and its answers, ending in an
 * outcome both sides signed.
 *
 * A consultation is a thread.  The request is a message whose sealed
 * payload says {"consultation": {"step": "request"}}; every later step is a
 * reply in the thread naming the request:
 *
 *   accept | decline | propose    the other side's answer (propose carries
 *                                 the counter-proposal in its text)
 *   outcome                       either side writes down what was agreed
 *   agreed                        the other side signs an acknowledgement
 *                                 with status "agreed" of that outcome
 *
 * The outcome message is signed by its writer and the "agreed"
 * acknowledgement, which names the outcome's id (a hash over its exact
 * bytes), by the other side; both are in the log.  Together they are the
 * record signed by both sides that the issue asks for, and neither side
 * can later show a different text.
 */
#include "consult.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "ack.h"
#include "jsonutil.h"
#include "outbox.h"
#include "store.h"

static const char *steps[] = { "accept", "decline", "propose", "outcome", NULL };

int
consult_is_step(const char *s)
{
	for (int i = 0; steps[i] != NULL; i++)
		if (strcmp(s, steps[i]) == 0)
			return 1;
	return 0;
}

const char *
consult_result_code(enum consult_result r)
{
	switch (r) {
	case CONSULT_OK: return "ok";
	case CONSULT_BAD_STEP: return "bad-step";
	case CONSULT_TEXT_REQUIRED: return "text-required";
	case CONSULT_NOT_FOUND: return "no-such-message";
	case CONSULT_NOT_REQUEST: return "not-a-request";
	case CONSULT_OWN_REQUEST: return "own-request";
	case CONSULT_NOT_OUTCOME: return "not-an-outcome";
	case CONSULT_ALREADY_AGREED: return "already-agreed";
	case CONSULT_NOT_SENT: return "not-sent";
	case CONSULT_STORE: return "store-failed";
	}
	return "store-failed";
}

/* The consultation step of a stored message ("" when it is none). */
static enum consult_result
step_of(struct node *n, const uint8_t id[32], char *step, size_t len, uint8_t request[32],
    char *direction, size_t dlen)
{
	char hex[80];

	switch (store_consult_step(n, id, step, len, hex, sizeof(hex), direction, dlen)) {
	case STORE_OK:
		break;
	case STORE_NOT_FOUND:
		rs_seterr("no such message on this node");
		return CONSULT_NOT_FOUND;
	default:
		return CONSULT_STORE;
	}
	memcpy(request, id, 32);
	if (hex[0] != '\0' && hex_decode_exact(request, 32, hex) != 0) {
		rs_seterr("the message names its consultation wrongly");
		return CONSULT_NOT_REQUEST;
	}
	return CONSULT_OK;
}

enum consult_result
consult_reply(struct node *n, const uint8_t id[32], const char *step, const char *body,
    uint8_t newid[32], struct sent *r)
{
	struct outgoing out;
	struct parent_info p;
	char have[16], dir[8];
	uint8_t request[32];
	enum consult_result rc;

	if (!consult_is_step(step)) {
		rs_seterr("unknown step \"%s\" (accept, decline, propose, outcome)", step);
		return CONSULT_BAD_STEP;
	}
	if ((strcmp(step, "propose") == 0 || strcmp(step, "outcome") == 0) &&
	    (body == NULL || *body == '\0')) {
		rs_seterr("the %s itself is required", step[0] == 'p' ? "proposal" : "outcome");
		return CONSULT_TEXT_REQUIRED;
	}
	outgoing_init(&out);
	if ((rc = step_of(n, id, have, sizeof(have), request, dir, sizeof(dir))) != CONSULT_OK)
		goto out;
	if (strcmp(have, "request") != 0) {
		rs_seterr("that message is not a request for consultations");
		rc = CONSULT_NOT_REQUEST;
		goto out;
	}
	if (strcmp(step, "outcome") != 0 && strcmp(dir, "in") != 0) {
		rs_seterr("only the requested side answers a request; this node made it");
		rc = CONSULT_OWN_REQUEST;
		goto out;
	}
	rc = CONSULT_NOT_SENT;
	if (message_reply_audience(n, id, 0, &p) != 0)
		goto out;
	out.to = p.to;
	out.parent = id;
	out.urgency = "priority";
	json_object_set_new(out.payload, "subject", json_string(p.subject));
	json_object_set_new(out.payload, "body", json_string(body ? body : ""));
	json_object_set_new(out.payload, "tlp", json_string(p.tlp));
	json_object_set_new(out.payload, "lang", json_string("en"));
	json_object_set_new(out.payload, "consultation", json_pack("{s:s,s:o}", "step", step,
	    "request", jhex(request, 32)));
	if (message_send(n, &out, newid, r) == 0)
		rc = CONSULT_OK;
out:
	outgoing_free(&out);
	return rc;
}

enum consult_result
consult_agree_to(struct node *n, const uint8_t id[32], const char *note, int *queued)
{
	char have[16], dir[8];
	uint8_t request[32], sender[32], ack[32];
	struct msg_row m;
	enum consult_result rc;
	int agreed;

	*queued = 0;
	if ((rc = step_of(n, id, have, sizeof(have), request, dir, sizeof(dir))) != CONSULT_OK)
		return rc;
	if (strcmp(have, "outcome") != 0 || strcmp(dir, "in") != 0) {
		rs_seterr("that message is not an outcome the other side wrote");
		return CONSULT_NOT_OUTCOME;
	}
	if (store_message_get(n, id, &m) != STORE_OK)
		return CONSULT_STORE;
	agreed = m.has_agreement;
	memcpy(sender, m.sender_device, 32);
	msg_row_free(&m);
	if (agreed) {
		rs_seterr("this node already agreed to that outcome");
		return CONSULT_ALREADY_AGREED;
	}
	if (store_begin(n) != 0)
		return CONSULT_STORE;
	if (ack_sign(n, id, sender, "agreed", note, ack) != 0 ||
	    store_message_set_agreement(n, id, ack) != 0 || store_commit(n) != 0) {
		store_rollback(n);
		return CONSULT_STORE;
	}
	*queued = n->offline || outbox_flush(n, NULL) != 0;
	return CONSULT_OK;
}

static int
state_listed(json_t *states, const char *state)
{
	size_t i;
	json_t *v;

	json_array_foreach(states, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), state) == 0)
			return 1;
	return 0;
}

struct agreed_by {
	struct node *n;
	json_t *row, *to;
};

/* Only the side the outcome went to can agree to it; anyone else's
 * "agreed" is noise. */
static int
agreed_ack(void *ud, const uint8_t device[32], const char *status, int64_t index,
    int64_t time, const char *note)
{
	struct agreed_by *a = ud;
	struct dir_device *d = dir_device(a->n->directory, device);

	(void)status;
	(void)note;
	if (d == NULL || !state_listed(a->to, d->state))
		return 0;
	json_object_set_new(a->row, "agreed", json_pack("{s:s,s:s,s:I,s:I}",
	    "state", d->state, "name", jstr(d->cert, "name") ? jstr(d->cert, "name") : "?",
	    "index", (json_int_t)index, "time", (json_int_t)time));
	return 0;
}

struct steps {
	struct node *n;
	json_t *out;
};

static int
add_step(void *ud, const struct consult_row *c)
{
	struct steps *st = ud;
	struct node *n = st->n;
	struct agreed_by a = { .n = NULL };
	json_t *row = json_pack("{s:o,s:s,s:s,s:I,s:s,s:s,s:s}", "id", jhex(c->id, 32),
	    "direction", c->direction, "from", c->from, "time", (json_int_t)c->time,
	    "step", c->step, "subject", c->subject, "text", c->body);

	if (c->has_index)
		json_object_set_new(row, "index", json_integer(c->index));
	/* An outcome: who agreed, from our acks (we wrote it) or our own
	 * agreement (they wrote it). */
	if (strcmp(c->step, "outcome") == 0) {
		a.n = n;
		a.row = row;
		a.to = c->to_states ? jparse(c->to_states, strlen(c->to_states)) : NULL;
		(void)store_acks_each(n, c->id, NULL, "agreed", agreed_ack, &a);
		json_decref(a.to);
		if (c->agreement != NULL) {
			struct outbox_row ob;
			json_t *ag = json_pack("{s:s}", "state", n->cfg.state);
			if (store_outbox_get(n, c->agreement, &ob) == STORE_OK) {
				if (ob.has_index) {
					json_object_set_new(ag, "index", json_integer(ob.index));
					json_object_set_new(ag, "time", json_integer(ob.time));
				}
				outbox_row_free(&ob);
			}
			json_object_set_new(row, "agreed", ag);
		}
	}
	json_array_append_new(st->out, row);
	return 0;
}

json_t *
consult_json(struct node *n, const uint8_t request[32])
{
	struct steps st = { n, json_array() };

	(void)store_consult_steps_each(n, request, add_step, &st);
	return st.out;
}

const char *
consult_state(json_t *steps_)
{
	const char *state = "requested";
	size_t i;
	json_t *s;

	json_array_foreach(steps_, i, s) {
		const char *st = jstr(s, "step");
		if (strcmp(st, "accept") == 0)
			state = "accepted";
		else if (strcmp(st, "decline") == 0)
			state = "declined";
		else if (strcmp(st, "propose") == 0)
			state = "counter-proposal";
		else if (strcmp(st, "outcome") == 0)
			state = json_object_get(s, "agreed") ? "outcome agreed by both sides" :
			    "outcome awaiting agreement";
	}
	return state;
}

struct listing {
	struct node *n;
	json_t *all;
};

static int
add_request(void *ud, const uint8_t id[32])
{
	struct listing *l = ud;
	json_t *steps_ = consult_json(l->n, id);

	json_array_append_new(l->all, json_pack("{s:o,s:s,s:o}", "request", jhex(id, 32),
	    "state", consult_state(steps_), "steps", steps_));
	return 0;
}

json_t *
consult_list_json(struct node *n, const uint8_t *only)
{
	struct listing l = { n, json_array() };

	if (only != NULL) {
		switch (store_message_exists(n, only)) {
		case STORE_OK:
			add_request(&l, only);
			return l.all;
		case STORE_NOT_FOUND:
			return l.all;
		default:
			json_decref(l.all);
			return NULL;
		}
	}
	if (store_consult_requests_each(n, add_request, &l) != 0) {
		json_decref(l.all);
		return NULL;
	}
	return l.all;
}
