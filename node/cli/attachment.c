/*
 * attachment.c - roster attachment: lists a received message's
 * attachments, and saves one, downloaded, checked chunk by chunk and
 * decrypted by node/core/attach.c.  Names and types come from the sender,
 * so they are made safe for a terminal and a file name here.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "core/attach.h"
#include "core/store.h"
#include "jsonutil.h"

#define NAME_MAX_LEN	255

/* s, or dflt when NULL, made safe for a terminal (no control characters,
 * no bidirectional overrides): names and types come from the sender. */
static const char *
shown(char *out, size_t len, const char *s, const char *dflt)
{
	snprintf(out, len, "%s", s != NULL ? s : dflt);
	cat_printable(out);
	return out;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/* A safe file name in the current folder from the sender's name. */
static void
default_out(char *out, size_t len, const char *name, size_t i)
{
	size_t k = 0;

	if (name != NULL)
		name = base_name(name);
	for (; name != NULL && *name && k + 1 < len; name++) {
		unsigned char c = (unsigned char)*name;
		out[k++] = c < 0x20 || c == 0x7f || c == '\\' ? '_' : (char)c;
	}
	out[k] = '\0';
	cat_printable(out);
	while (out[0] == '.')
		memmove(out, out + 1, strlen(out));
	if (out[0] == '\0')
		snprintf(out, len, "attachment-%zu", i + 1);
}

static void
list_attachments(json_t *atts)
{
	json_t *d;
	size_t i;

	json_array_foreach(atts, i, d) {
		char sz[32], name[NAME_MAX_LEN + 1], type[128];
		human_size(sz, sizeof(sz), (double)json_integer_value(
		    json_object_get(d, "size")));
		printf("%zu  %s  %s  %s\n", i + 1,
		    shown(name, sizeof(name), jstr(d, "name"), "?"), sz,
		    shown(type, sizeof(type), jstr(d, "type"),
		    "application/octet-stream"));
	}
}

struct att_args {
	const char *idp, *np, *out;
	int list, progress;
};

static int
parse_index(const char *s, size_t count, size_t *i)
{
	char *end;
	long v;

	if (s == NULL) {
		if (count != 1)
			return usage_error("attachment", "the message has %zu "
			    "attachments: give which (1 to %zu); --list lists them",
			    count, count);
		*i = 0;
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 1 ||
	    (size_t)v > count)
		return usage_error("attachment", "N must be a number from 1 to "
		    "%zu (the message has %zu attachment%s)", count, count,
		    count == 1 ? "" : "s");
	*i = (size_t)v - 1;
	return 0;
}

static int
attachment_run(struct node *n, const struct att_args *a)
{
	struct envelope e = {0};
	struct buf raw = {0};
	json_t *m = NULL, *atts, *d;
	uint8_t id[32];
	char out[NAME_MAX_LEN + 1], name[NAME_MAX_LEN + 1];
	struct progress_bar bar;
	size_t i = 0;
	int rc = 1;

	if (node_open(n, 1) != 0 || store_message_find(n, a->idp, id) != 0 ||
	    (m = attach_received_payload(n, id, &e, &raw)) == NULL) {
		rc = fail("attachment");
		goto out;
	}
	atts = json_object_get(m, "attachments");
	if (!json_is_array(atts) || json_array_size(atts) == 0) {
		fprintf(stderr, "roster attachment: message %s has no attachments\n",
		    a->idp);
		goto out;
	}
	if (a->list) {
		list_attachments(atts);
		rc = 0;
		goto out;
	}
	if ((rc = parse_index(a->np, json_array_size(atts), &i)) != 0)
		goto out;
	rc = 1;
	d = json_array_get(atts, i);
	if (attach_matches_header(&e, d, i) != 0) {
		fail("attachment");
		goto out;
	}
	default_out(out, sizeof(out), jstr(d, "name"), i);
	if (attach_download(n, d, a->out != NULL ? a->out : out,
	    progress_bar(&bar, a->progress)) != 0) {
		fail("attachment");
		goto out;
	}
	printf("saved %s (%" PRId64 " bytes) to %s: decrypted, every chunk "
	    "authenticated, digest as the sender signed\n",
	    shown(name, sizeof(name), jstr(d, "name"), "?"),
	    (int64_t)json_integer_value(json_object_get(d, "size")),
	    a->out != NULL ? a->out : out);
	rc = 0;
out:
	json_decref(m);
	env_free(&e);
	buf_free(&raw);
	return rc;
}

int
cmd_attachment(int argc, char **argv)
{
	struct node n = {0};
	struct att_args a = {0};
	struct opts o;
	int rc;

	if ((rc = cli_parse(&o, &doc_attachment, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	a.out = opt_value(&o, "--out");
	a.list = opt_flag(&o, "--list");
	a.progress = opt_flag(&o, "--progress");
	a.idp = opt_positional(&o);
	a.np = opt_positional(&o);
	rc = cli_finish(&o);
	if (rc != 0) {
		node_close(&n);
		return EXIT_USAGE;
	}
	if (a.idp == NULL) {
		node_close(&n);
		return usage_error("attachment", "which message? give its ID");
	}
	if (a.list && (a.out != NULL || a.np != NULL)) {
		node_close(&n);
		return usage_error("attachment", "--list takes only the message ID");
	}
	rc = attachment_run(&n, &a);
	node_close(&n);
	return rc;
}
