/*
 * test_checkstats.c - the figures of communication checks (lib/checkstats.c)
 * and the record rules and helpers of lib/checkrec.c.
 *
 * What it tries to break: that the published figures follow the rules
 * written in lib/checkstats.h from the records alone.  Empty checks, nobody
 * answering, everybody answering, answers after the deadline, duplicate
 * answers, answers logged before the check, answers by devices outside the
 * audience, a device listed twice in the audience, percentiles of one, two
 * and twenty samples (nearest rank), State-level figures (a State answers
 * through its fastest POC), role and group rows, history over checks, the
 * --since cut, and the CSV form.  Then the parsers a user feeds: deadlines
 * ("24h") and the answer header's rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "checkrec.h"
#include "checkstats.h"
#include "envelope.h"
#include "jsonutil.h"
#include "util.h"

#define T0 1763820000000LL

static struct cs_member aud[6];
static struct cs_answer ans[16];

static void
member(int i, const char *state, const char *role)
{
	memset(&aud[i], 0, sizeof(aud[i]));
	memset(aud[i].key, 0x10 + i, 32);
	snprintf(aud[i].state, sizeof(aud[i].state), "%s", state);
	snprintf(aud[i].role, sizeof(aud[i].role), "%s", role);
}

/* XA tech (0), XA dipl (1), XB tech (2), XB dipl (3), XC tech (4). */
static void
five(void)
{
	member(0, "XA", "technical");
	member(1, "XA", "diplomatic");
	member(2, "XB", "technical");
	member(3, "XB", "diplomatic");
	member(4, "XC", "technical");
}

static void
answer(int k, int who, int64_t index, int64_t after_ms)
{
	memset(ans[k].key, 0x10 + who, 32);
	ans[k].index = index;
	ans[k].time = T0 + after_ms;
}

static struct cs_check
check_of(size_t naud, size_t nans)
{
	struct cs_check c;

	memset(&c, 0, sizeof(c));
	memset(c.id, 0xcc, 32);
	c.index = 10;
	c.time = T0;
	c.deadline = T0 + 60000;
	snprintf(c.signer, sizeof(c.signer), "operator");
	c.aud = aud;
	c.naud = naud;
	c.ans = ans;
	c.nans = nans;
	return c;
}

/* The row of scope/key in a report's first check (or history). */
static json_t *
row(json_t *report, int history, const char *scope, const char *key)
{
	json_t *rows = history ? json_object_get(report, "history") :
	    json_object_get(json_array_get(json_object_get(report, "checks"), 0), "rows");
	json_t *r;
	size_t i;

	json_array_foreach(rows, i, r)
		if (strcmp(jstr(r, "scope"), scope) == 0 && strcmp(jstr(r, "key"), key) == 0)
			return r;
	fail_msg("no row %s/%s", scope, key);
	return NULL;
}

static int64_t
num(json_t *r, const char *f)
{
	json_t *v = json_object_get(r, f);

	if (json_is_null(v))
		return -1;
	if (json_is_real(v))
		return (int64_t)(json_real_value(v) * 10 + 0.5);	/* rates in tenths */
	return json_integer_value(v);
}

/* ---- percentiles --------------------------------------------------------- */

static void
test_percentile(void **state)
{
	int64_t v[20];

	assert_int_equal(cs_percentile(v, 0, 50), -1);
	v[0] = 7;
	assert_int_equal(cs_percentile(v, 1, 50), 7);
	assert_int_equal(cs_percentile(v, 1, 95), 7);
	v[0] = 9;
	v[1] = 3;
	assert_int_equal(cs_percentile(v, 2, 50), 3);	/* lower middle */
	assert_int_equal(cs_percentile(v, 2, 95), 9);
	for (int i = 0; i < 20; i++)
		v[i] = (20 - i) * 10;			/* 200, 190 ... 10 */
	assert_int_equal(cs_percentile(v, 20, 50), 100);	/* rank 10 */
	assert_int_equal(cs_percentile(v, 20, 95), 190);	/* rank 19 */
	assert_int_equal(cs_percentile(v, 20, 100), 200);
	assert_int_equal(cs_percentile(v, 3, 50), 20);	/* rank 2 of 10,20,30 */
}

/* ---- outcomes --------------------------------------------------------------- */

static void
test_nobody_answered(void **state)
{
	struct cs_check c;
	struct cs_outcome o[5];
	json_t *r;

	five();
	c = check_of(5, 0);
	cs_outcomes(&c, o);
	for (int i = 0; i < 5; i++) {
		assert_false(o[i].answered);
		assert_false(o[i].late);
		assert_int_equal(o[i].answer_index, -1);
	}
	r = cs_report(&c, 1, NULL, 0, 0);
	assert_int_equal(num(row(r, 0, "all", "all"), "pocs"), 5);
	assert_int_equal(num(row(r, 0, "all", "all"), "answered"), 0);
	assert_int_equal(num(row(r, 0, "all", "all"), "rate"), 0);
	assert_int_equal(num(row(r, 0, "all", "all"), "median_ms"), -1);
	assert_int_equal(num(row(r, 0, "all", "all"), "states"), 3);
	assert_int_equal(num(row(r, 0, "all", "all"), "states_answered"), 0);
	json_decref(r);
}

static void
test_all_answered(void **state)
{
	struct cs_check c;
	json_t *r;

	five();
	for (int i = 0; i < 5; i++)
		answer(i, i, 11 + i, 1000 * (i + 1));	/* 1 s .. 5 s */
	c = check_of(5, 5);
	r = cs_report(&c, 1, NULL, 0, 0);
	assert_int_equal(num(row(r, 0, "all", "all"), "answered"), 5);
	assert_int_equal(num(row(r, 0, "all", "all"), "rate"), 1000);
	assert_int_equal(num(row(r, 0, "all", "all"), "median_ms"), 3000);
	assert_int_equal(num(row(r, 0, "all", "all"), "p95_ms"), 5000);
	/* States through their fastest POC: XA 1 s, XB 3 s, XC 5 s */
	assert_int_equal(num(row(r, 0, "all", "all"), "states_answered"), 3);
	assert_int_equal(num(row(r, 0, "all", "all"), "state_median_ms"), 3000);
	assert_int_equal(num(row(r, 0, "state", "XB"), "state_median_ms"), 3000);
	assert_int_equal(num(row(r, 0, "state", "XB"), "median_ms"), 3000);	/* 3,4 */
	assert_int_equal(num(row(r, 0, "role", "diplomatic"), "median_ms"), 2000);
	assert_int_equal(num(row(r, 0, "role", "diplomatic"), "p95_ms"), 4000);
	json_decref(r);
}

static void
test_late_duplicates_and_strangers(void **state)
{
	struct cs_check c;
	struct cs_outcome o[5];
	json_t *r;

	five();
	answer(0, 0, 12, 2000);		/* XA tech: in time */
	answer(1, 0, 13, 1000);		/* its duplicate (later index): ignored */
	answer(2, 1, 20, 90000);	/* XA dipl: after the deadline */
	answer(3, 2, 9, 500);		/* XB tech: logged before the check */
	answer(4, 5, 14, 100);		/* not in the audience */
	answer(5, 4, 15, 70000);	/* XC: late */
	answer(6, 4, 16, 5000);		/* XC again: later index, ignored */
	answer(7, 3, 11, 60000);	/* XB dipl: exactly at the deadline */
	c = check_of(5, 8);
	cs_outcomes(&c, o);
	assert_true(o[0].answered);
	assert_int_equal(o[0].response_ms, 2000);
	assert_int_equal(o[0].answer_index, 12);
	assert_true(o[1].late);
	assert_false(o[1].answered);
	assert_int_equal(o[1].response_ms, 90000);
	assert_false(o[2].answered || o[2].late);	/* the early one does not count */
	assert_true(o[3].answered);			/* at the deadline is in time */
	assert_true(o[4].late);
	r = cs_report(&c, 1, NULL, 0, 0);
	assert_int_equal(num(row(r, 0, "all", "all"), "answered"), 2);
	assert_int_equal(num(row(r, 0, "all", "all"), "late"), 2);
	assert_int_equal(num(row(r, 0, "all", "all"), "rate"), 400);
	assert_int_equal(num(row(r, 0, "all", "all"), "median_ms"), 2000);
	assert_int_equal(num(row(r, 0, "state", "XC"), "states_late"), 1);
	assert_int_equal(num(row(r, 0, "state", "XC"), "states_answered"), 0);
	assert_int_equal(num(row(r, 0, "state", "XA"), "states_answered"), 1);
	assert_int_equal(num(row(r, 0, "state", "XA"), "late"), 1);
	assert_int_equal(num(row(r, 0, "all", "all"), "states_answered"), 2);
	json_decref(r);
}

static void
test_duplicate_audience_and_empty(void **state)
{
	struct cs_check c;
	json_t *r;

	five();
	aud[1] = aud[0];		/* listed twice: counted once */
	answer(0, 0, 11, 100);
	c = check_of(2, 1);
	r = cs_report(&c, 1, NULL, 0, 0);
	assert_int_equal(num(row(r, 0, "all", "all"), "pocs"), 1);
	assert_int_equal(num(row(r, 0, "all", "all"), "answered"), 1);
	assert_int_equal(json_array_size(json_object_get(json_array_get(
	    json_object_get(r, "checks"), 0), "pocs")), 1);
	json_decref(r);

	c = check_of(0, 0);		/* an empty check */
	r = cs_report(&c, 1, NULL, 0, 0);
	assert_int_equal(num(row(r, 0, "all", "all"), "pocs"), 0);
	assert_true(json_is_null(json_object_get(row(r, 0, "all", "all"), "rate")));
	json_decref(r);

	r = cs_report(NULL, 0, NULL, 0, 0);	/* no checks at all */
	assert_int_equal(json_array_size(json_object_get(r, "checks")), 0);
	assert_int_equal(num(row(r, 1, "all", "all"), "pocs"), 0);
	json_decref(r);
}

static void
test_groups_history_since(void **state)
{
	struct cs_check c[2];
	struct cs_group g;
	char states[2][3] = { "XA", "XC" };
	struct buf csv = {0};
	json_t *r;

	five();
	answer(0, 0, 11, 1000);
	answer(1, 4, 12, 3000);
	c[0] = check_of(5, 2);
	c[1] = check_of(5, 2);
	c[1].index = 20;		/* the same answers are before it: none */
	c[1].time = T0 + 100000;
	c[1].deadline = T0 + 200000;
	memset(&g, 0, sizeof(g));
	snprintf(g.name, sizeof(g.name), "asean");
	g.states = states;
	g.nstates = 2;
	r = cs_report(c, 2, &g, 1, 0);
	assert_int_equal(num(row(r, 0, "group", "asean"), "pocs"), 3);
	assert_int_equal(num(row(r, 0, "group", "asean"), "answered"), 2);
	assert_int_equal(num(row(r, 0, "group", "asean"), "rate"), 667);
	assert_int_equal(num(row(r, 0, "group", "asean"), "states_answered"), 2);
	assert_int_equal(num(row(r, 1, "all", "all"), "pocs"), 10);
	assert_int_equal(num(row(r, 1, "all", "all"), "answered"), 2);
	assert_int_equal(num(row(r, 1, "all", "all"), "states"), 6);
	assert_int_equal(num(row(r, 1, "group", "asean"), "pocs"), 6);
	cs_report_csv(r, &csv);
	assert_non_null(strstr(buf_cstr(&csv), "check,scope,key,pocs,answered,late,rate,"));
	assert_non_null(strstr(buf_cstr(&csv), "history,group,asean,6,2,0,33.3,1000,3000,"));
	buf_free(&csv);
	json_decref(r);

	r = cs_report(c, 2, &g, 1, T0 + 50000);	/* only the second */
	assert_int_equal(json_array_size(json_object_get(r, "checks")), 1);
	assert_int_equal(num(row(r, 1, "all", "all"), "answered"), 0);
	json_decref(r);
}

static void
test_same_input_same_bytes(void **state)
{
	struct cs_check c;
	json_t *a, *b;
	char *x, *y;

	five();
	answer(0, 2, 11, 1234);
	answer(1, 0, 12, 99);
	c = check_of(5, 2);
	a = cs_report(&c, 1, NULL, 0, 0);
	answer(0, 0, 12, 99);		/* the same answers, in another order */
	answer(1, 2, 11, 1234);
	b = cs_report(&c, 1, NULL, 0, 0);
	x = cs_dump(a);
	y = cs_dump(b);
	assert_string_equal(x, y);
	free(x);
	free(y);
	json_decref(a);
	json_decref(b);
}

/* The UN's size: 193 States with two POCs each, 100 checks, two thirds of
 * the POCs answering (some twice), a tenth late.  The figures must add up,
 * and the report must stay cheap (the time is printed, not asserted). */
static void
test_scale(void **state)
{
	enum { NST = 193, NCHK = 100, NAUD = 2 * NST };
	struct cs_check *c = xcalloc(NCHK, sizeof(*c));
	struct cs_member *m = xcalloc(NAUD, sizeof(*m));
	struct cs_group g;
	char (*gs)[3] = xcalloc(20, 3);
	size_t want_ans = 0, want_late = 0;
	int64_t t0 = now_ms();
	json_t *r;

	for (int i = 0; i < NAUD; i++) {
		m[i].key[0] = (uint8_t)i;
		m[i].key[1] = (uint8_t)(i >> 8);
		m[i].state[0] = (char)('A' + (i / 2) / 26);
		m[i].state[1] = (char)('A' + (i / 2) % 26);
		snprintf(m[i].role, sizeof(m[i].role), "%s", i % 2 ? "diplomatic" : "technical");
	}
	for (int i = 0; i < 20; i++)
		memcpy(gs[i], m[2 * i].state, 3);
	memset(&g, 0, sizeof(g));
	snprintf(g.name, sizeof(g.name), "twenty");
	g.states = gs;
	g.nstates = 20;
	for (int k = 0; k < NCHK; k++) {
		c[k].index = 1000 * k;
		c[k].time = T0 + 1000000 * k;
		c[k].deadline = c[k].time + 500000;
		c[k].aud = m;
		c[k].naud = NAUD;
		c[k].ans = xcalloc(2 * NAUD, sizeof(*c[k].ans));
		for (int i = 0; i < NAUD; i++) {
			if ((i + k) % 3 == 0)
				continue;	/* a third never answers */
			int late = (i + k) % 10 == 1;
			struct cs_answer *a = &c[k].ans[c[k].nans++];
			memcpy(a->key, m[i].key, 32);
			a->index = c[k].index + 1 + i;
			a->time = c[k].time + (late ? 600000 : 1000 * (i % 50));
			if (i % 7 == 0) {	/* and a later duplicate */
				c[k].ans[c[k].nans] = *a;
				c[k].ans[c[k].nans].index += NAUD;
				c[k].nans++;
			}
			want_late += late;
			want_ans += !late;
		}
	}
	r = cs_report(c, NCHK, &g, 1, 0);
	fprintf(stderr, "     report of %d checks x %d POCs: %lld ms\n", NCHK, NAUD,
	    (long long)(now_ms() - t0));
	assert_int_equal(num(row(r, 1, "all", "all"), "pocs"), NCHK * NAUD);
	assert_int_equal(num(row(r, 1, "all", "all"), "answered"), (int64_t)want_ans);
	assert_int_equal(num(row(r, 1, "all", "all"), "late"), (int64_t)want_late);
	assert_int_equal(num(row(r, 1, "all", "all"), "states"), NCHK * NST);
	assert_int_equal(num(row(r, 1, "group", "twenty"), "pocs"), NCHK * 40);
	assert_int_equal(json_array_size(json_object_get(r, "history")), 1 + NST + 2 + 1);
	json_decref(r);
	for (int k = 0; k < NCHK; k++)
		free(c[k].ans);
	free(c);
	free(m);
	free(gs);
}

/* ---- checkrec ------------------------------------------------------------------ */

static void
test_durations(void **state)
{
	int64_t ms;

	assert_int_equal(checkrec_parse_duration("24h", &ms), 0);
	assert_int_equal(ms, 24 * 3600000LL);
	assert_int_equal(checkrec_parse_duration("90s", &ms), 0);
	assert_int_equal(ms, 90000);
	assert_int_equal(checkrec_parse_duration("30m", &ms), 0);
	assert_int_equal(ms, 1800000);
	assert_int_equal(checkrec_parse_duration("7d", &ms), 0);
	assert_int_equal(checkrec_parse_duration("5", &ms), 0);
	assert_int_equal(ms, 5000);
	assert_int_equal(checkrec_parse_duration("366d", &ms), 0);
	const char *bad[] = { "", "h", "0s", "367d", "5x", "5hh", "-5s", "1.5h",
	    "99999999999d", " 5s", NULL };
	for (int i = 0; bad[i] != NULL; i++) {
		rs_seterr("none");
		assert_int_equal(checkrec_parse_duration(bad[i], &ms), -1);
		assert_null(strstr(rs_err(), "none"));
	}
}

static void
test_since(void **state)
{
	int64_t ms;

	assert_int_equal(checkrec_parse_since("2025-11-22", &ms), 0);
	assert_int_equal(ms, 1763769600000LL);
	assert_int_equal(checkrec_parse_since("1763820000000", &ms), 0);
	assert_int_equal(ms, 1763820000000LL);
	assert_int_equal(checkrec_parse_since("0", &ms), 0);
	assert_int_equal(checkrec_parse_since("-5", &ms), -1);
	assert_int_equal(checkrec_parse_since("2025-11-22x", &ms), -1);
	assert_int_equal(checkrec_parse_since("", &ms), -1);
	assert_int_equal(checkrec_parse_since("yesterday", &ms), -1);
	assert_non_null(strstr(rs_err(), "YYYY-MM-DD"));
}

static int
answer_rules(json_t *h)
{
	uint8_t pk[32], sk[64];
	struct envelope e;
	struct buf env = {0};
	int rc;

	memset(pk, 0, 32);
	crypto_sign_keypair(pk, sk);
	json_object_set_new(h, "state", json_string("XA"));
	json_object_set_new(h, "seq", json_integer(1));
	assert_int_equal(env_build(&env, h, "{}", 2, pk, sk), 0);
	assert_int_equal(env_parse(&e, env.p, env.len), 0);
	assert_true(checkrec_is_answer(&e));
	rc = checkrec_answer_rules(&e);
	env_free(&e);
	buf_free(&env);
	json_decref(h);
	return rc;
}

static void
test_answer_rules(void **state)
{
	uint8_t id[32];
	json_t *h;

	memset(id, 0xab, 32);
	assert_int_equal(answer_rules(checkrec_answer_header(id)), 0);
	h = checkrec_answer_header(id);
	json_object_set_new(h, "status", json_string("delivered"));
	assert_int_equal(answer_rules(h), -1);
	assert_non_null(strstr(rs_err(), "acknowledged"));
	h = checkrec_answer_header(id);
	json_object_set_new(h, "ref", json_string("abcd"));
	assert_int_equal(answer_rules(h), -1);
	assert_non_null(strstr(rs_err(), "ref"));
	h = checkrec_answer_header(id);
	json_array_append_new(json_object_get(h, "rcpt"), jhex(id, 32));
	assert_int_equal(answer_rules(h), -1);
	assert_non_null(strstr(rs_err(), "rcpt"));
}

static void
test_route_and_payload(void **state)
{
	uint8_t id[32], a[32], b[32];
	char *p;
	json_t *j;

	memset(id, 1, 32);
	checkrec_route(a, id);
	id[31] ^= 1;
	checkrec_route(b, id);
	assert_memory_not_equal(a, b, 32);
	assert_memory_not_equal(a, id, 32);
	p = checkrec_payload(NULL, NULL);
	j = jparse(p, strlen(p));
	assert_int_equal(json_object_size(json_object_get(j, "text")), 6);
	json_decref(j);
	free(p);
	assert_null(checkrec_payload("caf\xe9", "fr"));
	assert_non_null(strstr(rs_err(), "UTF-8"));
	p = checkrec_payload("Are you there?", "fr");
	assert_string_equal(p, "{\"text\":{\"fr\":\"Are you there?\"}}");
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentile),
		cmocka_unit_test(test_nobody_answered),
		cmocka_unit_test(test_all_answered),
		cmocka_unit_test(test_late_duplicates_and_strangers),
		cmocka_unit_test(test_duplicate_audience_and_empty),
		cmocka_unit_test(test_groups_history_since),
		cmocka_unit_test(test_same_input_same_bytes),
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_since),
		cmocka_unit_test(test_answer_rules),
		cmocka_unit_test(test_route_and_payload),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
