/*
 * opts.c - what every command shares: option parsing ("--name value" or
 * "--name=value"; whatever a command did not ask for is an error, so a
 * mistyped option is never silently ignored), usage and failure messages
 * (exit status 2 and 1), and printing what every sending command prints.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/message.h"

int
usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "roster %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see `roster %s --help`)\n", cmd);
	return EXIT_USAGE;
}

int
fail(const char *what)
{
	fprintf(stderr, "roster: %s%s%s\n", what ? what : "", what ? ": " : "", rs_err());
	return 1;
}

void
opts_init(struct opts *o, int argc, char **argv)
{
	o->argc = argc;
	o->argv = argv;
	o->used = xcalloc((size_t)argc + 1, 1);
	o->used[0] = 1;
}

void
opts_free(struct opts *o)
{
	free(o->used);
	o->used = NULL;
}

const char *
opt_value(struct opts *o, const char *name)
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
opt_flag(struct opts *o, const char *name)
{
	for (int i = 1; i < o->argc; i++)
		if (!o->used[i] && strcmp(o->argv[i], name) == 0) {
			o->used[i] = 1;
			return 1;
		}
	return 0;
}

const char *
opt_positional(struct opts *o)
{
	for (int i = 1; i < o->argc; i++)
		if (!o->used[i] && (o->argv[i][0] != '-' || o->argv[i][1] == '\0')) {
			o->used[i] = 1;
			return o->argv[i];
		}
	return NULL;
}

int
opts_finish(struct opts *o, const char *cmd)
{
	for (int i = 1; i < o->argc; i++)
		if (!o->used[i]) {
			usage_error(cmd, "unexpected argument \"%s\"", o->argv[i]);
			return -1;
		}
	return 0;
}

void
node_common_opts(struct node *n, struct opts *o)
{
	const char *d = opt_value(o, "--dir");

	if (d == NULL)
		d = getenv("ROSTER_NODE_DIR");
	n->dir = d ? xstrdup(d) : NULL;
	n->passfile = opt_value(o, "--passphrase-file");
}

void
print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s != NULL)
		puts(s);
	free(s);
}

void
print_sent(const struct node *n, const uint8_t id[32], const struct sent *r)
{
	char sid[17], what[64];

	short_id(sid, id);
	snprintf(what, sizeof(what), "%zu device%s", r->devices, r->devices == 1 ? "" : "s");
	if (r->queued)
		printf("message %s to %s (%s) is queued: %s\n"
		    "It will go with the next `roster sync`.\n", sid, r->to, what, r->why);
	else if (!n->quiet)
		printf("sent %s to %s (%s): log index %lld, receipt verified\n",
		    sid, r->to, what, (long long)r->index);
}
