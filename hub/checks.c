/*
 * checks.c - communication checks on the hub: "rosterd ping" (the operator
 * starts one), "rosterd checks" (the report), and the public endpoint
 * GET /v1/checks/report.
 *
 * A check and its answers are ordinary log records (lib/checkrec.h).  The
 * hub keeps no figures of its own: the report is computed from the log
 * every time, by lib/checkstats.c, the same code a node runs on the records
 * it fetched and verified through GET /v1/public (checks and their answers
 * are public records, protocol.md section 8).  So a node that finds other
 * figures than the hub's has proof, in signed records, of which is right.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "checkrec.h"
#include "checkstats.h"
#include "db.h"
#include "hub.h"
#include "jsonutil.h"
#include "keys.h"
#include "store.h"
#include "util.h"

#define CHECK_SQL "SELECT idx, time, envelope FROM log" \
	" WHERE @public AND kind = 'check' AND idx < ?1 ORDER BY idx"
#define ANSWER_SQL "SELECT l.idx, l.time, l.signer FROM rcpt r" \
	" JOIN log l ON l.idx = r.idx WHERE r.device = ?1 AND r.idx < ?2 ORDER BY r.idx"

/* ---- the report ------------------------------------------------------------ */

/* The answers filed under c's routing key, below size.  The sequencer filed
 * only well-formed answers naming c (lib/checkrec.h), so the signer column
 * is all that is needed. */
static int
add_answers(sqlite3 *db, struct cs_check *c, uint64_t size)
{
	sqlite3_stmt *st = db_prep(db, ANSWER_SQL);
	uint8_t key[32];
	int rc;

	if (st == NULL)
		return -1;
	checkrec_route(key, c->id);
	sqlite3_bind_blob(st, 1, key, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)size);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite3_column_bytes(st, 2) == 32)
			checkrec_add_answer(c, sqlite3_column_blob(st, 2),
			    sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rs_seterr("cannot read the answers: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* The checks below size, with their audience and answers, into *out. */
static int
load_checks(sqlite3 *db, struct directory *d, uint64_t size, struct cs_check **out,
    size_t *n)
{
	sqlite3_stmt *st = store_prep(db, CHECK_SQL);
	struct envelope e;
	int rc;

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)size);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cs_check c;
		int64_t idx = sqlite3_column_int64(st, 0);
		if (env_parse(&e, sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2)) != 0)
			break;
		if (checkrec_to_stats(d, &e, idx, sqlite3_column_int64(st, 1), &c) != 0) {
			env_free(&e);
			break;
		}
		env_free(&e);
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = c;
		if (add_answers(db, &(*out)[*n - 1], size) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		if (rc != SQLITE_ROW)
			rs_seterr("cannot read the checks: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* The groups as the group records below size define them, so that the
 * report over a log prefix is the same whenever it is computed. */
static struct cs_group *
groups_at(sqlite3 *db, const uint8_t operator_key[32], uint64_t size, size_t *n)
{
	sqlite3_stmt *st = store_prep(db, "SELECT idx, envelope FROM log"
	    " WHERE @public AND kind = 'group' AND idx < ?1"
	    " ORDER BY idx");
	struct directory *g = dir_new(operator_key);
	struct cs_group *out;
	struct envelope e;

	if (st != NULL) {
		sqlite3_bind_int64(st, 1, (int64_t)size);
		while (sqlite3_step(st) == SQLITE_ROW)
			if (env_parse(&e, sqlite3_column_blob(st, 1),
			    (size_t)sqlite3_column_bytes(st, 1)) == 0) {
				dir_apply(g, &e, sqlite3_column_int64(st, 0));
				env_free(&e);
			}
		sqlite3_finalize(st);
	}
	out = checkrec_groups(g, n);
	dir_free(g);
	return out;
}

/* The report over the log's first size records.  The directory *dp is
 * read only while the checks are loaded, under dirlock when given (the
 * serving hub's, which the sequencer may swap); the figures are computed
 * after. */
static json_t *
hub_checks_report(sqlite3 *db, struct directory *const *dp,
    pthread_rwlock_t *dirlock, uint64_t size, int64_t since)
{
	struct directory *d;
	struct cs_check *cs = NULL;
	struct cs_group *groups = NULL;
	size_t n = 0, ngroups = 0;
	json_t *report = NULL;
	uint8_t op[32];
	int rc;

	if (dirlock != NULL)
		pthread_rwlock_rdlock(dirlock);
	d = *dp;
	memcpy(op, d->operator_key, 32);
	rc = load_checks(db, d, size, &cs, &n);
	if (dirlock != NULL)
		pthread_rwlock_unlock(dirlock);
	if (rc == 0) {
		groups = groups_at(db, op, size, &ngroups);
		report = cs_report(cs, n, groups, ngroups, since);
	}
	for (size_t i = 0; i < n; i++)
		checkrec_stats_free(&cs[i]);
	free(cs);
	checkrec_groups_free(groups, ngroups);
	return report;
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
	report = hub_checks_report(db, &a->s->dir, &a->s->dirlock, (uint64_t)size, since);
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
	*db = NULL;
	if (access(path, R_OK) != 0) {
		rs_seterr("%s is not an initialised hub (no readable hub.db)", hubdir);
		goto out;
	}
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

int
cmd_checks(int argc, char **argv)
{
	const char *hubdir, *since_s;
	struct opts op;
	struct directory *d = NULL;
	sqlite3 *db = NULL;
	json_t *report = NULL;
	int64_t since = 0;
	uint64_t size = 0;
	int json, csv, rc = 1;

	if (hub_opts(&op, &hdoc_checks, argc, argv) != 0)
		return 2;
	json = opt_flag(&op, "--json");
	csv = opt_flag(&op, "--csv");
	since_s = opt_value(&op, "--since");
	if (hub_opts_finish(&op, &hubdir) != 0)
		return 2;
	if (json && csv)
		return opts_usage_for("rosterd", "checks", "give at most one of --json "
		    "and --csv");
	if (since_s != NULL && checkrec_parse_since(since_s, &since) != 0)
		return opts_usage_for("rosterd", "checks", "--since: %s", rs_err());
	if (open_log(hubdir, &db, &d, &size) != 0 ||
	    (report = hub_checks_report(db, &d, NULL, size, since)) == NULL) {
		fprintf(stderr, "rosterd checks: %s\n", rs_err());
		goto out;
	}
	cs_report_print(stdout, report, json, csv);
	rc = 0;
out:
	json_decref(report);
	dir_free(d);
	db_close(db);
	return rc;
}

/* ---- rosterd ping ------------------------------------------------------------------ */

struct ping_opts {
	const char *hubdir, *to, *roles, *text, *lang;
	char *to_buf;		/* to, State codes in capitals (lib/vocab.h) */
	int64_t duration;
};

static int
parse_ping(int argc, char **argv, struct ping_opts *o)
{
	struct opts op;
	const char *deadline;

	memset(o, 0, sizeof(*o));
	if (hub_opts(&op, &hdoc_ping, argc, argv) != 0)
		return -1;
	o->to = opt_value(&op, "--to");
	deadline = opt_value(&op, "--deadline");
	o->roles = opt_value(&op, "--role");
	o->text = opt_value(&op, "--text");
	o->lang = opt_value(&op, "--lang");
	if (hub_opts_finish(&op, &o->hubdir) != 0)
		return -1;
	if (o->to == NULL || deadline == NULL) {
		opts_usage_for("rosterd", "ping", "--to and --deadline are required");
		return -1;
	}
	o->to = o->to_buf = vocab_audience_norm(o->to);	/* xb is XB */
	if (checkrec_parse_duration(deadline, &o->duration) != 0) {
		opts_usage_for("rosterd", "ping", "--deadline: %s", rs_err());
		return -1;
	}
	if (o->roles != NULL) {
		char *list = xstrdup(o->roles), *save = NULL;
		for (char *r = strtok_r(list, ", ", &save); r; r = strtok_r(NULL, ", ", &save))
			if (!dir_valid_role(r)) {
				opts_usage_for("rosterd", "ping", "unknown role \"%s\" (diplomatic,"
				    " technical or alternate)", r);
				free(list);
				return -1;
			}
		free(list);
	}
	if (o->text != NULL && (*o->text == '\0' || strlen(o->text) > CHECK_MAX_TEXT)) {
		opts_usage_for("rosterd", "ping", "--text must be 1 to %d bytes", CHECK_MAX_TEXT);
		return -1;
	}
	if (o->lang != NULL && (o->text == NULL || strlen(o->lang) < 2 ||
	    strlen(o->lang) > 3 || strspn(o->lang, "abcdefghijklmnopqrstuvwxyz") !=
	    strlen(o->lang))) {
		opts_usage_for("rosterd", "ping", "--lang CODE (2 or 3 lower-case letters, "
		    "such as fr) goes with --text");
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
	if ((payload = checkrec_payload(o->text, o->lang)) == NULL)
		goto out;
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

	if (parse_ping(argc, argv, &o) != 0) {
		free(o.to_buf);
		return 2;
	}
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
	free(o.to_buf);
	return rc;
}
