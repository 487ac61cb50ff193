/*
 * views.c - the one view of each thing (see views.h).
 *
 * Why one.  The command line and the web page used to build their own
 * view of a message, and they drifted: only one knew "acknowledged", only
 * the other "escalated", "notice" or "no_forward".  Here each view is
 * built once, as data, from the store (which holds only what passed
 * verification); `roster show --json` prints it as it is, `roster show`
 * prints it in words, and /api/messages/ID sends it, so a test can demand
 * that the two are equal for every message (tests/e2e/test_journey.sh).
 *
 * What a view says about verification is re-checked against the bytes on
 * disk now (the stored envelope's signature), not remembered.  Whether a
 * State acknowledged a message follows the one rule of docs/protocol.md
 * section 3 (store_acknowledgements_each): an acknowledgement, or an
 * answer in the thread.
 */
#include "views.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "catalogue_node.h"
#include "checks.h"
#include "contact.h"
#include "consult.h"
#include "forward.h"
#include "jsonutil.h"
#include "procnode.h"
#include "procview.h"
#include "store.h"

json_t *
view_device(struct node *n, const uint8_t key[32])
{
	struct dir_device *d = dir_device(n->directory, key);
	char fpr[RS_FPR_LEN];

	fingerprint(fpr, key);
	if (d == NULL)
		return json_pack("{s:o,s:s,s:b}", "device", jhex(key, 32), "fingerprint", fpr,
		    "known", 0);
	return json_pack("{s:o,s:s,s:b,s:s,s:s,s:s,s:s}", "device", jhex(key, 32),
	    "fingerprint", fpr, "known", 1, "state", d->state, "role", d->role,
	    "name", jstr(d->cert, "name") ? jstr(d->cert, "name") : "",
	    "email", jstr(d->cert, "email") ? jstr(d->cert, "email") : "");
}

static int
device_current(const struct dir_device *d)
{
	return d->revoked_index < 0 && (d->expires == 0 || d->expires >= now_ms());
}

/* ---- verification ----------------------------------------------------------- */

/* Re-checks the stored envelope's signature, so what a view says about
 * verification is true of the bytes on disk now. */
static int
signature_ok(struct node *n, const uint8_t id[32], int outgoing)
{
	struct stored_record rec;
	struct buf raw = {0};
	struct envelope e;
	int ok = 0;

	if (outgoing) {
		if (store_outbox_envelope(n, id, &raw) != STORE_OK) {
			buf_free(&raw);
			return 0;
		}
	} else {
		if (store_record_get(n, id, &rec) != STORE_OK)
			return 0;
		raw = rec.raw;
	}
	if (env_parse(&e, raw.p, raw.len) == 0) {
		ok = memcmp(e.id, id, 32) == 0 && env_verify(&e) == 0;
		env_free(&e);
	}
	buf_free(&raw);
	return ok;
}

/* Who signed with key, and which root certified it. */
static void
signer_into(struct node *n, json_t *v, const uint8_t key[32])
{
	struct dir_device *d = dir_device(n->directory, key);
	char rf[RS_FPR_LEN];

	json_object_set_new(v, "signer", view_device(n, key));
	if (d != NULL) {
		fingerprint(rf, d->root);
		json_object_set_new(v, "certified_by", json_pack("{s:s,s:s,s:I}",
		    "state", d->state, "root_fingerprint", rf,
		    "certificate_index", (json_int_t)d->cert_index));
	}
}

static json_t *
verification(struct node *n, const struct msg_row *m, int out)
{
	json_t *v = json_object();

	json_object_set_new(v, "signature_valid", json_boolean(signature_ok(n, m->id, out)));
	if (m->has_sender)
		signer_into(n, v, m->sender_device);
	if (m->has_index) {
		json_object_set_new(v, "log_index", json_integer(m->index));
		json_object_set_new(v, "logged", json_integer(m->time));
	}
	if (out)
		json_object_set_new(v, "receipt", json_boolean(m->has_index));
	else if (m->has_checked) {
		json_object_set_new(v, "inclusion_checked_size", json_integer(m->checked_size));
		json_object_set_new(v, "inclusion_checked_at",
		    json_integer(store_checkpoint_seen(n, m->checked_size)));
	}
	return v;
}

/* A forward's original, as accept.c verified and kept it ({content, from,
 * signer, index, time}), with its own verification in the message's form:
 * signer and certificate from the directory, its log index, the checkpoint
 * its inclusion was proved against (the forward's own), and that its
 * content was checked against the signed ciphertext. */
static json_t *
original_view(struct node *n, json_t *orig, const struct msg_row *m)
{
	json_t *o = json_deep_copy(orig), *v = json_object();
	uint8_t key[32];

	if (jstr(orig, "signer") != NULL && hex_decode_exact(key, 32, jstr(orig, "signer")) == 0)
		signer_into(n, v, key);
	json_object_set(v, "log_index", json_object_get(orig, "index"));
	json_object_set(v, "logged", json_object_get(orig, "time"));
	if (m->has_checked) {
		int64_t size = json_is_integer(json_object_get(orig, "checked_size")) ?
		    json_integer_value(json_object_get(orig, "checked_size")) : m->checked_size;
		json_object_set_new(v, "inclusion_checked_size", json_integer(size));
		json_object_set_new(v, "inclusion_checked_at",
		    json_integer(store_checkpoint_seen(n, size)));
	}
	json_object_set_new(v, "verified", json_true());
	json_object_set_new(v, "signature_valid", json_true());
	json_object_set_new(v, "content_checked", json_true());
	json_object_set_new(o, "verification", v);
	return o;
}

/* Was the "original" of this content verified by this node?  Only a
 * forward in the format that carries the original's inclusion proof and
 * checkpoint (protocol.md section 3, Forwarding) is: forward_verify puts
 * "original" only after checking them.  A node.db of an older version
 * may hold an "original" from before, which nothing here checked. */
static int
original_verified(json_t *content)
{
	json_t *f = json_object_get(content, "forward");

	return json_object_get(content, "original") != NULL && json_is_object(f) &&
	    json_is_array(json_object_get(f, "proof")) &&
	    json_is_object(json_object_get(f, "checkpoint"));
}

/* An original nothing checked: what it claims (content, from, signer,
 * index, time, as given), with "verification": {"verified": false,
 * "signature_valid": false, "content_checked": false, "why"}; why is
 * "older-format" (stored from a forward of the format before the proof
 * was carried) or "claimed" (the forwarder's own payload said it). */
static json_t *
original_unverified(json_t *orig, const char *why)
{
	json_t *o = json_object();
	const char *keys[] = { "content", "from", "signer", "index", "time", NULL };

	for (int i = 0; keys[i] != NULL; i++)
		if (json_object_get(orig, keys[i]) != NULL)
			json_object_set(o, keys[i], json_object_get(orig, keys[i]));
	json_object_set_new(o, "verification", json_pack("{s:b,s:b,s:b,s:s}", "verified", 0,
	    "signature_valid", 0, "content_checked", 0, "why", why));
	return o;
}

/* ---- a template ---------------------------------------------------------------- */

/* Is subject the template's title in one of the six languages (what
 * message_fill_template puts when the sender gave none)? */
static int
subject_is_title(json_t *t, const char *subject)
{
	json_t *titles = json_object_get(t, "title"), *v;
	const char *k;

	json_object_foreach(titles, k, v)
		if (json_is_string(v) && strcmp(json_string_value(v), subject) == 0)
			return 1;
	return 0;
}

/* A templated message's fields as its reader in lang sees them, and
 * whether the sender's template is this node's. */
static void
template_into(struct node *n, json_t *j, json_t *content, const char *subject,
    const char *lang)
{
	struct catalogue *c = NULL;
	struct buf b = {0};
	const char *id = jstr(content, "template"), *theirs = jstr(content, "template_digest");
	json_t *fields = json_object_get(content, "fields"), *t, *rf;
	uint8_t digest[32];
	char *ours = NULL;
	int fb;

	json_object_set_new(j, "template", json_string(id));
	json_object_set_new(j, "rendered_lang", json_string(lang));
	if (node_catalogue(n, &c) != 0 || (t = catalogue_template(c, id)) == NULL) {
		json_object_set_new(j, "template_problem", json_string("unknown-template"));
		goto out;
	}
	json_object_set_new(j, "template_title", json_string(cat_label(
	    json_object_get(t, "title"), lang, &fb)));
	json_object_set_new(j, "subject_is_title", json_boolean(subject_is_title(t, subject)));
	if (catalogue_digest(c, id, digest) == 0)
		ours = hex_encode(digest, 32);
	if (theirs == NULL || ours == NULL || strcmp(ours, theirs) != 0)
		json_object_set_new(j, "template_problem", json_string("other-version"));
	if (!json_is_object(fields) || catalogue_check_fields(c, id, fields) != 0)
		json_object_set_new(j, "fields_problem", json_string(rs_err()));
	if (json_is_object(fields) && catalogue_render(c, id, fields, lang, &b) == 0)
		json_object_set_new(j, "rendered", json_string(buf_cstr(&b)));
	if (json_is_object(fields) && (rf = catalogue_render_fields(c, id, fields, lang)) != NULL)
		json_object_set_new(j, "rendered_fields", rf);
out:
	free(ours);
	buf_free(&b);
	catalogue_free(c);
}

/* The template's title in lang, for a list's row (NULL: none). */
static json_t *
title_of(struct catalogue *c, const char *id, const char *lang)
{
	json_t *t = c != NULL && id != NULL ? catalogue_template(c, id) : NULL;
	int fb;

	return t != NULL ? json_string(cat_label(json_object_get(t, "title"), lang, &fb)) : NULL;
}

/* ---- the rest of a message ------------------------------------------------------- */

/* Attachments: the signed header's list ({sha256, size}: the size the hub
 * holds, "encrypted_size" here), each with the name, size and type its
 * sealed description gives (never its key). */
static json_t *
attachments_view(struct node *n, const uint8_t id[32], json_t *content)
{
	json_t *listed = attach_listed(n, id), *descs = json_object_get(content, "attachments");
	json_t *out = json_array(), *a, *d;
	size_t i, k;

	json_array_foreach(listed ? listed : descs, i, a) {
		json_t *row = json_pack("{s:i}", "n", (int)i + 1), *desc = NULL;
		json_array_foreach(descs, k, d)
			if (jstr(d, "sha256") != NULL && jstr(a, "sha256") != NULL &&
			    strcmp(jstr(d, "sha256"), jstr(a, "sha256")) == 0) {
				desc = d;
				break;
			}
		/* the file's own name, size and type; the size the hub holds */
		json_object_set_new(row, "name", json_string(jstr(desc, "name") ?
		    jstr(desc, "name") : ""));
		json_object_set_new(row, "size", json_integer(json_integer_value(
		    json_object_get(desc != NULL ? desc : a, "size"))));
		json_object_set_new(row, "type", json_string(jstr(desc, "type") ?
		    jstr(desc, "type") : ""));
		if (jstr(a, "sha256") != NULL)
			json_object_set_new(row, "sha256", json_string(jstr(a, "sha256")));
		if (listed != NULL)
			json_object_set_new(row, "encrypted_size", json_integer(
			    json_integer_value(json_object_get(a, "size"))));
		json_array_append_new(out, row);
	}
	json_decref(listed);
	return out;
}

/* A consultation step: which, and every step of its consultation so far
 * (consult.c), so a page can offer the next one. */
static void
consultation_into(struct node *n, json_t *j, const uint8_t id[32], json_t *content)
{
	json_t *k = json_object_get(content, "consultation");
	uint8_t request[32];

	if (!json_is_object(k) || jstr(k, "step") == NULL)
		return;
	memcpy(request, id, 32);
	if (jstr(k, "request") == NULL || hex_decode_exact(request, 32, jstr(k, "request")) == 0)
		json_object_set_new(j, "consultation", json_pack("{s:s,s:o,s:o}",
		    "step", jstr(k, "step"), "request", jhex(request, 32),
		    "steps", consult_json(n, request)));
}

/* An overdue notice: the message it names (which this node may not hold:
 * a notice reaches alternates the message did not), with what is known of
 * it, so a reader is told in words which message awaits the State's
 * acknowledgement and can acknowledge it. */
static json_t *
notice_view(struct node *n, const char *kind, json_t *content)
{
	json_t *j = json_pack("{s:s}", "kind", kind), *v;
	uint8_t ref[32];
	struct msg_row o;

	if ((v = json_object_get(content, "urgency")) != NULL)
		json_object_set(j, "urgency", v);
	if ((v = json_object_get(content, "deadline")) != NULL)
		json_object_set(j, "deadline", v);
	if ((v = json_object_get(content, "stage")) != NULL)
		json_object_set(j, "stage", v);
	if (jstr(content, "ref") == NULL || hex_decode_exact(ref, 32, jstr(content, "ref")) != 0) {
		json_object_set_new(j, "held", json_false());
		return j;
	}
	json_object_set_new(j, "for", jhex(ref, 32));
	if (store_message_get(n, ref, &o) != STORE_OK) {
		json_object_set_new(j, "held", json_false());
		return j;
	}
	json_object_set_new(j, "held", json_true());
	json_object_set_new(j, "subject", json_string(o.subject));
	json_object_set_new(j, "lang", json_string(o.lang));
	json_object_set_new(j, "from", json_string(o.sender_state));
	json_object_set_new(j, "acknowledged", json_boolean(o.acked));
	msg_row_free(&o);
	return j;
}

/* ---- a message this node sent: who acknowledged, how ----------------------------- */

struct rcpt_acks {
	json_t *row;
	const uint8_t *device;
};

static int
delivered_into(void *ud, const uint8_t device[32], const char *status, int64_t index,
    int64_t time, const char *note)
{
	json_t *row = ud;

	(void)device;
	(void)index;
	(void)note;
	if (strcmp(status, "delivered") == 0 && json_object_get(row, "delivered") == NULL)
		json_object_set_new(row, "delivered", json_integer(time));
	return 0;
}

/* A device's first acknowledgement, by the rule (an acknowledgement, or an
 * answer: then "answered" says which). */
static int
ack_into(void *ud, const struct ack_fact *a)
{
	struct rcpt_acks *r = ud;

	if (memcmp(a->device, r->device, 32) != 0 ||
	    json_object_get(r->row, "acknowledged") != NULL)
		return 0;
	json_object_set_new(r->row, "acknowledged", json_integer(a->time));
	if (*a->note)
		json_object_set_new(r->row, "note", json_string(a->note));
	json_object_set_new(r->row, "how", json_string(a->how));
	if (a->answer != NULL)
		json_object_set_new(r->row, "answered", json_pack("{s:I,s:s,s:o}", "time",
		    (json_int_t)a->time, "kind", a->how, "id", jhex(a->answer, 32)));
	return 0;
}

/* Per recipient device of a sent message: delivered and acknowledged log
 * times, the note, and the answer that acknowledged it. */
static json_t *
recipients_view(struct node *n, const uint8_t id[32], const char *rcpt_json)
{
	json_t *rcpt = jparse(rcpt_json, strlen(rcpt_json)), *out = json_array(), *v;
	size_t i;

	json_array_foreach(rcpt, i, v) {
		uint8_t dev[32];
		struct rcpt_acks r;

		if (!json_is_string(v) || hex_decode_exact(dev, 32, json_string_value(v)) != 0)
			continue;
		r.row = view_device(n, dev);
		r.device = dev;
		(void)store_acks_each(n, id, dev, "delivered", delivered_into, r.row);
		(void)store_acknowledgements_each(n, id, ack_into, &r);
		json_array_append_new(out, r.row);
	}
	json_decref(rcpt);
	return out;
}

struct delivered {
	int64_t t;
};

static int
first_delivered(void *ud, const uint8_t device[32], const char *status, int64_t index,
    int64_t time, const char *note)
{
	(void)device;
	(void)status;
	(void)index;
	(void)note;
	((struct delivered *)ud)->t = time;
	return 1;
}

struct escalation_rows {
	struct node *n;
	json_t *out;
};

/* One overdue notice: who it reached, and when each node had it. */
static int
escalation_row(void *ud, int stage, int64_t time, const uint8_t notice[32],
    const char *devices)
{
	struct escalation_rows *e = ud;
	json_t *devs = jparse(devices, strlen(devices)), *reached = json_array(), *v;
	size_t i;

	json_array_foreach(devs, i, v) {
		uint8_t key[32];
		struct delivered dl = { 0 };
		json_t *r;
		if (!json_is_string(v) || hex_decode_exact(key, 32, json_string_value(v)) != 0)
			continue;
		r = view_device(e->n, key);
		(void)store_acks_each(e->n, notice, key, "delivered", first_delivered, &dl);
		if (dl.t > 0)
			json_object_set_new(r, "delivered", json_integer(dl.t));
		json_array_append_new(reached, r);
	}
	json_decref(devs);
	json_array_append_new(e->out, json_pack("{s:i,s:I,s:o,s:o}", "stage", stage,
	    "time", (json_int_t)time, "notice", jhex(notice, 32), "reached", reached));
	return 0;
}

struct state_ack {
	struct node *n;
	const char *state;
	json_t *row;
};

/* The State's first acknowledgement, from any of its devices (also one
 * an overdue notice reached: accept.c). */
static int
state_ack(void *ud, const struct ack_fact *a)
{
	struct state_ack *s = ud;
	struct dir_device *d = dir_device(s->n->directory, a->device);

	if (d == NULL || strcmp(d->state, s->state) != 0)
		return 0;
	json_object_set_new(s->row, "acknowledged", json_integer(a->time));
	json_object_set_new(s->row, "how", json_string(a->how));
	json_object_set_new(s->row, "by", json_string(jstr(d->cert, "name") ?
	    jstr(d->cert, "name") : "?"));
	json_object_set_new(s->row, "by_device", view_device(s->n, a->device));
	if (a->answer != NULL)
		json_object_set_new(s->row, "answer", jhex(a->answer, 32));
	return 1;
}

/* Per recipient State: acknowledged when, by whom and how, or overdue,
 * and the escalations so far; *all says whether every State did. */
static json_t *
states_view(struct node *n, const struct msg_row *m, int *all)
{
	json_t *to = jparse(m->to_states, strlen(m->to_states)), *out = json_array(), *v;
	int64_t now = now_ms();
	size_t i;

	*all = json_array_size(to) > 0;
	json_array_foreach(to, i, v) {
		struct state_ack s = { n, json_string_value(v), NULL };
		struct escalation_rows e = { n, json_array() };
		if (s.state == NULL)
			continue;
		s.row = json_pack("{s:s}", "state", s.state);
		(void)store_acknowledgements_each(n, m->id, state_ack, &s);
		if (json_object_get(s.row, "acknowledged") != NULL)
			json_object_set_new(s.row, "on_time", json_boolean(!m->has_deadline ||
			    json_integer_value(json_object_get(s.row, "acknowledged")) <=
			    m->deadline));
		else {
			*all = 0;
			json_object_set_new(s.row, "overdue", json_boolean(m->has_deadline &&
			    now > m->deadline));
		}
		(void)store_escalations_each(n, m->id, s.state, escalation_row, &e);
		json_object_set_new(s.row, "escalations", e.out);
		json_array_append_new(out, s.row);
	}
	json_decref(to);
	return out;
}

/* ---- the message ---------------------------------------------------------------- */

enum view_result
message_view(struct node *n, const uint8_t id[32], const char *lang, json_t **out)
{
	struct msg_row m;
	json_t *j, *toj, *content = NULL;
	int o, acked;

	*out = NULL;
	switch (store_message_get(n, id, &m)) {
	case STORE_OK:
		break;
	case STORE_NOT_FOUND:
		rs_seterr("no such message on this node");
		return VIEW_NOT_FOUND;
	default:
		return VIEW_ERROR;
	}
	o = strcmp(m.direction, "out") == 0;
	acked = m.acked;
	toj = jparse(m.to_states, strlen(m.to_states));
	if (m.content != NULL)
		content = jparse(m.content, strlen(m.content));
	j = json_pack("{s:o,s:s,s:s,s:o,s:s,s:s,s:s,s:s,s:s,s:I}",
	    "id", jhex(id, 32), "direction", m.direction, "from", m.sender_state,
	    "to", toj ? toj : json_array(), "urgency", m.urgency,
	    "subject", m.subject, "body", m.body, "tlp", m.tlp,
	    "lang", m.lang, "sent", (json_int_t)m.sent);
	if (m.has_index) {
		json_object_set_new(j, "index", json_integer(m.index));
		json_object_set_new(j, "time", json_integer(m.time));
	}
	if (*m.error)
		json_object_set_new(j, "error", json_string(m.error));
	if (o && contact_synced_at(n) > 0)	/* its status is as of then */
		json_object_set_new(j, "synced_at", json_integer(contact_synced_at(n)));
	if (m.has_deadline && *m.notice == '\0') {
		json_object_set_new(j, "deadline", json_integer(m.deadline));
		json_object_set_new(j, "overdue", json_boolean(!o && !acked &&
		    now_ms() > m.deadline));
	}
	if (m.escalated > 0)
		json_object_set_new(j, "escalated", json_integer(m.escalated));
	if (*m.notice)
		json_object_set_new(j, "notice", notice_view(n, m.notice, content));
	json_object_set_new(j, "no_forward",
	    json_boolean(json_is_true(json_object_get(content, "no_forward"))));
	if (json_object_get(content, "fields") != NULL)
		json_object_set(j, "fields", json_object_get(content, "fields"));
	if (jstr(content, "template") != NULL)
		template_into(n, j, content, m.subject, lang);
	json_object_set_new(j, "forward",
	    json_boolean(json_object_get(content, "forward") != NULL));
	if (original_verified(content))
		json_object_set_new(j, "original", original_view(n,
		    json_object_get(content, "original"), &m));
	else {
		if (json_is_object(json_object_get(content, "original")))
			json_object_set_new(j, "original_unverified", original_unverified(
			    json_object_get(content, "original"), "older-format"));
		else if (json_is_object(json_object_get(content, "original_claimed")))
			json_object_set_new(j, "original_unverified", original_unverified(
			    json_object_get(content, "original_claimed"), "claimed"));
		if (json_object_get(content, "forward") != NULL)
			json_object_set_new(j, "original_error", json_string(*m.error ?
			    m.error : "the forwarded original was not kept"));
	}
	json_object_set_new(j, "attachments", attachments_view(n, id, content));
	consultation_into(n, j, id, content);
	json_object_set_new(j, "thread", message_thread_json(n, id));
	json_object_set_new(j, "verification", verification(n, &m, o));
	if (o) {
		json_object_set_new(j, "recipients", recipients_view(n, id, m.rcpt));
		json_object_set_new(j, "states", states_view(n, &m, &acked));
	} else {
		uint8_t answer[32];
		int64_t t;
		char how[16];
		if (store_own_answer(n, id, answer, &t, how, sizeof(how)) == STORE_OK)
			json_object_set_new(j, "acknowledged_by", json_pack("{s:s,s:o,s:I}",
			    "how", how, "answer", jhex(answer, 32), "time", (json_int_t)t));
		else if (acked)
			json_object_set_new(j, "acknowledged_by", json_pack("{s:s}",
			    "how", m.has_agreement ? "agreed" : "acknowledged"));
		json_object_set_new(j, "forward_allowed", forward_offer(n, &m, content));
	}
	json_object_set_new(j, "acknowledged", json_boolean(acked));
	json_decref(content);
	msg_row_free(&m);
	*out = j;
	return VIEW_OK;
}

/* ---- the inbox ---------------------------------------------------------------- */

struct inbox {
	struct node *n;
	json_t *arr;
	struct catalogue *cat;
	const char *lang;
	int with_read;
	int64_t now;
};

static int
inbox_row(void *ud, const struct inbox_row *r)
{
	struct inbox *l = ud;
	json_t *m = json_pack("{s:o,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:b}", "id", jhex(r->id, 32),
	    "index", (json_int_t)r->index, "time", (json_int_t)r->time, "from",
	    r->sender_state, "urgency", r->urgency, "subject", r->subject, "lang", r->lang,
	    "tlp", r->tlp, "acknowledged", r->acked);
	json_t *content = *r->content ? jparse(r->content, strlen(r->content)) : NULL, *tt;

	if (*r->notice)
		json_object_set_new(m, "notice", notice_view(l->n, r->notice, content));
	else if (r->has_deadline)
		json_object_set_new(m, "deadline", json_integer(r->deadline));
	json_object_set_new(m, "overdue", json_boolean(!r->acked && !*r->notice &&
	    r->has_deadline && r->deadline < l->now));
	if (r->escalated > 0)
		json_object_set_new(m, "escalated", json_integer(r->escalated));
	if (*r->error)
		json_object_set_new(m, "warning", json_string(r->error));
	if (jstr(content, "template") != NULL) {
		json_object_set_new(m, "template", json_string(jstr(content, "template")));
		if ((tt = title_of(l->cat, jstr(content, "template"), l->lang)) != NULL)
			json_object_set_new(m, "template_title", tt);
	}
	if (l->with_read)
		json_object_set_new(m, "read", json_boolean(r->read));
	json_decref(content);
	json_array_append_new(l->arr, m);
	return 0;
}

json_t *
inbox_view(struct node *n, const char *user, int limit, const char *lang)
{
	struct inbox l = { n, json_array(), NULL, lang, user != NULL, now_ms() };

	if (node_catalogue(n, &l.cat) != 0)
		l.cat = NULL;	/* titles are left out, the rest stands */
	if (store_inbox_each(n, user, limit, l.now, inbox_row, &l) != 0) {
		json_decref(l.arr);
		l.arr = NULL;
	}
	catalogue_free(l.cat);
	return l.arr;
}

/* ---- sent ------------------------------------------------------------------- */

struct sent_list {
	json_t *arr;
	struct catalogue *cat;
	const char *lang;
	int64_t synced;		/* the last complete sync pass, 0: never */
};

static int
sent_row(void *ud, const struct sent_row *r)
{
	struct sent_list *l = ud;
	json_t *toj = jparse(r->to_states, strlen(r->to_states)), *tt;
	json_t *m = json_pack("{s:o,s:I,s:o,s:s,s:s,s:s,s:s,s:I,s:I,s:I}",
	    "id", jhex(r->id, 32), "sent", (json_int_t)r->sent,
	    "to", toj ? toj : json_array(), "urgency", r->urgency, "subject", r->subject,
	    "lang", r->lang, "tlp", r->tlp, "recipients", (json_int_t)r->recipients,
	    "delivered", (json_int_t)r->delivered, "acknowledged", (json_int_t)r->acknowledged);

	if (m == NULL)
		return 0;	/* not UTF-8: nothing of ours, left out */
	if (r->template_id != NULL) {
		json_object_set_new(m, "template", json_string(r->template_id));
		if ((tt = title_of(l->cat, r->template_id, l->lang)) != NULL)
			json_object_set_new(m, "template_title", tt);
	}
	if (r->notice != NULL)
		json_object_set_new(m, "notice", json_string(r->notice));
	if (l->synced > 0)	/* its counts are as of then */
		json_object_set_new(m, "synced_at", json_integer(l->synced));
	if (r->has_index) {
		json_object_set_new(m, "index", json_integer(r->index));
		json_object_set_new(m, "time", json_integer(r->time));
	}
	if (r->error != NULL)
		json_object_set_new(m, "error", json_string(r->error));
	json_array_append_new(l->arr, m);
	return 0;
}

json_t *
sent_view(struct node *n, const char *lang)
{
	struct sent_list l = { json_array(), NULL, lang, contact_synced_at(n) };

	if (node_catalogue(n, &l.cat) != 0)
		l.cat = NULL;	/* titles are left out, the rest stands */
	if (store_sent_each(n, sent_row, &l) != 0) {
		json_decref(l.arr);
		l.arr = NULL;
	}
	catalogue_free(l.cat);
	return l.arr;
}

/* ---- threads ---------------------------------------------------------------- */

static int
thread_row(void *ud, const uint8_t id[32], int depth, const char *from,
    const char *subject, int64_t time, int notice)
{
	if (notice)
		return 0;	/* overdue notices are not part of the conversation */
	json_array_append_new(ud, json_pack("{s:o,s:i,s:s,s:s,s:I}", "id", jhex(id, 32),
	    "depth", depth, "from", from, "subject", subject, "time", (json_int_t)time));
	return 0;
}

/* The thread a message belongs to: up the parents to the first message
 * this node holds, then every message below it, in log order. */
json_t *
message_thread_json(struct node *n, const uint8_t id[32])
{
	uint8_t root[32], parent[32];
	json_t *out = json_array();

	memcpy(root, id, 32);
	for (int depth = 0; depth < 1000; depth++) {
		if (store_message_parent(n, root, parent) != STORE_OK ||
		    store_message_exists(n, parent) != STORE_OK)
			break;
		memcpy(root, parent, 32);
	}
	(void)store_thread_each(n, root, thread_row, out);
	return out;
}

/* ---- the directory ------------------------------------------------------------ */

static const char *
root_status(enum dir_root_status s)
{
	switch (s) {
	case ROOT_ENDORSED:
		return "endorsed";
	case ROOT_UNENDORSED:
		break;
	case ROOT_DISOWNED:
		return "disowned";
	}
	return "unendorsed";
}

/* One State's POCs under all its roots, and its roots: a State with two
 * root keys (docs/protocol.md section 2) is one entry with both, each with
 * its status (endorsed: the first, or endorsed by an endorsed key of the
 * State; unendorsed: not yet; disowned: for good), never two entries.
 * While one is unendorsed the State is contested: the entry carries the
 * warning "second-root-key" and the devices under that key are
 * unconfirmed (no mail is sealed to them). */
static json_t *
state_view(struct node *n, const char *state, json_t *last)
{
	struct directory *d = n->directory;
	json_t *roots = json_array(), *pocs = json_array(), *e;
	char fpr[RS_FPR_LEN], f2[RS_FPR_LEN];
	const struct dir_root *first = NULL;

	for (size_t i = 0; i < d->nroots; i++) {
		struct dir_root *r = &d->roots[i];
		if (strcmp(r->state, state) != 0)
			continue;
		if (first == NULL)
			first = r;
		fingerprint(fpr, r->key);
		json_array_append_new(roots, json_pack("{s:s,s:o,s:I,s:s}", "fingerprint", fpr,
		    "key", jhex(r->key, 32), "index", (json_int_t)r->index, "status",
		    root_status(r->status)));
		if (r->decided_index >= 0)
			json_object_set_new(json_array_get(roots, json_array_size(roots) - 1),
			    "decided_index", json_integer(r->decided_index));
		for (size_t k = 0; k < d->ndevices; k++) {
			struct dir_device *v = d->devices[k];
			json_t *langs = json_object_get(v->cert, "languages");
			int64_t answered;
			int fresh;
			if (strcmp(v->state, state) != 0 || memcmp(v->root, r->key, 32) != 0)
				continue;
			fresh = checks_device_fresh(n, v, last, &answered);
			fingerprint(f2, v->key);
			json_array_append_new(pocs, json_pack("{s:s,s:s,s:s,s:O,s:s,s:o,s:s,s:I,"
			    "s:I,s:s,s:o,s:b}", "role", v->role,
			    "name", jstr(v->cert, "name") ? jstr(v->cert, "name") : "",
			    "email", jstr(v->cert, "email") ? jstr(v->cert, "email") : "",
			    "languages", json_is_array(langs) ? langs : json_array(),
			    "fingerprint", f2, "device", jhex(v->key, 32),
			    "status", v->revoked_index >= 0 ? "revoked" :
			    r->status == ROOT_DISOWNED ? "disowned" :
			    !device_current(v) ? "expired" : "current",
			    "expires", (json_int_t)v->expires, "index", (json_int_t)v->cert_index,
			    "root_fingerprint", fpr,
			    "last_check", answered > 0 ? json_integer(answered) : json_null(),
			    "stale", !fresh));
			if (r->status == ROOT_UNENDORSED)
				json_object_set_new(json_array_get(pocs, json_array_size(pocs) - 1),
				    "unconfirmed", json_true());
		}
	}
	assert(first != NULL);
	fingerprint(fpr, first->key);
	e = json_pack("{s:s,s:s,s:I,s:o,s:o}", "state", state, "root_fingerprint", fpr,
	    "index", (json_int_t)first->index, "roots", roots, "pocs", pocs);
	if (dir_state_contested(d, state))
		json_object_set_new(e, "warning", json_string("second-root-key"));
	return e;
}

json_t *
directory_view(struct node *n)
{
	struct directory *d = n->directory;
	json_t *states = json_array(), *groups = json_array(), *last = checks_last_answers(n);

	for (size_t i = 0; i < d->nroots; i++) {
		int seen = 0;
		for (size_t k = 0; k < i; k++)
			seen |= strcmp(d->roots[k].state, d->roots[i].state) == 0;
		if (!seen)
			json_array_append_new(states, state_view(n, d->roots[i].state, last));
	}
	json_decref(last);
	for (size_t i = 0; i < d->ngroups; i++) {
		struct dir_group *g = &d->groups[i];
		json_t *members = json_array();
		if (g->nstates == 0) {
			json_decref(members);
			continue;
		}
		for (size_t k = 0; k < g->nstates; k++)
			json_array_append_new(members, json_string(g->states[k]));
		json_array_append_new(groups, json_pack("{s:s,s:O,s:o,s:I}", "name", g->name,
		    "title", g->title ? g->title : json_null(), "states", members,
		    "index", (json_int_t)g->index));
	}
	return json_pack("{s:s,s:o,s:o}", "own_state", n->cfg.state, "states", states,
	    "groups", groups);
}

/* ---- the process -------------------------------------------------------------- */

static json_t *
own_position(const struct proc_matter *m, const char *state)
{
	const char *own = NULL;

	for (size_t i = 0; i < m->npos; i++)
		if (strcmp(m->pos[i].state, state) == 0 && (own == NULL ||
		    m->pos[i].stance == PROC_OBJECT))
			own = m->pos[i].stance == PROC_OBJECT ? "object" : "support";
	return own != NULL ? json_string(own) : json_null();
}

json_t *
process_view(struct node *n, const struct procnode *pn, int64_t at,
    const char *body, int open_only)
{
	const char *state = n->cfg.state;
	int64_t now = procnode_at(pn, at), act = procnode_act_time(pn);
	json_t *v = proc_view(pn->proc, now, state), *d;
	size_t i;

	json_object_set_new(v, "decisions", proc_view_decisions(pn->proc, now, state,
	    body, open_only));
	json_array_foreach(json_object_get(v, "decisions"), i, d) {
		uint8_t id[32];
		struct proc_matter *m;
		int ok = hex_decode_exact(id, 32, jstr(d, "id")) == 0;

		m = ok ? proc_matter(pn->proc, id) : NULL;
		assert(m != NULL);
		json_object_set_new(d, "own", own_position(m, state));
		json_object_set_new(d, "may", json_pack("{s:b,s:b,s:b}",
		    "object", proc_may_position(pn->proc, m, state, PROC_OBJECT, act) == PROC_OK,
		    "support", proc_may_position(pn->proc, m, state, PROC_SUPPORT, act) == PROC_OK,
		    "withdraw", proc_may_withdraw(pn->proc, m, state, act) == PROC_OK));
	}
	json_object_set_new(v, "state", json_string(state));
	json_object_set_new(v, "verified_size", json_integer((json_int_t)pn->size));
	json_object_set_new(v, "dropped", json_integer((json_int_t)pn->dropped));
	json_object_set_new(v, "refused", json_integer((json_int_t)pn->refused));
	json_object_set_new(v, "act_time", json_integer(act));
	return v;
}
