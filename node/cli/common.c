/*
 * common.c - what every command shares: parsing against its table (the
 * parser is lib/opts.c's, the tables help.c's), usage, failure and warning
 * messages with one prefix, "roster CMD: " (exit status 2 and 1), and
 * printing what every sending command prints.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/message.h"
#include "core/roots.h"
#include "jsonutil.h"

int
usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return opts_usage_for("roster", cmd, "%s", msg);
}

int
fail(const char *cmd)
{
	fprintf(stderr, "roster%s%s: %s\n", cmd ? " " : "", cmd ? cmd : "", rs_err());
	return 1;
}

void
warn(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "roster%s%s: warning: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_parse(struct opts *o, const struct cmd_doc *doc, int argc, char **argv)
{
	if (opts_parse(o, doc, argc, argv) != OPTS_OK) {
		opts_free(o);
		return EXIT_USAGE;
	}
	return 0;
}

int
cli_finish(struct opts *o)
{
	enum opts_result r = opts_finish(o);

	opts_free(o);
	return r == OPTS_OK ? 0 : EXIT_USAGE;
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
	if (r->unconfirmed > 0 && r->unconfirmed_included)
		printf("encrypted, as asked (--unconfirmed), to %zu unconfirmed device%s: "
		    "certified by a root key %s State has not endorsed\n", r->unconfirmed,
		    r->unconfirmed == 1 ? "" : "s", r->unconfirmed == 1 ? "its" : "their");
	else if (r->unconfirmed > 0)
		fprintf(stderr, "roster: warning: %zu unconfirmed device%s left out: "
		    "certified by a root key %s State has not endorsed (`roster directory`); "
		    "--unconfirmed encrypts to %s too\n", r->unconfirmed,
		    r->unconfirmed == 1 ? "" : "s", r->unconfirmed == 1 ? "its" : "their",
		    r->unconfirmed == 1 ? "it" : "them");
}

size_t
print_root_warnings(struct node *n, FILE *f)
{
	json_t *w = roots_warnings(n), *v;
	size_t i, k = json_array_size(w);

	json_array_foreach(w, i, v)
		fprintf(f, "%s\n", jstr(v, "text"));
	json_decref(w);
	return k;
}
