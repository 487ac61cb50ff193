/*
 * views.c - the local API's read-only endpoints (docs/node-api.md): inbox,
 * sent messages, one message with its verification and thread, an
 * attachment, who an audience reaches, templates, directory, trust,
 * settings, the live-update counters, response statistics and checks.
 *
 * Every answer is built from the node's store, which holds only what
 * passed verification (node/core), under the serve lock (server.c takes
 * it).  What a page says about verification is re-checked against the
 * bytes on disk now (the stored envelope's signature).
 *
 * Live updates.  GET /api/events answers a version string made from the
 * store's counters (messages, acknowledgements, alarms, checkpoint size,
 * log records such as communication checks and their answers); the page
 * polls it every second or two and reloads its data when it moves.  The
 * sync loop needs no hook for that, and a poll costs one query.
 */
#include "web_impl.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "core/accounts.h"
#include "core/attach.h"
#include "core/audience.h"
#include "core/catalogue_node.h"
#include "core/checks.h"
#include "core/consult.h"
#include "core/payload.h"
#include "core/store.h"
#include "core/views.h"
#include "jsonutil.h"
#include "seal.h"

/* A view's answer: 200 with j, or 500 when it could not be built. */
static void
answer(struct http_resp *resp, json_t *j)
{
	if (j == NULL)
		http_resp_error(resp, 500, "cannot read the store: %s", rs_err());
	else
		http_resp_json(resp, 200, j);
}

/* ---- session, countries, health ------------------------------------------ */

void
view_session(const struct call *c, struct http_resp *resp)
{
	answer(resp, web_session_json(c->w, c->who, c->required));
}

/* Public data: the sign-in page uses it. */
void
view_countries(const struct call *c, struct http_resp *resp)
{
	const char *lang = http_req_query(c->req, "lang");
	json_t *j;

	if ((j = countries_json(lang ? lang : web_lang(c->who))) == NULL) {
		http_resp_error(resp, lang && !web_lang_ok(lang) ? 400 : 500, "%s", rs_err());
		return;
	}
	http_resp_json(resp, 200, j);
}

static json_t *
latest_checkpoint(struct web *w)
{
	struct stored_checkpoint c;
	json_t *j;

	if (store_checkpoint_newest(w->n, &c) != STORE_OK)
		return json_null();
	j = json_pack("{s:I,s:o,s:I,s:I,s:s,s:I}", "size", (json_int_t)c.size,
	    "root", jhex(c.root, 32), "time", (json_int_t)c.time,
	    "verified", (json_int_t)c.seen, "text", c.text, "seen_count", (json_int_t)c.count);
	stored_checkpoint_free(&c);
	return j;
}

static json_t *
events(struct web *w, const struct who *who)
{
	struct store_counters k;
	char v[160];

	if (store_counters(w->n, web_user(who), &k) != 0)
		return NULL;
	snprintf(v, sizeof(v), "%lld.%lld.%lld.%lld.%lld", (long long)k.messages,
	    (long long)k.acks, (long long)k.alarms, (long long)k.checkpoint,
	    (long long)k.records);
	return json_pack("{s:s,s:I,s:I,s:I}", "version", v,
	    "unacknowledged", (json_int_t)k.unacknowledged, "unread", (json_int_t)k.unread,
	    "alarms", (json_int_t)k.alarms);
}

void
view_health(const struct call *c, struct http_resp *resp)
{
	struct web *w = c->w;
	char fpr[RS_FPR_LEN];
	json_t *cp = latest_checkpoint(w), *ev = events(w, c->who), *j;

	fingerprint(fpr, w->n->cfg.device);
	j = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I}", "state", w->n->cfg.state,
	    "role", w->n->cfg.role, "name", w->n->cfg.name, "device", fpr,
	    "checkpoint", (json_int_t)(json_is_object(cp) ?
	    json_integer_value(json_object_get(cp, "size")) : -1),
	    "alarms", (json_int_t)json_integer_value(json_object_get(ev, "alarms")));
	json_decref(cp);
	json_decref(ev);
	answer(resp, j);
}

void
view_events(const struct call *c, struct http_resp *resp)
{
	answer(resp, events(c->w, c->who));
}

/* ---- inbox, sent ------------------------------------------------------------- */

struct rows {
	json_t *arr;
	int64_t now;
};

static int
inbox_row(void *ud, const struct web_inbox_row *r)
{
	struct rows *l = ud;
	json_t *m = json_pack("{s:o,s:I,s:I,s:s,s:s,s:s,s:b,s:s,s:b,s:b}",
	    "id", jhex(r->id, 32), "index", (json_int_t)r->index, "time", (json_int_t)r->time,
	    "from", r->sender_state, "urgency", r->urgency, "subject", r->subject,
	    "acknowledged", r->acked, "tlp", r->tlp, "read", r->read,
	    "overdue", r->has_deadline && r->deadline < l->now && !r->acked);

	if (r->has_deadline)
		json_object_set_new(m, "deadline", json_integer(r->deadline));
	json_array_append_new(l->arr, m);
	return 0;
}

void
view_inbox(const struct call *c, struct http_resp *resp)
{
	struct rows l = { json_array(), now_ms() };

	if (store_web_inbox_each(c->w->n, web_user(c->who), l.now, inbox_row, &l) != 0) {
		json_decref(l.arr);
		l.arr = NULL;
	}
	answer(resp, l.arr);
}

static int
sent_row(void *ud, const struct sent_row *r)
{
	struct rows *l = ud;
	json_t *toj = jparse(r->to_states, strlen(r->to_states));
	json_t *m = json_pack("{s:o,s:I,s:o,s:s,s:s,s:s,s:I,s:I,s:I}",
	    "id", jhex(r->id, 32), "sent", (json_int_t)r->sent,
	    "to", toj ? toj : json_array(), "urgency", r->urgency, "subject", r->subject,
	    "tlp", r->tlp, "recipients", (json_int_t)r->recipients,
	    "delivered", (json_int_t)r->delivered, "acknowledged", (json_int_t)r->acknowledged);

	if (r->has_index) {
		json_object_set_new(m, "index", json_integer(r->index));
		json_object_set_new(m, "time", json_integer(r->time));
	}
	if (r->error != NULL)
		json_object_set_new(m, "error", json_string(r->error));
	json_array_append_new(l->arr, m);
	return 0;
}

void
view_sent(const struct call *c, struct http_resp *resp)
{
	struct rows l = { json_array(), 0 };

	if (store_sent_each(c->w->n, sent_row, &l) != 0) {
		json_decref(l.arr);
		l.arr = NULL;
	}
	answer(resp, l.arr);
}

/* ---- one message --------------------------------------------------------------- */

json_t *
device_json(struct web *w, const uint8_t key[32])
{
	struct dir_device *d = dir_device(w->n->directory, key);
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
recipient_ack(void *ud, const uint8_t device[32], const char *status, int64_t index,
    int64_t time, const char *note)
{
	json_t *row = ud;

	(void)device;
	(void)index;
	if (strcmp(status, "delivered") != 0 && strcmp(status, "acknowledged") != 0)
		return 0;
	json_object_set_new(row, status, json_integer(time));
	if (strcmp(status, "acknowledged") == 0 && *note)
		json_object_set_new(row, "note", json_string(note));
	return 0;
}

/* Per-recipient delivered and acknowledged log times of a sent message. */
static json_t *
recipients_of_sent(struct web *w, const uint8_t id[32], const char *rcpt_json)
{
	json_t *rcpt = jparse(rcpt_json, strlen(rcpt_json)), *out = json_array(), *v;
	size_t i;

	json_array_foreach(rcpt, i, v) {
		uint8_t dev[32];
		json_t *row;

		if (!json_is_string(v) || hex_decode_exact(dev, 32, json_string_value(v)) != 0)
			continue;
		row = device_json(w, dev);
		(void)store_acks_each(w->n, id, dev, NULL, recipient_ack, row);
		json_array_append_new(out, row);
	}
	json_decref(rcpt);
	return out;
}

/* Re-checks the stored envelope's signature, so what the page says about
 * verification is true of the bytes on disk now. */
static int
signature_ok(struct web *w, const uint8_t id[32], int outgoing)
{
	struct stored_record rec;
	struct buf raw = {0};
	struct envelope e;
	int ok = 0;

	if (outgoing) {
		if (store_outbox_envelope(w->n, id, &raw) != STORE_OK) {
			buf_free(&raw);
			return 0;
		}
	} else {
		if (store_record_get(w->n, id, &rec) != STORE_OK)
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

static json_t *
verification(struct web *w, const struct msg_row *m, int out)
{
	json_t *v = json_object();

	json_object_set_new(v, "signature_valid", json_boolean(signature_ok(w, m->id, out)));
	if (m->has_sender) {
		struct dir_device *d = dir_device(w->n->directory, m->sender_device);
		json_object_set_new(v, "signer", device_json(w, m->sender_device));
		if (d != NULL) {
			char rf[RS_FPR_LEN];
			fingerprint(rf, d->root);
			json_object_set_new(v, "certified_by", json_pack("{s:s,s:s,s:I}",
			    "state", d->state, "root_fingerprint", rf,
			    "certificate_index", (json_int_t)d->cert_index));
		}
	}
	if (m->has_index) {
		json_object_set_new(v, "log_index", json_integer(m->index));
		json_object_set_new(v, "logged", json_integer(m->time));
	}
	if (out)
		json_object_set_new(v, "receipt", json_boolean(m->has_index));
	else if (m->has_checked) {
		json_object_set_new(v, "inclusion_checked_size", json_integer(m->checked_size));
		json_object_set_new(v, "inclusion_checked_at",
		    json_integer(store_checkpoint_seen(w->n, m->checked_size)));
	}
	return v;
}

/* A consultation step: which, and every step of its consultation so far
 * (node/core/consult.c), so the page can offer the next one. */
static void
consultation_view(struct web *w, json_t *j, const uint8_t id[32], json_t *content)
{
	json_t *k = json_object_get(content, "consultation");
	uint8_t request[32];

	if (json_is_object(k) && jstr(k, "step") != NULL) {
		memcpy(request, id, 32);
		if (jstr(k, "request") == NULL ||
		    hex_decode_exact(request, 32, jstr(k, "request")) == 0)
			json_object_set_new(j, "consultation", json_pack("{s:s,s:o,s:o}",
			    "step", jstr(k, "step"), "request", jhex(request, 32),
			    "steps", consult_json(w->n, request)));
	}
}

/* A message's attachments as the page lists them: name, size and type from
 * the sealed descriptions (never their keys). */
static json_t *
attachments_json(json_t *content)
{
	json_t *out = json_array(), *a;
	size_t i;

	json_array_foreach(json_object_get(content, "attachments"), i, a)
		json_array_append_new(out, json_pack("{s:i,s:s,s:I,s:s}", "n", (int)i + 1,
		    "name", jstr(a, "name") ? jstr(a, "name") : "",
		    "size", (json_int_t)json_integer_value(json_object_get(a, "size")),
		    "type", jstr(a, "type") ? jstr(a, "type") : ""));
	return out;
}

/* A templated message's fields as its reader sees them: every label and
 * taxonomy value in the reader's language (catalogue_render). */
static void
template_view(struct web *w, json_t *j, const char *id, json_t *fields, const char *lang)
{
	struct catalogue *c = NULL;
	struct buf b = {0};
	json_t *t;
	int fb;

	json_object_set_new(j, "template", json_string(id));
	if (node_catalogue(w->n, &c) != 0 || (t = catalogue_template(c, id)) == NULL) {
		catalogue_free(c);
		return;
	}
	json_object_set_new(j, "template_title", json_string(cat_label(
	    json_object_get(t, "title"), lang, &fb)));
	if (json_is_object(fields) && catalogue_render(c, id, fields, lang, &b) == 0)
		json_object_set_new(j, "rendered", json_string(buf_cstr(&b)));
	buf_free(&b);
	catalogue_free(c);
}

void
view_message(const struct call *c, struct http_resp *resp)
{
	struct web *w = c->w;
	struct msg_row m;
	json_t *j, *toj, *content = NULL;
	int out;

	switch (store_message_get(w->n, c->id, &m)) {
	case STORE_OK:
		break;
	case STORE_NOT_FOUND:
		http_resp_error(resp, 404, "no such message on this node");
		return;
	default:
		http_resp_error(resp, 500, "cannot read the store: %s", rs_err());
		return;
	}
	out = strcmp(m.direction, "out") == 0;
	toj = jparse(m.to_states, strlen(m.to_states));
	j = json_pack("{s:o,s:s,s:s,s:o,s:s,s:s,s:s,s:s,s:s,s:I,s:b}",
	    "id", jhex(c->id, 32), "direction", m.direction, "from", m.sender_state,
	    "to", toj ? toj : json_array(), "urgency", m.urgency,
	    "subject", m.subject, "body", m.body, "tlp", m.tlp,
	    "lang", m.lang, "sent", (json_int_t)m.sent, "acknowledged", m.acked);
	if (m.has_index) {
		json_object_set_new(j, "index", json_integer(m.index));
		json_object_set_new(j, "time", json_integer(m.time));
	}
	if (*m.error)
		json_object_set_new(j, "error", json_string(m.error));
	if (m.content != NULL)
		content = jparse(m.content, strlen(m.content));
	if (json_object_get(content, "fields") != NULL)
		json_object_set(j, "fields", json_object_get(content, "fields"));
	if (m.has_deadline)
		json_object_set_new(j, "deadline", json_integer(m.deadline));
	if (jstr(content, "template") != NULL)
		template_view(w, j, jstr(content, "template"), json_object_get(j, "fields"),
		    web_lang(c->who));
	if (content != NULL && json_object_get(content, "original") != NULL)
		json_object_set(j, "original", json_object_get(content, "original"));
	json_object_set_new(j, "thread", message_thread_json(w->n, c->id));
	if (m.content != NULL)
		json_object_set_new(j, "attachments", attachments_json(content));
	if (content != NULL)
		consultation_view(w, j, c->id, content);
	json_object_set_new(j, "verification", verification(w, &m, out));
	if (out)
		json_object_set_new(j, "recipients", recipients_of_sent(w, c->id, m.rcpt));
	if (!out && store_read_mark(w->n, web_user(c->who), c->id) != 0)
		fprintf(stderr, "roster: cannot mark a message read: %s\n", rs_err());
	json_decref(content);
	msg_row_free(&m);
	http_resp_json(resp, 200, j);
}

/* GET /api/messages/ID/attachments/N: the file, fetched from the hub and
 * checked chunk by chunk exactly as `roster attachment` does, into a
 * private temporary file that is unlinked as soon as it is open; the
 * answer streams from it.  The store lock is held meanwhile (a large file
 * delays the next sync pass by its download time). */
void
view_attachment(const struct call *c, struct http_resp *resp)
{
	struct web *w = c->w;
	struct msg_row m;
	json_t *content = NULL, *desc;
	char path[4096], name[128], *end;
	long k = strtol(c->param, &end, 10);
	struct stat sb;
	int fd = -1;

	switch (store_message_get(w->n, c->id, &m)) {
	case STORE_OK:
		if (m.content != NULL)
			content = jparse(m.content, strlen(m.content));
		msg_row_free(&m);
		break;
	case STORE_NOT_FOUND:
		break;
	default:
		http_resp_error(resp, 500, "cannot read the store: %s", rs_err());
		return;
	}
	if (*c->param == '\0' || *end != '\0' || k < 1 ||
	    (desc = json_array_get(json_object_get(content, "attachments"),
	    (size_t)k - 1)) == NULL) {
		json_decref(content);
		http_resp_error(resp, 404, "no such attachment");
		return;
	}
	snprintf(path, sizeof(path), "%s/.web-download-%lld-%u", w->n->dir,
	    (long long)now_ms(), randombytes_uniform(1u << 30));
	if (attach_download(w->n, desc, path, NULL) != 0) {
		json_decref(content);
		http_resp_error(resp, 502, "the attachment was refused: %s", rs_err());
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	unlink(path);
	if (fd < 0 || fstat(fd, &sb) != 0) {
		if (fd >= 0)
			close(fd);
		json_decref(content);
		http_resp_error(resp, 500, "cannot read the downloaded file");
		return;
	}
	/* A name safe in a header: letters, digits, '.', '-', '_' only. */
	snprintf(name, sizeof(name), "%s", jstr(desc, "name") ? jstr(desc, "name") :
	    "attachment");
	for (char *q = name; *q; q++)
		if (!isalnum((unsigned char)*q) && *q != '.' && *q != '-' && *q != '_')
			*q = '_';
	http_resp_fd(resp, 200, "application/octet-stream", fd, (uint64_t)sb.st_size);
	snprintf(resp->extra_headers, sizeof(resp->extra_headers),
	    "Content-Disposition: attachment; filename=\"%s\"\r\n", name);
	json_decref(content);
}

/* ---- recipients, templates, directory ------------------------------------------ */

static int
device_current(const struct dir_device *d)
{
	return d->revoked_index < 0 && (d->expires == 0 || d->expires >= now_ms());
}


/* GET /api/recipients?to=XB,group:forum[&roles=technical]: exactly who a
 * message would reach, by the rule send uses (audience.c), grouped by
 * State.  An audience send would refuse is a 400 naming why. */
void
view_recipients(const struct call *c, struct http_resp *resp)
{
	struct web *w = c->w;
	const char *q = http_req_query(c->req, "to"), *roles = http_req_query(c->req, "roles");
	struct seal_recipient *r = NULL;
	json_t *states = json_array(), *rcpt = json_array(), *out = json_array(), *v;
	size_t nr = 0, i;

	if (q == NULL || strlen(q) > 1024 || (roles != NULL && strlen(roles) > 64)) {
		http_resp_error(resp, 400, "give ?to=XB,XC,group:NAME or all (and &roles=...)");
		goto done;
	}
	if (audience_resolve(w->n, q, roles && *roles ? roles : NULL, &r, &nr, states,
	    rcpt) != 0) {
		http_resp_error(resp, 400, "%s", rs_err());
		goto done;
	}
	json_array_foreach(states, i, v) {
		json_t *devs = json_array(), *k;
		size_t j;
		json_array_foreach(rcpt, j, k) {
			uint8_t key[32];
			struct dir_device *d;
			if (hex_decode_exact(key, 32, json_string_value(k)) == 0 &&
			    (d = dir_device(w->n->directory, key)) != NULL &&
			    strcmp(d->state, json_string_value(v)) == 0)
				json_array_append_new(devs, device_json(w, key));
		}
		json_array_append_new(out, json_pack("{s:O,s:o}", "state", v, "devices", devs));
	}
	http_resp_json(resp, 200, json_pack("{s:O}", "states", out));
done:
	free(r);
	json_decref(states);
	json_decref(rcpt);
	json_decref(out);
}

/* The node's template catalogue as the compose page draws it: free text
 * first (a subject and a body), then every catalogue template with a
 * subject, an optional note, and its own fields with their labels in the
 * six languages and, for choices, the taxonomy's codes and labels. */
static json_t *
template_field(struct catalogue *c, json_t *f)
{
	const char *type = jstr(f, "type"), *tax = jstr(f, "taxonomy");
	json_t *out = json_pack("{s:s,s:b,s:O}", "name", jstr(f, "name"),
	    "required", json_is_true(json_object_get(f, "required")),
	    "labels", json_object_get(f, "label"));
	json_t *tx, *v, *choices;
	size_t i;

	if (json_object_get(f, "help") != NULL)
		json_object_set(out, "help", json_object_get(f, "help"));
	if (type != NULL && strcmp(type, "choice") == 0 && tax != NULL &&
	    (tx = catalogue_taxonomy(c, tax)) != NULL) {
		choices = json_array();
		if (!json_is_true(json_object_get(f, "required")))
			json_array_append_new(choices, json_pack("{s:s}", "value", ""));
		json_array_foreach(json_object_get(tx, "values"), i, v)
			json_array_append_new(choices, json_pack("{s:s,s:O}", "value",
			    jstr(v, "code"), "labels", json_object_get(v, "label")));
		json_object_set_new(out, "type", json_string("select"));
		json_object_set_new(out, "choices", choices);
	} else if (type != NULL && (strcmp(type, "text") == 0 ||
	    strcmp(type, "indicators") == 0))
		json_object_set_new(out, "type", json_string("textarea"));
	else
		json_object_set_new(out, "type", json_string("text"));
	json_object_set_new(out, "template_field", json_true());
	return out;
}

void
view_templates(const struct call *c, struct http_resp *resp)
{
	struct web *w = c->w;
	struct catalogue *cat = NULL;
	json_t *list = json_array(), *t, *f, *fields;
	size_t i, k;

	json_array_append_new(list, json_pack("{s:s,s:[{s:s,s:s,s:b,s:i},{s:s,s:s,s:b,s:i}]}",
	    "id", "free-text", "fields",
	    "name", "subject", "type", "text", "required", 1, "max", MSG_SUBJECT_MAX,
	    "name", "body", "type", "textarea", "required", 1, "max", (int)MSG_BODY_MAX));
	if (node_catalogue(w->n, &cat) != 0) {
		answer(resp, json_pack("{s:o}", "templates", list));
		return;
	}
	json_array_foreach(catalogue_templates(cat), i, t) {
		const char *id = jstr(t, "id");
		if (id == NULL || strcmp(id, "free-text") == 0)
			continue;
		fields = json_pack("[{s:s,s:s,s:b,s:i}]", "name", "subject", "type", "text",
		    "required", 0, "max", MSG_SUBJECT_MAX);
		json_array_foreach(json_object_get(t, "fields"), k, f) {
			const char *type = jstr(f, "type");
			if (type != NULL && strcmp(type, "attachment") == 0)
				continue;	/* files go with the CLI's --attach */
			json_array_append_new(fields, template_field(cat, f));
		}
		json_array_append_new(fields, json_pack("{s:s,s:s,s:b,s:i}", "name", "body",
		    "type", "textarea", "required", 0, "max", (int)MSG_BODY_MAX));
		json_array_append_new(list, json_pack("{s:s,s:O,s:o}", "id", id,
		    "names", json_object_get(t, "title"), "fields", fields));
	}
	catalogue_free(cat);
	answer(resp, json_pack("{s:o}", "templates", list));
}

void
view_directory(const struct call *c, struct http_resp *resp)
{
	struct web *w = c->w;
	struct directory *d = w->n->directory;
	json_t *states = json_array();
	char fpr[RS_FPR_LEN];

	json_t *last = checks_last_answers(w->n);	/* communication checks */

	for (size_t i = 0; i < d->nroots; i++) {
		struct dir_root *r = &d->roots[i];
		json_t *pocs = json_array();
		fingerprint(fpr, r->key);
		for (size_t k = 0; k < d->ndevices; k++) {
			struct dir_device *v = d->devices[k];
			char f2[RS_FPR_LEN];
			if (strcmp(v->state, r->state) != 0 || memcmp(v->root, r->key, 32) != 0)
				continue;
			fingerprint(f2, v->key);
			json_t *langs = json_object_get(v->cert, "languages");
			int64_t answered;
			int fresh = checks_device_fresh(w->n, v, last, &answered);
			json_array_append_new(pocs, json_pack("{s:s,s:s,s:s,s:O,s:s,s:o,s:s,s:I,s:I,s:o,s:b}",
			    "role", v->role,
			    "name", jstr(v->cert, "name") ? jstr(v->cert, "name") : "",
			    "email", jstr(v->cert, "email") ? jstr(v->cert, "email") : "",
			    "languages", json_is_array(langs) ? langs : json_array(),
			    "fingerprint", f2, "device", jhex(v->key, 32),
			    "status", v->revoked_index >= 0 ? "revoked" :
			    !device_current(v) ? "expired" : "current",
			    "expires", (json_int_t)v->expires, "index", (json_int_t)v->cert_index,
			    "last_check", answered > 0 ? json_integer(answered) : json_null(),
			    "stale", !fresh));
		}
		json_array_append_new(states, json_pack("{s:s,s:s,s:I,s:o}", "state", r->state,
		    "root_fingerprint", fpr, "index", (json_int_t)r->index, "pocs", pocs));
	}
	json_decref(last);
	json_t *groups = json_array();
	for (size_t i = 0; i < d->ngroups; i++) {
		struct dir_group *g = &d->groups[i];
		json_t *members = json_array();
		if (g->nstates == 0)
			continue;
		for (size_t k = 0; k < g->nstates; k++)
			json_array_append_new(members, json_string(g->states[k]));
		json_array_append_new(groups, json_pack("{s:s,s:O,s:o}", "name", g->name,
		    "title", g->title ? g->title : json_null(), "states", members));
	}
	answer(resp, json_pack("{s:s,s:o,s:o}", "own_state", w->n->cfg.state,
	    "states", states, "groups", groups));
}


/* ---- trust ----------------------------------------------------------------- */

struct cosigners {
	struct web *w;
	json_t *by;
	int left;		/* records still to look at */
};

static int
cosign_row(void *ud, int64_t idx, int64_t time, const uint8_t *env, size_t len)
{
	struct cosigners *cs = ud;
	struct envelope e;
	char *hex;

	if (cs->left-- <= 0)
		return 1;
	if (env_parse(&e, env, len) != 0)
		return 0;
	hex = hex_encode(e.key, 32);
	if (json_object_get(cs->by, hex) == NULL) {
		json_t *c = device_json(cs->w, e.key);
		json_t *size = env_field(&e, "size");
		json_object_set_new(c, "index", json_integer(idx));
		json_object_set_new(c, "time", json_integer(time));
		if (json_is_integer(size))
			json_object_set(c, "size", size);
		json_object_set_new(cs->by, hex, c);
	}
	free(hex);
	env_free(&e);
	return 0;
}

/* The newest cosignature of each other device, from the verified records
 * (the newest 500). */
static json_t *
cosignatures(struct web *w)
{
	struct cosigners cs = { w, json_object(), 500 };
	json_t *arr = json_array(), *v;
	const char *k;

	(void)store_records_each(w->n, "cosign", -1, INT64_MAX, 1, cosign_row, &cs);
	json_object_foreach(cs.by, k, v)
		json_array_append(arr, v);
	json_decref(cs.by);
	return arr;
}

struct alarm_rows {
	json_t *arr;
};

static int
alarm_row(void *ud, int64_t row, int64_t time, const char *kind, const char *text,
    const char *evidence)
{
	(void)row;
	(void)evidence;
	json_array_append_new(((struct alarm_rows *)ud)->arr, json_pack("{s:I,s:s,s:s}",
	    "time", (json_int_t)time, "kind", kind, "text", text));
	return 0;
}

void
view_trust(const struct call *c, struct http_resp *resp)
{
	struct web *w = c->w;
	struct alarm_rows a = { json_array() };
	int64_t cosigned = -1;
	char fpr[RS_FPR_LEN], rf[RS_FPR_LEN] = "";

	(void)store_alarms_each(w->n, alarm_row, &a);
	if (store_meta_get_int(w->n, "cosigned_size", &cosigned) != 0)
		cosigned = -1;
	fingerprint(fpr, w->n->cfg.device);
	if (w->n->cfg.has_root)
		fingerprint(rf, w->n->cfg.root_key);
	answer(resp, json_pack("{s:s,s:o,s:o,s:o,s:I,s:I,s:s,s:s,s:s}",
	    "status", json_array_size(a.arr) ? "alarm" : "ok",
	    "alarms", a.arr, "checkpoint", latest_checkpoint(w),
	    "cosignatures", cosignatures(w), "own_cosigned_size", (json_int_t)cosigned,
	    "refusals", (json_int_t)store_refusals_count(w->n), "device_fingerprint", fpr,
	    "root_fingerprint", rf, "state", w->n->cfg.state));
}

/* ---- settings, statistics, checks ------------------------------------------- */

json_t *
settings_json(struct web *w, const struct who *who)
{
	struct account a;
	json_t *devs = json_array();
	json_t *j = json_pack("{s:s,s:s,s:s,s:b,s:b}", "user", web_user(who),
	    "lang", web_lang(who), "email", "", "admin", who->s.admin, "account", who->account);

	if (who->account && store_account_get(w->n, who->s.user, &a) == STORE_OK)
		json_object_set_new(j, "email", json_string(a.email));
	json_object_set_new(j, "alerts", json_pack("{s:s,s:b}", "email",
	    w->n->cfg.alert_email, "mail_server", w->n->cfg.smtp_url[0] != '\0'));
	if (who->s.admin)
		for (size_t i = 0; i < w->n->directory->ndevices; i++) {
			struct dir_device *d = w->n->directory->devices[i];
			if (strcmp(d->state, w->n->cfg.state) != 0)
				continue;
			json_t *dj = device_json(w, d->key);
			json_object_set_new(dj, "status", json_string(d->revoked_index >= 0 ?
			    "revoked" : device_current(d) ? "current" : "expired"));
			json_object_set_new(dj, "this_node",
			    json_boolean(memcmp(d->key, w->n->cfg.device, 32) == 0));
			json_array_append_new(devs, dj);
		}
	json_object_set_new(j, "devices", devs);
	sodium_memzero(&a, sizeof(a));
	return j;
}

void
view_settings(const struct call *c, struct http_resp *resp)
{
	answer(resp, settings_json(c->w, c->who));
}

struct responses {
	struct web *w;
	json_t *rows;
};

static int
response_row(void *ud, int64_t time, const char *device_hex, int64_t delivered,
    int64_t acknowledged)
{
	struct responses *r = ud;
	uint8_t dev[32];
	struct dir_device *d;
	json_t *row;

	if (hex_decode_exact(dev, 32, device_hex) != 0)
		return 0;
	d = dir_device(r->w->n->directory, dev);
	row = json_pack("{s:s,s:I}", "state", d ? d->state : "?", "time", (json_int_t)time);
	if (delivered != 0)
		json_object_set_new(row, "delivered", json_integer(delivered));
	if (acknowledged != 0)
		json_object_set_new(row, "acknowledged", json_integer(acknowledged));
	json_array_append_new(r->rows, row);
	return 0;
}

/* Response statistics of the messages this node sent: per recipient State,
 * how many recipient devices delivered and acknowledged, per day; and the
 * acknowledgement times (log time of the ack minus log time of the
 * message).  The charts of the checks page draw these. */
void
view_stats(const struct call *c, struct http_resp *resp)
{
	struct responses r = { c->w, json_array() };

	if (store_responses_each(c->w->n, response_row, &r) != 0) {
		json_decref(r.rows);
		answer(resp, NULL);
		return;
	}
	answer(resp, json_pack("{s:s,s:o}", "source", "sent-messages", "responses", r.rows));
}

void
view_checks(const struct call *c, struct http_resp *resp)
{
	answer(resp, checks_list_json(c->w->n, 0));
}

void
view_checks_report(const struct call *c, struct http_resp *resp)
{
	answer(resp, checks_report_json(c->w->n, INT64_MAX, 0, NULL));
}
