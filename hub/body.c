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
#include <getopt.h>
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
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "chair", required_argument, NULL, 'c' },
		{ "members", required_argument, NULL, 'm' },
		{ "title", required_argument, NULL, 't' },
		{ "silence", required_argument, NULL, 1 },
		{ "lead-time", required_argument, NULL, 2 },
		{ "languages", required_argument, NULL, 3 },
		{ "objections", required_argument, NULL, 4 },
		{ "proposers", required_argument, NULL, 5 },
		{ "ecosoc", required_argument, NULL, 6 },
		{ "other", required_argument, NULL, 7 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *pos = NULL;
	int c;

	memset(o, 0, sizeof(*o));
	o->title = json_object();
	o->rules = json_object();
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:c:m:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->name = optarg;
			break;
		case 'c':
			o->chair = optarg;
			break;
		case 'm':
			json_decref(o->members);
			if ((o->members = procopt_members(optarg)) == NULL)
				goto bad;
			break;
		case 't':
			if (procopt_text("--title", o->title, optarg, PROC_TITLE_MAX) != 0)
				goto bad;
			break;
		case 1: case 2: case 3: case 4: case 5: case 6: case 7:
			if (procopt_rule(o->rules, rule_names[c - 1], optarg) != 0)
				goto bad;
			break;
		case 'h':
			if (strcmp(cmd, "body") == 0)
				opts_help(stdout, &rosterd_prog, &hdoc_body);
			else
				opts_help(stdout, &rosterd_prog, &hdoc_body_rules);
			exit(0);
		default:
			fprintf(stderr, "Try \"rosterd %s --help\".\n", cmd);
			return -1;
		}
	}
	if (optind < argc)
		pos = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "rosterd %s: unexpected argument \"%s\"\n", cmd,
		    argv[optind]);
		return -1;
	}
	if ((o->hubdir = hub_dir_arg(pos)) == NULL) {
		fprintf(stderr, "rosterd %s: %s\n", cmd, rs_err());
		return -1;
	}
	if (o->name == NULL || !procrec_valid_name(o->name)) {
		fprintf(stderr, "rosterd %s: --name is the body's name: 1 to %d of "
		    "a-z, 0-9 and -, not starting with -\n", cmd, PROC_NAME_MAX - 1);
		return -1;
	}
	if (o->chair != NULL && !dir_state_code(o->chair)) {
		fprintf(stderr, "rosterd %s: --chair must be a State code, such as XA\n",
		    cmd);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "rosterd %s: %s\n", cmd, rs_err());
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
