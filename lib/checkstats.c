/*
 * checkstats.c - response rates and times of communication checks.  See
 * checkstats.h for the rules; docs/checks.md for the report's fields.
 *
 * Everything here is a function of the arrays passed in and nothing else
 * (no clock, no store), so the hub and a node that verified the same
 * records print the same report.  Sizes are small (an audience is at most
 * a few thousand devices, a history a few hundred checks), so the plain
 * quadratic scans below are the clearest way and fast enough.
 *
 * A row of the report is an "accumulation" over some audience members of
 * one or more checks (all of them, one State's, one role's, one group's):
 * POC-level counts and response times, and the State-level view of the
 * same members (a State counts once per check, answered when any of its
 * members answered in time).
 */
#include "checkstats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonutil.h"
#include "vocab.h"

struct i64vec {
	int64_t *v;
	size_t n, cap;
};

static void
vec_push(struct i64vec *a, int64_t x)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = x;
}

struct acc {
	size_t pocs, answered, late;
	size_t states, states_answered, states_late;
	struct i64vec t, st;
};

/* Which members a row covers. */
enum scope { SC_ALL, SC_STATE, SC_ROLE, SC_GROUP };

struct filter {
	enum scope scope;
	const char *key;
	const struct cs_group *group;
};

/* ---- one check ------------------------------------------------------------ */

/* Sorting keys with their position, to find duplicates and answers in
 * O(n log n) rather than by scanning. */
struct keyed {
	const uint8_t *key;
	int64_t index;		/* answers: log index; members: position */
	size_t at;
};

static int
keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = memcmp(x->key, y->key, 32);

	if (c != 0)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* The first answer of key after the check (lowest index above it) among
 * the sorted answers, or NULL. */
static const struct cs_answer *
first_answer(const struct cs_check *c, const struct keyed *ans, size_t n,
    const uint8_t key[32])
{
	size_t lo = 0, hi = n;

	while (lo < hi) {		/* first entry with (key, index > c->index) */
		size_t mid = lo + (hi - lo) / 2;
		int k = memcmp(ans[mid].key, key, 32);
		if (k < 0 || (k == 0 && ans[mid].index <= c->index))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && memcmp(ans[lo].key, key, 32) == 0)
		return &c->ans[ans[lo].at];
	return NULL;
}

static void
outcome_of(const struct cs_check *c, const struct cs_answer *first,
    struct cs_outcome *o)
{
	if (first == NULL)
		return;
	o->answer_index = first->index;
	o->answer_time = first->time;
	o->response_ms = first->time - c->time;
	if (o->response_ms < 0)
		o->response_ms = 0;	/* log times never go back */
	if (first->time > c->deadline)
		o->late = 1;
	else
		o->answered = 1;
}

void
cs_outcomes(const struct cs_check *c, struct cs_outcome *out)
{
	struct keyed *ans = xcalloc(c->nans + 1, sizeof(*ans));
	struct keyed *mem = xcalloc(c->naud + 1, sizeof(*mem));

	for (size_t k = 0; k < c->nans; k++)
		ans[k] = (struct keyed){ c->ans[k].key, c->ans[k].index, k };
	for (size_t i = 0; i < c->naud; i++)
		mem[i] = (struct keyed){ c->aud[i].key, (int64_t)i, i };
	if (c->nans > 1)
		qsort(ans, c->nans, sizeof(*ans), keyed_cmp);
	if (c->naud > 1)
		qsort(mem, c->naud, sizeof(*mem), keyed_cmp);
	for (size_t i = 0; i < c->naud; i++) {
		struct cs_outcome *o = &out[mem[i].at];
		memset(o, 0, sizeof(*o));
		o->response_ms = o->answer_index = o->answer_time = -1;
		/* a repeated entry: all but its first position */
		o->dup = i > 0 && memcmp(mem[i - 1].key, mem[i].key, 32) == 0;
		if (!o->dup)
			outcome_of(c, first_answer(c, ans, c->nans, mem[i].key), o);
	}
	free(ans);
	free(mem);
}

static int
i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int64_t
cs_percentile(int64_t *v, size_t n, int p)
{
	size_t rank;

	if (n == 0)
		return -1;
	if (p < 1)
		p = 1;
	if (p > 100)
		p = 100;
	qsort(v, n, sizeof(*v), i64_cmp);
	rank = ((size_t)p * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

static int
group_has(const struct cs_group *g, const char *state)
{
	for (size_t i = 0; i < g->nstates; i++)
		if (strcmp(g->states[i], state) == 0)
			return 1;
	return 0;
}

static int
passes(const struct filter *f, const struct cs_member *m)
{
	switch (f->scope) {
	case SC_ALL:
		return 1;
	case SC_STATE:
		return strcmp(m->state, f->key) == 0;
	case SC_ROLE:
		return strcmp(m->role, f->key) == 0;
	case SC_GROUP:
		return group_has(f->group, m->state);
	}
	return 0;
}

/* A State's view within one check and one row, indexed by its code. */
#define STATE_SLOTS (26 * 26)

struct state_view {
	int64_t best;		/* fastest response in time, -1 */
	int seen, late;
};

static int
state_slot(const char *st)
{
	if (st[0] < 'A' || st[0] > 'Z' || st[1] < 'A' || st[1] > 'Z')
		return -1;
	return (st[0] - 'A') * 26 + (st[1] - 'A');
}

/* Adds the members of c that f covers: POC figures member by member, then
 * the State figures (each State once: answered through its fastest POC).
 * sv is STATE_SLOTS entries of scratch, all unseen on entry and on exit. */
static void
acc_check(struct acc *a, const struct cs_check *c, const struct cs_outcome *o,
    const struct filter *f, struct state_view *sv)
{
	for (size_t i = 0; i < c->naud; i++) {
		const struct cs_member *m = &c->aud[i];
		int k = state_slot(m->state);

		if (o[i].dup || !passes(f, m))
			continue;
		a->pocs++;
		if (o[i].answered) {
			a->answered++;
			vec_push(&a->t, o[i].response_ms);
		} else if (o[i].late)
			a->late++;
		if (k < 0)
			continue;	/* the directory's rules forbid it */
		if (!sv[k].seen)
			sv[k] = (struct state_view){ .best = -1, .seen = 1 };
		if (o[i].answered && (sv[k].best < 0 || o[i].response_ms < sv[k].best))
			sv[k].best = o[i].response_ms;
		sv[k].late |= o[i].late;
	}
	for (size_t i = 0; i < c->naud; i++) {	/* in audience order */
		int k = state_slot(c->aud[i].state);
		if (k < 0 || !sv[k].seen)
			continue;
		a->states++;
		if (sv[k].best >= 0) {
			a->states_answered++;
			vec_push(&a->st, sv[k].best);
		} else if (sv[k].late)
			a->states_late++;
		sv[k].seen = 0;
	}
}

static void
acc_free(struct acc *a)
{
	free(a->t.v);
	free(a->st.v);
}

/* ---- rows ------------------------------------------------------------------- */

static json_t *
rate(size_t part, size_t whole)
{
	if (whole == 0)
		return json_null();
	return json_real(round(1000.0 * (double)part / (double)whole) / 10.0);
}

static json_t *
ms_or_null(int64_t v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static json_t *
acc_json(struct acc *a, const char *scope, const char *key)
{
	json_t *r = json_object();

	json_object_set_new(r, "scope", json_string(scope));
	json_object_set_new(r, "key", json_string(key));
	json_object_set_new(r, "pocs", json_integer((json_int_t)a->pocs));
	json_object_set_new(r, "answered", json_integer((json_int_t)a->answered));
	json_object_set_new(r, "late", json_integer((json_int_t)a->late));
	json_object_set_new(r, "rate", rate(a->answered, a->pocs));
	json_object_set_new(r, "median_ms", ms_or_null(cs_percentile(a->t.v, a->t.n, 50)));
	json_object_set_new(r, "p95_ms", ms_or_null(cs_percentile(a->t.v, a->t.n, 95)));
	json_object_set_new(r, "states", json_integer((json_int_t)a->states));
	json_object_set_new(r, "states_answered",
	    json_integer((json_int_t)a->states_answered));
	json_object_set_new(r, "states_late", json_integer((json_int_t)a->states_late));
	json_object_set_new(r, "state_rate", rate(a->states_answered, a->states));
	json_object_set_new(r, "state_median_ms",
	    ms_or_null(cs_percentile(a->st.v, a->st.n, 50)));
	json_object_set_new(r, "state_p95_ms",
	    ms_or_null(cs_percentile(a->st.v, a->st.n, 95)));
	return r;
}

/* The distinct roles (role: in lib/vocab.h's order) or States (sorted) of
 * the members of the checks. */
static json_t *
distinct(const struct cs_check *const *cs, size_t n, int role)
{
	unsigned char seen[STATE_SLOTS];
	json_t *a = json_array();

	memset(seen, 0, sizeof(seen));
	for (size_t k = 0; k < n; k++)
		for (size_t m = 0; m < cs[k]->naud; m++) {
			const char *v = role ? cs[k]->aud[m].role : cs[k]->aud[m].state;
			int slot = role ? vocab_index(vocab_roles, v) : state_slot(v);
			if (slot >= 0)	/* else one the directory's rules forbid */
				seen[slot] = 1;
		}
	for (int i = 0; i < (role ? VOCAB_NROLES : STATE_SLOTS); i++) {
		char st[3] = { (char)('A' + i / 26), (char)('A' + i % 26), 0 };
		if (seen[i])
			json_array_append_new(a, json_string(role ? vocab_roles[i] : st));
	}
	return a;
}

/* One row over the checks cs (with their outcomes os). */
static json_t *
row(const struct cs_check *const *cs, struct cs_outcome *const *os, size_t n,
    const struct filter *f, const char *scope, const char *key)
{
	struct state_view *sv = xcalloc(STATE_SLOTS, sizeof(*sv));
	struct acc a;
	json_t *r;

	memset(&a, 0, sizeof(a));
	for (size_t k = 0; k < n; k++)
		acc_check(&a, cs[k], os[k], f, sv);
	r = acc_json(&a, scope, key);
	acc_free(&a);
	free(sv);
	return r;
}

/* The rows: all, then by State, role and group. */
static json_t *
rows(const struct cs_check *const *cs, struct cs_outcome *const *os, size_t n,
    const struct cs_group *groups, size_t ngroups)
{
	json_t *out = json_array(), *keys, *v;
	struct filter f = { .scope = SC_ALL };
	size_t i;

	json_array_append_new(out, row(cs, os, n, &f, "all", "all"));
	for (int role = 0; role <= 1; role++) {
		keys = distinct(cs, n, role);
		json_array_foreach(keys, i, v) {
			f.scope = role ? SC_ROLE : SC_STATE;
			f.key = json_string_value(v);
			json_array_append_new(out, row(cs, os, n, &f,
			    role ? "role" : "state", f.key));
		}
		json_decref(keys);
	}
	for (size_t g = 0; g < ngroups; g++) {
		f.scope = SC_GROUP;
		f.group = &groups[g];
		json_array_append_new(out, row(cs, os, n, &f, "group", groups[g].name));
	}
	return out;
}

static json_t *
pocs_json(const struct cs_check *c, const struct cs_outcome *o)
{
	json_t *a = json_array();

	for (size_t i = 0; i < c->naud; i++) {
		if (o[i].dup)
			continue;
		json_t *p = json_object();
		json_object_set_new(p, "device", jhex(c->aud[i].key, 32));
		json_object_set_new(p, "state", json_string(c->aud[i].state));
		json_object_set_new(p, "role", json_string(c->aud[i].role));
		json_object_set_new(p, "status", json_string(o[i].answered ? "answered" :
		    o[i].late ? "late" : "no answer"));
		json_object_set_new(p, "answer_index", ms_or_null(o[i].answer_index));
		json_object_set_new(p, "answer_time", ms_or_null(o[i].answer_time));
		json_object_set_new(p, "response_ms", ms_or_null(o[i].response_ms));
		json_array_append_new(a, p);
	}
	return a;
}

static json_t *
check_json(const struct cs_check *c, struct cs_outcome *o,
    const struct cs_group *groups, size_t ngroups)
{
	const struct cs_check *one[1] = { c };
	struct cs_outcome *oo[1] = { o };
	json_t *j = json_object();

	json_object_set_new(j, "id", jhex(c->id, 32));
	json_object_set_new(j, "index", json_integer(c->index));
	json_object_set_new(j, "time", json_integer(c->time));
	json_object_set_new(j, "deadline", json_integer(c->deadline));
	json_object_set_new(j, "signer", json_string(c->signer));
	json_object_set_new(j, "rows", rows(one, oo, 1, groups, ngroups));
	json_object_set_new(j, "pocs", pocs_json(c, o));
	return j;
}

json_t *
cs_report(const struct cs_check *checks, size_t n, const struct cs_group *groups,
    size_t ngroups, int64_t since)
{
	const struct cs_check **cs = xcalloc(n + 1, sizeof(*cs));
	struct cs_outcome **os = xcalloc(n + 1, sizeof(*os));
	json_t *j = json_object(), *list = json_array();
	size_t m = 0;

	for (size_t k = 0; k < n; k++) {
		if (checks[k].time < since)
			continue;
		cs[m] = &checks[k];
		os[m] = xcalloc(checks[k].naud + 1, sizeof(**os));
		cs_outcomes(cs[m], os[m]);
		json_array_append_new(list, check_json(cs[m], os[m], groups, ngroups));
		m++;
	}
	json_object_set_new(j, "checks", list);
	json_object_set_new(j, "history", rows(cs, os, m, groups, ngroups));
	for (size_t k = 0; k < m; k++)
		free(os[k]);
	free(os);
	free(cs);
	return j;
}

/* ---- output forms ------------------------------------------------------------ */

static const char *
field(json_t *o, const char *key)
{
	const char *s = jstr(o, key);

	return s != NULL ? s : "";
}

char *
cs_dump(json_t *report)
{
	return json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(6));
}

static const char *csv_fields[] = { "pocs", "answered", "late", "rate",
    "median_ms", "p95_ms", "states", "states_answered", "states_late",
    "state_rate", "state_median_ms", "state_p95_ms", NULL };

static void
csv_value(struct buf *out, json_t *v)
{
	if (json_is_integer(v))
		buf_printf(out, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		buf_printf(out, "%.1f", json_real_value(v));
}

/* Keys are State codes, role names, group names or hex: quote the rare
 * group name that needs it. */
static void
csv_text(struct buf *out, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_addstr(out, s);
		return;
	}
	buf_addstr(out, "\"");
	for (; *s; s++)
		buf_addstr(out, *s == '"' ? "\"\"" : (char[2]){ *s, 0 });
	buf_addstr(out, "\"");
}

static void
csv_rows(struct buf *out, const char *check, json_t *rs)
{
	json_t *r;
	size_t i;

	json_array_foreach(rs, i, r) {
		buf_printf(out, "%s,%s,", check, field(r, "scope"));
		csv_text(out, field(r, "key"));
		for (int f = 0; csv_fields[f] != NULL; f++) {
			buf_addstr(out, ",");
			csv_value(out, json_object_get(r, csv_fields[f]));
		}
		buf_addstr(out, "\n");
	}
}

void
cs_report_csv(json_t *report, struct buf *out)
{
	json_t *c;
	size_t i;

	buf_addstr(out, "check,scope,key");
	for (int f = 0; csv_fields[f] != NULL; f++)
		buf_printf(out, ",%s", csv_fields[f]);
	buf_addstr(out, "\n");
	json_array_foreach(json_object_get(report, "checks"), i, c)
		csv_rows(out, field(c, "id"), json_object_get(c, "rows"));
	csv_rows(out, "history", json_object_get(report, "history"));
}

static const char *
text_value(char *buf, size_t len, json_t *v, const char *unit)
{
	if (json_is_integer(v))
		snprintf(buf, len, "%lld%s", (long long)json_integer_value(v), unit);
	else if (json_is_real(v))
		snprintf(buf, len, "%.1f%s", json_real_value(v), unit);
	else
		snprintf(buf, len, "-");
	return buf;
}

/* A response time as a reader reads it: "840 ms", "5.6 s", "12.5 min",
 * "3.2 h", "2.0 d" (the JSON and CSV forms keep milliseconds). */
static const char *
text_duration(char *buf, size_t len, json_t *v)
{
	double ms;

	if (!json_is_integer(v))
		return text_value(buf, len, v, "");
	ms = (double)json_integer_value(v);
	if (ms < 1000)
		snprintf(buf, len, "%.0f ms", ms);
	else if (ms < 60e3)
		snprintf(buf, len, "%.1f s", ms / 1e3);
	else if (ms < 3600e3)
		snprintf(buf, len, "%.1f min", ms / 60e3);
	else if (ms < 48 * 3600e3)
		snprintf(buf, len, "%.1f h", ms / 3600e3);
	else
		snprintf(buf, len, "%.1f d", ms / 86400e3);
	return buf;
}

static void
text_rows(struct buf *out, json_t *rs)
{
	char rt[32], med[32], p95[32];
	json_t *r;
	size_t i;

	buf_printf(out, "  %-6s %-12s %5s %5s %5s %7s %10s %10s %8s\n", "scope",
	    "key", "pocs", "ans", "late", "rate", "median", "p95", "States");
	json_array_foreach(rs, i, r)
		buf_printf(out, "  %-6s %-12.12s %5lld %5lld %5lld %7s %10s %10s %4lld/%-3lld\n",
		    field(r, "scope"), field(r, "key"),
		    (long long)json_integer_value(json_object_get(r, "pocs")),
		    (long long)json_integer_value(json_object_get(r, "answered")),
		    (long long)json_integer_value(json_object_get(r, "late")),
		    text_value(rt, sizeof(rt), json_object_get(r, "rate"), "%"),
		    text_duration(med, sizeof(med), json_object_get(r, "median_ms")),
		    text_duration(p95, sizeof(p95), json_object_get(r, "p95_ms")),
		    (long long)json_integer_value(json_object_get(r, "states_answered")),
		    (long long)json_integer_value(json_object_get(r, "states")));
}

static const char *
utc(int64_t ms, char *out, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M:%SZ", &tm);
	return out;
}

/* The POCs of a check that did not answer in time; while its deadline is
 * still ahead, those that have not answered yet (a check due tomorrow is
 * not missed today). */
static void
text_missing(struct buf *out, json_t *pocs, int64_t deadline)
{
	int open = deadline > now_ms();
	json_t *p;
	size_t i, n = 0;

	json_array_foreach(pocs, i, p) {
		if (strcmp(field(p, "status"), "answered") == 0)
			continue;
		buf_printf(out, "%s %s %s %.16s (%s)", n++ > 0 ? ";" : open ?
		    "  not answered yet (the deadline has not passed):" :
		    "  not answered in time:", field(p, "state"), field(p, "role"),
		    field(p, "device"), open ? "open" : field(p, "status"));
	}
	if (n > 0)
		buf_addstr(out, "\n");
}

void
cs_report_text(json_t *report, struct buf *out)
{
	char t1[32], t2[32];
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(report, "checks"), i, c) {
		buf_printf(out, "check %.16s  by %s  log index %lld  logged %s  deadline %s\n",
		    field(c, "id"), field(c, "signer"),
		    (long long)json_integer_value(json_object_get(c, "index")),
		    utc(json_integer_value(json_object_get(c, "time")), t1, sizeof(t1)),
		    utc(json_integer_value(json_object_get(c, "deadline")), t2, sizeof(t2)));
		text_rows(out, json_object_get(c, "rows"));
		text_missing(out, json_object_get(c, "pocs"),
		    json_integer_value(json_object_get(c, "deadline")));
		buf_addstr(out, "\n");
	}
	buf_printf(out, "history: %zu check%s\n", json_array_size(json_object_get(report,
	    "checks")), json_array_size(json_object_get(report, "checks")) == 1 ? "" : "s");
	text_rows(out, json_object_get(report, "history"));
}

void
cs_report_print(FILE *f, json_t *report, int json, int csv)
{
	struct buf out = {0};
	char *text;

	if (json) {
		text = cs_dump(report);
		fprintf(f, "%s\n", text ? text : "{}");
		free(text);
		return;
	}
	if (csv)
		cs_report_csv(report, &out);
	else
		cs_report_text(report, &out);
	if (out.len > 0)
		fwrite(out.p, 1, out.len, f);
	buf_free(&out);
}
