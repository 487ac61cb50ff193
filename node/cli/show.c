/*
 * show.c - what a POC reads: inbox, show, status, directory.
 *
 * Each prints a view of node/core/views.h, the same one the web's local
 * API sends: `roster show --json ID` prints the message view as GET
 * /api/messages/ID answers it, `roster inbox --json` the inbox, `roster
 * directory --json` the directory.  What is printed in words is chosen
 * here, from the view; nothing is read from the store directly.  The
 * view re-checks the stored envelope's signature, so what show says about
 * verification is true of the bytes on disk now.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "core/catalogue_node.h"
#include "core/checks.h"
#include "core/contact.h"
#include "core/store.h"
#include "core/sync.h"
#include "core/views.h"
#include "jsonutil.h"

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

static int64_t
jint(json_t *j, const char *k)
{
	return json_integer_value(json_object_get(j, k));
}

static const char *
jtext(json_t *j, const char *k, const char *none)
{
	return jstr(j, k) != NULL ? jstr(j, k) : none;
}

/* An overdue notice's subject line: which message awaits the State's
 * acknowledgement (it carries nothing of the message itself). */
static void
notice_line(json_t *notice, char *out, size_t len)
{
	if (jstr(notice, "subject") != NULL)
		snprintf(out, len, "OVERDUE NOTICE: message %.16s awaits your State's"
		    " acknowledgement: %s", jtext(notice, "for", "?"), jstr(notice, "subject"));
	else
		snprintf(out, len, "OVERDUE NOTICE: message %.16s awaits your State's"
		    " acknowledgement", jtext(notice, "for", "?"));
}

int
cmd_inbox(int argc, char **argv)
{
	struct node n = {0};
	json_t *arr = NULL, *m;
	char t[32], subject[700];
	size_t i;
	int json, rc;

	if ((rc = open_for_reading(&n, &doc_inbox, argc, argv, &json, NULL, NULL)) != 0)
		goto out;
	if ((arr = inbox_view(&n, NULL, INT32_MAX, node_lang(&n))) == NULL) {
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
		json_t *notice = json_object_get(m, "notice");
		const char *ack = json_is_true(json_object_get(m, "acknowledged")) ? "yes" :
		    json_is_true(json_object_get(m, "overdue")) ? "OVERDUE" :
		    notice != NULL ? "-" : "no";
		if (notice != NULL)
			notice_line(notice, subject, sizeof(subject));
		else
			snprintf(subject, sizeof(subject), "%s", jtext(m, "subject", ""));
		printf("%-16.16s  %-20s  %-4s  %-8s  %-7s  %s%s%s\n", jstr(m, "id"),
		    time_str(jint(m, "time"), t, sizeof(t)),
		    jstr(m, "from"), jstr(m, "urgency"), ack, subject,
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

/* "XB technical POC Name <email>, device a1b2 ..." of a view's device. */
static void
device_line(json_t *d, char *out, size_t len)
{
	if (!json_is_true(json_object_get(d, "known")))
		snprintf(out, len, "unknown device %s", jtext(d, "fingerprint", "?"));
	else
		snprintf(out, len, "%s %s POC %s <%s>, device %s", jstr(d, "state"),
		    jstr(d, "role"), jtext(d, "name", "?"), jtext(d, "email", "?"),
		    jstr(d, "fingerprint"));
}

/* How a State or a device acknowledged: "", or " (reply ...)". */
static const char *
how_words(const char *how)
{
	if (how == NULL || strcmp(how, "acknowledged") == 0)
		return "";
	if (strcmp(how, "agreed") == 0)
		return " (agreed to the outcome)";
	if (strcmp(how, "reply") == 0)
		return " (reply in the thread)";
	return " (consultation step)";
}

static void
print_recipients(json_t *rows)
{
	size_t i;
	json_t *row;
	char t1[32], t2[32];

	printf("%-5s %-10s %-20s %-20s %-20s %s\n", "STATE", "ROLE", "NAME", "DELIVERED",
	    "ACKNOWLEDGED", "DEVICE");
	json_array_foreach(rows, i, row) {
		printf("%-5s %-10s %-20.20s %-20s %-20s %s\n", jtext(row, "state", "?"),
		    jtext(row, "role", "?"), jtext(row, "name", "?"),
		    time_str(jint(row, "delivered"), t1, sizeof(t1)),
		    time_str(jint(row, "acknowledged"), t2, sizeof(t2)),
		    jstr(row, "fingerprint"));
		if (jstr(row, "note") != NULL)
			printf("      note: %s\n", jstr(row, "note"));
		if (json_object_get(row, "answered") != NULL)
			printf("      acknowledged by its %s %.16s\n",
			    strcmp(jtext(json_object_get(row, "answered"), "kind", ""),
			    "reply") == 0 ? "reply" : "consultation step",
			    jtext(json_object_get(row, "answered"), "id", "?"));
	}
}

static void
print_thread(json_t *thread, const char *id)
{
	char t[32];
	size_t i;
	json_t *m;

	if (json_array_size(thread) <= 1)
		return;
	printf("\nThread (%zu messages)\n", json_array_size(thread));
	json_array_foreach(thread, i, m) {
		int depth = (int)jint(m, "depth");
		printf("  %s %.16s  %s  %-2s %*s%s\n",
		    strcmp(jstr(m, "id"), id) == 0 ? ">" : " ", jstr(m, "id"),
		    time_str(jint(m, "time"), t, sizeof(t)), jstr(m, "from"), depth * 2, "",
		    jstr(m, "subject"));
	}
}

static void
print_template(json_t *v)
{
	const char *p = jstr(v, "template_problem");

	if (jstr(v, "template") == NULL)
		return;
	printf("Template  %s (%s)\n", jtext(v, "template_title", jstr(v, "template")),
	    jstr(v, "template"));
	if (p != NULL)
		printf("          note: %s\n", strcmp(p, "unknown-template") == 0 ?
		    "this node does not know that template; the fields are shown as sent" :
		    "the sender used another version of this template; labels are this node's");
	if (jstr(v, "fields_problem") != NULL)
		printf("WARNING   fields do not fit the template: %s\n", jstr(v, "fields_problem"));
	printf("\n%s", jtext(v, "rendered", ""));
}

/* A verified forward: who wrote the original, and its text. */
static void
print_original(json_t *orig)
{
	json_t *c = json_object_get(orig, "content"), *v = json_object_get(orig, "verification");
	char t[32], line[512];

	printf("\n---- Forwarded original (verified: signature, certificate, log inclusion,"
	    " content) ----\n");
	device_line(json_object_get(v, "signer"), line, sizeof(line));
	printf("From      %s\n", line);
	printf("Logged    %s at log index %lld\n", time_str(jint(orig, "time"), t, sizeof(t)),
	    (long long)jint(orig, "index"));
	printf("TLP:%s%s\n", jtext(c, "tlp", "?"),
	    json_is_true(json_object_get(c, "no_forward")) ? "    not to be forwarded" : "");
	printf("Subject   %s\n\n%s\n", jtext(c, "subject", ""), jtext(c, "body", ""));
}

/* An original nothing checked (views.c: an older format, or the
 * forwarder's own claim): shown, but as what it is. */
static void
print_unverified(json_t *orig)
{
	json_t *c = json_object_get(orig, "content"), *v = json_object_get(orig, "verification");
	const char *why = jtext(v, "why", "");

	printf("\n---- Forwarded original: UNVERIFIED (%s; nothing of it was checked: "
	    "not its signature, its author, its place in the log nor its text) ----\n",
	    strcmp(why, "older-format") == 0 ? "stored from a forward of the format "
	    "before forwards carried the original's proof" :
	    "the forwarder's own claim, not the signed original");
	printf("Claimed from  %s\n", jtext(orig, "from", "?"));
	printf("Subject   %s\n\n%s\n", jtext(c, "subject", ""), jtext(c, "body", ""));
}

/* One line for `roster show`: how many attachments, how large. */
static void
print_attachments(json_t *list, const char *id, int received)
{
	uint64_t total = 0;
	char sz[32];
	size_t i;
	json_t *v;

	if (json_array_size(list) == 0)
		return;
	json_array_foreach(list, i, v)
		total += (uint64_t)(json_object_get(v, "encrypted_size") != NULL ?
		    jint(v, "encrypted_size") : jint(v, "size"));
	human_size(sz, sizeof(sz), (double)total);
	printf("\nAttachments  %zu, %s encrypted", json_array_size(list), sz);
	if (received)
		printf("; list and save them with `roster attachment %.16s --list`", id);
	printf("\n");
}

static void
show_text(json_t *j)
{
	json_t *v = json_object_get(j, "verification"), *cb = json_object_get(v, "certified_by");
	json_t *notice = json_object_get(j, "notice"), *tv;
	int out_ = strcmp(jstr(j, "direction"), "out") == 0;
	char t[32], t2[32], line[700];
	size_t ti;

	printf("Message   %s\n", jstr(j, "id"));
	device_line(json_object_get(v, "signer"), line, sizeof(line));
	printf("From      %s\n", line);
	if (cb != NULL)
		printf("          certified by %s root key %s at log index %lld\n",
		    jstr(cb, "state"), jstr(cb, "root_fingerprint"),
		    (long long)jint(cb, "certificate_index"));
	printf("To        ");
	json_array_foreach(json_object_get(j, "to"), ti, tv)
		printf("%s%s", ti ? ", " : "", json_string_value(tv));
	printf("\n");
	if (notice != NULL)
		printf("Urgency   %s    overdue notice (stage %lld)\n", jstr(j, "urgency"),
		    (long long)jint(notice, "stage"));
	else
		printf("Urgency   %s    TLP:%s    language %s\n", jstr(j, "urgency"),
		    jstr(j, "tlp"), jstr(j, "lang"));
	printf("Sent      %s (sender's clock)\n", time_str(jint(j, "sent"), t, sizeof(t)));
	if (json_object_get(j, "index") != NULL)
		printf("Logged    %s at log index %lld\n", time_str(jint(j, "time"), t2, sizeof(t2)),
		    (long long)jint(j, "index"));
	else
		printf("Logged    not yet: %s\n", jtext(j, "error", "waiting in the outbox"));
	printf("Verified  signature %s; ", json_is_true(json_object_get(v, "signature_valid")) ?
	    "valid" : "INVALID");
	if (out_)
		printf("receipt signed by the operator\n");
	else
		printf("certificate chain valid; inclusion proof checked against checkpoint %lld\n",
		    (long long)jint(v, "inclusion_checked_size"));
	if (!out_ && jstr(j, "error") != NULL)
		printf("WARNING   %s\n", jstr(j, "error"));
	if (json_object_get(j, "deadline") != NULL)
		printf("Deadline  acknowledge by %s%s\n", time_str(jint(j, "deadline"), t, sizeof(t)),
		    json_is_true(json_object_get(j, "overdue")) ? "  OVERDUE" : "");
	if (json_object_get(j, "escalated") != NULL)
		printf("Escalated the sender's node sent an overdue notice at %s\n",
		    time_str(jint(j, "escalated"), t, sizeof(t)));
	if (notice != NULL) {
		notice_line(notice, line, sizeof(line));
		printf("Subject   %s\n", line);
		printf("\nThe sender's node says message %s, of urgency %s, awaits your"
		    " State's acknowledgement (answer due %s).\n", jtext(notice, "for", "?"),
		    jtext(notice, "urgency", "?"), time_str(jint(notice, "deadline"), t,
		    sizeof(t)));
		if (json_is_true(json_object_get(notice, "held")))
			printf("This node holds it: `roster show %.16s`.\n", jstr(notice, "for"));
		else
			printf("This node does not hold it (it was sent to other POCs of your"
			    " State).\n");
		printf("%s\n", json_is_true(json_object_get(j, "acknowledged")) ?
		    "Your State has acknowledged it." :
		    "Acknowledging this notice acknowledges that message for your State.");
		return;
	}
	printf("Subject   %s\n", jstr(j, "subject"));
	print_template(j);
	/* The body as written, without the blank lines its end may carry. */
	const char *body = jtext(j, "body", "");
	size_t blen = strlen(body);
	while (blen > 0 && (body[blen - 1] == '\n' || body[blen - 1] == '\r'))
		blen--;
	if (blen > 0)
		printf("\n%.*s\n", (int)blen, body);
	print_attachments(json_object_get(j, "attachments"), jstr(j, "id"), !out_);
	if (json_object_get(j, "original") != NULL)
		print_original(json_object_get(j, "original"));
	else if (json_object_get(j, "original_unverified") != NULL)
		print_unverified(json_object_get(j, "original_unverified"));
	if (json_object_get(j, "original") == NULL && jstr(j, "original_error") != NULL)
		printf("\nWARNING   the forwarded original did not verify: %s\n",
		    jstr(j, "original_error"));
	if (!out_) {
		json_t *by = json_object_get(j, "acknowledged_by");
		if (!json_is_true(json_object_get(j, "acknowledged")))
			printf("\nNot acknowledged yet: roster ack %.16s\n", jstr(j, "id"));
		else if (by != NULL && jstr(by, "answer") != NULL)
			printf("\nYour State acknowledged this message by its answer %.16s%s.\n",
			    jstr(by, "answer"), how_words(jstr(by, "how")));
		else
			printf("\nYou acknowledged this message.\n");
	}
	print_thread(json_object_get(j, "thread"), jstr(j, "id"));
	if (out_) {
		printf("\n");
		print_recipients(json_object_get(j, "recipients"));
	}
}

int
cmd_show(int argc, char **argv)
{
	struct node n = {0};
	const char *idp;
	uint8_t id[32];
	json_t *j = NULL;
	int json, rc;

	if ((rc = open_for_reading(&n, &doc_show, argc, argv, &json, &idp, NULL)) != 0)
		goto out;
	if (store_message_find(&n, idp, id) != 0 ||
	    message_view(&n, id, node_lang(&n), &j) != VIEW_OK) {
		rc = fail("show");
		goto out;
	}
	if (json)
		print_json(j);
	else
		show_text(j);
out:
	json_decref(j);
	node_close(&n);
	return rc;
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
		if (json_object_get(row, "acknowledged") != NULL)
			printf("  %s  acknowledged %s by %s%s%s\n", jstr(row, "state"),
			    time_str(jint(row, "acknowledged"), t, sizeof(t)), jtext(row, "by", "?"),
			    how_words(jstr(row, "how")),
			    json_is_true(json_object_get(row, "on_time")) ? "" : " (late)");
		else
			printf("  %s  %s\n", jstr(row, "state"),
			    json_is_true(json_object_get(row, "overdue")) ?
			    "OVERDUE: not acknowledged" : "not acknowledged yet");
		json_array_foreach(json_object_get(row, "escalations"), k, esc) {
			printf("      overdue notice (stage %d, %s) sent %s to:\n",
			    (int)jint(esc, "stage"), jint(esc, "stage") == 1 ?
			    "alternates" : "all other POCs",
			    time_str(jint(esc, "time"), t, sizeof(t)));
			json_array_foreach(json_object_get(esc, "reached"), m, r)
				printf("        %-10s %-20.20s delivered %s\n", jtext(r, "role", "?"),
				    jtext(r, "name", "?"), time_str(jint(r, "delivered"), t2,
				    sizeof(t2)));
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

/* Whether the hub can be reached, and what waits for it (contact.h). */
static void
print_contact(json_t *c)
{
	json_t *ob = json_object_get(c, "outbox");
	char t[32], t2[32];

	if (c == NULL)
		return;
	if (json_is_true(json_object_get(c, "reachable")))
		printf("Hub: reachable; last answer %s\n", time_str(jint(c, "last_contact"), t,
		    sizeof(t)));
	else
		printf("Hub: UNREACHABLE since %s (%s); last answer %s\n",
		    time_str(jint(c, "failed"), t, sizeof(t)), jtext(c, "detail", "?"),
		    jint(c, "last_contact") > 0 ? time_str(jint(c, "last_contact"), t2,
		    sizeof(t2)) : "never");
	printf("Last complete sync: %s\n", jint(c, "synced_at") > 0 ?
	    time_str(jint(c, "synced_at"), t, sizeof(t)) : "never");
	if (jint(ob, "count") > 0)
		printf("Outbox: %lld waiting to be sent%s, the oldest since %s\n",
		    (long long)jint(ob, "count"), jint(ob, "urgent") > 0 ?
		    " (URGENT MAIL AMONG THEM)" : "", time_str(jint(ob, "oldest"), t, sizeof(t)));
}

int
cmd_status(int argc, char **argv)
{
	struct node n = {0};
	const char *idp;
	uint8_t id[32];
	json_t *v = NULL, *stale, *contact;
	int64_t at;
	int json, rc, offline, fresh;

	if ((rc = open_for_reading(&n, &doc_status, argc, argv, &json, &idp, &offline)) != 0)
		goto out;
	fresh = !offline && status_sync(&n);
	if (!fresh && !json)
		print_as_of(&n, stdout);
	if (idp == NULL) {	/* no message: the hub, the outbox, the node's reminders */
		contact = contact_json(&n);
		stale = checks_stale(&n);
		if (json) {
			json_t *sent = sent_view(&n, node_lang(&n));
			json_t *j = json_pack("{s:o,s:O,s:o}", "hub", contact ? contact :
			    json_null(), "stale", stale, "sent", sent ? sent : json_array());
			print_json(j);
			json_decref(j);
			json_decref(stale);
			goto out;
		}
		print_contact(contact);
		json_decref(contact);
		if (json_array_size(stale) == 0)
			printf("All POCs of %s confirmed within the last %g days.\n",
			    n.cfg.state, checks_stale_days(&n));
		else
			print_reminder(&n, stale);
		json_decref(stale);
		print_root_warnings(&n, stdout);
		goto out;
	}
	if (store_message_find(&n, idp, id) != 0 ||
	    message_view(&n, id, node_lang(&n), &v) == VIEW_ERROR) {
		rc = fail("status");
		goto out;
	}
	if (v == NULL || strcmp(jstr(v, "direction"), "out") != 0) {
		fprintf(stderr, "roster status: %s was not sent by this node (see `roster show`)\n", idp);
		rc = 1;
		goto out;
	}
	if (json) {
		json_t *j = json_pack("{s:s,s:O,s:O}", "subject", jstr(v, "subject"),
		    "states", json_object_get(v, "states"), "recipients",
		    json_object_get(v, "recipients"));
		if (json_object_get(v, "deadline") != NULL)
			json_object_set(j, "deadline", json_object_get(v, "deadline"));
		json_object_set_new(j, "synced", json_boolean(fresh));
		if (store_meta_get_int(&n, "synced_at", &at) == 0 && at > 0)
			json_object_set_new(j, "synced_at", json_integer(at));
		print_json(j);
		json_decref(j);
	} else {
		printf("%s\n", jstr(v, "subject"));
		print_states(json_object_get(v, "states"), jint(v, "deadline"));
		print_recipients(json_object_get(v, "recipients"));
		print_root_warnings(&n, stdout);
	}
out:
	json_decref(v);
	node_close(&n);
	return rc;
}

int
cmd_directory(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	struct sync_stats s;
	const char *only;
	json_t *dir = NULL, *st, *p, *r, *g, *v;
	char until[32], state[3], who[1024];
	size_t i, k, m;
	int json, rc;

	if ((rc = cli_parse(&o, &doc_directory, argc, argv)) != 0)
		return rc;
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
	dir = directory_view(&n);
	if (only != NULL) {	/* the one State, and the groups it is in */
		json_t *keep = json_array(), *groups = json_array();
		json_array_foreach(json_object_get(dir, "states"), i, st)
			if (strcmp(jstr(st, "state"), only) == 0)
				json_array_append(keep, st);
		json_array_foreach(json_object_get(dir, "groups"), i, g)
			json_array_foreach(json_object_get(g, "states"), k, v)
				if (strcmp(json_string_value(v), only) == 0) {
					json_array_append(groups, g);
					break;
				}
		json_object_set_new(dir, "states", keep);
		json_object_set_new(dir, "groups", groups);
	}
	if (only != NULL && json_array_size(json_object_get(dir, "states")) == 0) {
		fprintf(stderr, "roster directory: no State %s in the directory (no root "
		    "key admitted for it)\n", only);
		rc = 1;
		goto out;
	}
	if (json) {
		print_json(dir);
		goto out;
	}
	json_array_foreach(json_object_get(dir, "states"), i, st) {
		json_array_foreach(json_object_get(st, "roots"), k, r) {
			const char *rs = jstr(r, "status");
			printf("%s  root key %s (admitted at log index %lld)%s\n", jstr(st, "state"),
			    jstr(r, "fingerprint"), (long long)jint(r, "index"),
			    rs == NULL || strcmp(rs, "endorsed") == 0 ? "" :
			    strcmp(rs, "disowned") == 0 ? "  DISOWNED by the State" :
			    "  NOT ENDORSED by the State");
		}
		if (jstr(st, "warning") != NULL)
			printf("    WARNING: %s has a root key %s has not endorsed: the operator"
			    " admitted another; compare it with %s out of band (its devices"
			    " get no mail until %s endorses it, unless sent with"
			    " --unconfirmed)\n", jstr(st, "state"),
			    jstr(st, "state"), jstr(st, "state"), jstr(st, "state"));
		json_array_foreach(json_object_get(st, "pocs"), k, p) {
			const char *status = jstr(p, "status");
			snprintf(who, sizeof(who), "%s <%s> languages ", jtext(p, "name", "?"),
			    jtext(p, "email", "?"));
			json_array_foreach(json_object_get(p, "languages"), m, v)
				snprintf(who + strlen(who), sizeof(who) - strlen(who), "%s%s",
				    m ? ", " : "", json_is_string(v) ? json_string_value(v) : "?");
			cat_printable(who);	/* the certificate's: another State's words */
			printf("    %-10s %s", jstr(p, "role"), who);
			printf("\n               device %s  %s", jstr(p, "fingerprint"),
			    strcmp(status, "revoked") == 0 ? "REVOKED" :
			    strcmp(status, "expired") == 0 ? "EXPIRED" :
			    strcmp(status, "disowned") == 0 ? "DISOWNED (its root key)" :
			    json_is_true(json_object_get(p, "unconfirmed")) ?
			    "UNCONFIRMED (its root key is not endorsed)" : "current");
			if (jint(p, "expires") > 0)
				printf(" (certificate valid until %s)", time_str(jint(p, "expires"),
				    until, sizeof(until)));
			printf("\n               last answered a check: %s%s\n",
			    jint(p, "last_check") > 0 ? time_str(jint(p, "last_check"), until,
			    sizeof(until)) : "never",
			    json_is_true(json_object_get(p, "stale")) ?
			    "  STALE: not confirmed for over stale_after_days" : "");
		}
	}
	json_array_foreach(json_object_get(dir, "groups"), i, g) {
		json_t *title = json_object_get(g, "title");
		printf("group:%s  ", jstr(g, "name"));
		json_array_foreach(json_object_get(g, "states"), k, v)
			printf("%s%s", k ? ", " : "", json_string_value(v));
		printf("  (%s; set at log index %lld)\n", jstr(title, "en") ? jstr(title, "en") :
		    "", (long long)jint(g, "index"));
	}
	if (json_array_size(json_object_get(dir, "states")) == 0 && only == NULL)
		printf("(the directory is empty: no State has been admitted yet)\n");
	rc = 0;
out:
	json_decref(dir);
	node_close(&n);
	return rc;
}
