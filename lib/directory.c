/*
 * directory.c - the rules of who may say what, as one state machine fed the
 * log in order.  See directory.h for the record kinds.
 *
 * A second root key.  The operator admits root keys, so it could admit one
 * of its own for a State and certify devices under it.  Such a key starts
 * unendorsed: its devices are unconfirmed (every node warns, and senders do
 * not encrypt to them unless asked) and it may revoke only the devices it
 * certified, so it cannot silence the State's own POCs.  Only an endorsed
 * root key of the State (the first one admitted, or one endorsed since) can
 * endorse it, or disown it, after which its devices are no longer current
 * from that index on (as if revoked) and it can certify and revoke nothing.
 *
 * Devices sit in an array (log order, for listing) and in an open-addressing
 * table keyed by the first bytes of the Ed25519 key (uniformly random), for
 * the hub's per-envelope lookup.  The directory is small (a few hundred to a
 * few thousand devices), so there is no deletion: revoked devices stay,
 * marked with the index of their revocation.
 */
#include "directory.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "checkrec.h"
#include "jsonutil.h"

int
dir_valid_role(const char *role)
{
	return vocab_role_ok(role);	/* the roles are lib/vocab.h's */
}

int
dir_cert_person_check(json_t *p)
{
	const char *name = jstr(p, "name");
	json_t *langs = json_object_get(p, "languages"), *v;
	size_t i;

	if (name == NULL || *name == '\0' || !vocab_line_ok(name)) {
		rs_seterr("the certificate's \"name\" must be one line of text, without "
		    "control characters");
		return -1;
	}
	if (vocab_email_check("the certificate's \"email\"", jstr(p, "email")) != 0)
		return -1;
	if (langs != NULL && !json_is_array(langs)) {
		rs_seterr("the certificate's \"languages\" must be a list");
		return -1;
	}
	json_array_foreach(langs, i, v)
		if (!vocab_lang_tag_ok(json_string_value(v))) {
			rs_seterr("the certificate's \"languages\" has an item that is not a "
			    "language tag (2 or 3 lower-case letters)");
			return -1;
		}
	return 0;
}

int
dir_is_stakeholder(const struct dir_device *dev)
{
	return dev != NULL && strcmp(dev->role, DIR_STAKEHOLDER_ROLE) == 0;
}

int
dir_state_code(const char *s)
{
	return valid_state(s) && strcmp(s, DIR_STAKEHOLDER_STATE) != 0;
}

struct directory *
dir_new(const uint8_t operator_key[32])
{
	struct directory *d = xcalloc(1, sizeof(*d));

	memcpy(d->operator_key, operator_key, 32);
	d->tcap = 64;
	d->table = xcalloc(d->tcap, sizeof(*d->table));
	return d;
}

void
dir_free(struct directory *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->ndevices; i++) {
		json_decref(d->devices[i]->cert);
		free(d->devices[i]);
	}
	for (size_t i = 0; i < d->ngroups; i++) {
		json_decref(d->groups[i].title);
		free(d->groups[i].states);
	}
	free(d->groups);
	free(d->devices);
	free(d->table);
	free(d->roots);
	free(d);
}

static size_t
slot_of(const uint8_t key[32], size_t cap)
{
	uint64_t h;

	assert(cap > 0 && (cap & (cap - 1)) == 0);	/* a power of two */
	memcpy(&h, key, sizeof(h));
	return (size_t)(h & (cap - 1));
}

struct dir_device *
dir_device(struct directory *d, const uint8_t key[32])
{
	for (size_t i = slot_of(key, d->tcap);; i = (i + 1) & (d->tcap - 1)) {
		struct dir_device *dev = d->table[i];
		if (dev == NULL)
			return NULL;
		if (memcmp(dev->key, key, 32) == 0)
			return dev;
	}
}

static void
table_put(struct directory *d, struct dir_device *dev)
{
	size_t i = slot_of(dev->key, d->tcap);

	while (d->table[i] != NULL)
		i = (i + 1) & (d->tcap - 1);
	d->table[i] = dev;
}

static void
add_device(struct directory *d, struct dir_device *dev)
{
	if ((d->ndevices + 1) * 2 > d->tcap) {
		free(d->table);
		d->tcap *= 2;
		d->table = xcalloc(d->tcap, sizeof(*d->table));
		for (size_t i = 0; i < d->ndevices; i++)
			table_put(d, d->devices[i]);
	}
	d->devices = xrealloc(d->devices, (d->ndevices + 1) * sizeof(*d->devices));
	d->devices[d->ndevices++] = dev;
	table_put(d, dev);
	/* at most half full: every probe ends at an empty slot */
	assert(d->ndevices * 2 <= d->tcap);
}

struct dir_root *
dir_root_of(struct directory *d, const uint8_t key[32])
{
	for (size_t i = 0; i < d->nroots; i++)
		if (memcmp(d->roots[i].key, key, 32) == 0)
			return &d->roots[i];
	return NULL;
}

int
dir_is_root(struct directory *d, const char *state, const uint8_t key[32])
{
	struct dir_root *r = dir_root_of(d, key);

	return r != NULL && r->status != ROOT_DISOWNED &&
	    (state == NULL || strcmp(r->state, state) == 0);
}

int
dir_state_contested(struct directory *d, const char *state)
{
	for (size_t i = 0; i < d->nroots; i++)
		if (d->roots[i].status == ROOT_UNENDORSED &&
		    strcmp(d->roots[i].state, state) == 0)
			return 1;
	return 0;
}

int
dir_device_unconfirmed(struct directory *d, const uint8_t key[32])
{
	struct dir_device *dev = dir_device(d, key);
	struct dir_root *r = dev != NULL ? dir_root_of(d, dev->root) : NULL;

	return r != NULL && r->status == ROOT_UNENDORSED;
}

/* Was dev's root key disowned before log index? */
static int
root_disowned(struct directory *d, const struct dir_device *dev, int64_t index)
{
	struct dir_root *r = dir_root_of(d, dev->root);

	return r != NULL && r->status == ROOT_DISOWNED && r->decided_index < index;
}

int
dir_device_current(struct directory *d, const uint8_t key[32], int64_t index)
{
	struct dir_device *dev = dir_device(d, key);

	return dev != NULL && dev->cert_index < index &&
	    (dev->revoked_index < 0 || dev->revoked_index > index) &&
	    !root_disowned(d, dev, index);
}

void
dir_pop_message(struct buf *m, const char *state, const uint8_t device[32],
    const uint8_t box[32])
{
	char *dh = hex_encode(device, 32), *bh = hex_encode(box, 32);

	buf_printf(m, "roster-cert-request-v1\n%s\n%s\n%s\n", state, dh, bh);
	free(dh);
	free(bh);
}

static int
need_state(const struct envelope *e)
{
	if (e->state == NULL) {
		rs_seterr("%s record must name its State", e->kind);
		return -1;
	}
	return 0;
}

static int
check_admit(struct directory *d, const struct envelope *e)
{
	json_t *p;
	uint8_t root[32];
	const char *st;
	int rc = -1;

	if (memcmp(e->key, d->operator_key, 32) != 0) {
		rs_seterr("only the operator may admit a root key");
		return -1;
	}
	if (need_state(e) != 0 || (p = env_payload_json(e)) == NULL)
		return -1;
	if ((st = jstr_req(p, "state")) == NULL || jhex32_req(p, "root_key", root) != 0)
		goto out;
	if (strcmp(st, e->state) != 0) {
		rs_seterr("admission payload names %s but the header names %s", st, e->state);
		goto out;
	}
	if (!dir_state_code(st)) {
		rs_seterr("%s is not a State's code: it is kept for stakeholders' devices",
		    st);
		goto out;
	}
	if (dir_root_of(d, root) != NULL) {
		rs_seterr("this root key is already admitted");
		goto out;
	}
	rc = 0;
out:
	json_decref(p);
	return rc;
}

/* "expires" is optional (absent: the certificate does not expire); when
 * present it is a log time in ms, and a certificate logged after it is
 * refused. */
static int
check_expiry(json_t *p, int64_t time)
{
	json_t *x = json_object_get(p, "expires");

	if (x == NULL)
		return 0;
	if (!json_is_integer(x) || json_integer_value(x) <= 0) {
		rs_seterr("certificate field \"expires\" must be a positive integer (ms)");
		return -1;
	}
	if (time > json_integer_value(x)) {
		rs_seterr("certificate expired before it was logged");
		return -1;
	}
	return 0;
}

/* A certificate's signer and role: a State's devices are certified by an
 * admitted root key of the State, with a State's role; a stakeholder's
 * device by the operator, with the role "stakeholder", the State code kept
 * for stakeholders and the id of the application it was accredited by
 * (whether that application is accredited is the process's rule, run
 * after this one: lib/rules.c). */
static int
check_cert_signer(struct directory *d, const struct envelope *e, json_t *p,
    const char *role)
{
	uint8_t app[32];
	int by_operator = memcmp(e->key, d->operator_key, 32) == 0;
	json_t *sh = json_object_get(p, "stakeholder");

	if (by_operator) {
		if (strcmp(e->state, DIR_STAKEHOLDER_STATE) != 0 ||
		    strcmp(role, DIR_STAKEHOLDER_ROLE) != 0) {
			rs_seterr("certificate not signed by an admitted root key of "
			    "%s: the operator certifies only stakeholders' devices "
			    "(role \"%s\", State code %s)", e->state,
			    DIR_STAKEHOLDER_ROLE, DIR_STAKEHOLDER_STATE);
			return -1;
		}
		if (!json_is_string(sh) ||
		    hex_decode_exact(app, 32, json_string_value(sh)) != 0) {
			rs_seterr("a stakeholder's certificate names its application "
			    "in \"stakeholder\" (64 hexadecimal digits)");
			return -1;
		}
		return 0;
	}
	if (!MUTANT(certrule) && !dir_is_root(d, e->state, e->key)) {
		rs_seterr("certificate not signed by an admitted root key of %s", e->state);
		return -1;
	}
	if (!dir_valid_role(role)) {
		rs_seterr("unknown role \"%s\" (diplomatic, technical or alternate)", role);
		return -1;
	}
	if (sh != NULL) {
		rs_seterr("only the operator certifies a stakeholder's device");
		return -1;
	}
	return 0;
}

static int
check_cert(struct directory *d, const struct envelope *e, int64_t time)
{
	uint8_t dev[32], box[32];
	struct buf pop = {0}, m = {0};
	const char *role, *st;
	json_t *p;
	int rc = -1;

	if (need_state(e) != 0)
		return -1;
	if (!MUTANT(certrule) && memcmp(e->key, d->operator_key, 32) != 0 &&
	    !dir_is_root(d, e->state, e->key)) {
		rs_seterr("certificate not signed by an admitted root key of %s", e->state);
		return -1;
	}
	if ((p = env_payload_json(e)) == NULL)
		return -1;
	if ((st = jstr_req(p, "state")) == NULL || jhex32_req(p, "device", dev) != 0 ||
	    jhex32_req(p, "box_key", box) != 0 || (role = jstr_req(p, "role")) == NULL ||
	    jstr_req(p, "name") == NULL || jstr_req(p, "email") == NULL ||
	    jb64_req(p, "pop", &pop) != 0)
		goto out;
	if (strcmp(st, e->state) != 0) {
		rs_seterr("certificate payload names %s but the header names %s", st, e->state);
		goto out;
	}
	if (check_cert_signer(d, e, p, role) != 0 || dir_cert_person_check(p) != 0)
		goto out;
	if (check_expiry(p, time) != 0)
		goto out;
	if (dir_device(d, dev) != NULL || dir_root_of(d, dev) != NULL) {
		rs_seterr("this device key is already in the directory");
		goto out;
	}
	dir_pop_message(&m, st, dev, box);
	if (pop.len != 64 || crypto_sign_verify_detached(pop.p, m.p, m.len, dev) != 0) {
		rs_seterr("the certification request's proof of possession does not verify");
		goto out;
	}
	rc = 0;
out:
	buf_free(&pop);
	buf_free(&m);
	json_decref(p);
	return rc;
}

int
dir_stakeholder_cert(const struct envelope *e, uint8_t application[32])
{
	json_t *p;
	const char *app;
	int rc = 0;

	if (e->kind_id != KIND_CERT || (p = env_payload_json(e)) == NULL)
		return 0;
	app = jstr(p, "stakeholder");
	if (app != NULL && hex_decode_exact(application, 32, app) == 0)
		rc = 1;
	json_decref(p);
	return rc;
}

static int
check_revoke(struct directory *d, const struct envelope *e)
{
	uint8_t target[32];
	struct dir_device *dev;
	json_t *p;
	int rc = -1;

	if (need_state(e) != 0 || (p = env_payload_json(e)) == NULL)
		return -1;
	if (jhex32_req(p, "device", target) != 0)
		goto out;
	dev = dir_device(d, target);
	if (dev == NULL || strcmp(dev->state, e->state) != 0) {
		rs_seterr("no such device of %s", e->state);
		goto out;
	}
	if (dev->revoked_index >= 0) {
		rs_seterr("this device is already revoked");
		goto out;
	}
	if (dir_is_stakeholder(dev) ? memcmp(e->key, d->operator_key, 32) != 0 &&
	    memcmp(e->key, target, 32) != 0 :
	    !dir_is_root(d, e->state, e->key) && memcmp(e->key, target, 32) != 0) {
		rs_seterr("%s", dir_is_stakeholder(dev) ?
		    "a stakeholder's device may be revoked only by the operator or by itself" :
		    "a device may be revoked only by its State's root key or by itself");
		goto out;
	}
	if (!dir_is_stakeholder(dev) && memcmp(e->key, target, 32) != 0 &&
	    dir_root_of(d, e->key)->status == ROOT_UNENDORSED &&
	    memcmp(dev->root, e->key, 32) != 0) {
		rs_seterr("a root key %s has not endorsed may revoke only the devices "
		    "it certified itself", e->state);
		goto out;
	}
	rc = 0;
out:
	json_decref(p);
	return rc;
}

/* An endorse record: an endorsed root key of the State decides on another
 * root key of the State that is still unendorsed. */
static int
check_endorse(struct directory *d, const struct envelope *e)
{
	struct dir_root *signer, *target;
	uint8_t key[32];
	json_t *p;
	int rc = -1;

	if (need_state(e) != 0 || (p = env_payload_json(e)) == NULL)
		return -1;
	if (jhex32_req(p, "root_key", key) != 0)
		goto out;
	signer = dir_root_of(d, e->key);
	if (signer == NULL || strcmp(signer->state, e->state) != 0 ||
	    signer->status != ROOT_ENDORSED) {
		rs_seterr("an endorsement must be signed by an endorsed root key of %s",
		    e->state);
		goto out;
	}
	target = dir_root_of(d, key);
	if (target == NULL || strcmp(target->state, e->state) != 0) {
		rs_seterr("the endorsement names no root key of %s", e->state);
		goto out;
	}
	if (target->status != ROOT_UNENDORSED) {
		rs_seterr("this root key of %s is already %s", e->state,
		    target->status == ROOT_ENDORSED ? "endorsed" : "disowned, for good");
		goto out;
	}
	rc = 0;
out:
	json_decref(p);
	return rc;
}

static void
apply_endorse(struct directory *d, const struct envelope *e, int64_t index)
{
	json_t *p = env_payload_json(e);
	struct dir_root *r;
	uint8_t key[32];

	if (p != NULL && hex_decode_exact(key, 32, jstr(p, "root_key")) == 0 &&
	    (r = dir_root_of(d, key)) != NULL) {
		r->status = json_is_true(json_object_get(p, "accept")) ?
		    ROOT_ENDORSED : ROOT_DISOWNED;
		r->decided_index = index;
		memcpy(r->decided_by, e->key, 32);
	}
	json_decref(p);
}

int
dir_public_kind(const char *kind)
{
	return kind_has(kind_from_name(kind), KIND_DIRECTORY);
}

struct dir_group *
dir_group(struct directory *d, const char *name)
{
	for (size_t i = 0; i < d->ngroups; i++)
		if (strcmp(d->groups[i].name, name) == 0)
			return d->groups[i].nstates > 0 ? &d->groups[i] : NULL;
	return NULL;
}

int
dir_group_has(const struct dir_group *g, const char *state)
{
	for (size_t i = 0; i < g->nstates; i++)
		if (strcmp(g->states[i], state) == 0)
			return 1;
	return 0;
}

static int
valid_group_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= DIR_GROUP_NAME_MAX || !(islower((unsigned char)s[0]) ||
	    isdigit((unsigned char)s[0])))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) &&
		    s[i] != '-')
			return 0;
	return 1;
}

/* A group record: operator-signed, payload {"name", "states", "title"?}. */
static int
check_group(struct directory *d, const struct envelope *e)
{
	json_t *p, *states, *title, *v, *w;
	const char *name, *k;
	size_t i, j;
	int rc = -1;

	if (memcmp(e->key, d->operator_key, 32) != 0) {
		rs_seterr("only the operator may define a group");
		return -1;
	}
	if ((p = env_payload_json(e)) == NULL)
		return -1;
	if ((name = jstr_req(p, "name")) == NULL)
		goto out;
	if (!valid_group_name(name)) {
		rs_seterr("group name \"%s\" must be 1 to %d lower-case letters, digits"
		    " or '-', starting with a letter or digit", name, DIR_GROUP_NAME_MAX - 1);
		goto out;
	}
	states = json_object_get(p, "states");
	if (!json_is_array(states) || json_array_size(states) > DIR_GROUP_MAX_STATES) {
		rs_seterr("group \"states\" must be a list of at most %d State codes",
		    DIR_GROUP_MAX_STATES);
		goto out;
	}
	json_array_foreach(states, i, v) {
		if (!json_is_string(v) || !dir_state_code(json_string_value(v))) {
			rs_seterr("group member %zu is not a State code", i);
			goto out;
		}
		for (j = 0; j < i; j++)
			if (json_equal(v, json_array_get(states, j))) {
				rs_seterr("group member %s is listed twice",
				    json_string_value(v));
				goto out;
			}
	}
	title = json_object_get(p, "title");
	if (title != NULL) {
		if (!json_is_object(title)) {
			rs_seterr("group \"title\" must be an object of language: text");
			goto out;
		}
		json_object_foreach(title, k, w)
			if (!json_is_string(w) || strlen(k) > 8) {
				rs_seterr("group title for \"%s\" is not a text", k);
				goto out;
			}
	}
	rc = 0;
out:
	json_decref(p);
	return rc;
}

static void
apply_group(struct directory *d, const struct envelope *e, int64_t index)
{
	json_t *p = env_payload_json(e), *states, *v;
	struct dir_group *g = NULL;
	const char *name;
	size_t i;

	if (p == NULL || (name = jstr(p, "name")) == NULL) {
		json_decref(p);
		return;
	}
	for (i = 0; i < d->ngroups; i++)
		if (strcmp(d->groups[i].name, name) == 0)
			g = &d->groups[i];
	if (g == NULL) {
		d->groups = xrealloc(d->groups, (d->ngroups + 1) * sizeof(*d->groups));
		g = &d->groups[d->ngroups++];
		memset(g, 0, sizeof(*g));
		snprintf(g->name, sizeof(g->name), "%s", name);
	}
	json_decref(g->title);
	free(g->states);
	g->title = json_incref(json_object_get(p, "title"));
	states = json_object_get(p, "states");
	g->nstates = json_array_size(states);
	g->states = xcalloc(g->nstates ? g->nstates : 1, sizeof(*g->states));
	json_array_foreach(states, i, v)
		snprintf(g->states[i], 3, "%s", json_string_value(v));
	g->index = index;
	json_decref(p);
}

/* Is dev a current device at log index and log time: certified before,
 * not revoked before, its certificate not expired? */
static int
current_at(struct directory *d, const struct dir_device *dev, int64_t index,
    int64_t time)
{
	return dev != NULL && dev->cert_index < index &&
	    (dev->revoked_index < 0 || dev->revoked_index > index) &&
	    (dev->expires <= 0 || time <= dev->expires) &&
	    !root_disowned(d, dev, index);
}

/* Every "rcpt" is a current device at the envelope's index and time: mail
 * for a revoked device is mail for whoever holds its key now. */
static int
check_recipients(struct directory *d, const struct envelope *e, int64_t index,
    int64_t time)
{
	json_t *r = env_field(e, "rcpt"), *v;
	size_t i;
	uint8_t key[32];

	if (!json_is_array(r) || json_array_size(r) == 0) {
		rs_seterr("%s must list its recipient devices in \"rcpt\"", e->kind);
		return -1;
	}
	json_array_foreach(r, i, v) {
		if (!json_is_string(v) || hex_decode_exact(key, 32, json_string_value(v)) != 0) {
			rs_seterr("recipient %zu is not a device key", i);
			return -1;
		}
		if (!current_at(d, dir_device(d, key), index, time)) {
			rs_seterr("recipient %zu is not a current device (unknown, "
			    "revoked or expired) at log index %lld", i, (long long)index);
			return -1;
		}
		if (dir_is_stakeholder(dir_device(d, key))) {
			rs_seterr("recipient %zu is a stakeholder's device, which receives "
			    "nothing addressed to States", i);
			return -1;
		}
	}
	return 0;
}

static int
check_device_record(struct directory *d, const struct envelope *e, int64_t index,
    int64_t time, int flags)
{
	struct dir_device *dev = dir_device(d, e->key);

	if (dev == NULL) {
		rs_seterr("signer is not a certified device");
		return -1;
	}
	if (dev->cert_index >= index) {
		rs_seterr("signer's device was not yet certified at log index %lld "
		    "(certified at %lld)", (long long)index, (long long)dev->cert_index);
		return -1;
	}
	if (dev->expires > 0 && time > dev->expires) {
		char when[32];
		time_t t = (time_t)(dev->expires / 1000);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
		rs_seterr("signer's certificate expired on %s", when);
		return -1;
	}
	if (dev->revoked_index >= 0 && dev->revoked_index < index) {
		rs_seterr("signer's device was revoked at log index %lld",
		    (long long)dev->revoked_index);
		return -1;
	}
	if (root_disowned(d, dev, index)) {
		rs_seterr("signer's device was certified by a root key %s disowned "
		    "at log index %lld", dev->state,
		    (long long)dir_root_of(d, dev->root)->decided_index);
		return -1;
	}
	if (need_state(e) != 0)
		return -1;
	if (strcmp(dev->state, e->state) != 0) {
		rs_seterr("signer is a device of %s, not %s", dev->state, e->state);
		return -1;
	}
	if (dir_is_stakeholder(dev) &&
	    (kind_info(e->kind_id)->signers & KIND_BY_STAKEHOLDER) == 0) {
		rs_seterr("a stakeholder's device does not sign a %s: it sends written "
		    "contributions to the Chair", e->kind);
		return -1;
	}
	if (!dir_is_stakeholder(dev) &&
	    (kind_info(e->kind_id)->signers & KIND_BY_DEVICE) == 0) {
		rs_seterr("a %s is signed by an accredited stakeholder's device, not "
		    "a State's", e->kind);
		return -1;
	}
	if (!MUTANT(chain) && (flags & DIR_CHECK_CHAIN)) {
		if (e->seq != dev->last_seq + 1) {
			rs_seterr("sequence number %lld out of order (expected %lld): replayed or reordered",
			    (long long)e->seq, (long long)dev->last_seq + 1);
			return -1;
		}
		if (dev->last_seq == 0 ? e->has_prev :
		    (!e->has_prev || memcmp(e->prev, dev->last_id, 32) != 0)) {
			rs_seterr("hash chain broken: \"prev\" is not the device's previous envelope");
			return -1;
		}
	}
	if (checkrec_is_answer(e))
		return checkrec_answer_rules(e);
	if (kind_has(e->kind_id, KIND_ROUTED))
		return check_recipients(d, e, index, time);
	return 0;
}

/* A communication check (lib/checkrec.c): by the operator, unnumbered, or
 * by a current device, numbered and chained like a msg. */
static int
check_check(struct directory *d, const struct envelope *e, int64_t index,
    int64_t time, int flags)
{
	if (memcmp(e->key, d->operator_key, 32) == 0) {
		if (e->seq != 0 || e->has_prev) {
			rs_seterr("the operator's check is not numbered (no seq or prev)");
			return -1;
		}
	} else if (check_device_record(d, e, index, time, flags) != 0)
		return -1;
	return checkrec_check_rules(d, e, index, time);
}

/* A kind whose rules are another family's (the process's): here only who
 * signed it, by the kind's row: the operator (unnumbered), or a current
 * device under the device rules.  The family's own rules follow
 * (lib/rules.c). */
static int
check_signer(struct directory *d, const struct envelope *e, int64_t index,
    int64_t time, int flags)
{
	const struct kind_info *ki = kind_info(e->kind_id);

	if (memcmp(e->key, d->operator_key, 32) == 0) {
		if ((ki->signers & KIND_BY_OPERATOR) == 0) {
			rs_seterr("the operator does not sign a %s", e->kind);
			return -1;
		}
		if (e->seq != 0 || e->has_prev) {
			rs_seterr("the operator's %s is not numbered (no seq or prev)",
			    e->kind);
			return -1;
		}
		return 0;
	}
	if ((ki->signers & (KIND_BY_DEVICE | KIND_BY_STAKEHOLDER)) == 0) {
		rs_seterr("a %s is signed by the operator only", e->kind);
		return -1;
	}
	return check_device_record(d, e, index, time, flags);
}

int
dir_check(struct directory *d, const struct envelope *e, int64_t index,
    int64_t time, int flags)
{
	if (kind_validate(e, d->operator_key) != KIND_VALID)
		return -1;
	switch (e->kind_id) {
	case KIND_ADMIT:
		return check_admit(d, e);
	case KIND_CERT:
		return check_cert(d, e, time);
	case KIND_REVOKE:
		return check_revoke(d, e);
	case KIND_GROUP:
		return check_group(d, e);
	case KIND_ENDORSE:
		return check_endorse(d, e);
	case KIND_CHECK:
		return check_check(d, e, index, time, flags);
	case KIND_MSG:
	case KIND_ACK:
	case KIND_COSIGN:
		return check_device_record(d, e, index, time, flags);
	case KIND_BODY:
	case KIND_BODY_RULES:
	case KIND_MEETING:
	case KIND_PAPER:
	case KIND_PAPER_LANG:
	case KIND_PROPOSAL:
	case KIND_POSITION:
	case KIND_WITHDRAW:
	case KIND_APPLICATION:
	case KIND_CONTRIBUTION:
	case KIND_NORM:
	case KIND_NORM_VERSION:
	case KIND_COSPONSOR:
	case KIND_CHECKLIST:
	case KIND_REPORT:
	case KIND_CII:
	case KIND_TERM:
	case KIND_DEFINITION:
	case KIND_TRANSLATION:
	case KIND_CB_REQUEST:
	case KIND_CB_OFFER:
	case KIND_CB_STEP:
		return check_signer(d, e, index, time, flags);
	case KIND_UNKNOWN:
	case KIND_COUNT:
		break;
	}
	rs_seterr("unknown envelope kind \"%.31s\"", e->kind);
	return -1;
}

static void
apply_admit(struct directory *d, const struct envelope *e, int64_t index)
{
	json_t *p = env_payload_json(e);
	struct dir_root *r;

	if (p == NULL)
		return;
	d->roots = xrealloc(d->roots, (d->nroots + 1) * sizeof(*d->roots));
	r = &d->roots[d->nroots++];
	memset(r, 0, sizeof(*r));
	hex_decode_exact(r->key, 32, jstr(p, "root_key"));
	snprintf(r->state, sizeof(r->state), "%s", e->state);
	r->index = index;
	r->decided_index = -1;
	/* The State's first root key is endorsed by its admission. */
	r->status = ROOT_ENDORSED;
	for (size_t i = 0; i + 1 < d->nroots; i++)
		if (strcmp(d->roots[i].state, e->state) == 0)
			r->status = ROOT_UNENDORSED;
	json_decref(p);
}

static void
apply_cert(struct directory *d, const struct envelope *e, int64_t index)
{
	json_t *p = env_payload_json(e);
	struct dir_device *dev;

	if (p == NULL)
		return;
	dev = xcalloc(1, sizeof(*dev));
	hex_decode_exact(dev->key, 32, jstr(p, "device"));
	hex_decode_exact(dev->box, 32, jstr(p, "box_key"));
	memcpy(dev->root, e->key, 32);
	snprintf(dev->state, sizeof(dev->state), "%s", e->state);
	snprintf(dev->role, sizeof(dev->role), "%s", jstr(p, "role"));
	dev->cert = p;
	dev->expires = json_integer_value(json_object_get(p, "expires"));
	dev->cert_index = index;
	dev->revoked_index = -1;
	add_device(d, dev);
}

static void
apply_revoke(struct directory *d, const struct envelope *e, int64_t index)
{
	json_t *p = env_payload_json(e);
	uint8_t target[32];
	struct dir_device *dev;

	if (p != NULL && hex_decode_exact(target, 32, jstr(p, "device")) == 0 &&
	    (dev = dir_device(d, target)) != NULL)
		dev->revoked_index = index;
	json_decref(p);
}

void
dir_apply(struct directory *d, const struct envelope *e, int64_t index)
{
	switch (e->kind_id) {
	case KIND_ADMIT:
		apply_admit(d, e, index);
		break;
	case KIND_CERT:
		apply_cert(d, e, index);
		break;
	case KIND_GROUP:
		apply_group(d, e, index);
		break;
	case KIND_REVOKE:
		apply_revoke(d, e, index);
		break;
	case KIND_ENDORSE:
		apply_endorse(d, e, index);
		break;
	default:
		break;
	}
	if (e->seq > 0) {
		struct dir_device *dev = dir_device(d, e->key);
		if (dev != NULL) {
			dev->last_seq = e->seq;
			memcpy(dev->last_id, e->id, 32);
		}
	}
}
