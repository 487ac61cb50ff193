/*
 * legacy_opts.c - the command line's old lazy option parser, kept only for
 * the commands that arrived on main while the others moved to lib/opts
 * (the process's propose, object, support, withdraw, decisions, decision,
 * meeting, process, paper and contribute): each asks
 * for what it reads, and whatever is left is "unexpected argument".  Their
 * pages are in help_legacy.c, so --help and the manual pages come from
 * lib/opts like every other command's.  Provisional: porting each to an
 * option table in help.c deletes this file (docs/internals.md).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

void
lopts_init(struct lopts *o, int argc, char **argv)
{
	o->argc = argc;
	o->argv = argv;
	o->used = xcalloc((size_t)argc + 1, 1);
	o->used[0] = 1;
}

void
lopts_free(struct lopts *o)
{
	free(o->used);
	o->used = NULL;
}

const char *
lopt_value(struct lopts *o, const char *name)
{
	size_t n = strlen(name);

	for (int i = 1; i < o->argc; i++) {
		if (o->used[i])
			continue;
		if (strcmp(o->argv[i], name) == 0 && i + 1 < o->argc) {
			o->used[i] = o->used[i + 1] = 1;
			return o->argv[i + 1];
		}
		if (strncmp(o->argv[i], name, n) == 0 && o->argv[i][n] == '=') {
			o->used[i] = 1;
			return o->argv[i] + n + 1;
		}
	}
	return NULL;
}

int
lopt_flag(struct lopts *o, const char *name)
{
	for (int i = 1; i < o->argc; i++)
		if (!o->used[i] && strcmp(o->argv[i], name) == 0) {
			o->used[i] = 1;
			return 1;
		}
	return 0;
}

const char *
lopt_positional(struct lopts *o)
{
	for (int i = 1; i < o->argc; i++)
		if (!o->used[i] && (o->argv[i][0] != '-' || o->argv[i][1] == '\0')) {
			o->used[i] = 1;
			return o->argv[i];
		}
	return NULL;
}

int
lopts_finish(struct lopts *o, const char *cmd)
{
	for (int i = 1; i < o->argc; i++)
		if (!o->used[i]) {
			usage_error(cmd, "unexpected argument \"%s\"", o->argv[i]);
			return -1;
		}
	return 0;
}

void
lnode_common_opts(struct node *n, struct lopts *o)
{
	const char *d = lopt_value(o, "--dir");

	if (d == NULL)
		d = getenv("ROSTER_NODE_DIR");
	n->dir = d ? xstrdup(d) : NULL;
	n->passfile = lopt_value(o, "--passphrase-file");
}
