/*
 * message.c - composing, signing and sending a message, whatever made it:
 * `roster send`, a reply, a forward, a consultation step or an overdue
 * notice.
 *
 * A message has two parts.  The signed header, which the hub sees, says
 * who it is to (States and device keys), its urgency and the deadline by
 * which the sender expects an acknowledgement; the deadline is the hub's
 * published policy for that urgency (GET /v1/info), fixed by the sender at
 * signing time so it can never change afterwards.  Everything else (subject,
 * body, template fields, thread parent, TLP, forwarding permission) is in the
 * payload, sealed to the recipient devices.  The message is stored with its
 * plaintext and put in the outbox in one transaction, then flushed; if the
 * hub cannot be reached it waits in the outbox for the next sync.  A reply
 * or a consultation step acknowledges the received message it answers, on
 * this node as on its sender's (docs/protocol.md section 3).
 */
#include "message.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "attach.h"
#include "audience.h"
#include "catalogue_node.h"
#include "hubclient.h"
#include "jsonutil.h"
#include "outbox.h"
#include "payload.h"
#include "policy.h"
#include "seal.h"
#include "store.h"
#include "sync.h"

/* The hub's deadlines as the sync pass last read them (policy.c): asking
 * the hub here would be a request inside the transaction that signs. */
int64_t
message_deadline_ms(struct node *n, const char *urgency)
{
	return policy_deadline_ms(n, urgency);
}

static int
store_sent(struct node *n, const uint8_t id[32], const struct outgoing *o,
    int64_t deadline)
{
	char *to = jdump(o->states), *rcpt = jdump(o->rcpt), *content = jdump(o->payload);
	json_t *m = o->payload;
	struct msg_new row;
	int rc;

	memset(&row, 0, sizeof(row));
	row.id = id;
	row.direction = "out";
	row.sender_state = n->cfg.state;
	row.sender_device = n->cfg.device;
	row.to_states = to;
	row.rcpt = rcpt;
	row.urgency = o->urgency;
	row.subject = jstr(m, "subject");
	row.body = jstr(m, "body");
	row.tlp = jstr(m, "tlp");
	row.lang = jstr(m, "lang");
	row.sent = json_integer_value(json_object_get(m, "sent"));
	row.content = content;
	row.parent = o->parent;
	row.has_deadline = 1;
	row.deadline = deadline;
	row.notice = o->notice;
	rc = store_message_add(n, &row) == STORE_OK ? 0 : -1;
	/* An answer acknowledges what it answers (docs/protocol.md section 3):
	 * for this node as for the sender's, in the same transaction. */
	if (rc == 0 && o->parent != NULL && o->notice == NULL)
		rc = store_message_set_acked(n, o->parent);
	sodium_memzero(content, strlen(content));
	free(content);
	free(to);
	free(rcpt);
	return rc;
}

/* Signs and stores, inside the caller's transaction. */
static int
sign_and_store(struct node *n, struct outgoing *o, uint8_t id[32])
{
	struct buf payload = {0}, env = {0};
	int64_t deadline = now_ms() + message_deadline_ms(n, o->urgency);
	char *text;
	json_t *hdr;
	int rc;

	if (o->parent != NULL)
		json_object_set_new(o->payload, "re", jhex(o->parent, 32));
	json_object_set_new(o->payload, "sent", json_integer(now_ms()));
	/* Nothing is signed that a receiving node would refuse (payload.h). */
	if (message_validate(o->payload) != 0)
		return -1;
	text = jdump(o->payload);
	rc = seal_encrypt(&payload, text, strlen(text), o->r, o->nr);
	sodium_memzero(text, strlen(text));
	free(text);
	if (rc != 0)
		return -1;
	hdr = json_object();
	json_object_set_new(hdr, "kind", json_string("msg"));
	json_object_set(hdr, "to", o->states);
	json_object_set(hdr, "rcpt", o->rcpt);
	json_object_set_new(hdr, "urgency", json_string(o->urgency));
	json_object_set_new(hdr, "deadline", json_integer(deadline));
	if (o->attachments != NULL)
		json_object_set(hdr, "attachments", o->attachments);
	rc = outbox_add(n, hdr, payload.p, payload.len, &env, id) != 0 ||
	    store_sent(n, id, o, deadline) != 0 ? -1 : 0;
	json_decref(hdr);
	buf_free(&payload);
	buf_free(&env);
	return rc;
}

/* "XB,XC" from ["XB","XC"], malloc'd. */
static char *
states_list(json_t *states)
{
	struct buf b = {0};
	size_t i;
	json_t *v;

	char *out;

	json_array_foreach(states, i, v)
		buf_printf(&b, "%s%s", i ? "," : "", json_string_value(v));
	out = xstrdup(b.p ? buf_cstr(&b) : "");
	buf_free(&b);
	return out;
}

void
outgoing_init(struct outgoing *o)
{
	memset(o, 0, sizeof(*o));
	o->states = json_array();
	o->rcpt = json_array();
	o->payload = json_object();
	o->urgency = "routine";
}

void
outgoing_free(struct outgoing *o)
{
	json_decref(o->states);
	json_decref(o->rcpt);
	json_decref(o->payload);
	json_decref(o->attachments);
	free(o->r);
	memset(o, 0, sizeof(*o));
}

int
message_store_txn(struct node *n, struct outgoing *o, uint8_t id[32])
{
	if (o->r == NULL && audience_resolve(n, o->to, o->roles,
	    o->unconfirmed ? AUDIENCE_UNCONFIRMED : 0, &o->r, &o->nr, o->states, o->rcpt,
	    &o->nunconfirmed) != 0)
		return -1;
	return sign_and_store(n, o, id);
}

int
message_store(struct node *n, struct outgoing *o, uint8_t id[32])
{
	if (store_begin(n) != 0)
		return -1;
	if (message_store_txn(n, o, id) != 0 || store_commit(n) != 0) {
		store_rollback(n);
		return -1;
	}
	return 0;
}

int
message_send(struct node *n, struct outgoing *o, uint8_t id[32], struct sent *r)
{
	struct sync_stats s = {0};
	struct msg_row m;
	char *to;
	int rc = -1, alarms;

	memset(r, 0, sizeof(*r));
	if (!n->cfg.has_root) {
		rs_seterr("this node is not enrolled yet: run `roster enroll CERT` first");
		return -1;
	}
	if (n->offline && o->nattach > 0) {
		rs_seterr("attachments are uploaded by `roster send --attach`");
		return -1;
	}
	if (!n->offline && sync_directory(n, &s) != 0)
		fprintf(stderr, "roster: warning: cannot refresh the directory (%s); "
		    "using the copy verified earlier\n", rs_err());
	/* The deadline goes into the signed header: the hub's policy, read
	 * at most hourly (policy.c), before the transaction. */
	if (!n->offline && policy_refresh(n, 0) != 0)
		fprintf(stderr, "roster: warning: cannot read the hub's deadline "
		    "policy (%s); using the copy read earlier\n", rs_err());
	if (o->nattach > 0 && attach_prepare(n, o) != 0)
		return -1;
	if (message_store(n, o, id) != 0)
		return -1;
	to = states_list(o->states);
	snprintf(r->to, sizeof(r->to), "%s", to);
	free(to);
	r->devices = o->nr;
	r->unconfirmed = o->nunconfirmed;
	r->unconfirmed_included = o->unconfirmed;
	if (n->offline) {		/* the serve loop's next pass sends it */
		r->queued = 1;
		snprintf(r->why, sizeof(r->why), "queued for the next sync pass");
		return 0;
	}
	alarms = n->alarms;
	if (outbox_flush(n, NULL) != 0) {
		char sid[17], why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		sodium_bin2hex(sid, sizeof(sid), id, 8);
		if (n->alarms > alarms) {
			rs_seterr("message %s was submitted, but the hub's answer failed "
			    "verification (%s); it stays in the outbox", sid, why);
			return -1;
		}
		r->queued = 1;
		snprintf(r->why, sizeof(r->why), "%s", why);
		return 0;
	}
	switch (store_message_get(n, id, &m)) {
	case STORE_OK:
		if (m.error[0] != '\0')
			rs_seterr("the hub refused the message: %s", m.error);
		else if (m.has_index) {
			r->index = m.index;
			rc = 0;
		} else
			rs_seterr("the hub gave no receipt");
		msg_row_free(&m);
		break;
	case STORE_NOT_FOUND:
		rs_seterr("the message was stored but cannot be read back");
		break;
	default:
		break;
	}
	return rc;
}

/* The audience of a reply: the parent's sender, or for --all everyone the
 * parent went to as well (except this node's own State, whose other POCs
 * read the thread on their own nodes).  Also the parent's subject and TLP,
 * the reply's defaults. */
int
message_reply_audience(struct node *n, const uint8_t parent[32], int all,
    struct parent_info *p)
{
	struct msg_row m;
	enum store_result found = store_message_get(n, parent, &m);
	json_t *states = NULL, *v;
	const char *subj;
	size_t i;
	int rc = -1;

	if (found != STORE_OK) {
		if (found == STORE_NOT_FOUND)
			rs_seterr("no such message");
		return -1;
	}
	p->to[0] = '\0';
	if (strcmp(m.direction, "in") == 0)
		snprintf(p->to, sizeof(p->to), "%s", m.sender_state);
	if ((strcmp(m.direction, "out") == 0 || all) && m.to_states[0] != '\0' &&
	    (states = jparse(m.to_states, strlen(m.to_states))) != NULL) {
		json_array_foreach(states, i, v) {
			const char *sv = json_string_value(v);
			size_t used = strlen(p->to);
			if (sv == NULL || strcmp(sv, n->cfg.state) == 0 || strstr(p->to, sv) != NULL)
				continue;
			snprintf(p->to + used, sizeof(p->to) - used, "%s%s", used ? "," : "", sv);
		}
	}
	if (p->to[0] == '\0') {
		rs_seterr("nobody to reply to outside %s", n->cfg.state);
		goto out;
	}
	subj = m.subject;
	message_subject_prefixed(p->subject, sizeof(p->subject),
	    strncmp(subj, "Re: ", 4) == 0 ? "" : "Re: ", subj);
	snprintf(p->tlp, sizeof(p->tlp), "%s", vocab_tlp_ok(m.tlp) ? m.tlp : "AMBER");
	rc = 0;
out:
	json_decref(states);
	msg_row_free(&m);
	return rc;
}

/* Fills the template into the payload: its id, version and digest (which
 * version of the schema the sender used) and the canonical field values,
 * which carry no labels, so each reader sees them in their own language.
 * The subject defaults to the template's title in the sender's language. */
int
message_fill_template(struct node *n, const char *id, const char **kv, size_t nkv,
    const char *lang, json_t *payload)
{
	struct catalogue *c = NULL;
	json_t *fields = NULL, *t;
	uint8_t digest[32];
	int rc = -1, fb;

	if (node_catalogue(n, &c) != 0)
		return -1;
	if ((t = catalogue_template(c, id)) == NULL) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("%s (`roster templates` lists them)", why);
		goto out;
	}
	if (catalogue_fill(c, id, kv, nkv, lang, &fields) != 0 ||
	    catalogue_digest(c, id, digest) != 0)
		goto out;
	json_object_set_new(payload, "template", json_string(id));
	json_object_set(payload, "template_version", json_object_get(t, "version"));
	json_object_set_new(payload, "template_digest", jhex(digest, 32));
	json_object_set_new(payload, "fields", fields);
	if (jstr(payload, "subject") == NULL)
		json_object_set_new(payload, "subject", json_string(
		    cat_label(json_object_get(t, "title"), lang, &fb)));
	rc = 0;
out:
	catalogue_free(c);
	return rc;
}
