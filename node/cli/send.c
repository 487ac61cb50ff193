/*
 * send.c - roster send, reply and ack: what a POC writes and signs.
 *
 * These commands turn flags into a payload and an audience; node/core's
 * message.c does the signing, sealing and storing for all of them, ack.c
 * the acknowledgement.  A message is encrypted
 * on the sender's node to every current device of the audience as the
 * verified directory lists them; the hub only ever sees the sealed payload.
 * A reply names its parent inside the payload, so the thread is signed but
 * not shown to the hub.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "blob.h"
#include "core/ack.h"
#include "core/audience.h"
#include "core/checks.h"
#include "core/message.h"
#include "core/outbox.h"
#include "core/payload.h"
#include "core/stixsend.h"
#include "core/store.h"
#include "jsonutil.h"

#define SEND_MAX_FIELDS 64

/* --attach FILE (repeatable) and --progress into out; files has room for
 * BLOB_MAX_ATTACH + 1 (out->nattach over BLOB_MAX_ATTACH: too many). */
static void
attach_opts(struct opts *o, struct outgoing *out, const char **files,
    struct progress_bar *bar)
{
	out->nattach = 0;
	while (out->nattach <= BLOB_MAX_ATTACH &&
	    (files[out->nattach] = opt_value(o, "--attach")) != NULL)
		out->nattach++;
	out->attach = files;
	out->progress = progress_bar(bar, opt_flag(o, "--progress"));
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

/* Checks the flags, puts urgency, TLP and language in canonical form
 * ("amber", "TLP:AMBER" -> AMBER; lib/vocab.h) and reads the body; 0, or
 * EXIT_USAGE after a message.  With a template the body is an optional
 * note beside the fields. */
static int
body_check(const char *cmd, struct body_args *a, struct buf *body, int templated)
{
	if (a->body != NULL && a->body_file != NULL)
		return usage_error(cmd, "give only one of --body-file FILE and --body TEXT");
	if (!templated && a->body == NULL && a->body_file == NULL)
		return usage_error(cmd, "give --body TEXT, --body-file FILE or --template NAME");
	if (a->urgency != NULL && (a->urgency = vocab_urgency_norm(a->urgency)) == NULL)
		return usage_error(cmd, "--urgency must be flash, urgent, priority or routine");
	if (a->tlp != NULL && (a->tlp = vocab_tlp_norm(a->tlp)) == NULL)
		return usage_error(cmd, "--tlp must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
	if (a->lang != NULL && (a->lang = vocab_lang_norm(a->lang)) == NULL)
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

/* The payload from the flags, checked with the limits every node applies
 * (node/core/payload.h) before anything is opened or signed; 0, or
 * EXIT_USAGE after a message. */
static int
fill_payload(const char *cmd, json_t *m, const struct body_args *a,
    const struct buf *body)
{
	json_t *b = json_stringn(body->p ? (const char *)body->p : "", body->len);
	json_t *s = a->subject != NULL ? json_string(a->subject) : NULL;

	if (b == NULL || (a->subject != NULL && s == NULL)) {
		json_decref(b);
		json_decref(s);
		return usage_error(cmd, "the %s must be UTF-8 text", b == NULL ? "body" :
		    "subject");
	}
	if (s != NULL)
		json_object_set_new(m, "subject", s);
	json_object_set_new(m, "body", b);
	json_object_set_new(m, "tlp", json_string(a->tlp));
	json_object_set_new(m, "lang", json_string(a->lang));
	if (a->no_forward)
		json_object_set_new(m, "no_forward", json_true());
	if (message_validate(m) != 0)
		return usage_error(cmd, "%s", rs_err());
	return 0;
}

static void
wipe(struct buf *b)
{
	if (b->p != NULL)
		sodium_memzero(b->p, b->len);
	buf_free(b);
}

int
cmd_send(int argc, char **argv)
{
	struct node n = {0};
	struct outgoing out;
	struct body_args a;
	struct buf body = {0};
	struct opts o;
	const char *reply_to, *tpl, *stix, *kv[SEND_MAX_FIELDS + 1];
	const char *attach[BLOB_MAX_ATTACH + 1];
	uint8_t id[32], parent[32];
	struct progress_bar bar;
	struct sent r;
	size_t nkv = 0;
	char *to = NULL;
	int rc;

	if ((rc = cli_parse(&o, &doc_send, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	outgoing_init(&out);
	out.to = opt_value(&o, "--to");
	out.roles = opt_value(&o, "--role");
	out.unconfirmed = opt_flag(&o, "--unconfirmed");
	reply_to = opt_value(&o, "--reply-to");
	tpl = opt_value(&o, "--template");
	stix = opt_value(&o, "--stix");
	while (nkv <= SEND_MAX_FIELDS && (kv[nkv] = opt_value(&o, "--field")) != NULL)
		nkv++;
	body_opts(&o, &a);
	attach_opts(&o, &out, attach, &bar);
	if ((rc = cli_finish(&o)) != 0)
		goto out;
	if (out.to != NULL)	/* "xb, group:forum" -> "XB,group:forum" */
		out.to = to = vocab_audience_norm(out.to);
	if (stix != NULL) {	/* stix.c: the text and fields come from the bundle */
		if (a.tlp != NULL && vocab_tlp_norm(a.tlp) != NULL)	/* amber is AMBER */
			a.tlp = vocab_tlp_norm(a.tlp);
		if (a.urgency != NULL && vocab_urgency_norm(a.urgency) != NULL)
			a.urgency = vocab_urgency_norm(a.urgency);
		struct stix_send ss = { a.subject, a.tlp, a.lang, kv, nkv, NULL, 0,
		    a.no_forward };
		if (tpl != NULL || a.body != NULL || a.body_file != NULL || out.to == NULL ||
		    nkv > SEND_MAX_FIELDS || (a.urgency != NULL && urgency_index(a.urgency) < 0) ||
		    out.nattach > BLOB_MAX_ATTACH ||
		    (out.roles != NULL && audience_check_roles(out.roles) != 0)) {
			rc = usage_error("send", "--stix FILE takes --to, and maybe --subject, "
			    "--field, --tlp, --lang, --urgency, --role, --attach; the text and "
			    "the template come from the bundle");
			goto out;
		}
		out.urgency = a.urgency != NULL ? a.urgency : "routine";
		rc = send_stix(&n, &out, stix, &ss, reply_to);
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
	if ((rc = body_check("send", &a, &body, tpl != NULL || out.nattach > 0)) != 0 ||
	    (rc = fill_payload("send", out.payload, &a, &body)) != 0)
		goto out;
	out.urgency = a.urgency;
	if (node_open(&n, 1) != 0)
		goto failed;
	if (tpl != NULL && message_fill_template(&n, tpl, kv, nkv, a.lang, out.payload) != 0)
		goto failed;
	if (reply_to != NULL) {
		if (store_message_find(&n, reply_to, parent) != 0)
			goto failed;
		out.parent = parent;
	}
	if (message_send(&n, &out, id, &r) == 0) {
		print_sent(&n, id, &r);
		goto out;
	}
failed:
	rc = fail("send");
out:
	wipe(&body);
	outgoing_free(&out);
	free(to);
	node_close(&n);
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
	struct progress_bar bar;
	struct sent r;
	int rc, all;

	if ((rc = cli_parse(&o, &doc_reply, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	outgoing_init(&out);
	body_opts(&o, &a);
	attach_opts(&o, &out, attach, &bar);
	all = opt_flag(&o, "--all");
	idp = opt_positional(&o);
	if ((rc = cli_finish(&o)) != 0)
		goto out;
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
	if (node_open(&n, 1) != 0 || store_message_find(&n, idp, parent) != 0 ||
	    message_reply_audience(&n, parent, all, &p) != 0)
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
	if ((rc = fill_payload("reply", out.payload, &a, &body)) != 0)
		goto out;
	if (message_send(&n, &out, id, &r) == 0) {
		print_sent(&n, id, &r);
		goto out;
	}
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
	const char *note, *idp;
	uint8_t id[32];
	char sid[17];
	int rc = 1;

	if ((rc = cli_parse(&o, &doc_ack, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	note = opt_value(&o, "--note");
	idp = opt_positional(&o);
	if ((rc = cli_finish(&o)) != 0 ||
	    (idp == NULL && (rc = usage_error("ack", "which message? give its ID")) != 0)) {
		node_close(&n);
		return rc;
	}
	rc = 1;
	if (node_open(&n, 1) != 0) {
		rc = fail("ack");
		goto out;
	}
	if (checks_is_check(&n, idp)) {		/* a communication check */
		rc = checks_answer_print(&n, idp) == 0 ? 0 : fail("ack");
		goto out;
	}
	if (store_message_find(&n, idp, id) != 0) {
		rc = fail("ack");
		goto out;
	}
	switch (ack_message(&n, id, note, NULL)) {
	case ACK_SIGNED:
		break;
	case ACK_NOT_RECEIVED:
		fprintf(stderr, "roster ack: %s is a message this node sent; only recipients"
		    " acknowledge\n", idp);
		goto out;
	case ACK_ALREADY:
		short_id(sid, id);
		printf("%s was already acknowledged; no second acknowledgement signed "
		    "(roster show %s)\n", sid, sid);
		rc = 0;
		goto out;
	default:
		rc = fail("ack");
		goto out;
	}
	short_id(sid, id);
	if (node_served(&n))	/* its loop sends it: no wait on the hub here */
		printf("acknowledgement of %s queued; roster serve, running on this node, "
		    "sends it with its next pass\n", sid);
	else if (outbox_flush(&n, NULL) != 0)
		printf("acknowledgement of %s queued (%s); it goes with the next sync\n", sid,
		    rs_err());
	else
		printf("acknowledged %s\n", sid);
	rc = 0;
out:
	node_close(&n);
	return rc;
}
