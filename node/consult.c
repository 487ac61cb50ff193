/*
 * consult.c - roster consult: a request for consultations and its answers,
 * ending in an outcome both sides signed.
 *
 * A consultation is a thread.  The request is a message whose sealed
 * payload says {"consultation": {"step": "request"}}; every later step is a
 * reply in the thread naming the request:
 *
 *   accept | decline | propose    the other side's answer (propose carries
 *                                 the counter-proposal in its text)
 *   outcome                       either side writes down what was agreed
 *   agreed                        the other side signs an acknowledgement
 *                                 with status "agreed" of that outcome
 *
 * The outcome message is signed by its writer and the "agreed"
 * acknowledgement, which names the outcome's id (a hash over its exact
 * bytes), by the other side; both are in the log.  Together they are the
 * record signed by both sides that the issue asks for, and neither side
 * can later show a different text.
 */
#include "node.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "db.h"
#include "jsonutil.h"

static const char *steps[] = { "accept", "decline", "propose", "outcome", NULL };

static int
is_step(const char *s)
{
	for (int i = 0; steps[i] != NULL; i++)
		if (strcmp(s, steps[i]) == 0)
			return 1;
	return 0;
}

/* The consultation step of a stored message ("" when it is none). */
static int
step_of(struct node *n, const uint8_t id[32], char *step, size_t len, uint8_t request[32],
    char *direction, size_t dlen)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT json_extract(content,"
	    " '$.consultation.step'), json_extract(content, '$.consultation.request'),"
	    " direction FROM messages WHERE id = ?");
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rs_seterr("no such message");
		goto out;
	}
	snprintf(step, len, "%s", sqlite3_column_text(st, 0) ?
	    (const char *)sqlite3_column_text(st, 0) : "");
	snprintf(direction, dlen, "%s", sqlite3_column_text(st, 2));
	memcpy(request, id, 32);
	if (sqlite3_column_text(st, 1) != NULL &&
	    hex_decode_exact(request, 32, (const char *)sqlite3_column_text(st, 1)) != 0) {
		rs_seterr("the message names its consultation wrongly");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
consult_request(struct node *n, struct opts *o)
{
	struct outgoing out;
	const char *subject, *body, *urgency, *tlp, *lang;
	uint8_t id[32];
	int rc = 1;

	outgoing_init(&out);
	out.to = opt_value(o, "--to");
	subject = opt_value(o, "--subject");
	body = opt_value(o, "--body");
	urgency = opt_value(o, "--urgency");
	tlp = opt_value(o, "--tlp");
	lang = opt_value(o, "--lang");
	if (opts_finish(o, "consult request") != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (out.to == NULL || subject == NULL || body == NULL) {
		rc = usage_error("consult request", "--to, --subject and --body are required");
		goto out;
	}
	if (urgency != NULL && urgency_index(urgency) < 0) {
		rc = usage_error("consult request", "--urgency must be flash, urgent, priority or routine");
		goto out;
	}
	out.urgency = urgency ? urgency : "priority";
	json_object_set_new(out.payload, "subject", json_string(subject));
	json_object_set_new(out.payload, "body", json_string(body));
	json_object_set_new(out.payload, "tlp", json_string(tlp ? tlp : "AMBER"));
	json_object_set_new(out.payload, "lang", json_string(lang ? lang : "en"));
	json_object_set_new(out.payload, "consultation", json_pack("{s:s}", "step", "request"));
	if (message_payload_check(out.payload) != 0 || node_open(n, 1) != 0 ||
	    message_send(n, &out, id) != 0)
		rc = fail("consult request");
	else
		rc = 0;
out:
	outgoing_free(&out);
	return rc;
}

/* accept, decline, propose, outcome: a reply in the request's thread.
 * id is the request.  0, or -1 with rs_err. */
int
consult_reply(struct node *n, const uint8_t id[32], const char *step, const char *body,
    uint8_t newid[32])
{
	struct outgoing out;
	struct parent_info p;
	char have[16], dir[8];
	uint8_t request[32];
	int rc = -1;

	if (!is_step(step)) {
		rs_seterr("unknown step \"%s\" (accept, decline, propose, outcome)", step);
		return -1;
	}
	if ((strcmp(step, "propose") == 0 || strcmp(step, "outcome") == 0) &&
	    (body == NULL || *body == '\0')) {
		rs_seterr("the %s itself is required", step[0] == 'p' ? "proposal" : "outcome");
		return -1;
	}
	outgoing_init(&out);
	if (step_of(n, id, have, sizeof(have), request, dir, sizeof(dir)) != 0)
		goto out;
	if (strcmp(have, "request") != 0) {
		rs_seterr("that message is not a request for consultations");
		goto out;
	}
	if (strcmp(step, "outcome") != 0 && strcmp(dir, "in") != 0) {
		rs_seterr("only the requested side answers a request; this node made it");
		goto out;
	}
	if (reply_audience(n, id, 0, &p) != 0)
		goto out;
	out.to = p.to;
	out.parent = id;
	out.urgency = "priority";
	json_object_set_new(out.payload, "subject", json_string(p.subject));
	json_object_set_new(out.payload, "body", json_string(body ? body : ""));
	json_object_set_new(out.payload, "tlp", json_string(p.tlp));
	json_object_set_new(out.payload, "lang", json_string("en"));
	json_object_set_new(out.payload, "consultation", json_pack("{s:s,s:o}", "step", step,
	    "request", jhex(request, 32)));
	rc = message_send(n, &out, newid);
out:
	outgoing_free(&out);
	return rc;
}

static int
consult_step(struct node *n, const char *step, struct opts *o)
{
	const char *idp, *body;
	char cmd[32];
	uint8_t id[32], newid[32];

	snprintf(cmd, sizeof(cmd), "consult %s", step);
	body = opt_value(o, "--body");
	idp = opt_positional(o);
	if (opts_finish(o, cmd) != 0)
		return EXIT_USAGE;
	if (idp == NULL)
		return usage_error(cmd, "which consultation? give the request's ID");
	if ((strcmp(step, "propose") == 0 || strcmp(step, "outcome") == 0) && body == NULL)
		return usage_error(cmd, "--body is required: the %s itself",
		    step[0] == 'p' ? "proposal" : "outcome");
	if (node_open(n, 1) != 0 || store_find_message(n, idp, id) != 0 ||
	    consult_reply(n, id, step, body, newid) != 0)
		return fail(cmd);
	return 0;
}

/* The other side's signed agreement to outcome id.  0, or -1 with rs_err;
 * *queued when the hub could not be reached (it goes with the next sync). */
int
consult_agree_to(struct node *n, const uint8_t id[32], const char *note, int *queued)
{
	struct sync_stats s = {0};
	char have[16], dir[8];
	uint8_t request[32], sender[32], ack[32];
	sqlite3_stmt *st = NULL;
	int rc = -1;

	*queued = 0;
	if (step_of(n, id, have, sizeof(have), request, dir, sizeof(dir)) != 0)
		return -1;
	if (strcmp(have, "outcome") != 0 || strcmp(dir, "in") != 0) {
		rs_seterr("that message is not an outcome the other side wrote");
		return -1;
	}
	st = db_prep(n->db, "SELECT sender_device, agreement FROM messages WHERE id = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
		rs_seterr("this node already agreed to that outcome");
		goto out;
	}
	memcpy(sender, sqlite3_column_blob(st, 0), 32);
	sqlite3_finalize(st);
	st = NULL;
	if (db_begin(n->db) != 0)
		goto out;
	if (make_ack_id(n, id, sender, "agreed", note, ack) != 0 ||
	    (st = db_prep(n->db, "UPDATE messages SET agreement = ?, acked = 1"
	    " WHERE id = ?")) == NULL) {
		db_rollback(n->db);
		goto out;
	}
	sqlite3_bind_blob(st, 1, ack, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, id, 32, SQLITE_STATIC);
	if (db_done(n->db, st) != 0 || db_commit(n->db) != 0) {
		db_rollback(n->db);
		goto out;
	}
	*queued = outbox_flush(n, &s) != 0;
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
consult_agree(struct node *n, struct opts *o)
{
	const char *idp, *note;
	char sid[17];
	uint8_t id[32];
	int queued;

	note = opt_value(o, "--note");
	idp = opt_positional(o);
	if (opts_finish(o, "consult agree") != 0)
		return EXIT_USAGE;
	if (idp == NULL)
		return usage_error("consult agree", "which outcome? give its message ID");
	if (node_open(n, 1) != 0 || store_find_message(n, idp, id) != 0 ||
	    consult_agree_to(n, id, note, &queued) != 0)
		return fail("consult agree");
	short_id(sid, id);
	if (queued)
		printf("agreement to outcome %s queued (%s); it goes with the next sync\n",
		    sid, rs_err());
	else
		printf("agreed to outcome %s; the agreement is signed and logged\n", sid);
	return 0;
}

static int
state_listed(json_t *states, const char *state)
{
	size_t i;
	json_t *v;

	json_array_foreach(states, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), state) == 0)
			return 1;
	return 0;
}

/* Every step of the consultation opened by request, in log order. */
json_t *
consult_json(struct node *n, const uint8_t request[32])
{
	char *hex = hex_encode(request, 32);
	sqlite3_stmt *st = db_prep(n->db, "SELECT id, direction, sender_state,"
	    " coalesce(time, sent), idx, json_extract(content, '$.consultation.step'),"
	    " subject, body, agreement, to_states FROM messages WHERE id = ?1 OR"
	    " json_extract(content, '$.consultation.request') = ?2 ORDER BY 4");
	json_t *out = json_array();

	if (st == NULL) {
		free(hex);
		return out;
	}
	sqlite3_bind_blob(st, 1, request, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const uint8_t *id = sqlite3_column_blob(st, 0);
		json_t *row = json_pack("{s:o,s:s,s:s,s:I,s:s,s:s,s:s}", "id", jhex(id, 32),
		    "direction", sqlite3_column_text(st, 1), "from", sqlite3_column_text(st, 2),
		    "time", (json_int_t)sqlite3_column_int64(st, 3),
		    "step", sqlite3_column_text(st, 5) ? (const char *)sqlite3_column_text(st, 5) : "?",
		    "subject", sqlite3_column_text(st, 6) ? (const char *)sqlite3_column_text(st, 6) : "",
		    "text", sqlite3_column_text(st, 7) ? (const char *)sqlite3_column_text(st, 7) : "");
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			json_object_set_new(row, "index", json_integer(sqlite3_column_int64(st, 4)));
		/* An outcome: who agreed, from our acks (we wrote it) or our
		 * own agreement (they wrote it). */
		if (strcmp(jstr(row, "step"), "outcome") == 0) {
			sqlite3_stmt *a = db_prep(n->db, "SELECT device, idx, time FROM acks"
			    " WHERE msg_id = ? AND status = 'agreed'");
			if (a != NULL) {
				sqlite3_bind_blob(a, 1, id, 32, SQLITE_STATIC);
				const char *tj = (const char *)sqlite3_column_text(st, 9);
				json_t *to = tj ? jparse(tj, strlen(tj)) : NULL;
				while (sqlite3_step(a) == SQLITE_ROW) {
					struct dir_device *d = dir_device(n->directory,
					    sqlite3_column_blob(a, 0));
					/* Only the side the outcome went to can agree
					 * to it; anyone else's "agreed" is noise. */
					if (d == NULL || !state_listed(to, d->state))
						continue;
					json_object_set_new(row, "agreed", json_pack("{s:s,s:s,s:I,s:I}",
					    "state", d ? d->state : "?", "name",
					    d && jstr(d->cert, "name") ? jstr(d->cert, "name") : "?",
					    "index", (json_int_t)sqlite3_column_int64(a, 1),
					    "time", (json_int_t)sqlite3_column_int64(a, 2)));
				}
				sqlite3_finalize(a);
				json_decref(to);
			}
			if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
				sqlite3_stmt *ob = db_prep(n->db, "SELECT idx, time FROM outbox WHERE id = ?");
				json_t *ag = json_pack("{s:s}", "state", n->cfg.state);
				if (ob != NULL) {
					sqlite3_bind_blob(ob, 1, sqlite3_column_blob(st, 8), 32, SQLITE_STATIC);
					if (sqlite3_step(ob) == SQLITE_ROW && sqlite3_column_type(ob, 0) != SQLITE_NULL) {
						json_object_set_new(ag, "index", json_integer(sqlite3_column_int64(ob, 0)));
						json_object_set_new(ag, "time", json_integer(sqlite3_column_int64(ob, 1)));
					}
					sqlite3_finalize(ob);
				}
				json_object_set_new(row, "agreed", ag);
			}
		}
		json_array_append_new(out, row);
	}
	sqlite3_finalize(st);
	free(hex);
	return out;
}

static const char *
consult_state(json_t *steps_)
{
	const char *state = "requested";
	size_t i;
	json_t *s;

	json_array_foreach(steps_, i, s) {
		const char *st = jstr(s, "step");
		if (strcmp(st, "accept") == 0)
			state = "accepted";
		else if (strcmp(st, "decline") == 0)
			state = "declined";
		else if (strcmp(st, "propose") == 0)
			state = "counter-proposal";
		else if (strcmp(st, "outcome") == 0)
			state = json_object_get(s, "agreed") ? "outcome agreed by both sides" :
			    "outcome awaiting agreement";
	}
	return state;
}

static int
consult_list(struct node *n, struct opts *o)
{
	int json = opt_flag(o, "--json");
	const char *idp = opt_positional(o);
	sqlite3_stmt *st;
	json_t *all = json_array(), *one, *s;
	uint8_t id[32];
	char t[32];
	size_t i, k;

	if (opts_finish(o, idp ? "consult show" : "consult list") != 0) {
		json_decref(all);
		return EXIT_USAGE;
	}
	if (node_open(n, 0) != 0 || (idp != NULL && store_find_message(n, idp, id) != 0)) {
		json_decref(all);
		return fail("consult");
	}
	st = db_prep(n->db, idp != NULL ? "SELECT id FROM messages WHERE id = ?" :
	    "SELECT id FROM messages WHERE json_extract(content, '$.consultation.step')"
	    " = 'request' ORDER BY coalesce(time, sent) DESC");
	if (st == NULL) {
		json_decref(all);
		return fail("consult");
	}
	if (idp != NULL)
		sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *steps_ = consult_json(n, sqlite3_column_blob(st, 0));
		json_array_append_new(all, json_pack("{s:o,s:s,s:o}", "request",
		    jhex(sqlite3_column_blob(st, 0), 32), "state", consult_state(steps_),
		    "steps", steps_));
	}
	sqlite3_finalize(st);
	if (json) {
		char *txt = json_dumps(all, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(txt ? txt : "[]");
		free(txt);
	} else {
		json_array_foreach(all, i, one) {
			json_t *steps_ = json_object_get(one, "steps");
			json_t *first = json_array_get(steps_, 0);
			printf("%.16s  %s  %s\n", jstr(one, "request"),
			    first ? jstr(first, "subject") : "", jstr(one, "state"));
			if (idp == NULL)
				continue;
			json_array_foreach(steps_, k, s) {
				json_t *ag = json_object_get(s, "agreed");
				printf("  %s  %-2s %-8s %s\n", time_str(json_integer_value(
				    json_object_get(s, "time")), t, sizeof(t)), jstr(s, "from"),
				    jstr(s, "step"), jstr(s, "text"));
				if (json_object_get(s, "index") != NULL)
					printf("      signed by %s, log index %lld\n", jstr(s, "from"),
					    (long long)json_integer_value(json_object_get(s, "index")));
				if (ag != NULL)
					printf("      agreed by %s%s%s, log index %lld\n",
					    jstr(ag, "state"), jstr(ag, "name") ? " " : "",
					    jstr(ag, "name") ? jstr(ag, "name") : "",
					    (long long)json_integer_value(json_object_get(ag, "index")));
			}
		}
		if (json_array_size(all) == 0)
			printf("(no consultations)\n");
	}
	json_decref(all);
	return 0;
}

int
cmd_consult(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	const char *sub = argc > 1 ? argv[1] : NULL;
	int rc;

	if (sub == NULL || sub[0] == '-')
		return usage_error("consult", "give a step: request, accept, decline, "
		    "propose, outcome, agree, list or show");
	opts_init(&o, argc - 1, argv + 1);
	node_common_opts(&n, &o);
	if (strcmp(sub, "request") == 0)
		rc = consult_request(&n, &o);
	else if (is_step(sub))
		rc = consult_step(&n, sub, &o);
	else if (strcmp(sub, "agree") == 0)
		rc = consult_agree(&n, &o);
	else if (strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0)
		rc = consult_list(&n, &o);
	else
		rc = usage_error("consult", "unknown step \"%s\" (request, accept, decline, "
		    "propose, outcome, agree, list, show)", sub);
	opts_free(&o);
	node_close(&n);
	return rc;
}
