/*
 * templates.c - `roster templates`: the catalogue of message templates as
 * a person reads it.
 *
 *   roster templates [--lang L] [--json] [--refresh]   list
 *   roster templates show ID [--lang L] [--json]       one template's fields
 *   roster templates fill ID --field K=V... [--json]   preview a message
 *   roster templates check FILE...                     an operator's files
 *
 * Listing and showing need no node (they show the shipped catalogue); with
 * a node folder they show its full catalogue (shipped, the State's own
 * additions, the hub's) and default to the node's first language.
 * --refresh fetches the hub's catalogue first.  `check` runs the very
 * checks a node applies, so an operator can try a file before publishing
 * it in HUBDIR/catalogue/.
 */
#include "cli.h"

#include "core/catalogue_node.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CHECK_FILES 256

static int
print_doc(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s == NULL) {
		rs_seterr("cannot serialize JSON");
		return -1;
	}
	puts(s);
	free(s);
	return 0;
}

static void
print_label(const char *indent, json_t *i18n, const char *lang)
{
	int fb;
	const char *s = cat_label(i18n, lang, &fb);

	printf("%s%s%s\n", indent, fb ? "[en] " : "", s);
}

static int
list_templates(struct catalogue *c, const char *lang, int as_json)
{
	json_t *t;
	size_t i;
	int fb;

	if (as_json) {
		json_t *doc = catalogue_export(c, NULL);
		int rc = print_doc(doc);
		json_decref(doc);
		return rc;
	}
	json_array_foreach(catalogue_templates(c), i, t) {
		const char *id = json_string_value(json_object_get(t, "id"));
		const char *src = catalogue_source(c, id);
		const char *title = cat_label(json_object_get(t, "title"), lang, &fb);
		printf("%-24s v%-3lld %s%s", id,
		    (long long)json_integer_value(json_object_get(t, "version")),
		    fb ? "[en] " : "", title);
		if (strcmp(src, "shipped") != 0)
			printf("  (%s)", src);
		printf("\n");
	}
	return 0;
}

static void
print_choices(struct catalogue *c, json_t *f, const char *lang)
{
	const char *tax = json_string_value(json_object_get(f, "taxonomy"));
	json_t *x = catalogue_taxonomy(c, tax), *v;
	size_t i;
	int fb;

	if (x == NULL)
		return;
	printf("      %s %s:\n", json_is_true(json_object_get(f, "multiple")) ?
	    "one or more of" : "one of", tax);
	json_array_foreach(json_object_get(x, "values"), i, v)
		printf("        %-24s %s\n", json_string_value(json_object_get(v, "code")),
		    cat_label(json_object_get(v, "label"), lang, &fb));
}

static const char *
type_hint(json_t *f)
{
	const char *t = json_string_value(json_object_get(f, "type"));

	if (strcmp(t, "datetime") == 0)
		return "datetime: ISO 8601 with a zone, e.g. 2026-11-22T08:30Z";
	if (strcmp(t, "states") == 0)
		return "states: two-letter codes, comma-separated";
	if (strcmp(t, "indicators") == 0)
		return "indicators: TYPE:VALUE, comma-separated (ip, domain, url, "
		    "email, md5, sha1, sha256, sha512, cve)";
	if (strcmp(t, "attachment") == 0)
		return "attachment: a file";
	if (strcmp(t, "text") == 0)
		return "text: free text, tagged with its language";
	return t;
}

static void
print_field(struct catalogue *c, json_t *f, const char *lang)
{
	json_t *help = json_object_get(f, "help");

	printf("  %s  (%s%s)\n", json_string_value(json_object_get(f, "name")),
	    json_is_true(json_object_get(f, "required")) ? "required; " : "",
	    type_hint(f));
	print_label("      ", json_object_get(f, "label"), lang);
	if (help != NULL)
		print_label("      ", help, lang);
	if (strcmp(json_string_value(json_object_get(f, "type")), "choice") == 0)
		print_choices(c, f, lang);
}

static int
show_template(struct catalogue *c, const char *id, const char *lang, int as_json)
{
	json_t *t = catalogue_template(c, id), *f;
	uint8_t digest[32];
	char *hex;
	size_t i;

	if (t == NULL || catalogue_digest(c, id, digest) != 0)
		return -1;
	hex = hex_encode(digest, 32);
	if (as_json) {
		json_t *j = json_pack("{s:O, s:s, s:s}", "template", t, "digest", hex,
		    "source", catalogue_source(c, id));
		int rc = print_doc(j);
		json_decref(j);
		free(hex);
		return rc;
	}
	printf("%s v%lld (%s)\ndigest %s\n\n", id,
	    (long long)json_integer_value(json_object_get(t, "version")),
	    catalogue_source(c, id), hex);
	free(hex);
	print_label("", json_object_get(t, "title"), lang);
	if (json_object_get(t, "help") != NULL)
		print_label("  ", json_object_get(t, "help"), lang);
	printf("\nFields:\n");
	json_array_foreach(json_object_get(t, "fields"), i, f)
		print_field(c, f, lang);
	printf("\nFill it with: roster send --template %s --field NAME=VALUE ...\n", id);
	return 0;
}

/* Taxonomy files first, so a template may name a taxonomy checked with it. */
static int
check_files(const char **files, size_t n)
{
	struct catalogue *c = catalogue_new();
	size_t before;
	int pass, bad = 0;

	if (catalogue_load_shipped(c) != 0) {
		catalogue_free(c);
		return fail("templates check");
	}
	before = catalogue_nproblems(c);
	for (pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			int is_tax = strstr(files[i], "taxonomies/") != NULL;
			if (is_tax != (pass == 0))
				continue;
			if (catalogue_add_file(c, files[i], files[i]) == 0)
				printf("ok %s\n", files[i]);
			else
				bad = 1;
		}
	for (size_t i = before; i < catalogue_nproblems(c); i++)
		fprintf(stderr, "roster templates: %s\n", catalogue_problem(c, i));
	catalogue_free(c);
	return bad ? 1 : 0;
}

struct tpl_args {
	const char *sub, *id, *lang, *text_lang;
	const char *files[MAX_CHECK_FILES];	/* check: files; fill: k=v */
	size_t nfiles;
	int json, refresh;
};

/* What a message written on template id would carry, and how a reader of
 * lang sees it. */
static int
fill_template(struct catalogue *c, struct tpl_args *a)
{
	json_t *fields, *t;
	struct buf b = {0};
	uint8_t digest[32];
	char *hex;
	int rc;

	if (catalogue_fill(c, a->id, a->files, a->nfiles, a->text_lang, &fields) != 0 ||
	    catalogue_digest(c, a->id, digest) != 0)
		return -1;
	t = catalogue_template(c, a->id);
	if (a->json) {
		hex = hex_encode(digest, 32);
		json_t *j = json_pack("{s:s, s:O, s:s, s:o}", "template", a->id,
		    "version", json_object_get(t, "version"), "digest", hex,
		    "fields", fields);
		rc = print_doc(j);
		json_decref(j);
		free(hex);
		return rc;
	}
	rc = catalogue_render(c, a->id, fields, a->lang, &b);
	if (rc == 0)
		fputs(buf_cstr(&b), stdout);
	buf_free(&b);
	json_decref(fields);
	return rc;
}

static int
parse_args(struct opts *o, struct node *n, struct tpl_args *a)
{
	const char *p;

	node_common_opts(n, o);
	a->lang = opt_value(o, "--lang");
	a->json = opt_flag(o, "--json");
	a->refresh = opt_flag(o, "--refresh");
	a->sub = opt_positional(o);
	if (a->sub != NULL && strcmp(a->sub, "list") == 0)
		a->sub = NULL;
	if (a->sub != NULL)
		opts_subcommand(o, a->sub);
	if (a->sub != NULL && strcmp(a->sub, "show") == 0) {
		if ((a->id = opt_positional(o)) == NULL)
			return usage_error("templates", "show needs a template id");
	} else if (a->sub != NULL && strcmp(a->sub, "fill") == 0) {
		if ((a->id = opt_positional(o)) == NULL)
			return usage_error("templates", "fill needs a template id");
		while ((p = opt_value(o, "--field")) != NULL) {
			if (a->nfiles == MAX_CHECK_FILES)
				return usage_error("templates", "at most %d --field options",
				    MAX_CHECK_FILES);
			a->files[a->nfiles++] = p;
		}
		a->text_lang = opt_value(o, "--text-lang");
	} else if (a->sub != NULL && strcmp(a->sub, "check") == 0) {
		while ((p = opt_positional(o)) != NULL) {
			if (a->nfiles == MAX_CHECK_FILES)
				return usage_error("templates", "at most %d files",
				    MAX_CHECK_FILES);
			a->files[a->nfiles++] = p;
		}
		if (a->nfiles == 0)
			return usage_error("templates", "check needs a FILE");
	} else if (a->sub != NULL) {
		static const char *const subs[] = { "list", "show", "fill", "check", NULL };
		const char *near = opts_nearest(a->sub, subs);
		if (near != NULL)
			return usage_error("templates", "unknown subcommand \"%s\" (did you "
			    "mean %s?)", a->sub, near);
		return usage_error("templates", "unknown subcommand \"%s\" (list is the "
		    "default; show ID; fill ID; check FILE)", a->sub);
	}
	if (opts_finish(o) != OPTS_OK)
		return EXIT_USAGE;
	if (a->lang != NULL && !cat_lang_ok(a->lang))
		return usage_error("templates", "--lang \"%s\" is not one of ar, zh, en, "
		    "fr, ru, es", a->lang);
	if (a->text_lang != NULL && !cat_lang_ok(a->text_lang))
		return usage_error("templates", "--text-lang \"%s\" is not one of ar, zh, "
		    "en, fr, ru, es", a->text_lang);
	if (a->refresh && n->dir == NULL)
		return usage_error("templates", "--refresh needs a node (--dir NODEDIR)");
	return 0;
}

static int
refresh(struct node *n)
{
	struct catalogue *r;
	json_t *doc;

	if (node_open(n, 0) != 0)
		return fail("templates");
	if (catalogue_fetch(n, &r) != 0) {
		fprintf(stderr, "roster templates: cannot fetch the hub's catalogue: %s\n",
		    rs_err());
		return 1;
	}
	doc = catalogue_export(r, "hub");
	printf("fetched the hub's catalogue: %zu templates, %zu taxonomies\n",
	    json_array_size(json_object_get(doc, "templates")),
	    json_array_size(json_object_get(doc, "taxonomies")));
	json_decref(doc);
	catalogue_free(r);
	return 0;
}

static int
run(struct node *n, struct tpl_args *a)
{
	struct catalogue *c;
	int rc;

	if (a->sub != NULL && strcmp(a->sub, "check") == 0)
		return check_files(a->files, a->nfiles);
	if (n->dir != NULL && config_load(n) != 0)
		return fail("templates");
	if (a->lang == NULL)
		a->lang = n->dir != NULL ? node_lang(n) : "en";
	if (a->refresh && (rc = refresh(n)) != 0)
		return rc;
	if (node_catalogue(n, &c) != 0) {
		fprintf(stderr, "roster templates: cannot load the catalogue: %s\n", rs_err());
		return 1;
	}
	if (a->text_lang == NULL)
		a->text_lang = a->lang;
	if (a->sub == NULL)
		rc = list_templates(c, a->lang, a->json);
	else if (strcmp(a->sub, "fill") == 0)
		rc = fill_template(c, a);
	else
		rc = show_template(c, a->id, a->lang, a->json);
	catalogue_free(c);
	return rc != 0 ? fail("templates") : 0;
}

int
cmd_templates(int argc, char **argv)
{
	struct opts o;
	struct node n = {0};
	struct tpl_args a = {0};
	int rc;

	if ((rc = cli_parse(&o, &doc_templates, argc, argv)) != 0)
		return rc;
	rc = parse_args(&o, &n, &a);
	opts_free(&o);
	if (rc == 0)
		rc = run(&n, &a);
	node_close(&n);
	return rc;
}
