/*
 * test_node_payload.c - message_validate, the one set of limits every
 * node applies to a message it signs and to one it receives
 * (node/core/payload.c).
 *
 * What it tries to break: each limit at the limit and one byte over (the
 * subject's 300 bytes, the body's 512 KiB, 64 template fields), a subject
 * with a line break in it, every vocabulary field in a spelling that is
 * not canonical (a received "amber" is refused, not corrected), a thread
 * reference that is not an id, fields of the wrong type; and a "Re: " or
 * "Fwd: " subject that would go over the limit, cut inside a character.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/payload.h"
#include "jsonutil.h"
#include "util.h"

static json_t *
msg(void)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "subject", "Scanning", "body", "Seen.",
	    "tlp", "AMBER", "lang", "en");
}

/* m with key set to v (taken), validated; m freed. */
static int
with(const char *key, json_t *v)
{
	json_t *m = msg();
	int rc;

	json_object_set_new(m, key, v);
	rc = message_validate(m);
	json_decref(m);
	return rc;
}

static json_t *
text(size_t n, char c)
{
	char *s = xmalloc(n + 1);
	json_t *j;

	memset(s, c, n);
	s[n] = '\0';
	j = json_string(s);
	free(s);
	return j;
}

static void
test_limits(void **state)
{
	json_t *f;

	(void)state;
	assert_int_equal(with("subject", text(MSG_SUBJECT_MAX, 's')), 0);
	assert_int_equal(with("subject", text(MSG_SUBJECT_MAX + 1, 's')), -1);
	assert_non_null(strstr(rs_err(), "300"));
	assert_int_equal(with("subject", json_string("two\nlines")), -1);
	assert_int_equal(with("subject", json_string("a\tb")), -1);
	assert_int_equal(with("body", text(MSG_BODY_MAX, 'b')), 0);
	assert_int_equal(with("body", text(MSG_BODY_MAX + 1, 'b')), -1);
	assert_int_equal(with("body", json_string("lines\nare fine\n")), 0);
	f = json_object();
	for (int i = 0; i < MSG_FIELDS_MAX; i++) {
		char k[16];
		snprintf(k, sizeof(k), "f%d", i);
		json_object_set_new(f, k, json_string("v"));
	}
	assert_int_equal(with("fields", json_deep_copy(f)), 0);
	json_object_set_new(f, "one-more", json_string("v"));
	assert_int_equal(with("fields", f), -1);
}

static void
test_vocabulary(void **state)
{
	static const char *const tlp_bad[] = { "amber", "TLP:AMBER", "WHITE", "", NULL };

	(void)state;
	for (int i = 0; tlp_bad[i] != NULL; i++)
		assert_int_equal(with("tlp", json_string(tlp_bad[i])), -1);
	assert_int_equal(with("tlp", json_string("AMBER+STRICT")), 0);
	assert_int_equal(with("lang", json_string("EN")), -1);
	assert_int_equal(with("lang", json_string("de")), -1);
	assert_int_equal(with("lang", json_string("zh")), 0);
	assert_int_equal(with("urgency", json_string("Flash")), -1);
	assert_int_equal(with("urgency", json_string("flash")), 0);
}

static void
test_types(void **state)
{
	(void)state;
	assert_int_equal(with("subject", json_integer(1)), -1);
	assert_int_equal(with("body", json_null()), -1);
	assert_int_equal(with("re", json_string("not an id")), -1);
	assert_int_equal(with("re", json_string("00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff")), 0);
	assert_int_equal(with("ref", json_string("0011")), -1);
	assert_int_equal(with("no_forward", json_string("yes")), -1);
	assert_int_equal(with("forward", json_array()), -1);
	assert_int_equal(with("fields", json_array()), -1);
	assert_int_equal(with("consultation", json_string("request")), -1);
	assert_int_equal(with("consultation", json_object()), -1);
	assert_int_equal(with("consultation", json_pack("{s:s}", "step", "request")), 0);
	json_t *a = json_array();
	assert_int_equal(message_validate(a), -1);
	json_decref(a);
	/* An overdue notice carries no subject or body: still a message. */
	json_t *notice = json_pack("{s:s,s:s,s:s,s:i}", "notice", "overdue", "ref",
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	    "urgency", "urgent", "stage", 1);
	assert_int_equal(message_validate(notice), 0);
	json_decref(notice);
}

static void
test_prefixed_subject(void **state)
{
	char out[MSG_SUBJECT_MAX + 8], subject[MSG_SUBJECT_MAX + 1];

	(void)state;
	message_subject_prefixed(out, sizeof(out), "Re: ", "Hello");
	assert_string_equal(out, "Re: Hello");
	message_subject_prefixed(out, sizeof(out), "Fwd: ", NULL);
	assert_string_equal(out, "Fwd: ");
	/* 294 bytes of 'a' then a 2-byte letter: "Fwd: " makes it 301, and a
	 * cut at 300 would fall inside the letter, which goes whole. */
	memset(subject, 'a', 294);
	strcpy(subject + 294, "\xc3\xa9");
	message_subject_prefixed(out, sizeof(out), "Fwd: ", subject);
	assert_int_equal(strlen(out), 299);	/* "Fwd: " + 294 'a' */
	json_t *m = json_pack("{s:s}", "subject", out);
	assert_non_null(m);			/* still valid UTF-8 */
	assert_int_equal(message_validate(m), 0);
	json_decref(m);
	memset(subject, 'a', 295);
	strcpy(subject + 295, "\xc3\xa9");	/* 297 bytes */
	message_subject_prefixed(out, sizeof(out), "Re: ", subject);
	assert_int_equal(strlen(out), 299);	/* "Re: " + 295 'a', the letter dropped */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_vocabulary),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_prefixed_subject),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
