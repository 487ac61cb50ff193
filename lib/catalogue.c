/*
 * catalogue.c - loading and checking the catalogue of templates and
 * taxonomies (see catalogue.h; the format is in docs/templates.md).
 *
 * Everything is kept as the jansson objects it was read as, once checked:
 * the checks below are the whole of what a template or taxonomy may
 * contain (an unknown key is refused, so a typo is caught rather than
 * silently meaning nothing), and the rest of the code may then rely on the
 * shape.  An operator's files go through exactly the same checks as the
 * shipped ones: a hostile or careless operator gets a problem recorded,
 * never a crash or a half-loaded entry.
 *
 * Replacement: an entry with the id of a loaded one replaces it only when
 * its version is higher.  So shipped entries hold unless an operator
 * deliberately bumps the version, a stale copy never wins, and the order of
 * loading (shipped, node, hub) decides only between equal versions: the
 * first loaded stays.
 */
#include "catalogue.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "share.h"

#define MAX_ID		64
#define MAX_LABEL	4096
#define MAX_VERSION	1000000000

struct catalogue {
	json_t *templates;	/* id -> template */
	json_t *taxonomies;	/* id -> taxonomy */
	json_t *tsource;	/* template id -> source */
	json_t *xsource;	/* taxonomy id -> source */
	json_t *problems;	/* array of sentences */
	json_t *sorted;		/* cache of catalogue_templates */
	json_t *xsorted;	/* cache of catalogue_taxonomies */
	atomic_int refs;	/* catalogue_ref / catalogue_free */
	int frozen;		/* catalogue_freeze: shared, read only */
};

static const char *const field_types[] = {
	"text", "choice", "datetime", "states", "indicators", "attachment", NULL
};

void
cat_printable(char *s)
{
	unsigned char *p = (unsigned char *)s;

	for (; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			p[0] = p[1] = '?';
		else if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae)
			p[0] = p[1] = p[2] = '?';
}

/* Puts "prefix: " before the current error sentence. */
static void __attribute__((format(printf, 1, 2)))
err_prefix(const char *fmt, ...)
{
	char prefix[RS_ERRLEN], why[RS_ERRLEN];
	va_list ap;

	snprintf(why, sizeof(why), "%s", rs_err());
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	rs_seterr("%s: %s", prefix, why);
}

static void __attribute__((format(printf, 2, 3)))
add_problem(struct catalogue *c, const char *fmt, ...)
{
	char s[RS_ERRLEN];
	va_list ap;

	assert(!c->frozen);
	va_start(ap, fmt);
	vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	cat_printable(s);		/* may quote a hostile file */
	json_t *j = json_string(s);
	if (j == NULL)			/* cut inside a UTF-8 sequence */
		j = json_string("a catalogue entry was refused (unprintable description)");
	json_array_append_new(c->problems, j);
}

/* ---- checks of the parts ---------------------------------------------------- */

/* Lower-case letters, digits and '-', starting with a letter. */
static int
check_id(const char *s, const char *what)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > MAX_ID || s[0] < 'a' || s[0] > 'z') {
		rs_seterr("%s must be 1 to %d characters starting with a-z", what, MAX_ID);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-')) {
			rs_seterr("%s \"%s\" may hold only a-z, 0-9 and '-'", what, s);
			return -1;
		}
	return 0;
}

/* A field name: a-z, 0-9, '_', starting with a letter. */
static int
check_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > MAX_ID || s[0] < 'a' || s[0] > 'z') {
		rs_seterr("field name must be 1 to %d characters starting with a-z", MAX_ID);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_')) {
			rs_seterr("field name \"%s\" may hold only a-z, 0-9 and '_'", s);
			return -1;
		}
	return 0;
}

/* A taxonomy code: letters, digits, '+', '.', '_', '-'. */
static int
check_code(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > MAX_ID) {
		rs_seterr("a code must be 1 to %d characters", MAX_ID);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("+._-", s[i]) != NULL)) {
			rs_seterr("code \"%.64s\" may hold only letters, digits and + . _ -", s);
			return -1;
		}
	return 0;
}

/* Refuses any key of o not in allowed (NULL-terminated). */
static int
check_keys(json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		int ok = 0;
		for (size_t i = 0; allowed[i] != NULL && !ok; i++)
			ok = strcmp(k, allowed[i]) == 0;
		if (!ok) {
			rs_seterr("unknown key \"%.64s\"", k);
			return -1;
		}
	}
	return 0;
}

/* Text shown to people: no control characters but newline and tab (C1
 * controls included, which some terminals obey), and no bidirectional
 * embedding or override (U+202A..U+202E), which could disguise a label. */
static int
check_text(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
			rs_seterr("holds a control character");
			return -1;
		}
		if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) {
			rs_seterr("holds a bidirectional override (U+202A..U+202E)");
			return -1;
		}
	}
	return 0;
}

/* {"ar": ..., "zh": ..., "en": ..., "fr": ..., "ru": ..., "es": ...}: all
 * six, non-empty, and nothing else. */
static int
check_i18n(json_t *o, const char *what)
{
	if (!json_is_object(o)) {
		rs_seterr("%s must be an object of six languages", what);
		return -1;
	}
	if (check_keys(o, (const char *const []){ "ar", "zh", "en", "fr", "ru", "es",
	    NULL }) != 0) {
		err_prefix("%s", what);
		return -1;
	}
	for (int i = 0; i < CAT_NLANGS; i++) {
		json_t *s = json_object_get(o, cat_langs[i]);
		if (!json_is_string(s) || json_string_length(s) == 0) {
			rs_seterr("%s: no \"%s\" text", what, cat_langs[i]);
			return -1;
		}
		if (json_string_length(s) > MAX_LABEL) {
			rs_seterr("%s: \"%s\" text longer than %d bytes", what,
			    cat_langs[i], MAX_LABEL);
			return -1;
		}
		if (check_text(json_string_value(s)) != 0) {
			err_prefix("%s: \"%s\" text", what, cat_langs[i]);
			return -1;
		}
	}
	return 0;
}

static int
check_version(json_t *o)
{
	json_t *v = json_object_get(o, "version");

	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > MAX_VERSION) {
		rs_seterr("\"version\" must be a whole number from 1 to %d", MAX_VERSION);
		return -1;
	}
	return 0;
}

static int
check_head(json_t *o, const char *const *keys)
{
	if (!json_is_object(o)) {
		rs_seterr("not a JSON object");
		return -1;
	}
	if (check_keys(o, keys) != 0)
		return -1;
	if (!json_is_string(json_object_get(o, "id"))) {
		rs_seterr("no \"id\" string");
		return -1;
	}
	if (check_id(jstr(o, "id"), "id") != 0 || check_version(o) != 0 ||
	    check_i18n(json_object_get(o, "title"), "title") != 0)
		return -1;
	if (json_object_get(o, "help") != NULL &&
	    check_i18n(json_object_get(o, "help"), "help") != 0)
		return -1;
	return 0;
}

static int
check_value_entry(json_t *v, size_t i, json_t *seen)
{
	const char *code;

	if (!json_is_object(v) ||
	    check_keys(v, (const char *const []){ "code", "label", "help", NULL }) != 0) {
		if (!json_is_object(v))
			rs_seterr("not an object");
		goto bad;
	}
	code = jstr(v, "code");
	if (code == NULL) {
		rs_seterr("no \"code\" string");
		goto bad;
	}
	if (check_code(code) != 0)
		goto bad;
	if (json_object_get(seen, code) != NULL) {
		rs_seterr("code \"%s\" appears twice", code);
		goto bad;
	}
	json_object_set_new(seen, code, json_true());
	if (check_i18n(json_object_get(v, "label"), "label") != 0 ||
	    (json_object_get(v, "help") != NULL &&
	    check_i18n(json_object_get(v, "help"), "help") != 0))
		goto bad;
	return 0;
bad:
	err_prefix("values[%zu]", i);
	return -1;
}

static int
check_taxonomy(json_t *x)
{
	json_t *vals, *v, *seen;
	size_t i;
	int rc = 0;

	if (check_head(x, (const char *const []){ "id", "version", "title", "help",
	    "values", NULL }) != 0)
		return -1;
	vals = json_object_get(x, "values");
	if (!json_is_array(vals) || json_array_size(vals) == 0 ||
	    json_array_size(vals) > CAT_MAX_VALUES) {
		rs_seterr("\"values\" must be an array of 1 to %d codes", CAT_MAX_VALUES);
		return -1;
	}
	seen = json_object();
	json_array_foreach(vals, i, v)
		if ((rc = check_value_entry(v, i, seen)) != 0)
			break;
	json_decref(seen);
	return rc;
}

static int
is_type(const char *t)
{
	for (size_t i = 0; t != NULL && field_types[i] != NULL; i++)
		if (strcmp(t, field_types[i]) == 0)
			return 1;
	return 0;
}

static int
check_bool(json_t *f, const char *key)
{
	json_t *v = json_object_get(f, key);

	if (v != NULL && !json_is_boolean(v)) {
		rs_seterr("\"%s\" must be true or false", key);
		return -1;
	}
	return 0;
}

static int
check_field_type(struct catalogue *c, json_t *f, const char *type)
{
	const char *tax = jstr(f, "taxonomy");
	int multi = json_is_true(json_object_get(f, "multiple"));

	if (strcmp(type, "choice") == 0) {
		if (tax == NULL) {
			rs_seterr("a choice field needs a \"taxonomy\"");
			return -1;
		}
		if (json_object_get(c->taxonomies, tax) == NULL) {
			rs_seterr("taxonomy \"%.64s\" is not in the catalogue", tax);
			return -1;
		}
		return 0;
	}
	if (json_object_get(f, "taxonomy") != NULL) {
		rs_seterr("only a choice field takes a \"taxonomy\"");
		return -1;
	}
	if (multi && strcmp(type, "attachment") != 0) {
		rs_seterr("\"multiple\" applies to choice and attachment fields only "
		    "(states and indicators are lists already)");
		return -1;
	}
	return 0;
}

static int
check_field(struct catalogue *c, json_t *f, json_t *seen)
{
	const char *name, *type;

	if (!json_is_object(f)) {
		rs_seterr("not an object");
		return -1;
	}
	if (check_keys(f, (const char *const []){ "name", "type", "taxonomy",
	    "multiple", "required", "label", "help", NULL }) != 0)
		return -1;
	name = jstr(f, "name");
	if (check_name(name) != 0)
		return -1;
	if (json_object_get(seen, name) != NULL) {
		rs_seterr("field \"%s\" appears twice", name);
		return -1;
	}
	json_object_set_new(seen, name, json_true());
	type = jstr(f, "type");
	if (!is_type(type)) {
		rs_seterr("field \"%s\": \"type\" must be text, choice, datetime, states, "
		    "indicators or attachment", name);
		return -1;
	}
	if (check_bool(f, "required") != 0 || check_bool(f, "multiple") != 0 ||
	    check_field_type(c, f, type) != 0 ||
	    check_i18n(json_object_get(f, "label"), "label") != 0 ||
	    (json_object_get(f, "help") != NULL &&
	    check_i18n(json_object_get(f, "help"), "help") != 0)) {
		err_prefix("field \"%s\"", name);
		return -1;
	}
	return 0;
}

static int
check_template(struct catalogue *c, json_t *t)
{
	json_t *fields, *f, *seen;
	size_t i;
	int rc = 0;

	if (check_head(t, (const char *const []){ "id", "version", "title", "help",
	    "fields", NULL }) != 0)
		return -1;
	fields = json_object_get(t, "fields");
	if (!json_is_array(fields) || json_array_size(fields) == 0 ||
	    json_array_size(fields) > CAT_MAX_FIELDS) {
		rs_seterr("\"fields\" must be an array of 1 to %d fields", CAT_MAX_FIELDS);
		return -1;
	}
	seen = json_object();
	json_array_foreach(fields, i, f)
		if ((rc = check_field(c, f, seen)) != 0) {
			if (strncmp(rs_err(), "field \"", 7) != 0)
				err_prefix("fields[%zu]", i);
			break;
		}
	json_decref(seen);
	return rc;
}

/* ---- adding entries --------------------------------------------------------- */

static void
drop_caches(struct catalogue *c)
{
	json_decref(c->sorted);
	json_decref(c->xsorted);
	c->sorted = c->xsorted = NULL;
}

/* Adds a checked entry under the version rule; where names the file. */
static void
put_entry(struct catalogue *c, int is_template, json_t *o, const char *where,
    const char *source)
{
	json_t *map = is_template ? c->templates : c->taxonomies;
	json_t *src = is_template ? c->tsource : c->xsource;
	const char *id = jstr(o, "id");
	json_t *old = json_object_get(map, id);
	json_int_t v = json_integer_value(json_object_get(o, "version"));

	assert(!c->frozen);
	if (old != NULL) {
		json_int_t ov = json_integer_value(json_object_get(old, "version"));
		if (v <= ov) {
			add_problem(c, "%s: %s \"%s\" version %lld ignored: version %lld "
			    "from %s is loaded, and only a higher version replaces it",
			    where, is_template ? "template" : "taxonomy", id,
			    (long long)v, (long long)ov, jstr(src, id));
			return;
		}
	}
	json_object_set(map, id, o);
	json_object_set_new(src, id, json_string(source));
	drop_caches(c);
}

/* Checks and adds one entry; a refusal becomes a problem naming where. */
static int
add_entry(struct catalogue *c, int is_template, json_t *o, const char *where,
    const char *source, const char *want_id)
{
	int rc = is_template ? check_template(c, o) : check_taxonomy(o);

	if (rc == 0 && want_id != NULL && strcmp(jstr(o, "id"), want_id) != 0) {
		rs_seterr("id \"%s\" does not match the file name (want \"%s\")",
		    jstr(o, "id"), want_id);
		rc = -1;
	}
	if (rc != 0) {
		add_problem(c, "%s: %s", where, rs_err());
		return -1;
	}
	put_entry(c, is_template, o, where, source);
	return 0;
}

struct catalogue *
catalogue_new(void)
{
	struct catalogue *c = xcalloc(1, sizeof(*c));

	c->templates = json_object();
	c->taxonomies = json_object();
	c->tsource = json_object();
	c->xsource = json_object();
	c->problems = json_array();
	atomic_init(&c->refs, 1);
	return c;
}

struct catalogue *
catalogue_ref(struct catalogue *c)
{
	assert(c->frozen);	/* only a read-only catalogue is shared */
	atomic_fetch_add(&c->refs, 1);
	return c;
}

void
catalogue_freeze(struct catalogue *c)
{
	(void)catalogue_templates(c);
	(void)catalogue_taxonomies(c);
	c->frozen = 1;
}

void
catalogue_free(struct catalogue *c)
{
	if (c == NULL || atomic_fetch_sub(&c->refs, 1) > 1)
		return;
	json_decref(c->templates);
	json_decref(c->taxonomies);
	json_decref(c->tsource);
	json_decref(c->xsource);
	json_decref(c->problems);
	drop_caches(c);
	free(c);
}

size_t
catalogue_nproblems(const struct catalogue *c)
{
	return json_array_size(c->problems);
}

const char *
catalogue_problem(const struct catalogue *c, size_t i)
{
	return json_string_value(json_array_get(c->problems, i));
}

/* ---- folders ---------------------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.json names of dir, sorted; *n = 0 when dir does not exist. */
static int
list_json(const char *dir, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (d == NULL && errno == ENOENT)
		return 0;
	if (d == NULL) {
		rs_seterr("cannot read %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 6 ||
		    strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		if (*n == CAT_MAX_FILES) {
			rs_seterr("%s holds more than %d catalogue files", dir, CAT_MAX_FILES);
			closedir(d);
			return -1;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*names = xrealloc(*names, cap * sizeof(char *));
		}
		(*names)[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n > 0)
		qsort(*names, *n, sizeof(char *), cmp_str);
	return 0;
}

static void
add_file(struct catalogue *c, int is_template, const char *path,
    const char *name, const char *source)
{
	struct buf b = {0};
	char id[MAX_ID + 8];
	json_t *o;

	if (read_file(path, &b, CAT_MAX_FILE) != 0) {
		add_problem(c, "%s", rs_err());
		return;
	}
	o = jparse(b.p, b.len);
	buf_free(&b);
	if (o == NULL) {
		add_problem(c, "%s: %s", path, rs_err());
		return;
	}
	if (is_template < 0)
		is_template = json_object_get(o, "fields") != NULL;
	snprintf(id, sizeof(id), "%.*s", (int)(strlen(name) - 5), name);
	add_entry(c, is_template, o, path, source, id);
	json_decref(o);
}

static int
add_subdir(struct catalogue *c, const char *dir, const char *sub, int is_template,
    const char *source)
{
	char path[4096], file[4096 + 300];
	char **names;
	size_t n;

	if (snprintf(path, sizeof(path), "%s/%s", dir, sub) >= (int)sizeof(path)) {
		rs_seterr("catalogue path too long: %.200s", dir);
		return -1;
	}
	if (list_json(path, &names, &n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s/%s", path, names[i]);
		add_file(c, is_template, file, names[i], source);
		free(names[i]);
	}
	free(names);
	return 0;
}

int
catalogue_add_dir(struct catalogue *c, const char *dir, const char *source)
{
	size_t before = catalogue_nproblems(c);

	if (add_subdir(c, dir, "taxonomies", 0, source) != 0 ||
	    add_subdir(c, dir, "templates", 1, source) != 0)
		return -1;
	return (int)(catalogue_nproblems(c) - before);
}

int
catalogue_add_file(struct catalogue *c, const char *path, const char *source)
{
	size_t before = catalogue_nproblems(c), len = strlen(path);
	const char *name = strrchr(path, '/');

	name = name ? name + 1 : path;
	if (len < 5 || strcmp(path + len - 5, ".json") != 0 || strlen(name) < 6) {
		add_problem(c, "%s: a catalogue file is named ID.json", path);
		return 1;
	}
	add_file(c, -1, path, name, source);
	return (int)(catalogue_nproblems(c) - before);
}

int
catalogue_load_shipped(struct catalogue *c)
{
	char dir[4096];
	size_t before = catalogue_nproblems(c);

	if (share_path(dir, sizeof(dir), "catalogue") != 0)
		return -1;
	if (catalogue_add_dir(c, dir, "shipped") < 0)
		return -1;
	if (catalogue_nproblems(c) > before) {
		rs_seterr("shipped catalogue refused: %s", catalogue_problem(c, before));
		return -1;
	}
	if (json_object_size(c->templates) == 0) {
		rs_seterr("no templates in %s (set ROSTER_SHARE to the share folder)", dir);
		return -1;
	}
	return 0;
}

/* ---- documents -------------------------------------------------------------- */

static void
add_doc_list(struct catalogue *c, json_t *doc, int is_template, const char *name,
    const char *source)
{
	const char *key = is_template ? "templates" : "taxonomies";
	json_t *a = json_object_get(doc, key), *o;
	char where[RS_ERRLEN];
	size_t i;

	json_array_foreach(a, i, o) {
		const char *id = json_is_object(o) ? jstr(o, "id") : NULL;
		snprintf(where, sizeof(where), "%s: %s[%zu]%s%.64s%s", name, key, i,
		    id ? " \"" : "", id ? id : "", id ? "\"" : "");
		add_entry(c, is_template, o, where, source, NULL);
	}
}

int
catalogue_add_doc(struct catalogue *c, json_t *doc, const char *name,
    const char *source)
{
	size_t before = catalogue_nproblems(c);
	const char *keys[] = { "taxonomies", "templates" };

	if (!json_is_object(doc)) {
		rs_seterr("%s: not a catalogue document (a JSON object)", name);
		return -1;
	}
	for (int k = 0; k < 2; k++) {
		json_t *a = json_object_get(doc, keys[k]);
		if (a != NULL && (!json_is_array(a) || json_array_size(a) > CAT_MAX_FILES)) {
			rs_seterr("%s: \"%s\" must be an array of at most %d entries",
			    name, keys[k], CAT_MAX_FILES);
			return -1;
		}
	}
	add_doc_list(c, doc, 0, name, source);
	add_doc_list(c, doc, 1, name, source);
	return (int)(catalogue_nproblems(c) - before);
}

int
catalogue_add_doc_bytes(struct catalogue *c, const void *data, size_t len,
    const char *name, const char *source)
{
	json_t *doc;
	int rc;

	if (len > CAT_MAX_DOC) {
		rs_seterr("%s: larger than %zu bytes", name, CAT_MAX_DOC);
		return -1;
	}
	if ((doc = jparse(data, len)) == NULL) {
		err_prefix("%s", name);
		return -1;
	}
	rc = catalogue_add_doc(c, doc, name, source);
	json_decref(doc);
	return rc;
}

/* ---- queries ---------------------------------------------------------------- */

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(jstr(*(json_t *const *)a, "id"), jstr(*(json_t *const *)b, "id"));
}

static json_t *
sorted_values(json_t *map)
{
	size_t n = json_object_size(map), i = 0;
	json_t **v = xcalloc(n + 1, sizeof(json_t *)), *out = json_array(), *o;
	const char *k;

	json_object_foreach(map, k, o)
		v[i++] = o;
	qsort(v, n, sizeof(json_t *), cmp_id);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

json_t *
catalogue_templates(struct catalogue *c)
{
	if (c->sorted == NULL) {
		assert(!c->frozen);
		c->sorted = sorted_values(c->templates);
	}
	return c->sorted;
}

json_t *
catalogue_taxonomies(struct catalogue *c)
{
	if (c->xsorted == NULL) {
		assert(!c->frozen);
		c->xsorted = sorted_values(c->taxonomies);
	}
	return c->xsorted;
}

json_t *
catalogue_template(struct catalogue *c, const char *id)
{
	json_t *t = id ? json_object_get(c->templates, id) : NULL;

	if (t == NULL)
		rs_seterr("no template \"%.64s\" in the catalogue (see `roster templates`)",
		    id ? id : "");
	return t;
}

json_t *
catalogue_taxonomy(struct catalogue *c, const char *id)
{
	json_t *x = id ? json_object_get(c->taxonomies, id) : NULL;

	if (x == NULL)
		rs_seterr("no taxonomy \"%.64s\" in the catalogue", id ? id : "");
	return x;
}

const char *
catalogue_source(struct catalogue *c, const char *id)
{
	const char *s = jstr(c->tsource, id);

	return s ? s : jstr(c->xsource, id);
}

static json_t *
export_map(json_t *map, json_t *src, const char *source)
{
	json_t *all = sorted_values(map), *out = json_array(), *o;
	size_t i;

	json_array_foreach(all, i, o)
		if (source == NULL || strcmp(jstr(src, jstr(o, "id")), source) == 0)
			json_array_append(out, o);
	json_decref(all);
	return out;
}

json_t *
catalogue_export(struct catalogue *c, const char *source)
{
	json_t *doc = json_object();

	json_object_set_new(doc, "templates", export_map(c->templates, c->tsource, source));
	json_object_set_new(doc, "taxonomies",
	    export_map(c->taxonomies, c->xsource, source));
	json_object_set(doc, "problems", c->problems);
	return doc;
}

const char *
cat_label(json_t *i18n, const char *lang, int *fallback)
{
	const char *s = lang ? jstr(i18n, lang) : NULL;

	*fallback = 0;
	if (s != NULL && s[0] != '\0')
		return s;
	*fallback = 1;
	s = jstr(i18n, "en");
	return s ? s : "?";
}

int
catalogue_digest(struct catalogue *c, const char *id, uint8_t out[32])
{
	json_t *t = catalogue_template(c, id);
	char *s;

	if (t == NULL)
		return -1;
	s = json_dumps(t, JSON_COMPACT | JSON_SORT_KEYS);
	if (s == NULL) {
		rs_seterr("cannot serialize template \"%s\"", id);
		return -1;
	}
	sha256(out, s, strlen(s));
	free(s);
	return 0;
}
