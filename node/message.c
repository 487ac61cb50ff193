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
 * hub cannot be reached it waits in the outbox for the next sync.
 */
#include "node.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "db.h"
#include "jsonutil.h"
#include "seal.h"

/* The hub's deadlines, read at most once an hour; the copy in meta keeps
 * working when the hub is unreachable. */
int64_t
message_deadline_ms(struct node *n, const char *urgency)
{
	static int64_t fetched;		/* when the policy was last read */
	int u = urgency_index(urgency);
	json_t *info = NULL, *v;
	char key[64];
	int64_t ms;

	if (u < 0)
		return urgency_default_deadline_ms[URGENCY_LEVELS - 1];
	if (now_ms() - fetched > 3600 * 1000 && n->hub != NULL &&
	    http_get_json(n->hub, "/v1/info", &info) == 0) {
		json_t *dl = json_object_get(info, "deadlines");
		for (int i = 0; i < URGENCY_LEVELS; i++) {
			v = json_object_get(dl, urgency_names[i]);
			if (json_is_integer(v) && json_integer_value(v) > 0 &&
			    json_integer_value(v) < 10LL * 366 * 86400000) {
				snprintf(key, sizeof(key), "deadline_%s", urgency_names[i]);
				db_meta_set_int(n->db, key, json_integer_value(v));
			}
		}
		fetched = now_ms();
	}
	json_decref(info);
	snprintf(key, sizeof(key), "deadline_%s", urgency);
	if (db_meta_get_int(n->db, key, &ms) != 0 || ms <= 0)
		ms = urgency_default_deadline_ms[u];
	return ms;
}

static int
store_sent(struct node *n, const uint8_t id[32], const struct outgoing *o,
    int64_t deadline)
{
	sqlite3_stmt *st = db_prep(n->db, "INSERT INTO messages(id, direction,"
	    " sender_state, sender_device, to_states, rcpt, urgency, subject, body, tlp,"
	    " lang, sent, content, parent, deadline, notice) VALUES(?, 'out', ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	char *to = jdump(o->states), *rc_ = jdump(o->rcpt), *content = jdump(o->payload);
	json_t *m = o->payload;
	int rc;

	if (st == NULL) {
		free(to);
		free(rc_);
		free(content);
		return -1;
	}
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, n->cfg.state, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, n->cfg.device, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, rc_, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, o->urgency, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, jstr(m, "subject"), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, jstr(m, "body"), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, jstr(m, "tlp"), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, jstr(m, "lang"), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, json_integer_value(json_object_get(m, "sent")));
	sqlite3_bind_text(st, 12, content, -1, SQLITE_STATIC);
	if (o->parent != NULL)
		sqlite3_bind_blob(st, 13, o->parent, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 14, deadline);
	if (o->notice != NULL)
		sqlite3_bind_text(st, 15, o->notice, -1, SQLITE_STATIC);
	rc = db_done(n->db, st);
	sqlite3_finalize(st);
	sodium_memzero(content, strlen(content));
	free(content);
	free(to);
	free(rc_);
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
	rc = store_outbox_add(n, hdr, payload.p, payload.len, &env, id) != 0 ||
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
	if (o->r == NULL && audience_resolve(n, o->to, o->roles, &o->r, &o->nr,
	    o->states, o->rcpt) != 0)
		return -1;
	return sign_and_store(n, o, id);
}

int
message_store(struct node *n, struct outgoing *o, uint8_t id[32])
{
	if (db_begin(n->db) != 0)
		return -1;
	if (message_store_txn(n, o, id) != 0 || db_commit(n->db) != 0) {
		db_rollback(n->db);
		return -1;
	}
	return 0;
}

/* What a received payload must look like before it is stored: the fields
 * the node acts on have the right types, so nothing later trips on them. */
int
message_payload_check(json_t *m)
{
	static const char *texts[] = { "subject", "body", "lang", "tlp", "re", "notice",
	    "ref", "template", NULL };
	static const char *tlp_labels[] = { "CLEAR", "GREEN", "AMBER", "AMBER+STRICT",
	    "RED", NULL };
	const char *t;
	uint8_t id[32];
	int ok = 0;

	for (int i = 0; texts[i] != NULL; i++) {
		json_t *v = json_object_get(m, texts[i]);
		if (v != NULL && !json_is_string(v)) {
			rs_seterr("message field \"%s\" must be text", texts[i]);
			return -1;
		}
	}
	if ((t = jstr(m, "tlp")) != NULL) {
		for (int i = 0; tlp_labels[i] != NULL; i++)
			ok |= strcmp(t, tlp_labels[i]) == 0;
		if (!ok) {
			rs_seterr("message TLP label \"%.20s\" is not a TLP 2.0 label", t);
			return -1;
		}
	}
	if (((t = jstr(m, "re")) != NULL && hex_decode_exact(id, 32, t) != 0) ||
	    ((t = jstr(m, "ref")) != NULL && hex_decode_exact(id, 32, t) != 0)) {
		rs_seterr("message refers to another by something not a message id");
		return -1;
	}
	if (json_object_get(m, "no_forward") != NULL &&
	    !json_is_boolean(json_object_get(m, "no_forward"))) {
		rs_seterr("message field \"no_forward\" must be true or false");
		return -1;
	}
	if (json_object_get(m, "forward") != NULL &&
	    !json_is_object(json_object_get(m, "forward"))) {
		rs_seterr("message field \"forward\" must be an object");
		return -1;
	}
	return 0;
}

int
message_send(struct node *n, struct outgoing *o, uint8_t id[32])
{
	struct sync_stats s = {0};
	char sid[17], what[64];
	sqlite3_stmt *st;
	int rc = -1;

	if (!n->cfg.has_root) {
		rs_seterr("this node is not enrolled yet: run `roster enroll CERT` first");
		return -1;
	}
	if (sync_directory(n, &s) != 0)
		fprintf(stderr, "roster: warning: cannot refresh the directory (%s); "
		    "using the copy verified earlier\n", rs_err());
	if (o->nattach > 0 && attach_prepare(n, o) != 0)
		return -1;
	if (message_store(n, o, id) != 0)
		return -1;
	short_id(sid, id);
	char *to = states_list(o->states);
	snprintf(what, sizeof(what), "%zu device%s", o->nr, o->nr == 1 ? "" : "s");
	if (outbox_flush(n, &s) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		if (n->alarms > 0)
			rs_seterr("message %s was submitted, but the hub's answer failed "
			    "verification (%s); it stays in the outbox", sid, why);
		else {
			printf("message %s to %s (%s) is queued: %s\n"
			    "It will go with the next `roster sync`.\n", sid, to, what, why);
			rc = 0;
		}
		free(to);
		return rc;
	}
	st = db_prep(n->db, "SELECT idx, error FROM messages WHERE id = ?");
	if (st != NULL) {
		sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 1) != SQLITE_NULL)
			rs_seterr("the hub refused the message: %s", sqlite3_column_text(st, 1));
		else if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
			if (!n->quiet)
				printf("sent %s to %s (%s): log index %lld, receipt verified\n",
				    sid, to, what, (long long)sqlite3_column_int64(st, 0));
			rc = 0;
		} else
			rs_seterr("the hub gave no receipt");
		sqlite3_finalize(st);
	}
	free(to);
	return rc;
}
