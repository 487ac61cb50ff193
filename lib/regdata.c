/*
 * regdata.c - loading and checking the registries' data (see regdata.h;
 * the format is in docs/registries.md, "The shipped data").
 *
 * Two passes.  Each file is checked alone first (its head, then the part of
 * its kind: every key known, every text in every language the file
 * promises, every id and code well formed and unique, every source in the
 * grammar), then the references between files are resolved (a checklist
 * names a norm, a taxonomy code names crosswalk concepts).  Everything is
 * kept as the jansson objects it was read as, with small C indexes beside
 * them, so the rest of the code relies on a shape that was checked once.
 *
 * The norms are kept agreed first, then proposals, each in file order: a
 * proposal is shown beside the agreed norms, never above them.
 */
#include "regdata.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jsonutil.h"
#include "procrec.h"
#include "share.h"
#include "util.h"

#define MAX_LANGS	6
#define MAX_ITEMS	256	/* norms, terms, codes of one file */
#define MAX_SOURCES	32
#define MAX_ACTIONS	99
#define MAX_ALIASES	8
#define MAX_SHORT	512	/* as_cited, a place, an alias, a document */

/* What a file promises: the languages its texts are in. */
struct ctx {
	const char *file;
	char langs[MAX_LANGS][PROC_LANG_MAX];
	size_t nlangs;
};

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

/* ---- sources and ids ------------------------------------------------------ */

static int
is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Segments of A-Z, 0-9, '.', '-' joined by '/', at least two, starting
 * with a letter, optionally ending in " X" (a single capital, as in
 * "A/RES/49/221 B"). */
static int
symbol_ok_n(const char *s, size_t n)
{
	size_t seg = 0, nseg = 0;

	if (n == 0 || n > REG_SYMBOL_MAX || !is_upper((unsigned char)s[0]))
		return 0;
	if (n >= 3 && s[n - 2] == ' ' && is_upper((unsigned char)s[n - 1]))
		n -= 2;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '/') {
			if (seg == 0)
				return 0;
			nseg++;
			seg = 0;
		} else if (is_upper(c) || is_digit(c) || c == '.' || c == '-')
			seg++;
		else
			return 0;
	}
	return seg > 0 && nseg >= 1;
}

int
reg_symbol_ok(const char *s)
{
	return s != NULL && symbol_ok_n(s, strlen(s));
}

/* N: 1 to 4 digits, then optionally "(" 1 to 4 of a-z ")". */
static int
para_ok(const char *s)
{
	size_t i = 0, k;

	while (is_digit((unsigned char)s[i]))
		i++;
	if (i == 0 || i > 4 || s[0] == '0')
		return 0;
	if (s[i] == '\0')
		return 1;
	if (s[i] != '(')
		return 0;
	for (k = 0; s[i + 1 + k] >= 'a' && s[i + 1 + k] <= 'z'; k++)
		;
	return k >= 1 && k <= 4 && s[i + 1 + k] == ')' && s[i + 2 + k] == '\0';
}

int
reg_source_parse(const char *s, int bare, struct reg_source *out)
{
	const char *p;
	enum reg_para kind = REG_PARA_NONE;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (s == NULL || strlen(s) > REG_SOURCE_MAX)
		goto bad;
	if ((p = strstr(s, " para ")) != NULL)
		kind = REG_PARA;
	else if ((p = strstr(s, " PP ")) != NULL)
		kind = REG_PARA_PP;
	if (kind == REG_PARA_NONE) {
		if (!bare || !reg_symbol_ok(s))
			goto bad;
		snprintf(out->symbol, sizeof(out->symbol), "%.64s", s);
		return 0;
	}
	n = (size_t)(p - s);
	p += kind == REG_PARA ? 6 : 4;
	if (!symbol_ok_n(s, n) || !para_ok(p) || strlen(p) >= sizeof(out->para))
		goto bad;
	memcpy(out->symbol, s, n);
	out->symbol[n] = '\0';
	out->kind = kind;
	snprintf(out->para, sizeof(out->para), "%s", p);
	return 0;
bad:
	rs_seterr("a source is \"SYMBOL para N\" or \"SYMBOL PP N\", as \"A/70/174 "
	    "para 13(f)\" or \"A/RES/73/27 PP 16\"; \"%.100s\" is not", s ? s : "");
	return -1;
}

int
reg_data_id_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > REG_DATA_ID_MAX || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || is_digit((unsigned char)s[i]) ||
		    s[i] == '-'))
			return 0;
	return 1;
}

/* ---- parts ------------------------------------------------------------------ */

static int
only_keys(json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		size_t i;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(k, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			rs_seterr("unknown key \"%.64s\"", k);
			return -1;
		}
	}
	return 0;
}

/* Text shown to people: no control character but newline and tab, no
 * bidirectional embedding or override (which could disguise a label). */
static int
text_ok(json_t *v, const char *what, size_t max)
{
	const unsigned char *p;

	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > max) {
		rs_seterr("%s must be a text of 1 to %zu bytes", what, max);
		return -1;
	}
	for (p = (const unsigned char *)json_string_value(v); *p; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
			rs_seterr("%s holds a control character", what);
			return -1;
		}
		if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) {
			rs_seterr("%s holds a bidirectional override", what);
			return -1;
		}
	}
	return 0;
}

static int
has_lang(const struct ctx *c, const char *lang)
{
	for (size_t i = 0; i < c->nlangs; i++)
		if (strcmp(c->langs[i], lang) == 0)
			return 1;
	return 0;
}

/* A text in every language the file promises, and no other. */
static int
all_langs(const struct ctx *c, json_t *o, const char *what)
{
	const char *k;
	json_t *v;
	char w[128];

	if (!json_is_object(o)) {
		rs_seterr("\"%s\" must be an object of the file's %zu languages", what,
		    c->nlangs);
		return -1;
	}
	json_object_foreach(o, k, v)
		if (!has_lang(c, k)) {
			rs_seterr("\"%s\" has \"%.20s\", which is not one of the file's "
			    "languages", what, k);
			return -1;
		}
	for (size_t i = 0; i < c->nlangs; i++) {
		snprintf(w, sizeof(w), "\"%s\" in %s", what, c->langs[i]);
		if (json_object_get(o, c->langs[i]) == NULL) {
			rs_seterr("\"%s\" has no %s text (the file promises %zu languages)",
			    what, c->langs[i], c->nlangs);
			return -1;
		}
		if (text_ok(json_object_get(o, c->langs[i]), w, REG_DATA_TEXT_MAX) != 0)
			return -1;
	}
	return 0;
}

/* A list of language codes, each one of those of o (or of the file). */
static int
lang_subset(const struct ctx *c, json_t *a, json_t *o, const char *what)
{
	json_t *v;
	size_t i;

	if (a == NULL)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > 32) {
		rs_seterr("\"%s\" must be a list of language codes", what);
		return -1;
	}
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v);
		if (s == NULL || (o != NULL ? json_object_get(o, s) == NULL : !has_lang(c, s))) {
			rs_seterr("\"%s\" entry %zu is not a language of the texts it "
			    "qualifies", what, i);
			return -1;
		}
	}
	return 0;
}

static int
short_text(json_t *o, const char *key, int required)
{
	json_t *v = json_object_get(o, key);
	char w[64];

	if (v == NULL && !required)
		return 0;
	snprintf(w, sizeof(w), "\"%s\"", key);
	return text_ok(v, w, MAX_SHORT);
}

static int
sources_ok(const struct ctx *c, json_t *a, size_t min)
{
	static const char *const keys[] = { "source", "as_cited", "note", NULL };
	struct reg_source s;
	json_t *v;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) < min ||
	    json_array_size(a) > MAX_SOURCES) {
		rs_seterr("\"sources\" must be a list of %zu to %d sources", min, MAX_SOURCES);
		return -1;
	}
	json_array_foreach(a, i, v) {
		int noted = json_object_get(v, "note") != NULL;
		if (!json_is_object(v) || only_keys(v, keys) != 0 ||
		    reg_source_parse(jstr(v, "source"), noted, &s) != 0 ||
		    short_text(v, "as_cited", 0) != 0 ||
		    (noted && all_langs(c, json_object_get(v, "note"), "note") != 0)) {
			if (!json_is_object(v))
				rs_seterr("not an object");
			err_prefix("sources[%zu]", i);
			return -1;
		}
	}
	return 0;
}

static int
date_ok(const char *s)
{
	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* ---- the kinds of file ------------------------------------------------------ */

static int
check_norm(const struct ctx *c, json_t *n)
{
	static const char *const keys[] = { "id", "status", "title", "official", "text",
	    "text_official", "sources", "agreed_in", "refers_to", "proposed_by",
	    "proposed_in", NULL };
	const char *status = jstr(n, "status");
	json_t *v, *t = json_object_get(n, "text");
	size_t i;

	if (only_keys(n, keys) != 0)
		return -1;
	if (!reg_data_id_ok(jstr(n, "id"))) {
		rs_seterr("\"id\" must be 1 to %d of a-z, 0-9, '-', starting with a letter",
		    REG_DATA_ID_MAX);
		return -1;
	}
	if (all_langs(c, json_object_get(n, "title"), "title") != 0 ||
	    lang_subset(c, json_object_get(n, "official"), NULL, "official") != 0 ||
	    sources_ok(c, json_object_get(n, "sources"), 1) != 0)
		return -1;
	if (t != NULL) {
		const char *k;
		if (!json_is_object(t) || json_object_size(t) == 0) {
			rs_seterr("\"text\" must be an object of language: text");
			return -1;
		}
		json_object_foreach(t, k, v) {
			char w[64];
			snprintf(w, sizeof(w), "\"text\" in %.16s", k);
			if (!procrec_valid_lang(k)) {
				rs_seterr("\"text\": \"%.20s\" is not a language code", k);
				return -1;
			}
			if (text_ok(v, w, REG_DATA_TEXT_MAX) != 0)
				return -1;
		}
	}
	if (json_object_get(n, "text_official") != NULL && t == NULL) {
		rs_seterr("\"text_official\" qualifies a \"text\", and there is none");
		return -1;
	}
	if (t != NULL && lang_subset(c, json_object_get(n, "text_official"), t,
	    "text_official") != 0)
		return -1;
	if ((v = json_object_get(n, "refers_to")) != NULL) {
		json_t *x;
		if (!json_is_array(v) || json_array_size(v) > MAX_SOURCES) {
			rs_seterr("\"refers_to\" must be a list of document symbols");
			return -1;
		}
		json_array_foreach(v, i, x)
			if (!reg_symbol_ok(json_string_value(x))) {
				rs_seterr("\"refers_to\" entry %zu is not a document symbol", i);
				return -1;
			}
	}
	if (status != NULL && strcmp(status, "agreed") == 0) {
		const char *in = jstr(n, "agreed_in");
		struct reg_source s;
		int found = 0;
		if (json_object_get(n, "proposed_by") || json_object_get(n, "proposed_in")) {
			rs_seterr("an agreed norm has no \"proposed_by\" or \"proposed_in\"");
			return -1;
		}
		if (in == NULL || reg_source_parse(in, 0, &s) != 0) {
			rs_seterr("an agreed norm names the paragraph that agreed it in "
			    "\"agreed_in\" (\"SYMBOL para N\")");
			return -1;
		}
		json_array_foreach(json_object_get(n, "sources"), i, v)
			found |= strcmp(jstr(v, "source"), in) == 0;
		if (!found) {
			rs_seterr("\"agreed_in\" (%s) must be one of the norm's sources", in);
			return -1;
		}
		return 0;
	}
	if (status != NULL && strcmp(status, "proposed") == 0) {
		static const char *const pkeys[] = { "title", "date", "place", NULL };
		json_t *in = json_object_get(n, "proposed_in");
		if (json_object_get(n, "agreed_in") != NULL) {
			rs_seterr("a proposed norm is not \"agreed_in\" anything");
			return -1;
		}
		if (!valid_state(jstr(n, "proposed_by"))) {
			rs_seterr("a proposed norm names the State that proposed it in "
			    "\"proposed_by\" (a State code)");
			return -1;
		}
		if (!json_is_object(in) || only_keys(in, pkeys) != 0 ||
		    all_langs(c, json_object_get(in, "title"), "title") != 0 ||
		    !date_ok(jstr(in, "date")) || short_text(in, "place", 0) != 0) {
			if (!json_is_object(in) || !date_ok(jstr(in, "date")))
				rs_seterr("\"proposed_in\" must be {\"title\", \"date\": "
				    "\"YYYY-MM-DD\", \"place\"?}");
			err_prefix("\"proposed_in\"");
			return -1;
		}
		return 0;
	}
	rs_seterr("\"status\" must be \"agreed\" or \"proposed\" (a norm is agreed "
	    "in a consensus document, or proposed by a State)");
	return -1;
}

static int
check_term(const struct ctx *c, json_t *t)
{
	static const char *const keys[] = { "id", "forms", "official", "aliases",
	    "sources", "note", NULL };
	json_t *a = json_object_get(t, "aliases"), *v, *x;
	const char *k;
	size_t i;

	if (only_keys(t, keys) != 0)
		return -1;
	if (!reg_data_id_ok(jstr(t, "id"))) {
		rs_seterr("\"id\" must be 1 to %d of a-z, 0-9, '-', starting with a letter",
		    REG_DATA_ID_MAX);
		return -1;
	}
	if (all_langs(c, json_object_get(t, "forms"), "forms") != 0 ||
	    lang_subset(c, json_object_get(t, "official"), NULL, "official") != 0 ||
	    sources_ok(c, json_object_get(t, "sources"), 0) != 0 ||
	    (json_object_get(t, "note") != NULL &&
	    all_langs(c, json_object_get(t, "note"), "note") != 0))
		return -1;
	if (a == NULL)
		return 0;
	if (!json_is_object(a)) {
		rs_seterr("\"aliases\" must be an object of language: [texts]");
		return -1;
	}
	json_object_foreach(a, k, v) {
		if (!has_lang(c, k)) {
			rs_seterr("\"aliases\": \"%.20s\" is not one of the file's languages", k);
			return -1;
		}
		if (!json_is_array(v) || json_array_size(v) == 0 ||
		    json_array_size(v) > MAX_ALIASES) {
			rs_seterr("\"aliases\" in %s must list 1 to %d texts", k, MAX_ALIASES);
			return -1;
		}
		json_array_foreach(v, i, x)
			if (text_ok(x, "an alias", MAX_SHORT) != 0)
				return -1;
	}
	return 0;
}

static int
check_actions(const struct ctx *c, json_t *cl)
{
	static const char *const keys[] = { "norm", "actions", NULL };
	static const char *const akeys[] = { "n", "title", NULL };
	json_t *a = json_object_get(cl, "actions"), *v;
	int last = 0;
	size_t i;

	if (only_keys(cl, keys) != 0)
		return -1;
	if (!reg_data_id_ok(jstr(cl, "norm"))) {
		rs_seterr("\"norm\" must name a norm of the data");
		return -1;
	}
	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > MAX_ACTIONS) {
		rs_seterr("\"actions\" must list 1 to %d actions", MAX_ACTIONS);
		return -1;
	}
	json_array_foreach(a, i, v) {
		json_t *n = json_object_get(v, "n");
		if (!json_is_object(v) || only_keys(v, akeys) != 0) {
			if (!json_is_object(v))
				rs_seterr("not an object");
			err_prefix("actions[%zu]", i);
			return -1;
		}
		if (!json_is_integer(n) || json_integer_value(n) <= last ||
		    json_integer_value(n) > MAX_ACTIONS) {
			rs_seterr("actions[%zu]: \"n\" must be a number from 1 to %d, "
			    "increasing", i, MAX_ACTIONS);
			return -1;
		}
		last = (int)json_integer_value(n);
		if (all_langs(c, json_object_get(v, "title"), "title") != 0) {
			err_prefix("actions[%zu]", i);
			return -1;
		}
	}
	return 0;
}

/* "values": codes with six labels (and concepts, for a taxonomy). */
static int
check_values(const struct ctx *c, json_t *vals, int taxonomy)
{
	static const char *const tkeys[] = { "code", "label", "concepts", NULL };
	static const char *const akeys[] = { "code", "label", NULL };
	json_t *v, *seen = json_object(), *x;
	size_t i, k;
	int rc = -1;

	if (!json_is_array(vals) || json_array_size(vals) == 0 ||
	    json_array_size(vals) > MAX_ITEMS) {
		rs_seterr("\"values\" must list 1 to %d codes", MAX_ITEMS);
		goto out;
	}
	json_array_foreach(vals, i, v) {
		const char *code = jstr(v, "code");
		json_t *con = json_object_get(v, "concepts");
		if (!json_is_object(v) || only_keys(v, taxonomy ? tkeys : akeys) != 0) {
			if (!json_is_object(v))
				rs_seterr("not an object");
			goto bad;
		}
		if (!reg_data_id_ok(code)) {
			rs_seterr("\"code\" must be 1 to %d of a-z, 0-9, '-'", REG_DATA_ID_MAX);
			goto bad;
		}
		if (json_object_get(seen, code) != NULL) {
			rs_seterr("code \"%s\" appears twice", code);
			goto bad;
		}
		json_object_set_new(seen, code, json_true());
		if (all_langs(c, json_object_get(v, "label"), "label") != 0)
			goto bad;
		if (!taxonomy)
			continue;
		if (!json_is_array(con) || json_array_size(con) == 0 ||
		    json_array_size(con) > 8) {
			rs_seterr("\"concepts\" must list 1 to 8 crosswalk concepts");
			goto bad;
		}
		json_array_foreach(con, k, x)
			if (!reg_data_id_ok(json_string_value(x))) {
				rs_seterr("\"concepts\" entry %zu is not a concept code", k);
				goto bad;
			}
	}
	rc = 0;
	goto out;
bad:
	err_prefix("values[%zu]", i);
out:
	json_decref(seen);
	return rc;
}

/* Checks each element of o[key] with f, naming it on failure. */
static int
each(const struct ctx *c, json_t *o, const char *key, size_t max,
    int (*f)(const struct ctx *, json_t *))
{
	json_t *a = json_object_get(o, key), *v;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > max) {
		rs_seterr("\"%s\" must list 1 to %zu entries", key, max);
		return -1;
	}
	json_array_foreach(a, i, v) {
		const char *id = json_is_object(v) ? jstr(v, "id") : NULL;
		if (!json_is_object(v)) {
			rs_seterr("%s[%zu]: not an object", key, i);
			return -1;
		}
		if (f(c, v) != 0) {
			if (id != NULL)
				err_prefix("%s[%zu] \"%.32s\"", key, i, id);
			else
				err_prefix("%s[%zu]", key, i);
			return -1;
		}
	}
	return 0;
}

static const char *const kinds[] = { "norms", "terms", "checklists", "cii-taxonomy",
	"cii-crosswalk", "cb-areas", NULL };

static int
check_file(struct ctx *c, json_t *o, const char *want_id)
{
	static const char *const head[] = { "id", "version", "kind", "languages",
	    "title", "note", NULL };
	const char *kind = jstr(o, "kind"), *extra[4] = { NULL };
	json_t *langs = json_object_get(o, "languages"), *v, *x;
	const char *keys[12];
	size_t i, k, nk = 0;

	if (!json_is_object(o)) {
		rs_seterr("not a JSON object");
		return -1;
	}
	for (k = 0; kinds[k] != NULL; k++)
		if (kind != NULL && strcmp(kind, kinds[k]) == 0)
			break;
	if (kinds[k] == NULL) {
		rs_seterr("\"kind\" must be norms, terms, checklists, cii-taxonomy, "
		    "cii-crosswalk or cb-areas");
		return -1;
	}
	switch (k) {
	case 0: extra[0] = "norms"; break;
	case 1: extra[0] = "terms"; break;
	case 2: extra[0] = "checklists"; extra[1] = "model"; break;
	case 3: extra[0] = "values"; extra[1] = "source"; extra[2] = "official"; break;
	case 4: extra[0] = "concepts"; break;
	default: extra[0] = "values"; break;
	}
	for (i = 0; head[i] != NULL; i++)
		keys[nk++] = head[i];
	for (i = 0; extra[i] != NULL; i++)
		keys[nk++] = extra[i];
	keys[nk] = NULL;
	if (only_keys(o, keys) != 0)
		return -1;
	if (!reg_data_id_ok(jstr(o, "id")) || strcmp(jstr(o, "id"), want_id) != 0) {
		rs_seterr("\"id\" must be the file's name without .json (\"%s\")", want_id);
		return -1;
	}
	v = json_object_get(o, "version");
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		rs_seterr("\"version\" must be a whole number from 1");
		return -1;
	}
	if (!json_is_array(langs) || json_array_size(langs) == 0 ||
	    json_array_size(langs) > MAX_LANGS) {
		rs_seterr("\"languages\" must list the 1 to %d languages the file's texts "
		    "are in", MAX_LANGS);
		return -1;
	}
	c->nlangs = 0;
	json_array_foreach(langs, i, x) {
		const char *s = json_string_value(x);
		if (!procrec_valid_lang(s) || has_lang(c, s)) {
			rs_seterr("\"languages\" entry %zu is not a new language code", i);
			return -1;
		}
		snprintf(c->langs[c->nlangs++], PROC_LANG_MAX, "%s", s);
	}
	if (all_langs(c, json_object_get(o, "title"), "title") != 0 ||
	    (json_object_get(o, "note") != NULL &&
	    all_langs(c, json_object_get(o, "note"), "note") != 0))
		return -1;
	switch (k) {
	case 0:
		return each(c, o, "norms", MAX_ITEMS, check_norm);
	case 1:
		return each(c, o, "terms", MAX_ITEMS, check_term);
	case 2:
		if (!json_is_true(json_object_get(o, "model"))) {
			rs_seterr("a shipped checklist is a model (\"model\": true): a body's "
			    "checklist is agreed only by its decision");
			return -1;
		}
		return each(c, o, "checklists", MAX_ITEMS, check_actions);
	case 3:
		v = json_object_get(o, "source");
		if (!json_is_object(v) || only_keys(v, (const char *const []){ "document",
		    "symbol", NULL }) != 0 || short_text(v, "document", 1) != 0 ||
		    (json_object_get(v, "symbol") != NULL &&
		    !reg_symbol_ok(jstr(v, "symbol")))) {
			if (!json_is_object(v))
				rs_seterr("must be {\"document\", \"symbol\"?}");
			err_prefix("\"source\"");
			return -1;
		}
		if (lang_subset(c, json_object_get(o, "official"), NULL, "official") != 0)
			return -1;
		return check_values(c, json_object_get(o, "values"), 1);
	case 4:
		v = json_object_get(o, "concepts");
		if (!json_is_array(v) || json_array_size(v) == 0 ||
		    json_array_size(v) > REG_MAX_CONCEPTS) {
			rs_seterr("\"concepts\" must list 1 to %d concepts", REG_MAX_CONCEPTS);
			return -1;
		}
		json_array_foreach(v, i, x)
			if (!json_is_object(x) || only_keys(x, (const char *const []){ "code",
			    "about", NULL }) != 0 || !reg_data_id_ok(jstr(x, "code")) ||
			    short_text(x, "about", 1) != 0) {
				if (!json_is_object(x) || !reg_data_id_ok(jstr(x, "code")))
					rs_seterr("must be {\"code\", \"about\"}");
				err_prefix("concepts[%zu]", i);
				return -1;
			}
		return 0;
	default:
		return check_values(c, json_object_get(o, "values"), 0);
	}
}

/* ---- building the indexes --------------------------------------------------- */

static void
codes_of(struct reg_dtax *t, json_t *o)
{
	json_t *vals = json_object_get(o, "values"), *v;
	size_t i;

	t->id = jstr(o, "id");
	t->obj = o;
	t->ncodes = json_array_size(vals);
	t->codes = xcalloc(t->ncodes, sizeof(*t->codes));
	json_array_foreach(vals, i, v) {
		t->codes[i].code = jstr(v, "code");
		t->codes[i].label = json_object_get(v, "label");
	}
}

static long
concept_ix(const struct regdata *d, const char *code)
{
	for (size_t i = 0; i < d->nconcepts; i++)
		if (strcmp(d->concept[i], code) == 0)
			return (long)i;
	return -1;
}

static int
cmp_tax(const void *a, const void *b)
{
	return strcmp(((const struct reg_dtax *)a)->id, ((const struct reg_dtax *)b)->id);
}

/* Resolves the references between files; -1 with rs_err. */
static int
link_all(struct regdata *d, json_t *byname)
{
	json_t *o, *v, *x;
	const char *name;
	size_t i, k, count[6] = { 0 };
	const char *file[6] = { NULL };

	json_object_foreach(byname, name, o) {
		for (k = 0; kinds[k] != NULL; k++)
			if (strcmp(jstr(o, "kind"), kinds[k]) == 0)
				break;
		count[k]++;
		file[k] = name;
	}
	for (k = 0; kinds[k] != NULL; k++)
		if (k != 3 && count[k] != 1) {
			rs_seterr("the registries' data holds %zu files of kind %s; it must "
			    "hold exactly one", count[k], kinds[k]);
			return -1;
		}
	if (count[3] == 0) {
		rs_seterr("the registries' data holds no reference taxonomy (cii-taxonomy)");
		return -1;
	}
	/* concepts */
	json_array_foreach(json_object_get(json_object_get(byname, file[4]), "concepts"),
	    i, v) {
		if (concept_ix(d, jstr(v, "code")) >= 0) {
			rs_seterr("%s: concept \"%s\" appears twice", file[4], jstr(v, "code"));
			return -1;
		}
		snprintf(d->concept[d->nconcepts++], REG_DATA_ID_MAX + 1, "%s",
		    jstr(v, "code"));
	}
	/* norms: agreed first, then proposals, each in file order */
	o = json_object_get(byname, file[0]);
	d->norms = xcalloc(json_array_size(json_object_get(o, "norms")), sizeof(*d->norms));
	for (int pass = 0; pass < 2; pass++)
		json_array_foreach(json_object_get(o, "norms"), i, v) {
			int agreed = strcmp(jstr(v, "status"), "agreed") == 0;
			struct reg_dnorm *n;
			if (agreed != (pass == 0))
				continue;
			if (regdata_norm(d, jstr(v, "id")) >= 0) {
				rs_seterr("%s: norm \"%s\" appears twice", file[0], jstr(v, "id"));
				return -1;
			}
			n = &d->norms[d->nnorms++];
			n->id = jstr(v, "id");
			n->status = agreed ? REG_D_AGREED : REG_D_PROPOSED;
			n->proposed_by = jstr(v, "proposed_by");
			n->obj = v;
		}
	/* terms */
	o = json_object_get(byname, file[1]);
	d->terms = xcalloc(json_array_size(json_object_get(o, "terms")), sizeof(*d->terms));
	json_array_foreach(json_object_get(o, "terms"), i, v) {
		if (regdata_term(d, jstr(v, "id")) >= 0) {
			rs_seterr("%s: term \"%s\" appears twice", file[1], jstr(v, "id"));
			return -1;
		}
		d->terms[d->nterms].id = jstr(v, "id");
		d->terms[d->nterms++].obj = v;
	}
	/* the model checklist names norms of the data, each once */
	json_array_foreach(json_object_get(json_object_get(byname, file[2]), "checklists"),
	    i, v) {
		long ni = regdata_norm(d, jstr(v, "norm"));
		struct reg_dnorm *n;
		json_t *a = json_object_get(v, "actions");
		if (ni < 0) {
			rs_seterr("%s: checklists[%zu] names norm \"%s\", which is not in "
			    "the data", file[2], i, jstr(v, "norm"));
			return -1;
		}
		n = &d->norms[ni];
		if (n->actions != NULL) {
			rs_seterr("%s: norm \"%s\" has two checklists", file[2], n->id);
			return -1;
		}
		n->nactions = json_array_size(a);
		n->actions = xcalloc(n->nactions, sizeof(*n->actions));
		json_array_foreach(a, k, x) {
			n->actions[k].n = (int)json_integer_value(json_object_get(x, "n"));
			n->actions[k].title = json_object_get(x, "title");
		}
	}
	/* taxonomies, with their concepts resolved */
	d->taxes = xcalloc(count[3], sizeof(*d->taxes));
	json_object_foreach(byname, name, o) {
		struct reg_dtax *t;
		if (strcmp(jstr(o, "kind"), "cii-taxonomy") != 0)
			continue;
		t = &d->taxes[d->ntaxes++];
		codes_of(t, o);
		json_array_foreach(json_object_get(o, "values"), i, v)
			json_array_foreach(json_object_get(v, "concepts"), k, x) {
				long c = concept_ix(d, json_string_value(x));
				if (c < 0) {
					rs_seterr("%s: values[%zu] \"%s\": concept \"%s\" is not "
					    "in %s", name, i, t->codes[i].code,
					    json_string_value(x), file[4]);
					return -1;
				}
				t->codes[i].concepts |= 1ULL << c;
			}
	}
	qsort(d->taxes, d->ntaxes, sizeof(*d->taxes), cmp_tax);
	codes_of(&d->areas, json_object_get(byname, file[5]));
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
digest_of(struct regdata *d)
{
	crypto_hash_sha256_state st;
	const char *name;
	json_t *o;
	char **names = xcalloc(json_object_size(d->files) + 1, sizeof(char *));
	size_t n = 0;

	json_object_foreach(d->files, name, o)
		names[n++] = (char *)name;
	qsort(names, n, sizeof(char *), cmp_str);
	crypto_hash_sha256_init(&st);
	for (size_t i = 0; i < n; i++) {
		char *s = json_dumps(json_object_get(d->files, names[i]),
		    JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
		crypto_hash_sha256_update(&st, (const uint8_t *)names[i], strlen(names[i]));
		crypto_hash_sha256_update(&st, (const uint8_t *)"\n", 1);
		crypto_hash_sha256_update(&st, (const uint8_t *)s, strlen(s));
		crypto_hash_sha256_update(&st, (const uint8_t *)"\n", 1);
		free(s);
	}
	crypto_hash_sha256_final(&st, d->digest);
	free(names);
}

int
regdata_load_dir(struct regdata **out, const char *dir)
{
	struct regdata *d = xcalloc(1, sizeof(*d));
	DIR *dh = opendir(dir);
	struct dirent *e;
	char path[4096];
	size_t nfiles = 0;

	*out = NULL;
	d->files = json_object();
	if (dh == NULL) {
		rs_seterr("cannot read the registries' data in %s: %s", dir, strerror(errno));
		goto fail;
	}
	while ((e = readdir(dh)) != NULL) {
		size_t len = strlen(e->d_name);
		struct buf b = {0};
		struct ctx c = { 0 };
		char id[64];
		json_t *o;

		if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		if (++nfiles > 64 || len - 5 >= sizeof(id)) {
			rs_seterr("%s: too many files, or a name too long", dir);
			closedir(dh);
			goto fail;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(id, sizeof(id), "%.*s", (int)(len - 5), e->d_name);
		c.file = e->d_name;
		if (read_file(path, &b, REG_DATA_FILE_MAX) != 0) {
			closedir(dh);
			goto fail;
		}
		o = jparse(b.p, b.len);
		buf_free(&b);
		if (o == NULL || check_file(&c, o, id) != 0) {
			err_prefix("%s", path);
			json_decref(o);
			closedir(dh);
			goto fail;
		}
		json_object_set_new(d->files, e->d_name, o);
	}
	closedir(dh);
	if (link_all(d, d->files) != 0) {
		err_prefix("%s", dir);
		goto fail;
	}
	digest_of(d);
	*out = d;
	return 0;
fail:
	regdata_free(d);
	return -1;
}

int
regdata_load_shipped(struct regdata **out)
{
	char dir[4096];

	*out = NULL;
	if (share_path(dir, sizeof(dir), "registries") != 0)
		return -1;
	return regdata_load_dir(out, dir);
}

static pthread_mutex_t shipped_mu = PTHREAD_MUTEX_INITIALIZER;
static struct regdata *shipped;
static int shipped_tried;
static char shipped_err[RS_ERRLEN];

int
regdata_shipped(const struct regdata **out)
{
	int rc = 0;

	pthread_mutex_lock(&shipped_mu);
	if (!shipped_tried) {
		shipped_tried = 1;
		if (regdata_load_shipped(&shipped) != 0)
			snprintf(shipped_err, sizeof(shipped_err),
			    "the shipped registry data: %s", rs_err());
	}
	if (shipped == NULL) {
		rs_seterr("%s", shipped_err);
		rc = -1;
	}
	*out = shipped;
	pthread_mutex_unlock(&shipped_mu);
	return rc;
}

void
regdata_free(struct regdata *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->nnorms; i++)
		free(d->norms[i].actions);
	for (size_t i = 0; i < d->ntaxes; i++)
		free(d->taxes[i].codes);
	free(d->areas.codes);
	free(d->norms);
	free(d->terms);
	free(d->taxes);
	json_decref(d->files);
	free(d);
}

/* ---- lookups ---------------------------------------------------------------- */

long
regdata_norm(const struct regdata *d, const char *id)
{
	for (size_t i = 0; id != NULL && i < d->nnorms; i++)
		if (strcmp(d->norms[i].id, id) == 0)
			return (long)i;
	return -1;
}

long
regdata_term(const struct regdata *d, const char *id)
{
	for (size_t i = 0; id != NULL && i < d->nterms; i++)
		if (strcmp(d->terms[i].id, id) == 0)
			return (long)i;
	return -1;
}

const struct reg_dtax *
regdata_tax(const struct regdata *d, const char *id)
{
	for (size_t i = 0; id != NULL && i < d->ntaxes; i++)
		if (strcmp(d->taxes[i].id, id) == 0)
			return &d->taxes[i];
	return NULL;
}

const struct reg_dcode *
regdata_code(const struct reg_dtax *t, const char *code)
{
	for (size_t i = 0; t != NULL && code != NULL && i < t->ncodes; i++)
		if (strcmp(t->codes[i].code, code) == 0)
			return &t->codes[i];
	return NULL;
}

const struct reg_daction *
regdata_action(const struct reg_dnorm *n, int action)
{
	for (size_t i = 0; i < n->nactions; i++)
		if (n->actions[i].n == action)
			return &n->actions[i];
	return NULL;
}
