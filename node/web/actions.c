/*
 * actions.c - the local API's endpoints that sign or change something
 * (docs/node-api.md): send, acknowledge, forward, consultation steps and
 * agreements, communication checks, and the account's settings.
 *
 * Everything signed is signed by node/core (message.c, ack.c, forward.c,
 * consult.c, checks.c) with the key of the session that asks
 * (web_with_key): what a user signs in the browser is signed with the key
 * their sign-in unsealed.  The body was checked to be a JSON object sent
 * as application/json with the session's CSRF token (server.c, auth.c);
 * each action checks its fields and answers 400 naming the wrong one.
 */
#include "web_impl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/ack.h"
#include "core/alert.h"
#include "core/audience.h"
#include "core/checks.h"
#include "core/consult.h"
#include "core/forward.h"
#include "core/message.h"
#include "core/outbox.h"
#include "core/payload.h"
#include "core/procnode.h"
#include "core/store.h"
#include "catalogue.h"
#include "jsonutil.h"

/* ---- acknowledge ------------------------------------------------------------ */

struct ack_arg {
	struct web *w;
	const uint8_t *id;
	const char *note;
	enum ack_result rc;
	uint8_t acked[32];
};

static int
do_ack(void *p)
{
	struct ack_arg *a = p;

	a->rc = ack_message(a->w->n, a->id, a->note, a->acked);
	return a->rc == ACK_SIGNED ? 0 : -1;
}

/* POST /api/messages/ID/ack {"note"?}: this State acknowledges message ID;
 * on an overdue notice, the message the notice names (ack.h).  The answer
 * says which ("original" when it was the notice's). */
void
act_ack(const struct call *c, struct http_resp *resp)
{
	struct ack_arg a = { c->w, c->id, jstr(c->body, "note"), ACK_FAILED, {0} };
	json_t *j;

	if (a.note != NULL && strlen(a.note) > 2000) {
		web_refuse(resp, 400, "too-long", "the note is too long (at most 2000 bytes)");
		return;
	}
	if (web_with_key(c->w, c->who, do_ack, &a) != 0) {
		switch (a.rc) {
		case ACK_NOT_RECEIVED:
			web_refuse(resp, 404, "not-received", "no received message with this id:"
			    " only recipients acknowledge");
			break;
		case ACK_ALREADY:
			web_refuse(resp, 409, "already-acknowledged", "%s", rs_err());
			break;
		default:
			http_resp_error(resp, 500, "cannot acknowledge: %s", rs_err());
		}
		return;
	}
	*c->queued = 1;
	j = json_pack("{s:b,s:b,s:o}", "acknowledged", 1, "queued", 1, "id", jhex(a.acked, 32));
	if (memcmp(a.acked, c->id, 32) != 0)
		json_object_set_new(j, "original", json_true());
	http_resp_json(resp, 200, j);
}

/* ---- send ------------------------------------------------------------------------ */

struct send_arg {
	struct web *w;
	struct outgoing out;
	const char *tpl;		/* a catalogue template, or NULL */
	const char *kv[65];		/* its fields as "name=value" */
	size_t nkv;
	char kvbuf[65][2048];
	uint8_t id[32];
	uint8_t parent[32];		/* "reply_to": the thread's parent */
	int forward;			/* forward_send instead of message_send */
	uint8_t orig[32];
	const char *note;
	struct sent r;
	enum forward_result forwarded;
	enum tlp_rule rule;
	const char *refused, *field;	/* the template refused a field: why */
};

static int
do_send(void *p)
{
	struct send_arg *s = p;

	if (s->forward) {
		s->forwarded = forward_send(s->w->n, s->orig, s->out.to, s->out.roles, s->note,
		    jstr(s->out.payload, "lang"), s->id, &s->r, &s->rule);
		return s->forwarded == FORWARD_SENT ? 0 : -1;
	}
	if (s->tpl != NULL && message_fill_template(s->w->n, s->tpl, s->kv, s->nkv,
	    jstr(s->out.payload, "lang"), s->out.payload) != 0) {
		s->refused = catalogue_fill_refusal(&s->field);
		if (s->refused == NULL)
			s->refused = "unknown-template";
		return -1;
	}
	return message_send(s->w->n, &s->out, s->id, &s->r);
}

/* Answers with the message just made: its id, and its log index unless it
 * waits in the outbox. */
static void
sent_result(const struct call *c, struct http_resp *resp, const uint8_t id[32])
{
	struct web *w = c->w;
	struct msg_row m;
	json_t *j;

	if (store_message_get(w->n, id, &m) != STORE_OK) {
		http_resp_error(resp, 500, "the message was made but cannot be read back");
		return;
	}
	j = json_pack("{s:o,s:b}", "id", jhex(id, 32), "queued", !m.has_index);
	*c->queued = 1;
	if (m.has_index)
		json_object_set_new(j, "index", json_integer(m.index));
	msg_row_free(&m);
	http_resp_json(resp, 200, j);
}

/* "to" as a JSON array of State codes, "group:NAME" or "all", joined
 * "XB,group:forum" into out. */
static int
states_list(json_t *to, char *out, size_t len)
{
	json_t *v;
	size_t i, used = 0;

	if (!json_is_array(to) || json_array_size(to) == 0 || json_array_size(to) > 64) {
		rs_seterr("\"to\" must list 1 to 64 State codes");
		return -1;
	}
	out[0] = '\0';
	json_array_foreach(to, i, v) {
		const char *s = json_string_value(v);
		char code[3];
		if (vocab_state_norm(s, code) == 0)
			s = code;			/* "fr" is FR */
		if (s == NULL || (!valid_state(s) && strcmp(s, "all") != 0 &&
		    (strncmp(s, "group:", 6) != 0 || strlen(s) > 6 + 31))) {
			rs_seterr("\"to\" item %zu is not a State code (two capital letters),"
			    " group:NAME or all", i);
			return -1;
		}
		if (used + strlen(s) + 2 >= len) {
			rs_seterr("\"to\" is too long");
			return -1;
		}
		used += (size_t)snprintf(out + used, len - used, "%s%s", i ? "," : "", s);
	}
	return 0;
}

/* The template's own fields, given in the request as "NAME": "value" (or
 * a list of values), become "NAME=value" pairs for catalogue_fill. */
static int
template_fields(json_t *j, struct send_arg *s, char *err, size_t errlen)
{
	json_t *fields = json_object_get(j, "fields"), *v, *x;
	const char *k;
	size_t i;

	if (fields == NULL)
		return 0;
	if (!json_is_object(fields)) {
		snprintf(err, errlen, "\"fields\" must be an object of NAME: value");
		return -1;
	}
	json_object_foreach(fields, k, v) {
		json_t *list = json_is_array(v) ? v : NULL;
		for (i = 0; i < (list ? json_array_size(list) : 1); i++) {
			x = list ? json_array_get(list, i) : v;
			if (!json_is_string(x)) {
				snprintf(err, errlen, "field \"%.40s\" must be text", k);
				s->field = k;
				return -1;
			}
			if (strlen(k) + 1 + strlen(json_string_value(x)) >= sizeof(s->kvbuf[0])) {
				snprintf(err, errlen, "field \"%.40s\" is too long (at most %zu"
				    " bytes)", k, sizeof(s->kvbuf[0]) - strlen(k) - 2);
				s->field = k;
				s->refused = "too-long";
				return -1;
			}
			if (*json_string_value(x) == '\0')
				continue;
			if (s->nkv >= 64) {
				snprintf(err, errlen, "too many field values (at most 64)");
				return -1;
			}
			snprintf(s->kvbuf[s->nkv], sizeof(s->kvbuf[0]), "%s=%s", k,
			    json_string_value(x));
			s->kv[s->nkv] = s->kvbuf[s->nkv];
			s->nkv++;
		}
	}
	return 0;
}

/* Refuses field (NULL: none) for code, in err. */
static int
refuse_field(struct send_arg *s, const char *field, const char *code, char *err,
    size_t errlen, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int
refuse_field(struct send_arg *s, const char *field, const char *code, char *err,
    size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	s->refused = code;
	s->field = field != NULL ? field : "";
	return -1;
}

static int
send_checks(json_t *j, struct send_arg *s, char *to, size_t tolen, char *err,
    size_t errlen)
{
	const char *tpl = jstr(j, "template"), *subject = jstr(j, "subject");
	const char *body = jstr(j, "body"), *urgency, *tlp, *lang, *roles = jstr(j, "roles");

	if (tpl != NULL && strcmp(tpl, "free-text") != 0)
		s->tpl = tpl;
	if (states_list(json_object_get(j, "to"), to, tolen) != 0)
		return refuse_field(s, "to", "bad-audience", err, errlen, "%s", rs_err());
	s->out.to = to;
	/* lib/vocab.h: "amber" and "TLP:AMBER" are AMBER, "FR" is fr. */
	urgency = vocab_urgency_norm(jstr(j, "urgency") ? jstr(j, "urgency") : "routine");
	tlp = vocab_tlp_norm(jstr(j, "tlp") ? jstr(j, "tlp") : "AMBER");
	lang = vocab_lang_norm(jstr(j, "lang") ? jstr(j, "lang") : "en");
	if (s->tpl == NULL && (subject == NULL || *subject == '\0'))
		return refuse_field(s, "subject", "field-required", err, errlen,
		    "\"subject\" is required (1 to %d bytes)", MSG_SUBJECT_MAX);
	if (subject != NULL && strlen(subject) > MSG_SUBJECT_MAX)
		return refuse_field(s, "subject", "too-long", err, errlen,
		    "\"subject\" is too long (at most %d bytes)", MSG_SUBJECT_MAX);
	if (s->tpl == NULL && body == NULL)
		return refuse_field(s, "body", "field-required", err, errlen,
		    "\"body\" is required (at most %u KiB)", MSG_BODY_MAX >> 10);
	if (body != NULL && strlen(body) > MSG_BODY_MAX)
		return refuse_field(s, "body", "too-long", err, errlen,
		    "\"body\" is too long (at most %u KiB)", MSG_BODY_MAX >> 10);
	if (urgency == NULL)
		return refuse_field(s, "urgency", "not-a-code", err, errlen,
		    "\"urgency\" must be flash, urgent, priority or routine");
	if (tlp == NULL)
		return refuse_field(s, "tlp", "not-a-code", err, errlen,
		    "\"tlp\" must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
	if (lang == NULL)
		return refuse_field(s, "lang", "not-a-code", err, errlen,
		    "\"lang\" must be one of ar, en, es, fr, ru, zh");
	if (roles != NULL && audience_check_roles(roles) != 0)
		return refuse_field(s, "roles", "not-a-code", err, errlen, "\"roles\": %s",
		    rs_err());
	if (template_fields(j, s, err, errlen) != 0) {
		if (s->refused == NULL)
			s->refused = "bad-value";
		return -1;
	}
	s->out.urgency = urgency;
	s->out.roles = roles;
	/* the sender ticked "include unconfirmed devices" (audience.h) */
	s->out.unconfirmed = json_is_true(json_object_get(j, "unconfirmed"));
	if (subject != NULL && *subject != '\0')
		json_object_set_new(s->out.payload, "subject", json_string(subject));
	json_object_set_new(s->out.payload, "body", json_string(body ? body : ""));
	json_object_set_new(s->out.payload, "tlp", json_string(tlp));
	json_object_set_new(s->out.payload, "lang", json_string(lang));
	if (json_is_true(json_object_get(j, "no_forward")))
		json_object_set_new(s->out.payload, "no_forward", json_true());
	if (json_is_true(json_object_get(j, "consultation")))
		json_object_set_new(s->out.payload, "consultation",
		    json_pack("{s:s}", "step", "request"));
	if (jstr(j, "reply_to") != NULL) {
		if (store_message_find(s->w->n, jstr(j, "reply_to"), s->parent) != 0)
			return refuse_field(s, "reply_to", "no-such-message", err, errlen,
			    "\"reply_to\": %s", rs_err());
		s->out.parent = s->parent;
	}
	/* The limits every node applies (node/core/payload.h). */
	if (message_validate(s->out.payload) != 0)
		return refuse_field(s, NULL, "bad-value", err, errlen, "%s", rs_err());
	return 0;
}

void
act_send(const struct call *c, struct http_resp *resp)
{
	struct send_arg *s = xcalloc(1, sizeof(*s));
	char to[1024], err[256];

	s->w = c->w;
	outgoing_init(&s->out);
	if (send_checks(c->body, s, to, sizeof(to), err, sizeof(err)) != 0)
		web_refuse_with(resp, 400, s->refused, s->field != NULL && *s->field ?
		    json_pack("{s:s}", "field", s->field) : NULL, "%s", err);
	else if (web_with_key(c->w, c->who, do_send, s) != 0) {
		if (s->refused != NULL)	/* the template refused a field */
			web_refuse_with(resp, 400, s->refused, *s->field ? json_pack("{s:s}",
			    "field", s->field) : NULL, "%s", rs_err());
		else
			web_refuse(resp, 422, "not-sent", "not sent: %s", rs_err());
	} else
		sent_result(c, resp, s->id);
	outgoing_free(&s->out);
	sodium_memzero(s, sizeof(*s));
	free(s);
}

/* ---- consultations (node/core/consult.c) -------------------------------------- */

/* A step in the thread of a request, or the signed agreement to the other
 * side's outcome. */
struct consult_arg {
	struct web *w;
	uint8_t id[32], newid[32];
	const char *step, *text;
	int agree, queued, ran;
	enum consult_result res;
	struct sent r;
};

static int
do_consult(void *p)
{
	struct consult_arg *c = p;

	c->ran = 1;
	if (c->agree)
		c->res = consult_agree_to(c->w->n, c->id, c->text, &c->queued);
	else
		c->res = consult_reply(c->w->n, c->id, c->step, c->text, c->newid, &c->r);
	return c->res == CONSULT_OK ? 0 : -1;
}

/* The status each refusal is answered with: the request's fault (400),
 * no such message (404), a step the thread does not allow (409), a step
 * that could not be sent (422), the store (500). */
static int
consult_status(enum consult_result r)
{
	switch (r) {
	case CONSULT_BAD_STEP:
	case CONSULT_TEXT_REQUIRED:
		return 400;
	case CONSULT_NOT_FOUND:
		return 404;
	case CONSULT_NOT_REQUEST:
	case CONSULT_OWN_REQUEST:
	case CONSULT_NOT_OUTCOME:
	case CONSULT_ALREADY_AGREED:
		return 409;
	case CONSULT_NOT_SENT:
		return 422;
	case CONSULT_OK:
	case CONSULT_STORE:
		break;
	}
	return 500;
}

static void
consult_action(const struct call *call, int agree, struct http_resp *resp)
{
	struct consult_arg c;

	memset(&c, 0, sizeof(c));
	c.w = call->w;
	memcpy(c.id, call->id, 32);
	c.agree = agree;
	c.step = jstr(call->body, "step");
	c.text = jstr(call->body, c.agree ? "note" : "body");
	if (!c.agree && c.step == NULL) {
		web_refuse(resp, 400, "bad-step", "\"step\" is required: accept, decline, "
		    "propose or outcome");
		return;
	}
	if (c.text != NULL && strlen(c.text) > MSG_BODY_MAX) {
		web_refuse(resp, 400, "too-long", "the text is too long (at most %u KiB)",
		    MSG_BODY_MAX >> 10);
		return;
	}
	if (web_with_key(call->w, call->who, do_consult, &c) != 0) {
		if (!c.ran)	/* the session ended under us */
			web_refuse(resp, 401, "session-ended", "%s", rs_err());
		else
			web_refuse(resp, consult_status(c.res), consult_result_code(c.res),
			    "%s", rs_err());
	} else if (c.agree) {
		*call->queued = 1;
		http_resp_json(resp, 200, json_pack("{s:b,s:b}", "agreed", 1, "queued", c.queued));
	}
	else
		sent_result(call, resp, c.newid);
}

void
act_consult(const struct call *c, struct http_resp *resp)
{
	consult_action(c, 0, resp);
}

void
act_agree(const struct call *c, struct http_resp *resp)
{
	consult_action(c, 1, resp);
}

/* ---- forward ---------------------------------------------------------------------- */

/* Forwarding: node/core/forward.c checks the original's TLP label and the
 * sender's wish (tlp.c) and sends the original itself, verifiable by each
 * recipient; a refusal is 403 with the rule in plain words. */
void
act_forward(const struct call *c, struct http_resp *resp)
{
	struct send_arg *s = xcalloc(1, sizeof(*s));
	json_t *j = c->body;
	char to[1024];
	int rc;

	s->w = c->w;
	outgoing_init(&s->out);
	if (states_list(json_object_get(j, "to"), to, sizeof(to)) != 0) {
		http_resp_error(resp, 400, "%s", rs_err());
		goto out;
	}
	s->forward = 1;
	memcpy(s->orig, c->id, 32);
	s->out.to = to;
	s->out.roles = jstr(j, "roles");
	s->note = jstr(j, "note");
	json_object_set_new(s->out.payload, "lang", json_string(web_lang_ok(jstr(j, "lang")) ?
	    jstr(j, "lang") : "en"));
	s->forwarded = FORWARD_FAILED;
	rc = web_with_key(c->w, c->who, do_send, s);
	if (rc != 0 && s->forwarded == FORWARD_FORBIDDEN)
		web_refuse_with(resp, 403, "forward-refused", json_pack("{s:b,s:s}", "refused", 1,
		    "rule", tlp_rule_code(s->rule)), "%s", rs_err());
	else if (rc != 0)
		http_resp_error(resp, 422, "not forwarded: %s", rs_err());
	else
		sent_result(c, resp, s->id);
out:
	outgoing_free(&s->out);
	sodium_memzero(s, sizeof(*s));
	free(s);
}

/* ---- communication checks (node/core/checks.c) ------------------------------------ */

struct check_arg {
	struct web *w;
	const char *to, *roles, *deadline, *check;	/* check: answer it */
	uint8_t id[32];
	enum checks_answer answer;
};

static int
do_check(void *p)
{
	struct check_arg *c = p;
	int64_t answered, deadline;

	if (c->check == NULL)
		return checks_sign_start(c->w->n, c->to, c->roles, c->deadline, NULL, NULL,
		    c->id, NULL, NULL);
	c->answer = checks_sign_answer(c->w->n, c->check, c->id, &answered, &deadline);
	return c->answer == CHECKS_ANSWER_SIGNED ? 0 : -1;
}

/* POST /api/checks {"to"?,"deadline"?,"roles"?}: start a check (default:
 * all, 24h).  POST /api/checks/ID/answer {}: answer check ID. */
static void
check_action(const struct call *call, const char *check, struct http_resp *resp)
{
	struct check_arg c = { .w = call->w, .to = jstr(call->body, "to"),
	    .roles = jstr(call->body, "roles"), .deadline = jstr(call->body, "deadline"),
	    .check = check, .answer = CHECKS_ANSWER_FAILED };
	char *hex;

	if (c.to == NULL)
		c.to = "all";
	if (c.deadline == NULL)
		c.deadline = "24h";
	if (web_with_key(call->w, call->who, do_check, &c) != 0) {
		http_resp_error(resp, c.answer == CHECKS_ANSWER_ALREADY ? 409 :
		    c.answer == CHECKS_ANSWER_NOT_ASKED ? 403 :
		    c.check != NULL ? 404 : 400, "%s", rs_err());
		return;
	}
	*call->queued = 1;
	hex = hex_encode(c.id, 32);
	http_resp_json(resp, 200, json_pack("{s:s,s:b}", "id", hex, "queued", 1));
	free(hex);
}

void
act_check_start(const struct call *c, struct http_resp *resp)
{
	check_action(c, NULL, resp);
}

void
act_check_answer(const struct call *c, struct http_resp *resp)
{
	if (strlen(c->param) > 64) {
		http_resp_error(resp, 404, "no such action: POST %s", c->req->path);
		return;
	}
	check_action(c, c->param, resp);
}

/* ---- settings ---------------------------------------------------------------------- */

void
act_settings(const struct call *c, struct http_resp *resp)
{
	struct web *web = c->w;
	const struct who *w = c->who;
	json_t *j = c->body;
	const char *lang = jstr(j, "lang"), *email = jstr(j, "email");

	if (lang != NULL && !web_lang_ok(lang)) {
		web_refuse(resp, 400, "bad-lang", "\"lang\" must be one of ar, en, es, fr, ru, zh");
		return;
	}
	if (email != NULL && *email && vocab_email_check("\"email\"", email) != 0) {
		web_refuse(resp, 400, "bad-email", "%s", rs_err());
		return;
	}
	if (!w->account && email != NULL && *email) {
		web_refuse(resp, 400, "needs-account", "alert e-mail needs an account (`roster user add`)");
		return;
	}
	if ((w->account ? store_account_set_prefs(web->n, w->s.user, lang, email) :
	    lang ? store_meta_set_text(web->n, "web_lang", lang) : 0) != 0) {
		web_refuse(resp, 500, "store-failed", "cannot save the settings: %s", rs_err());
		return;
	}
	/* The account's alert address is where this node's e-mail alerts go
	 * (one POC per node); the mail server stays the administrator's
	 * `roster alerts set --smtp`. */
	if (w->account && email != NULL && *email &&
	    strcmp(email, web->n->cfg.alert_email) != 0) {
		if (vocab_email_check("the alert address", email) != 0) {
			web_refuse(resp, 400, "bad-email", "%s", rs_err());
			return;
		}
		snprintf(web->n->cfg.alert_email, sizeof(web->n->cfg.alert_email), "%s", email);
		if (config_save(web->n) != 0) {
			web_refuse(resp, 500, "store-failed", "cannot save the alert address: %s", rs_err());
			return;
		}
	}
	if (w->account && lang != NULL)
		ws_session_set_lang(web->sessions, w->token, lang);
	struct who w2 = *w;
	if (lang != NULL)
		snprintf(w2.s.lang, sizeof(w2.s.lang), "%s", lang);
	http_resp_json(resp, 200, settings_json(web, &w2));
}

/* ---- the process ------------------------------------------------------------------ */

struct position_arg {
	struct web *w;
	const char *prefix;
	const char *stance, *reason;
	uint8_t id[32];
	int known;		/* the matter is in the verified records */
};

static int
do_position(void *ud)
{
	struct position_arg *a = ud;
	struct procnode pn;
	uint8_t ref[32];
	int rc = -1;

	if (procnode_load(a->w->n, &pn) != 0)
		return -1;
	if (procnode_find_matter(&pn, a->prefix, ref) == 0) {
		a->known = 1;
		rc = procnode_position(a->w->n, &pn, ref, a->stance, a->reason,
		    a->reason != NULL ? strlen(a->reason) : 0, a->id);
	}
	procnode_free(&pn);
	return rc;
}

/* POST /api/process/ID/position {"stance": "object"|"support", "reason"?:
 * text}: this State's position on proposal or application ID (a unique
 * prefix of 8 or more hex digits), checked by the rules on the records
 * this node verified (404 for a matter it does not know, 409 with the
 * rule's words, nothing signed), then queued for the hub like every web
 * action; the reason, optional, sealed to those the body shows objections
 * to. */
void
act_position(const struct call *c, struct http_resp *resp)
{
	struct position_arg a = { .w = c->w, .prefix = c->param,
	    .stance = jstr(c->body, "stance"), .reason = jstr(c->body, "reason") };
	char *hex;

	if (a.stance == NULL || (strcmp(a.stance, "object") != 0 &&
	    strcmp(a.stance, "support") != 0)) {
		http_resp_error(resp, 400, "\"stance\" must be \"object\" or \"support\"");
		return;
	}
	if (a.reason != NULL && (*a.reason == '\0' || strlen(a.reason) > 65536 ||
	    strcmp(a.stance, "object") != 0)) {
		http_resp_error(resp, 400, "\"reason\" goes with an objection, 1 to "
		    "65,536 bytes");
		return;
	}
	if (web_with_key(c->w, c->who, do_position, &a) != 0) {
		http_resp_error(resp, !a.known ? 404 : 409, "%s", rs_err());
		return;
	}
	*c->queued = 1;
	hex = hex_encode(a.id, 32);
	http_resp_json(resp, 200, json_pack("{s:s,s:b}", "id", hex, "queued", 1));
	free(hex);
}

struct withdraw_arg {
	struct web *w;
	const char *prefix;
	uint8_t id[32];
	int known;
};

static int
do_withdraw(void *ud)
{
	struct withdraw_arg *a = ud;
	struct procnode pn;
	uint8_t ref[32];
	int rc = -1;

	if (procnode_load(a->w->n, &pn) != 0)
		return -1;
	if (procnode_find_matter(&pn, a->prefix, ref) == 0) {
		json_t *hdr = json_pack("{s:s,s:o}", "kind", "withdraw", "ref",
		    jhex(ref, 32));
		a->known = 1;
		rc = procnode_sign(a->w->n, &pn, hdr, "{}", a->id);
		json_decref(hdr);
	}
	procnode_free(&pn);
	return rc;
}

/* POST /api/process/ID/withdraw {}: this State withdraws proposal ID (a
 * unique prefix of 8 or more hex digits), as `roster withdraw` does: the
 * rule (lib's proc_may_withdraw: the proposer or the Chair, before the
 * deadline) checked on the records this node verified (404 for a matter it
 * does not know, 409 with the rule's words, nothing signed), then queued
 * for the hub. */
void
act_withdraw(const struct call *c, struct http_resp *resp)
{
	struct withdraw_arg a = { .w = c->w, .prefix = c->param };
	char *hex;

	if (web_with_key(c->w, c->who, do_withdraw, &a) != 0) {
		http_resp_error(resp, !a.known ? 404 : 409, "%s", rs_err());
		return;
	}
	*c->queued = 1;
	hex = hex_encode(a.id, 32);
	http_resp_json(resp, 200, json_pack("{s:s,s:b}", "id", hex, "queued", 1));
	free(hex);
}
