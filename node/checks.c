/*
 * checks.c - communication checks on a node: start one, list them, answer
 * one, and recompute the figures from verified records.
 *
 * Checks and their answers are public records (lib/checkrec.h).  Each sync
 * fetches them from GET /v1/checks like the directory: checkpoint verified,
 * each record's inclusion proof, signature and directory rules checked,
 * then kept in the records table.  The report is computed from those
 * records by lib/checkstats.c, the code the hub runs, so `roster checks
 * report --verify` can ask the hub for its figures at the same log size
 * and show that they are (or are not) what the signed records say.
 *
 * POC freshness comes from the same records: a device's last answer to
 * any check is when it last proved to be reachable.  A POC neither
 * certified nor confirmed within stale_after_days (config.json, default
 * 365) is flagged in `roster directory`, and `roster status` reminds the
 * State's own nodes of their stale POCs.
 */
#include "node.h"

#include <stdlib.h>
#include <string.h>

#include "checkrec.h"
#include "checkstats.h"
#include "db.h"
#include "jsonutil.h"

#define DAY_MS (86400LL * 1000)

/* ---- records in (the SYNC_CHECKS listing) --------------------------------- */

/* Is there a check with this id among the accepted records?  1, 0, -1. */
static int
known_check(struct node *n, const uint8_t id[32])
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT 1 FROM records WHERE id = ?"
	    " AND kind = 'check'");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
checks_accept(struct node *n, const struct checkpoint *cp, const struct envelope *e,
    int64_t index, int64_t time, struct sync_stats *s)
{
	uint8_t ref[32];
	int known;

	if (strcmp(e->kind, "check") != 0 && !checkrec_is_answer(e)) {
		rs_seterr("unexpected %s record among the checks", e->kind);
		return -1;
	}
	if (dir_check(n->directory, e, index, time, 0) != 0)
		return (uint64_t)index >= n->dir_size ? RECORD_RETRY : -1;
	if (checkrec_is_answer(e)) {
		if (hex_decode_exact(ref, 32, env_str(e, "ref")) != 0) {
			rs_seterr("answer without a valid \"ref\"");	/* dir_check saw to it */
			return -1;
		}
		if ((known = known_check(n, ref)) < 0)
			return -2;
		if (!known) {
			rs_seterr("answer to a check not in the log before it");
			return -1;
		}
	}
	return store_record(n, e, index, time, cp->size) == 0 ? 0 : -2;
}

/* ---- the checks this node knows ---------------------------------------------- */

struct known {
	struct cs_check *cs;
	struct envelope *env;	/* the check envelopes, parsed */
	struct buf *raw;
	size_t n;
};

static void
known_free(struct known *k)
{
	for (size_t i = 0; i < k->n; i++) {
		checkrec_stats_free(&k->cs[i]);
		env_free(&k->env[i]);
		buf_free(&k->raw[i]);
	}
	free(k->cs);
	free(k->env);
	free(k->raw);
	memset(k, 0, sizeof(*k));
}

static int
load_answers(struct node *n, struct known *k, int64_t size)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT idx, time, envelope FROM records"
	    " WHERE kind = 'ack' AND idx < ? ORDER BY idx");
	uint8_t ref[32];

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, size);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct envelope e;
		const char *hex;
		if (env_parse(&e, sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2)) != 0)
			continue;
		hex = env_str(&e, "ref");
		if (checkrec_is_answer(&e) && hex != NULL && hex_decode_exact(ref, 32, hex) == 0)
			for (size_t i = 0; i < k->n; i++)
				if (memcmp(k->cs[i].id, ref, 32) == 0)
					checkrec_add_answer(&k->cs[i], e.key,
					    sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
		env_free(&e);
	}
	sqlite3_finalize(st);
	return 0;
}

/* The checks (and their answers) accepted with index below size. */
static int
load_known(struct node *n, struct known *k, int64_t size)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT idx, time, envelope FROM records"
	    " WHERE kind = 'check' AND idx < ? ORDER BY idx");

	memset(k, 0, sizeof(*k));
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, size);
	while (sqlite3_step(st) == SQLITE_ROW) {
		size_t i = k->n;
		k->cs = xrealloc(k->cs, (i + 1) * sizeof(*k->cs));
		k->env = xrealloc(k->env, (i + 1) * sizeof(*k->env));
		k->raw = xrealloc(k->raw, (i + 1) * sizeof(*k->raw));
		memset(&k->raw[i], 0, sizeof(k->raw[i]));
		buf_add(&k->raw[i], sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2));
		if (env_parse(&k->env[i], k->raw[i].p, k->raw[i].len) != 0) {
			buf_free(&k->raw[i]);
			continue;
		}
		if (checkrec_to_stats(n->directory, &k->env[i], sqlite3_column_int64(st, 0),
		    sqlite3_column_int64(st, 1), &k->cs[i]) != 0) {
			env_free(&k->env[i]);
			buf_free(&k->raw[i]);
			continue;
		}
		k->n++;
	}
	sqlite3_finalize(st);
	return load_answers(n, k, size);
}

/* The check whose id starts with prefix (8 or more hex digits). */
static int
find_check(struct known *k, const char *prefix, size_t *at)
{
	size_t len = strlen(prefix), found = 0;

	if (len < 8 || len > 64 || strspn(prefix, "0123456789abcdef") != len) {
		rs_seterr("\"%s\" is not a check id (8 to 64 lower-case hex digits)", prefix);
		return -1;
	}
	for (size_t i = 0; i < k->n; i++) {
		char *hex = hex_encode(k->cs[i].id, 32);
		if (strncmp(hex, prefix, len) == 0) {
			*at = i;
			found++;
		}
		free(hex);
	}
	if (found == 1)
		return 0;
	rs_seterr(found == 0 ? "no check %s is known to this node (run `roster sync`)" :
	    "%s is the start of several check ids; give more digits", prefix);
	return -1;
}

static int
in_audience(const struct cs_check *c, const uint8_t key[32])
{
	for (size_t i = 0; i < c->naud; i++)
		if (memcmp(c->aud[i].key, key, 32) == 0)
			return 1;
	return 0;
}

/* This device's first answer to c: its log time, or 0 when logged in the
 * outbox only (not yet receipted), or -1 when none. */
static int64_t
my_answer(struct node *n, const struct cs_check *c)
{
	sqlite3_stmt *st;
	int64_t t = -1;

	for (size_t i = 0; i < c->nans; i++)
		if (memcmp(c->ans[i].key, n->cfg.device, 32) == 0 && c->ans[i].index > c->index &&
		    (t < 0 || c->ans[i].time < t))
			t = c->ans[i].time;
	if (t >= 0)
		return t;
	if ((st = db_prep(n->db, "SELECT envelope, time FROM outbox WHERE kind = 'ack'")) == NULL)
		return -1;
	while (t < 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct envelope e;
		uint8_t ref[32];
		const char *hex;
		if (env_parse(&e, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0)) != 0)
			continue;
		hex = env_str(&e, "ref");
		if (checkrec_is_answer(&e) && hex != NULL && hex_decode_exact(ref, 32, hex) == 0 &&
		    memcmp(ref, c->id, 32) == 0)
			t = sqlite3_column_type(st, 1) == SQLITE_NULL ? 0 :
			    sqlite3_column_int64(st, 1);
		env_free(&e);
	}
	sqlite3_finalize(st);
	return t;
}

static int64_t
records_size(struct node *n)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT coalesce(max(idx), -1) + 1 FROM records");
	int64_t v = 0;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* ---- freshness -------------------------------------------------------------------- */

json_t *
checks_last_answers(struct node *n)
{
	struct known k;
	json_t *j = json_object();

	if (load_known(n, &k, INT64_MAX) != 0) {
		known_free(&k);
		return j;
	}
	for (size_t i = 0; i < k.n; i++) {
		struct cs_outcome *o = xcalloc(k.cs[i].naud + 1, sizeof(*o));
		cs_outcomes(&k.cs[i], o);
		for (size_t m = 0; m < k.cs[i].naud; m++) {
			char *hex;
			if (o[m].answer_index < 0)
				continue;
			hex = hex_encode(k.cs[i].aud[m].key, 32);
			json_t *old = json_object_get(j, hex);
			if (old == NULL || json_integer_value(old) < o[m].answer_time)
				json_object_set_new(j, hex, json_integer(o[m].answer_time));
			free(hex);
		}
		free(o);
	}
	known_free(&k);
	return j;
}

double
checks_stale_days(struct node *n)
{
	return n->cfg.stale_after_days > 0 ? n->cfg.stale_after_days : 365;
}

/* Log time of the device's certificate (0 when unknown). */
static int64_t
cert_time(struct node *n, const struct dir_device *d)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT time FROM records WHERE idx = ?");
	int64_t t = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, d->cert_index);
	if (sqlite3_step(st) == SQLITE_ROW)
		t = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return t;
}

int
checks_device_fresh(struct node *n, const struct dir_device *d, json_t *last,
    int64_t *answered)
{
	char *hex = hex_encode(d->key, 32);
	json_t *v = json_object_get(last, hex);
	int64_t confirmed;

	free(hex);
	*answered = v != NULL ? json_integer_value(v) : -1;
	confirmed = *answered > 0 ? *answered : cert_time(n, d);
	if (d->revoked_index >= 0)
		return 1;	/* no longer a POC: nothing to confirm */
	return confirmed >= now_ms() - (int64_t)(checks_stale_days(n) * DAY_MS);
}

int
checks_remind(struct node *n, FILE *f)
{
	json_t *last = checks_last_answers(n);
	int stale = 0;
	char t[32];

	for (size_t i = 0; i < n->directory->ndevices; i++) {
		struct dir_device *d = n->directory->devices[i];
		int64_t answered;
		if (strcmp(d->state, n->cfg.state) != 0 || checks_device_fresh(n, d, last, &answered))
			continue;
		if (f == NULL) {
			stale++;
			continue;
		}
		if (stale++ == 0)
			fprintf(f, "Reminder: these POCs of %s have not been confirmed for more "
			    "than %g days\n(no answer to a communication check, nor a new "
			    "certificate); please check them:\n", n->cfg.state,
			    checks_stale_days(n));
		fprintf(f, "  %-10s %s <%s>  last answered a check: %s\n", d->role,
		    jstr(d->cert, "name"), jstr(d->cert, "email"),
		    answered > 0 ? time_str(answered, t, sizeof(t)) : "never");
	}
	json_decref(last);
	return stale;
}

/* ---- roster checks start ------------------------------------------------------------- */

static int
receipt_of(struct node *n, const uint8_t id[32], int64_t *idx, char *err, size_t errlen)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT idx, error FROM outbox WHERE id = ?");
	int rc = -1;

	*idx = -1;
	err[0] = '\0';
	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			*idx = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			snprintf(err, errlen, "%s", sqlite3_column_text(st, 1));
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Signs hdr/payload with the device key (n->key) into the outbox, in its
 * own transaction. */
static int
sign_into_outbox(struct node *n, json_t *hdr, const char *payload, uint8_t id[32])
{
	struct buf env = {0};
	int rc;

	if (db_begin(n->db) != 0)
		return -1;
	rc = store_outbox_add(n, hdr, payload, strlen(payload), &env, id);
	buf_free(&env);
	if (rc != 0 || db_commit(n->db) != 0) {
		db_rollback(n->db);
		return -1;
	}
	return 0;
}

/* Signs hdr/payload into the outbox and flushes; reports like `roster send`. */
static int
submit(struct node *n, json_t *hdr, const char *payload, const char *what,
    uint8_t id[32])
{
	struct sync_stats s = {0};
	char err[512], *hex;
	int64_t idx;
	int rc = -1;

	if (sign_into_outbox(n, hdr, payload, id) != 0)
		return -1;
	hex = hex_encode(id, 32);
	if (outbox_flush(n, &s) != 0) {
		if (n->alarms > 0)
			goto out;
		printf("%s %s is queued (%s); it goes with the next `roster sync`\n", what,
		    hex, rs_err());
		rc = 0;
		goto out;
	}
	if (receipt_of(n, id, &idx, err, sizeof(err)) != 0)
		goto out;
	if (err[0] != '\0') {
		rs_seterr("the hub refused the %s: %s", what, err);
		goto out;
	}
	if (idx < 0) {
		rs_seterr("the hub gave no receipt");
		goto out;
	}
	printf("%s %s logged at index %lld, receipt verified\n", what, hex, (long long)idx);
	rc = 0;
out:
	free(hex);
	return rc;
}

/* The header of a check from this device to an audience, resolved against
 * the verified directory; appends to states and rcpt.  NULL with rs_err. */
static json_t *
check_header(struct node *n, const char *to, const char *roles, int64_t dur,
    json_t *states, json_t *rcpt)
{
	json_t *hdr;

	if (!n->cfg.has_root) {
		rs_seterr("this node is not enrolled yet: run `roster enroll CERT` first");
		return NULL;
	}
	if (checkrec_audience(n->directory, to, roles, now_ms(), n->cfg.device, states,
	    rcpt) != 0)
		return NULL;
	hdr = json_object();
	json_object_set_new(hdr, "kind", json_string("check"));
	json_object_set(hdr, "to", states);
	json_object_set(hdr, "rcpt", rcpt);
	json_object_set_new(hdr, "deadline", json_integer(now_ms() + dur));
	if (roles != NULL)
		json_object_set_new(hdr, "roles", json_string(roles));
	return hdr;
}

int
checks_sign_start(struct node *n, const char *to, const char *roles,
    const char *deadline, uint8_t id[32])
{
	json_t *states = json_array(), *rcpt = json_array(), *hdr = NULL;
	char *payload = NULL;
	int64_t dur;
	int rc = -1;

	if (checkrec_parse_duration(deadline, &dur) != 0 ||
	    audience_check_roles(roles) != 0)
		goto out;
	if ((hdr = check_header(n, to, roles, dur, states, rcpt)) == NULL ||
	    (payload = checkrec_payload(NULL, NULL)) == NULL)
		goto out;
	rc = sign_into_outbox(n, hdr, payload, id);
out:
	free(payload);
	json_decref(hdr);
	json_decref(states);
	json_decref(rcpt);
	return rc;
}

static int
checks_start(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	struct sync_stats s = {0};
	const char *to, *deadline, *roles, *text, *lang;
	json_t *hdr = NULL, *states = json_array(), *rcpt = json_array();
	char *payload = NULL;
	int64_t dur;
	uint8_t id[32];
	int rc;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	to = opt_value(&o, "--to");
	deadline = opt_value(&o, "--deadline");
	roles = opt_value(&o, "--role");
	text = opt_value(&o, "--text");
	lang = opt_value(&o, "--lang");
	rc = opts_finish(&o, "checks start");
	opts_free(&o);
	if (rc != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	rc = EXIT_USAGE;
	if (to == NULL || deadline == NULL) {
		usage_error("checks start", "--to and --deadline are required");
		goto out;
	}
	if (checkrec_parse_duration(deadline, &dur) != 0) {
		usage_error("checks start", "--deadline: %s", rs_err());
		goto out;
	}
	if (audience_check_roles(roles) != 0) {
		usage_error("checks start", "--role: %s", rs_err());
		goto out;
	}
	if (text != NULL && (*text == '\0' || strlen(text) > CHECK_MAX_TEXT)) {
		usage_error("checks start", "--text must be 1 to %d bytes", CHECK_MAX_TEXT);
		goto out;
	}
	if (lang != NULL && (text == NULL || strlen(lang) < 2 || strlen(lang) > 3 ||
	    strspn(lang, "abcdefghijklmnopqrstuvwxyz") != strlen(lang))) {
		usage_error("checks start", "--lang CODE (2 or 3 lower-case letters, such "
		    "as fr) goes with --text");
		goto out;
	}
	rc = 1;
	if (node_open(&n, 1) != 0)
		goto fail;
	if (sync_directory(&n, &s) != 0)
		fprintf(stderr, "roster: warning: cannot refresh the directory (%s); "
		    "using the copy verified earlier\n", rs_err());
	if ((hdr = check_header(&n, to, roles, dur, states, rcpt)) == NULL ||
	    (payload = checkrec_payload(text, lang)) == NULL)
		goto fail;
	printf("asking %zu device%s of %zu State%s\n", json_array_size(rcpt),
	    json_array_size(rcpt) == 1 ? "" : "s", json_array_size(states),
	    json_array_size(states) == 1 ? "" : "s");
	if (submit(&n, hdr, payload, "check", id) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	rc = fail("checks start");
out:
	free(payload);
	json_decref(hdr);
	json_decref(states);
	json_decref(rcpt);
	node_close(&n);
	return rc;
}

/* ---- roster checks answer ---------------------------------------------------------- */

int
checks_sign_answer(struct node *n, const char *prefix, uint8_t id[32])
{
	struct known k;
	json_t *hdr;
	size_t at;
	int rc = -1;

	if (load_known(n, &k, INT64_MAX) != 0 || find_check(&k, prefix, &at) != 0)
		goto out;
	if (!in_audience(&k.cs[at], n->cfg.device)) {
		rs_seterr("this device is not in the audience of check %s", prefix);
		rc = 2;
		goto out;
	}
	if (my_answer(n, &k.cs[at]) >= 0) {
		rs_seterr("this POC already answered check %s", prefix);
		rc = 1;
		goto out;
	}
	hdr = checkrec_answer_header(k.cs[at].id);
	rc = sign_into_outbox(n, hdr, "{}", id);
	json_decref(hdr);
out:
	known_free(&k);
	return rc;
}

int
checks_answer(struct node *n, const char *prefix)
{
	struct known k;
	json_t *hdr;
	size_t at;
	int64_t t;
	uint8_t id[32];
	char when[32];
	int rc = -1;

	if (load_known(n, &k, INT64_MAX) != 0 || find_check(&k, prefix, &at) != 0)
		goto out;
	if (!in_audience(&k.cs[at], n->cfg.device)) {
		rs_seterr("this device is not in the audience of check %s", prefix);
		goto out;
	}
	if ((t = my_answer(n, &k.cs[at])) >= 0) {
		printf("check %s: already answered%s%s; one answer is all it takes\n", prefix,
		    t > 0 ? " at " : " (waiting in the outbox)",
		    t > 0 ? time_str(t, when, sizeof(when)) : "");
		rc = 0;
		goto out;
	}
	if (now_ms() > k.cs[at].deadline)
		printf("the deadline passed at %s: the answer will count as late\n",
		    time_str(k.cs[at].deadline, when, sizeof(when)));
	hdr = checkrec_answer_header(k.cs[at].id);
	rc = submit(n, hdr, "{}", "answer", id);
	json_decref(hdr);
out:
	known_free(&k);
	return rc;
}

int
checks_is_check(struct node *n, const char *prefix)
{
	struct known k;
	size_t at;
	int found;

	if (load_known(n, &k, INT64_MAX) != 0)
		found = 0;
	else
		found = find_check(&k, prefix, &at) == 0;
	known_free(&k);
	return found;
}

static int
checks_answer_cmd(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	struct sync_stats s;
	const char *idp;
	int rc;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	idp = opt_positional(&o);
	rc = opts_finish(&o, "checks answer");
	opts_free(&o);
	if (rc != 0 || idp == NULL) {
		rc = rc != 0 ? EXIT_USAGE : usage_error("checks answer",
		    "which check? give its ID");
		goto out;
	}
	if (node_open(&n, 1) != 0) {
		rc = fail("checks answer");
		goto out;
	}
	if (sync_once(&n, &s) != 0)
		fprintf(stderr, "roster: warning: cannot sync (%s); using the checks "
		    "verified earlier\n", rs_err());
	rc = checks_answer(&n, idp) == 0 ? 0 : fail("checks answer");
out:
	node_close(&n);
	return rc;
}

/* ---- roster checks (list) ------------------------------------------------------------ */

static const char *
my_status(struct node *n, const struct cs_check *c)
{
	int64_t t;

	if (!in_audience(c, n->cfg.device))
		return "-";
	t = my_answer(n, c);
	if (t == 0)
		return "queued";
	if (t > 0)
		return t > c->deadline ? "answered late" : "answered";
	return now_ms() > c->deadline ? "MISSED" : "OPEN: answer it";
}

static size_t
answered_count(const struct cs_check *c)
{
	struct cs_outcome *o = xcalloc(c->naud + 1, sizeof(*o));
	size_t a = 0;

	cs_outcomes(c, o);
	for (size_t i = 0; i < c->naud; i++)
		a += o[i].answered || o[i].late;
	free(o);
	return a;
}

int
checks_open(struct node *n)
{
	struct known k;
	int open = 0;

	if (load_known(n, &k, INT64_MAX) == 0)
		for (size_t i = 0; i < k.n; i++)
			open += strncmp(my_status(n, &k.cs[i]), "OPEN", 4) == 0;
	known_free(&k);
	return open;
}

json_t *
checks_list_json(struct node *n, int all)
{
	struct known k;
	json_t *arr;

	if (load_known(n, &k, INT64_MAX) != 0) {
		known_free(&k);
		return NULL;
	}
	arr = json_array();
	for (size_t i = 0; i < k.n; i++) {
		struct cs_check *c = &k.cs[i];
		int mine = memcmp(k.env[i].key, n->cfg.device, 32) == 0;
		if (!all && !mine && !in_audience(c, n->cfg.device))
			continue;
		json_array_append_new(arr, json_pack("{s:o,s:I,s:I,s:I,s:s,s:b,s:b,s:I,s:I,s:s}",
		    "id", jhex(c->id, 32), "index", (json_int_t)c->index,
		    "time", (json_int_t)c->time, "deadline", (json_int_t)c->deadline,
		    "signer", c->signer, "mine", mine, "asked", in_audience(c, n->cfg.device),
		    "total", (json_int_t)c->naud, "answered", (json_int_t)answered_count(c),
		    "status", my_status(n, c)));
	}
	known_free(&k);
	return arr;
}

static int
checks_list(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	struct sync_stats s;
	json_t *arr = NULL;
	int json, all, rc;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	json = opt_flag(&o, "--json");
	all = opt_flag(&o, "--all");
	rc = opts_finish(&o, "checks");
	opts_free(&o);
	if (rc != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	rc = 1;
	if (node_open(&n, 1) != 0) {
		fail("checks");
		goto out;
	}
	if (sync_once(&n, &s) != 0)
		fprintf(stderr, "roster: warning: cannot sync (%s); showing the checks "
		    "verified earlier\n", rs_err());
	if ((arr = checks_list_json(&n, all)) == NULL) {
		fail("checks");
		goto out;
	}
	if (json) {
		char *text = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("%s\n", text);
		free(text);
	} else {
		json_t *c;
		size_t i;
		char t1[32], t2[32];
		printf("%-16s  %-8s  %-20s  %-20s  %-9s  %s\n", "ID", "BY", "LOGGED",
		    "DEADLINE", "ANSWERS", "THIS POC");
		json_array_foreach(arr, i, c)
			printf("%.16s  %-8s  %-20s  %-20s  %4lld/%-4lld  %s\n", jstr(c, "id"),
			    json_is_true(json_object_get(c, "mine")) ? "me" : jstr(c, "signer"),
			    time_str(json_integer_value(json_object_get(c, "time")), t1, sizeof(t1)),
			    time_str(json_integer_value(json_object_get(c, "deadline")), t2, sizeof(t2)),
			    (long long)json_integer_value(json_object_get(c, "answered")),
			    (long long)json_integer_value(json_object_get(c, "total")),
			    jstr(c, "status"));
		if (json_array_size(arr) == 0)
			printf("(no check %s)\n", all ? "in the log yet" :
			    "started by or addressed to this POC");
	}
	rc = 0;
out:
	json_decref(arr);
	node_close(&n);
	return rc;
}

/* ---- roster checks report ------------------------------------------------------------ */

/* The groups as the group records below size define them (as the hub
 * computes them: hub/checks.c). */
static struct cs_group *
groups_at(struct node *n, int64_t size, size_t *ng)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT idx, envelope FROM records"
	    " WHERE kind = 'group' AND idx < ? ORDER BY idx");
	struct directory *g = dir_new(n->cfg.operator_key);
	struct cs_group *out;
	struct envelope e;

	if (st != NULL) {
		sqlite3_bind_int64(st, 1, size);
		while (sqlite3_step(st) == SQLITE_ROW)
			if (env_parse(&e, sqlite3_column_blob(st, 1),
			    (size_t)sqlite3_column_bytes(st, 1)) == 0) {
				dir_apply(g, &e, sqlite3_column_int64(st, 0));
				env_free(&e);
			}
		sqlite3_finalize(st);
	}
	out = checkrec_groups(g, ng);
	dir_free(g);
	return out;
}

/* The report over the records below size, restricted to one check when
 * prefix is given. */
static json_t *
report_json(struct node *n, int64_t size, int64_t since, const char *prefix)
{
	struct known k;
	struct cs_group *g;
	size_t ng, at;
	json_t *r = NULL;

	if (load_known(n, &k, size) != 0)
		goto out;
	if (prefix != NULL && find_check(&k, prefix, &at) != 0)
		goto out;
	g = groups_at(n, size, &ng);
	r = prefix != NULL ? cs_report(&k.cs[at], 1, g, ng, 0) :
	    cs_report(k.cs, k.n, g, ng, since);
	checkrec_groups_free(g, ng);
out:
	known_free(&k);
	return r;
}

json_t *
checks_report_json(struct node *n)
{
	return report_json(n, INT64_MAX, 0, NULL);
}

/* Asks the hub for its figures at size and compares them with mine. */
static int
compare_with_hub(struct node *n, int64_t size, int64_t since, json_t *mine)
{
	char target[128], *a = NULL, *b = NULL;
	json_t *j = NULL, *theirs;
	int rc = -1;

	snprintf(target, sizeof(target), "/v1/checks/report?size=%lld&since=%lld",
	    (long long)size, (long long)since);
	if (http_get_json(n->hub, target, &j) != 0)
		return -1;
	theirs = json_object_get(j, "report");
	if (!json_is_object(theirs)) {
		rs_seterr("the hub's report answer holds no \"report\"");
		goto out;
	}
	a = cs_dump(mine);
	b = cs_dump(theirs);
	if (a == NULL || b == NULL || strcmp(a, b) != 0) {
		rs_seterr("the hub's figures differ from those recomputed here from the "
		    "signed records at log size %lld: do not trust the hub's report",
		    (long long)size);
		goto out;
	}
	rc = 0;
out:
	free(a);
	free(b);
	json_decref(j);
	return rc;
}

/* 0, or EXIT_USAGE after saying what is wrong with the options. */
static int
report_usage(int json, int csv, int verify, int offline, const char *since_s,
    int64_t *since)
{
	if (json && csv)
		return usage_error("checks report", "give at most one of --json and --csv");
	if (verify && offline)
		return usage_error("checks report", "--verify asks the hub: not with --offline");
	if (since_s != NULL && checkrec_parse_since(since_s, since) != 0)
		return usage_error("checks report", "--since: %s", rs_err());
	return 0;
}

static int
checks_report(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	struct sync_stats s;
	const char *idp, *since_s;
	json_t *r = NULL, *all = NULL;
	int64_t size, since = 0;
	int json, csv, verify, offline, rc;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	json = opt_flag(&o, "--json");
	csv = opt_flag(&o, "--csv");
	verify = opt_flag(&o, "--verify");
	offline = opt_flag(&o, "--offline");
	since_s = opt_value(&o, "--since");
	idp = opt_positional(&o);
	rc = opts_finish(&o, "checks report");
	opts_free(&o);
	if (rc != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = report_usage(json, csv, verify, offline, since_s, &since)) != 0)
		goto out;
	rc = 1;
	if (node_open(&n, 1) != 0) {
		fail("checks report");
		goto out;
	}
	memset(&s, 0, sizeof(s));
	if (!offline && sync_once(&n, &s) != 0) {
		if (verify) {
			fail("checks report");
			goto out;
		}
		fprintf(stderr, "roster: warning: cannot sync (%s); reporting from the "
		    "records verified earlier\n", rs_err());
	}
	/* The log prefix both the checks and the directory (groups) were
	 * verified up to: the hub's figures are asked for the same one. */
	size = s.checkpoint > 0 ? (int64_t)s.checkpoint : records_size(&n);
	if (n.dir_size > 0 && (int64_t)n.dir_size < size)
		size = (int64_t)n.dir_size;
	if ((r = report_json(&n, size, since, idp)) == NULL) {
		fail("checks report");
		goto out;
	}
	if (verify) {
		if ((all = report_json(&n, size, since, NULL)) == NULL ||
		    compare_with_hub(&n, size, since, all) != 0) {
			fail("checks report --verify");
			goto out;
		}
		fprintf(stderr, "roster: verified: the hub's figures at log size %lld are "
		    "those of the signed records\n", (long long)size);
	}
	cs_report_print(stdout, r, json, csv);
	rc = 0;
out:
	json_decref(r);
	json_decref(all);
	node_close(&n);
	return rc;
}

/* ---- dispatch ---------------------------------------------------------------------------- */

int
cmd_checks(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "start") == 0)
		return checks_start(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "answer") == 0)
		return checks_answer_cmd(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "report") == 0)
		return checks_report(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return checks_list(argc - 1, argv + 1);
	if (argc >= 2 && argv[1][0] != '-')
		return usage_error("checks", "unknown subcommand \"%s\" (start, answer, "
		    "report or list)", argv[1]);
	return checks_list(argc, argv);
}
