/*
 * stix.c - the STIX 2.1 bundle validator (see stix.h; the rules are listed
 * in docs/taxii.md, "What the validator checks").
 *
 * Two passes over the objects: the first collects every well-formed id, so
 * that the second can check that each reference (every property named
 * *_ref or *_refs, at any depth) resolves to an object of the bundle or to
 * one of the fixed TLP markings.  Then each object is checked by its kind:
 *
 *   SDOs and SROs   identity, incident, indicator, observed-data, note,
 *                   report, relationship, vulnerability: the common
 *                   properties (spec_version 2.1, created and modified to
 *                   the millisecond, modified not before created, markings,
 *                   external references, extensions) and their own;
 *   SCOs            ipv4-addr, ipv6-addr, domain-name, url, email-addr,
 *                   file: the SCO common properties and the value, checked
 *                   by the rule roster's indicators field uses;
 *   meta objects    marking-definition (the official TLP objects must be
 *                   exactly as published; any other is a statement) and
 *                   extension-definition;
 *   other types     (STIX-defined ones roster does not map, custom ones):
 *                   the common properties of an SDO when the object has
 *                   "created", of an SCO otherwise, and nothing more.  They
 *                   are kept: the validator says a bundle is valid STIX,
 *                   the mapping (stix_in.c) says whether a message can
 *                   carry it.
 *
 * Property names must be STIX property names ([a-z0-9_], 3 to 250, or
 * "id"); unknown ones are allowed (STIX permits custom properties), but an
 * unknown key in a bundle, in a TLP marking or in roster's own extension is
 * refused.  Limits (bytes, objects, nesting) are checked before anything is
 * built from the input, the nesting on the raw bytes before jansson parses.
 *
 * Errors name the object by index and id and the property by its path:
 *   objects[2] (report--...): "object_refs[1]": "note--..." is not in the bundle
 */
#include "stix.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "catalogue.h"

struct vctx {
	json_t *ids;		/* id -> the first object with that id */
	json_t *seen;		/* "id modified" of the objects checked so far */
	size_t i;		/* objects[i] is being checked */
	const char *id;		/* its id when well formed, else NULL */
};

static int
bad(struct vctx *v, const char *prop, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
bad(struct vctx *v, const char *prop, const char *fmt, ...)
{
	char msg[RS_ERRLEN], who[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (v == NULL)
		snprintf(who, sizeof(who), "bundle");
	else if (v->id != NULL)
		snprintf(who, sizeof(who), "objects[%zu] (%.80s)", v->i, v->id);
	else
		snprintf(who, sizeof(who), "objects[%zu]", v->i);
	if (prop != NULL)
		rs_seterr("%s: \"%.120s\": %s", who, prop, msg);
	else
		rs_seterr("%s: %s", who, msg);
	return -1;
}

/* ---- JSON before parsing -------------------------------------------------- */

/* The nesting of len bytes of JSON text, without parsing: 0 when it stays
 * within max, else -1 with the offset where it goes deeper. */
static int
depth_ok(const char *p, size_t len, int max, size_t *at)
{
	int depth = 0, instr = 0;

	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		if (instr) {
			if (c == '\\')
				i++;
			else if (c == '"')
				instr = 0;
		} else if (c == '"')
			instr = 1;
		else if (c == '[' || c == '{') {
			if (++depth > max) {
				*at = i;
				return -1;
			}
		} else if (c == ']' || c == '}')
			depth--;
	}
	return 0;
}

/* ---- typed properties ---------------------------------------------------------- */

static int
prop_name_ok(const char *k)
{
	size_t n = strlen(k);

	if (strcmp(k, "id") == 0)
		return 1;
	if (n < 3 || n > 250)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return 0;
	return 1;
}

static int
get_str(struct vctx *v, json_t *o, const char *k, int req, const char **out)
{
	json_t *x = json_object_get(o, k);

	*out = NULL;
	if (x == NULL)
		return req ? bad(v, k, "required") : 0;
	if (!json_is_string(x))
		return bad(v, k, "must be a string");
	if (req && json_string_length(x) == 0)
		return bad(v, k, "must not be empty");
	*out = json_string_value(x);
	return 0;
}

static int
get_bool(struct vctx *v, json_t *o, const char *k)
{
	json_t *x = json_object_get(o, k);

	if (x != NULL && !json_is_boolean(x))
		return bad(v, k, "must be true or false");
	return 0;
}

static int
get_int(struct vctx *v, json_t *o, const char *k, int req, int64_t min, int64_t max)
{
	json_t *x = json_object_get(o, k);

	if (x == NULL)
		return req ? bad(v, k, "required") : 0;
	if (!json_is_integer(x))
		return bad(v, k, "must be an integer");
	if (json_integer_value(x) < min || json_integer_value(x) > max)
		return bad(v, k, "must be from %lld to %lld", (long long)min, (long long)max);
	return 0;
}

/* A timestamp property; *present says whether it was there. */
static int
get_ts(struct vctx *v, json_t *o, const char *k, int req, int min_digits,
    int64_t *us, int *present)
{
	const char *s;
	int digits;

	*present = 0;
	if (get_str(v, o, k, req, &s) != 0)
		return -1;
	if (s == NULL)
		return 0;
	if (stix_ts_parse(s, us, &digits) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		return bad(v, k, "%s", why);
	}
	if (digits < min_digits)
		return bad(v, k, "\"%.40s\" must be precise to the millisecond", s);
	*present = 1;
	return 0;
}

static int
str_list(struct vctx *v, json_t *o, const char *k, int req)
{
	json_t *x = json_object_get(o, k), *e;
	char p[300];
	size_t i;

	if (x == NULL)
		return req ? bad(v, k, "required") : 0;
	if (!json_is_array(x) || json_array_size(x) == 0)
		return bad(v, k, "must be a non-empty list");
	json_array_foreach(x, i, e)
		if (!json_is_string(e)) {
			snprintf(p, sizeof(p), "%s[%zu]", k, i);
			return bad(v, p, "must be a string");
		}
	return 0;
}

/* Whether id names an object of the bundle or a fixed TLP marking. */
static int
resolves(struct vctx *v, const char *id)
{
	return json_object_get(v->ids, id) != NULL || stix_tlp_of_marking(id) != NULL;
}

/* One identifier at property path p: well formed, of type (NULL: any) and,
 * when it must, resolving. */
static int
check_ref(struct vctx *v, const char *p, json_t *x, const char *type)
{
	const char *id = json_string_value(x);

	if (id == NULL || !stix_id_ok(id, NULL))
		return bad(v, p, "must be a STIX identifier (type--UUID)");
	if (type != NULL && !stix_id_ok(id, type))
		return bad(v, p, "\"%.80s\" must name a %s", id, type);
	if (!resolves(v, id))
		return bad(v, p, "\"%.80s\" is not in the bundle", id);
	return 0;
}

static int
ref_list(struct vctx *v, json_t *o, const char *k, int req, const char *type)
{
	json_t *x = json_object_get(o, k), *e;
	char p[300];
	size_t i;

	if (x == NULL)
		return req ? bad(v, k, "required") : 0;
	if (!json_is_array(x) || json_array_size(x) == 0)
		return bad(v, k, "must be a non-empty list of identifiers");
	json_array_foreach(x, i, e) {
		snprintf(p, sizeof(p), "%s[%zu]", k, i);
		if (check_ref(v, p, e, type) != 0)
			return -1;
	}
	return 0;
}

/* Every *_ref and *_refs property under x, at any depth (the type-specific
 * checks add what type each must name). */
static int
walk_refs(struct vctx *v, json_t *x, const char *path)
{
	char p[400];
	const char *k;
	json_t *e;
	size_t i, n;

	if (json_is_array(x)) {
		json_array_foreach(x, i, e) {
			snprintf(p, sizeof(p), "%s[%zu]", path, i);
			if (walk_refs(v, e, p) != 0)
				return -1;
		}
		return 0;
	}
	if (!json_is_object(x))
		return 0;
	json_object_foreach(x, k, e) {
		n = strlen(k);
		snprintf(p, sizeof(p), "%s%s%s", path, path[0] ? "." : "", k);
		if (n > 4 && strcmp(k + n - 4, "_ref") == 0) {
			if (check_ref(v, p, e, NULL) != 0)
				return -1;
		} else if (n > 5 && strcmp(k + n - 5, "_refs") == 0) {
			if (!json_is_array(e) || json_array_size(e) == 0)
				return bad(v, p, "must be a non-empty list of identifiers");
			json_t *r;
			json_array_foreach(e, i, r) {
				char q[440];
				snprintf(q, sizeof(q), "%.400s[%zu]", p, i);
				if (check_ref(v, q, r, NULL) != 0)
					return -1;
			}
		} else if (walk_refs(v, e, p) != 0)
			return -1;
	}
	return 0;
}

/* ---- common sub-objects ------------------------------------------------------ */

static int
hex_len(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

static int
check_hashes(struct vctx *v, const char *p, json_t *h)
{
	static const struct { const char *name; size_t hex; } known[] = {
		{ "MD5", 32 }, { "SHA-1", 40 }, { "SHA-256", 64 }, { "SHA-512", 128 },
		{ "SHA3-256", 64 }, { "SHA3-512", 128 }, { "SSDEEP", 0 }, { "TLSH", 0 },
	};
	const char *k;
	char q[400];
	json_t *e;

	if (!json_is_object(h) || json_object_size(h) == 0)
		return bad(v, p, "must be a non-empty dictionary of hashes");
	json_object_foreach(h, k, e) {
		size_t n = strlen(k), j;
		snprintf(q, sizeof(q), "%s.%s", p, k);
		if (!json_is_string(e) || json_string_length(e) == 0)
			return bad(v, q, "must be a non-empty string");
		for (j = 0; j < sizeof(known) / sizeof(known[0]); j++)
			if (strcmp(k, known[j].name) == 0)
				break;
		if (j < sizeof(known) / sizeof(known[0])) {
			if (known[j].hex > 0 && !hex_len(json_string_value(e), known[j].hex))
				return bad(v, q, "must be %zu hex digits", known[j].hex);
			continue;
		}
		if (n < 3 || n > 250)
			return bad(v, q, "not a hash algorithm name");
		for (size_t c = 0; c < n; c++)
			if (!((k[c] >= 'a' && k[c] <= 'z') || (k[c] >= 'A' && k[c] <= 'Z') ||
			    (k[c] >= '0' && k[c] <= '9') || k[c] == '_' || k[c] == '-'))
				return bad(v, q, "not a hash algorithm name");
	}
	return 0;
}

static int
check_external_references(struct vctx *v, json_t *o)
{
	json_t *x = json_object_get(o, "external_references"), *r;
	const char *src, *s;
	char p[300], q[320];
	size_t i;

	if (x == NULL)
		return 0;
	if (!json_is_array(x) || json_array_size(x) == 0)
		return bad(v, "external_references", "must be a non-empty list");
	json_array_foreach(x, i, r) {
		snprintf(p, sizeof(p), "external_references[%zu]", i);
		if (!json_is_object(r))
			return bad(v, p, "must be an object");
		snprintf(q, sizeof(q), "%s.source_name", p);
		src = json_string_value(json_object_get(r, "source_name"));
		if (src == NULL || src[0] == '\0')
			return bad(v, q, "required, a non-empty string");
		static const char *const strs[] = { "description", "url", "external_id" };
		int have = 0;
		for (size_t j = 0; j < 3; j++) {
			json_t *e = json_object_get(r, strs[j]);
			snprintf(q, sizeof(q), "%s.%s", p, strs[j]);
			if (e != NULL && !json_is_string(e))
				return bad(v, q, "must be a string");
			have |= e != NULL;
		}
		if (!have)
			return bad(v, p, "needs a description, url or external_id");
		s = json_string_value(json_object_get(r, "external_id"));
		snprintf(q, sizeof(q), "%s.external_id", p);
		if (strcmp(src, "cve") == 0) {
			char norm[64];
			if (s == NULL || !catalogue_indicator("cve", s, norm, sizeof(norm)) ||
			    strcmp(norm, s) != 0)
				return bad(v, q, "a cve reference needs an id CVE-YYYY-NNNN");
		}
		if (strcmp(src, "capec") == 0 && (s == NULL || strncmp(s, "CAPEC-", 6) != 0 ||
		    s[6] == '\0' || strspn(s + 6, "0123456789") != strlen(s + 6)))
			return bad(v, q, "a capec reference needs an id CAPEC-N");
		snprintf(q, sizeof(q), "%s.hashes", p);
		if (json_object_get(r, "hashes") != NULL &&
		    check_hashes(v, q, json_object_get(r, "hashes")) != 0)
			return -1;
	}
	return 0;
}

static int
check_markings(struct vctx *v, json_t *o)
{
	json_t *x = json_object_get(o, "granular_markings"), *g;
	char p[300];
	size_t i;

	if (ref_list(v, o, "object_marking_refs", 0, "marking-definition") != 0)
		return -1;
	if (x == NULL)
		return 0;
	if (!json_is_array(x) || json_array_size(x) == 0)
		return bad(v, "granular_markings", "must be a non-empty list");
	json_array_foreach(x, i, g) {
		json_t *m, *l;
		snprintf(p, sizeof(p), "granular_markings[%zu]", i);
		if (!json_is_object(g))
			return bad(v, p, "must be an object");
		m = json_object_get(g, "marking_ref");
		l = json_object_get(g, "lang");
		if ((m == NULL) == (l == NULL))
			return bad(v, p, "needs exactly one of marking_ref and lang");
		if (l != NULL && !json_is_string(l))
			return bad(v, p, "lang must be a string");
		if (m != NULL) {
			char q[320];
			snprintf(q, sizeof(q), "%s.marking_ref", p);
			if (check_ref(v, q, m, "marking-definition") != 0)
				return -1;
		}
		if (str_list(v, g, "selectors", 1) != 0)
			return -1;
	}
	return 0;
}

static int
check_kill_chain(struct vctx *v, json_t *o)
{
	json_t *x = json_object_get(o, "kill_chain_phases"), *k;
	char p[300];
	size_t i;

	if (x == NULL)
		return 0;
	if (!json_is_array(x) || json_array_size(x) == 0)
		return bad(v, "kill_chain_phases", "must be a non-empty list");
	json_array_foreach(x, i, k) {
		snprintf(p, sizeof(p), "kill_chain_phases[%zu]", i);
		if (!json_is_string(json_object_get(k, "kill_chain_name")) ||
		    !json_is_string(json_object_get(k, "phase_name")))
			return bad(v, p, "needs kill_chain_name and phase_name");
	}
	return 0;
}

static int
hex64_lower(const char *s)
{
	if (s == NULL || strlen(s) != 64)
		return 0;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* roster's own extension: exactly the properties docs/taxii.md lists. */
static int
check_roster_ext(struct vctx *v, const char *p, json_t *e)
{
	static const char *const keys[] = { "extension_type", "message_id", "log_index",
	    "signer_key", "signer_fingerprint", "state", "first_seen", NULL };
	const char *k;
	char q[400];
	json_t *x;
	int64_t us;

	json_object_foreach(e, k, x) {
		int known = 0;
		for (int i = 0; keys[i] != NULL; i++)
			known |= strcmp(k, keys[i]) == 0;
		snprintf(q, sizeof(q), "%.300s.%.64s", p, k);
		if (!known)
			return bad(v, q, "not a property of the roster extension");
	}
	snprintf(q, sizeof(q), "%s", p);
	if (!json_is_string(json_object_get(e, "extension_type")) ||
	    strcmp(json_string_value(json_object_get(e, "extension_type")),
	    "property-extension") != 0)
		return bad(v, q, "extension_type must be property-extension");
	if (!hex64_lower(json_string_value(json_object_get(e, "message_id"))))
		return bad(v, q, "message_id must be 64 lower-case hex digits");
	if (!hex64_lower(json_string_value(json_object_get(e, "signer_key"))))
		return bad(v, q, "signer_key must be 64 lower-case hex digits");
	x = json_object_get(e, "log_index");
	if (!json_is_integer(x) || json_integer_value(x) < 0)
		return bad(v, q, "log_index must be an integer from 0");
	if (!json_is_string(json_object_get(e, "signer_fingerprint")))
		return bad(v, q, "signer_fingerprint must be a string");
	if (!valid_state(json_string_value(json_object_get(e, "state")) ?
	    json_string_value(json_object_get(e, "state")) : ""))
		return bad(v, q, "state must be a two-letter State code");
	x = json_object_get(e, "first_seen");
	if (x != NULL && (!json_is_string(x) ||
	    stix_ts_parse(json_string_value(x), &us, NULL) != 0))
		return bad(v, q, "first_seen must be a timestamp");
	return 0;
}

static int
check_extensions(struct vctx *v, json_t *o)
{
	static const char *const types[] = { "new-sdo", "new-sco", "new-sro",
	    "property-extension", "toplevel-property-extension", NULL };
	json_t *x = json_object_get(o, "extensions"), *e;
	const char *k;
	char p[400];

	if (x == NULL)
		return 0;
	if (!json_is_object(x) || json_object_size(x) == 0)
		return bad(v, "extensions", "must be a non-empty dictionary");
	json_object_foreach(x, k, e) {
		size_t n = strlen(k);
		snprintf(p, sizeof(p), "extensions.%s", k);
		if (!json_is_object(e) || json_object_size(e) == 0)
			return bad(v, p, "must be a non-empty object");
		if (strncmp(k, "extension-definition--", 22) == 0) {
			const char *t = json_string_value(json_object_get(e, "extension_type"));
			int ok = 0;
			if (!stix_id_ok(k, "extension-definition"))
				return bad(v, p, "not an extension-definition identifier");
			for (int i = 0; t != NULL && types[i] != NULL; i++)
				ok |= strcmp(t, types[i]) == 0;
			if (!ok)
				return bad(v, p, "extension_type must be one of new-sdo, new-sco, "
				    "new-sro, property-extension, toplevel-property-extension");
			if (strcmp(k, STIX_ROSTER_EXTENSION) == 0 && check_roster_ext(v, p, e) != 0)
				return -1;
		} else if (n < 5 || strcmp(k + n - 4, "-ext") != 0 || !stix_type_ok(k))
			return bad(v, p, "not an extension-definition identifier or a "
			    "predefined extension name (NAME-ext)");
	}
	return 0;
}

/* ---- the common properties ------------------------------------------------------- */

static int
check_names(struct vctx *v, json_t *o)
{
	const char *k;
	json_t *x;

	json_object_foreach(o, k, x)
		if (!prop_name_ok(k))
			return bad(v, k, "not a STIX property name (a-z, 0-9 and _, 3 to 250)");
	return 0;
}

static int
check_lang(struct vctx *v, json_t *o)
{
	const char *l;
	size_t seg = 0;

	if (get_str(v, o, "lang", 0, &l) != 0)
		return -1;
	if (l == NULL)
		return 0;
	for (const char *c = l;; c++) {
		if (*c == '-' || *c == '\0') {
			if (seg == 0 || seg > 8)
				return bad(v, "lang", "\"%.40s\" is not a language tag", l);
			if (*c == '\0')
				break;
			seg = 0;
		} else if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9'))
			seg++;
		else
			return bad(v, "lang", "\"%.40s\" is not a language tag", l);
	}
	return 0;
}

static int
check_spec_version(struct vctx *v, json_t *o, int req)
{
	const char *s;

	if (get_str(v, o, "spec_version", req, &s) != 0)
		return -1;
	if (s != NULL && strcmp(s, "2.1") != 0)
		return bad(v, "spec_version", "\"%.16s\": only STIX 2.1 is accepted", s);
	return 0;
}

/* What every SDO and SRO has. */
static int
check_sdo_common(struct vctx *v, json_t *o)
{
	int64_t c, m;
	int hc, hm;

	if (check_spec_version(v, o, 1) != 0 ||
	    get_ts(v, o, "created", 1, 3, &c, &hc) != 0 ||
	    get_ts(v, o, "modified", 1, 3, &m, &hm) != 0)
		return -1;
	if (m < c)
		return bad(v, "modified", "is before created");
	if (json_object_get(o, "created_by_ref") != NULL &&
	    check_ref(v, "created_by_ref", json_object_get(o, "created_by_ref"),
	    "identity") != 0)
		return -1;
	if (get_bool(v, o, "revoked") != 0 || str_list(v, o, "labels", 0) != 0 ||
	    get_int(v, o, "confidence", 0, 0, 100) != 0 || check_lang(v, o) != 0 ||
	    check_external_references(v, o) != 0 || check_markings(v, o) != 0 ||
	    check_extensions(v, o) != 0)
		return -1;
	return 0;
}

/* What every SCO has. */
static int
check_sco_common(struct vctx *v, json_t *o)
{
	if (check_spec_version(v, o, 0) != 0 || get_bool(v, o, "defanged") != 0 ||
	    check_markings(v, o) != 0 || check_extensions(v, o) != 0)
		return -1;
	return 0;
}

/* ---- SDOs and SROs ------------------------------------------------------------ */

static int
check_identity(struct vctx *v, json_t *o)
{
	const char *s;

	return get_str(v, o, "name", 1, &s) != 0 || get_str(v, o, "description", 0, &s) != 0 ||
	    get_str(v, o, "identity_class", 0, &s) != 0 ||
	    get_str(v, o, "contact_information", 0, &s) != 0 ||
	    str_list(v, o, "roles", 0) != 0 || str_list(v, o, "sectors", 0) != 0 ? -1 : 0;
}

static int
check_incident(struct vctx *v, json_t *o)
{
	const char *s;

	return get_str(v, o, "name", 1, &s) != 0 || get_str(v, o, "description", 0, &s) != 0 ||
	    check_kill_chain(v, o) != 0 ? -1 : 0;
}

static int
check_vulnerability(struct vctx *v, json_t *o)
{
	const char *s;

	return get_str(v, o, "name", 1, &s) != 0 ||
	    get_str(v, o, "description", 0, &s) != 0 ? -1 : 0;
}

static int
check_indicator(struct vctx *v, json_t *o)
{
	const char *pattern, *type, *version, *s;
	int64_t from, until;
	int hf, hu;

	if (get_str(v, o, "pattern", 1, &pattern) != 0 ||
	    get_str(v, o, "pattern_type", 1, &type) != 0 ||
	    get_str(v, o, "pattern_version", 0, &version) != 0 ||
	    get_ts(v, o, "valid_from", 1, 0, &from, &hf) != 0 ||
	    get_ts(v, o, "valid_until", 0, 0, &until, &hu) != 0 ||
	    get_str(v, o, "name", 0, &s) != 0 || get_str(v, o, "description", 0, &s) != 0 ||
	    str_list(v, o, "indicator_types", 0) != 0 || check_kill_chain(v, o) != 0)
		return -1;
	if (hu && until <= from)
		return bad(v, "valid_until", "must be after valid_from");
	if (strcmp(type, "stix") == 0) {
		struct stix_pattern p;
		int rc = stix_pattern_parse(pattern, &p);
		stix_pattern_free(&p);
		if (rc != 0) {
			char why[RS_ERRLEN];
			snprintf(why, sizeof(why), "%s", rs_err());
			return bad(v, "pattern", "%s", why);
		}
		if (version != NULL && strcmp(version, "2.1") != 0 && strcmp(version, "2.0") != 0)
			return bad(v, "pattern_version", "\"%.16s\" is not a STIX patterning "
			    "version (2.0, 2.1)", version);
	}
	return 0;
}

static int
check_observed_data(struct vctx *v, json_t *o)
{
	json_t *refs = json_object_get(o, "object_refs"), *e;
	int64_t first, last;
	int hf, hl;
	size_t i;

	if (json_object_get(o, "objects") != NULL)
		return bad(v, "objects", "deprecated in STIX 2.1: give the SCOs as objects "
		    "of the bundle and list them in object_refs");
	if (get_ts(v, o, "first_observed", 1, 0, &first, &hf) != 0 ||
	    get_ts(v, o, "last_observed", 1, 0, &last, &hl) != 0 ||
	    get_int(v, o, "number_observed", 1, 1, 999999999) != 0 ||
	    ref_list(v, o, "object_refs", 1, NULL) != 0)
		return -1;
	if (last < first)
		return bad(v, "last_observed", "is before first_observed");
	json_array_foreach(refs, i, e) {
		json_t *t = json_object_get(v->ids, json_string_value(e));
		char type[256], p[64];
		stix_id_type(json_string_value(e), type, sizeof(type));
		snprintf(p, sizeof(p), "object_refs[%zu]", i);
		if (strcmp(type, "relationship") != 0 && strcmp(type, "sighting") != 0 &&
		    (t == NULL || json_object_get(t, "created") != NULL))
			return bad(v, p, "must name an SCO or a relationship, not a %s", type);
	}
	return 0;
}

static int
check_note(struct vctx *v, json_t *o)
{
	const char *s;

	return get_str(v, o, "content", 1, &s) != 0 || get_str(v, o, "abstract", 0, &s) != 0 ||
	    str_list(v, o, "authors", 0) != 0 ||
	    ref_list(v, o, "object_refs", 1, NULL) != 0 ? -1 : 0;
}

static int
check_report(struct vctx *v, json_t *o)
{
	const char *s;
	int64_t t;
	int h;

	return get_str(v, o, "name", 1, &s) != 0 || get_str(v, o, "description", 0, &s) != 0 ||
	    get_ts(v, o, "published", 1, 0, &t, &h) != 0 ||
	    str_list(v, o, "report_types", 0) != 0 ||
	    ref_list(v, o, "object_refs", 1, NULL) != 0 ? -1 : 0;
}

static int
check_relationship(struct vctx *v, json_t *o)
{
	static const char *const meta[] = { "relationship", "sighting", "marking-definition",
	    "language-content", "extension-definition", "bundle", NULL };
	const char *rt, *s, *ends[2] = { "source_ref", "target_ref" };
	int64_t start, stop;
	int h1, h2;

	if (get_str(v, o, "relationship_type", 1, &rt) != 0 ||
	    get_str(v, o, "description", 0, &s) != 0 ||
	    get_ts(v, o, "start_time", 0, 0, &start, &h1) != 0 ||
	    get_ts(v, o, "stop_time", 0, 0, &stop, &h2) != 0)
		return -1;
	if (strspn(rt, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(rt))
		return bad(v, "relationship_type", "\"%.40s\" must be a-z, 0-9 and -", rt);
	if (h1 && h2 && stop <= start)
		return bad(v, "stop_time", "must be after start_time");
	for (int e = 0; e < 2; e++) {
		json_t *x = json_object_get(o, ends[e]);
		char type[256];
		if (x == NULL)
			return bad(v, ends[e], "required");
		if (check_ref(v, ends[e], x, NULL) != 0)
			return -1;
		stix_id_type(json_string_value(x), type, sizeof(type));
		for (int i = 0; meta[i] != NULL; i++)
			if (strcmp(type, meta[i]) == 0)
				return bad(v, ends[e], "must name an SDO or SCO, not a %s", type);
	}
	return 0;
}

/* ---- SCOs ------------------------------------------------------------------ */

static int
check_value(struct vctx *v, json_t *o, const char *ind, int family)
{
	char norm[4096];
	const char *s;

	if (get_str(v, o, "value", 1, &s) != 0)
		return -1;
	if (!catalogue_indicator(ind, s, norm, sizeof(norm)) ||
	    (family == 4 && strchr(s, ':') != NULL) || (family == 6 && strchr(s, ':') == NULL))
		return bad(v, "value", "\"%.64s\" is not a valid %s", s,
		    family == 4 ? "IPv4 address" : family == 6 ? "IPv6 address" : ind);
	return 0;
}

static int
check_ipv4(struct vctx *v, json_t *o)
{
	return check_value(v, o, "ip", 4);
}

static int
check_ipv6(struct vctx *v, json_t *o)
{
	return check_value(v, o, "ip", 6);
}

static int
check_domain(struct vctx *v, json_t *o)
{
	return check_value(v, o, "domain", 0);
}

static int
check_url(struct vctx *v, json_t *o)
{
	return check_value(v, o, "url", 0);
}

static int
check_email(struct vctx *v, json_t *o)
{
	const char *s;

	return check_value(v, o, "email", 0) != 0 ||
	    get_str(v, o, "display_name", 0, &s) != 0 ? -1 : 0;
}

static int
check_file(struct vctx *v, json_t *o)
{
	json_t *h = json_object_get(o, "hashes");
	const char *name;

	if (get_str(v, o, "name", 0, &name) != 0 ||
	    get_int(v, o, "size", 0, 0, INT64_MAX) != 0)
		return -1;
	if (h == NULL && name == NULL)
		return bad(v, NULL, "a file needs hashes or a name");
	return h == NULL ? 0 : check_hashes(v, "hashes", h);
}

/* ---- meta objects ------------------------------------------------------------- */

static int
check_marking(struct vctx *v, json_t *o)
{
	const char *dt, *s;
	json_t *def;
	int64_t c;
	int h;

	if (stix_tlp_of_marking(v->id) != NULL) {
		if (!stix_tlp_official(o))
			return bad(v, NULL, "a TLP marking must be the official object, exactly "
			    "as published for its id");
		return 0;
	}
	if (check_spec_version(v, o, 1) != 0 || get_ts(v, o, "created", 1, 3, &c, &h) != 0 ||
	    get_str(v, o, "name", 0, &s) != 0 || check_external_references(v, o) != 0 ||
	    check_markings(v, o) != 0 || check_extensions(v, o) != 0)
		return -1;
	if (json_object_get(o, "created_by_ref") != NULL &&
	    check_ref(v, "created_by_ref", json_object_get(o, "created_by_ref"),
	    "identity") != 0)
		return -1;
	if (json_object_get(json_object_get(o, "extensions"), STIX_TLP2_EXTENSION) != NULL)
		return bad(v, "extensions", "a TLP 2.0 marking must have its official id");
	if (get_str(v, o, "definition_type", 0, &dt) != 0)
		return -1;
	def = json_object_get(o, "definition");
	if (dt == NULL && json_object_get(o, "extensions") == NULL)
		return bad(v, "definition_type", "required (or a marking extension)");
	if (dt != NULL && strcmp(dt, "statement") != 0)
		return bad(v, "definition_type", "\"%.32s\": roster reads statement markings "
		    "and the official TLP markings only", dt);
	if (dt != NULL && (!json_is_object(def) ||
	    !json_is_string(json_object_get(def, "statement")) || json_object_size(def) != 1))
		return bad(v, "definition", "a statement marking's definition is "
		    "{\"statement\": text}");
	return 0;
}

static int
check_extension_definition(struct vctx *v, json_t *o)
{
	static const char *const types[] = { "new-sdo", "new-sco", "new-sro",
	    "property-extension", "toplevel-property-extension", NULL };
	json_t *t = json_object_get(o, "extension_types"), *e;
	const char *s;
	int toplevel = 0;
	size_t i;

	if (get_str(v, o, "name", 1, &s) != 0 || get_str(v, o, "description", 0, &s) != 0 ||
	    get_str(v, o, "schema", 1, &s) != 0 || get_str(v, o, "version", 1, &s) != 0 ||
	    str_list(v, o, "extension_types", 1) != 0)
		return -1;
	if (json_object_get(o, "created_by_ref") == NULL)
		return bad(v, "created_by_ref", "required for an extension-definition");
	json_array_foreach(t, i, e) {
		int ok = 0;
		for (int j = 0; types[j] != NULL; j++)
			ok |= strcmp(json_string_value(e), types[j]) == 0;
		if (!ok)
			return bad(v, "extension_types", "\"%.40s\" is not an extension type",
			    json_string_value(e));
		toplevel |= strcmp(json_string_value(e), "toplevel-property-extension") == 0;
	}
	if (json_object_get(o, "extension_properties") != NULL) {
		if (!toplevel)
			return bad(v, "extension_properties", "only for a "
			    "toplevel-property-extension");
		if (str_list(v, o, "extension_properties", 1) != 0)
			return -1;
	}
	return 0;
}

/* ---- objects ------------------------------------------------------------------ */

enum kind { K_SDO, K_SCO, K_MARKING };

static const struct {
	const char *type;
	enum kind kind;
	int (*check)(struct vctx *, json_t *);
} kinds[] = {
	{ "identity", K_SDO, check_identity },
	{ "incident", K_SDO, check_incident },
	{ "indicator", K_SDO, check_indicator },
	{ "observed-data", K_SDO, check_observed_data },
	{ "note", K_SDO, check_note },
	{ "report", K_SDO, check_report },
	{ "relationship", K_SDO, check_relationship },
	{ "vulnerability", K_SDO, check_vulnerability },
	{ "extension-definition", K_SDO, check_extension_definition },
	{ "ipv4-addr", K_SCO, check_ipv4 },
	{ "ipv6-addr", K_SCO, check_ipv6 },
	{ "domain-name", K_SCO, check_domain },
	{ "url", K_SCO, check_url },
	{ "email-addr", K_SCO, check_email },
	{ "file", K_SCO, check_file },
	{ "marking-definition", K_MARKING, check_marking },
};

static int
check_object(struct vctx *v, json_t *o)
{
	const char *type, *id, *mod;
	char key[STIX_ID_MAX + STIX_TS_LEN + 2];
	size_t k;

	v->id = NULL;
	if (!json_is_object(o))
		return bad(v, NULL, "not a JSON object");
	id = json_string_value(json_object_get(o, "id"));
	if (id != NULL && stix_id_ok(id, NULL))
		v->id = id;
	if (get_str(v, o, "type", 1, &type) != 0)
		return -1;
	if (!stix_type_ok(type))
		return bad(v, "type", "\"%.64s\" is not a STIX type name", type);
	if (strcmp(type, "bundle") == 0)
		return bad(v, "type", "a bundle cannot be an object of a bundle");
	if (id == NULL)
		return bad(v, "id", "required, a string");
	if (!stix_id_ok(id, type))
		return bad(v, "id", "\"%.80s\" is not an identifier %s--UUID", id, type);
	if (check_names(v, o) != 0)
		return -1;
	mod = json_string_value(json_object_get(o, "modified"));
	snprintf(key, sizeof(key), "%s %s", id, mod ? mod : "");
	if (json_object_get(v->seen, key) != NULL)
		return bad(v, NULL, "appears twice (same id%s)", mod ? " and modified" : "");
	json_object_set_new(v->seen, key, json_true());
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (strcmp(type, kinds[k].type) == 0)
			break;
	if (k == sizeof(kinds) / sizeof(kinds[0])) {	/* another type: kept */
		if ((json_object_get(o, "created") != NULL ? check_sdo_common(v, o) :
		    check_sco_common(v, o)) != 0)
			return -1;
	} else if ((kinds[k].kind == K_SDO && check_sdo_common(v, o) != 0) ||
	    (kinds[k].kind == K_SCO && check_sco_common(v, o) != 0) || kinds[k].check(v, o) != 0)
		return -1;
	/* then whatever other references it holds, at any depth */
	return walk_refs(v, o, "");
}

/* The bundle itself: its three properties, nothing else. */
static int
check_bundle(json_t *b)
{
	json_t *objs, *o;
	const char *k;

	if (!json_is_object(b)) {
		rs_seterr("bundle: not a JSON object");
		return -1;
	}
	json_object_foreach(b, k, o)
		if (strcmp(k, "type") != 0 && strcmp(k, "id") != 0 && strcmp(k, "objects") != 0)
			return bad(NULL, k, strcmp(k, "spec_version") == 0 ?
			    "a STIX 2.0 bundle: only STIX 2.1 is accepted" :
			    "not a property of a bundle");
	if (!json_is_string(json_object_get(b, "type")) ||
	    strcmp(json_string_value(json_object_get(b, "type")), "bundle") != 0)
		return bad(NULL, "type", "must be \"bundle\"");
	if (!stix_id_ok(json_string_value(json_object_get(b, "id")), "bundle"))
		return bad(NULL, "id", "must be an identifier bundle--UUID");
	objs = json_object_get(b, "objects");
	if (objs != NULL && (!json_is_array(objs) || json_array_size(objs) == 0))
		return bad(NULL, "objects", "must be a non-empty list");
	return 0;
}

enum stix_result
stix_bundle_check(json_t *b)
{
	struct vctx v = {0};
	json_t *objs, *o;
	size_t i;
	enum stix_result rc = STIX_INVALID;

	if (check_bundle(b) != 0)
		return STIX_INVALID;
	if ((objs = json_object_get(b, "objects")) == NULL)
		return STIX_OK;
	if (json_array_size(objs) > STIX_MAX_OBJECTS) {
		rs_seterr("bundle: %zu objects, more than %d", json_array_size(objs),
		    STIX_MAX_OBJECTS);
		return STIX_TOO_LARGE;
	}
	v.ids = json_object();
	v.seen = json_object();
	json_array_foreach(objs, i, o) {
		const char *id = json_string_value(json_object_get(o, "id"));
		if (id != NULL && stix_id_ok(id, NULL) && json_object_get(v.ids, id) == NULL)
			json_object_set(v.ids, id, o);
	}
	json_array_foreach(objs, i, o) {
		v.i = i;
		if (check_object(&v, o) != 0)
			goto out;
	}
	rc = STIX_OK;
out:
	json_decref(v.ids);
	json_decref(v.seen);
	return rc;
}

/* len bytes of JSON into one object *b, within the limits; what names the
 * whole in messages ("bundle", "envelope"). */
static enum stix_result
parse_limited(const void *data, size_t len, const char *what, json_t **b)
{
	json_error_t err;
	size_t at;

	*b = NULL;
	if (len > STIX_MAX_BUNDLE) {
		rs_seterr("%s: %zu bytes, more than %zu", what, len, STIX_MAX_BUNDLE);
		return STIX_TOO_LARGE;
	}
	if (depth_ok(data, len, STIX_MAX_DEPTH, &at) != 0) {
		rs_seterr("%s: nested deeper than %d (at byte %zu)", what, STIX_MAX_DEPTH, at);
		return STIX_TOO_DEEP;
	}
	if ((*b = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err)) == NULL) {
		rs_seterr("%s: not JSON: %s (at byte %d)", what, err.text, err.position);
		return STIX_NOT_JSON;
	}
	if (!json_is_object(*b)) {
		json_decref(*b);
		*b = NULL;
		rs_seterr("%s: not a JSON object", what);
		return STIX_NOT_JSON;
	}
	return STIX_OK;
}

enum stix_result
stix_bundle_parse(const void *data, size_t len, json_t **bundle)
{
	enum stix_result rc;
	json_t *b;

	*bundle = NULL;
	if ((rc = parse_limited(data, len, "bundle", &b)) != STIX_OK)
		return rc;
	if ((rc = stix_bundle_check(b)) != STIX_OK) {
		json_decref(b);
		return rc;
	}
	*bundle = b;
	return STIX_OK;
}

enum stix_result
stix_envelope_parse(const void *data, size_t len, json_t **bundle)
{
	char u[STIX_UUID_LEN], id[STIX_ID_MAX];
	enum stix_result rc;
	json_t *e, *objs, *v, *b;
	const char *k;

	*bundle = NULL;
	if ((rc = parse_limited(data, len, "envelope", &e)) != STIX_OK)
		return rc;
	if (json_object_get(e, "type") != NULL) {	/* a bundle after all */
		if ((rc = stix_bundle_check(e)) != STIX_OK) {
			json_decref(e);
			return rc;
		}
		*bundle = e;
		return STIX_OK;
	}
	json_object_foreach(e, k, v)
		if (strcmp(k, "objects") != 0 && strcmp(k, "more") != 0 && strcmp(k, "next") != 0) {
			rs_seterr("envelope: \"%.64s\": not a property of a TAXII envelope "
			    "(objects, more, next) nor of a bundle", k);
			json_decref(e);
			return STIX_INVALID;
		}
	objs = json_object_get(e, "objects");
	if (!json_is_array(objs) || json_array_size(objs) == 0) {
		rs_seterr("envelope: \"objects\": must be a non-empty list");
		json_decref(e);
		return STIX_INVALID;
	}
	stix_uuid4(u);
	snprintf(id, sizeof(id), "bundle--%s", u);
	b = json_pack("{s:s, s:s, s:O}", "type", "bundle", "id", id, "objects", objs);
	json_decref(e);
	if ((rc = stix_bundle_check(b)) != STIX_OK) {
		json_decref(b);
		return rc;
	}
	*bundle = b;
	return STIX_OK;
}
