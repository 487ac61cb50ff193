/*
 * checks.c - communication checks on the hub: "rosterd ping" (the operator
 * starts one), "rosterd checks" (the report), and the public endpoints
 * GET /v1/checks and GET /v1/checks/report.
 *
 * A check and its answers are ordinary log records (lib/checkrec.h).  The
 * hub keeps no figures of its own: the report is computed from the log
 * every time, by lib/checkstats.c, the same code a node runs on the records
 * it fetched and verified through GET /v1/checks.  So a node that finds
 * other figures than the hub's has proof, in signed records, of which is
 * right.
 *
 * GET /v1/checks?after=I is a listing like /v1/directory: every check
 * record, and every answer filed under a check's routing key, with index
 * above I, in index order, each with its inclusion proof at the checkpoint
 * given.  Checks are few (found through the kind index), and answers are
 * found per check through the rcpt table, so a page costs one index seek
 * per check and never a scan of the log.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "checkrec.h"
#include "checkstats.h"
#include "db.h"
#include "hub.h"
#include "jsonutil.h"
#include "keys.h"
#include "store.h"
#include "util.h"

#define CHECK_SQL "SELECT idx, time, envelope, id FROM log" \
	" WHERE kind NOT IN ('msg', 'ack') AND kind = 'check' AND idx < ?1 ORDER BY idx"
#define ANSWER_SQL "SELECT l.idx, l.time, l.envelope FROM rcpt r" \
	" JOIN log l ON l.idx = r.idx WHERE r.device = ?1 AND r.idx > ?2" \
	" AND r.idx < ?3 ORDER BY r.idx LIMIT ?4"

/* ---- rows of the log ---------------------------------------------------- */

struct row {
	int64_t idx, time;
	uint8_t *env;
	size_t len;
};

struct rows {
	struct row *v;
	size_t n, cap;
};

static void
rows_add(struct rows *r, sqlite3_stmt *st)
{
	struct row *w;
	int len = sqlite3_column_bytes(st, 2);

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	w = &r->v[r->n++];
	w->idx = sqlite3_column_int64(st, 0);
	w->time = sqlite3_column_int64(st, 1);
	w->len = (size_t)len;
	w->env = xmalloc(w->len + 1);
	memcpy(w->env, sqlite3_column_blob(st, 2), w->len);
}

static void
rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].env);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static int
row_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct row *)a)->idx, y = ((const struct row *)b)->idx;

	return x < y ? -1 : x > y;
}

/* The checks below size, and the ids of all of them. */
static int
read_checks(sqlite3 *db, uint64_t size, struct rows *checks, uint8_t (**ids)[32])
{
	sqlite3_stmt *st = db_prep(db, CHECK_SQL);
	int rc;

	*ids = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)size);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rows_add(checks, st);
		*ids = xrealloc(*ids, checks->n * 32);
		if (sqlite3_column_bytes(st, 3) == 32)
			memcpy((*ids)[checks->n - 1], sqlite3_column_blob(st, 3), 32);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rs_seterr("cannot read the checks: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* The answers to check id with after < index < size, at most limit. */
static int
read_answers(sqlite3 *db, const uint8_t id[32], int64_t after, uint64_t size,
    int64_t limit, struct rows *out)
{
	sqlite3_stmt *st = db_prep(db, ANSWER_SQL);
	uint8_t key[32];
	int rc;

	if (st == NULL)
		return -1;
	checkrec_route(key, id);
	sqlite3_bind_blob(st, 1, key, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int64(st, 3, (int64_t)size);
	sqlite3_bind_int64(st, 4, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		rows_add(out, st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rs_seterr("cannot read the answers: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* ---- the report ------------------------------------------------------------ */

/* Adds the answers of rows to c: only well-formed answers to c itself. */
static void
add_answers(struct cs_check *c, const struct rows *ans)
{
	for (size_t i = 0; i < ans->n; i++) {
		struct envelope e;
		uint8_t ref[32];
		const char *hex;
		if (env_parse(&e, ans->v[i].env, ans->v[i].len) != 0)
			continue;
		hex = env_str(&e, "ref");
		if (checkrec_is_answer(&e) && hex != NULL &&
		    hex_decode_exact(ref, 32, hex) == 0 && memcmp(ref, c->id, 32) == 0)
			checkrec_add_answer(c, e.key, ans->v[i].idx, ans->v[i].time);
		env_free(&e);
	}
}

json_t *
hub_checks_report(sqlite3 *db, struct directory *d, uint64_t size, int64_t since);

json_t *
hub_checks_report(sqlite3 *db, struct directory *d, uint64_t size, int64_t since)
{
	struct rows checks = {0};
	uint8_t (*ids)[32] = NULL;
	struct cs_check *cs = NULL;
	struct cs_group *groups = NULL;
	size_t n = 0, ngroups = 0;
	json_t *report = NULL;

	if (read_checks(db, size, &checks, &ids) != 0)
		goto out;
	cs = xcalloc(checks.n + 1, sizeof(*cs));
	for (size_t i = 0; i < checks.n; i++) {
		struct envelope e;
		struct rows ans = {0};
		if (env_parse(&e, checks.v[i].env, checks.v[i].len) != 0)
			goto out;
		if (checkrec_to_stats(d, &e, checks.v[i].idx, checks.v[i].time, &cs[n]) != 0) {
			env_free(&e);
			goto out;
		}
		env_free(&e);
		n++;
		if (read_answers(db, ids[i], -1, size, INT64_MAX, &ans) != 0)
			goto out;
		add_answers(&cs[n - 1], &ans);
		rows_free(&ans);
	}
	groups = checkrec_groups(d, &ngroups);
	report = cs_report(cs, n, groups, ngroups, since);
out:
	for (size_t i = 0; i < n; i++)
		checkrec_stats_free(&cs[i]);
	free(cs);
	free(ids);
	rows_free(&checks);
	checkrec_groups_free(groups, ngroups);
	return report;
}

/* ---- GET /v1/checks ----------------------------------------------------------- */

/* The page: checks and answers with after < index < size, at most limit. */
static int
page_rows(sqlite3 *db, int64_t after, uint64_t size, size_t limit,
    struct rows *page)
{
	struct rows checks = {0};
	uint8_t (*ids)[32] = NULL;
	int rc = -1;

	if (read_checks(db, size, &checks, &ids) != 0)
		goto out;
	for (size_t i = 0; i < checks.n; i++) {
		if (checks.v[i].idx > after) {
			struct row *w;
			if (page->n == page->cap) {
				page->cap = page->cap ? page->cap * 2 : 64;
				page->v = xrealloc(page->v, page->cap * sizeof(*page->v));
			}
			w = &page->v[page->n++];
			*w = checks.v[i];
			checks.v[i].env = NULL;
		}
		if (read_answers(db, ids[i], after, size, (int64_t)limit + 1, page) != 0)
			goto out;
	}
	if (page->n > 1)
		qsort(page->v, page->n, sizeof(*page->v), row_cmp);
	rc = 0;
out:
	free(ids);
	rows_free(&checks);
	return rc;
}

void
checks_get_listing(struct api *a, const struct http_req *req, struct http_resp *resp)
{
	struct rows page = {0};
	uint64_t size;
	int64_t after;
	sqlite3 *db;
	json_t *cp, *recs, *j;
	size_t n;

	if (api_query_int(req, resp, "after", 0, -1, -1, INT64_MAX, &after) != 0)
		return;
	if ((cp = cp_current(a->s, &size)) == NULL) {
		http_resp_error(resp, 500, "internal error: cannot make a checkpoint: %s",
		    rs_err());
		return;
	}
	if ((db = store_reader(a->s)) == NULL ||
	    page_rows(db, after, size, API_MAX_RECORDS, &page) != 0) {
		store_reader_done(a->s, db);
		rows_free(&page);
		json_decref(cp);
		http_resp_error(resp, 500, "internal error: cannot list the checks: %s",
		    rs_err());
		return;
	}
	store_reader_done(a->s, db);
	n = page.n < API_MAX_RECORDS ? page.n : API_MAX_RECORDS;
	recs = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *r = api_record(a->s, size, (uint64_t)page.v[i].idx, page.v[i].time,
		    page.v[i].env, page.v[i].len);
		if (r == NULL) {
			json_decref(recs);
			json_decref(cp);
			rows_free(&page);
			http_resp_error(resp, 500, "internal error: cannot prove a record");
			return;
		}
		json_array_append_new(recs, r);
	}
	j = json_object();
	json_object_set_new(j, "checkpoint", cp);
	json_object_set_new(j, "records", recs);
	json_object_set_new(j, "more", json_boolean(page.n > n));
	rows_free(&page);
	http_resp_json(resp, 200, j);
}

/* ---- GET /v1/checks/report?size=N ---------------------------------------------- */

void
checks_get_report(struct api *a, const struct http_req *req, struct http_resp *resp)
{
	uint64_t committed = store_committed(a->s);
	int64_t size, since;
	json_t *report, *j;
	sqlite3 *db;

	if (api_query_int(req, resp, "size", 0, (int64_t)committed, 0,
	    (int64_t)committed, &size) != 0 ||
	    api_query_int(req, resp, "since", 0, 0, 0, INT64_MAX, &since) != 0)
		return;
	if ((db = store_reader(a->s)) == NULL) {
		http_resp_error(resp, 500, "internal error: %s", rs_err());
		return;
	}
	pthread_rwlock_rdlock(&a->s->dirlock);
	report = hub_checks_report(db, a->s->dir, (uint64_t)size, since);
	pthread_rwlock_unlock(&a->s->dirlock);
	store_reader_done(a->s, db);
	if (report == NULL) {
		http_resp_error(resp, 500, "internal error: cannot compute the report: %s",
		    rs_err());
		return;
	}
	j = json_object();
	json_object_set_new(j, "size", json_integer(size));
	json_object_set_new(j, "report", report);
	http_resp_json(resp, 200, j);
}

/* ---- rosterd checks ---------------------------------------------------------------- */

/* "2026-11-22" (UTC midnight) or a time in ms. */
static int
parse_since(const char *s, int64_t *out)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end != NULL && *end == '\0') {
		*out = (int64_t)timegm(&tm) * 1000;
		return 0;
	}
	long long v = strtoll(s, &end, 10);
	if (*s != '\0' && *end == '\0' && v >= 0) {
		*out = v;
		return 0;
	}
	return -1;
}

/* Opens the hub's database for reading (serving or not) and its
 * directory. */
static int
open_log(const char *hubdir, sqlite3 **db, struct directory **d, uint64_t *size)
{
	char *path = hub_path(hubdir, "hub.db"), *hex = NULL;
	uint8_t pk[32];
	sqlite3_stmt *st;
	int rc = -1;

	*d = NULL;
	if ((*db = db_open(path, NULL)) == NULL)
		goto out;
	hex = db_meta_get_text(*db, "operator_key");
	if (hex == NULL || hex_decode_exact(pk, 32, hex) != 0) {
		rs_seterr("%s records no operator key: not a hub database", path);
		goto out;
	}
	if ((*d = store_load_dir(*db, pk)) == NULL)
		goto out;
	if ((st = db_prep(*db, "SELECT coalesce(max(idx), -1) + 1 FROM log")) == NULL)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*size = (uint64_t)sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
out:
	free(path);
	free(hex);
	return rc;
}

static int
print_report(json_t *report, int json, int csv)
{
	struct buf out = {0};
	char *text;

	if (json) {
		text = cs_dump(report);
		printf("%s\n", text);
		free(text);
		return 0;
	}
	if (csv)
		cs_report_csv(report, &out);
	else
		cs_report_text(report, &out);
	fwrite(out.p, 1, out.len, stdout);
	buf_free(&out);
	return 0;
}

int
cmd_checks(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "since", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *hubdir, *pos = NULL;
	struct directory *d = NULL;
	sqlite3 *db = NULL;
	json_t *report = NULL;
	int64_t since = 0;
	uint64_t size = 0;
	int c, json = 0, csv = 0, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'c':
			csv = 1;
			break;
		case 's':
			if (parse_since(optarg, &since) != 0) {
				fprintf(stderr, "rosterd checks: --since takes a date "
				    "(YYYY-MM-DD, UTC) or a time in ms, not \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'h':
			help_checks();
			exit(0);
		default:
			fprintf(stderr, "Try \"rosterd checks --help\".\n");
			return 2;
		}
	}
	if (optind < argc)
		pos = argv[optind++];
	if (optind < argc || (json && csv)) {
		fprintf(stderr, "rosterd checks: %s\n", json && csv ?
		    "give at most one of --json and --csv" : "unexpected argument");
		return 2;
	}
	if ((hubdir = hub_dir_arg(pos)) == NULL) {
		fprintf(stderr, "rosterd checks: %s\n", rs_err());
		return 2;
	}
	if (open_log(hubdir, &db, &d, &size) != 0 ||
	    (report = hub_checks_report(db, d, size, since)) == NULL) {
		fprintf(stderr, "rosterd checks: %s\n", rs_err());
		goto out;
	}
	rc = print_report(report, json, csv);
out:
	json_decref(report);
	dir_free(d);
	db_close(db);
	return rc;
}

/* ---- rosterd ping ------------------------------------------------------------------ */

struct ping_opts {
	const char *hubdir, *to, *roles, *text, *lang;
	int64_t duration;
};

static int
parse_ping(int argc, char **argv, struct ping_opts *o)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "deadline", required_argument, NULL, 'd' },
		{ "role", required_argument, NULL, 'r' },
		{ "text", required_argument, NULL, 'x' },
		{ "lang", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *pos = NULL, *deadline = NULL;
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 't': o->to = optarg; break;
		case 'd': deadline = optarg; break;
		case 'r': o->roles = optarg; break;
		case 'x': o->text = optarg; break;
		case 'l': o->lang = optarg; break;
		case 'h':
			help_ping();
			exit(0);
		default:
			fprintf(stderr, "Try \"rosterd ping --help\".\n");
			return -1;
		}
	}
	if (optind < argc)
		pos = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "rosterd ping: unexpected argument \"%s\"\n", argv[optind]);
		return -1;
	}
	if ((o->hubdir = hub_dir_arg(pos)) == NULL) {
		fprintf(stderr, "rosterd ping: %s\n", rs_err());
		return -1;
	}
	if (o->to == NULL || deadline == NULL) {
		fprintf(stderr, "rosterd ping: --to and --deadline are required\n");
		return -1;
	}
	if (checkrec_parse_duration(deadline, &o->duration) != 0) {
		fprintf(stderr, "rosterd ping: --deadline: %s\n", rs_err());
		return -1;
	}
	if (o->roles != NULL) {
		char *list = xstrdup(o->roles), *save = NULL;
		for (char *r = strtok_r(list, ", ", &save); r; r = strtok_r(NULL, ", ", &save))
			if (!dir_valid_role(r)) {
				fprintf(stderr, "rosterd ping: unknown role \"%s\" (diplomatic,"
				    " technical or alternate)\n", r);
				free(list);
				return -1;
			}
		free(list);
	}
	if (o->text != NULL && (*o->text == '\0' || strlen(o->text) > CHECK_MAX_TEXT)) {
		fprintf(stderr, "rosterd ping: --text must be 1 to %d bytes\n", CHECK_MAX_TEXT);
		return -1;
	}
	if (o->lang != NULL && o->text == NULL) {
		fprintf(stderr, "rosterd ping: --lang goes with --text\n");
		return -1;
	}
	return 0;
}

static int
build_check(const struct ping_opts *o, struct directory *d,
    const struct keypair *op, struct buf *env, size_t *ndev, size_t *nstates,
    int64_t *deadline)
{
	json_t *hdr = json_object(), *states = json_array(), *rcpt = json_array();
	int64_t now = now_ms();
	char *payload = NULL;
	int rc = -1;

	if (checkrec_audience(d, o->to, o->roles, now, NULL, states, rcpt) != 0)
		goto out;
	*ndev = json_array_size(rcpt);
	*nstates = json_array_size(states);
	json_object_set_new(hdr, "kind", json_string("check"));
	json_object_set(hdr, "to", states);
	json_object_set(hdr, "rcpt", rcpt);
	*deadline = now + o->duration;
	json_object_set_new(hdr, "deadline", json_integer(*deadline));
	if (o->roles != NULL)
		json_object_set_new(hdr, "roles", json_string(o->roles));
	payload = checkrec_payload(o->text, o->lang);
	rc = env_build(env, hdr, payload, strlen(payload), op->pk, op->sk);
out:
	free(payload);
	json_decref(hdr);
	json_decref(states);
	json_decref(rcpt);
	return rc;
}

int
cmd_ping(int argc, char **argv)
{
	struct ping_opts o;
	struct keypair *op = NULL;
	struct directory *d = NULL;
	struct receipt r;
	struct buf env = {0};
	sqlite3 *db = NULL;
	uint64_t size;
	int64_t deadline = 0;
	size_t ndev = 0, nstates = 0;
	uint8_t id[32];
	char *hex, when[32];
	int rc = 1;

	if (parse_ping(argc, argv, &o) != 0)
		return 2;
	if ((op = operator_key_read(o.hubdir)) == NULL ||
	    open_log(o.hubdir, &db, &d, &size) != 0)
		goto out;
	db_close(db);
	db = NULL;
	if (build_check(&o, d, op, &env, &ndev, &nstates, &deadline) != 0 ||
	    operator_append(o.hubdir, op, &env, &r) != 0)
		goto out;
	sha256(id, env.p, env.len);
	hex = hex_encode(id, 32);
	time_t t = (time_t)(deadline / 1000);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
	printf("rosterd: check %s logged at index %llu: %zu device%s of %zu State%s,"
	    " deadline %s\n", hex, (unsigned long long)r.index, ndev, ndev == 1 ? "" : "s",
	    nstates, nstates == 1 ? "" : "s", when);
	free(hex);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "rosterd ping: cannot start the check: %s\n", rs_err());
	db_close(db);
	dir_free(d);
	buf_free(&env);
	keypair_free(op);
	return rc;
}
