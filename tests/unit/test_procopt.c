/*
 * test_procopt.c - the words of the process's commands (lib/procopt.c),
 * read the same by rosterd and roster.
 *
 * What it tries to break: dates that are not (31 February, 24:00, a time
 * of day without its zone, trailing bytes, a year before 1970), durations
 * beyond a year, texts given twice or empty, languages that are no codes,
 * members and State lists with a duplicate, the stakeholders' code or too
 * many, rules with an unknown word, ids that are not 64 hex digits; and
 * that a value refused leaves what was already read as it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "procopt.h"
#include "procrec.h"
#include "util.h"

static void
test_time(void **state)
{
	int64_t ms;

	(void)state;
	assert_int_equal(procopt_time("2026-07-01", &ms), 0);
	assert_int_equal(ms, 1782864000000LL);
	assert_int_equal(procopt_time("2026-07-01T10:00Z", &ms), 0);
	assert_int_equal(ms, 1782864000000LL + 10 * 3600000LL);
	assert_int_equal(procopt_time("2026-07-01T10:00:30Z", &ms), 0);
	assert_int_equal(ms, 1782864000000LL + 10 * 3600000LL + 30000);
	assert_int_equal(procopt_time("2026-07-01T12:00+02:00", &ms), 0);
	assert_int_equal(ms, 1782864000000LL + 10 * 3600000LL);
	assert_int_equal(procopt_time("2026-07-01T08:00-02:00", &ms), 0);
	assert_int_equal(ms, 1782864000000LL + 10 * 3600000LL);
	assert_int_equal(procopt_time("1782864000000", &ms), 0);
	assert_int_equal(ms, 1782864000000LL);
	assert_int_equal(procopt_time("2028-02-29", &ms), 0);	/* a leap day */
	/* not dates */
	static const char *const bad[] = { "", "2026-02-31", "2027-02-29",
		"2026-13-01", "2026-00-10", "1969-12-31", "2026-07-01T10:00",
		"2026-07-01T24:00Z", "2026-07-01T10:60Z", "2026-07-01T10:00Zjunk",
		"2026-07-01x", "2026/07/01", "0", "-5", "2026-07-01T10:00+15:00",
		"2026-7-1", "tomorrow", "1234567890123456", NULL };
	for (int i = 0; bad[i] != NULL; i++) {
		ms = 42;
		if (procopt_time(bad[i], &ms) == 0)
			fail_msg("\"%s\" was taken for a date", bad[i]);
		assert_non_null(strstr(rs_err(), "not a date"));
		assert_int_equal(ms, 42);
	}
}

static void
test_duration(void **state)
{
	int64_t ms;

	(void)state;
	assert_int_equal(procopt_duration("--silence", "72h", &ms), 0);
	assert_int_equal(ms, 72 * 3600000LL);
	assert_int_equal(procopt_duration("--lead-time", "42d", &ms), 0);
	assert_int_equal(ms, 42 * 86400000LL);
	assert_int_equal(procopt_duration("--silence", "366d", &ms), 0);
	assert_int_not_equal(procopt_duration("--silence", "367d", &ms), 0);
	assert_non_null(strstr(rs_err(), "longer than 366 days"));
	assert_int_not_equal(procopt_duration("--silence", "72", &ms), 0);
	assert_non_null(strstr(rs_err(), "--silence"));
	assert_int_not_equal(procopt_duration("--silence", "h", &ms), 0);
	assert_int_not_equal(procopt_duration("--silence", "-1h", &ms), 0);
}

static void
test_text(void **state)
{
	json_t *t = json_object();
	char *big = xmalloc(PROC_TITLE_MAX + 5);

	(void)state;
	assert_int_equal(procopt_text("--title", t, "en=Open-ended working group",
	    PROC_TITLE_MAX), 0);
	assert_int_equal(procopt_text("--title", t, "zh-hant=開放式工作組", PROC_TITLE_MAX), 0);
	assert_int_equal(procopt_text("--title", t, "fr=a=b", PROC_TITLE_MAX), 0);
	assert_string_equal(jstr(t, "fr"), "a=b");
	/* each refused, t unchanged */
	assert_int_not_equal(procopt_text("--title", t, "en=again", PROC_TITLE_MAX), 0);
	assert_non_null(strstr(rs_err(), "given twice"));
	assert_int_not_equal(procopt_text("--title", t, "es=", PROC_TITLE_MAX), 0);
	assert_int_not_equal(procopt_text("--title", t, "=text", PROC_TITLE_MAX), 0);
	assert_int_not_equal(procopt_text("--title", t, "no equals", PROC_TITLE_MAX), 0);
	assert_int_not_equal(procopt_text("--title", t, "English=x", PROC_TITLE_MAX), 0);
	assert_non_null(strstr(rs_err(), "not a language code"));
	assert_int_not_equal(procopt_text("--title", t, "ru=caf\xe9", PROC_TITLE_MAX), 0);
	assert_non_null(strstr(rs_err(), "not UTF-8"));
	memcpy(big, "ar=", 3);
	memset(big + 3, 'x', PROC_TITLE_MAX + 1);	/* one byte too many */
	big[3 + PROC_TITLE_MAX + 1] = '\0';
	assert_int_not_equal(procopt_text("--title", t, big, PROC_TITLE_MAX), 0);
	assert_int_equal(json_object_size(t), 3);
	free(big);
	json_decref(t);
}

static void
test_file(void **state)
{
	char lang[PROC_LANG_MAX];

	(void)state;
	assert_string_equal(procopt_file("--file", "fr=papers/p-fr.pdf", lang),
	    "papers/p-fr.pdf");
	assert_string_equal(lang, "fr");
	assert_null(procopt_file("--file", "fr=", lang));
	assert_null(procopt_file("--file", "french=p.pdf", lang));
	assert_null(procopt_file("--file", "p.pdf", lang));
	assert_non_null(strstr(rs_err(), "LANG=FILE"));
}

static void
test_members(void **state)
{
	json_t *m;
	char many[256 * 3 + 8];

	(void)state;
	m = procopt_members("all");
	assert_string_equal(json_string_value(m), "all");
	json_decref(m);
	m = procopt_members("group:asean");
	assert_string_equal(json_string_value(m), "group:asean");
	json_decref(m);
	m = procopt_members("XA,XB, XC");
	assert_int_equal(json_array_size(m), 3);
	json_decref(m);
	assert_null(procopt_members("group:Asean"));
	assert_null(procopt_members("XA,XA"));
	assert_non_null(strstr(rs_err(), "listed twice"));
	assert_null(procopt_members("XA,ZZ"));	/* the stakeholders' code */
	assert_null(procopt_members("xa"));
	assert_null(procopt_members(","));
	/* 257 States */
	many[0] = '\0';
	for (int i = 0; i < 257; i++) {
		char c[4] = { (char)('A' + i / 26 % 26), (char)('A' + i % 26), ',', '\0' };
		if (c[0] == 'Z' && c[1] == 'Z')
			c[1] = 'Y';
		strcat(many, c);
	}
	assert_null(procopt_members(many));
}

static void
test_rules(void **state)
{
	json_t *r = json_object(), *sh;

	(void)state;
	assert_int_equal(procopt_rule(r, "silence", "72h"), 0);
	assert_int_equal(json_integer_value(json_object_get(r, "silence_ms")), 259200000);
	assert_int_equal(procopt_rule(r, "lead-time", "21d"), 0);
	assert_int_equal(procopt_rule(r, "languages", "en,fr"), 0);
	assert_int_equal(procopt_rule(r, "objections", "chair"), 0);
	assert_int_equal(procopt_rule(r, "proposers", "XA,XB"), 0);
	assert_int_equal(procopt_rule(r, "ecosoc", "admit"), 0);
	assert_int_equal(procopt_rule(r, "other", "closed"), 0);
	sh = json_object_get(r, "stakeholders");
	assert_string_equal(jstr(sh, "ecosoc"), "admit");
	assert_string_equal(jstr(sh, "other"), "closed");
	/* each refused */
	assert_int_not_equal(procopt_rule(r, "silence", "30s"), 0);
	assert_non_null(strstr(rs_err(), "at least 60s"));
	assert_int_not_equal(procopt_rule(r, "languages", "en,en"), 0);
	assert_int_not_equal(procopt_rule(r, "languages", "en,English"), 0);
	assert_int_not_equal(procopt_rule(r, "objections", "nobody"), 0);
	assert_int_not_equal(procopt_rule(r, "ecosoc", "maybe"), 0);
	assert_int_not_equal(procopt_rule(r, "quorum", "3"), 0);
	assert_non_null(strstr(rs_err(), "no rule"));
	assert_int_equal(json_integer_value(json_object_get(r, "silence_ms")), 259200000);
	json_decref(r);
}

static void
test_id(void **state)
{
	uint8_t id[32];
	char hex[65];

	(void)state;
	memset(hex, 'a', 64);
	hex[64] = '\0';
	assert_int_equal(procopt_id("--meeting", hex, id), 0);
	assert_int_equal(id[0], 0xaa);
	hex[63] = '\0';
	assert_int_not_equal(procopt_id("--meeting", hex, id), 0);
	assert_non_null(strstr(rs_err(), "--meeting"));
	assert_int_not_equal(procopt_id("--meeting", NULL, id), 0);
	memset(hex, 'g', 64);
	hex[64] = '\0';
	assert_int_not_equal(procopt_id("--paper", hex, id), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
