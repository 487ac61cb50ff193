/*
 * test_vocab.c - the one vocabulary (lib/vocab.c), held to the taxonomies
 * shipped in share/catalogue/, and the one e-mail check.
 *
 * What it tries to break: a list in the code that drifts from the
 * catalogue a reader's labels come from (a TLP label or urgency added,
 * removed or reordered on one side only, a language the labels lack);
 * normalising that accepts what is not a label ("TLP:", "AMBER ", a
 * doubled prefix) or corrects what it should refuse; an audience whose
 * group names or "all" are changed by normalising; and e-mail addresses
 * that smuggle a line break, a second recipient or a header.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "directory.h"
#include "jsonutil.h"
#include "share.h"
#include "util.h"
#include "vocab.h"

/* The codes of a shipped taxonomy, in its order. */
static json_t *
taxonomy(const char *id)
{
	char rel[128], path[4096];
	struct buf b = {0};
	json_t *t;

	snprintf(rel, sizeof(rel), "catalogue/taxonomies/%s.json", id);
	assert_int_equal(share_path(path, sizeof(path), rel), 0);
	assert_int_equal(read_file(path, &b, 1 << 20), 0);
	t = jparse(b.p, b.len);
	buf_free(&b);
	assert_non_null(t);
	return t;
}

static void
same_codes(const char *id, const char *const *list, size_t n)
{
	json_t *t = taxonomy(id), *values = json_object_get(t, "values"), *v;
	size_t i;

	assert_int_equal(json_array_size(values), n);
	json_array_foreach(values, i, v)
		assert_string_equal(jstr(v, "code"), list[i]);
	json_decref(t);
}

static void
test_tlp_is_the_catalogue(void **state)
{
	(void)state;
	same_codes("tlp", vocab_tlp, VOCAB_NTLP);
	assert_null(vocab_tlp[VOCAB_NTLP]);
}

static void
test_urgency_is_the_catalogue(void **state)
{
	(void)state;
	same_codes("urgency", urgency_names, URGENCY_LEVELS);
	for (int i = 0; i < URGENCY_LEVELS; i++)
		assert_int_equal(urgency_index(urgency_names[i]), i);
	/* Most urgent first: the deadlines grow. */
	for (int i = 1; i < URGENCY_LEVELS; i++)
		assert_true(urgency_default_deadline_ms[i] > urgency_default_deadline_ms[i - 1]);
}

/* Every label object of every shipped taxonomy has exactly the languages
 * of vocab_langs. */
static void
test_languages_are_the_labels(void **state)
{
	static const char *const ids[] = { "tlp", "urgency", "sectors", "impact-levels",
	    "incident-classes", "threat-categories", "assistance-types",
	    "consultation-response", NULL };

	(void)state;
	for (int k = 0; ids[k] != NULL; k++) {
		json_t *t = taxonomy(ids[k]), *title = json_object_get(t, "title"), *v;
		size_t i;
		assert_int_equal(json_object_size(title), VOCAB_NLANGS);
		for (int l = 0; l < VOCAB_NLANGS; l++)
			assert_non_null(jstr(title, vocab_langs[l]));
		json_array_foreach(json_object_get(t, "values"), i, v) {
			json_t *label = json_object_get(v, "label");
			assert_int_equal(json_object_size(label), VOCAB_NLANGS);
			for (int l = 0; l < VOCAB_NLANGS; l++)
				assert_non_null(jstr(label, vocab_langs[l]));
		}
		json_decref(t);
	}
	/* The catalogue checks labels in the same list. */
	assert_ptr_equal(cat_langs, vocab_langs);
	assert_int_equal(CAT_NLANGS, VOCAB_NLANGS);
}

static void
test_roles(void **state)
{
	(void)state;
	for (int i = 0; i < VOCAB_NROLES; i++)
		assert_true(dir_valid_role(vocab_roles[i]));
	assert_false(dir_valid_role("Technical"));	/* the wire is canonical */
	assert_false(dir_valid_role(NULL));
	assert_string_equal(vocab_role_norm("Technical"), "technical");
	assert_null(vocab_role_norm("chef"));
}

static void
test_tlp_norm(void **state)
{
	(void)state;
	assert_string_equal(vocab_tlp_norm("amber"), "AMBER");
	assert_string_equal(vocab_tlp_norm("TLP:AMBER"), "AMBER");
	assert_string_equal(vocab_tlp_norm("tlp:Amber+Strict"), "AMBER+STRICT");
	assert_string_equal(vocab_tlp_norm("clear"), "CLEAR");
	assert_string_equal(vocab_tlp_norm("RED"), "RED");
	assert_null(vocab_tlp_norm("TLP:"));
	assert_null(vocab_tlp_norm("AMBER "));
	assert_null(vocab_tlp_norm("TLP:TLP:RED"));
	assert_null(vocab_tlp_norm("WHITE"));		/* TLP 1.0 */
	assert_null(vocab_tlp_norm(""));
	assert_null(vocab_tlp_norm(NULL));
	assert_false(vocab_tlp_ok("amber"));		/* only input is normalised */
	assert_string_equal(vocab_urgency_norm("FLASH"), "flash");
	assert_null(vocab_urgency_norm("urgentissime"));
	assert_string_equal(vocab_lang_norm("EN"), "en");
	assert_null(vocab_lang_norm("de"));
}

static void
test_state_norm(void **state)
{
	char c[3];

	(void)state;
	assert_int_equal(vocab_state_norm("fr", c), 0);
	assert_string_equal(c, "FR");
	assert_int_equal(vocab_state_norm("Ke", c), 0);
	assert_string_equal(c, "KE");
	assert_int_equal(vocab_state_norm("XA", c), 0);
	assert_string_equal(c, "XA");
	assert_int_equal(vocab_state_norm("FRA", c), -1);
	assert_int_equal(vocab_state_norm("f1", c), -1);
	assert_int_equal(vocab_state_norm("", c), -1);
	assert_int_equal(vocab_state_norm("é", c), -1);	/* two bytes, not letters */
	assert_int_equal(vocab_state_norm(NULL, c), -1);
}

static void
test_audience_norm(void **state)
{
	char *a;

	(void)state;
	a = vocab_audience_norm(" xb, group:forum ,all,Xc");
	assert_string_equal(a, "XB,group:forum,all,XC");
	free(a);
	a = vocab_audience_norm("group:xb");	/* a group's name is its own */
	assert_string_equal(a, "group:xb");
	free(a);
	a = vocab_audience_norm("x1,xyz");	/* not codes: left to be refused */
	assert_string_equal(a, "x1,xyz");
	free(a);
	a = vocab_audience_norm("");
	assert_string_equal(a, "");
	free(a);
}

static void
test_langs_norm(void **state)
{
	char *l;

	(void)state;
	l = vocab_langs_norm("EN, fr");
	assert_string_equal(l, "en,fr");
	free(l);
	l = vocab_langs_norm("de");		/* any language a POC reads */
	assert_string_equal(l, "de");
	free(l);
	assert_null(vocab_langs_norm("english"));
	assert_null(vocab_langs_norm("e1"));
	assert_null(vocab_langs_norm(""));
	assert_null(vocab_langs_norm("en,,fr"));
	assert_null(vocab_langs_norm("en,"));
}

static void
test_email(void **state)
{
	static const char *const good[] = { "cert@xa.example", "poc.1+x@ministry.gov.xa",
	    "a@b", NULL };
	static const char *const bad[] = { "", "a b@x.example", "a@b@c.example", "@x.example",
	    "x@", "x@.example", "x@example.", "a\r\nRCPT TO:<x>@y.example",
	    "<a@b.example>", "\"a\"@b.example", "a,b@c.example", "a;b@c.example",
	    "jos\xc3\xa9@x.example", "a@b\tc", NULL };
	char longest[300];

	(void)state;
	for (int i = 0; good[i] != NULL; i++)
		assert_int_equal(vocab_email_check("--email", good[i]), 0);
	for (int i = 0; bad[i] != NULL; i++) {
		assert_int_equal(vocab_email_check("--email", bad[i]), -1);
		assert_non_null(strstr(rs_err(), "--email"));
	}
	assert_int_equal(vocab_email_check("--email", NULL), -1);
	memset(longest, 'a', sizeof(longest));
	memcpy(longest + 253 - 10, "@x.example", 11);	/* 253 bytes */
	assert_int_equal(vocab_email_check("x", longest), 0);
	memset(longest, 'a', sizeof(longest));
	memcpy(longest + 254 - 10, "@x.example", 11);	/* 254 */
	assert_int_equal(vocab_email_check("x", longest), -1);
}

/* One line of text: a line break, a tab, an escape, DEL or a C1 control
 * (U+0080..U+009F, which some terminals obey) is not; other letters are. */
static void
test_line(void **state)
{
	static const char *const good[] = { "A. Person", "Jos\xc3\xa9 Mart\xc3\xad", "\xd8\xb9\xd9\x84\xd9\x8a",
	    "\xc2\xa0non-breaking", "x", NULL };
	static const char *const bad[] = { "two\nlines", "a\rb", "tab\there", "\x1b[31mred",
	    "del\x7f", "csi\xc2\x9b" "2J", "nel\xc2\x85", NULL };

	(void)state;
	for (int i = 0; good[i] != NULL; i++)
		assert_true(vocab_line_ok(good[i]));
	for (int i = 0; bad[i] != NULL; i++)
		assert_false(vocab_line_ok(bad[i]));
	assert_true(vocab_line_ok(""));		/* empty is one line; callers ask for more */
	assert_false(vocab_line_ok(NULL));
}

static void
test_lang_tag(void **state)
{
	static const char *const good[] = { "en", "fr", "fil", NULL };
	static const char *const bad[] = { "", "e", "EN", "En", "engl", "e1", "en-GB", " en", NULL };

	(void)state;
	for (int i = 0; good[i] != NULL; i++)
		assert_true(vocab_lang_tag_ok(good[i]));
	for (int i = 0; bad[i] != NULL; i++)
		assert_false(vocab_lang_tag_ok(bad[i]));
	assert_false(vocab_lang_tag_ok(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tlp_is_the_catalogue),
		cmocka_unit_test(test_urgency_is_the_catalogue),
		cmocka_unit_test(test_languages_are_the_labels),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_tlp_norm),
		cmocka_unit_test(test_state_norm),
		cmocka_unit_test(test_audience_norm),
		cmocka_unit_test(test_langs_norm),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_lang_tag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
