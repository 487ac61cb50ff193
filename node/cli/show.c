/*
 * show.c - what a POC reads: inbox, show, status, directory.
 *
 * These read the node's own store, which holds only what passed
 * verification; show re-checks the stored envelope's signature so what it
 * prints about verification is true of the bytes on disk now.  Each command
 * has a --json form with the same facts, for scripts and tests.  (The
 * message view here and the web's /api/messages/ID are still built apart;
 * node/core/views.h is where one view of a message belongs.)
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "core/attach.h"
#include "core/checks.h"
#include "core/store.h"
#include "core/sync.h"
#include "core/views.h"
#include "jsonutil.h"

static void
device_line(struct node *n, const uint8_t key[32], char *out, size_t len)
{
	struct dir_device *d = dir_device(n->directory, key);
	char fpr[RS_FPR_LEN];

	fingerprint(fpr, key);
	if (d == NULL)
		snprintf(out, len, "unknown device %s", fpr);
	else
		snprintf(out, len, "%s %s POC %s <%s>, device %s", d->state, d->role,
		    jstr(d->cert, "name") ? jstr(d->cert, "name") : "?",
		    jstr(d->cert, "email") ? jstr(d->cert, "email") : "?", fpr);
}

/* Parses a reading command's options (--json, --offline where the table
 * has it, an ID) and opens the node; with the key when it is to sync. */
static int
open_for_reading(struct node *n, const struct cmd_doc *doc, int argc, char **argv,
    int *json, const char **id, int *offline)
{
	struct opts o;
	int rc;

	if ((rc = cli_parse(&o, doc, argc, argv)) != 0)
		return rc;
	node_common_opts(n, &o);
	*json = opt_flag(&o, "--json");
	if (offline != NULL)
		*offline = opt_flag(&o, "--offline");
	if (id != NULL)
		*id = opt_positional(&o);
	if ((rc = cli_finish(&o)) != 0)
		return rc;
	if (id != NULL && *id == NULL && doc != &doc_status)
		return usage_error(doc->name, "which message? give its ID");
	if (node_open(n, offline != NULL && !*offline) != 0)
		return fail(doc->name);
	return 0;
}

int
cmd_inbox(int argc, char **argv)
{
	struct node n = {0};
	json_t *arr = NULL, *m;
	char t[32];
	size_t i;
	int json, rc;

	if ((rc = open_for_reading(&n, &doc_inbox, argc, argv, &json, NULL, NULL)) != 0)
		goto out;
	if ((arr = inbox_json(&n, INT32_MAX)) == NULL) {
		rc = fail("inbox");
		goto out;
	}
	if (json) {
		print_json(arr);
		goto out;
	}
	printf("%-16s  %-20s  %-4s  %-8s  %-7s  %s\n", "ID", "LOGGED", "FROM",
	    "URGENCY", "ACK", "SUBJECT");
	json_array_foreach(arr, i, m) {
		const char *ack = json_is_true(json_object_get(m, "acknowledged")) ? "yes" :
		    json_is_true(json_object_get(m, "overdue")) ? "OVERDUE" :
		    jstr(m, "notice") ? "-" : "no";
		printf("%-16.16s  %-20s  %-4s  %-8s  %-7s  %s%s%s\n", jstr(m, "id"),
		    time_str(json_integer_value(json_object_get(m, "time")), t, sizeof(t)),
		    jstr(m, "from"), jstr(m, "urgency"), ack, jstr(m, "subject"),
		    json_object_get(m, "escalated") ? "  [escalated]" : "",
		    jstr(m, "warning") ? "  [WARNING: see roster show]" : "");
	}
	if (json_array_size(arr) == 0)
		printf("(no messages; `roster sync` fetches new ones)\n");
out:
	json_decref(arr);
	node_close(&n);
	return rc;
}

struct ack_rows {
	json_t *row;
};

static int
ack_into_row(void *ud, const uint8_t device[32], const char *status, int64_t index,
    int64_t time, const char *note)
{
	json_t *row = ud;

	(void)device;
	(void)index;
	json_object_set_new(row, status, json_integer(time));
	if (strcmp(status, "acknowledged") == 0 && *note)
		json_object_set_new(row, "note", json_string(note));
	return 0;
}

/* Per-recipient acknowledgement times of a sent message. */
static json_t *
ack_table(struct node *n, const uint8_t id[32], const char *rcpt_json)
{
	json_t *rcpt = jparse(rcpt_json, strlen(rcpt_json)), *out = json_array(), *v;
	size_t i;

	json_array_foreach(rcpt, i, v) {
		uint8_t dev[32];
		json_t *row;
		struct dir_device *d;
		char fpr[RS_FPR_LEN];

		if (!json_is_string(v) || hex_decode_exact(dev, 32, json_string_value(v)) != 0)
			continue;
		row = json_object();
		d = dir_device(n->directory, dev);
		fingerprint(fpr, dev);
		json_object_set_new(row, "device", json_string(json_string_value(v)));
		json_object_set_new(row, "fingerprint", json_string(fpr));
		json_object_set_new(row, "state", json_string(d ? d->state : "?"));
		json_object_set_new(row, "role", json_string(d ? d->role : "?"));
		json_object_set_new(row, "name", json_string(d && jstr(d->cert, "name") ?
		    jstr(d->cert, "name") : "?"));
		(void)store_acks_each(n, id, dev, NULL, ack_into_row, row);
		json_array_append_new(out, row);
	}
	json_decref(rcpt);
	return out;
}

static void
print_acks(json_t *acks)
{
	size_t i;
	json_t *row;
	char t1[32], t2[32];

	/* One format for the header and the rows, so they line up. */
	printf("%-5s %-10s %-20s %-20s %-20s %s\n", "STATE", "ROLE", "NAME", "DELIVERED",
	    "ACKNOWLEDGED", "DEVICE");
	json_array_foreach(acks, i, row) {
		printf("%-5s %-10s %-20.20s %-20s %-20s %s\n", jstr(row, "state"),
		    jstr(row, "role"), jstr(row, "name"),
		    time_str(json_integer_value(json_object_get(row, "delivered")), t1, sizeof(t1)),
		    time_str(json_integer_value(json_object_get(row, "acknowledged")), t2, sizeof(t2)),
		    jstr(row, "fingerprint"));
		if (jstr(row, "note") != NULL)
			printf("      note: %s\n", jstr(row, "note"));
	}
}

/* The stored envelope's signature, checked again now. */
static int
reverify(struct node *n, const uint8_t id[32], int outgoing)
{
	struct stored_record rec;
	struct envelope e;
	struct buf raw = {0};
	int rc = -1;

	if (outgoing) {
		if (store_outbox_envelope(n, id, &raw) != STORE_OK) {
			buf_free(&raw);
			return -1;
		}
	} else {
		if (store_record_get(n, id, &rec) != STORE_OK)
			return -1;
		raw = rec.raw;
	}
	if (env_parse(&e, raw.p, raw.len) == 0) {
		rc = memcmp(e.id, id, 32) == 0 ? env_verify(&e) : -1;
		env_free(&e);
	}
	buf_free(&raw);
	return rc;
}

static void
print_thread(json_t *thread, const uint8_t id[32])
{
	char *hex = hex_encode(id, 32), t[32];
	size_t i;
	json_t *m;

	if (json_array_size(thread) > 1) {
		printf("\nThread (%zu messages)\n", json_array_size(thread));
		json_array_foreach(thread, i, m) {
			int depth = (int)json_integer_value(json_object_get(m, "depth"));
			printf("  %s %.16s  %s  %-2s %*s%s\n",
			    strcmp(jstr(m, "id"), hex) == 0 ? ">" : " ", jstr(m, "id"),
			    time_str(json_integer_value(json_object_get(m, "time")), t, sizeof(t)),
			    jstr(m, "from"), depth * 2, "", jstr(m, "subject"));
		}
	}
	free(hex);
}

static void
print_template(json_t *v)
{
	if (v == NULL)
		return;
	printf("Template  %s (%s)\n", jstr(v, "title") ? jstr(v, "title") : jstr(v, "template"),
	    jstr(v, "template"));
	if (jstr(v, "problem") != NULL)
		printf("          note: %s\n", jstr(v, "problem"));
	if (jstr(v, "fields_problem") != NULL)
		printf("WARNING   fields do not fit the template: %s\n", jstr(v, "fields_problem"));
	printf("\n%s", jstr(v, "rendered") ? jstr(v, "rendered") : "");
}

/* A verified forward: who wrote the original, and its text. */
static void
print_original(json_t *orig)
{
	json_t *c = json_object_get(orig, "content");
	uint8_t key[32];
	char fpr[RS_FPR_LEN] = "?", t[32];

	if (jstr(orig, "signer") != NULL && hex_decode_exact(key, 32, jstr(orig, "signer")) == 0)
		fingerprint(fpr, key);
	printf("\n---- Forwarded original (verified: signature, certificate, log inclusion,"
	    " content) ----\n");
	printf("From      %s, device %s\n", jstr(orig, "from"), fpr);
	printf("Logged    %s at log index %lld\n", time_str(json_integer_value(
	    json_object_get(orig, "time")), t, sizeof(t)),
	    (long long)json_integer_value(json_object_get(orig, "index")));
	printf("TLP:%s%s\n", jstr(c, "tlp") ? jstr(c, "tlp") : "?",
	    json_is_true(json_object_get(c, "no_forward")) ? "    not to be forwarded" : "");
	printf("Subject   %s\n\n%s\n", jstr(c, "subject") ? jstr(c, "subject") : "",
	    jstr(c, "body") ? jstr(c, "body") : "");
}

/* One line for `roster show`: how many attachments, how large. */
static void
attach_show(struct node *n, const uint8_t id[32], int received)
{
	json_t *list = attach_listed(n, id), *v;
	uint64_t total = 0;
	char sz[32], sid[17];
	size_t i;

	if (list == NULL)
		return;
	json_array_foreach(list, i, v)
		total += (uint64_t)json_integer_value(json_object_get(v, "size"));
	human_size(sz, sizeof(sz), (double)total);
	short_id(sid, id);
	printf("\nAttachments  %zu, %s encrypted%s%s%s\n", json_array_size(list),
	    sz, received ? "; list and save them with `roster attachment " : "",
	    received ? sid : "", received ? " --list`" : "");
	json_decref(list);
}

static json_t *
show_json(struct node *n, const struct msg_row *m, int sig_ok, const struct dir_device *d,
    json_t *acks, json_t *thread, json_t *content, json_t *tview)
{
	int out_ = strcmp(m->direction, "out") == 0;
	json_t *j = json_object(), *v;

	json_object_set_new(j, "id", jhex(m->id, 32));
	json_object_set_new(j, "direction", json_string(m->direction));
	json_object_set_new(j, "from", json_string(m->sender_state));
	json_object_set_new(j, "to", jparse(m->to_states, strlen(m->to_states)));
	json_object_set_new(j, "urgency", json_string(m->urgency));
	json_object_set_new(j, "subject", json_string(m->subject));
	json_object_set_new(j, "body", json_string(m->body));
	json_object_set_new(j, "tlp", json_string(m->tlp));
	json_object_set_new(j, "lang", json_string(m->lang));
	json_object_set_new(j, "sent", json_integer(m->sent));
	if (m->has_index) {
		json_object_set_new(j, "index", json_integer(m->index));
		json_object_set_new(j, "time", json_integer(m->time));
	}
	v = json_object();
	json_object_set_new(v, "signature", json_boolean(sig_ok));
	json_object_set_new(v, "certified", json_boolean(d != NULL));
	if (!out_)
		json_object_set_new(v, "inclusion_checked_at_size",
		    json_integer(m->checked_size));
	json_object_set_new(j, "verification", v);
	if (acks)
		json_object_set(j, "recipients", acks);
	json_object_set_new(j, "attachments", attach_listed(n, m->id));
	if (*m->error)
		json_object_set_new(j, "error", json_string(m->error));
	if (m->deadline > 0)
		json_object_set_new(j, "deadline", json_integer(m->deadline));
	if (m->escalated > 0)
		json_object_set_new(j, "escalated", json_integer(m->escalated));
	if (*m->notice)
		json_object_set_new(j, "notice", json_string(m->notice));
	if (content != NULL && json_object_get(content, "original") != NULL)
		json_object_set(j, "original", json_object_get(content, "original"));
	if (content != NULL && json_object_get(content, "no_forward") != NULL)
		json_object_set(j, "no_forward", json_object_get(content, "no_forward"));
	json_object_set(j, "thread", thread);
	if (tview != NULL) {
		json_object_set(j, "template", tview);
		json_object_set(j, "fields", json_object_get(content, "fields"));
	}
	return j;
}

static void
show_text(struct node *n, const struct msg_row *m, int sig_ok, const struct dir_device *d,
    json_t *acks, json_t *thread, json_t *content, json_t *tview)
{
	int out_ = strcmp(m->direction, "out") == 0;
	char t[32], t2[32], line[512];
	char *hexid = hex_encode(m->id, 32);
	json_t *tos, *tv;
	size_t ti;

	printf("Message   %s\n", hexid);
	free(hexid);
	device_line(n, m->sender_device, line, sizeof(line));
	printf("From      %s\n", line);
	if (d != NULL) {
		char rf[RS_FPR_LEN];
		fingerprint(rf, d->root);
		printf("          certified by %s root key %s at log index %lld\n", d->state,
		    rf, (long long)d->cert_index);
	}
	tos = jparse(m->to_states, strlen(m->to_states));
	printf("To        ");
	json_array_foreach(tos, ti, tv)
		printf("%s%s", ti ? ", " : "", json_string_value(tv));
	printf("\n");
	json_decref(tos);
	printf("Urgency   %s    TLP:%s    language %s\n", m->urgency, m->tlp, m->lang);
	printf("Sent      %s (sender's clock)\n", time_str(m->sent, t, sizeof(t)));
	if (m->has_index)
		printf("Logged    %s at log index %lld\n", time_str(m->time, t2, sizeof(t2)),
		    (long long)m->index);
	else
		printf("Logged    not yet: %s\n", *m->error ? m->error : "waiting in the outbox");
	printf("Verified  signature %s; ", sig_ok ? "valid" : "INVALID");
	if (out_)
		printf("receipt signed by the operator\n");
	else
		printf("certificate chain valid; inclusion proof checked against checkpoint %lld\n",
		    (long long)m->checked_size);
	if (!out_ && *m->error)
		printf("WARNING   %s\n", m->error);
	if (m->deadline > 0 && *m->notice == '\0')
		printf("Deadline  acknowledge by %s%s\n", time_str(m->deadline, t, sizeof(t)),
		    !out_ && !m->acked && now_ms() > m->deadline ? "  OVERDUE" : "");
	if (m->escalated > 0)
		printf("Escalated the sender's node sent an overdue notice at %s\n",
		    time_str(m->escalated, t, sizeof(t)));
	printf("Subject   %s\n", m->subject);
	print_template(tview);
	/* The body as written, without the blank lines its end may carry. */
	size_t blen = strlen(m->body);
	while (blen > 0 && (m->body[blen - 1] == '\n' || m->body[blen - 1] == '\r'))
		blen--;
	if (blen > 0)
		printf("\n%.*s\n", (int)blen, m->body);
	attach_show(n, m->id, !out_);
	if (content != NULL && json_object_get(content, "original") != NULL)
		print_original(json_object_get(content, "original"));
	if (!out_ && *m->notice == '\0') {
		char sid[17];
		short_id(sid, m->id);
		if (m->acked)
			printf("\nYou acknowledged this message.\n");
		else
			printf("\nNot acknowledged yet: roster ack %s\n", sid);
	}
	print_thread(thread, m->id);
	if (acks) {
		printf("\n");
		print_acks(acks);
	}
}

int
cmd_show(int argc, char **argv)
{
	struct node n = {0};
	const char *idp;
	uint8_t id[32];
	struct msg_row m;
	json_t *acks = NULL, *thread = NULL, *content = NULL, *tview = NULL;
	int json, rc, out_, have = 0;

	if ((rc = open_for_reading(&n, &doc_show, argc, argv, &json, &idp, NULL)) != 0)
		goto out;
	if (store_message_find(&n, idp, id) != 0 || store_message_get(&n, id, &m) != STORE_OK) {
		rc = fail("show");
		goto out;
	}
	have = 1;
	out_ = strcmp(m.direction, "out") == 0;
	int sig_ok = reverify(&n, id, out_) == 0;
	struct dir_device *d = m.has_sender ? dir_device(n.directory, m.sender_device) : NULL;
	if (out_)
		acks = ack_table(&n, id, m.rcpt);
	thread = message_thread_json(&n, id);
	content = m.content != NULL ? jparse(m.content, strlen(m.content)) : NULL;
	tview = content != NULL ? message_template_view(&n, content) : NULL;
	if (json) {
		json_t *j = show_json(&n, &m, sig_ok, d, acks, thread, content, tview);
		print_json(j);
		json_decref(j);
	} else
		show_text(&n, &m, sig_ok, d, acks, thread, content, tview);
out:
	if (have)
		msg_row_free(&m);
	json_decref(acks);
	json_decref(thread);
	json_decref(content);
	json_decref(tview);
	node_close(&n);
	return rc;
}

struct delivered {
	int64_t t;
};

static int
delivered_ack(void *ud, const uint8_t device[32], const char *status, int64_t index,
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
		char fpr[RS_FPR_LEN];
		struct dir_device *d;
		struct delivered dl = { 0 };
		if (!json_is_string(v) || hex_decode_exact(key, 32, json_string_value(v)) != 0)
			continue;
		d = dir_device(e->n->directory, key);
		fingerprint(fpr, key);
		json_t *r = json_pack("{s:s,s:s,s:s}", "fingerprint", fpr,
		    "role", d ? d->role : "?", "name",
		    d && jstr(d->cert, "name") ? jstr(d->cert, "name") : "?");
		(void)store_acks_each(e->n, notice, key, "delivered", delivered_ack, &dl);
		if (dl.t > 0)
			json_object_set_new(r, "delivered", json_integer(dl.t));
		json_array_append_new(reached, r);
	}
	json_decref(devs);
	json_array_append_new(e->out, json_pack("{s:i,s:I,s:o,s:o}", "stage", stage,
	    "time", (json_int_t)time, "notice", jhex(notice, 32), "reached", reached));
	return 0;
}

/* Who was reached by the overdue notices to one State, and when. */
static json_t *
escalations_json(struct node *n, const uint8_t id[32], const char *state)
{
	struct escalation_rows e = { n, json_array() };

	(void)store_escalations_each(n, id, state, escalation_row, &e);
	return e.out;
}

/* Per recipient State: acknowledged when and by whom, or overdue, and the
 * escalations so far. */
static json_t *
states_json(struct node *n, const uint8_t id[32], const char *to_json,
    int64_t deadline, json_t *recipients)
{
	json_t *to = jparse(to_json, strlen(to_json)), *out = json_array(), *v, *r;
	size_t i, k;

	json_array_foreach(to, i, v) {
		const char *state = json_string_value(v);
		json_t *row;
		int64_t acked = 0;
		const char *by = NULL;
		if (state == NULL)
			continue;
		json_array_foreach(recipients, k, r) {
			json_t *t = json_object_get(r, "acknowledged");
			if (strcmp(jstr(r, "state"), state) == 0 && t != NULL &&
			    (acked == 0 || json_integer_value(t) < acked)) {
				acked = json_integer_value(t);
				by = jstr(r, "name");
			}
		}
		row = json_pack("{s:s}", "state", state);
		if (acked > 0) {
			json_object_set_new(row, "acknowledged", json_integer(acked));
			json_object_set_new(row, "by", json_string(by));
			json_object_set_new(row, "on_time", json_boolean(deadline == 0 ||
			    acked <= deadline));
		} else
			json_object_set_new(row, "overdue", json_boolean(deadline > 0 &&
			    now_ms() > deadline));
		json_object_set_new(row, "escalations", escalations_json(n, id, state));
		json_array_append_new(out, row);
	}
	json_decref(to);
	return out;
}

static void
print_states(json_t *states, int64_t deadline)
{
	char t[32], t2[32];
	size_t i, k, m;
	json_t *row, *esc, *r;

	if (deadline > 0)
		printf("Acknowledge by %s\n", time_str(deadline, t, sizeof(t)));
	json_array_foreach(states, i, row) {
		json_t *a = json_object_get(row, "acknowledged");
		if (a != NULL)
			printf("  %s  acknowledged %s by %s%s\n", jstr(row, "state"),
			    time_str(json_integer_value(a), t, sizeof(t)), jstr(row, "by"),
			    json_is_true(json_object_get(row, "on_time")) ? "" : " (late)");
		else
			printf("  %s  %s\n", jstr(row, "state"),
			    json_is_true(json_object_get(row, "overdue")) ?
			    "OVERDUE: not acknowledged" : "not acknowledged yet");
		json_array_foreach(json_object_get(row, "escalations"), k, esc) {
			printf("      overdue notice (stage %d, %s) sent %s to:\n",
			    (int)json_integer_value(json_object_get(esc, "stage")),
			    json_integer_value(json_object_get(esc, "stage")) == 1 ?
			    "alternates" : "all other POCs",
			    time_str(json_integer_value(json_object_get(esc, "time")), t, sizeof(t)));
			json_array_foreach(json_object_get(esc, "reached"), m, r)
				printf("        %-10s %-20.20s delivered %s\n", jstr(r, "role"),
				    jstr(r, "name"), time_str(json_integer_value(
				    json_object_get(r, "delivered")), t2, sizeof(t2)));
		}
	}
	printf("\n");
}

/* The reminder naming this State's stale POCs (checks.h). */
static void
print_reminder(struct node *n, json_t *stale)
{
	json_t *p;
	size_t i;
	char t[32];

	printf("Reminder: these POCs of %s have not been confirmed for more "
	    "than %g days\n(no answer to a communication check, nor a new "
	    "certificate); please check them:\n", n->cfg.state, checks_stale_days(n));
	json_array_foreach(stale, i, p) {
		int64_t answered = json_integer_value(json_object_get(p, "answered"));
		printf("  %-10s %s <%s>  last answered a check: %s\n", jstr(p, "role"),
		    jstr(p, "name"), jstr(p, "email"),
		    answered > 0 ? time_str(answered, t, sizeof(t)) : "never");
	}
}

/* A sync pass before status shows anything, so an acknowledgement logged
 * since the last one is seen; 1 when it went through, else 0 after saying
 * why (status then shows what the last sync brought). */
static int
status_sync(struct node *n)
{
	struct sync_stats s;

	if (sync_once(n, &s) == 0)
		return 1;
	warn("status", "cannot sync with the hub (%s)", rs_err());
	return 0;
}

/* "As of the last sync at ...": said whenever status did not sync now. */
static void
print_as_of(struct node *n, FILE *f)
{
	int64_t at;
	char t[32];

	if (store_meta_get_int(n, "synced_at", &at) != 0 || at <= 0)
		fprintf(f, "As of the last sync: none yet (roster sync fetches "
		    "acknowledgements).\n");
	else
		fprintf(f, "As of the last sync at %s (roster sync for fresh data).\n",
		    time_str(at, t, sizeof(t)));
}

int
cmd_status(int argc, char **argv)
{
	struct node n = {0};
	const char *idp;
	uint8_t id[32];
	struct msg_row m;
	json_t *acks = NULL, *states = NULL, *stale;
	int64_t deadline, at;
	int json, rc, have = 0, offline, fresh;

	if ((rc = open_for_reading(&n, &doc_status, argc, argv, &json, &idp, &offline)) != 0)
		goto out;
	fresh = !offline && status_sync(&n);
	if (!fresh && !json)
		print_as_of(&n, stdout);
	if (idp == NULL) {	/* no message: the node's reminders */
		stale = checks_stale(&n);
		if (json_array_size(stale) == 0)
			printf("All POCs of %s confirmed within the last %g days.\n",
			    n.cfg.state, checks_stale_days(&n));
		else
			print_reminder(&n, stale);
		json_decref(stale);
		goto out;
	}
	if (store_message_find(&n, idp, id) != 0) {
		rc = fail("status");
		goto out;
	}
	switch (store_message_get(&n, id, &m)) {
	case STORE_OK:
		have = 1;
		break;
	case STORE_NOT_FOUND:
		break;
	default:
		rc = fail("status");
		goto out;
	}
	if (!have || strcmp(m.direction, "out") != 0) {
		fprintf(stderr, "roster status: %s was not sent by this node (see `roster show`)\n", idp);
		rc = 1;
		goto out;
	}
	deadline = m.deadline;
	acks = ack_table(&n, id, m.rcpt);
	states = states_json(&n, id, m.to_states, deadline, acks);
	if (json) {
		json_t *j = json_pack("{s:s,s:O,s:O}", "subject", m.subject,
		    "states", states, "recipients", acks);
		if (deadline > 0)
			json_object_set_new(j, "deadline", json_integer(deadline));
		json_object_set_new(j, "synced", json_boolean(fresh));
		if (store_meta_get_int(&n, "synced_at", &at) == 0 && at > 0)
			json_object_set_new(j, "synced_at", json_integer(at));
		print_json(j);
		json_decref(j);
	} else {
		printf("%s\n", m.subject);
		print_states(states, deadline);
		print_acks(acks);
	}
out:
	if (have)
		msg_row_free(&m);
	json_decref(acks);
	json_decref(states);
	node_close(&n);
	return rc;
}

/* The strings of a JSON array as "en, fr" (what a reader reads, not
 * JSON), "-" when there are none. */
static void
words(char *out, size_t len, json_t *arr)
{
	size_t i, used = 0;
	json_t *v;

	out[0] = '\0';
	json_array_foreach(arr, i, v)
		if (json_is_string(v) && used < len)
			used += (size_t)snprintf(out + used, len - used, "%s%s",
			    used ? ", " : "", json_string_value(v));
	if (out[0] == '\0')
		snprintf(out, len, "-");
	cat_printable(out);	/* the certificate's, so another State's words */
}

int
cmd_directory(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	struct sync_stats s;
	const char *only;
	json_t *arr = json_array(), *last = NULL;
	char fpr[RS_FPR_LEN], state[3], langs[256];
	size_t matched = 0;
	int json, rc;

	if ((rc = cli_parse(&o, &doc_directory, argc, argv)) != 0) {
		json_decref(arr);
		return rc;
	}
	node_common_opts(&n, &o);
	json = opt_flag(&o, "--json");
	only = opt_value(&o, "--state");
	if ((rc = cli_finish(&o)) != 0)
		goto out;
	if (only != NULL) {
		if (vocab_state_norm(only, state) != 0) {	/* fr is FR */
			rc = usage_error("directory", "--state \"%s\" is not a State code "
			    "(two letters)", only);
			goto out;
		}
		only = state;
	}
	if (node_open(&n, 0) != 0) {
		rc = fail("directory");
		goto out;
	}
	if (sync_directory(&n, &s) != 0)
		warn("directory", "cannot refresh the directory (%s); showing the copy "
		    "verified earlier", rs_err());
	last = checks_last_answers(&n);
	for (size_t i = 0; i < n.directory->nroots; i++) {
		struct dir_root *r = &n.directory->roots[i];
		if (only && strcmp(only, r->state) != 0)
			continue;
		matched++;
		fingerprint(fpr, r->key);
		if (json) {
			json_array_append_new(arr, json_pack("{s:s,s:s,s:o,s:s,s:I}", "kind", "root",
			    "state", r->state, "key", jhex(r->key, 32), "fingerprint", fpr,
			    "index", (json_int_t)r->index));
			continue;
		}
		printf("%s  root key %s (admitted at log index %lld)\n", r->state, fpr,
		    (long long)r->index);
		for (size_t k = 0; k < n.directory->ndevices; k++) {
			struct dir_device *d = n.directory->devices[k];
			if (strcmp(d->state, r->state) != 0 || memcmp(d->root, r->key, 32) != 0)
				continue;
			words(langs, sizeof(langs), json_object_get(d->cert, "languages"));
			fingerprint(fpr, d->key);
			char until[32];
			printf("    %-10s %s <%s> languages %s\n               device %s  %s",
			    d->role, jstr(d->cert, "name"), jstr(d->cert, "email"), langs, fpr,
			    d->revoked_index >= 0 ? "REVOKED" :
			    d->expires > 0 && d->expires < now_ms() ? "EXPIRED" : "current");
			if (d->expires > 0)
				printf(" (certificate valid until %s)", time_str(d->expires,
				    until, sizeof(until)));
			printf("\n");
			int64_t answered;
			int fresh = checks_device_fresh(&n, d, last, &answered);
			printf("               last answered a check: %s%s\n", answered > 0 ?
			    time_str(answered, until, sizeof(until)) : "never",
			    fresh ? "" : "  STALE: not confirmed for over stale_after_days");
		}
	}
	for (size_t i = 0; i < n.directory->ngroups; i++) {
		struct dir_group *g = &n.directory->groups[i];
		json_t *members = json_array();
		if (g->nstates == 0 || (only && !dir_group_has(g, only))) {
			json_decref(members);
			continue;
		}
		for (size_t k = 0; k < g->nstates; k++)
			json_array_append_new(members, json_string(g->states[k]));
		if (json) {
			json_array_append_new(arr, json_pack("{s:s,s:s,s:O,s:o,s:I}",
			    "kind", "group", "name", g->name, "title",
			    g->title ? g->title : json_null(), "states", members,
			    "index", (json_int_t)g->index));
			continue;
		}
		words(langs, sizeof(langs), members);
		printf("group:%s  %s  (%s%sset at log index %lld)\n", g->name, langs,
		    g->title && jstr(g->title, "en") ? jstr(g->title, "en") : "",
		    g->title && jstr(g->title, "en") ? "; " : "", (long long)g->index);
		json_decref(members);
	}
	if (json) {
		for (size_t k = 0; k < n.directory->ndevices; k++) {
			struct dir_device *d = n.directory->devices[k];
			if (only && strcmp(only, d->state) != 0)
				continue;
			fingerprint(fpr, d->key);
			json_t *e = json_pack("{s:s,s:s,s:s,s:o,s:s,s:O,s:I,s:b}", "kind", "device",
			    "state", d->state, "role", d->role, "key", jhex(d->key, 32),
			    "fingerprint", fpr, "cert", d->cert, "index", (json_int_t)d->cert_index,
			    "revoked", d->revoked_index >= 0);
			int64_t answered;
			json_object_set_new(e, "stale", json_boolean(!checks_device_fresh(&n,
			    d, last, &answered)));
			json_object_set_new(e, "last_answer", answered > 0 ?
			    json_integer(answered) : json_null());
			json_array_append_new(arr, e);
		}
		print_json(arr);
	} else if (n.directory->nroots == 0)
		printf("(the directory is empty: no State has been admitted yet)\n");
	rc = 0;
	if (only != NULL && matched == 0) {
		fprintf(stderr, "roster directory: no State %s in the directory (no root "
		    "key admitted for it)\n", only);
		rc = 1;
	}
out:
	json_decref(last);
	json_decref(arr);
	node_close(&n);
	return rc;
}
