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

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "audience.h"
#include "jsonutil.h"
#include "original.h"
#include "payload.h"
#include "seal.h"
#include "store.h"
#include "tlp.h"

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
	    seal_content_key(o->key, o->e.payload, o->e.payload_len, n->key) != 0)
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
forward_allowed(struct node *n, const struct original *o, const struct outgoing *out)
{
	size_t i;
	json_t *v;

	json_array_foreach(out->states, i, v)
		if (tlp_may_forward(jstr(o->content, "tlp"),
		    json_is_true(json_object_get(o->content, "no_forward")), n->cfg.state,
		    env_field(&o->e, "to"), json_string_value(v)) != 0) {
			char why[RS_ERRLEN];
			snprintf(why, sizeof(why), "%s", rs_err());
			rs_seterr("not forwarded to %s: %s", json_string_value(v), why);
			return -1;
		}
	return 0;
}

enum forward_result
forward_send(struct node *n, const uint8_t id[32], const char *to, const char *roles,
    const char *note, const char *lang, uint8_t newid[32], struct sent *r)
{
	struct outgoing out;
	struct original o;
	json_t *content = NULL;
	char subject[600];
	enum forward_result rc = FORWARD_FAILED;
	int have = 0;

	outgoing_init(&out);
	memset(&o, 0, sizeof(o));
	out.to = to;
	out.roles = roles;
	if (load_received(n, id, &content) != 0 || original_of(n, id, content, &o) != 0)
		goto out;
	have = 1;
	/* What may not even stay within this State is refused before the
	 * audience is looked at. */
	if (tlp_may_forward(jstr(o.content, "tlp"),
	    json_is_true(json_object_get(o.content, "no_forward")), n->cfg.state,
	    env_field(&o.e, "to"), n->cfg.state) != 0) {
		rc = FORWARD_FORBIDDEN;
		goto out;
	}
	if (audience_resolve(n, out.to, out.roles, &out.r, &out.nr, out.states,
	    out.rcpt) != 0)
		goto out;
	if (forward_allowed(n, &o, &out) != 0) {
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

