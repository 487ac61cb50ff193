/*
 * group.c - "rosterd group": the operator defines a named group of States.
 *
 * Groups (regional organisations, say) are audiences a sender can address
 * by name.  Defining one is a logged record signed by the operator key, so
 * every node resolves a group to the same States and anyone can see when
 * its membership changed; the sender's node still lists the resolved States
 * in the message's signed header, so a recipient sees exactly who was
 * addressed.  The latest record of a name wins; an empty --states dissolves
 * the group.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory.h"
#include "envelope.h"
#include "hub.h"
#include "jsonutil.h"
#include "keys.h"
#include "util.h"

struct group_opts {
	const char *hubdir;
	const char *name;
	const char *states;
	json_t *title;
};

static int
add_title(json_t *title, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg || eq - arg > 8 || eq[1] == '\0') {
		fprintf(stderr, "rosterd group: --title must be LANG=TEXT, such as "
		    "en=\"Regional forum\"\n");
		return -1;
	}
	char lang[9];

	snprintf(lang, sizeof(lang), "%.*s", (int)(eq - arg), arg);
	json_object_set_new(title, lang, json_string(eq + 1));
	return 0;
}

static int
parse_group(int argc, char **argv, struct group_opts *o)
{
	struct opts op;
	const char *t;

	memset(o, 0, sizeof(*o));
	o->title = json_object();
	if (hub_opts(&op, &hdoc_group, argc, argv) != 0)
		return -1;
	o->name = opt_value(&op, "--name");
	o->states = opt_value(&op, "--states");
	while ((t = opt_value(&op, "--title")) != NULL)
		if (add_title(o->title, t) != 0) {
			opts_free(&op);
			return -1;
		}
	if (hub_opts_finish(&op, &o->hubdir) != 0)
		return -1;
	if (o->name == NULL || o->states == NULL) {
		opts_usage_for("rosterd", "group", "--name and --states are required "
		    "(--states \"\" dissolves the group)");
		return -1;
	}
	return 0;
}

static int
build_group(const struct group_opts *o, const struct keypair *op, struct buf *out)
{
	json_t *hdr = json_object(), *p = json_object(), *states = json_array();
	char *list = xstrdup(o->states), *save = NULL, *payload;
	int rc;

	for (char *s = strtok_r(list, ", ", &save); s; s = strtok_r(NULL, ", ", &save)) {
		char code[3];
		json_array_append_new(states, json_string(vocab_state_norm(s, code) == 0 ?
		    code : s));	/* fr is FR; anything else is refused below */
	}
	free(list);
	json_object_set_new(hdr, "kind", json_string("group"));
	json_object_set_new(p, "name", json_string(o->name));
	json_object_set_new(p, "states", states);
	if (json_object_size(o->title) > 0)
		json_object_set(p, "title", o->title);
	payload = jdump(p);
	rc = env_build(out, hdr, payload, strlen(payload), op->pk, op->sk);
	free(payload);
	json_decref(p);
	json_decref(hdr);
	return rc;
}

/* Applies the record to an empty directory first, so a bad name or State
 * code is reported here, in the operator's words, before anything is sent. */
static int
precheck(const struct keypair *op, const struct buf *env)
{
	struct directory *d = dir_new(op->pk);
	struct envelope e;
	int rc = -1;

	if (env_parse(&e, env->p, env->len) == 0) {
		rc = dir_check(d, &e, 0, now_ms(), 0);
		env_free(&e);
	}
	dir_free(d);
	return rc;
}

int
cmd_group(int argc, char **argv)
{
	struct group_opts o;
	struct keypair *op = NULL;
	struct receipt r;
	struct buf env = {0};
	int rc = 1;

	if (parse_group(argc, argv, &o) != 0) {
		json_decref(o.title);
		return 2;
	}
	if ((op = operator_key_read(o.hubdir)) == NULL)
		goto out;
	if (build_group(&o, op, &env) != 0 || precheck(op, &env) != 0)
		goto out;
	if (operator_append(o.hubdir, op, &env, &r) != 0)
		goto out;
	if (o.states[strspn(o.states, ", ")] == '\0')
		printf("rosterd: dissolved group %s at log index %llu\n", o.name,
		    (unsigned long long)r.index);
	else
		printf("rosterd: group %s (%s) recorded at log index %llu\n", o.name,
		    o.states, (unsigned long long)r.index);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "rosterd group: cannot record group %s: %s\n",
		    o.name, rs_err());
	json_decref(o.title);
	buf_free(&env);
	keypair_free(op);
	return rc;
}
