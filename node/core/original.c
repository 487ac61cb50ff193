/*
 * original.c - parsing and checking a forwarded original (see original.h).
 * A forward of a forward carries the first original, so the link is always
 * one step to the author.  Handing over the content key reveals nothing but
 * this one message.
 */
#include "original.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "jsonutil.h"
#include "payload.h"
#include "store.h"
#include "tlp.h"
#include "verify.h"

void
original_free(struct original *o)
{
	env_free(&o->e);
	buf_free(&o->raw);
	json_decref(o->content);
	json_decref(o->proof);
	json_decref(o->checkpoint);
	o->content = o->proof = o->checkpoint = NULL;
	sodium_memzero(o->key, sizeof(o->key));
}

int
original_from_json(struct original *o, json_t *f)
{
	struct buf key = {0};
	const char *env = jstr(f, "envelope"), *k = jstr(f, "key");
	int rc = -1;

	memset(o, 0, sizeof(*o));
	if (env == NULL || k == NULL || jint_req(f, "index", &o->index) != 0 ||
	    jint_req(f, "time", &o->time) != 0 || o->index < 0) {
		rs_seterr("a forward must carry the original's envelope, index, time and key");
		return -1;
	}
	if (strlen(env) > FORWARD_MAX_ENVELOPE / 3 * 4 + 4 ||
	    b64_decode(&o->raw, env, strlen(env)) != 0 ||
	    env_parse(&o->e, o->raw.p, o->raw.len) != 0) {
		rs_seterr("the forwarded original is not an envelope");
		goto out;
	}
	if (b64_decode(&key, k, strlen(k)) != 0 || key.len != SEAL_KEY_LEN) {
		rs_seterr("the forwarded content key is malformed");
		goto out;
	}
	memcpy(o->key, key.p, SEAL_KEY_LEN);
	if (json_is_array(json_object_get(f, "proof")))
		o->proof = json_incref(json_object_get(f, "proof"));
	if (json_is_object(json_object_get(f, "checkpoint")))
		o->checkpoint = json_incref(json_object_get(f, "checkpoint"));
	rc = 0;
out:
	if (key.p != NULL)
		sodium_memzero(key.p, key.len);
	buf_free(&key);
	if (rc != 0)
		original_free(o);
	return rc;
}

int
original_open(struct original *o)
{
	struct buf plain = {0};
	int rc = -1;

	if (seal_decrypt_with_key(&plain, o->e.payload, o->e.payload_len, o->key) != 0)
		goto out;
	o->content = jparse(plain.p, plain.len);
	if (o->content == NULL || !json_is_object(o->content) ||
	    message_validate(o->content) != 0) {
		rs_seterr("the forwarded original's content is not a roster message");
		goto out;
	}
	rc = 0;
out:
	if (plain.p != NULL)
		sodium_memzero(plain.p, plain.len);
	buf_free(&plain);
	return rc;
}

/*
 * The original's inclusion, from what the forward carries: the checkpoint
 * the forwarder verified it at (operator-signed), the same tree as this
 * node's cp or a prefix of it (a consistency proof between sizes, when
 * this node never held that checkpoint), and the proof against it.
 */
static int
check_carried_inclusion(struct node *n, const struct checkpoint *cp,
    const struct original *o)
{
	struct checkpoint fc = {0};
	int rc = -1;

	if (o->proof == NULL || o->checkpoint == NULL) {
		rs_seterr("the forward carries no inclusion proof and checkpoint for "
		    "the original");
		return -1;
	}
	if (checkpoint_from_json(&fc, o->checkpoint, n->cfg.operator_key) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("the checkpoint the forward carries: %s", why);
		return -1;
	}
	if (fc.size > cp->size) {
		rs_seterr("the forward's checkpoint (size %llu) is beyond the one it was "
		    "verified at (%llu)", (unsigned long long)fc.size,
		    (unsigned long long)cp->size);
		goto out;
	}
	if (fc.size == cp->size ? !checkpoint_same_tree(&fc, cp) :
	    !store_agreed_known(n, fc.size, fc.root) &&
	    consistency_check(n, fc.size, fc.root, cp->size, cp->root) != NR_OK) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("the forward's checkpoint is not in this node's view of the "
		    "log: %s", why);
		goto out;
	}
	if (verify_inclusion(&fc, (uint64_t)o->index, o->e.id, o->time, o->proof) == NR_OK)
		rc = 0;
out:
	checkpoint_free(&fc);
	return rc;
}

/* Is every State the forward went to allowed by the original's label? */
static int
check_rules(const struct original *o, const char *forwarder_state, json_t *to)
{
	size_t i;
	json_t *v;

	json_array_foreach(to, i, v) {
		if (!json_is_string(v))
			continue;
		if (tlp_may_forward(jstr(o->content, "tlp"),
		    json_is_true(json_object_get(o->content, "no_forward")),
		    forwarder_state, env_field(&o->e, "to"), json_string_value(v)) != 0)
			return -1;
	}
	return 0;
}

int
forward_verify(struct node *n, const struct checkpoint *cp,
    const struct envelope *e, json_t *m)
{
	struct original o;
	json_t *info;
	int rc = -1;

	if (original_from_json(&o, json_object_get(m, "forward")) != 0)
		return -1;
	if (strcmp(o.e.kind, "msg") != 0 || env_verify(&o.e) != 0) {
		rs_seterr("the original's signature does not verify");
		goto out;
	}
	if (dir_check(n->directory, &o.e, o.index, o.time, 0) != 0)
		goto out;
	if (check_carried_inclusion(n, cp, &o) != 0 || original_open(&o) != 0)
		goto out;
	if (jstr(m, "tlp") == NULL || jstr(o.content, "tlp") == NULL ||
	    strcmp(jstr(m, "tlp"), jstr(o.content, "tlp")) != 0) {
		rs_seterr("the forward is labelled TLP:%s but the original TLP:%s",
		    jstr(m, "tlp") ? jstr(m, "tlp") : "?",
		    jstr(o.content, "tlp") ? jstr(o.content, "tlp") : "?");
		goto out;
	}
	if (check_rules(&o, e->state, env_field(e, "to")) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("%s forwarded it against its marking: %s", e->state, why);
		goto out;
	}
	info = json_pack("{s:O,s:s,s:o,s:I,s:I}", "content", o.content,
	    "from", o.e.state ? o.e.state : "?", "signer", jhex(o.e.key, 32),
	    "index", (json_int_t)o.index, "time", (json_int_t)o.time);
	json_object_set_new(m, "original", info);
	rc = 0;
out:
	original_free(&o);
	return rc;
}
