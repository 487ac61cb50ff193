/*
 * send.c - roster send, reply and ack: what a POC writes and signs.
 *
 * These commands turn flags into a payload and an audience; message.c does
 * the signing, sealing and storing for all of them.  A message is encrypted
 * on the sender's node to every current device of the audience as the
 * verified directory lists them; the hub only ever sees the sealed payload.
 * A reply names its parent inside the payload, so the thread is signed but
 * not shown to the hub.
 */
#include "node.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "blob.h"
#include "catalogue_node.h"
#include "db.h"
#include "jsonutil.h"
#include "seal.h"

#define SEND_MAX_FIELDS 64

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
	uint8_t id[32];

	return make_ack_id(n, msg_id, sender, status, note, id);
}

int
make_ack_id(struct node *n, const uint8_t msg_id[32], const uint8_t sender[32],
    const char *status, const char *note, uint8_t id[32])
{
	struct dir_device *dev = dir_device(n->directory, sender);
	struct seal_recipient r;
	struct buf payload = {0}, env = {0};
	json_t *plain, *hdr, *rcpt;
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

/* The flags of send and reply: the body, urgency, TLP and language. */
struct body_args {
	const char *subject, *body, *body_file, *urgency, *tlp, *lang;
	int no_forward;
};

static void
body_opts(struct opts *o, struct body_args *a)
{
	a->subject = opt_value(o, "--subject");
	a->body = opt_value(o, "--body");
	a->body_file = opt_value(o, "--body-file");
	a->urgency = opt_value(o, "--urgency");
	a->tlp = opt_value(o, "--tlp");
	a->lang = opt_value(o, "--lang");
	a->no_forward = opt_flag(o, "--no-forward");
}

/* Checks the flags and reads the body; 0, or EXIT_USAGE after a message.
 * With a template the body is an optional note beside the fields. */
static int
body_check(const char *cmd, struct body_args *a, struct buf *body, int templated)
{
	if (a->body != NULL && a->body_file != NULL)
		return usage_error(cmd, "give only one of --body-file FILE and --body TEXT");
	if (!templated && a->body == NULL && a->body_file == NULL)
		return usage_error(cmd, "give --body TEXT, --body-file FILE or --template NAME");
	if (a->urgency != NULL && urgency_index(a->urgency) < 0)
		return usage_error(cmd, "--urgency must be flash, urgent, priority or routine");
	if (a->tlp != NULL && !one_of(a->tlp, tlps))
		return usage_error(cmd, "--tlp must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
	if (a->lang != NULL && !one_of(a->lang, langs))
		return usage_error(cmd, "--lang must be one of ar, en, es, fr, ru, zh");
	if (a->body_file != NULL) {
		if (read_file(a->body_file, body, 16u << 20) != 0)
			return fail(cmd);
	} else if (a->body != NULL)
		buf_addstr(body, a->body);
	if (memchr(body->p ? (const void *)body->p : "", '\0', body->len) != NULL)
		return usage_error(cmd, "the body must be text (it contains a NUL byte)");
	return 0;
}

static void
fill_payload(json_t *m, const struct body_args *a, const struct buf *body)
{
	if (a->subject != NULL)
		json_object_set_new(m, "subject", json_string(a->subject));
	json_object_set_new(m, "body", json_stringn(body->p ? (const char *)body->p : "",
	    body->len));
	json_object_set_new(m, "tlp", json_string(a->tlp));
	json_object_set_new(m, "lang", json_string(a->lang));
	if (a->no_forward)
		json_object_set_new(m, "no_forward", json_true());
}

static void
wipe(struct buf *b)
{
	if (b->p != NULL)
		sodium_memzero(b->p, b->len);
	buf_free(b);
}

/* Fills the template into the payload: its id, version and digest (which
 * version of the schema the sender used) and the canonical field values,
 * which carry no labels, so each reader sees them in their own language.
 * The subject defaults to the template's title in the sender's language. */
int
send_fill_template(struct node *n, const char *id, const char **kv, size_t nkv,
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

int
cmd_send(int argc, char **argv)
{
	struct node n = {0};
	struct outgoing out;
	struct body_args a;
	struct buf body = {0};
	struct opts o;
	const char *reply_to, *tpl, *kv[SEND_MAX_FIELDS + 1];
	const char *attach[BLOB_MAX_ATTACH + 1];
	uint8_t id[32], parent[32];
	size_t nkv = 0;
	int rc;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	outgoing_init(&out);
	out.to = opt_value(&o, "--to");
	out.roles = opt_value(&o, "--role");
	reply_to = opt_value(&o, "--reply-to");
	tpl = opt_value(&o, "--template");
	while (nkv <= SEND_MAX_FIELDS && (kv[nkv] = opt_value(&o, "--field")) != NULL)
		nkv++;
	body_opts(&o, &a);
	attach_opts(&o, &out, attach);
	rc = opts_finish(&o, "send");
	opts_free(&o);
	if (rc != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (a.urgency == NULL)
		a.urgency = "routine";
	if (a.tlp == NULL)
		a.tlp = "AMBER";
	if (a.lang == NULL)
		a.lang = "en";
	if (out.to == NULL || (a.subject == NULL && tpl == NULL)) {
		rc = usage_error("send", "--to and --subject (or --template) are required");
		goto out;
	}
	if (nkv > SEND_MAX_FIELDS) {
		rc = usage_error("send", "at most %d --field options", SEND_MAX_FIELDS);
		goto out;
	}
	if (nkv > 0 && tpl == NULL) {
		rc = usage_error("send", "--field needs --template NAME");
		goto out;
	}
	if (out.roles != NULL && audience_check_roles(out.roles) != 0) {
		rc = usage_error("send", "--role: %s", rs_err());
		goto out;
	}
	if (out.nattach > BLOB_MAX_ATTACH) {
		rc = usage_error("send", "at most %d --attach files", BLOB_MAX_ATTACH);
		goto out;
	}
	if ((rc = body_check("send", &a, &body, tpl != NULL || out.nattach > 0)) != 0)
		goto out;
	out.urgency = a.urgency;
	fill_payload(out.payload, &a, &body);
	if (node_open(&n, 1) != 0)
		goto failed;
	if (tpl != NULL && send_fill_template(&n, tpl, kv, nkv, a.lang, out.payload) != 0)
		goto failed;
	if (reply_to != NULL) {
		if (store_find_message(&n, reply_to, parent) != 0)
			goto failed;
		out.parent = parent;
	}
	if (message_send(&n, &out, id) == 0)
		goto out;
failed:
	rc = fail("send");
out:
	wipe(&body);
	outgoing_free(&out);
	node_close(&n);
	return rc;
}

/* The audience of a reply: the parent's sender, or for --all everyone the
 * parent went to as well (except this node's own State, whose other POCs
 * read the thread on their own nodes).  Also the parent's subject and TLP,
 * the reply's defaults. */
int
reply_audience(struct node *n, const uint8_t parent[32], int all,
    struct parent_info *p)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT direction, sender_state, to_states,"
	    " subject, tlp FROM messages WHERE id = ?");
	json_t *states = NULL, *v;
	size_t i;
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, parent, 32, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rs_seterr("no such message");
		goto out;
	}
	const char *dir = (const char *)sqlite3_column_text(st, 0);
	const char *from = (const char *)sqlite3_column_text(st, 1);
	const char *tos = (const char *)sqlite3_column_text(st, 2);
	const char *subj = (const char *)sqlite3_column_text(st, 3);
	const char *tlp = (const char *)sqlite3_column_text(st, 4);
	p->to[0] = '\0';
	if (strcmp(dir, "in") == 0)
		snprintf(p->to, sizeof(p->to), "%s", from);
	if ((strcmp(dir, "out") == 0 || all) && tos != NULL &&
	    (states = jparse(tos, strlen(tos))) != NULL) {
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
	subj = subj != NULL ? subj : "";
	snprintf(p->subject, sizeof(p->subject), "%s%s",
	    strncmp(subj, "Re: ", 4) == 0 ? "" : "Re: ", subj);
	snprintf(p->tlp, sizeof(p->tlp), "%s", tlp != NULL && one_of(tlp, tlps) ?
	    tlp : "AMBER");
	rc = 0;
out:
	json_decref(states);
	sqlite3_finalize(st);
	return rc;
}

int
cmd_reply(int argc, char **argv)
{
	struct node n = {0};
	struct outgoing out;
	struct parent_info p;
	struct body_args a;
	struct buf body = {0};
	struct opts o;
	const char *idp, *attach[BLOB_MAX_ATTACH + 1];
	uint8_t id[32], parent[32];
	int rc, all;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	outgoing_init(&out);
	body_opts(&o, &a);
	attach_opts(&o, &out, attach);
	all = opt_flag(&o, "--all");
	idp = opt_positional(&o);
	rc = opts_finish(&o, "reply");
	opts_free(&o);
	if (rc != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (idp == NULL) {
		rc = usage_error("reply", "which message? give its ID");
		goto out;
	}
	if (out.nattach > BLOB_MAX_ATTACH) {
		rc = usage_error("reply", "at most %d --attach files", BLOB_MAX_ATTACH);
		goto out;
	}
	if ((rc = body_check("reply", &a, &body, 0)) != 0)
		goto out;
	if (node_open(&n, 1) != 0 || store_find_message(&n, idp, parent) != 0 ||
	    reply_audience(&n, parent, all, &p) != 0)
		goto failed;
	out.to = p.to;
	out.parent = parent;
	out.urgency = a.urgency != NULL ? a.urgency : "routine";
	if (a.subject == NULL)
		a.subject = p.subject;
	if (a.tlp == NULL)
		a.tlp = p.tlp;
	if (a.lang == NULL)
		a.lang = "en";
	fill_payload(out.payload, &a, &body);
	if (message_send(&n, &out, id) == 0)
		goto out;
failed:
	rc = fail("reply");
out:
	wipe(&body);
	outgoing_free(&out);
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
