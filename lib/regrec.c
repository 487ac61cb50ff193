/*
 * regrec.c - reading registry records (see regrec.h; the shapes are in
 * docs/protocol.md section 11).
 *
 * Strict like procrec.c: a payload holds only the fields its kind defines,
 * every text is bounded and free of control characters, every list bounded
 * and without duplicates, and every error names the field.  One more rule
 * is written out rather than left to "unknown field": no payload of what a
 * body may agree carries "status", "agreed", "agreed_by" or "adopted",
 * because nothing is agreed by saying so;
 * a norm, a definition or a checklist is agreed only by a decision of a
 * body (a process proposal with "adopts" that was adopted).
 */
#include "regrec.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "seal.h"

const struct reg_kind_info reg_kinds[] = {
	{ "norm",         REG_K_NORM,         KIND_NORM,         0 },
	{ "norm-version", REG_K_NORM_VERSION, KIND_NORM_VERSION, 0 },
	{ "cosponsor",    REG_K_COSPONSOR,    KIND_COSPONSOR,    0 },
	{ "checklist",    REG_K_CHECKLIST,    KIND_CHECKLIST,    0 },
	{ "report",       REG_K_REPORT,       KIND_REPORT,       1 },
	{ "cii",          REG_K_CII,          KIND_CII,          1 },
	{ "term",         REG_K_TERM,         KIND_TERM,         0 },
	{ "definition",   REG_K_DEFINITION,   KIND_DEFINITION,   0 },
	{ "translation",  REG_K_TRANSLATION,  KIND_TRANSLATION,  0 },
	{ "cb-request",   REG_K_CB_REQUEST,   KIND_CB_REQUEST,   1 },
	{ "cb-offer",     REG_K_CB_OFFER,     KIND_CB_OFFER,     1 },
	{ "cb-step",      REG_K_CB_STEP,      KIND_CB_STEP,      0 },
	{ NULL,           REG_K_NONE,         KIND_UNKNOWN,      0 },
};

const char *const reg_status_names[REG_NSTATUS] = {
	"implemented", "in-progress", "planned", "not-applicable"
};

const struct reg_kind_info *
regrec_kind(const char *name)
{
	for (const struct reg_kind_info *k = reg_kinds; name != NULL && k->name; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

int
regrec_status(const char *s)
{
	for (int i = 0; s != NULL && i < REG_NSTATUS; i++)
		if (strcmp(s, reg_status_names[i]) == 0)
			return i;
	return -1;
}

static int
is_hex64(const char *s)
{
	uint8_t b[32];

	return s != NULL && strlen(s) == 64 && hex_decode_exact(b, 32, s) == 0 &&
	    strspn(s, "0123456789abcdef") == 64;
}

int
regrec_item_id_ok(const char *s)
{
	return reg_data_id_ok(s) || is_hex64(s);
}

/* ---- small validators ------------------------------------------------------ */

static void
err_prefix(const char *what)
{
	char was[RS_ERRLEN];

	snprintf(was, sizeof(was), "%s", rs_err());
	rs_seterr("%s: %s", what, was);
}

/* Puts "list[i]: " before the error; formatted only when there is one, as
 * a report has a thousand entries to go through. */
static void
err_at(const char *list, size_t i)
{
	char was[RS_ERRLEN];

	snprintf(was, sizeof(was), "%s", rs_err());
	rs_seterr("%s[%zu]: %s", list, i, was);
}

/* The payload of something a body may agree (a norm, a version, a
 * checklist, a term, a definition, a translation) says nothing of
 * agreement. */
static int
no_agreement(json_t *o, const char *what)
{
	static const char *const claims[] = { "status", "agreed", "agreed_by",
	    "adopted", NULL };

	for (size_t i = 0; claims[i] != NULL; i++)
		if (json_object_get(o, claims[i]) != NULL) {
			rs_seterr("%s has \"%s\": no record declares agreement; a norm, "
			    "definition or checklist is agreed only by a decision of a "
			    "body (a proposal with \"adopts\" that was adopted)", what,
			    claims[i]);
			return -1;
		}
	return 0;
}

static int
only_fields(json_t *o, const char *what, const char *const *allowed)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		size_t i;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(k, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			rs_seterr("%s has an unknown field \"%.40s\"", what, k);
			return -1;
		}
	}
	return 0;
}

/* A text shown to people, 1 to max bytes: no control character but
 * newline and tab, no bidirectional override. */
static int
text_ok(json_t *v, const char *what, size_t max)
{
	const unsigned char *p;

	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > max) {
		rs_seterr("\"%s\" must be a text of 1 to %zu bytes", what, max);
		return -1;
	}
	p = (const unsigned char *)json_string_value(v);
	for (size_t i = 0; i < json_string_length(v); i++, p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
			rs_seterr("\"%s\" holds a control character", what);
			return -1;
		}
		if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) {
			rs_seterr("\"%s\" holds a bidirectional override", what);
			return -1;
		}
	}
	return 0;
}

static int
opt_text(json_t *o, const char *key, size_t max)
{
	json_t *v = json_object_get(o, key);

	return v == NULL ? 0 : text_ok(v, key, max);
}

static int
lang_ok(json_t *o, const char *key, const char *what)
{
	if (!procrec_valid_lang(jstr(o, key))) {
		rs_seterr("%s \"%s\" must be a language code (\"en\", \"zh\", \"es-419\")",
		    what, key);
		return -1;
	}
	return 0;
}

/* {lang: text}: 1 to 32 languages, each text 1 to max bytes; holding the
 * original's language when lang is given. */
static int
texts_ok(json_t *o, const char *what, size_t max, const char *lang)
{
	const char *k;
	json_t *v;
	char w[64];

	if (!json_is_object(o) || json_object_size(o) == 0 || json_object_size(o) > 32) {
		rs_seterr("\"%s\" must be an object of 1 to 32 language: text", what);
		return -1;
	}
	json_object_foreach(o, k, v) {
		if (!procrec_valid_lang(k)) {
			rs_seterr("\"%s\": \"%.20s\" is not a language code", what, k);
			return -1;
		}
		snprintf(w, sizeof(w), "%s in %s", what, k);
		if (text_ok(v, w, max) != 0)
			return -1;
	}
	if (lang != NULL && json_object_get(o, lang) == NULL) {
		rs_seterr("\"%s\" has no %s, the language it names as the original", what,
		    lang);
		return -1;
	}
	return 0;
}

/* "sources": min to 32 of "SYMBOL para N" / "SYMBOL PP N", distinct. */
static int
sources_ok(json_t *a, size_t min)
{
	struct reg_source s;
	json_t *v, *w;
	size_t i, j;

	if (a == NULL && min == 0)
		return 0;
	if (!json_is_array(a) || json_array_size(a) < min ||
	    json_array_size(a) > REG_MAX_SOURCES) {
		rs_seterr("\"sources\" must list %zu to %d sources (\"SYMBOL para N\")", min,
		    REG_MAX_SOURCES);
		return -1;
	}
	json_array_foreach(a, i, v) {
		if (reg_source_parse(json_string_value(v), 0, &s) != 0) {
			char was[RS_ERRLEN];
			snprintf(was, sizeof(was), "\"sources\" entry %zu: %s", i, rs_err());
			rs_seterr("%s", was);
			return -1;
		}
		json_array_foreach(a, j, w)
			if (j < i && json_equal(v, w)) {
				rs_seterr("\"sources\" lists %s twice", json_string_value(v));
				return -1;
			}
	}
	return 0;
}

static int
langs_list_ok(json_t *a, const char *what, size_t min, size_t max)
{
	json_t *v, *w;
	size_t i, j;

	if (a == NULL && min == 0)
		return 0;
	if (!json_is_array(a) || json_array_size(a) < min || json_array_size(a) > max) {
		rs_seterr("\"%s\" must list %zu to %zu language codes", what, min, max);
		return -1;
	}
	json_array_foreach(a, i, v) {
		if (!procrec_valid_lang(json_string_value(v))) {
			rs_seterr("\"%s\" entry %zu is not a language code", what, i);
			return -1;
		}
		json_array_foreach(a, j, w)
			if (j < i && json_equal(v, w)) {
				rs_seterr("\"%s\" lists %s twice", what, json_string_value(v));
				return -1;
			}
	}
	return 0;
}

static int
codes_list_ok(json_t *a, const char *what, size_t min, size_t max)
{
	json_t *v, *w;
	size_t i, j;

	if (a == NULL && min == 0)
		return 0;
	if (!json_is_array(a) || json_array_size(a) < min || json_array_size(a) > max) {
		rs_seterr("\"%s\" must list %zu to %zu codes", what, min, max);
		return -1;
	}
	json_array_foreach(a, i, v) {
		if (!reg_data_id_ok(json_string_value(v))) {
			rs_seterr("\"%s\" entry %zu is not a code", what, i);
			return -1;
		}
		json_array_foreach(a, j, w)
			if (j < i && json_equal(v, w)) {
				rs_seterr("\"%s\" lists %s twice", what, json_string_value(v));
				return -1;
			}
	}
	return 0;
}

/* ---- payloads by kind ------------------------------------------------------- */

static enum reg_result
content_norm(json_t *p, int version)
{
	static const char *const nf[] = { "lang", "title", "text", "sources", NULL };
	static const char *const vf[] = { "lang", "title", "text", "sources", "note", NULL };
	const char *lang;

	if (no_agreement(p, version ? "norm-version payload" : "norm payload") != 0 ||
	    only_fields(p, version ? "norm-version payload" : "norm payload",
	    version ? vf : nf) != 0)
		return REG_MALFORMED;
	if (version) {
		if (json_object_get(p, "title") == NULL && json_object_get(p, "text") == NULL &&
		    json_object_get(p, "sources") == NULL) {
			rs_seterr("a norm-version changes \"title\", \"text\" or \"sources\"");
			return REG_MALFORMED;
		}
		if (json_object_get(p, "lang") != NULL && lang_ok(p, "lang", "norm-version") != 0)
			return REG_MALFORMED;
		lang = jstr(p, "lang");
		if ((json_object_get(p, "title") != NULL &&
		    texts_ok(json_object_get(p, "title"), "title", REG_TITLE_MAX, lang) != 0) ||
		    (json_object_get(p, "text") != NULL &&
		    texts_ok(json_object_get(p, "text"), "text", REG_TEXT_MAX, lang) != 0) ||
		    (json_object_get(p, "sources") != NULL &&
		    sources_ok(json_object_get(p, "sources"), 1) != 0) ||
		    opt_text(p, "note", REG_NOTE_MAX) != 0)
			return REG_MALFORMED;
		return REG_OK;
	}
	if (lang_ok(p, "lang", "norm") != 0)
		return REG_MALFORMED;
	lang = jstr(p, "lang");
	if (texts_ok(json_object_get(p, "title"), "title", REG_TITLE_MAX, lang) != 0 ||
	    texts_ok(json_object_get(p, "text"), "text", REG_TEXT_MAX, lang) != 0 ||
	    sources_ok(json_object_get(p, "sources"), 1) != 0)
		return REG_MALFORMED;
	return REG_OK;
}

static enum reg_result
content_checklist(json_t *p)
{
	static const char *const f[] = { "lang", "actions", "note", NULL };
	static const char *const af[] = { "n", "title", "text", NULL };
	json_t *a = json_object_get(p, "actions"), *v, *w;
	const char *lang;
	size_t i, j;

	if (no_agreement(p, "checklist payload") != 0 ||
	    only_fields(p, "checklist payload", f) != 0 ||
	    lang_ok(p, "lang", "checklist") != 0 || opt_text(p, "note", REG_NOTE_MAX) != 0)
		return REG_MALFORMED;
	lang = jstr(p, "lang");
	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > REG_MAX_ACTIONS) {
		rs_seterr("\"actions\" must list 1 to %d actions", REG_MAX_ACTIONS);
		return REG_MALFORMED;
	}
	json_array_foreach(a, i, v) {
		json_t *n = json_object_get(v, "n");
		char w2[32];
		snprintf(w2, sizeof(w2), "actions[%zu]", i);
		if (!json_is_object(v) || only_fields(v, w2, af) != 0) {
			if (!json_is_object(v))
				rs_seterr("actions[%zu] is not an object", i);
			return REG_MALFORMED;
		}
		if (!json_is_integer(n) || json_integer_value(n) < 1 ||
		    json_integer_value(n) > REG_MAX_ACTIONS) {
			rs_seterr("actions[%zu]: \"n\" must be a number from 1 to %d", i,
			    REG_MAX_ACTIONS);
			return REG_MALFORMED;
		}
		json_array_foreach(a, j, w)
			if (j < i && json_equal(json_object_get(w, "n"), n)) {
				rs_seterr("actions[%zu]: action %lld is listed twice", i,
				    (long long)json_integer_value(n));
				return REG_MALFORMED;
			}
		if (texts_ok(json_object_get(v, "title"), "title", REG_TITLE_MAX, lang) != 0 ||
		    (json_object_get(v, "text") != NULL &&
		    texts_ok(json_object_get(v, "text"), "text", REG_TEXT_MAX, NULL) != 0)) {
			err_prefix(w2);
			return REG_MALFORMED;
		}
	}
	return REG_OK;
}

static enum reg_result
content_report(json_t *p)
{
	static const char *const f[] = { "lang", "entries", "note", NULL };
	static const char *const ef[] = { "norm", "action", "status", "note", NULL };
	json_t *a = json_object_get(p, "entries"), *v, *seen;
	size_t i;

	if (only_fields(p, "report payload", f) != 0 || lang_ok(p, "lang", "report") != 0 ||
	    opt_text(p, "note", REG_LONG_MAX) != 0)
		return REG_MALFORMED;
	if (!json_is_array(a) || json_array_size(a) > REG_MAX_ENTRIES) {
		rs_seterr("\"entries\" must list 0 to %d entries", REG_MAX_ENTRIES);
		return REG_MALFORMED;
	}
	seen = json_object();
	json_array_foreach(a, i, v) {
		json_t *act = json_object_get(v, "action");
		const char *norm;
		char key[REG_ID_MAX + 8];
		size_t nl;
		int64_t an;

		if (!json_is_object(v) || only_fields(v, "the entry", ef) != 0) {
			if (!json_is_object(v))
				rs_seterr("not an object");
			err_at("entries", i);
			goto bad;
		}
		norm = jstr(v, "norm");
		if (!regrec_item_id_ok(norm)) {
			rs_seterr("entries[%zu]: \"norm\" must be a norm id", i);
			goto bad;
		}
		if (act != NULL && (!json_is_integer(act) || json_integer_value(act) < 1 ||
		    json_integer_value(act) > REG_MAX_ACTIONS)) {
			rs_seterr("entries[%zu]: \"action\" must be an action number from 1 "
			    "to %d (or absent, for the norm as a whole)", i, REG_MAX_ACTIONS);
			goto bad;
		}
		if (regrec_status(jstr(v, "status")) < 0) {
			rs_seterr("entries[%zu]: \"status\" must be implemented, in-progress, "
			    "planned or not-applicable", i);
			goto bad;
		}
		if (opt_text(v, "note", REG_NOTE_MAX) != 0) {
			err_at("entries", i);
			goto bad;
		}
		/* each (norm, action) once: "norm#NN" in a set */
		nl = strlen(norm);
		an = act ? json_integer_value(act) : 0;
		memcpy(key, norm, nl);
		key[nl] = '#';
		key[nl + 1] = (char)('0' + an / 10);
		key[nl + 2] = (char)('0' + an % 10);
		key[nl + 3] = '\0';
		if (json_object_get(seen, key) != NULL) {
			rs_seterr("entries[%zu]: norm %s%s is reported twice", i, norm,
			    act ? ", that action," : "");
			goto bad;
		}
		json_object_set_new(seen, key, json_true());
	}
	json_decref(seen);
	return REG_OK;
bad:
	json_decref(seen);
	return REG_MALFORMED;
}

static enum reg_result
tax_code_ok(json_t *v, const char *what)
{
	static const char *const f[] = { "taxonomy", "code", NULL };

	if (!json_is_object(v) || only_fields(v, what, f) != 0) {
		if (!json_is_object(v))
			rs_seterr("%s must be {\"taxonomy\", \"code\"}", what);
		return REG_MALFORMED;
	}
	if (!reg_data_id_ok(jstr(v, "taxonomy")) || !reg_data_id_ok(jstr(v, "code"))) {
		rs_seterr("%s: \"taxonomy\" and \"code\" must be codes of the data", what);
		return REG_MALFORMED;
	}
	return REG_OK;
}

static enum reg_result
content_cii(json_t *p)
{
	static const char *const f[] = { "lang", "spheres", "description", NULL };
	static const char *const own[] = { "text", "maps", NULL };
	json_t *a = json_object_get(p, "spheres"), *v, *w, *m;
	size_t i, j;

	if (only_fields(p, "cii payload", f) != 0 || lang_ok(p, "lang", "cii") != 0 ||
	    opt_text(p, "description", REG_LONG_MAX) != 0)
		return REG_MALFORMED;
	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > REG_MAX_SPHERES) {
		rs_seterr("\"spheres\" must list 1 to %d spheres", REG_MAX_SPHERES);
		return REG_MALFORMED;
	}
	json_array_foreach(a, i, v) {
		if (json_object_get(v, "text") == NULL) {
			if (tax_code_ok(v, "the sphere") != REG_OK) {
				err_at("spheres", i);
				return REG_MALFORMED;
			}
			json_array_foreach(a, j, w)
				if (j < i && json_equal(v, w)) {
					rs_seterr("spheres[%zu]: %s %s is listed twice", i,
					    jstr(v, "taxonomy"), jstr(v, "code"));
					return REG_MALFORMED;
				}
			continue;
		}
		if (only_fields(v, "the sphere", own) != 0 || text_ok(json_object_get(v,
		    "text"), "text", REG_TITLE_MAX) != 0) {
			err_at("spheres", i);
			return REG_MALFORMED;
		}
		if ((m = json_object_get(v, "maps")) == NULL)
			continue;
		if (!json_is_array(m) || json_array_size(m) == 0 ||
		    json_array_size(m) > REG_MAX_MAPS) {
			rs_seterr("spheres[%zu]: \"maps\" must list 1 to %d taxonomy codes", i,
			    REG_MAX_MAPS);
			return REG_MALFORMED;
		}
		json_array_foreach(m, j, w)
			if (tax_code_ok(w, "the map") != REG_OK) {
				char was[RS_ERRLEN];
				snprintf(was, sizeof(was), "%s", rs_err());
				rs_seterr("spheres[%zu] maps[%zu]: %s", i, j, was);
				return REG_MALFORMED;
			}
	}
	return REG_OK;
}

static enum reg_result
content_term(json_t *p)
{
	static const char *const f[] = { "lang", "forms", "sources", NULL };

	if (no_agreement(p, "term payload") != 0 || only_fields(p, "term payload", f) != 0 || lang_ok(p, "lang", "term") != 0 ||
	    texts_ok(json_object_get(p, "forms"), "forms", REG_TITLE_MAX, jstr(p, "lang")) != 0 ||
	    sources_ok(json_object_get(p, "sources"), 1) != 0)
		return REG_MALFORMED;
	return REG_OK;
}

static enum reg_result
content_definition(json_t *p)
{
	static const char *const f[] = { "lang", "text", "sources", NULL };

	if (no_agreement(p, "definition payload") != 0 ||
	    only_fields(p, "definition payload", f) != 0 ||
	    lang_ok(p, "lang", "definition") != 0 ||
	    texts_ok(json_object_get(p, "text"), "text", REG_TEXT_MAX, jstr(p, "lang")) != 0 ||
	    sources_ok(json_object_get(p, "sources"), 0) != 0)
		return REG_MALFORMED;
	return REG_OK;
}

static enum reg_result
content_translation(json_t *p, enum reg_kind target)
{
	static const char *const f[] = { "title", "text", NULL };

	if (no_agreement(p, "translation payload") != 0 ||
	    only_fields(p, "translation payload", f) != 0 ||
	    opt_text(p, "title", REG_TITLE_MAX) != 0 || opt_text(p, "text", REG_TEXT_MAX) != 0)
		return REG_MALFORMED;
	if (json_object_size(p) == 0) {
		rs_seterr("a translation carries a \"text\" (and a \"title\" for a norm)");
		return REG_MALFORMED;
	}
	if ((target == REG_K_TERM || target == REG_K_DEFINITION) &&
	    (json_object_get(p, "title") != NULL || json_object_get(p, "text") == NULL)) {
		rs_seterr("a translation of a %s carries only its \"text\"",
		    target == REG_K_TERM ? "term's form" : "definition");
		return REG_MALFORMED;
	}
	if (target == REG_K_NORM && json_object_get(p, "title") == NULL) {
		rs_seterr("a translation of a norm carries its \"title\" (and its \"text\")");
		return REG_MALFORMED;
	}
	return REG_OK;
}

static enum reg_result
content_request(json_t *p)
{
	static const char *const f[] = { "area", "title", "lang", "needs", "languages", NULL };

	if (only_fields(p, "cb-request payload", f) != 0)
		return REG_MALFORMED;
	if (!reg_data_id_ok(jstr(p, "area"))) {
		rs_seterr("cb-request \"area\" must be a capacity-building area code");
		return REG_MALFORMED;
	}
	if (text_ok(json_object_get(p, "title"), "title", REG_TITLE_MAX) != 0 ||
	    lang_ok(p, "lang", "cb-request") != 0 ||
	    text_ok(json_object_get(p, "needs"), "needs", REG_LONG_MAX) != 0 ||
	    langs_list_ok(json_object_get(p, "languages"), "languages", 1,
	    REG_MAX_CB_LANGS) != 0)
		return REG_MALFORMED;
	return REG_OK;
}

static enum reg_result
content_offer(json_t *p)
{
	static const char *const f[] = { "title", "lang", "text", "languages", "areas", NULL };

	if (only_fields(p, "cb-offer payload", f) != 0 ||
	    text_ok(json_object_get(p, "title"), "title", REG_TITLE_MAX) != 0 ||
	    lang_ok(p, "lang", "cb-offer") != 0 ||
	    text_ok(json_object_get(p, "text"), "text", REG_LONG_MAX) != 0 ||
	    langs_list_ok(json_object_get(p, "languages"), "languages", 1,
	    REG_MAX_CB_LANGS) != 0 ||
	    codes_list_ok(json_object_get(p, "areas"), "areas", 0, REG_MAX_AREAS) != 0)
		return REG_MALFORMED;
	return REG_OK;
}

enum reg_result
regrec_content(enum reg_kind k, json_t *p, enum reg_kind target)
{
	if (!json_is_object(p)) {
		rs_seterr("the payload must be a JSON object");
		return REG_MALFORMED;
	}
	switch (k) {
	case REG_K_NORM:
		return content_norm(p, 0);
	case REG_K_NORM_VERSION:
		return content_norm(p, 1);
	case REG_K_CHECKLIST:
		return content_checklist(p);
	case REG_K_REPORT:
		return content_report(p);
	case REG_K_CII:
		return content_cii(p);
	case REG_K_TERM:
		return content_term(p);
	case REG_K_DEFINITION:
		return content_definition(p);
	case REG_K_TRANSLATION:
		return content_translation(p, target);
	case REG_K_CB_REQUEST:
		return content_request(p);
	case REG_K_CB_OFFER:
		return content_offer(p);
	case REG_K_COSPONSOR:
	case REG_K_CB_STEP:
		if (json_object_size(p) != 0) {
			rs_seterr("the payload must be {}");
			return REG_MALFORMED;
		}
		return REG_OK;
	case REG_K_PROPOSAL:
	case REG_K_NONE:
		break;
	}
	rs_seterr("not a registry payload");
	return REG_MALFORMED;
}

/* ---- header fields ---------------------------------------------------------- */

static int
hdr_id(const struct envelope *e, const char *field, int required, int *has,
    uint8_t out[32])
{
	json_t *v = env_field(e, field);

	*has = 0;
	if (v == NULL && !required)
		return 0;
	if (!is_hex64(json_string_value(v)) ||
	    hex_decode_exact(out, 32, json_string_value(v)) != 0) {
		rs_seterr("%s \"%s\" must be a record id (64 lower-case hex digits)",
		    e->kind, field);
		return -1;
	}
	*has = 1;
	return 0;
}

static int
hdr_item(const struct envelope *e, const char *field, struct reg_rec *r)
{
	const char *s = env_str(e, field);

	if (!regrec_item_id_ok(s)) {
		rs_seterr("%s \"%s\" must be a %s id (a code of the shipped data, or a "
		    "record id)", e->kind, field, field);
		return -1;
	}
	snprintf(r->item, sizeof(r->item), "%s", s);
	return 0;
}

static int
hdr_version(const struct envelope *e, int64_t min, struct reg_rec *r)
{
	json_t *v = env_field(e, "version");

	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > REG_MAX_VERSION) {
		rs_seterr("%s \"version\" must be a whole number from %lld", e->kind,
		    (long long)min);
		return -1;
	}
	r->version = json_integer_value(v);
	return 0;
}

static int
to_ok(json_t *v, struct reg_to *to)
{
	const char *s = json_string_value(v);
	json_t *x;
	size_t i;

	memset(to, 0, sizeof(*to));
	if (s != NULL && strcmp(s, "all") == 0) {
		to->kind = REG_TO_ALL;
		return 0;
	}
	if (s != NULL && strncmp(s, "group:", 6) == 0 && procrec_valid_name(s + 6)) {
		to->kind = REG_TO_GROUP;
		snprintf(to->group, sizeof(to->group), "%s", s + 6);
		return 0;
	}
	if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > PROC_MAX_STATES)
		goto bad;
	to->kind = REG_TO_LIST;
	json_array_foreach(v, i, x) {
		const char *c = json_string_value(x);
		if (!valid_state(c))
			goto bad;
		for (size_t j = 0; j < to->list.n; j++)
			if (strcmp(to->list.v[j], c) == 0) {
				rs_seterr("\"to\" lists %s twice", c);
				return -1;
			}
		memcpy(to->list.v[to->list.n++], c, 3);
	}
	return 0;
bad:
	rs_seterr("\"to\" must be \"all\", \"group:NAME\" or a list of 1 to %d State "
	    "codes", PROC_MAX_STATES);
	return -1;
}

static int
hdr_audience(const struct envelope *e, const struct reg_kind_info *k, struct reg_rec *r)
{
	const char *s = env_str(e, "audience");
	json_t *to = env_field(e, "to");

	if (!k->may_seal) {
		if (env_field(e, "audience") != NULL || to != NULL) {
			rs_seterr("a %s is public: it has no \"audience\" or \"to\"", e->kind);
			return -1;
		}
		r->audience = REG_PUBLIC;
		return 0;
	}
	if (s != NULL && strcmp(s, "public") == 0 && k->kind != REG_K_CII) {
		if (to != NULL) {
			rs_seterr("%s: a public record has no \"to\"", e->kind);
			return -1;
		}
		r->audience = REG_PUBLIC;
		return 0;
	}
	if (s != NULL && strcmp(s, "sealed") == 0) {
		r->audience = REG_SEALED;
		if (to_ok(to, &r->to) != 0) {
			err_prefix(e->kind);
			return -1;
		}
		return 0;
	}
	if (k->kind == REG_K_CII)
		rs_seterr("a cii list is always \"audience\": \"sealed\", with \"to\" "
		    "its audience (the States it is shared with)");
	else
		rs_seterr("%s \"audience\" must be \"public\" or \"sealed\"", e->kind);
	return -1;
}

static int
sealed_ok(const struct envelope *e)
{
	uint8_t (*devs)[32] = NULL;
	size_t n;

	if (seal_recipients(e->payload, e->payload_len, &devs, &n) != 0) {
		err_prefix(e->kind);
		return -1;
	}
	free(devs);
	if (n == 0) {
		rs_seterr("%s: a sealed payload has at least one recipient", e->kind);
		return -1;
	}
	return 0;
}

/* A process proposal's "adopts": {"item", "id", "version"}. */
static int
parse_adopts(const struct envelope *e, struct reg_rec *r)
{
	static const char *const f[] = { "item", "id", "version", NULL };
	json_t *a = env_field(e, "adopts"), *v;
	const char *item;

	if (a == NULL)
		return 0;
	if (!json_is_object(a) || only_fields(a, "\"adopts\"", f) != 0) {
		if (!json_is_object(a))
			rs_seterr("proposal \"adopts\" must be {\"item\", \"id\", \"version\"}");
		return -1;
	}
	item = jstr(a, "item");
	if (item != NULL && strcmp(item, "norm") == 0)
		r->adopts = REG_ITEM_NORM;
	else if (item != NULL && strcmp(item, "definition") == 0)
		r->adopts = REG_ITEM_DEFINITION;
	else if (item != NULL && strcmp(item, "checklist") == 0)
		r->adopts = REG_ITEM_CHECKLIST;
	else {
		rs_seterr("proposal \"adopts\".\"item\" must be norm, definition or checklist");
		return -1;
	}
	if (!regrec_item_id_ok(jstr(a, "id"))) {
		rs_seterr("proposal \"adopts\".\"id\" must be a norm, definition or checklist's "
		    "norm id");
		return -1;
	}
	snprintf(r->item, sizeof(r->item), "%s", jstr(a, "id"));
	v = json_object_get(a, "version");
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > REG_MAX_VERSION) {
		rs_seterr("proposal \"adopts\".\"version\" must be the version adopted (a "
		    "whole number; 0 for the shipped model checklist)");
		return -1;
	}
	r->version = json_integer_value(v);
	return 0;
}

static int
parse_header(const struct envelope *e, const struct reg_kind_info *k, struct reg_rec *r)
{
	const char *step;

	if (hdr_audience(e, k, r) != 0)
		return -1;
	switch (k->kind) {
	case REG_K_NORM_VERSION:
		return hdr_item(e, "norm", r) || hdr_version(e, 2, r) ? -1 : 0;
	case REG_K_COSPONSOR:
		return hdr_item(e, "norm", r);
	case REG_K_CHECKLIST:
		return hdr_item(e, "norm", r) || hdr_version(e, 1, r) ? -1 : 0;
	case REG_K_REPORT:
	case REG_K_CII:
		return hdr_version(e, 1, r);
	case REG_K_DEFINITION:
		return hdr_item(e, "term", r);
	case REG_K_TRANSLATION:
		if (hdr_id(e, "ref", 1, &r->has_ref, r->ref) != 0)
			return -1;
		if (!procrec_valid_lang(env_str(e, "lang"))) {
			rs_seterr("translation \"lang\" must be a language code");
			return -1;
		}
		snprintf(r->lang, sizeof(r->lang), "%s", env_str(e, "lang"));
		return 0;
	case REG_K_CB_OFFER:
		return hdr_id(e, "request", 0, &r->has_ref, r->ref);
	case REG_K_CB_STEP:
		step = env_str(e, "step");
		if (step != NULL && strcmp(step, "accept") == 0)
			r->step = REG_STEP_ACCEPT;
		else if (step != NULL && strcmp(step, "complete") == 0)
			r->step = REG_STEP_COMPLETE;
		else if (step != NULL && strcmp(step, "close") == 0)
			r->step = REG_STEP_CLOSE;
		else {
			rs_seterr("cb-step \"step\" must be accept, complete or close");
			return -1;
		}
		if (hdr_id(e, "request", 1, &r->has_ref, r->ref) != 0 ||
		    hdr_id(e, "offer", r->step != REG_STEP_CLOSE, &r->has_offer, r->offer) != 0)
			return -1;
		if (r->step == REG_STEP_CLOSE && r->has_offer) {
			rs_seterr("cb-step \"close\" closes a request: it names no \"offer\"");
			return -1;
		}
		return 0;
	default:
		return 0;
	}
}

enum reg_result
regrec_parse(const struct envelope *e, struct reg_rec *r)
{
	const struct reg_kind_info *k;
	const struct kind_info *ki;

	memset(r, 0, sizeof(*r));
	if (e->kind != NULL && strcmp(e->kind, "proposal") == 0) {
		r->kind = REG_K_PROPOSAL;
		if (parse_adopts(e, r) != 0) {
			regrec_free(r);
			return REG_MALFORMED;
		}
		return REG_OK;
	}
	if ((k = regrec_kind(e->kind)) == NULL || (ki = kind_info(k->id)) == NULL) {
		rs_seterr("\"%s\" is not a registry record", e->kind ? e->kind : "");
		return REG_MALFORMED;
	}
	assert(kind_has(k->id, KIND_PUBLIC | KIND_REGISTRY));
	if (e->payload_len > ki->max_payload) {
		rs_seterr("%s payload is %zu bytes; at most %zu", k->name, e->payload_len,
		    ki->max_payload);
		return REG_MALFORMED;
	}
	r->kind = k->kind;
	if (parse_header(e, k, r) != 0)
		goto bad;
	if (r->audience == REG_SEALED) {
		if (sealed_ok(e) != 0)
			goto bad;
		return REG_OK;
	}
	if ((r->payload = env_payload_json(e)) == NULL) {
		err_prefix(e->kind);
		goto bad;
	}
	if (regrec_content(k->kind, r->payload, REG_K_NONE) != REG_OK) {
		err_prefix(e->kind);
		goto bad;
	}
	return REG_OK;
bad:
	regrec_free(r);
	return REG_MALFORMED;
}

void
regrec_free(struct reg_rec *r)
{
	json_decref(r->payload);
	memset(r, 0, sizeof(*r));
}
