/*
 * catalogue_node.c - the node's catalogue (see catalogue_node.h).
 *
 * Three layers, loaded in this order under lib/catalogue's rule (a later
 * entry replaces an earlier one of the same id only with a higher
 * version): what roster ships, the State's own folder NODEDIR/catalogue/,
 * and the hub operator's document.  The hub is not trusted, so its
 * document is checked entry by entry exactly like everything else, and a
 * bad entry is skipped with a warning; the message a template produces
 * carries the template's digest, so which version was used is never in
 * doubt.  The document is stored as the hub sent it, and checked again
 * whenever it is loaded.
 */
#include "catalogue_node.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hubclient.h"
#include "jsonutil.h"

static void
warn_problems(struct node *n, struct catalogue *c, size_t from)
{
	if (n->quiet)
		return;
	for (size_t i = from; i < catalogue_nproblems(c); i++)
		fprintf(stderr, "roster: warning: catalogue: %s\n", catalogue_problem(c, i));
}

static int
add_hub_doc(struct catalogue *c, const char *dir)
{
	char path[4096];
	struct buf b = {0};
	int rc;

	snprintf(path, sizeof(path), "%s/catalogue-hub.json", dir);
	if (access(path, F_OK) != 0)
		return 0;
	if (read_file(path, &b, CAT_MAX_DOC) != 0)
		return -1;
	rc = catalogue_add_doc_bytes(c, b.p, b.len, path, "hub");
	buf_free(&b);
	return rc;
}

int
node_catalogue(struct node *n, struct catalogue **out)
{
	struct catalogue *c = catalogue_new();
	char path[4096];
	size_t before;

	*out = NULL;
	if (catalogue_load_shipped(c) != 0) {
		catalogue_free(c);
		return -1;
	}
	before = catalogue_nproblems(c);
	if (n->dir != NULL) {
		snprintf(path, sizeof(path), "%s/catalogue", n->dir);
		if (catalogue_add_dir(c, path, "node") < 0 || add_hub_doc(c, n->dir) < 0) {
			if (!n->quiet)
				fprintf(stderr, "roster: warning: catalogue: %s\n", rs_err());
		}
	}
	warn_problems(n, c, before);
	*out = c;
	return 0;
}

/* The problems the hub found in its own folder, as it reports them. */
static void
hub_problems(struct node *n, const struct buf *b)
{
	json_t *j = json_loadb((const char *)b->p, b->len, 0, NULL), *p;
	size_t i;

	json_array_foreach(json_object_get(j, "problems"), i, p) {
		char s[401];
		if (!json_is_string(p) || n->quiet || i >= 100)
			continue;
		snprintf(s, sizeof(s), "%s", json_string_value(p));
		cat_printable(s);		/* a hostile hub's text */
		fprintf(stderr, "roster: warning: the hub reports: %s\n", s);
	}
	json_decref(j);
}

int
catalogue_fetch(struct node *n, struct catalogue **report)
{
	struct buf b = {0};
	struct catalogue *c = NULL;
	char path[4096];
	int rc = -1;

	if (report)
		*report = NULL;
	if (n->hub == NULL || n->dir == NULL) {
		rs_seterr("catalogue_fetch: the node is not open");
		return -1;
	}
	if (hub_catalogue(n, &b) != 0)
		goto out;
	c = catalogue_new();
	if (catalogue_load_shipped(c) != 0 ||
	    catalogue_add_doc_bytes(c, b.p, b.len, "hub catalogue", "hub") < 0)
		goto out;
	hub_problems(n, &b);
	snprintf(path, sizeof(path), "%s/catalogue-hub.json", n->dir);
	if (write_file_atomic(path, b.p, b.len, 0644) != 0)
		goto out;
	rc = 0;
	if (report) {
		*report = c;
		c = NULL;
	}
out:
	catalogue_free(c);
	buf_free(&b);
	return rc;
}

const char *
node_lang(struct node *n)
{
	static char lang[8];
	const char *p = n->cfg.languages;

	while (p != NULL && *p != '\0') {
		size_t len = strcspn(p, ",");
		if (len == 2) {
			memcpy(lang, p, 2);
			lang[2] = '\0';
			if (cat_lang_ok(lang))
				return lang;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return "en";
}
