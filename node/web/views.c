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
#include "core/contact.h"
#include "core/payload.h"
#include "core/procnode.h"
#include "core/store.h"
#include "core/views.h"
#include "jsonutil.h"
#include "procview.h"
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

/* The checks waiting for this POC's answer: counted again when the store
 * moved, or after a few seconds (an open check becomes MISSED at its
 * deadline without anything stored). */
static int
open_checks(struct web *w, const char *version)
{
	if (strcmp(version, w->open_version) != 0 || now_ms() - w->open_at > 5000) {
		w->open_count = checks_open(w->n);
		w->open_at = now_ms();
		snprintf(w->open_version, sizeof(w->open_version), "%s", version);
	}
	return w->open_count;
}

static json_t *
events(struct web *w, const struct who *who)
{
	struct store_counters k;
	json_t *hub, *j;
	char v[160];

	if (store_counters(w->n, web_user(who), &k) != 0 || (hub = contact_json(w->n)) == NULL)
		return NULL;
	snprintf(v, sizeof(v), "%lld.%lld.%lld.%lld.%lld", (long long)k.messages,
	    (long long)k.acks, (long long)k.alarms, (long long)k.checkpoint,
	    (long long)k.records);
	j = json_pack("{s:s,s:I,s:I,s:I,s:i,s:O}", "version", v,
	    "unacknowledged", (json_int_t)k.unacknowledged, "unread", (json_int_t)k.unread,
	    "alarms", (json_int_t)k.alarms, "open_checks", open_checks(w, v),
	    "outbox", json_object_get(hub, "outbox"));
	json_object_del(hub, "outbox");
	json_object_set_new(j, "hub", hub);
	return j;
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

void
view_inbox(const struct call *c, struct http_resp *resp)
{
	answer(resp, inbox_view(c->w->n, web_user(c->who), 500, web_lang(c->who)));
}

/* GET /api/sent: the one sent view (node/core/views.c), as `roster status
 * --json` lists it. */
void
view_sent(const struct call *c, struct http_resp *resp)
{
	answer(resp, sent_view(c->w->n, web_lang(c->who)));
}

/* ---- one message --------------------------------------------------------------- */

json_t *
device_json(struct web *w, const uint8_t key[32])
{
	return view_device(w->n, key);
}

/* GET /api/messages/ID (ID: any unique prefix): the one view of the
 * message (node/core/views.c), as `roster show --json` prints it.  Opening
 * a received message marks it read for this account. */
void
view_message(const struct call *c, struct http_resp *resp)
{
	struct web *w = c->w;
	json_t *j;

	switch (message_view(w->n, c->id, web_lang(c->who), &j)) {
	case VIEW_OK:
		break;
	case VIEW_NOT_FOUND:
		web_refuse(resp, 404, "no-such-message", "no such message on this node");
		return;
	default:
		http_resp_error(resp, 500, "cannot read the store: %s", rs_err());
		return;
	}
	if (strcmp(jstr(j, "direction"), "in") == 0 &&
	    store_read_mark(w->n, web_user(c->who), c->id) != 0)
		fprintf(stderr, "roster: cannot mark a message read: %s\n", rs_err());
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
	char path[4096], name[128], line[192], *end;
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
	snprintf(line, sizeof(line), "Content-Disposition: attachment; filename=\"%s\"", name);
	web_header(resp, line);	/* beside the security headers, not over them */
	json_decref(content);
}

/* ---- recipients, templates, directory ------------------------------------------ */

static int
device_current(const struct dir_device *d)
{
	return d->revoked_index < 0 && (d->expires == 0 || d->expires >= now_ms());
}


/* GET /api/recipients?to=XB,group:forum[&roles=technical][&unconfirmed=1]:
 * exactly who a message would reach, by the rule send uses (audience.c),
 * grouped by State.  Devices of a root key their State has not endorsed
 * are listed too, flagged "unconfirmed", with "included" false unless
 * &unconfirmed=1 (send's "unconfirmed": true): the sender sees whom the
 * rule leaves out and may choose to include them.  An audience send would
 * refuse even with them is a 400 naming why; one refused only because its
 * devices are all unconfirmed is answered with "refused" (its sentence)
 * beside the list, so the page can offer to include them. */
void
view_recipients(const struct call *c, struct http_resp *resp)
{
	struct web *w = c->w;
	const char *q = http_req_query(c->req, "to"), *roles = http_req_query(c->req, "roles");
	const char *inc = http_req_query(c->req, "unconfirmed");
	int include = inc != NULL && strcmp(inc, "1") == 0;
	struct seal_recipient *r = NULL, *r2 = NULL;
	json_t *states = json_array(), *rcpt = json_array(), *out = json_array(), *v;
	json_t *st2 = json_array(), *rc2 = json_array(), *refused = NULL;
	size_t nr = 0, nr2 = 0, i, unconfirmed = 0;

	if (q == NULL || strlen(q) > 1024 || (roles != NULL && strlen(roles) > 64)) {
		web_refuse(resp, 400, "bad-audience", "give ?to=XB,XC,group:NAME or all "
		    "(and &roles=...)");
		goto done;
	}
	if (roles != NULL && *roles == '\0')
		roles = NULL;
	/* everyone the audience could reach, unconfirmed devices included */
	if (audience_resolve(w->n, q, roles, AUDIENCE_UNCONFIRMED, &r, &nr, states, rcpt,
	    &unconfirmed) != 0) {
		web_refuse(resp, 400, "bad-audience", "%s", rs_err());
		goto done;
	}
	/* and whether send, as asked, takes them */
	if (!include && audience_resolve(w->n, q, roles, 0, &r2, &nr2, st2, rc2, NULL) != 0)
		refused = json_string(rs_err());
	json_array_foreach(states, i, v) {
		json_t *devs = json_array(), *k, *dj;
		size_t j;
		json_array_foreach(rcpt, j, k) {
			uint8_t key[32];
			struct dir_device *d;
			int unconf;
			if (hex_decode_exact(key, 32, json_string_value(k)) != 0 ||
			    (d = dir_device(w->n->directory, key)) == NULL ||
			    strcmp(d->state, json_string_value(v)) != 0)
				continue;
			unconf = dir_device_unconfirmed(w->n->directory, key);
			dj = device_json(w, key);
			json_object_set_new(dj, "unconfirmed", json_boolean(unconf));
			json_object_set_new(dj, "included", json_boolean(!unconf || include));
			json_array_append_new(devs, dj);
		}
		json_array_append_new(out, json_pack("{s:O,s:o}", "state", v, "devices", devs));
	}
	/* Section 2: a device of a root key its State has not endorsed is
	 * the operator's word alone; the page says how many are left out. */
	v = json_pack("{s:O,s:I,s:I,s:b}", "states", out, "unconfirmed",
	    (json_int_t)unconfirmed, "unconfirmed_left_out", (json_int_t)(include ? 0 :
	    unconfirmed), "included_unconfirmed", include);
	if (refused != NULL)
		json_object_set_new(v, "refused", refused);
	http_resp_json(resp, 200, v);
done:
	free(r);
	free(r2);
	json_decref(states);
	json_decref(rcpt);
	json_decref(st2);
	json_decref(rc2);
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
	json_t *out = json_pack("{s:s,s:b,s:O,s:s,s:b}", "name", jstr(f, "name"),
	    "required", json_is_true(json_object_get(f, "required")),
	    "labels", json_object_get(f, "label"), "kind", type ? type : "text",
	    "multiple", json_is_true(json_object_get(f, "multiple")));
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
	answer(resp, directory_view(c->w->n));
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
	if (memcmp(e.key, cs->w->n->cfg.device, 32) == 0) {	/* ours: not another's */
		env_free(&e);
		return 0;
	}
	hex = hex_encode(e.key, 32);
	if (json_object_get(cs->by, hex) == NULL) {
		json_t *c = device_json(cs->w, e.key), *p = env_payload_json(&e);
		struct checkpoint cp;
		json_object_set_new(c, "index", json_integer(idx));
		json_object_set_new(c, "time", json_integer(time));
		/* the log size it cosigned: its payload is the checkpoint */
		if (p != NULL && checkpoint_from_json(&cp, p, cs->w->n->cfg.operator_key) == 0) {
			json_object_set_new(c, "size", json_integer((json_int_t)cp.size));
			checkpoint_free(&cp);
		}
		json_decref(p);
		json_object_set_new(cs->by, hex, c);
	}
	free(hex);
	env_free(&e);
	return 0;
}

/* The newest cosignature of each other device (never this node's own),
 * from the verified records (the newest 500). */
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
	int unresolved;
};

/* One alarm: its kind (also its code), the node's English sentence, its
 * facts as data (params: the log index of a record alarm, and what the core
 * recorded), so the page writes the detail in its reader's language
 * (docs/web-api-needs.md 7), and when it was resolved (a record served
 * intact since). */
static int
alarm_row(void *ud, const struct alarm_row *a)
{
	struct alarm_rows *r = ud;
	json_t *o = json_pack("{s:I,s:s,s:s,s:s}", "time", (json_int_t)a->time, "kind",
	    a->kind, "code", a->kind, "text", a->text), *p = NULL;

	if (a->params != NULL)
		p = json_loads(a->params, 0, NULL);
	if (!json_is_object(p)) {
		json_decref(p);
		p = json_object();
	}
	if (a->index >= 0 && json_object_get(p, "index") == NULL)
		json_object_set_new(p, "index", json_integer(a->index));
	json_object_set_new(o, "params", p);
	if (a->resolved > 0)
		json_object_set_new(o, "resolved", json_integer(a->resolved));
	else
		r->unresolved++;
	json_array_append_new(r->arr, o);
	return 0;
}

void
view_trust(const struct call *c, struct http_resp *resp)
{
	struct web *w = c->w;
	struct alarm_rows a = { json_array(), 0 };
	int64_t cosigned = -1;
	char fpr[RS_FPR_LEN], rf[RS_FPR_LEN] = "";

	(void)store_alarm_rows_each(w->n, alarm_row, &a);
	if (store_meta_get_int(w->n, "cosigned_size", &cosigned) != 0)
		cosigned = -1;
	fingerprint(fpr, w->n->cfg.device);
	if (w->n->cfg.has_root)
		fingerprint(rf, w->n->cfg.root_key);
	answer(resp, json_pack("{s:s,s:o,s:o,s:o,s:I,s:I,s:s,s:s,s:s}",
	    "status", a.unresolved > 0 ? "alarm" : "ok",
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

/* GET /api/process[?at=MS]: the whole process view (docs/protocol.md
 * section 10, "Views") as this node's verified records make it, for this
 * State, with "as_of" the log time outcomes are known to and "size" the
 * log size verified complete. */
void
view_process(const struct call *c, struct http_resp *resp)
{
	struct procnode pn;
	const char *q = http_req_query(c->req, "at");
	int64_t at = -1;
	json_t *v;

	if (q != NULL) {
		char *end;
		at = strtoll(q, &end, 10);
		if (*q == '\0' || *end != '\0' || at <= 0) {
			http_resp_error(resp, 400, "\"at\" must be a log time in ms");
			return;
		}
	}
	if (procnode_load(c->w->n, &pn) != 0) {
		answer(resp, NULL);
		return;
	}
	v = process_view(c->w->n, &pn, at, NULL, 0);
	procnode_free(&pn);
	answer(resp, v);
}
