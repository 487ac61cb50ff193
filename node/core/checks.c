/*
 * checks.c - communication checks on a node: start one, list them, answer
 * one, and recompute the figures from verified records (see checks.h).
 *
 * Checks and their answers are public records (lib/checkrec.h).  Each sync
 * fetches them from GET /v1/checks like the directory: checkpoint verified,
 * each record's inclusion proof, signature and directory rules checked
 * (accept.c), then kept in the records table.  The report is computed from those
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
#include "checks.h"

#include <stdlib.h>
#include <string.h>

#include "audience.h"
#include "checkrec.h"
#include "checkstats.h"
#include "hubclient.h"
#include "jsonutil.h"
#include "outbox.h"
#include "store.h"

#define DAY_MS (86400LL * 1000)

/* ---- the checks this node knows ---------------------------------------------- */

struct known {
	struct node *n;
	struct cs_check *cs;
	struct envelope *env;	/* the check envelopes, parsed */
	struct buf *raw;
	size_t count;
};

static void
known_free(struct known *k)
{
	for (size_t i = 0; i < k->count; i++) {
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
add_answer(void *ud, int64_t idx, int64_t time, const uint8_t *env, size_t len)
{
	struct known *k = ud;
	struct envelope e;
	uint8_t ref[32];
	const char *hex;

	if (env_parse(&e, env, len) != 0)
		return 0;
	hex = env_str(&e, "ref");
	if (checkrec_is_answer(&e) && hex != NULL && hex_decode_exact(ref, 32, hex) == 0)
		for (size_t i = 0; i < k->count; i++)
			if (memcmp(k->cs[i].id, ref, 32) == 0)
				checkrec_add_answer(&k->cs[i], e.key, idx, time);
	env_free(&e);
	return 0;
}

static int
add_check(void *ud, int64_t idx, int64_t time, const uint8_t *env, size_t len)
{
	struct known *k = ud;
	size_t i = k->count;

	k->cs = xrealloc(k->cs, (i + 1) * sizeof(*k->cs));
	k->env = xrealloc(k->env, (i + 1) * sizeof(*k->env));
	k->raw = xrealloc(k->raw, (i + 1) * sizeof(*k->raw));
	memset(&k->raw[i], 0, sizeof(k->raw[i]));
	buf_add(&k->raw[i], env, len);
	if (env_parse(&k->env[i], k->raw[i].p, k->raw[i].len) != 0) {
		buf_free(&k->raw[i]);
		return 0;
	}
	if (checkrec_to_stats(k->n->directory, &k->env[i], idx, time, &k->cs[i]) != 0) {
		env_free(&k->env[i]);
		buf_free(&k->raw[i]);
		return 0;
	}
	k->count++;
	return 0;
}

/* The checks (and their answers) accepted with index below size. */
static int
load_known(struct node *n, struct known *k, int64_t size)
{
	memset(k, 0, sizeof(*k));
	k->n = n;
	if (store_records_each(n, "check", -1, size, 0, add_check, k) != 0)
		return -1;
	return store_records_each(n, "ack", -1, size, 0, add_answer, k) != 0 ? -1 : 0;
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
	for (size_t i = 0; i < k->count; i++) {
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

struct outbox_answer {
	const uint8_t *check;
	int64_t t;
};

static int
queued_answer(void *ud, const uint8_t *env, size_t len, int64_t time)
{
	struct outbox_answer *a = ud;
	struct envelope e;
	uint8_t ref[32];
	const char *hex;

	if (env_parse(&e, env, len) != 0)
		return 0;
	hex = env_str(&e, "ref");
	if (checkrec_is_answer(&e) && hex != NULL && hex_decode_exact(ref, 32, hex) == 0 &&
	    memcmp(ref, a->check, 32) == 0)
		a->t = time < 0 ? 0 : time;
	env_free(&e);
	return a->t >= 0;
}

/* This device's first answer to c: its log time, or 0 when logged in the
 * outbox only (not yet receipted), or -1 when none. */
static int64_t
my_answer(struct node *n, const struct cs_check *c)
{
	struct outbox_answer a = { c->id, -1 };

	for (size_t i = 0; i < c->nans; i++)
		if (memcmp(c->ans[i].key, n->cfg.device, 32) == 0 && c->ans[i].index > c->index &&
		    (a.t < 0 || c->ans[i].time < a.t))
			a.t = c->ans[i].time;
	if (a.t >= 0)
		return a.t;
	if (store_outbox_each(n, "ack", queued_answer, &a) < 0)
		return -1;
	return a.t;
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
	for (size_t i = 0; i < k.count; i++) {
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

int
checks_device_fresh(struct node *n, const struct dir_device *d, json_t *last,
    int64_t *answered)
{
	char *hex = hex_encode(d->key, 32);
	json_t *v = json_object_get(last, hex);
	int64_t confirmed;

	free(hex);
	*answered = v != NULL ? json_integer_value(v) : -1;
	/* the certificate's log time when it never answered */
	confirmed = *answered > 0 ? *answered : store_record_time(n, d->cert_index);
	if (d->revoked_index >= 0)
		return 1;	/* no longer a POC: nothing to confirm */
	return confirmed >= now_ms() - (int64_t)(checks_stale_days(n) * DAY_MS);
}

json_t *
checks_stale(struct node *n)
{
	json_t *last = checks_last_answers(n), *out = json_array();

	for (size_t i = 0; i < n->directory->ndevices; i++) {
		struct dir_device *d = n->directory->devices[i];
		int64_t answered;
		if (strcmp(d->state, n->cfg.state) != 0 || checks_device_fresh(n, d, last, &answered))
			continue;
		json_array_append_new(out, json_pack("{s:s,s:s?,s:s?,s:I}", "role", d->role,
		    "name", jstr(d->cert, "name"), "email", jstr(d->cert, "email"),
		    "answered", (json_int_t)(answered > 0 ? answered : 0)));
	}
	json_decref(last);
	return out;
}

/* ---- starting a check ------------------------------------------------------------- */

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
    const char *deadline, const char *text, const char *lang, uint8_t id[32],
    size_t *ndev, size_t *nstates)
{
	json_t *states = json_array(), *rcpt = json_array(), *hdr = NULL;
	char *payload = NULL;
	int64_t dur;
	int rc = -1;

	if (checkrec_parse_duration(deadline, &dur) != 0 ||
	    audience_check_roles(roles) != 0)
		goto out;
	if ((hdr = check_header(n, to, roles, dur, states, rcpt)) == NULL ||
	    (payload = checkrec_payload(text, lang)) == NULL)
		goto out;
	if (ndev != NULL)
		*ndev = json_array_size(rcpt);
	if (nstates != NULL)
		*nstates = json_array_size(states);
	rc = outbox_sign(n, hdr, payload, id);
out:
	free(payload);
	json_decref(hdr);
	json_decref(states);
	json_decref(rcpt);
	return rc;
}

/* ---- answering one ------------------------------------------------------------------ */

enum checks_answer
checks_sign_answer(struct node *n, const char *prefix, uint8_t id[32], int64_t *answered,
    int64_t *deadline)
{
	struct known k;
	json_t *hdr;
	size_t at;
	enum checks_answer rc = CHECKS_ANSWER_FAILED;

	*answered = -1;
	*deadline = 0;
	if (load_known(n, &k, INT64_MAX) != 0 || find_check(&k, prefix, &at) != 0)
		goto out;
	*deadline = k.cs[at].deadline;
	if (!in_audience(&k.cs[at], n->cfg.device)) {
		rs_seterr("this device is not in the audience of check %s", prefix);
		rc = CHECKS_ANSWER_NOT_ASKED;
		goto out;
	}
	if ((*answered = my_answer(n, &k.cs[at])) >= 0) {
		rs_seterr("this POC already answered check %s", prefix);
		rc = CHECKS_ANSWER_ALREADY;
		goto out;
	}
	hdr = checkrec_answer_header(k.cs[at].id);
	if (outbox_sign(n, hdr, "{}", id) == 0)
		rc = CHECKS_ANSWER_SIGNED;
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

/* ---- listing them ---------------------------------------------------------------- */

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
		for (size_t i = 0; i < k.count; i++)
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
	for (size_t i = 0; i < k.count; i++) {
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

/* ---- the report ------------------------------------------------------------------- */

static int
add_group(void *ud, int64_t idx, int64_t time, const uint8_t *env, size_t len)
{
	struct envelope e;

	(void)time;
	if (env_parse(&e, env, len) == 0) {
		dir_apply(ud, &e, idx);
		env_free(&e);
	}
	return 0;
}

/* The groups as the group records below size define them (as the hub
 * computes them: hub/checks.c). */
static struct cs_group *
groups_at(struct node *n, int64_t size, size_t *ng)
{
	struct directory *g = dir_new(n->cfg.operator_key);
	struct cs_group *out;

	(void)store_records_each(n, "group", -1, size, 0, add_group, g);
	out = checkrec_groups(g, ng);
	dir_free(g);
	return out;
}

json_t *
checks_report_json(struct node *n, int64_t size, int64_t since, const char *prefix)
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
	    cs_report(k.cs, k.count, g, ng, since);
	checkrec_groups_free(g, ng);
out:
	known_free(&k);
	return r;
}

int64_t
checks_report_size(struct node *n, uint64_t checkpoint)
{
	int64_t size = checkpoint > 0 ? (int64_t)checkpoint : store_records_size(n);

	if (n->dir_size > 0 && (int64_t)n->dir_size < size)
		size = (int64_t)n->dir_size;
	return size;
}

int
checks_compare_with_hub(struct node *n, int64_t size, int64_t since, json_t *mine)
{
	json_t *theirs = NULL;
	char *a = NULL, *b = NULL;
	int rc = -1;

	if (hub_checks_report(n, size, since, &theirs) != 0)
		return -1;
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
	json_decref(theirs);
	return rc;
}
