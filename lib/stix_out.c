/*
 * stix_out.c - a roster message as a STIX 2.1 bundle (see stixmap.h; the
 * tables are in docs/taxii.md, "From a message to STIX").
 *
 * The bundle of a message holds, in this order:
 *
 *   roster's identity and extension-definition, the TLP 2.0 marking of the
 *   message (and roster's no-forward marking when the sender forbade
 *   forwarding), and the sending State's identity: the fixed objects every
 *   other object refers to, so that the bundle is whole by itself;
 *   a report naming the message (subject, body, time of signing);
 *   for an incident notification: an incident (incident class, threat
 *   categories, sectors, impact and other States affected as labels, the
 *   impact description as its description, first seen in the roster
 *   extension) and a note of the measures taken;
 *   for another template: a note with its fields in English;
 *   for each indicator of the template's indicators field: an SCO and an
 *   indicator whose pattern matches it (a CVE becomes a vulnerability
 *   instead), with an observed-data listing the SCOs, and a relationship
 *   "related-to" the incident when there is one.
 *
 * Every property comes from the signed message, so a message maps to the
 * same bytes every time; every id is stix_id_make of the message id and the
 * object's place ("<id>/indicator/3").  A template whose fields do not fit
 * this node's catalogue is not read at all (a recipient never trusts values
 * it has not checked): the report says so, and the rest is mapped.
 */
#include "stixmap.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"

struct out {
	const struct stix_source *m;
	char ts[STIX_TS_LEN];		/* created and modified of every SDO */
	char fpr[RS_FPR_LEN];
	char *key_hex;
	const char *tlp;
	int no_forward;
	char sender[STIX_ID_MAX];	/* the State's identity */
	json_t *objects;		/* the bundle's */
	json_t *refs;			/* the report's object_refs */
};

static int
hex64(const char *s)
{
	if (s == NULL || strlen(s) != 64)
		return 0;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* A new object's first properties: type, spec_version and its id, named
 * by the message and place ("note/1"); the id is copied to id_out. */
static json_t *
base(struct out *o, const char *type, const char *place, char id_out[STIX_ID_MAX])
{
	char name[128];

	snprintf(name, sizeof(name), "%s/%s", o->m->message_id, place);
	stix_id_make(type, name, id_out);
	return json_pack("{s:s, s:s, s:s}", "type", type, "spec_version", "2.1",
	    "id", id_out);
}

static json_t *
provenance(struct out *o)
{
	return json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}",
	    "extension_type", "property-extension", "message_id", o->m->message_id,
	    "log_index", (json_int_t)o->m->log_index, "signer_key", o->key_hex,
	    "signer_fingerprint", o->fpr, "state", o->m->state);
}

/* Markings and provenance, on every object made from the message; ext is
 * the provenance (stolen), or NULL for the plain one. */
static void
marks(struct out *o, json_t *x, json_t *ext)
{
	json_t *m = json_array();

	json_array_append_new(m, json_string(stix_tlp_marking_id(o->tlp)));
	if (o->no_forward)
		json_array_append_new(m, json_string(STIX_NO_FORWARD_MARKING));
	json_object_set_new(x, "object_marking_refs", m);
	json_object_set_new(x, "extensions", json_pack("{s:o}", STIX_ROSTER_EXTENSION,
	    ext ? ext : provenance(o)));
}

/* The properties every SDO and SRO made from the message ends with. */
static void
finish(struct out *o, json_t *x, const char *lang, json_t *ext)
{
	json_object_set_new(x, "created_by_ref", json_string(o->sender));
	json_object_set_new(x, "created", json_string(o->ts));
	json_object_set_new(x, "modified", json_string(o->ts));
	if (lang != NULL)
		json_object_set_new(x, "lang", json_string(lang));
	marks(o, x, ext);
}

/* Completes an SDO or SRO and adds it to the bundle and the report. */
static void
add_sdo(struct out *o, json_t *x, const char *lang, json_t *ext)
{
	finish(o, x, lang, ext);
	json_array_append(o->refs, json_object_get(x, "id"));
	json_array_append_new(o->objects, x);
}

static void
add_sco(struct out *o, json_t *x)
{
	marks(o, x, NULL);
	json_array_append(o->refs, json_object_get(x, "id"));
	json_array_append_new(o->objects, x);
}

static json_t *
state_identity(const char *state, char id[STIX_ID_MAX])
{
	char name[32], desc[96];

	snprintf(name, sizeof(name), "state/%s", state);
	stix_id_make("identity", name, id);
	snprintf(desc, sizeof(desc), "The State %s, as its points of contact sign in roster.",
	    state);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}",
	    "type", "identity", "spec_version", "2.1", "id", id,
	    "created", STIX_ROSTER_CREATED, "modified", STIX_ROSTER_CREATED,
	    "name", state, "description", desc, "identity_class", "organization",
	    "sectors", "government-national");
}

static const char *
text_of(json_t *fields, const char *name, const char **lang)
{
	json_t *t = json_object_get(fields, name);

	if (lang != NULL && jstr(t, "lang") != NULL)
		*lang = jstr(t, "lang");
	return jstr(t, "text");
}

/* ---- indicators ------------------------------------------------------------- */

/* The SCO of indicator i (type t, canonical value v) and the pattern that
 * matches it; NULL for a CVE, which has no SCO. */
static json_t *
sco_of(struct out *o, size_t i, const char *t, const char *v, struct buf *pattern)
{
	static const struct { const char *ind, *key; enum stix_path path; } hashes[] = {
		{ "md5", "MD5", STIX_PATH_MD5 }, { "sha1", "SHA-1", STIX_PATH_SHA1 },
		{ "sha256", "SHA-256", STIX_PATH_SHA256 }, { "sha512", "SHA-512", STIX_PATH_SHA512 },
	};
	char place[64], id[STIX_ID_MAX];
	enum stix_path path;
	json_t *x;

	snprintf(place, sizeof(place), "sco/%zu", i);
	if (strcmp(t, "cve") == 0)
		return NULL;
	for (size_t h = 0; h < 4; h++)
		if (strcmp(t, hashes[h].ind) == 0) {
			x = base(o, "file", place, id);
			json_object_set_new(x, "hashes", json_pack("{s:s}", hashes[h].key, v));
			buf_printf(pattern, "[%s = ", stix_path_text(hashes[h].path));
			stix_pattern_quote(pattern, v);
			buf_addstr(pattern, "]");
			return x;
		}
	if (strcmp(t, "ip") == 0)
		path = strchr(v, ':') ? STIX_PATH_IPV6 : STIX_PATH_IPV4;
	else if (strcmp(t, "domain") == 0)
		path = STIX_PATH_DOMAIN;
	else if (strcmp(t, "url") == 0)
		path = STIX_PATH_URL;
	else {
		assert(strcmp(t, "email") == 0);
		path = STIX_PATH_EMAIL;
	}
	x = base(o, stix_path_sco(path), place, id);
	json_object_set_new(x, "value", json_string(v));
	/* a CIDR block is matched by the addresses in it */
	buf_printf(pattern, "[%s %s ", stix_path_text(path),
	    strcmp(t, "ip") == 0 && strchr(v, '/') ? "ISSUBSET" : "=");
	stix_pattern_quote(pattern, v);
	buf_addstr(pattern, "]");
	return x;
}

static void
relate(struct out *o, size_t i, const char *from, const char *incident)
{
	char place[64], id[STIX_ID_MAX];
	json_t *r;

	if (incident == NULL)
		return;
	snprintf(place, sizeof(place), "relationship/%zu", i);
	r = base(o, "relationship", place, id);
	json_object_set_new(r, "relationship_type", json_string("related-to"));
	json_object_set_new(r, "source_ref", json_string(from));
	json_object_set_new(r, "target_ref", json_string(incident));
	add_sdo(o, r, NULL, NULL);
}

static void
indicators(struct out *o, json_t *list, const char *valid_from, const char *incident)
{
	char id[STIX_ID_MAX], place[64], last[STIX_TS_LEN];
	json_t *scos = json_array(), *e;
	int64_t first_us, signed_us = o->m->signed_ms * 1000;
	size_t i;

	json_array_foreach(list, i, e) {
		const char *t = jstr(e, "type"), *v = jstr(e, "value");
		struct buf pattern = {0};
		json_t *sco = sco_of(o, i, t, v, &pattern), *x;
		if (sco == NULL) {
			snprintf(place, sizeof(place), "vulnerability/%zu", i);
			x = base(o, "vulnerability", place, id);
			json_object_set_new(x, "name", json_string(v));
			json_object_set_new(x, "external_references", json_pack("[{s:s, s:s}]",
			    "source_name", "cve", "external_id", v));
			add_sdo(o, x, NULL, NULL);
			relate(o, i, id, incident);
			continue;
		}
		json_array_append(scos, json_object_get(sco, "id"));
		add_sco(o, sco);
		snprintf(place, sizeof(place), "indicator/%zu", i);
		x = base(o, "indicator", place, id);
		json_object_set_new(x, "name", json_string(v));
		json_object_set_new(x, "pattern", json_string(buf_cstr(&pattern)));
		json_object_set_new(x, "pattern_type", json_string("stix"));
		json_object_set_new(x, "pattern_version", json_string("2.1"));
		json_object_set_new(x, "valid_from", json_string(valid_from));
		buf_free(&pattern);
		add_sdo(o, x, NULL, NULL);
		relate(o, i, id, incident);
	}
	if (json_array_size(scos) == 0) {
		json_decref(scos);
		return;
	}
	/* observed from first seen (or the signing) until the signing */
	if (stix_ts_parse(valid_from, &first_us, NULL) != 0)
		first_us = signed_us;
	stix_ts_format(first_us > signed_us ? first_us : signed_us, 3, last);
	e = base(o, "observed-data", "observed-data", id);
	json_object_set_new(e, "first_observed", json_string(valid_from));
	json_object_set_new(e, "last_observed", json_string(last));
	json_object_set_new(e, "number_observed", json_integer(1));
	json_object_set_new(e, "object_refs", scos);
	add_sdo(o, e, NULL, NULL);
}

/* ---- templates ------------------------------------------------------------- */

static void
labels_add(json_t *labels, const char *prefix, json_t *v)
{
	char l[128];
	json_t *e;
	size_t i;

	if (json_is_string(v)) {
		snprintf(l, sizeof(l), "%s:%s", prefix, json_string_value(v));
		json_array_append_new(labels, json_string(l));
	}
	json_array_foreach(v, i, e)
		labels_add(labels, prefix, e);
}

/* The incident of an incident notification; its id goes to id. */
static void
incident(struct out *o, json_t *f, const char *subject, const char *lang,
    char id[STIX_ID_MAX])
{
	const char *desc, *dlang = lang, *mlang = lang, *measures;
	json_t *x = base(o, "incident", "incident", id), *labels = json_array(), *ext;

	json_object_set_new(x, "name", json_string(subject));
	if ((desc = text_of(f, "impact_description", &dlang)) != NULL)
		json_object_set_new(x, "description", json_string(desc));
	labels_add(labels, "incident-class", json_object_get(f, "incident_class"));
	labels_add(labels, "threat-category", json_object_get(f, "threat_category"));
	labels_add(labels, "sector", json_object_get(f, "sector"));
	labels_add(labels, "impact", json_object_get(f, "impact"));
	labels_add(labels, "affected-state", json_object_get(f, "affected_states"));
	json_object_set_new(x, "labels", labels);
	ext = provenance(o);
	if (jstr(f, "first_seen") != NULL)
		json_object_set_new(ext, "first_seen", json_string(jstr(f, "first_seen")));
	add_sdo(o, x, dlang, ext);
	if ((measures = text_of(f, "measures_taken", &mlang)) != NULL) {
		char nid[STIX_ID_MAX];
		json_t *n = base(o, "note", "note/measures", nid);
		json_object_set_new(n, "abstract", json_string("Measures taken"));
		json_object_set_new(n, "content", json_string(measures));
		json_object_set_new(n, "object_refs", json_pack("[s]", id));
		json_object_set_new(n, "labels", json_pack("[s]", "measures-taken"));
		add_sdo(o, n, mlang, NULL);
	}
}

/* A template other than the incident notification: its fields as English
 * text in a note about the report. */
static void
fields_note(struct out *o, struct catalogue *c, const char *tpl, json_t *f,
    const char *report)
{
	json_t *t = catalogue_template(c, tpl), *n;
	struct buf text = {0};
	char nid[STIX_ID_MAX];
	int fb;

	if (catalogue_render(c, tpl, f, "en", &text) != 0 || text.len == 0) {
		buf_free(&text);
		return;
	}
	n = base(o, "note", "note/fields", nid);
	json_object_set_new(n, "abstract", json_string(cat_label(json_object_get(t, "title"),
	    "en", &fb)));
	json_object_set_new(n, "content", json_stringn((const char *)text.p, text.len));
	json_object_set_new(n, "object_refs", json_pack("[s]", report));
	add_sdo(o, n, "en", NULL);
	buf_free(&text);
}

/* ---- the bundle --------------------------------------------------------------- */

static int
source_ok(const struct stix_source *m)
{
	if (m == NULL || !hex64(m->message_id) || m->log_index < 0 || m->signer_key == NULL ||
	    m->state == NULL || !valid_state(m->state) || !json_is_object(m->payload)) {
		rs_seterr("not a message to map (id, log index, signer, State and payload "
		    "are required)");
		return 0;
	}
	return 1;
}

enum stix_map_result
stix_from_message(struct catalogue *c, const struct stix_source *m, json_t **bundle)
{
	struct out o = { .m = m };
	json_t *p, *fields, *report, *tdef;
	const char *subject, *body, *lang, *tpl, *flang;
	char report_id[STIX_ID_MAX], inc_id[STIX_ID_MAX], bid[STIX_ID_MAX], sub[64];
	char valid_from[STIX_TS_LEN], why[RS_ERRLEN] = "";
	struct buf desc = {0};
	size_t nfixed;
	int fit = 0;

	*bundle = NULL;
	if (!source_ok(m))
		return STIX_MAP_BAD;
	p = m->payload;
	if (json_object_get(p, "notice") != NULL) {
		rs_seterr("an overdue notice is not mapped to STIX");
		return STIX_MAP_SKIP;
	}
	o.tlp = stix_tlp_rank(jstr(p, "tlp")) >= 0 ? jstr(p, "tlp") : "RED";
	o.no_forward = json_is_true(json_object_get(p, "no_forward"));
	lang = jstr(p, "lang") != NULL && cat_lang_ok(jstr(p, "lang")) ? jstr(p, "lang") : "en";
	stix_ts_format(m->signed_ms * 1000, 3, o.ts);
	fingerprint(o.fpr, m->signer_key);
	o.key_hex = hex_encode(m->signer_key, 32);
	o.objects = json_array();
	o.refs = json_array();

	json_array_append_new(o.objects, stix_roster_identity());
	json_array_append_new(o.objects, stix_roster_extension());
	json_array_append_new(o.objects, stix_tlp_marking(o.tlp));
	if (o.no_forward)
		json_array_append_new(o.objects, stix_no_forward_marking());
	json_array_append_new(o.objects, state_identity(m->state, o.sender));
	nfixed = json_array_size(o.objects);

	subject = jstr(p, "subject");
	if (subject == NULL || subject[0] == '\0') {
		snprintf(sub, sizeof(sub), "roster message %.8s", m->message_id);
		subject = sub;
	}
	body = jstr(p, "body") ? jstr(p, "body") : "";
	tpl = jstr(p, "template");
	fields = json_object_get(p, "fields");
	if (tpl != NULL) {
		if (catalogue_template(c, tpl) != NULL && catalogue_check_fields(c, tpl, fields) == 0)
			fit = 1;
		else
			snprintf(why, sizeof(why), "%s", rs_err());
	}
	/* the report first, its refs filled as the other objects are made */
	report = base(&o, "report", "report", report_id);
	json_object_set_new(report, "name", json_string(subject));
	json_object_set_new(report, "published", json_string(o.ts));
	json_object_set_new(report, "report_types", json_pack("[s]", "threat-report"));
	flang = lang;
	if (fit && strcmp(tpl, "free-text") == 0 && text_of(fields, "body", &flang) != NULL)
		buf_addstr(&desc, text_of(fields, "body", NULL));
	if (body[0] != '\0') {
		if (desc.len > 0)
			buf_addstr(&desc, "\n\n");
		buf_addstr(&desc, body);
	}
	if (tpl != NULL && !fit) {
		if (desc.len > 0)
			buf_addstr(&desc, "\n\n");
		buf_printf(&desc, "[The fields of template %s are not mapped: %s]", tpl, why);
	}
	if (desc.len > 0)
		json_object_set_new(report, "description", json_stringn((const char *)desc.p,
		    desc.len));
	buf_free(&desc);

	inc_id[0] = '\0';
	if (fit && strcmp(tpl, "incident-notification") == 0)
		incident(&o, fields, subject, lang, inc_id);
	else if (fit && strcmp(tpl, "free-text") != 0)
		fields_note(&o, c, tpl, fields, report_id);
	tdef = fit ? json_object_get(fields, "indicators") : NULL;
	if (json_array_size(tdef) > 0) {
		const char *fs = jstr(fields, "first_seen");
		int64_t us;
		if (fs != NULL && stix_ts_parse(fs, &us, NULL) == 0)
			stix_ts_format(us, 3, valid_from);
		else
			snprintf(valid_from, sizeof(valid_from), "%s", o.ts);
		indicators(&o, tdef, valid_from, inc_id[0] ? inc_id : NULL);
	}
	json_array_append_new(o.refs, json_string(o.sender));
	json_object_set_new(report, "object_refs", o.refs);
	finish(&o, report, flang, NULL);
	json_array_insert_new(o.objects, nfixed, report);

	stix_id_make("bundle", m->message_id, bid);
	*bundle = json_pack("{s:s, s:s, s:o}", "type", "bundle", "id", bid, "objects",
	    o.objects);
	free(o.key_hex);
	return STIX_MAP_OK;
}
