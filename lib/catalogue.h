/*
 * catalogue.h - message templates and the taxonomies their choice fields
 * draw from, in the six official UN languages.
 *
 * A template is a schema: a list of typed fields (text, choice, datetime,
 * states, indicators, attachment), each with a label and help text in
 * Arabic, Chinese, English, French, Russian and Spanish.  A sender fills a
 * template with "name=value" pairs; the result is a canonical JSON object of
 * field values that carries no labels at all, so a recipient renders every
 * label and every taxonomy value in its own language whatever the sender's.
 * Free text carries the language tag it was written in.
 *
 * The catalogue is data (docs/templates.md): share/catalogue/ as shipped,
 * then any folder or document an operator adds.  Everything added is checked
 * the same way, whoever wrote it, since a hub's operator is not trusted:
 * every label in all six languages, every taxonomy a template names present,
 * every name and code well formed, sizes bounded.  A later entry with the
 * id of a loaded one replaces it only if its version is higher.
 *
 * Loading records each refused file or entry as a "problem" (a sentence
 * naming the file and what is wrong) and goes on with the rest; the caller
 * decides whether a problem is fatal (the shipped catalogue) or a warning
 * (an operator's addition).
 */
#ifndef ROSTER_CATALOGUE_H
#define ROSTER_CATALOGUE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "util.h"

#define CAT_NLANGS	VOCAB_NLANGS	/* the languages are lib/vocab.h's */
#define CAT_MAX_FILE	((size_t)256 << 10)	/* bytes per catalogue file */
#define CAT_MAX_FILES	512			/* files per folder */
#define CAT_MAX_DOC	((size_t)8 << 20)	/* bytes of a hub's document */
#define CAT_MAX_FIELDS	64
#define CAT_MAX_VALUES	1000			/* codes per taxonomy */
#define CAT_MAX_LIST	1000			/* items of one list field */
#define CAT_MAX_TEXT	65536			/* bytes of one text value */

/* "ar", "zh", "en", "fr", "ru", "es": the order labels are checked in. */
#define cat_langs	vocab_langs
#define cat_lang_ok	vocab_lang_ok

/* Replaces control characters (C0, DEL, C1) and bidirectional overrides
 * in s, in place, so text quoted from a file is safe on a terminal. */
void cat_printable(char *s);

struct catalogue;

struct catalogue *catalogue_new(void);
/* Drops a reference: the last one frees the catalogue. */
void catalogue_free(struct catalogue *c);
/* Makes c read only (its sorted lists built now, nothing added after), so
 * that threads may share it; catalogue_ref then takes another reference,
 * which catalogue_free drops.  A holder keeps its copy however many newer
 * ones replace it elsewhere (node/core/catalogue_node.c). */
void catalogue_freeze(struct catalogue *c);
struct catalogue *catalogue_ref(struct catalogue *c);

/* Loads share_dir()/catalogue.  Strict: -1 with rs_err naming the first
 * problem if any file is refused (a broken installation). */
int catalogue_load_shipped(struct catalogue *c);

/* Adds DIR/taxonomies/ *.json, then DIR/templates/ *.json.  source is what
 * catalogue_source reports for what came from there ("node", "hub", a
 * path).  A missing DIR is an empty one.  Returns the number of problems
 * recorded (refused files, ignored versions), or -1 with rs_err when DIR
 * cannot be read at all. */
int catalogue_add_dir(struct catalogue *c, const char *dir, const char *source);

/* Adds one file, a template (it has "fields") or a taxonomy, named
 * ID.json.  Returns the number of problems recorded (0 when it was added). */
int catalogue_add_file(struct catalogue *c, const char *path, const char *source);

/* Adds a document {"templates":[...], "taxonomies":[...]} (what a hub
 * serves at GET /v1/catalogue); name says where it came from in problems.
 * Returns the number of problems, or -1 with rs_err when doc is not such a
 * document at all. */
int catalogue_add_doc(struct catalogue *c, json_t *doc, const char *name,
    const char *source);
/* The same from bytes (bounded by CAT_MAX_DOC). */
int catalogue_add_doc_bytes(struct catalogue *c, const void *data, size_t len,
    const char *name, const char *source);

/* Problems recorded while loading, oldest first. */
size_t catalogue_nproblems(const struct catalogue *c);
const char *catalogue_problem(const struct catalogue *c, size_t i);

/* Templates sorted by id (a borrowed array of template objects), one
 * template or taxonomy by id (borrowed; NULL with rs_err when unknown). */
json_t *catalogue_templates(struct catalogue *c);
json_t *catalogue_taxonomies(struct catalogue *c);
json_t *catalogue_template(struct catalogue *c, const char *id);
json_t *catalogue_taxonomy(struct catalogue *c, const char *id);
/* Where the template or taxonomy id came from: "shipped" or a source. */
const char *catalogue_source(struct catalogue *c, const char *id);

/* {"templates":[...], "taxonomies":[...], "problems":[...]} of what came
 * from source (all of it when source is NULL); a new reference. */
json_t *catalogue_export(struct catalogue *c, const char *source);

/* A label object's text in lang; falls back to en and sets *fallback. */
const char *cat_label(json_t *i18n, const char *lang, int *fallback);

/* SHA-256 of the template's canonical JSON (keys sorted, compact): names
 * exactly which template version a message was written with. */
int catalogue_digest(struct catalogue *c, const char *id, uint8_t out[32]);

/* Fills template id from n "name=value" pairs: a list field takes a key
 * repeated or comma-separated values; lang is the language of the free
 * text (one of the six).  Checks required fields, types and taxonomy codes
 * and makes *fields, the canonical values object (fields in template
 * order).  -1 with rs_err naming the field on any bad value. */
int catalogue_fill(struct catalogue *c, const char *id, const char **kv,
    size_t n, const char *lang, json_t **fields);
/* Why the last catalogue_fill of this thread refused, as a code a page can
 * say in its reader's language: field-required, not-a-code, no-time-zone,
 * bad-datetime, bad-state, bad-indicator, too-long, too-many, one-value,
 * bad-text, unknown-field, unknown-template or bad-value, and *field the
 * field's name ("" when no field is the reason); NULL when it did not
 * refuse since the last call. */
const char *catalogue_fill_refusal(const char **field);

/* Checks a canonical fields object against template id (what a recipient
 * does before trusting it): -1 with rs_err naming the field. */
int catalogue_check_fields(struct catalogue *c, const char *id, json_t *fields);

/* An indicator as the indicators field takes it: type is ip, domain, url,
 * email, md5, sha1, sha256, sha512 or cve; 1 when value is one, with its
 * canonical spelling (lower case, IPs in standard form) in out, else 0.
 * The STIX mapping checks pattern values with it, so that both read
 * indicators by one rule. */
int catalogue_indicator(const char *type, const char *value, char *out, size_t len);

/* Human-readable text of fields with every label and taxonomy value in
 * lang.  A label missing in lang is shown in English marked "[en]"; a value
 * that does not fit the template is shown raw, marked.  Control characters
 * in values are replaced, so hostile text cannot drive a terminal. */
int catalogue_render(struct catalogue *c, const char *id, json_t *fields,
    const char *lang, struct buf *out);
/* The same, one object per field in the template's order, for a page that
 * lays them out itself: {"name", "label" (in lang; "label_lang": "en" when
 * lang has none), "kind" (the catalogue's type), "multiple", "text" (the
 * value for people, in lang; a list's values joined, and each in
 * "values"), "lang" (a text field's declared language), "time" (a
 * datetime, ms), "fits" (false: "why" is "does-not-fit", with "problem",
 * or "not-in-template", and "text" the raw value)}.  NULL with rs_err. */
json_t *catalogue_render_fields(struct catalogue *c, const char *id, json_t *fields,
    const char *lang);

#endif
