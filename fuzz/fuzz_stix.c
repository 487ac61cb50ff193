/*
 * fuzz_stix.c - libFuzzer target for STIX 2.1: the bundle validator, the
 * pattern parser and both directions of the mapping (lib/stix.h,
 * lib/stixmap.h).
 *
 * A node takes bundles from CERT tools (roster send --stix, a writable
 * TAXII collection) and other States' message payloads, and trusts
 * neither.  Three kinds of input, told apart by the first byte:
 *
 *   'P': the rest is a pattern, parsed alone;
 *   'M': the rest is a message payload (JSON), mapped to a bundle as a
 *        message of XA signed by a fixed key;
 *   anything else: a bundle, parsed and checked, then drafted into a
 *        message and, when that works, filled into its template.
 *
 * Invariants that abort:
 *   - every bundle roster makes of a payload passes the validator, maps
 *     back to a draft, and serialises to the same bytes when made again;
 *   - a bundle the validator accepts, written out and read again, is
 *     accepted again;
 *   - whatever a draft's pairs fill, catalogue_check_fields accepts;
 *   - for every "=" comparison of an accepted pattern, the value quoted
 *     back into "[path = 'value']" parses to the same value.
 *
 * The shipped catalogue is found as fuzz_catalogue.c finds it.
 */
#include <libgen.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "jsonutil.h"
#include "stix.h"
#include "stixmap.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct catalogue *cat;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char up[4096];

	jalloc_init();
	if (getenv("ROSTER_SHARE") == NULL) {
		setenv("ROSTER_SHARE", "share", 1);
		cat = catalogue_new();
		if (catalogue_load_shipped(cat) != 0) {
			char *self = xstrdup((*argv)[0]);
			snprintf(up, sizeof(up), "%s/../share", dirname(self));
			free(self);
			setenv("ROSTER_SHARE", up, 1);
			catalogue_free(cat);
			cat = NULL;
		}
	}
	if (cat == NULL) {
		cat = catalogue_new();
		if (catalogue_load_shipped(cat) != 0) {
			fprintf(stderr, "fuzz_stix: %s\n", rs_err());
			abort();
		}
	}
	return 0;
}

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_stix: %s: %s\n", what, rs_err());
	abort();
}

static void
fuzz_pattern(const char *s)
{
	struct stix_pattern p;

	if (stix_pattern_parse(s, &p) == 0) {
		for (size_t i = 0; i < p.nnodes; i++) {
			const struct stix_node *n = &p.nodes[i];
			struct stix_pattern q;
			struct buf b = {0};
			if (n->kind != STIX_N_TEST || n->op != STIX_OP_EQ)
				continue;
			buf_printf(&b, "[%s = ", stix_path_text(n->path));
			stix_pattern_quote(&b, p.values[n->first]);
			buf_addstr(&b, "]");
			if (stix_pattern_parse(buf_cstr(&b), &q) != 0 ||
			    strcmp(q.values[0], p.values[n->first]) != 0)
				die("a value quoted back does not parse to itself");
			stix_pattern_free(&q);
			buf_free(&b);
		}
	}
	stix_pattern_free(&p);
}

static void
fill_draft(struct stix_draft *d)
{
	json_t *fields;

	if (d->template_id == NULL)
		return;
	if (catalogue_fill(cat, d->template_id, (const char **)d->kv, d->nkv, d->lang,
	    &fields) == 0) {
		if (catalogue_check_fields(cat, d->template_id, fields) != 0)
			die("filled fields refused");
		json_decref(fields);
	}
}

static void
fuzz_message(const uint8_t *data, size_t size)
{
	static const uint8_t key[32] = { 7 };
	struct stix_source m = { .message_id =
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	    .log_index = 3, .signed_ms = INT64_C(1764583200000), .state = "XA",
	    .signer_key = key };
	json_t *b, *again;
	struct stix_draft d;
	char *x, *y;

	if ((m.payload = json_loadb((const char *)data, size, 0, NULL)) == NULL)
		return;
	if (stix_from_message(cat, &m, &b) == STIX_MAP_OK) {
		if (stix_bundle_check(b) != STIX_OK)
			die("roster's bundle is not valid STIX");
		if (stix_to_draft(b, &d) != 0)
			die("roster's bundle does not draft");
		fill_draft(&d);
		stix_draft_free(&d);
		if (stix_from_message(cat, &m, &again) != STIX_MAP_OK)
			die("mapped once, not twice");
		x = jdump(b);
		y = jdump(again);
		if (strcmp(x, y) != 0)
			die("the same message mapped to other bytes");
		free(x);
		free(y);
		json_decref(again);
		json_decref(b);
	}
	json_decref(m.payload);
}

static void
fuzz_bundle(const uint8_t *data, size_t size)
{
	struct stix_draft d;
	json_t *b, *again;
	char *text;

	if (stix_bundle_parse(data, size, &b) != STIX_OK)
		return;
	text = json_dumps(b, JSON_COMPACT);
	if (text == NULL || stix_bundle_parse(text, strlen(text), &again) != STIX_OK)
		die("an accepted bundle, written out, is refused");
	json_decref(again);
	free(text);
	if (stix_to_draft(b, &d) == 0)
		fill_draft(&d);
	stix_draft_free(&d);
	json_decref(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0 && data[0] == 'P') {
		char *s = xmalloc(size);
		memcpy(s, data + 1, size - 1);
		s[size - 1] = '\0';
		fuzz_pattern(s);
		free(s);
	} else if (size > 0 && data[0] == 'M')
		fuzz_message(data + 1, size - 1);
	else
		fuzz_bundle(data, size);
	return 0;
}
