/*
 * forward.c - roster forward: passing a received message on, within what
 * its TLP label and its sender allow, with a link anyone can check.
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
#include "node.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "db.h"
#include "jsonutil.h"
#include "seal.h"

#define FORWARD_MAX_ENVELOPE ((size_t)24 << 20)

/* The original: parsed envelope, index, time, content key. */
struct original {
	struct buf raw;
	struct envelope e;
	int64_t index, time;
	uint8_t key[SEAL_KEY_LEN];
	json_t *content;	/* decrypted payload */
};

static void
original_free(struct original *o)
{
	env_free(&o->e);
	buf_free(&o->raw);
	json_decref(o->content);
	o->content = NULL;
	sodium_memzero(o->key, sizeof(o->key));
}

static int
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
	rc = 0;
out:
	if (key.p != NULL)
		sodium_memzero(key.p, key.len);
	buf_free(&key);
	if (rc != 0)
		original_free(o);
	return rc;
}

static int
open_original(struct original *o)
{
	struct buf plain = {0};
	int rc = -1;

	if (seal_decrypt_with_key(&plain, o->e.payload, o->e.payload_len, o->key) != 0)
		goto out;
	o->content = jparse(plain.p, plain.len);
	if (o->content == NULL || !json_is_object(o->content) ||
	    message_payload_check(o->content) != 0) {
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

static int
fetch_and_check_inclusion(struct node *n, const struct checkpoint *cp,
    const struct original *o)
{
	char target[128];
	json_t *j = NULL, *p;
	int64_t idx;
	int rc = -1;

	if (n->hub == NULL) {
		rs_seterr("no hub to prove the original's inclusion");
		return -1;
	}
	snprintf(target, sizeof(target), "/v1/proof/inclusion?size=%llu&index=%lld",
	    (unsigned long long)cp->size, (long long)o->index);
	if (http_get_json(n->hub, target, &j) != 0)
		return -1;
	p = json_array_get(json_object_get(j, "proofs"), 0);
	if (p == NULL || jint_req(p, "index", &idx) != 0 || idx != o->index) {
		rs_seterr("the hub gave no inclusion proof for the original");
		goto out;
	}
	rc = verify_inclusion(n, cp, (uint64_t)o->index, o->e.id, o->time,
	    json_object_get(p, "proof"));
out:
	json_decref(j);
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
	if (fetch_and_check_inclusion(n, cp, &o) != 0 || open_original(&o) != 0)
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

/* The original of a message this node received: the message itself, or the
 * original it forwarded. */
static int
original_of(struct node *n, const uint8_t id[32], json_t *content, struct original *o)
{
	json_t *f = json_object_get(content, "forward");
	sqlite3_stmt *st;
	int rc = -1;

	if (f != NULL) {
		if (json_object_get(content, "original") == NULL) {
			rs_seterr("this forward did not verify when it arrived; it cannot be"
			    " forwarded again");
			return -1;
		}
		if (original_from_json(o, f) != 0)
			return -1;
		return open_original(o);
	}
	memset(o, 0, sizeof(*o));
	st = db_prep(n->db, "SELECT envelope, idx, time FROM records WHERE id = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rs_seterr("the message's log record is not in this node's store");
		goto out;
	}
	buf_add(&o->raw, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	o->index = sqlite3_column_int64(st, 1);
	o->time = sqlite3_column_int64(st, 2);
	if (env_parse(&o->e, o->raw.p, o->raw.len) != 0 ||
	    seal_content_key(o->key, o->e.payload, o->e.payload_len, n->key) != 0)
		goto out;
	o->content = json_incref(content);
	rc = 0;
out:
	sqlite3_finalize(st);
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
	sqlite3_stmt *st = db_prep(n->db, "SELECT direction, content FROM messages"
	    " WHERE id = ?");
	int rc = -1;

	*content = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *dir = (const char *)sqlite3_column_text(st, 0);
		const char *c = (const char *)sqlite3_column_text(st, 1);
		if (strcmp(dir, "in") != 0)
			rs_seterr("this node wrote that message; send it again rather than"
			    " forward it");
		else if (c == NULL || (*content = jparse(c, strlen(c))) == NULL)
			rs_seterr("the message's content is not stored (received by an"
			    " older version)");
		else
			rc = 0;
	} else
		rs_seterr("no such message");
	sqlite3_finalize(st);
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

int
forward_send(struct node *n, const uint8_t id[32], const char *to, const char *roles,
    const char *note, const char *lang, uint8_t newid[32])
{
	struct outgoing out;
	struct original o;
	json_t *content = NULL;
	char subject[600];
	int rc = -1, have = 0;

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
		rc = -2;
		goto out;
	}
	if (audience_resolve(n, out.to, out.roles, &out.r, &out.nr, out.states,
	    out.rcpt) != 0)
		goto out;
	if (forward_allowed(n, &o, &out) != 0) {
		rc = -2;
		goto out;
	}
	snprintf(subject, sizeof(subject), "Fwd: %s", jstr(o.content, "subject") ?
	    jstr(o.content, "subject") : "");
	json_object_set_new(out.payload, "subject", json_string(subject));
	json_object_set_new(out.payload, "body", json_string(note ? note : ""));
	json_object_set_new(out.payload, "tlp", json_string(jstr(o.content, "tlp")));
	json_object_set_new(out.payload, "lang", json_string(lang ? lang : "en"));
	json_object_set_new(out.payload, "forward", forward_json(&o));
	out.urgency = "routine";
	rc = message_send(n, &out, newid);
out:
	if (have)
		original_free(&o);
	json_decref(content);
	outgoing_free(&out);
	return rc;
}

int
cmd_forward(int argc, char **argv)
{
	struct node n = {0};
	struct opts op;
	const char *idp, *note, *lang, *to, *roles;
	uint8_t id[32], newid[32];
	int rc;

	opts_init(&op, argc, argv);
	node_common_opts(&n, &op);
	to = opt_value(&op, "--to");
	roles = opt_value(&op, "--role");
	note = opt_value(&op, "--note");
	lang = opt_value(&op, "--lang");
	idp = opt_positional(&op);
	rc = opts_finish(&op, "forward");
	opts_free(&op);
	if (rc != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (idp == NULL || to == NULL) {
		rc = usage_error("forward", "give the message ID and --to AUDIENCE");
		goto out;
	}
	if (node_open(&n, 1) != 0 || store_find_message(&n, idp, id) != 0 ||
	    forward_send(&n, id, to, roles, note, lang, newid) != 0)
		rc = fail("forward");
	else
		rc = 0;
out:
	node_close(&n);
	return rc;
}
