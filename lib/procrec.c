/*
 * procrec.c - reading process records (see procrec.h; the shapes are in
 * docs/protocol.md section 10).
 *
 * Strict by design: a payload may hold only the fields its kind defines,
 * every text is bounded, every list is bounded and without duplicates, and
 * every error names the field.  Two implementations that agree on this page
 * agree on what enters the log, so being lenient here would be a way for
 * hub and nodes to disagree.  Header fields other than the kind's are left
 * alone (the envelope layer owns v, key, time, state, seq, prev...).
 */
#include "procrec.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "directory.h"
#include "jsonutil.h"
#include "seal.h"

const char *const proc_un_languages[6] = { "ar", "zh", "en", "fr", "ru", "es" };

/* Names to kinds; everything else about a kind (public, its payload limit,
 * who signs it) is its row in lib/kinds.c, the one table. */
const struct proc_kind_info proc_kinds[] = {
	{ "body",         PROC_K_BODY,         KIND_BODY },
	{ "body-rules",   PROC_K_BODY_RULES,   KIND_BODY_RULES },
	{ "meeting",      PROC_K_MEETING,      KIND_MEETING },
	{ "paper",        PROC_K_PAPER,        KIND_PAPER },
	{ "paper-lang",   PROC_K_PAPER_LANG,   KIND_PAPER_LANG },
	{ "proposal",     PROC_K_PROPOSAL,     KIND_PROPOSAL },
	{ "position",     PROC_K_POSITION,     KIND_POSITION },
	{ "withdraw",     PROC_K_WITHDRAW,     KIND_WITHDRAW },
	{ "application",  PROC_K_APPLICATION,  KIND_APPLICATION },
	{ "contribution", PROC_K_CONTRIBUTION, KIND_CONTRIBUTION },
	{ NULL,           PROC_K_NONE,         KIND_UNKNOWN },
};

const struct proc_kind_info *
procrec_kind(const char *name)
{
	for (const struct proc_kind_info *k = proc_kinds; name != NULL && k->name; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

/* ---- small validators --------------------------------------------------- */

static int
is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_alnum(int c)
{
	return is_lower(c) || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int
procrec_valid_lang(const char *s)
{
	size_t n = 0, sub;

	if (s == NULL)
		return 0;
	while (is_lower((unsigned char)s[n]))
		n++;
	if (n < 2 || n > 3)
		return 0;
	if (s[n] == '\0')
		return 1;
	if (s[n] != '-')
		return 0;
	for (sub = 0; is_alnum((unsigned char)s[n + 1 + sub]); sub++)
		;
	return sub >= 2 && sub <= 8 && s[n + 1 + sub] == '\0';
}

int
procrec_valid_name(const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n >= PROC_NAME_MAX)
		return 0;
	if (!is_lower((unsigned char)s[0]) && !(s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_lower((unsigned char)s[i]) && !(s[i] >= '0' && s[i] <= '9') &&
		    s[i] != '-')
			return 0;
	return 1;
}

int
procrec_blob_plain(uint64_t blob, uint64_t *plain)
{
	uint64_t k0 = blob / (BLOB_CHUNK + BLOB_ABYTES);

	for (uint64_t k = k0; k <= k0 + 1; k++) {
		if (k == 0 || blob < BLOB_ABYTES * k)
			continue;
		uint64_t p = blob - BLOB_ABYTES * k;
		if (p <= PROC_FILE_MAX && blob_cipher_size(p) == blob) {
			*plain = p;
			return 1;
		}
	}
	return 0;
}

/* Puts "what: " before the error already set (rs_err's buffer is the
 * destination, so it is copied first). */
static void
err_prefix(const char *what)
{
	char was[RS_ERRLEN];

	snprintf(was, sizeof(was), "%s", rs_err());
	rs_seterr("%s: %s", what, was);
}

/* o holds no field outside allowed (NULL-terminated). */
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

/* {lang: text}: 1 to PROC_MAX_TEXTS languages, each text 1 to max bytes. */
static int
texts_ok(json_t *o, const char *what, size_t max)
{
	const char *lang;
	json_t *v;

	if (!json_is_object(o) || json_object_size(o) == 0 ||
	    json_object_size(o) > PROC_MAX_TEXTS) {
		rs_seterr("\"%s\" must be an object of 1 to %d language: text", what,
		    PROC_MAX_TEXTS);
		return -1;
	}
	json_object_foreach(o, lang, v) {
		if (!procrec_valid_lang(lang)) {
			rs_seterr("\"%s\": \"%.20s\" is not a language code", what, lang);
			return -1;
		}
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    json_string_length(v) > max) {
			rs_seterr("\"%s\" in %s must be a text of 1 to %zu bytes", what,
			    lang, max);
			return -1;
		}
	}
	return 0;
}

/* A bounded text with no control characters (names, types, addresses). */
static int
plain_text_ok(json_t *v, const char *what, size_t max)
{
	const char *s;

	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > max) {
		rs_seterr("\"%s\" must be a text of 1 to %zu bytes", what, max);
		return -1;
	}
	s = json_string_value(v);
	for (size_t i = 0; i < json_string_length(v); i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			rs_seterr("\"%s\" holds a control character", what);
			return -1;
		}
	return 0;
}

static int
states_ok(json_t *a, const char *what, struct proc_states *out)
{
	json_t *v;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > PROC_MAX_STATES) {
		rs_seterr("\"%s\" must list 1 to %d State codes", what, PROC_MAX_STATES);
		return -1;
	}
	out->n = 0;
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v);
		if (!dir_state_code(s)) {
			rs_seterr("\"%s\" entry %zu is not a State code", what, i);
			return -1;
		}
		for (size_t j = 0; j < out->n; j++)
			if (strcmp(out->v[j], s) == 0) {
				rs_seterr("\"%s\" lists %s twice", what, s);
				return -1;
			}
		memcpy(out->v[out->n++], s, 3);
	}
	return 0;
}

static int
langs_ok(json_t *a, struct proc_langs *out)
{
	json_t *v;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > PROC_MAX_LANGS) {
		rs_seterr("\"languages\" must list 1 to %d language codes", PROC_MAX_LANGS);
		return -1;
	}
	out->n = 0;
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v);
		if (!procrec_valid_lang(s)) {
			rs_seterr("\"languages\" entry %zu is not a language code", i);
			return -1;
		}
		for (size_t j = 0; j < out->n; j++)
			if (strcmp(out->v[j], s) == 0) {
				rs_seterr("\"languages\" lists %s twice", s);
				return -1;
			}
		snprintf(out->v[out->n++], PROC_LANG_MAX, "%s", s);
	}
	return 0;
}

/* ---- rules and members -------------------------------------------------- */

void
procrec_rules_default(struct proc_rules *r)
{
	memset(r, 0, sizeof(*r));
	r->silence_ms = PROC_DEFAULT_SILENCE_MS;
	r->lead_ms = PROC_DEFAULT_LEAD_MS;
	for (size_t i = 0; i < 6; i++)
		snprintf(r->langs.v[i], PROC_LANG_MAX, "%s", proc_un_languages[i]);
	r->langs.n = 6;
	r->objections = PROC_SHOW_ALL;
	r->proposers = PROC_PROPOSE_CHAIR;
	r->ecosoc = PROC_ADMIT_SILENCE;
	r->other = PROC_ADMIT_SILENCE;
}

static const char *admission_names[] = { "silence", "admit", "closed", NULL };

static int
admission_of(json_t *v, const char *what, enum proc_admission *out)
{
	const char *s = json_string_value(v);

	for (int i = 0; s != NULL && admission_names[i] != NULL; i++)
		if (strcmp(s, admission_names[i]) == 0) {
			*out = (enum proc_admission)i;
			return 0;
		}
	rs_seterr("\"stakeholders\".\"%s\" must be \"silence\", \"admit\" or \"closed\"",
	    what);
	return -1;
}

static int
duration_ok(json_t *o, const char *field, int64_t min, int64_t max, int64_t *out)
{
	json_t *v = json_object_get(o, field);

	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max) {
		rs_seterr("\"%s\" must be an integer from %lld to %lld (ms)", field,
		    (long long)min, (long long)max);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

int
procrec_rules_merge(const struct proc_rules *base, json_t *o, struct proc_rules *out)
{
	static const char *const fields[] = { "silence_ms", "lead_time_ms",
	    "languages", "objections", "proposers", "stakeholders", NULL };
	static const char *const sh_fields[] = { "ecosoc", "other", NULL };
	struct proc_rules *r = xmalloc(sizeof(*r));
	json_t *v, *w;
	int rc = -1;

	*r = *base;
	if (!json_is_object(o)) {
		rs_seterr("\"rules\" must be an object");
		goto out;
	}
	if (only_fields(o, "\"rules\"", fields) != 0 ||
	    duration_ok(o, "silence_ms", PROC_MIN_SILENCE_MS, PROC_MAX_SILENCE_MS,
	    &r->silence_ms) != 0 ||
	    duration_ok(o, "lead_time_ms", 0, PROC_MAX_LEAD_MS, &r->lead_ms) != 0)
		goto out;
	if ((v = json_object_get(o, "languages")) != NULL && langs_ok(v, &r->langs) != 0)
		goto out;
	if ((v = json_object_get(o, "objections")) != NULL) {
		const char *s = json_string_value(v);
		if (s != NULL && strcmp(s, "all") == 0)
			r->objections = PROC_SHOW_ALL;
		else if (s != NULL && strcmp(s, "chair") == 0)
			r->objections = PROC_SHOW_CHAIR;
		else {
			rs_seterr("\"objections\" must be \"all\" or \"chair\"");
			goto out;
		}
	}
	if ((v = json_object_get(o, "proposers")) != NULL) {
		const char *s = json_string_value(v);
		if (s != NULL && strcmp(s, "chair") == 0)
			r->proposers = PROC_PROPOSE_CHAIR;
		else if (s != NULL && strcmp(s, "members") == 0)
			r->proposers = PROC_PROPOSE_MEMBERS;
		else if (json_is_array(v)) {
			if (states_ok(v, "proposers", &r->listed) != 0)
				goto out;
			r->proposers = PROC_PROPOSE_LISTED;
		} else {
			rs_seterr("\"proposers\" must be \"chair\", \"members\" or a list "
			    "of State codes");
			goto out;
		}
		if (r->proposers != PROC_PROPOSE_LISTED)
			r->listed.n = 0;
	}
	if ((v = json_object_get(o, "stakeholders")) != NULL) {
		if (!json_is_object(v) || only_fields(v, "\"stakeholders\"", sh_fields) != 0) {
			if (!json_is_object(v))
				rs_seterr("\"stakeholders\" must be an object");
			goto out;
		}
		if ((w = json_object_get(v, "ecosoc")) != NULL &&
		    admission_of(w, "ecosoc", &r->ecosoc) != 0)
			goto out;
		if ((w = json_object_get(v, "other")) != NULL &&
		    admission_of(w, "other", &r->other) != 0)
			goto out;
	}
	*out = *r;
	rc = 0;
out:
	free(r);
	return rc;
}

static json_t *
states_json(const struct proc_states *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(a, json_string(s->v[i]));
	return a;
}

json_t *
procrec_rules_json(const struct proc_rules *r)
{
	json_t *o = json_object(), *l = json_array();

	json_object_set_new(o, "silence_ms", json_integer(r->silence_ms));
	json_object_set_new(o, "lead_time_ms", json_integer(r->lead_ms));
	for (size_t i = 0; i < r->langs.n; i++)
		json_array_append_new(l, json_string(r->langs.v[i]));
	json_object_set_new(o, "languages", l);
	json_object_set_new(o, "objections", json_string(r->objections ==
	    PROC_SHOW_CHAIR ? "chair" : "all"));
	if (r->proposers == PROC_PROPOSE_LISTED)
		json_object_set_new(o, "proposers", states_json(&r->listed));
	else
		json_object_set_new(o, "proposers", json_string(r->proposers ==
		    PROC_PROPOSE_MEMBERS ? "members" : "chair"));
	json_object_set_new(o, "stakeholders", json_pack("{s:s,s:s}",
	    "ecosoc", admission_names[r->ecosoc], "other", admission_names[r->other]));
	return o;
}

static int
members_ok(json_t *v, struct proc_members *m)
{
	const char *s = json_string_value(v);

	memset(m, 0, sizeof(*m));
	if (s != NULL && strcmp(s, "all") == 0) {
		m->kind = PROC_MEMBERS_ALL;
		return 0;
	}
	if (s != NULL && strncmp(s, "group:", 6) == 0 && procrec_valid_name(s + 6)) {
		m->kind = PROC_MEMBERS_GROUP;
		snprintf(m->group, sizeof(m->group), "%s", s + 6);
		return 0;
	}
	if (json_is_array(v)) {
		m->kind = PROC_MEMBERS_LIST;
		return states_ok(v, "members", &m->list);
	}
	rs_seterr("\"members\" must be \"all\", \"group:NAME\" or a list of State codes");
	return -1;
}

json_t *
procrec_members_json(const struct proc_members *m)
{
	char g[PROC_NAME_MAX + 8];

	switch (m->kind) {
	case PROC_MEMBERS_GROUP:
		snprintf(g, sizeof(g), "group:%s", m->group);
		return json_string(g);
	case PROC_MEMBERS_LIST:
		return states_json(&m->list);
	default:
		return json_string("all");
	}
}

/* ---- header fields ------------------------------------------------------ */

/* A record id in the header (64 hex digits); optional unless required. */
static int
hdr_id(const struct envelope *e, const char *field, int required, int *has,
    uint8_t out[32])
{
	json_t *v = env_field(e, field);

	if (v == NULL && !required) {
		if (has != NULL)
			*has = 0;
		return 0;
	}
	if (!json_is_string(v) || hex_decode_exact(out, 32, json_string_value(v)) != 0) {
		rs_seterr("%s \"%s\" must be a record id (64 hexadecimal digits)",
		    e->kind, field);
		return -1;
	}
	if (has != NULL)
		*has = 1;
	return 0;
}

static int
hdr_body(const struct envelope *e, struct proc_rec *r)
{
	const char *s = env_str(e, "body");

	if (!procrec_valid_name(s)) {
		rs_seterr("%s must name its body in \"body\" (1 to %d of a-z, 0-9, -)",
		    e->kind, PROC_NAME_MAX - 1);
		return -1;
	}
	snprintf(r->body, sizeof(r->body), "%s", s);
	return 0;
}

static int
hdr_audience(const struct envelope *e, struct proc_rec *r)
{
	const char *s = env_str(e, "audience");

	if (s != NULL && strcmp(s, "public") == 0)
		r->audience = PROC_PUBLIC;
	else if (s != NULL && strcmp(s, "members") == 0)
		r->audience = PROC_MEMBERS;
	else {
		rs_seterr("%s \"audience\" must be \"public\" or \"members\"", e->kind);
		return -1;
	}
	return 0;
}

static int
hdr_time(const struct envelope *e, const char *field, int64_t *out)
{
	json_t *v = env_field(e, field);

	if (!json_is_integer(v) || json_integer_value(v) <= 0) {
		rs_seterr("%s \"%s\" must be a time (ms since 1970, positive)", e->kind,
		    field);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

/* "files": 1 to PROC_MAX_FILES of exactly {"lang", "sha256", "size"}, the
 * languages distinct, each size that of an encrypted file of at most
 * PROC_FILE_MAX bytes. */
int
procrec_files(const struct envelope *e, struct proc_files *f)
{
	static const char *const fields[] = { "lang", "sha256", "size", NULL };
	json_t *a = env_field(e, "files"), *v;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) == 0) {
		rs_seterr("%s has no file: \"files\" must list 1 to %d language versions",
		    e->kind, PROC_MAX_FILES);
		return -1;
	}
	if (json_array_size(a) > PROC_MAX_FILES) {
		rs_seterr("%s has %zu files; at most %d language versions per record",
		    e->kind, json_array_size(a), PROC_MAX_FILES);
		return -1;
	}
	f->n = 0;
	json_array_foreach(a, i, v) {
		struct proc_file *x = &f->v[f->n];
		const char *lang = jstr(v, "lang"), *sha = jstr(v, "sha256");
		json_t *size = json_object_get(v, "size");
		uint64_t plain;

		if (!json_is_object(v) || only_fields(v, "a file", fields) != 0) {
			if (!json_is_object(v))
				rs_seterr("%s file %zu is not an object", e->kind, i);
			return -1;
		}
		if (!procrec_valid_lang(lang)) {
			rs_seterr("%s file %zu: \"lang\" is not a language code", e->kind, i);
			return -1;
		}
		if (sha == NULL || blob_parse_name(sha, x->sha) != 0) {
			rs_seterr("%s file %zu: \"sha256\" must be 64 lower-case hex digits",
			    e->kind, i);
			return -1;
		}
		if (!json_is_integer(size) || json_integer_value(size) <= 0 ||
		    !procrec_blob_plain((uint64_t)json_integer_value(size), &plain)) {
			rs_seterr("%s file %zu (%s): \"size\" must be the size of an encrypted "
			    "file of at most %llu MiB", e->kind, i, lang,
			    (unsigned long long)(PROC_FILE_MAX >> 20));
			return -1;
		}
		for (size_t j = 0; j < f->n; j++)
			if (strcmp(f->v[j].lang, lang) == 0) {
				rs_seterr("%s lists two versions in %s", e->kind, lang);
				return -1;
			}
		snprintf(x->lang, sizeof(x->lang), "%s", lang);
		x->size = (uint64_t)json_integer_value(size);
		f->n++;
	}
	return 0;
}

/* ---- payloads ----------------------------------------------------------- */

static int
sealed_ok(const struct envelope *e, const char *what)
{
	uint8_t (*devs)[32] = NULL;
	size_t n;

	if (seal_recipients(e->payload, e->payload_len, &devs, &n) != 0) {
		err_prefix(what);
		return -1;
	}
	free(devs);
	return 0;
}

static int
json_payload(const struct envelope *e, struct proc_rec *r)
{
	if ((r->payload = env_payload_json(e)) == NULL) {
		err_prefix(e->kind);
		return -1;
	}
	return 0;
}

/* The public form of language versions: in the header's order, exactly
 * {"name", "type", "key" (b64, 32), "header" (b64, 24)}. */
static int
payload_files_ok(json_t *a, const struct proc_files *f, const char *kind)
{
	static const char *const fields[] = { "name", "type", "key", "header", NULL };
	json_t *v;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) != f->n) {
		rs_seterr("%s payload \"files\" must describe the %zu files of the header",
		    kind, f->n);
		return -1;
	}
	json_array_foreach(a, i, v) {
		struct buf k = {0}, h = {0};
		int bad;

		if (!json_is_object(v) || only_fields(v, "a file description", fields) != 0) {
			if (!json_is_object(v))
				rs_seterr("%s payload file %zu is not an object", kind, i);
			return -1;
		}
		if (plain_text_ok(json_object_get(v, "name"), "name", PROC_FILE_NAME_MAX) != 0 ||
		    plain_text_ok(json_object_get(v, "type"), "type", PROC_FILE_TYPE_MAX) != 0)
			return -1;
		if (strchr(jstr(v, "name"), '/') != NULL) {
			rs_seterr("%s payload file %zu: \"name\" holds a '/'", kind, i);
			return -1;
		}
		bad = jb64_req(v, "key", &k) != 0 || k.len != BLOB_KEYBYTES ||
		    jb64_req(v, "header", &h) != 0 || h.len != BLOB_HDRBYTES;
		sodium_memzero(k.p, k.len);
		buf_free(&k);
		buf_free(&h);
		if (bad) {
			rs_seterr("%s payload file %zu: \"key\" must be %d bytes and "
			    "\"header\" %d bytes, in base64", kind, i, BLOB_KEYBYTES,
			    BLOB_HDRBYTES);
			return -1;
		}
	}
	return 0;
}

static int
parse_body(const struct envelope *e, struct proc_rec *r, int change)
{
	static const char *const fields[] = { "chair", "members", "title", "rules", NULL };
	struct proc_rules tmp, base;
	json_t *p, *v;

	if (hdr_body(e, r) != 0 || json_payload(e, r) != 0)
		return -1;
	p = r->payload;
	if (only_fields(p, "body payload", fields) != 0)
		return -1;
	if ((v = json_object_get(p, "chair")) != NULL || !change) {
		if (!dir_state_code(json_string_value(v))) {
			rs_seterr("\"chair\" must be a State code");
			return -1;
		}
		memcpy(r->chair, json_string_value(v), 3);
		r->has_chair = 1;
	}
	if ((v = json_object_get(p, "members")) != NULL || !change) {
		if (v == NULL) {
			rs_seterr("a body must name its \"members\"");
			return -1;
		}
		if (members_ok(v, &r->members) != 0)
			return -1;
		r->has_members = 1;
	}
	if ((v = json_object_get(p, "title")) != NULL) {
		if (texts_ok(v, "title", PROC_TITLE_MAX) != 0)
			return -1;
		r->title = v;
	}
	if ((v = json_object_get(p, "rules")) != NULL) {
		procrec_rules_default(&base);
		if (procrec_rules_merge(&base, v, &tmp) != 0)
			return -1;
		r->rules = v;
	}
	if (change && json_object_size(p) == 0) {
		rs_seterr("body-rules changes nothing (chair, members, title or rules)");
		return -1;
	}
	return 0;
}

static int
parse_meeting(const struct envelope *e, struct proc_rec *r)
{
	static const char *const fields[] = { "title", "place", NULL };
	json_t *v;

	if (hdr_body(e, r) != 0 || hdr_time(e, "start", &r->start) != 0 ||
	    hdr_time(e, "end", &r->end) != 0)
		return -1;
	if (r->end <= r->start || r->end - r->start > PROC_MAX_MEETING_MS) {
		rs_seterr("a meeting's \"end\" must come after its \"start\", within 31 days");
		return -1;
	}
	if (json_payload(e, r) != 0 || only_fields(r->payload, "meeting payload", fields) != 0)
		return -1;
	if (texts_ok(json_object_get(r->payload, "title"), "title", PROC_TITLE_MAX) != 0)
		return -1;
	r->title = json_object_get(r->payload, "title");
	if ((v = json_object_get(r->payload, "place")) != NULL &&
	    plain_text_ok(v, "place", PROC_TITLE_MAX) != 0)
		return -1;
	return 0;
}

static int
parse_paper(const struct envelope *e, struct proc_rec *r, int more)
{
	static const char *const fields[] = { "title", "files", NULL };
	json_t *t;

	if (more) {
		if (hdr_id(e, "paper", 1, &r->has_ref, r->ref) != 0)
			return -1;
	} else if (hdr_body(e, r) != 0 ||
	    hdr_id(e, "meeting", 0, &r->has_meeting, r->meeting) != 0 ||
	    hdr_id(e, "contribution", 0, &r->has_contribution, r->contribution) != 0)
		return -1;
	if (hdr_audience(e, r) != 0 || procrec_files(e, &r->files) != 0)
		return -1;
	if (r->audience == PROC_MEMBERS)
		return sealed_ok(e, e->kind);
	if (json_payload(e, r) != 0 || only_fields(r->payload, "paper payload", fields) != 0)
		return -1;
	t = json_object_get(r->payload, "title");
	if ((t != NULL || !more) && texts_ok(t, "title", PROC_TITLE_MAX) != 0)
		return -1;
	r->title = t;
	return payload_files_ok(json_object_get(r->payload, "files"), &r->files, e->kind);
}

static int
parse_proposal(const struct envelope *e, struct proc_rec *r)
{
	static const char *const fields[] = { "text", NULL };
	const char *lang = env_str(e, "lang");
	json_t *s = env_field(e, "silence_ms");

	if (hdr_body(e, r) != 0 || hdr_audience(e, r) != 0 ||
	    hdr_id(e, "meeting", 0, &r->has_meeting, r->meeting) != 0 ||
	    hdr_id(e, "paper", 0, &r->has_paper, r->paper) != 0)
		return -1;
	if (!procrec_valid_lang(lang)) {
		rs_seterr("proposal \"lang\" (the original's language) is not a language code");
		return -1;
	}
	snprintf(r->lang, sizeof(r->lang), "%s", lang);
	r->silence_ms = -1;
	if (s != NULL) {
		if (!json_is_integer(s) || json_integer_value(s) < PROC_MIN_SILENCE_MS ||
		    json_integer_value(s) > PROC_MAX_SILENCE_MS) {
			rs_seterr("proposal \"silence_ms\" must be an integer from %lld to %lld",
			    (long long)PROC_MIN_SILENCE_MS, (long long)PROC_MAX_SILENCE_MS);
			return -1;
		}
		r->silence_ms = json_integer_value(s);
	}
	if (r->audience == PROC_MEMBERS)
		return sealed_ok(e, "proposal");
	if (json_payload(e, r) != 0 || only_fields(r->payload, "proposal payload", fields) != 0)
		return -1;
	r->text = json_object_get(r->payload, "text");
	if (texts_ok(r->text, "text", PROC_TEXT_MAX) != 0)
		return -1;
	if (json_object_get(r->text, r->lang) == NULL) {
		rs_seterr("proposal \"text\" has no %s, the language it names as the original",
		    r->lang);
		return -1;
	}
	return 0;
}

static int
parse_position(const struct envelope *e, struct proc_rec *r)
{
	static const char *const fields[] = { "reason", NULL };
	const char *stance = env_str(e, "stance");
	json_t *reason;
	struct buf b = {0};
	uint8_t (*devs)[32] = NULL;
	size_t n;
	int rc;

	if (hdr_id(e, "ref", 1, &r->has_ref, r->ref) != 0)
		return -1;
	if (stance != NULL && strcmp(stance, "object") == 0)
		r->stance = PROC_OBJECT;
	else if (stance != NULL && strcmp(stance, "support") == 0)
		r->stance = PROC_SUPPORT;
	else {
		rs_seterr("position \"stance\" must be \"object\" or \"support\"");
		return -1;
	}
	if (json_payload(e, r) != 0 || only_fields(r->payload, "position payload", fields) != 0)
		return -1;
	if ((reason = json_object_get(r->payload, "reason")) == NULL)
		return 0;
	if (jb64_req(r->payload, "reason", &b) != 0) {
		buf_free(&b);
		return -1;
	}
	rc = seal_recipients(b.p, b.len, &devs, &n);
	free(devs);
	buf_free(&b);
	if (rc != 0) {
		err_prefix("position \"reason\"");
		return -1;
	}
	return 0;
}

static int
parse_withdraw(const struct envelope *e, struct proc_rec *r)
{
	if (hdr_id(e, "ref", 1, &r->has_ref, r->ref) != 0 || json_payload(e, r) != 0)
		return -1;
	if (json_object_size(r->payload) != 0) {
		rs_seterr("withdraw payload must be {}");
		return -1;
	}
	return 0;
}

static int
parse_application(const struct envelope *e, struct proc_rec *r)
{
	static const char *const fields[] = { "name", "website", "about", NULL };
	json_t *eco = env_field(e, "ecosoc"), *v;
	const char *w;

	if (hdr_body(e, r) != 0)
		return -1;
	if (!json_is_boolean(eco)) {
		rs_seterr("application \"ecosoc\" must be true or false");
		return -1;
	}
	r->ecosoc = json_is_true(eco);
	if (json_payload(e, r) != 0 ||
	    only_fields(r->payload, "application payload", fields) != 0 ||
	    plain_text_ok(json_object_get(r->payload, "name"), "name", PROC_ORG_MAX) != 0)
		return -1;
	if ((v = json_object_get(r->payload, "website")) != NULL) {
		if (plain_text_ok(v, "website", PROC_URL_MAX) != 0)
			return -1;
		w = json_string_value(v);
		if (strncmp(w, "https://", 8) != 0 && strncmp(w, "http://", 7) != 0) {
			rs_seterr("\"website\" must start with https:// or http://");
			return -1;
		}
	}
	if ((v = json_object_get(r->payload, "about")) != NULL &&
	    (!json_is_string(v) || json_string_length(v) > PROC_ABOUT_MAX)) {
		rs_seterr("\"about\" must be a text of at most %d bytes", PROC_ABOUT_MAX);
		return -1;
	}
	return 0;
}

static int
parse_contribution(const struct envelope *e, struct proc_rec *r)
{
	if (hdr_body(e, r) != 0 || hdr_id(e, "application", 1, NULL, r->application) != 0 ||
	    procrec_files(e, &r->files) != 0)
		return -1;
	return sealed_ok(e, "contribution");
}

enum proc_result
procrec_parse(const struct envelope *e, struct proc_rec *r)
{
	const struct proc_kind_info *k = procrec_kind(e->kind);
	const struct kind_info *ki;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (k == NULL || (ki = kind_info(k->id)) == NULL) {
		rs_seterr("\"%s\" is not a process record", e->kind);
		return PROC_MALFORMED;
	}
	assert(kind_has(k->id, KIND_PUBLIC | KIND_PROCESS));
	if (e->payload_len > ki->max_payload) {
		rs_seterr("%s payload is %zu bytes; at most %zu", k->name, e->payload_len,
		    ki->max_payload);
		return PROC_MALFORMED;
	}
	r->kind = k->kind;
	switch (k->kind) {
	case PROC_K_BODY:
		rc = parse_body(e, r, 0);
		break;
	case PROC_K_BODY_RULES:
		rc = parse_body(e, r, 1);
		break;
	case PROC_K_MEETING:
		rc = parse_meeting(e, r);
		break;
	case PROC_K_PAPER:
		rc = parse_paper(e, r, 0);
		break;
	case PROC_K_PAPER_LANG:
		rc = parse_paper(e, r, 1);
		break;
	case PROC_K_PROPOSAL:
		rc = parse_proposal(e, r);
		break;
	case PROC_K_POSITION:
		rc = parse_position(e, r);
		break;
	case PROC_K_WITHDRAW:
		rc = parse_withdraw(e, r);
		break;
	case PROC_K_APPLICATION:
		rc = parse_application(e, r);
		break;
	case PROC_K_CONTRIBUTION:
		rc = parse_contribution(e, r);
		break;
	case PROC_K_NONE:
		break;
	}
	if (rc != 0) {
		procrec_free(r);
		return PROC_MALFORMED;
	}
	return PROC_OK;
}

void
procrec_free(struct proc_rec *r)
{
	json_decref(r->payload);
	memset(r, 0, sizeof(*r));
}
