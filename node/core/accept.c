/*
 * accept.c - the rules of a record that need the store (see accept.h).
 *
 * A record reaches these functions with its framing, inclusion in a
 * verified checkpoint, digest and signature checked, and a message's
 * payload opened (page.c).  What is left is what only the store can say:
 * whether the signer was a current device at that index (the directory,
 * complete below that index: sync.c sees to it), whether the record is in
 * its sender's sequence, whether a payload makes sense.  Who is to blame
 * decides what happens next: a rule the hub applies as well (the
 * directory's, the sequence) broken by a logged record is the hub's doing,
 * NR_BAD, an alarm that is retried; a rule only the receiver applies (the
 * content of a message) is the sender's, NR_REFUSED, final for that
 * record.  A failure of this node's own store is neither (NR_STORAGE: the
 * page is rolled back and taken again).
 */
#include "accept.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "ack.h"
#include "alert.h"
#include "checkrec.h"
#include "jsonutil.h"
#include "kinds.h"
#include "original.h"
#include "page.h"
#include "payload.h"
#include "seal.h"
#include "stixstore.h"
#include "store.h"
#include "verify.h"

/* Under the directory's rules at index: NR_BAD when not. */
static enum node_result
signer_ok(struct node *n, const struct envelope *e, int64_t index, int64_t time)
{
	if (dir_check(n->directory, e, index, time, 0) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("it breaks the directory's rules: %s", why);
		return NR_BAD;
	}
	return NR_OK;
}

/* Envelopes of one device reach a node in log order, so their sequence
 * numbers must rise with the index; anything else is a replay or a
 * reordering the hub let into its log.  A record retaken after later ones
 * of the same device (an alarm resolved) must be below the last seen. */
static enum node_result
check_sender_seq(struct node *n, const struct envelope *e, int64_t index, int retake)
{
	int64_t last, at;

	if (store_sender_seq(n, e->key, &last, &at) != 0)
		return NR_STORAGE;
	if (retake && at > index) {
		if (e->seq >= last) {
			rs_seterr("out of sequence: sequence number %lld at log index %lld, "
			    "before %lld at %lld from the same device", (long long)e->seq,
			    (long long)index, (long long)last, (long long)at);
			return NR_BAD;
		}
		return NR_OK;
	}
	if (e->seq <= last) {
		rs_seterr("replayed or reordered: sequence number %lld after %lld from the"
		    " same device", (long long)e->seq, (long long)last);
		return NR_BAD;
	}
	return store_sender_set(n, e->key, e->seq, index) == 0 ? NR_OK : NR_STORAGE;
}

static enum node_result
check_device_envelope(struct node *n, const struct envelope *e, int64_t index,
    int64_t time, int retake)
{
	enum node_result rc;

	if ((rc = signer_ok(n, e, index, time)) != NR_OK)
		return rc;
	return check_sender_seq(n, e, index, retake);
}

/* The receiving side of escalation (escalate.c): an overdue notice about a
 * message this node received from the same sender marks it escalated and
 * alerts the POC. */
static int
notice_received(struct node *n, const struct envelope *e, json_t *m, int64_t time)
{
	uint8_t ref[32];
	const char *notice = jstr(m, "notice");
	int changed, rc;

	if (notice == NULL)
		return 0;
	if (strcmp(notice, "overdue") != 0 || jstr(m, "ref") == NULL ||
	    hex_decode_exact(ref, 32, jstr(m, "ref")) != 0)
		return 0;	/* a notice this version does not know: kept, not acted on */
	rc = store_message_set_escalated(n, ref, e->key, time, &changed);
	if (rc == 0 && changed)
		rc = alert_queue(n, "escalated", jstr(m, "urgency") ? jstr(m, "urgency") :
		    "routine", ref);
	return rc;
}

static int
state_in(const char *states_json, const char *state)
{
	json_t *a = states_json ? jparse(states_json, strlen(states_json)) : NULL, *v;
	size_t i;
	int in = 0;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), state) == 0)
			in = 1;
	json_decref(a);
	return in;
}

/*
 * A consultation step (consult.c) is a party's: the request it names must
 * be one this node holds, and the step's signer of the request's State or
 * of a State it went to.  Otherwise anyone who learnt a request's id could
 * slip in an "outcome" for the requester to agree to.  0 when it is (or m
 * is no step), 1 when not (rs_err says why), -1 on a store error.
 */
static int
consult_step_refused(struct node *n, const struct envelope *e, json_t *m)
{
	json_t *c = json_object_get(m, "consultation");
	const char *step = jstr(c, "step"), *req = jstr(c, "request");
	char have[16], hex[80], dir[8];
	uint8_t id[32];
	struct msg_row rq;
	int party;

	if (c == NULL || (step != NULL && strcmp(step, "request") == 0))
		return 0;
	if (req == NULL || hex_decode_exact(id, 32, req) != 0) {
		rs_seterr("a consultation step that names no request");
		return 1;
	}
	switch (store_consult_step(n, id, have, sizeof(have), hex, sizeof(hex), dir,
	    sizeof(dir))) {
	case STORE_OK:
		break;
	case STORE_NOT_FOUND:
		rs_seterr("a consultation step for a request this node does not hold");
		return 1;
	default:
		return -1;
	}
	if (strcmp(have, "request") != 0) {
		rs_seterr("a consultation step naming a message that is no request");
		return 1;
	}
	if (store_message_get(n, id, &rq) != STORE_OK)
		return -1;
	party = strcmp(e->state, strcmp(rq.direction, "out") == 0 ? n->cfg.state :
	    rq.sender_state ? rq.sender_state : "") == 0 || state_in(rq.to_states, e->state);
	msg_row_free(&rq);
	if (!MUTANT(consultparty) && !party) {
		rs_seterr("a consultation step (%s) from %s, which is no party to the "
		    "request", step ? step : "?", e->state);
		return 1;
	}
	return 0;
}

static enum node_result
accept_msg(struct node *n, const struct checkpoint *cp, const struct page_rec *r,
    struct sync_stats *s)
{
	const struct envelope *e = &r->e;
	int64_t index = r->index, time = r->time;
	struct msg_new row;
	json_t *m;
	char *to = NULL, *rcpt = NULL, *content = NULL, *proof = NULL, ferr[RS_ERRLEN + 64];
	uint8_t parent[32];
	enum node_result rc;

	m = jparse(r->plain.p, r->plain.len);
	rc = NR_REFUSED;
	if (m == NULL || !json_is_object(m)) {
		rs_seterr("decrypted body is not a roster message");
		goto out;
	}
	if (message_validate(m) != 0)
		goto out;
	to = jdump(env_field(e, "to") ? env_field(e, "to") : json_array());
	rcpt = jdump(env_field(e, "rcpt"));
	ferr[0] = '\0';
	/* "original" is what this node verified (forward_verify), never the
	 * forwarder's word: an "original" in the payload itself (the format
	 * before forwards carried the proof, or a forger's) is kept aside as
	 * a claim, which the views show as unverified. */
	if (json_object_get(m, "original") != NULL) {
		json_object_set(m, "original_claimed", json_object_get(m, "original"));
		json_object_del(m, "original");
	}
	if (json_object_get(m, "forward") != NULL && forward_verify(n, cp, e, m) != 0)
		snprintf(ferr, sizeof(ferr), "the forwarded original does not verify: %s",
		    rs_err());
	switch (consult_step_refused(n, e, m)) {
	case 0:
		break;
	case 1:
		/* Kept and shown with the reason, but no step of any
		 * consultation: its claim is moved aside. */
		snprintf(ferr, sizeof(ferr), "refused as a consultation step: %s", rs_err());
		json_object_set(m, "consultation_refused", json_object_get(m, "consultation"));
		json_object_del(m, "consultation");
		break;
	default:
		rc = NR_STORAGE;
		goto out;
	}
	content = jdump(m);
	memset(&row, 0, sizeof(row));
	row.id = e->id;
	row.direction = "in";
	row.logged = 1;
	row.index = index;
	row.time = time;
	row.checked_size = (int64_t)cp->size;
	row.sender_state = e->state;
	row.sender_device = e->key;
	row.to_states = to;
	row.rcpt = rcpt;
	row.urgency = env_str(e, "urgency");
	row.subject = jstr(m, "subject");
	row.body = jstr(m, "body");
	row.tlp = jstr(m, "tlp");
	row.lang = jstr(m, "lang");
	row.sent = json_integer_value(json_object_get(m, "sent"));
	row.content = content;
	if (jstr(m, "re") != NULL && hex_decode_exact(parent, 32, jstr(m, "re")) == 0)
		row.parent = parent;
	if ((row.has_deadline = json_is_integer(env_field(e, "deadline"))))
		row.deadline = json_integer_value(env_field(e, "deadline"));
	row.notice = jstr(m, "notice");
	row.error = ferr[0] != '\0' ? ferr : NULL;
	switch (store_message_add(n, &row)) {
	case STORE_OK:
		break;
	case STORE_DUPLICATE:
		rs_seterr("duplicate of a message already received");
		rc = NR_REFUSED;
		goto out;
	default:
		rc = NR_STORAGE;	/* not a verdict on the message: taken next time */
		goto out;
	}
	proof = json_is_array(json_object_get(r->served, "proof")) ?
	    jdump(json_object_get(r->served, "proof")) : NULL;
	if ((proof != NULL && store_message_set_proof(n, e->id, proof) != 0) ||
	    store_record_add(n, e, index, time, cp->size) != 0 ||
	    ack_sign(n, e->id, e->key, "delivered", "", NULL) != 0 ||
	    notice_received(n, e, m, time) != 0 ||
	    (jstr(m, "notice") == NULL &&
	    alert_queue(n, "message", env_str(e, "urgency"), e->id) != 0) ||
	    stixstore_file_received(n, NULL, e, index, m) != 0) {
		rc = NR_STORAGE;
		goto out;
	}
	s->messages++;
	rc = NR_OK;
out:
	free(to);
	free(rcpt);
	free(proof);
	if (content != NULL)
		sodium_memzero(content, strlen(content));
	free(content);
	json_decref(m);
	return rc;
}

static int
listed_in(const char *rcpt_json, const uint8_t key[32])
{
	json_t *rcpt = rcpt_json ? jparse(rcpt_json, strlen(rcpt_json)) : NULL, *v;
	char *dev = hex_encode(key, 32);
	size_t i;
	int listed = 0;

	json_array_foreach(rcpt, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), dev) == 0)
			listed = 1;
	json_decref(rcpt);
	free(dev);
	return listed;
}

static enum node_result
accept_ack(struct node *n, const struct checkpoint *cp, const struct page_rec *r,
    struct sync_stats *s)
{
	const struct envelope *e = &r->e;
	uint8_t ref[32];
	const char *status = env_str(e, "status");
	json_t *note = NULL;
	char *rcpt = NULL;
	enum store_result sent;
	enum node_result rc;

	if (status == NULL || (strcmp(status, "delivered") != 0 &&
	    strcmp(status, "acknowledged") != 0 && strcmp(status, "agreed") != 0)) {
		rs_seterr("acknowledgement status must be delivered, acknowledged or agreed");
		return NR_REFUSED;
	}
	if (env_str(e, "ref") == NULL || hex_decode_exact(ref, 32, env_str(e, "ref")) != 0) {
		rs_seterr("acknowledgement without a valid \"ref\"");
		return NR_REFUSED;
	}
	if ((sent = store_sent_rcpt(n, ref, &rcpt)) == STORE_ERROR)
		return NR_STORAGE;
	rc = NR_REFUSED;
	if (sent != STORE_OK) {
		rs_seterr("acknowledges a message this node did not send");
		goto out;
	}
	/* A device an overdue notice reached may acknowledge the message the
	 * notice names for its State (ack.h), without having had it. */
	if (!listed_in(rcpt, e->key)) {
		enum store_result reached = strcmp(status, "acknowledged") == 0 ?
		    store_escalation_reached(n, ref, e->key) : STORE_NOT_FOUND;
		if (reached == STORE_ERROR) {
			rc = NR_STORAGE;
			goto out;
		}
		if (reached != STORE_OK) {
			rs_seterr("acknowledgement from a device the message was not sent to");
			goto out;
		}
	}
	if ((note = jparse(r->plain.p, r->plain.len)) == NULL)
		goto out;
	if (store_ack_add(n, ref, e->key, status, r->index, r->time, jstr(note, "note")) != 0 ||
	    store_record_add(n, e, r->index, r->time, cp->size) != 0) {
		rc = NR_STORAGE;
		goto out;
	}
	s->acks++;
	rc = NR_OK;
out:
	json_decref(note);
	free(rcpt);
	return rc;
}

enum node_result
accept_mail(struct node *n, const struct checkpoint *cp, const struct page_rec *r,
    int retake, struct sync_stats *s)
{
	enum node_result rc;

	if (r->verdict == NR_BAD) {
		rs_seterr("%s", r->why);
		return NR_BAD;
	}
	/* The hub's rules first: a record it should not have logged is its
	 * doing, whatever else is wrong with it. */
	if ((rc = check_device_envelope(n, &r->e, r->index, r->time, retake)) != NR_OK)
		return rc;
	if (r->verdict == NR_REFUSED) {
		rs_seterr("%s", r->why);
		return NR_REFUSED;
	}
	if (strcmp(r->e.kind, "msg") == 0)
		return accept_msg(n, cp, r, s);
	return accept_ack(n, cp, r, s);
}

enum node_result
accept_public(struct node *n, const struct envelope *e, int64_t index, int64_t time,
    struct sync_stats *s)
{
	enum node_result rc;

	if ((rc = signer_ok(n, e, index, time)) != NR_OK)
		return rc;
	if (kind_has(e->kind_id, KIND_DIRECTORY)) {
		(void)own_state_alarm(n, e, index);	/* an alarm, but it is in the log */
		dir_apply(n->directory, e, index);
		if (index > n->dir_index)
			n->dir_index = index;
		s->directory++;
	}
	s->public++;
	return NR_OK;
}
