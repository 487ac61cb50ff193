/*
 * checkrec.c - the record format and rules of communication checks and
 * their answers, and their translation into lib/checkstats.h's arrays.
 * See checkrec.h for the format, docs/checks.md for the design.
 *
 * The audience of a check is the "rcpt" list of its signed header, fixed
 * when the check is made: a POC certified later was not asked, a POC
 * revoked later was.  States and roles are read from the directory (a
 * device's certificate never changes), so the header need not repeat them.
 */
#include "checkrec.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonutil.h"

int
checkrec_is_answer(const struct envelope *e)
{
	return e->kind_id == KIND_ACK && json_is_true(env_field(e, "check"));
}

static int
check_states(json_t *to)
{
	json_t *v;
	size_t i;

	if (!json_is_array(to) || json_array_size(to) == 0 ||
	    json_array_size(to) > DIR_GROUP_MAX_STATES) {
		rs_seterr("check must list the States it asks in \"to\" (1 to %d)",
		    DIR_GROUP_MAX_STATES);
		return -1;
	}
	json_array_foreach(to, i, v)
		if (!json_is_string(v) || !dir_state_code(json_string_value(v))) {
			rs_seterr("check \"to\" entry %zu is not a State code", i);
			return -1;
		}
	return 0;
}

static int
check_audience(struct directory *d, json_t *rcpt, json_t *to, int64_t index)
{
	uint8_t key[32];
	json_t *v, *w;
	size_t i, k;

	if (!json_is_array(rcpt) || json_array_size(rcpt) == 0 ||
	    json_array_size(rcpt) > CHECK_MAX_AUDIENCE) {
		rs_seterr("check must list its audience devices in \"rcpt\" (1 to %d)",
		    CHECK_MAX_AUDIENCE);
		return -1;
	}
	json_array_foreach(rcpt, i, v) {
		struct dir_device *dev;
		int listed = 0;
		if (!json_is_string(v) || hex_decode_exact(key, 32, json_string_value(v)) != 0) {
			rs_seterr("check audience entry %zu is not a device key", i);
			return -1;
		}
		if (!dir_device_current(d, key, index)) {
			rs_seterr("check audience entry %zu is not a current device", i);
			return -1;
		}
		dev = dir_device(d, key);
		if (dir_is_stakeholder(dev)) {
			rs_seterr("check audience entry %zu is a stakeholder's device: "
			    "checks ask States' points of contact", i);
			return -1;
		}
		json_array_foreach(to, k, w)
			listed |= strcmp(json_string_value(w), dev->state) == 0;
		if (!listed) {
			rs_seterr("check audience entry %zu is a device of %s, which "
			    "\"to\" does not name", i, dev->state);
			return -1;
		}
	}
	return 0;
}

/* The payload's rules beyond its shape (lib/kinds.c checked that it is
 * {"text": {language: string}}): at least one text, each bounded. */
int
checkrec_payload_rules(json_t *p)
{
	json_t *text = json_object_get(p, "text"), *v;
	const char *lang;

	if (!json_is_object(text) || json_object_size(text) == 0) {
		rs_seterr("check payload must hold \"text\": {language: text}");
		return -1;
	}
	json_object_foreach(text, lang, v)
		if (!json_is_string(v) || strlen(lang) > 8 ||
		    json_string_length(v) > CHECK_MAX_TEXT) {
			rs_seterr("check text \"%.8s\" is not a text of at most %d bytes",
			    lang, CHECK_MAX_TEXT);
			return -1;
		}
	return 0;
}

int
checkrec_check_rules(struct directory *d, const struct envelope *e, int64_t index,
    int64_t time)
{
	json_t *dl = env_field(e, "deadline"), *to = env_field(e, "to");
	json_t *roles = env_field(e, "roles");
	int64_t deadline;

	if (!json_is_integer(dl)) {
		rs_seterr("check must carry its \"deadline\" (log time, ms)");
		return -1;
	}
	deadline = json_integer_value(dl);
	if (deadline <= time) {
		rs_seterr("check deadline is already past at its log time");
		return -1;
	}
	if (deadline - time > CHECK_MAX_DEADLINE_MS) {
		rs_seterr("check deadline is more than 366 days after its log time");
		return -1;
	}
	if (roles != NULL && !json_is_string(roles)) {
		rs_seterr("check \"roles\" must be a text");
		return -1;
	}
	if (check_states(to) != 0)
		return -1;
	return check_audience(d, env_field(e, "rcpt"), to, index);
}

int
checkrec_answer_rules(const struct envelope *e)
{
	const char *ref = env_str(e, "ref"), *status = env_str(e, "status");
	json_t *rcpt = env_field(e, "rcpt");
	uint8_t id[32];

	if (ref == NULL || hex_decode_exact(id, 32, ref) != 0) {
		rs_seterr("answer must name the check in \"ref\" (hex id)");
		return -1;
	}
	if (status == NULL || strcmp(status, "acknowledged") != 0) {
		rs_seterr("answer status must be \"acknowledged\"");
		return -1;
	}
	if (!json_is_array(rcpt) || json_array_size(rcpt) != 0) {
		rs_seterr("answer \"rcpt\" must be empty (answers are public)");
		return -1;
	}
	return 0;
}

void
checkrec_route(uint8_t out[32], const uint8_t check_id[32])
{
	static const char domain[] = "roster-check-answers-v1\n";
	uint8_t m[sizeof(domain) - 1 + 32];

	memcpy(m, domain, sizeof(domain) - 1);
	memcpy(m + sizeof(domain) - 1, check_id, 32);
	sha256(out, m, sizeof(m));
}

int
checkrec_parse_duration(const char *s, int64_t *ms)
{
	int64_t v = 0, unit = 1000;
	size_t i = 0;

	for (; s[i] >= '0' && s[i] <= '9' && i < 9; i++)
		v = v * 10 + (s[i] - '0');
	if (i == 0)
		goto bad;
	switch (s[i]) {
	case '\0':
		break;
	case 's':
		break;
	case 'm':
		unit = 60 * 1000LL;
		break;
	case 'h':
		unit = 3600 * 1000LL;
		break;
	case 'd':
		unit = 86400 * 1000LL;
		break;
	default:
		goto bad;
	}
	if (s[i] != '\0' && s[i + 1] != '\0')
		goto bad;
	*ms = v * unit;
	if (*ms < CHECK_MIN_DEADLINE_MS || *ms > CHECK_MAX_DEADLINE_MS) {
		rs_seterr("deadline \"%s\" must be between 1s and 366d", s);
		return -1;
	}
	return 0;
bad:
	rs_seterr("\"%s\" is not a duration: a number followed by s, m, h or d "
	    "(e.g. 90s, 30m, 24h, 7d)", s);
	return -1;
}

int
checkrec_parse_since(const char *s, int64_t *ms)
{
	struct tm tm;
	char *end;
	long long v;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end != NULL && *end == '\0') {
		*ms = (int64_t)timegm(&tm) * 1000;
		return 0;
	}
	v = strtoll(s, &end, 10);
	if (*s >= '0' && *s <= '9' && *end == '\0' && v >= 0) {
		*ms = v;
		return 0;
	}
	rs_seterr("\"%s\" is neither a date (YYYY-MM-DD, UTC) nor a log time in ms", s);
	return -1;
}

char *
checkrec_payload(const char *text, const char *lang)
{
	json_t *p = json_object(), *t = json_object();
	char *out;

	if (text != NULL) {
		json_t *v = json_string(text);
		if (v == NULL) {
			rs_seterr("the text is not valid UTF-8");
			json_decref(t);
			json_decref(p);
			return NULL;
		}
		json_object_set_new(t, lang != NULL ? lang : "en", v);
	} else {
		json_object_set_new(t, "ar", json_string("\xd8\xa7\xd8\xae\xd8\xaa\xd8\xa8"
		    "\xd8\xa7\xd8\xb1 \xd8\xa7\xd8\xaa\xd8\xb5\xd8\xa7\xd9\x84: \xd9\x8a"
		    "\xd8\xb1\xd8\xac\xd9\x89 \xd8\xaa\xd8\xa3\xd9\x83\xd9\x8a\xd8\xaf "
		    "\xd8\xa7\xd8\xb3\xd8\xaa\xd9\x84\xd8\xa7\xd9\x85 \xd9\x87\xd8\xb0"
		    "\xd9\x87 \xd8\xa7\xd9\x84\xd8\xb1\xd8\xb3\xd8\xa7\xd9\x84\xd8\xa9."));
		json_object_set_new(t, "en", json_string("Communication check: please "
		    "confirm that you received this message."));
		json_object_set_new(t, "es", json_string("Prueba de comunicaci\xc3\xb3n: "
		    "s\xc3\xadrvase confirmar la recepci\xc3\xb3n de este mensaje."));
		json_object_set_new(t, "fr", json_string("Test de communication : "
		    "veuillez confirmer la r\xc3\xa9" "ception de ce message."));
		json_object_set_new(t, "ru", json_string("\xd0\x9f\xd1\x80\xd0\xbe\xd0\xb2"
		    "\xd0\xb5\xd1\x80\xd0\xba\xd0\xb0 \xd1\x81\xd0\xb2\xd1\x8f\xd0\xb7\xd0"
		    "\xb8: \xd0\xbf\xd1\x80\xd0\xbe\xd1\x81\xd0\xb8\xd0\xbc \xd0\xbf\xd0\xbe"
		    "\xd0\xb4\xd1\x82\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb4\xd0\xb8\xd1\x82\xd1"
		    "\x8c \xd0\xbf\xd0\xbe\xd0\xbb\xd1\x83\xd1\x87\xd0\xb5\xd0\xbd\xd0\xb8"
		    "\xd0\xb5 \xd1\x8d\xd1\x82\xd0\xbe\xd0\xb3\xd0\xbe \xd1\x81\xd0\xbe\xd0"
		    "\xbe\xd0\xb1\xd1\x89\xd0\xb5\xd0\xbd\xd0\xb8\xd1\x8f."));
		json_object_set_new(t, "zh", json_string("\xe9\x80\x9a\xe4\xbf\xa1\xe6"
		    "\xb5\x8b\xe8\xaf\x95\xef\xbc\x9a\xe8\xaf\xb7\xe7\xa1\xae\xe8\xae\xa4"
		    "\xe6\x82\xa8\xe5\xb7\xb2\xe6\x94\xb6\xe5\x88\xb0\xe6\xad\xa4\xe6\xb6"
		    "\x88\xe6\x81\xaf\xe3\x80\x82"));
	}
	json_object_set_new(p, "text", t);
	out = jdump(p);
	json_decref(p);
	return out;
}

json_t *
checkrec_answer_header(const uint8_t check_id[32])
{
	json_t *h = json_object();

	json_object_set_new(h, "kind", json_string("ack"));
	json_object_set_new(h, "ref", jhex(check_id, 32));
	json_object_set_new(h, "status", json_string("acknowledged"));
	json_object_set_new(h, "check", json_true());
	json_object_set_new(h, "rcpt", json_array());
	return h;
}

/* ---- audience ------------------------------------------------------------- */

static int
role_wanted(const char *roles, const char *role)
{
	size_t len = strlen(role);

	if (roles == NULL || *roles == '\0')
		return 1;
	for (const char *p = roles; *p != '\0'; p += strcspn(p, ",")) {
		p += strspn(p, ", ");
		if (strncmp(p, role, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return 1;
	}
	return 0;
}

static void
add_state(json_t *set, const char *st)
{
	json_t *v;
	size_t i;

	json_array_foreach(set, i, v)
		if (strcmp(json_string_value(v), st) == 0)
			return;
	json_array_append_new(set, json_string(st));
}

static int
expand(struct directory *d, const char *to, json_t *named, json_t *set)
{
	char *list = xstrdup(to), *save = NULL;
	int rc = -1;

	for (char *t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		if (strcmp(t, "all") == 0) {
			for (size_t i = 0; i < d->nroots; i++)
				add_state(set, d->roots[i].state);
		} else if (strncmp(t, "group:", 6) == 0) {
			struct dir_group *g = dir_group(d, t + 6);
			if (g == NULL) {
				rs_seterr("there is no group \"%s\" in the directory", t + 6);
				goto out;
			}
			for (size_t i = 0; i < g->nstates; i++)
				add_state(set, g->states[i]);
		} else if (dir_state_code(t)) {
			add_state(set, t);
			add_state(named, t);
		} else {
			rs_seterr("\"%s\" is not a State code (two capital letters, e.g. XB),"
			    " group:NAME or all", t);
			goto out;
		}
	}
	rc = 0;
out:
	free(list);
	return rc;
}

int
checkrec_audience(struct directory *d, const char *to, const char *roles,
    int64_t now, const uint8_t *exclude, json_t *states, json_t *rcpt)
{
	json_t *named = json_array(), *set = json_array(), *v;
	size_t i, total = 0;
	int rc = -1;

	if (expand(d, to, named, set) != 0)
		goto out;
	json_array_foreach(set, i, v) {
		const char *st = json_string_value(v);
		size_t found = 0;
		for (size_t k = 0; k < d->ndevices; k++) {
			struct dir_device *dv = d->devices[k];
			if (strcmp(dv->state, st) != 0 || dv->revoked_index >= 0 ||
			    (dv->expires > 0 && dv->expires < now) ||
			    (exclude != NULL && memcmp(dv->key, exclude, 32) == 0) ||
			    !role_wanted(roles, dv->role))
				continue;
			json_array_append_new(rcpt, jhex(dv->key, 32));
			found++;
		}
		if (found > 0)
			json_array_append_new(states, json_string(st));
		else {
			size_t k;
			json_t *w;
			json_array_foreach(named, k, w)
				if (strcmp(json_string_value(w), st) == 0) {
					rs_seterr("%s has no current device%s%s in the directory",
					    st, roles ? " with role " : "", roles ? roles : "");
					goto out;
				}
		}
		total += found;
	}
	if (total == 0) {
		rs_seterr("nobody in that audience has a current device%s%s",
		    roles ? " with role " : "", roles ? roles : "");
		goto out;
	}
	if (total > CHECK_MAX_AUDIENCE) {
		rs_seterr("%zu devices is more than the %d one check can ask", total,
		    CHECK_MAX_AUDIENCE);
		goto out;
	}
	rc = 0;
out:
	json_decref(named);
	json_decref(set);
	return rc;
}

/* ---- to the statistics ------------------------------------------------------ */

int
checkrec_to_stats(struct directory *d, const struct envelope *e, int64_t index,
    int64_t time, struct cs_check *c)
{
	json_t *rcpt = env_field(e, "rcpt"), *dl = env_field(e, "deadline"), *v;
	size_t i;

	memset(c, 0, sizeof(*c));
	if (e->kind_id != KIND_CHECK || !json_is_array(rcpt) ||
	    !json_is_integer(dl)) {
		rs_seterr("record %lld is not a check", (long long)index);
		return -1;
	}
	memcpy(c->id, e->id, 32);
	c->index = index;
	c->time = time;
	c->deadline = json_integer_value(dl);
	snprintf(c->signer, sizeof(c->signer), "%s",
	    memcmp(e->key, d->operator_key, 32) == 0 ? "operator" :
	    e->state != NULL ? e->state : "?");
	c->aud = xcalloc(json_array_size(rcpt) + 1, sizeof(*c->aud));
	json_array_foreach(rcpt, i, v) {
		struct cs_member *m = &c->aud[c->naud];
		struct dir_device *dev;
		if (!json_is_string(v) ||
		    hex_decode_exact(m->key, 32, json_string_value(v)) != 0 ||
		    (dev = dir_device(d, m->key)) == NULL) {
			rs_seterr("check at %lld: audience entry %zu is not a device in "
			    "the directory", (long long)index, i);
			checkrec_stats_free(c);
			return -1;
		}
		snprintf(m->state, sizeof(m->state), "%s", dev->state);
		snprintf(m->role, sizeof(m->role), "%s", dev->role);
		c->naud++;
	}
	return 0;
}

void
checkrec_add_answer(struct cs_check *c, const uint8_t key[32], int64_t index,
    int64_t time)
{
	c->ans = xrealloc(c->ans, (c->nans + 1) * sizeof(*c->ans));
	memcpy(c->ans[c->nans].key, key, 32);
	c->ans[c->nans].index = index;
	c->ans[c->nans].time = time;
	c->nans++;
}

void
checkrec_stats_free(struct cs_check *c)
{
	free(c->aud);
	free(c->ans);
	c->aud = NULL;
	c->ans = NULL;
	c->naud = c->nans = 0;
}

struct cs_group *
checkrec_groups(struct directory *d, size_t *n)
{
	struct cs_group *g = xcalloc(d->ngroups + 1, sizeof(*g));

	*n = 0;
	for (size_t i = 0; i < d->ngroups; i++) {
		if (d->groups[i].nstates == 0)
			continue;
		snprintf(g[*n].name, sizeof(g[*n].name), "%s", d->groups[i].name);
		g[*n].states = xcalloc(d->groups[i].nstates, sizeof(*g[*n].states));
		memcpy(g[*n].states, d->groups[i].states,
		    d->groups[i].nstates * sizeof(*g[*n].states));
		g[*n].nstates = d->groups[i].nstates;
		(*n)++;
	}
	return g;
}

void
checkrec_groups_free(struct cs_group *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(g[i].states);
	free(g);
}
