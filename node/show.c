/*
 * show.c - what a POC reads: inbox, show, status, directory.
 *
 * These read the node's own store, which holds only what passed
 * verification; show re-checks the stored envelope's signature so what it
 * prints about verification is true of the bytes on disk now.  Each command
 * has a --json form with the same facts, for scripts and tests.
 */
#include "node.h"

#include <stdlib.h>
#include <string.h>

#include "catalogue_node.h"
#include "db.h"
#include "jsonutil.h"

/* The --json form of every listing: indented, fields in their order. */
static void
print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s != NULL)
		puts(s);
	free(s);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

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

static int
open_for_reading(struct node *n, int argc, char **argv, const char *cmd,
    int *json, const char **id)
{
	struct opts o;
	int rc;

	opts_init(&o, argc, argv);
	node_common_opts(n, &o);
	*json = opt_flag(&o, "--json");
	if (id != NULL)
		*id = opt_positional(&o);
	rc = opts_finish(&o, cmd);
	opts_free(&o);
	if (rc != 0)
		return EXIT_USAGE;
	if (id != NULL && *id == NULL && strcmp(cmd, "status") != 0)
		return usage_error(cmd, "which message? give its ID");
	if (node_open(n, 0) != 0)
		return fail(cmd);
	return 0;
}

/* Received messages for the inbox: the unacknowledged overdue ones first,
 * then by urgency, then newest first.  An overdue notice is listed under a
 * subject of its own (it has none: it carries nothing of the message). */
json_t *
inbox_json(struct node *n, int limit)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT id, idx, time, sender_state, urgency,"
	    " subject, acked, deadline, escalated, notice, json_extract(content, '$.ref'),"
	    " error FROM messages WHERE direction = 'in' ORDER BY"
	    " (acked = 0 AND notice IS NULL AND deadline IS NOT NULL AND deadline < ?2) DESC,"
	    " CASE urgency WHEN 'flash' THEN 0 WHEN 'urgent' THEN 1 WHEN 'priority' THEN 2"
	    " ELSE 3 END, time DESC LIMIT ?1");
	json_t *arr = json_array();
	int64_t now = now_ms();

	if (st == NULL)
		return NULL;
	sqlite3_bind_int(st, 1, limit);
	sqlite3_bind_int64(st, 2, now);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *m = json_object();
		int acked = sqlite3_column_int(st, 6);
		int64_t deadline = sqlite3_column_int64(st, 7);
		char subject[128];
		json_object_set_new(m, "id", jhex(sqlite3_column_blob(st, 0), 32));
		json_object_set_new(m, "index", json_integer(sqlite3_column_int64(st, 1)));
		json_object_set_new(m, "time", json_integer(sqlite3_column_int64(st, 2)));
		json_object_set_new(m, "from", json_string(col_text(st, 3)));
		json_object_set_new(m, "urgency", json_string(col_text(st, 4)));
		if (*col_text(st, 9)) {
			snprintf(subject, sizeof(subject), "OVERDUE NOTICE: message %.16s awaits"
			    " your State's acknowledgement", col_text(st, 10));
			json_object_set_new(m, "subject", json_string(subject));
			json_object_set_new(m, "notice", json_string(col_text(st, 9)));
			json_object_set_new(m, "ref", json_string(col_text(st, 10)));
		} else
			json_object_set_new(m, "subject", json_string(col_text(st, 5)));
		json_object_set_new(m, "acknowledged", json_boolean(acked));
		if (deadline > 0) {
			json_object_set_new(m, "deadline", json_integer(deadline));
			json_object_set_new(m, "overdue", json_boolean(!acked &&
			    !*col_text(st, 9) && deadline < now));
		}
		if (sqlite3_column_int64(st, 8) > 0)
			json_object_set_new(m, "escalated", json_integer(sqlite3_column_int64(st, 8)));
		if (*col_text(st, 11))
			json_object_set_new(m, "warning", json_string(col_text(st, 11)));
		json_array_append_new(arr, m);
	}
	sqlite3_finalize(st);
	return arr;
}

int
cmd_inbox(int argc, char **argv)
{
	struct node n = {0};
	json_t *arr = NULL, *m;
	char t[32];
	size_t i;
	int json, rc;

	if ((rc = open_for_reading(&n, argc, argv, "inbox", &json, NULL)) != 0)
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

/* Per-recipient acknowledgement times of a sent message. */
static json_t *
ack_table(struct node *n, const uint8_t id[32], const char *rcpt_json)
{
	json_t *rcpt = jparse(rcpt_json, strlen(rcpt_json)), *out = json_array(), *v;
	size_t i;

	json_array_foreach(rcpt, i, v) {
		uint8_t dev[32];
		json_t *row = json_object();
		struct dir_device *d;
		char fpr[RS_FPR_LEN];

		if (!json_is_string(v) || hex_decode_exact(dev, 32, json_string_value(v)) != 0) {
			json_decref(row);
			continue;
		}
		d = dir_device(n->directory, dev);
		fingerprint(fpr, dev);
		json_object_set_new(row, "device", json_string(json_string_value(v)));
		json_object_set_new(row, "fingerprint", json_string(fpr));
		json_object_set_new(row, "state", json_string(d ? d->state : "?"));
		json_object_set_new(row, "role", json_string(d ? d->role : "?"));
		json_object_set_new(row, "name", json_string(d && jstr(d->cert, "name") ?
		    jstr(d->cert, "name") : "?"));
		sqlite3_stmt *st = db_prep(n->db, "SELECT status, time, note, idx FROM acks"
		    " WHERE msg_id = ? AND device = ?");
		if (st != NULL) {
			sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
			sqlite3_bind_blob(st, 2, dev, 32, SQLITE_STATIC);
			while (sqlite3_step(st) == SQLITE_ROW) {
				const char *status = col_text(st, 0);
				json_object_set_new(row, status, json_integer(sqlite3_column_int64(st, 1)));
				if (strcmp(status, "acknowledged") == 0 && *col_text(st, 2))
					json_object_set_new(row, "note", json_string(col_text(st, 2)));
			}
			sqlite3_finalize(st);
		}
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

	printf("%-4s %-10s %-20s %-20s %-20s %s\n", "STATE", "ROLE", "NAME", "DELIVERED",
	    "ACKNOWLEDGED", "DEVICE");
	json_array_foreach(acks, i, row) {
		printf("%-4s %-10s %-20.20s %-20s %-20s %s\n", jstr(row, "state"),
		    jstr(row, "role"), jstr(row, "name"),
		    time_str(json_integer_value(json_object_get(row, "delivered")), t1, sizeof(t1)),
		    time_str(json_integer_value(json_object_get(row, "acknowledged")), t2, sizeof(t2)),
		    jstr(row, "fingerprint"));
		if (jstr(row, "note") != NULL)
			printf("     note: %s\n", jstr(row, "note"));
	}
}

static int
reverify(struct node *n, const uint8_t id[32], int outgoing)
{
	sqlite3_stmt *st = db_prep(n->db, outgoing ?
	    "SELECT envelope FROM outbox WHERE id = ?" :
	    "SELECT envelope FROM records WHERE id = ?");
	struct envelope e;
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    env_parse(&e, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0)) == 0) {
		rc = memcmp(e.id, id, 32) == 0 ? env_verify(&e) : -1;
		env_free(&e);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The thread a message belongs to: up the parents to the first message
 * this node holds, then every message below it, in log order. */
json_t *
message_thread_json(struct node *n, const uint8_t id[32])
{
	uint8_t root[32];
	sqlite3_stmt *st;
	json_t *out = json_array();

	memcpy(root, id, 32);
	st = db_prep(n->db, "SELECT parent FROM messages WHERE id = ?");
	for (int depth = 0; st != NULL && depth < 1000; depth++) {
		sqlite3_reset(st);
		sqlite3_bind_blob(st, 1, root, 32, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_bytes(st, 0) != 32)
			break;
		const void *p = sqlite3_column_blob(st, 0);
		sqlite3_stmt *has = db_prep(n->db, "SELECT 1 FROM messages WHERE id = ?");
		int found = 0;
		if (has != NULL) {
			sqlite3_bind_blob(has, 1, p, 32, SQLITE_STATIC);
			found = sqlite3_step(has) == SQLITE_ROW;
			sqlite3_finalize(has);
		}
		if (!found)
			break;
		memcpy(root, p, 32);
	}
	sqlite3_finalize(st);
	st = db_prep(n->db, "WITH RECURSIVE t(id, depth) AS (SELECT ?, 0 UNION ALL"
	    " SELECT m.id, t.depth + 1 FROM messages m JOIN t ON m.parent = t.id"
	    " WHERE t.depth < 1000)"
	    " SELECT m.id, t.depth, m.sender_state, m.subject, coalesce(m.time, m.sent),"
	    " m.notice FROM t JOIN messages m ON m.id = t.id ORDER BY 5");
	if (st == NULL)
		return out;
	sqlite3_bind_blob(st, 1, root, 32, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			continue;	/* overdue notices are not part of the conversation */
		json_array_append_new(out, json_pack("{s:o,s:i,s:s,s:s,s:I}", "id",
		    jhex(sqlite3_column_blob(st, 0), 32), "depth", sqlite3_column_int(st, 1),
		    "from", col_text(st, 2), "subject", col_text(st, 3),
		    "time", (json_int_t)sqlite3_column_int64(st, 4)));
	}
	sqlite3_finalize(st);
	return out;
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

/* A message written on a template: its fields with every label in this
 * node's language, whatever the sender's.  The sender's template digest is
 * compared with this node's copy, so a reader knows when the two differ
 * (another version, or an operator's replacement). */
static json_t *
template_view(struct node *n, json_t *content)
{
	struct catalogue *c = NULL;
	struct buf b = {0};
	const char *id = jstr(content, "template"), *theirs = jstr(content, "template_digest");
	json_t *fields = json_object_get(content, "fields"), *v, *t;
	uint8_t digest[32];
	char *ours = NULL;
	int fb;

	if (id == NULL)
		return NULL;
	v = json_pack("{s:s,s:s}", "template", id, "lang", node_lang(n));
	if (node_catalogue(n, &c) != 0 || (t = catalogue_template(c, id)) == NULL) {
		json_object_set_new(v, "problem", json_string("this node does not know"
		    " that template; the fields are shown as sent"));
		json_object_set_new(v, "rendered", json_string(""));
		goto out;
	}
	json_object_set_new(v, "title", json_string(cat_label(json_object_get(t, "title"),
	    node_lang(n), &fb)));
	if (catalogue_digest(c, id, digest) == 0)
		ours = hex_encode(digest, 32);
	if (theirs == NULL || ours == NULL || strcmp(ours, theirs) != 0)
		json_object_set_new(v, "problem", json_string("the sender used another"
		    " version of this template; labels are this node's"));
	if (!json_is_object(fields) || catalogue_check_fields(c, id, fields) != 0)
		json_object_set_new(v, "fields_problem", json_string(rs_err()));
	if (json_is_object(fields) && catalogue_render(c, id, fields, node_lang(n), &b) == 0)
		json_object_set_new(v, "rendered", json_string(buf_cstr(&b)));
out:
	free(ours);
	buf_free(&b);
	catalogue_free(c);
	return v;
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

int
cmd_show(int argc, char **argv)
{
	struct node n = {0};
	const char *idp;
	uint8_t id[32];
	sqlite3_stmt *st = NULL;
	char t[32], t2[32], line[512];
	json_t *acks = NULL, *thread = NULL, *content = NULL, *tview = NULL;
	int64_t deadline, escalated;
	int json, rc, out_;

	if ((rc = open_for_reading(&n, argc, argv, "show", &json, &idp)) != 0)
		goto out;
	if (store_find_message(&n, idp, id) != 0) {
		rc = fail("show");
		goto out;
	}
	st = db_prep(n.db, "SELECT direction, sender_state, sender_device, to_states,"
	    " urgency, subject, body, tlp, lang, sent, idx, time, checked_size, rcpt, error,"
	    " acked, content, deadline, escalated, notice FROM messages WHERE id = ?");
	if (st == NULL) {
		rc = fail("show");
		goto out;
	}
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	sqlite3_step(st);
	out_ = strcmp(col_text(st, 0), "out") == 0;
	int sig_ok = reverify(&n, id, out_) == 0;
	struct dir_device *d = dir_device(n.directory, sqlite3_column_blob(st, 2));
	if (out_)
		acks = ack_table(&n, id, col_text(st, 13));
	thread = message_thread_json(&n, id);
	content = jparse(col_text(st, 16), strlen(col_text(st, 16)));
	deadline = sqlite3_column_int64(st, 17);
	escalated = sqlite3_column_int64(st, 18);
	tview = content != NULL ? template_view(&n, content) : NULL;
	if (json) {
		json_t *j = json_object();
		json_object_set_new(j, "id", jhex(id, 32));
		json_object_set_new(j, "direction", json_string(col_text(st, 0)));
		json_object_set_new(j, "from", json_string(col_text(st, 1)));
		json_object_set_new(j, "to", jparse(col_text(st, 3), strlen(col_text(st, 3))));
		json_object_set_new(j, "urgency", json_string(col_text(st, 4)));
		json_object_set_new(j, "subject", json_string(col_text(st, 5)));
		json_object_set_new(j, "body", json_string(col_text(st, 6)));
		json_object_set_new(j, "tlp", json_string(col_text(st, 7)));
		json_object_set_new(j, "lang", json_string(col_text(st, 8)));
		json_object_set_new(j, "sent", json_integer(sqlite3_column_int64(st, 9)));
		if (sqlite3_column_type(st, 10) != SQLITE_NULL) {
			json_object_set_new(j, "index", json_integer(sqlite3_column_int64(st, 10)));
			json_object_set_new(j, "time", json_integer(sqlite3_column_int64(st, 11)));
		}
		json_t *v = json_object();
		json_object_set_new(v, "signature", json_boolean(sig_ok));
		json_object_set_new(v, "certified", json_boolean(d != NULL));
		if (!out_)
			json_object_set_new(v, "inclusion_checked_at_size",
			    json_integer(sqlite3_column_int64(st, 12)));
		json_object_set_new(j, "verification", v);
		if (acks)
			json_object_set(j, "recipients", acks);
		json_object_set_new(j, "attachments", attach_listed(&n, id));
		if (*col_text(st, 14))
			json_object_set_new(j, "error", json_string(col_text(st, 14)));
		if (deadline > 0)
			json_object_set_new(j, "deadline", json_integer(deadline));
		if (escalated > 0)
			json_object_set_new(j, "escalated", json_integer(escalated));
		if (*col_text(st, 19))
			json_object_set_new(j, "notice", json_string(col_text(st, 19)));
		if (content != NULL && json_object_get(content, "original") != NULL)
			json_object_set(j, "original", json_object_get(content, "original"));
		if (content != NULL && json_object_get(content, "no_forward") != NULL)
			json_object_set(j, "no_forward", json_object_get(content, "no_forward"));
		json_object_set(j, "thread", thread);
		if (tview != NULL) {
			json_object_set(j, "template", tview);
			json_object_set(j, "fields", json_object_get(content, "fields"));
		}
		print_json(j);
		json_decref(j);
		goto out;
	}
	char *hexid = hex_encode(id, 32);
	printf("Message   %s\n", hexid);
	free(hexid);
	device_line(&n, sqlite3_column_blob(st, 2), line, sizeof(line));
	printf("From      %s\n", line);
	if (d != NULL) {
		char rf[RS_FPR_LEN];
		fingerprint(rf, d->root);
		printf("          certified by %s root key %s at log index %lld\n", d->state,
		    rf, (long long)d->cert_index);
	}
	json_t *tos = jparse(col_text(st, 3), strlen(col_text(st, 3))), *tv;
	size_t ti;
	printf("To        ");
	json_array_foreach(tos, ti, tv)
		printf("%s%s", ti ? ", " : "", json_string_value(tv));
	printf("\n");
	json_decref(tos);
	printf("Urgency   %s    TLP:%s    language %s\n", col_text(st, 4), col_text(st, 7),
	    col_text(st, 8));
	printf("Sent      %s (sender's clock)\n", time_str(sqlite3_column_int64(st, 9), t, sizeof(t)));
	if (sqlite3_column_type(st, 10) != SQLITE_NULL)
		printf("Logged    %s at log index %lld\n",
		    time_str(sqlite3_column_int64(st, 11), t2, sizeof(t2)),
		    (long long)sqlite3_column_int64(st, 10));
	else
		printf("Logged    not yet: %s\n", *col_text(st, 14) ? col_text(st, 14) :
		    "waiting in the outbox");
	printf("Verified  signature %s; ", sig_ok ? "valid" : "INVALID");
	if (out_)
		printf("receipt signed by the operator\n");
	else
		printf("certificate chain valid; inclusion proof checked against checkpoint %lld\n",
		    (long long)sqlite3_column_int64(st, 12));
	if (!out_ && *col_text(st, 14))
		printf("WARNING   %s\n", col_text(st, 14));
	if (deadline > 0 && *col_text(st, 19) == '\0')
		printf("Deadline  acknowledge by %s%s\n", time_str(deadline, t, sizeof(t)),
		    !out_ && !sqlite3_column_int(st, 15) && now_ms() > deadline ?
		    "  OVERDUE" : "");
	if (escalated > 0)
		printf("Escalated the sender's node sent an overdue notice at %s\n",
		    time_str(escalated, t, sizeof(t)));
	printf("Subject   %s\n", col_text(st, 5));
	print_template(tview);
	printf("\n%s\n", col_text(st, 6));
	attach_show(&n, id, !out_);
	if (content != NULL && json_object_get(content, "original") != NULL)
		print_original(json_object_get(content, "original"));
	if (!out_ && *col_text(st, 19) == '\0')
		printf("\n%s\n", sqlite3_column_int(st, 15) ? "You acknowledged this message." :
		    "Not acknowledged yet: `roster ack ID`.");
	print_thread(thread, id);
	if (acks) {
		printf("\n");
		print_acks(acks);
	}
out:
	sqlite3_finalize(st);
	json_decref(acks);
	json_decref(thread);
	json_decref(content);
	json_decref(tview);
	node_close(&n);
	return rc;
}

/* The "delivered" time of a notice at one device, 0 when not yet. */
static int64_t
delivered_at(struct node *n, const uint8_t *notice, const uint8_t dev[32])
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT time FROM acks WHERE msg_id = ?"
	    " AND device = ? AND status = 'delivered'");
	int64_t t = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_blob(st, 1, notice, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, dev, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		t = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return t;
}

/* Who was reached by the overdue notices to one State, and when. */
static json_t *
escalations_json(struct node *n, const uint8_t id[32], const char *state)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT stage, time, notice_id, devices"
	    " FROM escalations WHERE msg_id = ? AND state = ? ORDER BY stage");
	json_t *out = json_array();

	if (st == NULL)
		return out;
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *dj = col_text(st, 3);
		json_t *devs = jparse(dj, strlen(dj)), *reached = json_array(), *v;
		size_t i;
		json_array_foreach(devs, i, v) {
			uint8_t key[32];
			char fpr[RS_FPR_LEN];
			struct dir_device *d;
			if (!json_is_string(v) || hex_decode_exact(key, 32, json_string_value(v)) != 0)
				continue;
			d = dir_device(n->directory, key);
			fingerprint(fpr, key);
			json_t *r = json_pack("{s:s,s:s,s:s}", "fingerprint", fpr,
			    "role", d ? d->role : "?", "name",
			    d && jstr(d->cert, "name") ? jstr(d->cert, "name") : "?");
			int64_t t = delivered_at(n, sqlite3_column_blob(st, 2), key);
			if (t > 0)
				json_object_set_new(r, "delivered", json_integer(t));
			json_array_append_new(reached, r);
		}
		json_decref(devs);
		json_array_append_new(out, json_pack("{s:i,s:I,s:o,s:o}", "stage",
		    sqlite3_column_int(st, 0), "time", (json_int_t)sqlite3_column_int64(st, 1),
		    "notice", jhex(sqlite3_column_blob(st, 2), 32), "reached", reached));
	}
	sqlite3_finalize(st);
	return out;
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

int
cmd_status(int argc, char **argv)
{
	struct node n = {0};
	const char *idp;
	uint8_t id[32];
	sqlite3_stmt *st = NULL;
	json_t *acks = NULL, *states = NULL;
	int64_t deadline;
	int json, rc;

	if ((rc = open_for_reading(&n, argc, argv, "status", &json, &idp)) != 0)
		goto out;
	if (idp == NULL) {	/* no message: the node's reminders */
		if (checks_remind(&n, stdout) == 0)
			printf("All POCs of %s confirmed within the last %g days.\n",
			    n.cfg.state, checks_stale_days(&n));
		goto out;
	}
	if (store_find_message(&n, idp, id) != 0) {
		rc = fail("status");
		goto out;
	}
	st = db_prep(n.db, "SELECT rcpt, subject, to_states, deadline FROM messages"
	    " WHERE id = ? AND direction = 'out'");
	if (st == NULL) {
		rc = fail("status");
		goto out;
	}
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		fprintf(stderr, "roster status: %s was not sent by this node (see `roster show`)\n", idp);
		rc = 1;
		goto out;
	}
	deadline = sqlite3_column_int64(st, 3);
	acks = ack_table(&n, id, col_text(st, 0));
	states = states_json(&n, id, col_text(st, 2), deadline, acks);
	if (json) {
		json_t *j = json_pack("{s:s,s:O,s:O}", "subject", col_text(st, 1),
		    "states", states, "recipients", acks);
		if (deadline > 0)
			json_object_set_new(j, "deadline", json_integer(deadline));
		print_json(j);
		json_decref(j);
	} else {
		printf("%s\n", col_text(st, 1));
		print_states(states, deadline);
		print_acks(acks);
	}
out:
	sqlite3_finalize(st);
	json_decref(acks);
	json_decref(states);
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
	json_t *arr = json_array(), *last = NULL;
	char fpr[RS_FPR_LEN];
	int json, rc;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	json = opt_flag(&o, "--json");
	only = opt_value(&o, "--state");
	rc = opts_finish(&o, "directory");
	opts_free(&o);
	if (rc != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (node_open(&n, 0) != 0) {
		rc = fail("directory");
		goto out;
	}
	if (sync_directory(&n, &s) != 0)
		fprintf(stderr, "roster: warning: cannot refresh the directory (%s); "
		    "showing the copy verified earlier\n", rs_err());
	last = checks_last_answers(&n);
	for (size_t i = 0; i < n.directory->nroots; i++) {
		struct dir_root *r = &n.directory->roots[i];
		if (only && strcmp(only, r->state) != 0)
			continue;
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
			char *langs = jdump(json_object_get(d->cert, "languages") ?
			    json_object_get(d->cert, "languages") : json_array());
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
			free(langs);
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
		char *list = jdump(members);
		printf("group:%s  %s  (%s; set at log index %lld)\n", g->name, list,
		    g->title && jstr(g->title, "en") ? jstr(g->title, "en") : "",
		    (long long)g->index);
		free(list);
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
out:
	json_decref(last);
	json_decref(arr);
	node_close(&n);
	return rc;
}
