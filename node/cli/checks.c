/*
 * checks.c - roster checks: start a communication check, answer one, list
 * them, and the report recomputed from the verified records, optionally
 * compared with the hub's own figures (node/core/checks.c does the work;
 * docs/checks.md defines every figure).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "checkrec.h"
#include "checkstats.h"
#include "core/audience.h"
#include "core/checks.h"
#include "core/outbox.h"
#include "core/store.h"
#include "core/sync.h"
#include "jsonutil.h"

int
submit(struct node *n, const char *what, const uint8_t id[32])
{
	struct outbox_row r;
	char *hex = hex_encode(id, 32);
	int rc = -1;

	if (outbox_flush(n, NULL) != 0) {
		if (n->alarms > 0)
			goto out;
		printf("%s %s is queued (%s); it goes with the next `roster sync`\n", what,
		    hex, rs_err());
		rc = 0;
		goto out;
	}
	switch (store_outbox_get(n, id, &r)) {
	case STORE_OK:
		break;
	case STORE_NOT_FOUND:	/* dropped from the outbox: the hub refused it */
		rs_seterr("the hub refused the %s (see above)", what);
		goto out;
	default:
		goto out;
	}
	if (r.error[0] != '\0')
		rs_seterr("the hub refused the %s: %s", what, r.error);
	else if (!r.has_index)
		rs_seterr("the hub gave no receipt");
	else {
		printf("%s %s logged at index %lld, receipt verified\n", what, hex,
		    (long long)r.index);
		rc = 0;
	}
	outbox_row_free(&r);
out:
	free(hex);
	return rc;
}

static int
checks_start(struct opts *o)
{
	struct node n = {0};
	struct sync_stats s = {0};
	const char *to, *deadline, *roles, *text, *lang;
	char *tonorm = NULL;
	size_t devices, states;
	int64_t dur;
	uint8_t id[32];
	int rc;

	node_common_opts(&n, o);
	to = opt_value(o, "--to");
	deadline = opt_value(o, "--deadline");
	roles = opt_value(o, "--role");
	text = opt_value(o, "--text");
	lang = opt_value(o, "--lang");
	if ((rc = cli_finish(o)) != 0)
		goto out;
	rc = EXIT_USAGE;
	if (to == NULL || deadline == NULL) {
		usage_error("checks start", "--to and --deadline are required");
		goto out;
	}
	if (checkrec_parse_duration(deadline, &dur) != 0) {
		usage_error("checks start", "--deadline: %s", rs_err());
		goto out;
	}
	if (audience_check_roles(roles) != 0) {
		usage_error("checks start", "--role: %s", rs_err());
		goto out;
	}
	if (text != NULL && (*text == '\0' || strlen(text) > CHECK_MAX_TEXT)) {
		usage_error("checks start", "--text must be 1 to %d bytes", CHECK_MAX_TEXT);
		goto out;
	}
	if (lang != NULL && (text == NULL || strlen(lang) < 2 || strlen(lang) > 3 ||
	    strspn(lang, "abcdefghijklmnopqrstuvwxyz") != strlen(lang))) {
		usage_error("checks start", "--lang CODE (2 or 3 lower-case letters, such "
		    "as fr) goes with --text");
		goto out;
	}
	to = tonorm = vocab_audience_norm(to);
	rc = 1;
	if (node_open(&n, 1) != 0)
		goto fail;
	if (sync_directory(&n, &s) != 0)
		warn("checks start", "cannot refresh the directory (%s); using the copy "
		    "verified earlier", rs_err());
	if (checks_sign_start(&n, to, roles, deadline, text, lang, id, &devices, &states) != 0)
		goto fail;
	printf("asking %zu device%s of %zu State%s\n", devices, devices == 1 ? "" : "s",
	    states, states == 1 ? "" : "s");
	if (submit(&n, "check", id) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	rc = fail("checks start");
out:
	free(tonorm);
	node_close(&n);
	return rc;
}

int
checks_answer_print(struct node *n, const char *prefix)
{
	int64_t answered, deadline;
	uint8_t id[32];
	char when[32];

	switch (checks_sign_answer(n, prefix, id, &answered, &deadline)) {
	case CHECKS_ANSWER_SIGNED:
		break;
	case CHECKS_ANSWER_ALREADY:
		printf("check %s: already answered%s%s; one answer is all it takes\n", prefix,
		    answered > 0 ? " at " : " (waiting in the outbox)",
		    answered > 0 ? time_str(answered, when, sizeof(when)) : "");
		return 0;
	default:
		return -1;
	}
	if (now_ms() > deadline)
		printf("the deadline passed at %s: the answer will count as late\n",
		    time_str(deadline, when, sizeof(when)));
	return submit(n, "answer", id);
}

static int
checks_answer_cmd(struct opts *o)
{
	struct node n = {0};
	struct sync_stats s;
	const char *idp;
	int rc;

	node_common_opts(&n, o);
	idp = opt_positional(o);
	if ((rc = cli_finish(o)) != 0 || idp == NULL) {
		rc = rc != 0 ? rc : usage_error("checks answer", "which check? give its ID");
		goto out;
	}
	if (node_open(&n, 1) != 0) {
		rc = fail("checks answer");
		goto out;
	}
	if (sync_once(&n, &s) != 0)
		fprintf(stderr, "roster checks answer: warning: cannot sync (%s); using the checks "
		    "verified earlier\n", rs_err());
	rc = checks_answer_print(&n, idp) == 0 ? 0 : fail("checks answer");
out:
	node_close(&n);
	return rc;
}

static int
checks_list(struct opts *o)
{
	struct node n = {0};
	struct sync_stats s;
	json_t *arr = NULL;
	int json, all, rc;

	node_common_opts(&n, o);
	json = opt_flag(o, "--json");
	all = opt_flag(o, "--all");
	if ((rc = cli_finish(o)) != 0)
		goto out;
	rc = 1;
	if (node_open(&n, 1) != 0) {
		fail("checks");
		goto out;
	}
	if (sync_once(&n, &s) != 0)
		fprintf(stderr, "roster checks: warning: cannot sync (%s); showing the checks "
		    "verified earlier\n", rs_err());
	if ((arr = checks_list_json(&n, all)) == NULL) {
		fail("checks");
		goto out;
	}
	if (json) {
		char *text = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("%s\n", text);
		free(text);
	} else {
		json_t *c;
		size_t i;
		char t1[32], t2[32];
		printf("%-16s  %-8s  %-20s  %-20s  %-9s  %s\n", "ID", "BY", "LOGGED",
		    "DEADLINE", "ANSWERS", "THIS POC");
		json_array_foreach(arr, i, c)
			printf("%.16s  %-8s  %-20s  %-20s  %4lld/%-4lld  %s\n", jstr(c, "id"),
			    json_is_true(json_object_get(c, "mine")) ? "me" : jstr(c, "signer"),
			    time_str(json_integer_value(json_object_get(c, "time")), t1, sizeof(t1)),
			    time_str(json_integer_value(json_object_get(c, "deadline")), t2, sizeof(t2)),
			    (long long)json_integer_value(json_object_get(c, "answered")),
			    (long long)json_integer_value(json_object_get(c, "total")),
			    jstr(c, "status"));
		if (json_array_size(arr) == 0)
			printf("(no check %s)\n", all ? "in the log yet" :
			    "started by or addressed to this POC");
	}
	rc = 0;
out:
	json_decref(arr);
	node_close(&n);
	return rc;
}

/* 0, or EXIT_USAGE after saying what is wrong with the options. */
static int
report_usage(int json, int csv, int verify, int offline, const char *since_s,
    int64_t *since)
{
	if (json && csv)
		return usage_error("checks report", "give at most one of --json and --csv");
	if (verify && offline)
		return usage_error("checks report", "--verify asks the hub: not with --offline");
	if (since_s != NULL && checkrec_parse_since(since_s, since) != 0)
		return usage_error("checks report", "--since: %s", rs_err());
	return 0;
}

static int
checks_report(struct opts *o)
{
	struct node n = {0};
	struct sync_stats s;
	const char *idp, *since_s;
	json_t *r = NULL, *all = NULL;
	int64_t size, since = 0;
	int json, csv, verify, offline, rc;

	node_common_opts(&n, o);
	json = opt_flag(o, "--json");
	csv = opt_flag(o, "--csv");
	verify = opt_flag(o, "--verify");
	offline = opt_flag(o, "--offline");
	since_s = opt_value(o, "--since");
	idp = opt_positional(o);
	if ((rc = cli_finish(o)) != 0)
		goto out;
	if ((rc = report_usage(json, csv, verify, offline, since_s, &since)) != 0)
		goto out;
	rc = 1;
	if (node_open(&n, 1) != 0) {
		fail("checks report");
		goto out;
	}
	memset(&s, 0, sizeof(s));
	if (!offline && sync_once(&n, &s) != 0) {
		if (verify) {
			fail("checks report");
			goto out;
		}
		fprintf(stderr, "roster checks report: warning: cannot sync (%s); reporting from the "
		    "records verified earlier\n", rs_err());
	}
	/* The log prefix both the checks and the directory (groups) were
	 * verified up to: the hub's figures are asked for the same one. */
	size = checks_report_size(&n, s.checkpoint);
	if ((r = checks_report_json(&n, size, since, idp)) == NULL) {
		fail("checks report");
		goto out;
	}
	if (verify) {
		if ((all = checks_report_json(&n, size, since, NULL)) == NULL ||
		    checks_compare_with_hub(&n, size, since, all) != 0) {
			fail("checks report");
			goto out;
		}
		fprintf(stderr, "roster checks report: verified: the hub's figures at log size %lld are "
		    "those of the signed records\n", (long long)size);
	}
	cs_report_print(stdout, r, json, csv);
	rc = 0;
out:
	json_decref(r);
	json_decref(all);
	node_close(&n);
	return rc;
}

int
cmd_checks(int argc, char **argv)
{
	static const char *const subs[] = { "list", "start", "answer", "report", NULL };
	struct opts o;
	const char *sub, *near;
	int rc;

	if ((rc = cli_parse(&o, &doc_checks, argc, argv)) != 0)
		return rc;
	/* The first positional names the form, unless it is an ID of
	 * "report ID": with none, list. */
	if ((sub = opt_positional(&o)) == NULL || strcmp(sub, "list") == 0) {
		if (sub != NULL)
			opts_subcommand(&o, sub);
		return checks_list(&o);
	}
	opts_subcommand(&o, sub);
	if (strcmp(sub, "start") == 0)
		return checks_start(&o);
	if (strcmp(sub, "answer") == 0)
		return checks_answer_cmd(&o);
	if (strcmp(sub, "report") == 0)
		return checks_report(&o);
	opts_free(&o);
	if ((near = opts_nearest(sub, subs)) != NULL)
		return usage_error("checks", "unknown subcommand \"%s\" (did you mean %s?)",
		    sub, near);
	return usage_error("checks", "unknown subcommand \"%s\" (start, answer, "
	    "report or list)", sub);
}
