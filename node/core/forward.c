/*
 * forward.c - passing a received message on, within what its TLP label
 * and its sender allow, with a link anyone can check (see original.h for
 * what the link is and how a recipient checks it).
 *
 * A forward carries the original itself: the signed envelope as logged,
 * its log index and time, and the content key the forwarder's device
 * unwrapped.  With these the new recipient checks, without trusting the
 * forwarder or the hub, that the original was signed by a certified device,
 * that it is in the log at that index (inclusion proof against the
 * checkpoint the forward itself was verified at), and that the text shown is
 * exactly what was sealed (the content key opens the ciphertext the
 * signature covers).  Handing over the content key reveals nothing but this
 * one message.  A forward of a forward carries the first original, so the
 * link is always one step to the author.
 *
 * The TLP rules (tlp.c) are checked by the forwarder's node, which refuses,
 * and again by every receiving node, which stores a forward that broke them
 * with the error shown: the forwarder's signature is the evidence.
 */
#include "forward.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "audience.h"
#include "hubclient.h"
#include "jsonutil.h"
#include "original.h"
#include "payload.h"
#include "seal.h"
#include "store.h"
#include "tlp.h"

static int
first_signed(void *ud, const char *text, const uint8_t sig[64])
{
	json_t **cp = ud;
	char *b = b64_encode(sig, 64);

	*cp = json_pack("{s:s,s:s}", "checkpoint", text, "sig", b);
	free(b);
	return 1;
}

/*
 * The original's inclusion proof and the checkpoint it holds against, for
 * the forward to carry (original.h): as this node verified them when the
 * message came (the proof kept with it, the checkpoint of that size).  A
 * message received before proofs were kept gets one from the hub at the
 * newest checkpoint: that request names the original, from this node only.
 */
static int
carried_inclusion(struct node *n, const uint8_t id[32], struct original *o)
{
	struct stored_checkpoint newest;
	char *proof = NULL;
	int64_t size = 0;
	json_t *proofs = NULL;
	int rc;

	switch (store_message_proof(n, id, &proof, &size)) {
	case STORE_OK:
		o->proof = jparse(proof, strlen(proof));
		free(proof);
		break;
	case STORE_NOT_FOUND:
		if (store_checkpoint_newest(n, &newest) != STORE_OK)
			return -1;
		size = (int64_t)newest.size;
		stored_checkpoint_free(&newest);
		if (hub_inclusion_proofs(n, (uint64_t)size, &o->index, 1, &proofs) != 0)
			return -1;
		o->proof = json_incref(json_object_get(json_array_get(proofs, 0), "proof"));
		json_decref(proofs);
		break;
	default:
		return -1;
	}
	rc = store_checkpoints_of_size(n, (uint64_t)size, first_signed, &o->checkpoint);
	if (rc < 0)
		return -1;
	if (!json_is_array(o->proof) || o->checkpoint == NULL) {
		rs_seterr("this node holds no inclusion proof of the message to forward "
		    "with it");
		return -1;
	}
	return 0;
}

/* The original of a message this node received: the message itself, or the
 * original it forwarded. */
static int
original_of(struct node *n, const uint8_t id[32], json_t *content, struct original *o)
{
	json_t *f = json_object_get(content, "forward");
	struct stored_record rec;
	enum store_result found;
	int rc = -1;

	if (f != NULL) {
		if (json_object_get(content, "original") == NULL) {
			rs_seterr("this forward did not verify when it arrived; it cannot be"
			    " forwarded again");
			return -1;
		}
		if (original_from_json(o, f) != 0)
			return -1;
		if (o->proof == NULL || o->checkpoint == NULL) {
			rs_seterr("this forward came without the original's inclusion proof "
			    "(an older node's); it cannot be forwarded again");
			original_free(o);
			return -1;
		}
		return original_open(o);
	}
	memset(o, 0, sizeof(*o));
	if ((found = store_record_get(n, id, &rec)) != STORE_OK) {
		if (found == STORE_NOT_FOUND)
			rs_seterr("the message's log record is not in this node's store");
		return -1;
	}
	o->raw = rec.raw;	/* taken over */
	o->index = rec.index;
	o->time = rec.time;
	if (env_parse(&o->e, o->raw.p, o->raw.len) != 0 ||
	    seal_content_key(o->key, o->e.payload, o->e.payload_len, n->key) != 0 ||
	    carried_inclusion(n, id, o) != 0)
		goto out;
	o->content = json_incref(content);
	rc = 0;
out:
	return rc;
}

static json_t *
forward_json(const struct original *o)
{
	char *env = b64_encode(o->raw.p, o->raw.len), *key = b64_encode(o->key, SEAL_KEY_LEN);
	json_t *f = json_pack("{s:s,s:I,s:I,s:s}", "envelope", env,
	    "index", (json_int_t)o->index, "time", (json_int_t)o->time, "key", key);

	assert(o->proof != NULL && o->checkpoint != NULL);
	json_object_set(f, "proof", o->proof);
	json_object_set(f, "checkpoint", o->checkpoint);

	sodium_memzero(key, strlen(key));
	free(env);
	free(key);
	return f;
}

static int
load_received(struct node *n, const uint8_t id[32], json_t **content)
{
	struct msg_row m;
	enum store_result found = store_message_get(n, id, &m);
	int rc = -1;

	*content = NULL;
	if (found == STORE_ERROR)
		return -1;
	if (found == STORE_NOT_FOUND) {
		rs_seterr("no such message");
		return -1;
	}
	if (strcmp(m.direction, "in") != 0)
		rs_seterr("this node wrote that message; send it again rather than"
		    " forward it");
	else if (m.content == NULL ||
	    (*content = jparse(m.content, strlen(m.content))) == NULL)
		rs_seterr("the message's content is not stored (received by an"
		    " older version)");
	else
		rc = 0;
	msg_row_free(&m);
	return rc;
}

/* Refuses, naming the rule, if any State of the audience is not allowed. */
static int
forward_allowed(struct node *n, const struct original *o, const struct outgoing *out,
    enum tlp_rule *rule)
{
	size_t i;
	json_t *v;

	json_array_foreach(out->states, i, v) {
		*rule = tlp_rule(jstr(o->content, "tlp"),
		    json_is_true(json_object_get(o->content, "no_forward")), n->cfg.state,
		    env_field(&o->e, "to"), json_string_value(v));
		if (tlp_may_forward(jstr(o->content, "tlp"),
		    json_is_true(json_object_get(o->content, "no_forward")), n->cfg.state,
		    env_field(&o->e, "to"), json_string_value(v)) != 0) {
			char why[RS_ERRLEN];
			snprintf(why, sizeof(why), "%s", rs_err());
			rs_seterr("not forwarded to %s: %s", json_string_value(v), why);
			return -1;
		}
	}
	return 0;
}

enum forward_result
forward_send(struct node *n, const uint8_t id[32], const char *to, const char *roles,
    const char *note, const char *lang, uint8_t newid[32], struct sent *r,
    enum tlp_rule *rule)
{
	struct outgoing out;
	struct original o;
	json_t *content = NULL;
	char subject[600];
	enum forward_result rc = FORWARD_FAILED;
	enum tlp_rule ignored;
	int have = 0;

	if (rule == NULL)
		rule = &ignored;
	*rule = TLP_ALLOWED;
	outgoing_init(&out);
	memset(&o, 0, sizeof(o));
	out.to = to;
	out.roles = roles;
	if (load_received(n, id, &content) != 0 || original_of(n, id, content, &o) != 0)
		goto out;
	have = 1;
	/* What may not even stay within this State is refused before the
	 * audience is looked at. */
	*rule = tlp_rule(jstr(o.content, "tlp"),
	    json_is_true(json_object_get(o.content, "no_forward")), n->cfg.state,
	    env_field(&o.e, "to"), n->cfg.state);
	if (tlp_may_forward(jstr(o.content, "tlp"),	/* its words in rs_err */
	    json_is_true(json_object_get(o.content, "no_forward")), n->cfg.state,
	    env_field(&o.e, "to"), n->cfg.state) != 0) {
		rc = FORWARD_FORBIDDEN;
		goto out;
	}
	if (audience_resolve(n, out.to, out.roles, 0, &out.r, &out.nr, out.states,
	    out.rcpt, &out.nunconfirmed) != 0)
		goto out;
	if (forward_allowed(n, &o, &out, rule) != 0) {
		rc = FORWARD_FORBIDDEN;
		goto out;
	}
	message_subject_prefixed(subject, sizeof(subject), "Fwd: ",
	    jstr(o.content, "subject"));
	json_object_set_new(out.payload, "subject", json_string(subject));
	json_object_set_new(out.payload, "body", json_string(note ? note : ""));
	json_object_set_new(out.payload, "tlp", json_string(jstr(o.content, "tlp")));
	json_object_set_new(out.payload, "lang", json_string(lang ? lang : "en"));
	json_object_set_new(out.payload, "forward", forward_json(&o));
	out.urgency = "routine";
	if (message_send(n, &out, newid, r) == 0)
		rc = FORWARD_SENT;
out:
	if (have)
		original_free(&o);
	json_decref(content);
	outgoing_free(&out);
	return rc;
}


/* Has own_state another current device than this node's? */
static int
own_state_has_others(struct node *n)
{
	for (size_t i = 0; i < n->directory->ndevices; i++) {
		struct dir_device *d = n->directory->devices[i];
		if (strcmp(d->state, n->cfg.state) == 0 && d->revoked_index < 0 &&
		    (d->expires == 0 || d->expires >= now_ms()) &&
		    memcmp(d->key, n->cfg.device, 32) != 0)
			return 1;
	}
	return 0;
}

static json_t *
offer(int allowed, json_t *targets, const char *why)
{
	json_t *j = json_pack("{s:b,s:o}", "allowed", allowed, "targets",
	    targets ? targets : json_array());

	if (!allowed)
		json_object_set_new(j, "why", json_string(why));
	return j;
}

json_t *
forward_offer(struct node *n, const struct msg_row *m, json_t *content)
{
	json_t *orig = json_object_get(content, "original"), *oc, *to, *targets;
	const char *tlp, *author;
	enum tlp_rule first = TLP_ALLOWED, r;
	struct original o;
	int no_forward, parsed = 0;

	if (strcmp(m->direction, "in") != 0)
		return offer(0, NULL, "own-message");
	if (*m->notice)
		return offer(0, NULL, "notice");
	if (content == NULL)
		return offer(0, NULL, "not-stored");
	/* The rules are the original's: a forward's, or the message itself. */
	if (json_object_get(content, "forward") != NULL) {
		if (orig == NULL)
			return offer(0, NULL, "original-unverified");
		oc = json_object_get(orig, "content");
		author = jstr(orig, "from");
		if (original_from_json(&o, json_object_get(content, "forward")) != 0)
			return offer(0, NULL, "original-unverified");
		parsed = 1;
		to = env_field(&o.e, "to");
	} else {
		oc = content;
		author = m->sender_state;
		to = m->to_states ? jparse(m->to_states, strlen(m->to_states)) : NULL;
	}
	tlp = jstr(oc, "tlp");
	no_forward = json_is_true(json_object_get(oc, "no_forward"));
	targets = json_array();
	for (size_t i = 0; i < n->directory->nroots; i++) {
		const char *s = n->directory->roots[i].state;
		size_t k;
		json_t *v;
		int seen = 0;
		json_array_foreach(targets, k, v)
			seen |= strcmp(json_string_value(v), s) == 0;
		if (seen || (author != NULL && strcmp(s, author) == 0) ||
		    (strcmp(s, n->cfg.state) == 0 && !own_state_has_others(n)))
			continue;
		if ((r = tlp_rule(tlp, no_forward, n->cfg.state, to, s)) == TLP_ALLOWED)
			json_array_append_new(targets, json_string(s));
		else if (first == TLP_ALLOWED)
			first = r;
	}
	if (parsed)
		original_free(&o);
	else
		json_decref(to);
	/* Nothing allowed: the rule that says why, whatever the States left. */
	if (json_array_size(targets) == 0) {
		r = tlp_rule(tlp, no_forward, n->cfg.state, NULL, "");
		return offer(0, targets, r != TLP_ALLOWED ? tlp_rule_code(r) :
		    first != TLP_ALLOWED ? tlp_rule_code(first) : "no-state");
	}
	return offer(1, targets, NULL);
}
