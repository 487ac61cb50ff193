/*
 * send.c - roster send and roster ack: the two things a POC signs.
 *
 * A message is encrypted here, on the sender's node, to every current device
 * of the recipient States as the verified directory lists them; the hub only
 * ever sees the sealed payload.  The message is stored with its plaintext and
 * put in the outbox in one transaction, then flushed; if the hub cannot be
 * reached it waits in the outbox for the next sync.
 */
#include "node.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "db.h"
#include "jsonutil.h"
#include "seal.h"

static const char *urgencies[] = { "flash", "urgent", "priority", "routine", NULL };
static const char *tlps[] = { "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED", NULL };
static const char *langs[] = { "ar", "en", "es", "fr", "ru", "zh", NULL };

static int
one_of(const char *v, const char **list)
{
	for (int i = 0; list[i] != NULL; i++)
		if (strcmp(v, list[i]) == 0)
			return 1;
	return 0;
}

int
make_ack(struct node *n, const uint8_t msg_id[32], const uint8_t sender[32],
    const char *status, const char *note)
{
	struct dir_device *dev = dir_device(n->directory, sender);
	struct seal_recipient r;
	struct buf payload = {0}, env = {0};
	json_t *plain, *hdr, *rcpt;
	uint8_t id[32];
	char *text;
	int rc;

	if (dev == NULL) {
		rs_seterr("the sender's device is not in the directory");
		return -1;
	}
	memcpy(r.device, dev->key, 32);
	memcpy(r.box_pk, dev->box, 32);
	plain = json_pack("{s:s}", "note", note ? note : "");
	text = jdump(plain);
	json_decref(plain);
	rc = seal_encrypt(&payload, text, strlen(text), &r, 1);
	free(text);
	if (rc != 0)
		return -1;
	hdr = json_object();
	json_object_set_new(hdr, "kind", json_string("ack"));
	json_object_set_new(hdr, "ref", jhex(msg_id, 32));
	json_object_set_new(hdr, "status", json_string(status));
	rcpt = json_array();
	json_array_append_new(rcpt, jhex(sender, 32));
	json_object_set_new(hdr, "rcpt", rcpt);
	rc = store_outbox_add(n, hdr, payload.p, payload.len, &env, id);
	json_decref(hdr);
	buf_free(&payload);
	buf_free(&env);
	return rc;
}

/* Fills r with the current devices of the listed States (not this one). */
static int
recipients_of(struct node *n, const char *to, struct seal_recipient **r,
    size_t *nr, json_t *states, json_t *rcpt)
{
	char *list = xstrdup(to), *save = NULL;
	int rc = -1;

	*r = NULL;
	*nr = 0;
	for (char *st = strtok_r(list, ",", &save); st; st = strtok_r(NULL, ",", &save)) {
		size_t found = 0;
		if (!valid_state(st)) {
			rs_seterr("\"%s\" is not a State code (two capital letters, e.g. XB)", st);
			goto out;
		}
		for (size_t i = 0; i < n->directory->ndevices; i++) {
			struct dir_device *d = n->directory->devices[i];
			if (strcmp(d->state, st) != 0 || d->revoked_index >= 0 ||
			    (d->expires > 0 && d->expires < now_ms()) ||
			    memcmp(d->key, n->cfg.device, 32) == 0)
				continue;
			*r = xrealloc(*r, (*nr + 1) * sizeof(**r));
			memcpy((*r)[*nr].device, d->key, 32);
			memcpy((*r)[*nr].box_pk, d->box, 32);
			json_array_append_new(rcpt, jhex(d->key, 32));
			(*nr)++;
			found++;
		}
		if (found == 0) {
			rs_seterr("%s has no current device in the directory", st);
			goto out;
		}
		json_array_append_new(states, json_string(st));
	}
	rc = 0;
out:
	free(list);
	if (rc != 0) {
		free(*r);
		*r = NULL;
	}
	return rc;
}

static int
store_sent(struct node *n, const uint8_t id[32], json_t *states, json_t *rcpt,
    const char *urgency, json_t *m)
{
	sqlite3_stmt *st = db_prep(n->db, "INSERT INTO messages(id, direction,"
	    " sender_state, sender_device, to_states, rcpt, urgency, subject, body, tlp,"
	    " lang, sent) VALUES(?, 'out', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	char *to = jdump(states), *rc_ = jdump(rcpt);
	int rc;

	if (st == NULL) {
		free(to);
		free(rc_);
		return -1;
	}
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, n->cfg.state, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, n->cfg.device, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, rc_, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, urgency, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, jstr(m, "subject"), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, jstr(m, "body"), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, jstr(m, "tlp"), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, jstr(m, "lang"), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, json_integer_value(json_object_get(m, "sent")));
	rc = db_done(n->db, st);
	sqlite3_finalize(st);
	free(to);
	free(rc_);
	return rc;
}

struct send_args {
	const char *to, *subject, *body, *body_file, *urgency, *tlp, *lang;
};

static int
send_message(struct node *n, const struct send_args *a, struct buf *body)
{
	struct seal_recipient *r = NULL;
	struct buf payload = {0}, env = {0};
	json_t *states = json_array(), *rcpt = json_array(), *m, *hdr;
	struct sync_stats s = {0};
	uint8_t id[32];
	char *text, sid[17];
	size_t nr = 0;
	int rc = -1;

	if (!n->cfg.has_root) {
		rs_seterr("this node is not enrolled yet: run `roster enroll CERT` first");
		goto out0;
	}
	if (sync_directory(n, &s) != 0)
		fprintf(stderr, "roster: warning: cannot refresh the directory (%s); "
		    "using the copy verified earlier\n", rs_err());
	if (recipients_of(n, a->to, &r, &nr, states, rcpt) != 0)
		goto out0;
	m = json_object();
	json_object_set_new(m, "subject", json_string(a->subject));
	json_object_set_new(m, "body", json_stringn((const char *)body->p, body->len));
	json_object_set_new(m, "tlp", json_string(a->tlp));
	json_object_set_new(m, "lang", json_string(a->lang));
	json_object_set_new(m, "sent", json_integer(now_ms()));
	text = jdump(m);
	rc = seal_encrypt(&payload, text, strlen(text), r, nr);
	sodium_memzero(text, strlen(text));
	free(text);
	if (rc != 0)
		goto out;
	rc = -1;
	hdr = json_object();
	json_object_set_new(hdr, "kind", json_string("msg"));
	json_object_set(hdr, "to", states);
	json_object_set(hdr, "rcpt", rcpt);
	json_object_set_new(hdr, "urgency", json_string(a->urgency));
	if (db_begin(n->db) != 0) {
		json_decref(hdr);
		goto out;
	}
	if (store_outbox_add(n, hdr, payload.p, payload.len, &env, id) != 0 ||
	    store_sent(n, id, states, rcpt, a->urgency, m) != 0 || db_commit(n->db) != 0) {
		db_rollback(n->db);
		json_decref(hdr);
		goto out;
	}
	json_decref(hdr);
	short_id(sid, id);
	if (outbox_flush(n, &s) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		if (n->alarms > 0) {
			rs_seterr("message %s was submitted, but the hub's answer failed "
			    "verification (%s); it stays in the outbox", sid, why);
			goto out;
		}
		printf("message %s to %s (%zu device%s) is queued: %s\n"
		    "It will go with the next `roster sync`.\n", sid, a->to, nr,
		    nr == 1 ? "" : "s", why);
		rc = 0;
		goto out;
	}
	sqlite3_stmt *st = db_prep(n->db, "SELECT idx, error FROM messages WHERE id = ?");
	if (st != NULL) {
		sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 1) != SQLITE_NULL)
			rs_seterr("the hub refused the message: %s", sqlite3_column_text(st, 1));
		else if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
			printf("sent %s to %s (%zu device%s): log index %lld, receipt verified\n",
			    sid, a->to, nr, nr == 1 ? "" : "s",
			    (long long)sqlite3_column_int64(st, 0));
			rc = 0;
		} else
			rs_seterr("the hub gave no receipt");
		sqlite3_finalize(st);
	}
out:
	json_decref(m);
out0:
	json_decref(states);
	json_decref(rcpt);
	free(r);
	buf_free(&payload);
	buf_free(&env);
	return rc;
}

int
cmd_send(int argc, char **argv)
{
	struct node n = {0};
	struct send_args a;
	struct buf body = {0};
	struct opts o;
	int rc;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	a.to = opt_value(&o, "--to");
	a.subject = opt_value(&o, "--subject");
	a.body = opt_value(&o, "--body");
	a.body_file = opt_value(&o, "--body-file");
	a.urgency = opt_value(&o, "--urgency");
	a.tlp = opt_value(&o, "--tlp");
	a.lang = opt_value(&o, "--lang");
	rc = opts_finish(&o, "send");
	opts_free(&o);
	if (rc != 0)
		return EXIT_USAGE;
	if (a.urgency == NULL)
		a.urgency = "routine";
	if (a.tlp == NULL)
		a.tlp = "AMBER";
	if (a.lang == NULL)
		a.lang = "en";
	if (a.to == NULL || a.subject == NULL)
		return usage_error("send", "--to and --subject are required");
	if ((a.body == NULL) == (a.body_file == NULL))
		return usage_error("send", "give exactly one of --body-file FILE and --body TEXT");
	if (!one_of(a.urgency, urgencies))
		return usage_error("send", "--urgency must be flash, urgent, priority or routine");
	if (!one_of(a.tlp, tlps))
		return usage_error("send", "--tlp must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
	if (!one_of(a.lang, langs))
		return usage_error("send", "--lang must be one of ar, en, es, fr, ru, zh");
	if (a.body_file != NULL) {
		if (read_file(a.body_file, &body, 16u << 20) != 0)
			return fail("send");
	} else
		buf_addstr(&body, a.body);
	if (memchr(body.p ? (const void *)body.p : "", '\0', body.len) != NULL) {
		buf_free(&body);
		return usage_error("send", "the body must be text (it contains a NUL byte)");
	}
	if (node_open(&n, 1) != 0 || send_message(&n, &a, &body) != 0)
		rc = fail("send");
	else
		rc = 0;
	if (body.p != NULL)
		sodium_memzero(body.p, body.len);
	buf_free(&body);
	node_close(&n);
	return rc;
}

int
cmd_ack(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	struct sync_stats s = {0};
	const char *note, *idp;
	uint8_t id[32], sender[32];
	sqlite3_stmt *st;
	char sid[17];
	int rc = 1, found = 0;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	note = opt_value(&o, "--note");
	idp = opt_positional(&o);
	if (opts_finish(&o, "ack") != 0 || idp == NULL) {
		opts_free(&o);
		return idp ? EXIT_USAGE : usage_error("ack", "which message? give its ID");
	}
	opts_free(&o);
	if (node_open(&n, 1) != 0) {
		rc = fail("ack");
		goto out;
	}
	if (checks_is_check(&n, idp)) {		/* a communication check */
		rc = checks_answer(&n, idp) == 0 ? 0 : fail("ack");
		goto out;
	}
	if (store_find_message(&n, idp, id) != 0) {
		rc = fail("ack");
		goto out;
	}
	st = db_prep(n.db, "SELECT sender_device FROM messages WHERE id = ? AND direction = 'in'");
	if (st == NULL) {
		rc = fail("ack");
		goto out;
	}
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		memcpy(sender, sqlite3_column_blob(st, 0), 32);
		found = 1;
	}
	sqlite3_finalize(st);
	if (!found) {
		fprintf(stderr, "roster ack: %s is a message this node sent; only recipients acknowledge\n", idp);
		goto out;
	}
	if (db_begin(n.db) != 0 || make_ack(&n, id, sender, "acknowledged", note) != 0) {
		db_rollback(n.db);
		rc = fail("ack");
		goto out;
	}
	st = db_prep(n.db, "UPDATE messages SET acked = 1 WHERE id = ?");
	if (st == NULL || (sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC),
	    db_done(n.db, st)) != 0 || db_commit(n.db) != 0) {
		sqlite3_finalize(st);
		db_rollback(n.db);
		rc = fail("ack");
		goto out;
	}
	sqlite3_finalize(st);
	short_id(sid, id);
	if (outbox_flush(&n, &s) != 0)
		printf("acknowledgement of %s queued (%s); it goes with the next sync\n", sid, rs_err());
	else
		printf("acknowledged %s\n", sid);
	rc = 0;
out:
	node_close(&n);
	return rc;
}
