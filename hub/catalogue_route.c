/*
 * catalogue_route.c - GET /v1/catalogue: the operator's additions to the
 * catalogue of message templates (docs/templates.md).
 *
 * The operator puts templates and taxonomies in HUBDIR/catalogue/, laid out
 * like share/catalogue/ (templates/ID.json, taxonomies/ID.json).  Each
 * request reads the folder afresh, so an addition needs no restart, and
 * checks it against the shipped catalogue with the same checks every node
 * applies: what passes is served as one document
 *
 *   {"templates": [...], "taxonomies": [...], "problems": ["..."]}
 *
 * and what does not is named in "problems" so nodes can report it.  The
 * nodes check everything again: the hub is not trusted, and this check is
 * a courtesy to them and to the operator, not a guarantee.  The route is
 * public, like the directory: templates are not secret.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"

/* The problems with HUBDIR/ taken off the file names: the hub's own paths
 * are none of the public's business. */
static json_t *
relative_problems(struct catalogue *c, const char *dir)
{
	json_t *a = json_array();
	size_t n = strlen(dir) - strlen("catalogue");

	for (size_t i = 0; i < catalogue_nproblems(c); i++) {
		const char *p = catalogue_problem(c, i);
		if (strncmp(p, dir, strlen(dir)) == 0)
			p += n;
		json_array_append_new(a, json_string(p));
	}
	return a;
}

void
api_get_catalogue(struct api *a, const struct http_req *req, struct http_resp *resp)
{
	struct catalogue *c = catalogue_new();
	char *dir = NULL;
	json_t *doc;

	if (catalogue_load_shipped(c) != 0) {
		http_resp_error(resp, 500, "the hub's shipped catalogue: %s", rs_err());
		goto out;
	}
	dir = xmalloc(strlen(a->s->hubdir) + sizeof("/catalogue"));
	sprintf(dir, "%s/catalogue", a->s->hubdir);
	if (catalogue_add_dir(c, dir, "hub") < 0) {
		http_resp_error(resp, 500, "the operator's catalogue: %s", rs_err());
		goto out;
	}
	doc = catalogue_export(c, "hub");
	json_object_set_new(doc, "problems", relative_problems(c, dir));
	http_resp_json(resp, 200, doc);
out:
	free(dir);
	catalogue_free(c);
}
