/*
 * fuzz_catalogue.c - libFuzzer target for the catalogue of templates.
 *
 * A node loads the hub operator's catalogue document (GET /v1/catalogue),
 * which it does not trust, and renders the fields of messages other
 * States' nodes filled.  Two kinds of input, told apart by the first byte:
 *
 *   '{' or anything else: a catalogue document, added to a catalogue that
 *       holds the shipped one; then, for every template, the document's
 *       "fields" member (any JSON) is checked and rendered in two
 *       languages, and the template's digest taken;
 *   '=': "=TEMPLATE\nname=value\nname=value..." filled against the
 *       shipped catalogue (language taken from the line "lang=XX" if any).
 *
 * Invariants that abort: whatever catalogue_fill accepts passes
 * catalogue_check_fields and renders; neither a rendering nor a problem
 * ever holds a control character (but a rendering's newlines) or a
 * bidirectional override.
 *
 * The shipped catalogue is found from ROSTER_SHARE, else share/ in the
 * current folder (scripts/check runs from the source tree), else next to
 * the binary's folder.
 */
#include <libgen.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "jsonutil.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct catalogue *base;
static json_t *base_doc;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char up[4096];

	jalloc_init();
	if (getenv("ROSTER_SHARE") == NULL) {
		setenv("ROSTER_SHARE", "share", 1);
		base = catalogue_new();
		if (catalogue_load_shipped(base) != 0) {
			char *self = xstrdup((*argv)[0]);
			snprintf(up, sizeof(up), "%s/../share", dirname(self));
			free(self);
			setenv("ROSTER_SHARE", up, 1);
			catalogue_free(base);
			base = NULL;
		}
	}
	if (base == NULL) {
		base = catalogue_new();
		if (catalogue_load_shipped(base) != 0) {
			fprintf(stderr, "fuzz_catalogue: %s\n", rs_err());
			abort();
		}
	}
	base_doc = catalogue_export(base, NULL);
	return 0;
}

/* No C0 control but newline, no DEL, no C1 control, no U+202A..U+202E. */
static void
no_controls(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((p[i] < 0x20 && p[i] != '\n') || p[i] == 0x7f ||
		    (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) ||
		    (p[i] == 0xe2 && i + 2 < len && p[i + 1] == 0x80 && p[i + 2] >= 0xaa &&
		    p[i + 2] <= 0xae)) {
			fprintf(stderr, "control character at %zu: 0x%02x\n", i, p[i]);
			abort();
		}
}

static void
render_all(struct catalogue *c, const char *id, json_t *fields)
{
	static const char *const langs[] = { "ar", "zh", "xx" };

	(void)catalogue_check_fields(c, id, fields);
	for (size_t i = 0; i < 3; i++) {
		struct buf b = {0};
		json_t *rf, *f;
		size_t k;
		if (catalogue_render(c, id, fields, langs[i], &b) == 0)
			no_controls(b.p, b.len);
		buf_free(&b);
		/* the structured rendering: the same values, no control either */
		if ((rf = catalogue_render_fields(c, id, fields, langs[i])) == NULL)
			continue;
		json_array_foreach(rf, k, f) {
			const char *t = jstr(f, "text"), *l = jstr(f, "label");
			if (t == NULL || l == NULL || !json_is_boolean(json_object_get(f, "fits")))
				abort();
			no_controls((const uint8_t *)t, strlen(t));
			no_controls((const uint8_t *)l, strlen(l));
		}
		json_decref(rf);
	}
}

static void
fuzz_document(const uint8_t *data, size_t size)
{
	struct catalogue *c = catalogue_new();
	json_t *doc, *t;
	uint8_t d[32];
	size_t i;

	if (catalogue_add_doc(c, base_doc, "shipped", "shipped") != 0)
		abort();
	if (catalogue_add_doc_bytes(c, data, size, "fuzz", "hub") >= 0 &&
	    (doc = json_loadb((const char *)data, size, 0, NULL)) != NULL) {
		json_t *fields = json_object_get(doc, "fields");
		json_array_foreach(catalogue_templates(c), i, t) {
			const char *id = json_string_value(json_object_get(t, "id"));
			if (catalogue_digest(c, id, d) != 0)
				abort();
			if (fields != NULL)
				render_all(c, id, fields);
		}
		json_decref(doc);
	}
	for (i = 0; i < catalogue_nproblems(c); i++) {
		const char *p = catalogue_problem(c, i);
		if (p == NULL)
			abort();
		no_controls((const uint8_t *)p, strlen(p));
	}
	catalogue_free(c);
}

static void
fuzz_fill(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size + 1), *line, *save = NULL, *id;
	const char *kv[64], *lang = "en";
	size_t n = 0;
	json_t *fields;

	memcpy(text, data, size);
	text[size] = '\0';
	id = strtok_r(text + 1, "\n", &save);
	while (id != NULL && n < 64 && (line = strtok_r(NULL, "\n", &save)) != NULL) {
		if (strncmp(line, "lang=", 5) == 0)
			lang = line + 5;
		else
			kv[n++] = line;
	}
	if (id != NULL && catalogue_fill(base, id, kv, n, lang, &fields) == 0) {
		if (catalogue_check_fields(base, id, fields) != 0) {
			fprintf(stderr, "filled fields refused: %s\n", rs_err());
			abort();
		}
		render_all(base, id, fields);
		json_decref(fields);
	}
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0 && data[0] == '=')
		fuzz_fill(data, size);
	else
		fuzz_document(data, size);
	return 0;
}
