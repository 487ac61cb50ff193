/*
 * consult.c - roster consult: a request for consultations, its answers,
 * the outcome and the other side's signed agreement (node/core/consult.c
 * says how the thread is made), and listing them.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "core/consult.h"
#include "core/message.h"
#include "core/payload.h"
#include "core/store.h"
#include "jsonutil.h"

static int
consult_request(struct node *n, struct opts *o)
{
	struct outgoing out;
	struct sent r;
	const char *subject, *body, *urgency, *tlp, *lang;
	char *to = NULL;
	uint8_t id[32];
	int rc = 1;

	outgoing_init(&out);
	out.to = opt_value(o, "--to");
	subject = opt_value(o, "--subject");
	body = opt_value(o, "--body");
	urgency = opt_value(o, "--urgency");
	tlp = opt_value(o, "--tlp");
	lang = opt_value(o, "--lang");
	if ((rc = cli_finish(o)) != 0)
		goto out;
	if (out.to == NULL || subject == NULL || body == NULL) {
		rc = usage_error("consult request", "--to, --subject and --body are required");
		goto out;
	}
	if (urgency != NULL && (urgency = vocab_urgency_norm(urgency)) == NULL) {
		rc = usage_error("consult request", "--urgency must be flash, urgent, priority or routine");
		goto out;
	}
	if (tlp != NULL && (tlp = vocab_tlp_norm(tlp)) == NULL) {
		rc = usage_error("consult request", "--tlp must be CLEAR, GREEN, AMBER, "
		    "AMBER+STRICT or RED");
		goto out;
	}
	if (lang != NULL && (lang = vocab_lang_norm(lang)) == NULL) {
		rc = usage_error("consult request", "--lang must be one of ar, en, es, fr, ru, zh");
		goto out;
	}
	out.to = to = vocab_audience_norm(out.to);
	out.urgency = urgency ? urgency : "priority";
	json_object_set_new(out.payload, "subject", json_string(subject));
	json_object_set_new(out.payload, "body", json_string(body));
	json_object_set_new(out.payload, "tlp", json_string(tlp ? tlp : "AMBER"));
	json_object_set_new(out.payload, "lang", json_string(lang ? lang : "en"));
	json_object_set_new(out.payload, "consultation", json_pack("{s:s}", "step", "request"));
	if (message_validate(out.payload) != 0) {
		rc = usage_error("consult request", "%s", rs_err());
		goto out;
	}
	if (node_open(n, 1) != 0 || message_send(n, &out, id, &r) != 0)
		rc = fail("consult request");
	else {
		print_sent(n, id, &r);
		rc = 0;
	}
out:
	outgoing_free(&out);
	free(to);
	return rc;
}

static int
consult_step(struct node *n, const char *step, struct opts *o)
{
	const char *idp, *body;
	char cmd[32];
	uint8_t id[32], newid[32];
	struct sent r;

	snprintf(cmd, sizeof(cmd), "consult %s", step);
	body = opt_value(o, "--body");
	idp = opt_positional(o);
	if (cli_finish(o) != 0)
		return EXIT_USAGE;
	if (idp == NULL)
		return usage_error(cmd, "which consultation? give the request's ID");
	if ((strcmp(step, "propose") == 0 || strcmp(step, "outcome") == 0) && body == NULL)
		return usage_error(cmd, "--body is required: the %s itself",
		    step[0] == 'p' ? "proposal" : "outcome");
	if (node_open(n, 1) != 0 || store_message_find(n, idp, id) != 0 ||
	    consult_reply(n, id, step, body, newid, &r) != 0)
		return fail(cmd);
	print_sent(n, newid, &r);
	return 0;
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
	if (cli_finish(o) != 0)
		return EXIT_USAGE;
	if (idp == NULL)
		return usage_error("consult agree", "which outcome? give its message ID");
	if (node_open(n, 1) != 0 || store_message_find(n, idp, id) != 0 ||
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

static void
print_consultation(json_t *one, int steps_too)
{
	json_t *steps_ = json_object_get(one, "steps"), *first = json_array_get(steps_, 0);
	json_t *s;
	char t[32];
	size_t k;

	printf("%.16s  %s  %s\n", jstr(one, "request"), first ? jstr(first, "subject") : "",
	    jstr(one, "state"));
	if (!steps_too)
		return;
	/* Each step with its id: what consult agree (an outcome) and the
	 * answers (the request) take. */
	json_array_foreach(steps_, k, s) {
		json_t *ag = json_object_get(s, "agreed");
		printf("  %.16s  %s  %-2s %-8s %s\n", jstr(s, "id") ? jstr(s, "id") : "-",
		    time_str(json_integer_value(json_object_get(s, "time")), t, sizeof(t)),
		    jstr(s, "from"), jstr(s, "step"), jstr(s, "text"));
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

static int
consult_list(struct node *n, const char *sub, struct opts *o)
{
	int json = opt_flag(o, "--json");
	const char *idp = opt_positional(o);
	json_t *all, *one;
	uint8_t id[32];
	size_t i;

	if (cli_finish(o) != 0)
		return EXIT_USAGE;
	if (strcmp(sub, "show") == 0 && idp == NULL)
		return usage_error("consult show", "which consultation? give the request's ID");
	if (strcmp(sub, "list") == 0 && idp != NULL)
		return usage_error("consult list", "unexpected argument \"%s\" (consult show "
		    "ID shows one)", idp);
	if (node_open(n, 0) != 0 || (idp != NULL && store_message_find(n, idp, id) != 0))
		return fail("consult");
	if ((all = consult_list_json(n, idp != NULL ? id : NULL)) == NULL)
		return fail("consult");
	if (json) {
		char *txt = json_dumps(all, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(txt ? txt : "[]");
		free(txt);
	} else {
		json_array_foreach(all, i, one)
			print_consultation(one, idp != NULL);
		if (json_array_size(all) == 0)
			printf("(no consultations)\n");
	}
	json_decref(all);
	return 0;
}

int
cmd_consult(int argc, char **argv)
{
	static const char *const subs[] = { "request", "accept", "decline", "propose",
	    "outcome", "agree", "list", "show", NULL };
	struct node n = {0};
	struct opts o;
	const char *sub, *near;
	int rc;

	if ((rc = cli_parse(&o, &doc_consult, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	if ((sub = opt_positional(&o)) == NULL) {
		opts_free(&o);
		node_close(&n);
		return usage_error("consult", "give a step: request, accept, decline, "
		    "propose, outcome, agree, list or show");
	}
	opts_subcommand(&o, sub);
	if (strcmp(sub, "request") == 0)
		rc = consult_request(&n, &o);
	else if (consult_is_step(sub))
		rc = consult_step(&n, sub, &o);
	else if (strcmp(sub, "agree") == 0)
		rc = consult_agree(&n, &o);
	else if (strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0)
		rc = consult_list(&n, sub, &o);
	else {
		opts_free(&o);
		near = opts_nearest(sub, subs);
		rc = near != NULL ? usage_error("consult", "unknown step \"%s\" (did you mean "
		    "%s?)", sub, near) : usage_error("consult", "unknown step \"%s\" (request, "
		    "accept, decline, propose, outcome, agree, list, show)", sub);
	}
	node_close(&n);
	return rc;
}
