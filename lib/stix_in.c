/*
 * stix_in.c - a checked STIX 2.1 bundle as the draft of a roster message
 * (see stixmap.h; the table is in docs/taxii.md, "From STIX to a message").
 *
 * The reverse of stix_out.c, for bundles from any tool:
 *
 *   incident        name -> subject, description -> impact_description,
 *                   labels "incident-class:X", "threat-category:X",
 *                   "sector:X", "impact:X", "affected-state:XX" -> those
 *                   fields, roster extension's first_seen -> first_seen
 *   report          name -> subject (when there is no incident),
 *                   description -> body, the same labels when there is no
 *                   incident
 *   note            labelled "measures-taken" -> measures_taken; any other
 *                   -> appended to the body
 *   indicator       a STIX pattern that is one comparison or an OR of them,
 *                   each "=", "IN" or (addresses) "ISSUBSET" -> indicators
 *   SCOs            ipv4-addr, ipv6-addr, domain-name, url, email-addr
 *                   values and file hashes (MD5, SHA-1, SHA-256, SHA-512)
 *                   -> indicators
 *   vulnerability   its CVE id -> a cve indicator
 *   observed-data   the earliest first_observed -> first_seen (when the
 *                   incident does not say; else the earliest indicator
 *                   valid_from, which is what stix_out.c writes there)
 *   identity, extension-definition, relationship, the TLP and roster
 *                   markings: not carried as such (the signer is the
 *                   sender, the message ties its objects together, the
 *                   label is the message's)
 *
 * The message is an incident notification when the bundle has an incident
 * or any indicator, a plain message otherwise.  Values are not judged
 * here: they become NAME=VALUE pairs for catalogue_fill, which checks them
 * as it checks `roster send --field` (so "sector:enrgy" is refused there,
 * naming the field, and a missing required field is asked for).
 *
 * Refused, naming the object: a type not in the list, a second incident or
 * report, a marking other than TLP and roster's no-forward one, granular
 * markings, a pattern of another language or with AND, NOT, LIKE, MATCHES,
 * ISSUPERSET or "!=", a file without one of those hashes, a vulnerability
 * without a CVE id.  Any other property with no place in a message is
 * listed in the draft's dropped lines.
 */
#include "stixmap.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"

struct in {
	json_t *objs;
	size_t i;			/* objects[i] is being read */
	const char *id;
	json_t *incident, *report;
	size_t incident_i, report_i;	/* their places in objects */
	json_t *kv;			/* strings */
	json_t *dropped;		/* strings */
	struct buf body, measures;
	int tlp;			/* strictest rank seen, -1 none */
	int no_forward;
	size_t nind;
	int64_t first_observed;
	int have_first;
	int64_t first_valid;		/* the earliest indicator valid_from */
	int have_valid;
	const char *lang;
};

static int
refuse(struct in *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
refuse(struct in *x, const char *fmt, ...)
{
	char msg[RS_ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rs_seterr("objects[%zu] (%.80s): %s", x->i, x->id ? x->id : "?", msg);
	return -1;
}

static void
kv_add(struct in *x, const char *name, const char *value)
{
	struct buf b = {0};

	buf_printf(&b, "%s=%s", name, value);
	json_array_append_new(x->kv, json_string(buf_cstr(&b)));
	buf_free(&b);
}

/* An indicator pair: commas inside the value written \, for catalogue_fill. */
static void
kv_indicator(struct in *x, const char *type, const char *value)
{
	struct buf b = {0};

	buf_printf(&b, "indicators=%s:", type);
	for (const char *p = value; *p; p++) {
		if (*p == ',')
			buf_addstr(&b, "\\");
		buf_add(&b, p, 1);
	}
	json_array_append_new(x->kv, json_string(buf_cstr(&b)));
	buf_free(&b);
	x->nind++;
}

/* Lists the properties of o that are neither common nor in carried. */
static void
drop_others(struct in *x, json_t *o, const char *const *carried)
{
	static const char *const common[] = { "type", "spec_version", "id", "created",
	    "modified", "created_by_ref", "object_marking_refs", "lang", "extensions", NULL };
	struct buf b = {0};
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		int known = 0;
		for (int j = 0; common[j] != NULL; j++)
			known |= strcmp(k, common[j]) == 0;
		for (int j = 0; carried != NULL && carried[j] != NULL; j++)
			known |= strcmp(k, carried[j]) == 0;
		if (!known)
			buf_printf(&b, "%s%s", b.len ? ", " : "", k);
	}
	json_object_foreach(json_object_get(o, "extensions"), k, v)
		if (strcmp(k, STIX_ROSTER_EXTENSION) != 0)
			buf_printf(&b, "%sextensions.%s", b.len ? ", " : "", k);
	if (b.len > 0) {
		struct buf line = {0};
		buf_printf(&line, "objects[%zu] (%.80s): not carried: %s", x->i, x->id,
		    buf_cstr(&b));
		json_array_append_new(x->dropped, json_string(buf_cstr(&line)));
		buf_free(&line);
	}
	buf_free(&b);
}

static void
drop_line(struct in *x, const char *what)
{
	struct buf line = {0};

	buf_printf(&line, "objects[%zu] (%.80s): %s", x->i, x->id, what);
	json_array_append_new(x->dropped, json_string(buf_cstr(&line)));
	buf_free(&line);
}

/* The markings of an object: TLP (the strictest wins) and no-forward. */
static int
markings(struct in *x, json_t *o)
{
	json_t *m;
	size_t i;

	if (json_object_get(o, "granular_markings") != NULL)
		return refuse(x, "granular markings cannot be carried: a roster message has "
		    "one TLP label");
	json_array_foreach(json_object_get(o, "object_marking_refs"), i, m) {
		const char *id = json_string_value(m), *label = stix_tlp_of_marking(id);
		if (label != NULL) {
			if (stix_tlp_rank(label) > x->tlp)
				x->tlp = stix_tlp_rank(label);
		} else if (id != NULL && strcmp(id, STIX_NO_FORWARD_MARKING) == 0)
			x->no_forward = 1;
		else
			return refuse(x, "marking %.80s cannot be carried (a roster message "
			    "carries a TLP label and whether it may be forwarded)", id);
	}
	return 0;
}

static const char *
label_field(const char *label, const char **value)
{
	static const struct { const char *prefix, *field; } map[] = {
		{ "incident-class:", "incident_class" },
		{ "threat-category:", "threat_category" },
		{ "sector:", "sector" },
		{ "impact:", "impact" },
		{ "affected-state:", "affected_states" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strncmp(label, map[i].prefix, strlen(map[i].prefix)) == 0) {
			*value = label + strlen(map[i].prefix);
			return map[i].field;
		}
	return NULL;
}

static void
labels(struct in *x, json_t *o)
{
	json_t *l;
	size_t i;

	json_array_foreach(json_object_get(o, "labels"), i, l) {
		const char *v, *f = label_field(json_string_value(l), &v);
		if (f != NULL && v[0] != '\0')
			kv_add(x, f, v);
	}
}

static void
body_add(struct buf *b, const char *text)
{
	if (text == NULL || text[0] == '\0')
		return;
	if (b->len > 0)
		buf_addstr(b, "\n\n");
	buf_addstr(b, text);
}

/* ---- patterns and SCOs ------------------------------------------------------- */

static const char *
ind_type(enum stix_path p)
{
	switch (p) {
	case STIX_PATH_IPV4:
	case STIX_PATH_IPV6: return "ip";
	case STIX_PATH_DOMAIN: return "domain";
	case STIX_PATH_URL: return "url";
	case STIX_PATH_EMAIL: return "email";
	case STIX_PATH_MD5: return "md5";
	case STIX_PATH_SHA1: return "sha1";
	case STIX_PATH_SHA256: return "sha256";
	case STIX_PATH_SHA512: return "sha512";
	default: break;
	}
	assert(0);
	return NULL;
}

/* The indicators of pattern node n: an OR of single comparisons. */
static int
collect(struct in *x, const struct stix_pattern *p, int n)
{
	const struct stix_node *nd = &p->nodes[n];

	assert(n >= 0 && (size_t)n < p->nnodes);
	switch (nd->kind) {
	case STIX_N_OR:
		return collect(x, p, nd->a) != 0 || collect(x, p, nd->b) != 0 ? -1 : 0;
	case STIX_N_OBSERVATION:
		return collect(x, p, nd->a);
	case STIX_N_AND:
		return refuse(x, "\"pattern\": AND cannot be carried (a message lists "
		    "indicators each on its own)");
	case STIX_N_TEST:
		if (nd->negated || !(nd->op == STIX_OP_EQ || nd->op == STIX_OP_IN ||
		    nd->op == STIX_OP_ISSUBSET))
			return refuse(x, "\"pattern\": only =, IN and ISSUBSET comparisons can "
			    "be carried (an indicator is a value)");
		for (size_t v = 0; v < nd->nvalues; v++)
			kv_indicator(x, ind_type(nd->path), p->values[nd->first + v]);
		return 0;
	}
	return -1;
}

static int
read_indicator(struct in *x, json_t *o)
{
	static const char *const carried[] = { "pattern", "pattern_type", "pattern_version",
	    "valid_from", "name", NULL };
	struct stix_pattern p;
	int64_t us;
	int rc;

	if (stix_ts_parse(jstr(o, "valid_from"), &us, NULL) == 0 &&
	    (!x->have_valid || us < x->first_valid)) {
		x->first_valid = us;
		x->have_valid = 1;
	}
	if (strcmp(jstr(o, "pattern_type"), "stix") != 0)
		return refuse(x, "a pattern of type %.32s cannot be carried (only STIX "
		    "patterns)", jstr(o, "pattern_type"));
	if (stix_pattern_parse(jstr(o, "pattern"), &p) != 0) {
		stix_pattern_free(&p);
		return refuse(x, "\"pattern\": %s", rs_err());
	}
	rc = collect(x, &p, p.root);
	stix_pattern_free(&p);
	if (rc == 0)
		drop_others(x, o, carried);
	return rc;
}

static int
read_file_sco(struct in *x, json_t *o)
{
	static const struct { const char *key, *type; } h[] = {
		{ "MD5", "md5" }, { "SHA-1", "sha1" }, { "SHA-256", "sha256" }, { "SHA-512", "sha512" },
	};
	static const char *const carried[] = { "hashes", NULL };
	json_t *hashes = json_object_get(o, "hashes");
	size_t found = 0;
	const char *k;
	json_t *v;

	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		if (jstr(hashes, h[i].key) != NULL) {
			kv_indicator(x, h[i].type, jstr(hashes, h[i].key));
			found++;
		}
	if (found == 0)
		return refuse(x, "a file without an MD5, SHA-1, SHA-256 or SHA-512 hash "
		    "cannot be carried");
	json_object_foreach(hashes, k, v)
		if (strcmp(k, "MD5") != 0 && strcmp(k, "SHA-1") != 0 && strcmp(k, "SHA-256") != 0 &&
		    strcmp(k, "SHA-512") != 0) {
			char what[120];
			snprintf(what, sizeof(what), "not carried: hashes.%.64s", k);
			drop_line(x, what);
		}
	drop_others(x, o, carried);
	return 0;
}

static int
read_value_sco(struct in *x, json_t *o, const char *type)
{
	static const char *const carried[] = { "value", "defanged", NULL };

	kv_indicator(x, type, jstr(o, "value"));
	drop_others(x, o, carried);
	return 0;
}

static int
read_vulnerability(struct in *x, json_t *o)
{
	static const char *const carried[] = { "name", "external_references", NULL };
	json_t *r;
	size_t i, found = 0;
	char norm[64];

	json_array_foreach(json_object_get(o, "external_references"), i, r)
		if (jstr(r, "source_name") != NULL && strcmp(jstr(r, "source_name"), "cve") == 0) {
			kv_indicator(x, "cve", jstr(r, "external_id"));
			found++;
		}
	if (found == 0 && catalogue_indicator("cve", jstr(o, "name"), norm, sizeof(norm))) {
		kv_indicator(x, "cve", norm);
		found++;
	}
	if (found == 0)
		return refuse(x, "a vulnerability without a CVE id cannot be carried");
	drop_others(x, o, carried);
	return 0;
}

/* ---- objects ------------------------------------------------------------------ */

static int
read_object(struct in *x, json_t *o)
{
	static const char *const inc_carried[] = { "name", "description", "labels", NULL };
	static const char *const rep_carried[] = { "name", "description", "published",
	    "report_types", "object_refs", "labels", NULL };
	static const char *const note_carried[] = { "abstract", "content", "object_refs",
	    "labels", NULL };
	static const char *const obs_carried[] = { "first_observed", "last_observed",
	    "number_observed", "object_refs", NULL };
	static const char *const sco[][2] = {
		{ "ipv4-addr", "ip" }, { "ipv6-addr", "ip" }, { "domain-name", "domain" },
		{ "url", "url" }, { "email-addr", "email" },
	};
	const char *type = jstr(o, "type");
	int64_t us;

	x->id = jstr(o, "id");
	/* not carried as such, so neither are their markings */
	if (strcmp(type, "identity") == 0 || strcmp(type, "extension-definition") == 0)
		return 0;
	if (strcmp(type, "marking-definition") == 0) {
		if (stix_tlp_of_marking(x->id) == NULL && strcmp(x->id, STIX_NO_FORWARD_MARKING) != 0)
			drop_line(x, "not carried: a marking no object of the message uses");
		return 0;
	}
	if (strcmp(type, "relationship") == 0) {
		if (strcmp(jstr(o, "relationship_type"), "related-to") != 0) {
			char what[120];
			snprintf(what, sizeof(what), "not carried: the relationship \"%.40s\"",
			    jstr(o, "relationship_type"));
			drop_line(x, what);
		}
		return 0;
	}
	if (markings(x, o) != 0)
		return -1;
	if (strcmp(type, "incident") == 0 || strcmp(type, "report") == 0) {
		json_t **slot = type[0] == 'i' ? &x->incident : &x->report;
		if (*slot != NULL)
			return refuse(x, "a roster message carries one %s (%.80s is another)",
			    type, jstr(*slot, "id"));
		*slot = o;
		*(type[0] == 'i' ? &x->incident_i : &x->report_i) = x->i;
		drop_others(x, o, type[0] == 'i' ? inc_carried : rep_carried);
		return 0;
	}
	if (strcmp(type, "note") == 0) {
		json_t *l;
		size_t i;
		int measures = 0;
		json_array_foreach(json_object_get(o, "labels"), i, l)
			measures |= json_is_string(l) &&
			    strcmp(json_string_value(l), "measures-taken") == 0;
		if (measures)
			body_add(&x->measures, jstr(o, "content"));
		else {
			struct buf t = {0};
			if (jstr(o, "abstract") != NULL && jstr(o, "abstract")[0] != '\0')
				buf_printf(&t, "%s\n", jstr(o, "abstract"));
			buf_addstr(&t, jstr(o, "content"));
			body_add(&x->body, buf_cstr(&t));
			buf_free(&t);
		}
		drop_others(x, o, note_carried);
		return 0;
	}
	if (strcmp(type, "observed-data") == 0) {
		if (stix_ts_parse(jstr(o, "first_observed"), &us, NULL) == 0 &&
		    (!x->have_first || us < x->first_observed)) {
			x->first_observed = us;
			x->have_first = 1;
		}
		drop_others(x, o, obs_carried);
		return 0;
	}
	if (strcmp(type, "indicator") == 0)
		return read_indicator(x, o);
	if (strcmp(type, "vulnerability") == 0)
		return read_vulnerability(x, o);
	if (strcmp(type, "file") == 0)
		return read_file_sco(x, o);
	for (size_t i = 0; i < sizeof(sco) / sizeof(sco[0]); i++)
		if (strcmp(type, sco[i][0]) == 0)
			return read_value_sco(x, o, sco[i][1]);
	return refuse(x, "a roster message cannot carry a %.64s", type);
}

static char **
strings(json_t *a, size_t *n)
{
	char **v = xcalloc(json_array_size(a) + 1, sizeof(*v));
	json_t *s;
	size_t i;

	json_array_foreach(a, i, s)
		v[i] = xstrdup(json_string_value(s));
	*n = json_array_size(a);
	return v;
}

static const char *
lang_of(struct in *x, json_t *o)
{
	const char *l = jstr(o, "lang");

	if (l == NULL)
		return NULL;
	if (cat_lang_ok(l))
		return l;
	drop_line(x, "not carried: its language (a message is in ar, zh, en, fr, ru or es; "
	    "the text is sent as en)");
	return NULL;
}

/* The fields, subject and body once every object was read. */
static int
finish(struct in *x, struct stix_draft *d)
{
	json_t *main_obj = x->incident ? x->incident : x->report, *ext;
	const char *subject = NULL, *lang = NULL, *fs;
	char ts[STIX_TS_LEN];

	if (x->incident != NULL)
		subject = jstr(x->incident, "name");
	if (subject == NULL && x->report != NULL)
		subject = jstr(x->report, "name");
	if (x->incident != NULL) {
		x->i = x->incident_i;
		x->id = jstr(x->incident, "id");
		lang = lang_of(x, x->incident);
	}
	if (lang == NULL && x->report != NULL) {
		x->i = x->report_i;
		x->id = jstr(x->report, "id");
		lang = lang_of(x, x->report);
	}
	if (x->report != NULL) {
		struct buf b = {0};
		body_add(&b, jstr(x->report, "description"));
		body_add(&b, buf_cstr(&x->body));
		buf_free(&x->body);
		x->body = b;
	}
	if (x->incident != NULL || x->nind > 0) {
		d->template_id = "incident-notification";
		labels(x, main_obj);
		if (x->incident != NULL && jstr(x->incident, "description") != NULL &&
		    jstr(x->incident, "description")[0] != '\0')
			kv_add(x, "impact_description", jstr(x->incident, "description"));
		if (x->measures.len > 0)
			kv_add(x, "measures_taken", buf_cstr(&x->measures));
		ext = json_object_get(json_object_get(x->incident, "extensions"),
		    STIX_ROSTER_EXTENSION);
		if ((fs = jstr(ext, "first_seen")) != NULL)
			kv_add(x, "first_seen", fs);
		else if (x->have_first || x->have_valid) {
			stix_ts_format(x->have_first ? x->first_observed : x->first_valid, 0, ts);
			kv_add(x, "first_seen", ts);
		}
	} else if (x->measures.len > 0)
		body_add(&x->body, buf_cstr(&x->measures));
	d->subject = subject != NULL ? xstrdup(subject) : NULL;
	d->body = xstrdup(buf_cstr(&x->body));
	snprintf(d->lang, sizeof(d->lang), "%s", lang ? lang : "en");
	return 0;
}

int
stix_to_draft(json_t *bundle, struct stix_draft *d)
{
	struct in x = { .tlp = -1 };
	json_t *o;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	x.objs = json_object_get(bundle, "objects");
	if (json_array_size(x.objs) == 0) {
		rs_seterr("the bundle has no objects: nothing to send");
		return -1;
	}
	x.kv = json_array();
	x.dropped = json_array();
	json_array_foreach(x.objs, x.i, o)
		if (read_object(&x, o) != 0)
			goto out;
	if (finish(&x, d) != 0)
		goto out;
	if (x.tlp >= 0)
		snprintf(d->tlp, sizeof(d->tlp), "%s", x.tlp == 0 ? "CLEAR" : x.tlp == 1 ?
		    "GREEN" : x.tlp == 2 ? "AMBER" : x.tlp == 3 ? "AMBER+STRICT" : "RED");
	d->no_forward = x.no_forward;
	rc = 0;
out:
	d->kv = strings(x.kv, &d->nkv);
	d->dropped = strings(x.dropped, &d->ndropped);
	json_decref(x.kv);
	json_decref(x.dropped);
	buf_free(&x.body);
	buf_free(&x.measures);
	return rc;
}

void
stix_draft_free(struct stix_draft *d)
{
	for (size_t i = 0; d->kv != NULL && i < d->nkv; i++)
		free(d->kv[i]);
	for (size_t i = 0; d->dropped != NULL && i < d->ndropped; i++)
		free(d->dropped[i]);
	free(d->kv);
	free(d->dropped);
	free(d->subject);
	free(d->body);
	memset(d, 0, sizeof(*d));
}
