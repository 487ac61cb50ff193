/*
 * body.c - "rosterd body" and "rosterd body-rules": the operator (the
 * secretariat) records a body of the process and changes it.
 *
 * A body (a working group, a mechanism, a regional forum) is a signed
 * record in the log like an admission, so every node sees the same
 * members, Chair and rules, and every change is a further record that never
 * reaches back (docs/protocol.md section 10).  The rules are data: each
 * option below sets one field of the record's "rules", and a field left out
 * keeps its default (a new body) or its value (a change).  The words are
 * read by lib/procopt.c, the same reading as roster's; the record is then
 * judged by the hub's rules (lib/process.c), whose refusal is printed as
 * it came.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory.h"
#include "hub.h"
#include "jsonutil.h"
#include "procopt.h"
#include "procrec.h"
#include "statement.h"
#include "util.h"

struct body_opts {
	const char *hubdir;
	const char *name;
	const char *chair;
	json_t *members;
	json_t *title;
	json_t *rules;
};

static void
body_opts_free(struct body_opts *o)
{
	json_decref(o->members);
	json_decref(o->title);
	json_decref(o->rules);
}

/* The option names that are rules, as procopt_rule calls them. */
static const char *const rule_names[] = { "silence", "lead-time", "languages",
	"objections", "proposers", "ecosoc", "other", NULL };

static int
parse_body(int argc, char **argv, const char *cmd, struct body_opts *o)
{
	const struct cmd_doc *doc = strcmp(cmd, "body") == 0 ? &hdoc_body :
	    &hdoc_body_rules;
	const char *members, *v;
	struct opts op;

	memset(o, 0, sizeof(*o));
	o->title = json_object();
	o->rules = json_object();
	if (hub_opts(&op, doc, argc, argv) != 0)
		return -1;
	o->name = opt_value(&op, "--name");
	o->chair = opt_value(&op, "--chair");
	members = opt_value(&op, "--members");
	while ((v = opt_value(&op, "--title")) != NULL)
		if (procopt_text("--title", o->title, v, PROC_TITLE_MAX) != 0)
			goto bad;
	for (int i = 0; rule_names[i] != NULL; i++) {
		char name[32];

		snprintf(name, sizeof(name), "--%s", rule_names[i]);
		if ((v = opt_value(&op, name)) != NULL &&
		    procopt_rule(o->rules, rule_names[i], v) != 0)
			goto bad;
	}
	if (hub_opts_finish(&op, &o->hubdir) != 0)
		return -1;
	if (members != NULL && (o->members = procopt_members(members)) == NULL) {
		opts_usage_for("rosterd", cmd, "%s", rs_err());
		return -1;
	}
	if (o->name == NULL || !procrec_valid_name(o->name)) {
		opts_usage_for("rosterd", cmd, "--name is the body's name: 1 to %d "
		    "of a-z, 0-9 and -, not starting with -", PROC_NAME_MAX - 1);
		return -1;
	}
	if (o->chair != NULL && !dir_state_code(o->chair)) {
		opts_usage_for("rosterd", cmd, "--chair must be a State code, such "
		    "as XA");
		return -1;
	}
	return 0;
bad:
	opts_usage_for("rosterd", cmd, "%s", rs_err());
	opts_free(&op);
	return -1;
}

static int
record(const char *cmd, const struct body_opts *o, json_t *payload)
{
	json_t *hdr = json_pack("{s:s,s:s}", "kind", cmd, "body", o->name);
	struct receipt r;
	char *id;
	int rc;

	rc = operator_record(o->hubdir, hdr, payload, &r);
	json_decref(hdr);
	if (rc != 0) {
		fprintf(stderr, "rosterd %s: %s not recorded: %s\n", cmd, o->name,
		    rs_err());
		return 1;
	}
	id = hex_encode(r.id, 32);
	printf("rosterd: %s %s recorded at log index %llu\nid: %s\n",
	    strcmp(cmd, "body") == 0 ? "body" : "change of body", o->name,
	    (unsigned long long)r.index, id);
	free(id);
	return 0;
}

int
cmd_body(int argc, char **argv)
{
	struct body_opts o;
	json_t *p;
	int rc;

	if (parse_body(argc, argv, "body", &o) != 0) {
		body_opts_free(&o);
		return 2;
	}
	if (o.chair == NULL || o.members == NULL) {
		fprintf(stderr, "rosterd body: --chair XA and --members "
		    "all|group:NAME|XA,XB,... are required\n");
		body_opts_free(&o);
		return 2;
	}
	p = json_pack("{s:s,s:O}", "chair", o.chair, "members", o.members);
	if (json_object_size(o.title) > 0)
		json_object_set(p, "title", o.title);
	if (json_object_size(o.rules) > 0)
		json_object_set(p, "rules", o.rules);
	rc = record("body", &o, p);
	json_decref(p);
	body_opts_free(&o);
	return rc;
}

int
cmd_body_rules(int argc, char **argv)
{
	struct body_opts o;
	json_t *p;
	int rc;

	if (parse_body(argc, argv, "body-rules", &o) != 0) {
		body_opts_free(&o);
		return 2;
	}
	p = json_object();
	if (o.chair != NULL)
		json_object_set_new(p, "chair", json_string(o.chair));
	if (o.members != NULL)
		json_object_set(p, "members", o.members);
	if (json_object_size(o.title) > 0)
		json_object_set(p, "title", o.title);
	if (json_object_size(o.rules) > 0)
		json_object_set(p, "rules", o.rules);
	if (json_object_size(p) == 0) {
		fprintf(stderr, "rosterd body-rules: nothing to change: give --chair, "
		    "--members, --title or a rule\n");
		json_decref(p);
		body_opts_free(&o);
		return 2;
	}
	rc = record("body-rules", &o, p);
	json_decref(p);
	body_opts_free(&o);
	return rc;
}
