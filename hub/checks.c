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
#include "hub.h"
#include "jsonutil.h"
#include "keys.h"
#include "log.h"
#include "store.h"
#include "util.h"
#include "vocab.h"

/* ---- the report ------------------------------------------------------------ */

/* store_route_cb: one answer filed under a check's routing key.  The
 * sequencer filed only well-formed answers naming the check
 * (lib/checkrec.h), so the signer is all that is needed. */
static int
add_answer(void *arg, uint64_t idx, int64_t time, const uint8_t signer[32])
{
	if (signer != NULL)
		checkrec_add_answer(arg, signer, (int64_t)idx, time);
	return 0;
}

struct loading {
	struct store *s;
	struct directory *d;
	uint64_t size;
	struct cs_check *out;
	size_t n;
};

/* store_row_cb: one check record, with its audience and answers. */
static int
add_check(void *arg, uint64_t idx, int64_t time, int64_t pindex,
    const void *env, size_t len)
{
	struct loading *l = arg;
	struct cs_check c;
	struct envelope e;
	uint8_t key[32];

	(void)pindex;
	if (env_parse(&e, env, len) != 0)
		return -1;
	if (checkrec_to_stats(l->d, &e, (int64_t)idx, time, &c) != 0) {
		env_free(&e);
		return -1;
	}
	env_free(&e);
	l->out = xrealloc(l->out, (l->n + 1) * sizeof(*l->out));
	l->out[l->n++] = c;
	checkrec_route(key, c.id);
	return l->s->ops->routes(l->s, key, -1, l->size, 0, add_answer,
	    &l->out[l->n - 1]);
}

/* store_row_cb: a group record, applied to a directory of groups alone. */
static int
add_group(void *arg, uint64_t idx, int64_t time, int64_t pindex,
    const void *env, size_t len)
{
	struct envelope e;

	(void)time;
	(void)pindex;
	if (env_parse(&e, env, len) == 0) {
		dir_apply(arg, &e, (int64_t)idx);
		env_free(&e);
	}
	return 0;
}

/* The groups as the group records below size define them, so that the
 * report over a log prefix is the same whenever it is computed. */
static struct cs_group *
groups_at(struct store *s, const uint8_t operator_key[32], uint64_t size, size_t *n)
{
	struct directory *g = dir_new(operator_key);
	struct cs_group *out;

	if (s->ops->kind_rows(s, "group", size, add_group, g) != 0)
		log_event(LOG_WARN, "checks", "cannot read the groups: %s", rs_err());
	out = checkrec_groups(g, n);
	dir_free(g);
	return out;
}

/* The report over the log's first size records.  The directory is read
 * only while the checks are loaded, under dirlock (the serving hub's
 * sequencer may swap it); the figures are computed after. */
static json_t *
hub_checks_report(struct store *s, uint64_t size, int64_t since)
{
	struct loading l = { .s = s, .size = size };
	struct cs_group *groups = NULL;
	size_t ngroups = 0;
	json_t *report = NULL;
	uint8_t op[32];
	int rc;

	pthread_rwlock_rdlock(&s->dirlock);
	l.d = s->dir;
	memcpy(op, l.d->operator_key, 32);
	rc = s->ops->kind_rows(s, "check", size, add_check, &l);
	pthread_rwlock_unlock(&s->dirlock);
	if (rc == 0) {
		groups = groups_at(s, op, size, &ngroups);
		report = cs_report(l.out, l.n, groups, ngroups, since);
	}
	for (size_t i = 0; i < l.n; i++)
		checkrec_stats_free(&l.out[i]);
	free(l.out);
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

	if (api_query_int(req, resp, "size", 0, (int64_t)committed, 0,
	    (int64_t)committed, &size) != 0 ||
	    api_query_int(req, resp, "since", 0, 0, 0, INT64_MAX, &since) != 0)
		return;
	report = hub_checks_report(a->s, (uint64_t)size, since);
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

/* Opens the hub's log for reading, serving or not: its directory and its
 * committed size. */
static struct store *
open_log(const char *hubdir)
{
	struct hub_config cfg;

	if (hub_config_read(hubdir, &cfg) != 0)
		return NULL;
	return store_open_reader(hubdir, &cfg);
}

int
cmd_checks(int argc, char **argv)
{
	const char *hubdir, *since_s;
	struct opts op;
	struct store *s = NULL;
	json_t *report = NULL;
	int64_t since = 0;
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
	if ((s = open_log(hubdir)) == NULL ||
	    (report = hub_checks_report(s, store_committed(s), since)) == NULL) {
		fprintf(stderr, "rosterd checks: %s\n", rs_err());
		goto out;
	}
	cs_report_print(stdout, report, json, csv);
	rc = 0;
out:
	json_decref(report);
	store_close(s);
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
	struct store *s = NULL;
	struct receipt r;
	struct buf env = {0};
	int64_t deadline = 0;
	size_t ndev = 0, nstates = 0;
	uint8_t id[32];
	char *hex, when[32];
	int built, rc = 1;

	if (parse_ping(argc, argv, &o) != 0) {
		free(o.to_buf);
		return 2;
	}
	if ((op = operator_key_read(o.hubdir)) == NULL ||
	    (s = open_log(o.hubdir)) == NULL)
		goto out;
	built = build_check(&o, s->dir, op, &env, &ndev, &nstates, &deadline);
	store_close(s);		/* operator_append opens it for writing */
	s = NULL;
	if (built != 0 || operator_append(o.hubdir, op, &env, &r) != 0)
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
	store_close(s);
	buf_free(&env);
	keypair_free(op);
	free(o.to_buf);
	return rc;
}
