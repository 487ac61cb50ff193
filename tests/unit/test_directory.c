/*
 * test_directory.c - the directory rules of docs/protocol.md, section 2.
 *
 * What it tries to break: key transparency (promise 5) and the device hash
 * chain (promise 4), at the one place both are decided, the state machine the
 * hub runs before appending and every node runs when replaying.  Each rule is
 * tried with a record that breaks only that rule and is otherwise valid and
 * correctly signed: a foreign root admitted by someone other than the
 * operator, a device certified by a key that is not its State's root, with a
 * forged proof of possession, twice; revocations by the wrong key; a device
 * chain with gaps, forks and replays; envelopes from revoked devices, to
 * unknown devices, of unknown kinds.  Records accepted are applied with
 * increasing log indexes, as the log would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "blob.h"
#include "directory.h"
#include "envelope.h"
#include "checkrec.h"
#include "kinds.h"
#include "jsonutil.h"
#include "keys.h"
#include "statement.h"
#include "util.h"

/* A signed, parsed record; the envelope borrows raw. */
struct rec {
	struct buf raw;
	struct envelope e;
};

/* The world every test starts from: operator; roots of XA and XB admitted
 * at 0 and 1; devices a1, a2 (XA) and b1 (XB) certified at 2, 3, 4. */
struct world {
	struct directory *d;
	struct keypair *op, *ra, *rb, *a1, *a2, *b1;
	int64_t next;
};

#define POP_GOOD 0
#define POP_OTHER_STATE 1
#define POP_OTHER_KEY 2
#define POP_OTHER_BOX 3
#define POP_SHORT 4
#define POP_NOT_B64 5

/* ---- records ------------------------------------------------------------ */

static void
rec_build(struct rec *r, json_t *hdr, const char *payload,
    const struct keypair *signer)
{
	memset(r, 0, sizeof(*r));
	json_object_set_new(hdr, "time", json_integer(1763820000000LL));
	assert_int_equal(env_build(&r->raw, hdr, payload, strlen(payload),
	    signer->pk, signer->sk), 0);
	json_decref(hdr);
	assert_int_equal(env_parse(&r->e, r->raw.p, r->raw.len), 0);
	assert_int_equal(env_verify(&r->e), 0);
}

static void
rec_free(struct rec *r)
{
	env_free(&r->e);
	buf_free(&r->raw);
}

static json_t *
hdr_of(const char *kind, const char *state)
{
	json_t *h = json_object();

	json_object_set_new(h, "kind", json_string(kind));
	if (state != NULL)
		json_object_set_new(h, "state", json_string(state));
	return h;
}

static void
build_json(struct rec *r, json_t *hdr, json_t *payload, const struct keypair *signer)
{
	char *t = jdump(payload);

	rec_build(r, hdr, t, signer);
	free(t);
	json_decref(payload);
}

static void
mk_admit(struct rec *r, const struct keypair *signer, const char *hstate,
    const char *pstate, const uint8_t root[32])
{
	build_json(r, hdr_of("admit", hstate), json_pack("{s:s,s:o,s:s}",
	    "state", pstate, "root_key", jhex(root, 32), "name", "Test"), signer);
}

static json_t *
cert_payload(const char *pstate, const struct keypair *dev, const char *role,
    int pop)
{
	struct buf m = {0};
	uint8_t sig[64], box[32];
	json_t *p;
	struct keypair *other = NULL;

	memcpy(box, dev->box_pk, 32);
	if (pop == POP_OTHER_BOX)
		box[0] ^= 1;
	dir_pop_message(&m, pop == POP_OTHER_STATE ? "XB" : pstate, dev->pk, box);
	if (pop == POP_OTHER_KEY) {
		other = keypair_new(NULL, 0);
		crypto_sign_detached(sig, NULL, m.p, m.len, other->sk);
		keypair_free(other);
	} else
		crypto_sign_detached(sig, NULL, m.p, m.len, dev->sk);
	buf_free(&m);
	p = json_pack("{s:s,s:o,s:o,s:s,s:s,s:s,s:[s,s],s:I}",
	    "state", pstate, "device", jhex(dev->pk, 32),
	    "box_key", jhex(dev->box_pk, 32), "role", role, "name", "A. Person",
	    "email", "poc@example.org", "languages", "en", "fr",
	    "issued", (json_int_t)1763820000000LL);
	if (pop == POP_SHORT)
		json_object_set_new(p, "pop", jb64(sig, 63));
	else if (pop == POP_NOT_B64)
		json_object_set_new(p, "pop", json_string("not base64!"));
	else
		json_object_set_new(p, "pop", jb64(sig, 64));
	return p;
}

static void
mk_cert(struct rec *r, const struct keypair *signer, const char *hstate,
    const char *pstate, const struct keypair *dev, const char *role, int pop)
{
	build_json(r, hdr_of("cert", hstate), cert_payload(pstate, dev, role, pop),
	    signer);
}

static void
mk_revoke(struct rec *r, const struct keypair *signer, const char *state,
    const uint8_t target[32])
{
	build_json(r, hdr_of("revoke", state), json_pack("{s:o,s:s}",
	    "device", jhex(target, 32), "reason", "test"), signer);
}

/* The operator of the current world: a cosign carries a checkpoint it
 * signed (lib/kinds.c refuses any other payload). */
static const struct keypair *world_operator;

static char *
cosign_payload(void)
{
	uint8_t root[32] = {0};
	struct checkpoint c;
	json_t *j;
	char *t;

	checkpoint_make(&c, "hub", 5, root, 1763820000000LL, 2, root, world_operator->sk);
	j = checkpoint_json(&c);
	t = jdump(j);
	json_decref(j);
	checkpoint_free(&c);
	return t;
}

/* A device-signed record; seq 0 leaves seq out, prev NULL leaves prev out;
 * rcpt is stolen (NULL: none). */
static void
mk_dev(struct rec *r, const char *kind, const struct keypair *signer,
    const char *state, int64_t seq, const uint8_t *prev, json_t *rcpt)
{
	json_t *h = hdr_of(kind, state);

	if (seq != 0)
		json_object_set_new(h, "seq", json_integer(seq));
	if (prev != NULL)
		json_object_set_new(h, "prev", jhex(prev, 32));
	if (rcpt != NULL)
		json_object_set_new(h, "rcpt", rcpt);
	if (strcmp(kind, "msg") == 0) {
		json_object_set_new(h, "to", json_pack("[s]", "XB"));
		json_object_set_new(h, "urgency", json_string("routine"));
	}
	if (strcmp(kind, "cosign") == 0) {
		char *p = cosign_payload();
		rec_build(r, h, p, signer);
		free(p);
	} else
		rec_build(r, h, "RSP1 (not really sealed)", signer);
}

static json_t *
rcpt_of(const struct keypair *k)
{
	return json_pack("[o]", jhex(k->pk, 32));
}

/* ---- checks ------------------------------------------------------------- */

static void
accept_at(struct world *w, struct rec *r, int flags)
{
	if (dir_check(w->d, &r->e, INT64_MAX, 0, flags) != 0)
		fail_msg("%s record refused: %s", r->e.kind, rs_err());
	dir_apply(w->d, &r->e, w->next++);
}

static void
refuse(struct world *w, struct rec *r, int flags, const char *needle)
{
	rs_seterr("none");
	if (dir_check(w->d, &r->e, INT64_MAX, 0, flags) == 0)
		fail_msg("%s record accepted, expected a refusal mentioning \"%s\"",
		    r->e.kind, needle);
	if (strstr(rs_err(), needle) == NULL)
		fail_msg("%s record: error \"%s\" does not mention \"%s\"",
		    r->e.kind, rs_err(), needle);
}

/* Builds, expects a refusal, frees. */
#define REFUSE(w, r, flags, needle) do { refuse(w, r, flags, needle); rec_free(r); } while (0)
#define ACCEPT(w, r, flags) do { accept_at(w, r, flags); rec_free(r); } while (0)

/* ---- the world ---------------------------------------------------------- */

static int
setup_world(void **state)
{
	struct world *w = xcalloc(1, sizeof(*w));
	struct rec r;

	w->op = keypair_new(NULL, 0);
	w->ra = keypair_new("XA", 0);
	w->rb = keypair_new("XB", 0);
	w->a1 = keypair_new("XA", 1);
	w->a2 = keypair_new("XA", 1);
	w->b1 = keypair_new("XB", 1);
	w->d = dir_new(w->op->pk);
	world_operator = w->op;
	mk_admit(&r, w->op, "XA", "XA", w->ra->pk);
	ACCEPT(w, &r, 0);
	mk_admit(&r, w->op, "XB", "XB", w->rb->pk);
	ACCEPT(w, &r, 0);
	mk_cert(&r, w->ra, "XA", "XA", w->a1, "technical", POP_GOOD);
	ACCEPT(w, &r, 0);
	mk_cert(&r, w->ra, "XA", "XA", w->a2, "diplomatic", POP_GOOD);
	ACCEPT(w, &r, 0);
	mk_cert(&r, w->rb, "XB", "XB", w->b1, "alternate", POP_GOOD);
	ACCEPT(w, &r, 0);
	*state = w;
	return 0;
}

static int
teardown_world(void **state)
{
	struct world *w = *state;

	dir_free(w->d);
	keypair_free(w->op);
	keypair_free(w->ra);
	keypair_free(w->rb);
	keypair_free(w->a1);
	keypair_free(w->a2);
	keypair_free(w->b1);
	free(w);
	return 0;
}

/* ---- admit -------------------------------------------------------------- */

static void
test_admit(void **state)
{
	struct world *w = *state;
	struct keypair *rc = keypair_new("XC", 0), *rc2 = keypair_new("XC", 0);
	struct rec r;

	assert_true(dir_is_root(w->d, "XA", w->ra->pk));
	assert_true(dir_is_root(w->d, NULL, w->ra->pk));
	assert_false(dir_is_root(w->d, "XB", w->ra->pk));
	assert_false(dir_is_root(w->d, "XC", rc->pk));
	assert_int_equal(w->d->nroots, 2);
	assert_int_equal(w->d->roots[1].index, 1);

	/* Not the operator: a State's root, a device, a stranger. */
	mk_admit(&r, w->ra, "XC", "XC", rc->pk);
	REFUSE(w, &r, 0, "only the operator");
	mk_admit(&r, w->a1, "XC", "XC", rc->pk);
	REFUSE(w, &r, 0, "only the operator");
	mk_admit(&r, rc, "XC", "XC", rc->pk);
	REFUSE(w, &r, 0, "only the operator");
	/* A root admitted twice, for the same or another State. */
	mk_admit(&r, w->op, "XA", "XA", w->ra->pk);
	REFUSE(w, &r, 0, "already admitted");
	mk_admit(&r, w->op, "XC", "XC", w->ra->pk);
	REFUSE(w, &r, 0, "already admitted");
	/* Header and payload disagree; no State; malformed payloads. */
	mk_admit(&r, w->op, "XC", "XD", rc->pk);
	REFUSE(w, &r, 0, "names XD but the header names XC");
	mk_admit(&r, w->op, NULL, "XC", rc->pk);
	REFUSE(w, &r, 0, "must name its State");
	build_json(&r, hdr_of("admit", "XC"), json_pack("{s:s}", "state", "XC"), w->op);
	REFUSE(w, &r, 0, "\"root_key\"");
	build_json(&r, hdr_of("admit", "XC"), json_pack("{s:s,s:s}", "state", "XC",
	    "root_key", "abcd"), w->op);
	REFUSE(w, &r, 0, "\"root_key\"");
	build_json(&r, hdr_of("admit", "XC"), json_pack("{s:o}", "root_key",
	    jhex(rc->pk, 32)), w->op);
	REFUSE(w, &r, 0, "\"state\"");
	rec_build(&r, hdr_of("admit", "XC"), "not json", w->op);
	REFUSE(w, &r, 0, "JSON");
	rec_build(&r, hdr_of("admit", "XC"), "[1]", w->op);
	REFUSE(w, &r, 0, "not a JSON object");

	/* The operator admits a new State's root, then a second root for it. */
	mk_admit(&r, w->op, "XC", "XC", rc->pk);
	ACCEPT(w, &r, DIR_CHECK_CHAIN);
	assert_true(dir_is_root(w->d, "XC", rc->pk));
	assert_int_equal(w->d->roots[2].index, 5);
	mk_admit(&r, w->op, "XC", "XC", rc2->pk);
	ACCEPT(w, &r, 0);
	assert_true(dir_is_root(w->d, "XC", rc2->pk));
	/* The same record again (a replay) is refused. */
	mk_admit(&r, w->op, "XC", "XC", rc->pk);
	REFUSE(w, &r, 0, "already admitted");
	keypair_free(rc);
	keypair_free(rc2);
}

/* ---- cert --------------------------------------------------------------- */

static void
test_cert(void **state)
{
	struct world *w = *state;
	struct keypair *dev = keypair_new("XA", 1), *stranger = keypair_new("XA", 0);
	struct rec r;

	/* The world's certificates are in the directory. */
	struct dir_device *a1 = dir_device(w->d, w->a1->pk);
	assert_non_null(a1);
	assert_memory_equal(a1->box, w->a1->box_pk, 32);
	assert_memory_equal(a1->root, w->ra->pk, 32);
	assert_string_equal(a1->state, "XA");
	assert_string_equal(a1->role, "technical");
	assert_int_equal(a1->cert_index, 2);
	assert_int_equal(a1->revoked_index, -1);
	assert_string_equal(jstr(a1->cert, "email"), "poc@example.org");
	assert_int_equal(w->d->ndevices, 3);
	assert_ptr_equal(w->d->devices[2], dir_device(w->d, w->b1->pk));
	assert_null(dir_device(w->d, dev->pk));
	assert_null(dir_device(w->d, w->ra->pk));

	/* Signed by a key that is not an admitted root: a stranger, the
	 * operator, a device, another State's root. */
	mk_cert(&r, stranger, "XA", "XA", dev, "technical", POP_GOOD);
	REFUSE(w, &r, 0, "not signed by an admitted root key of XA");
	mk_cert(&r, w->op, "XA", "XA", dev, "technical", POP_GOOD);
	REFUSE(w, &r, 0, "not signed by an admitted root key of XA");
	mk_cert(&r, w->a1, "XA", "XA", dev, "technical", POP_GOOD);
	REFUSE(w, &r, 0, "not signed by an admitted root key of XA");
	mk_cert(&r, w->rb, "XA", "XA", dev, "technical", POP_GOOD);
	REFUSE(w, &r, 0, "not signed by an admitted root key of XA");
	/* XA's root certifying a device for another State. */
	mk_cert(&r, w->ra, "XB", "XB", dev, "technical", POP_GOOD);
	REFUSE(w, &r, 0, "not signed by an admitted root key of XB");
	mk_cert(&r, w->ra, "XA", "XB", dev, "technical", POP_GOOD);
	REFUSE(w, &r, 0, "names XB but the header names XA");
	mk_cert(&r, w->ra, NULL, "XA", dev, "technical", POP_GOOD);
	REFUSE(w, &r, 0, "must name its State");
	/* Bad proofs of possession. */
	mk_cert(&r, w->ra, "XA", "XA", dev, "technical", POP_OTHER_STATE);
	REFUSE(w, &r, 0, "proof of possession");
	mk_cert(&r, w->ra, "XA", "XA", dev, "technical", POP_OTHER_KEY);
	REFUSE(w, &r, 0, "proof of possession");
	mk_cert(&r, w->ra, "XA", "XA", dev, "technical", POP_OTHER_BOX);
	REFUSE(w, &r, 0, "proof of possession");
	mk_cert(&r, w->ra, "XA", "XA", dev, "technical", POP_SHORT);
	REFUSE(w, &r, 0, "proof of possession");
	mk_cert(&r, w->ra, "XA", "XA", dev, "technical", POP_NOT_B64);
	REFUSE(w, &r, 0, "\"pop\"");
	/* Roles. */
	const char *badroles[] = { "", "Technical", "admin", "technical ", NULL };
	for (int i = 0; badroles[i] != NULL; i++) {
		mk_cert(&r, w->ra, "XA", "XA", dev, badroles[i], POP_GOOD);
		REFUSE(w, &r, 0, "unknown role");
	}
	/* The person it names, as every reader will see it: an e-mail address
	 * that would add a recipient or a header, a name that breaks a line or
	 * a terminal, languages that are not tags (dir_cert_person_check). */
	struct { const char *field; json_t *v; const char *why; } people[] = {
		{ "email", json_string("poc@example.org\r\nBcc: all@example.org"), "email" },
		{ "email", json_string("a@example.org,b@example.org"), "email" },
		{ "email", json_string("not an address"), "email" },
		{ "email", json_string(""), "email" },
		{ "email", json_integer(1), "\"email\"" },
		{ "name", json_string("A. Person\nRoot key rotated: trust XB"), "name" },
		{ "name", json_string("\x1b[2JA. Person"), "name" },
		{ "name", json_string("A. \xc2\x9b" "Person"), "name" },
		{ "name", json_string(""), "name" },
		{ "languages", json_pack("[s]", "EN"), "languages" },
		{ "languages", json_pack("[s]", "english"), "languages" },
		{ "languages", json_pack("[i]", 1), "languages" },
		{ "languages", json_string("en"), "languages" },
	};
	for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
		json_t *p = cert_payload("XA", dev, "technical", POP_GOOD);
		json_object_set_new(p, people[i].field, people[i].v);
		build_json(&r, hdr_of("cert", "XA"), p, w->ra);
		REFUSE(w, &r, 0, people[i].why);
	}
	/* Missing payload fields, each named. */
	const char *fields[] = { "state", "device", "box_key", "role", "name",
	    "email", "pop", NULL };
	for (int i = 0; fields[i] != NULL; i++) {
		char needle[32];
		json_t *p = cert_payload("XA", dev, "technical", POP_GOOD);
		json_object_del(p, fields[i]);
		snprintf(needle, sizeof(needle), "\"%s\"", fields[i]);
		build_json(&r, hdr_of("cert", "XA"), p, w->ra);
		REFUSE(w, &r, 0, needle);
	}
	/* A device already in the directory, certified again by its own root
	 * or by another State's; a root key as a device. */
	mk_cert(&r, w->ra, "XA", "XA", w->a1, "technical", POP_GOOD);
	REFUSE(w, &r, 0, "already in the directory");
	mk_cert(&r, w->rb, "XB", "XB", w->a1, "technical", POP_GOOD);
	REFUSE(w, &r, 0, "already in the directory");
	struct keypair *rootdev = keypair_new("XA", 1);
	memcpy(rootdev->pk, w->rb->pk, 32);
	memcpy(rootdev->sk, w->rb->sk, 64);
	mk_cert(&r, w->ra, "XA", "XA", rootdev, "technical", POP_GOOD);
	REFUSE(w, &r, 0, "already in the directory");
	keypair_free(rootdev);

	/* And the good one, then its replay. */
	mk_cert(&r, w->ra, "XA", "XA", dev, "alternate", POP_GOOD);
	ACCEPT(w, &r, DIR_CHECK_CHAIN);
	assert_true(dir_device_current(w->d, dev->pk, 6));
	assert_false(dir_device_current(w->d, dev->pk, 5));
	mk_cert(&r, w->ra, "XA", "XA", dev, "alternate", POP_GOOD);
	REFUSE(w, &r, 0, "already in the directory");
	keypair_free(dev);
	keypair_free(stranger);
}

/* ---- revoke ------------------------------------------------------------- */

static void
test_revoke(void **state)
{
	struct world *w = *state;
	struct keypair *ghost = keypair_new("XA", 1);
	struct rec r;

	/* By another device of the same State, by another State's root, by
	 * the operator, by a device of another State. */
	mk_revoke(&r, w->a2, "XA", w->a1->pk);
	REFUSE(w, &r, 0, "only by its State's root key or by itself");
	mk_revoke(&r, w->rb, "XA", w->a1->pk);
	REFUSE(w, &r, 0, "only by its State's root key or by itself");
	mk_revoke(&r, w->op, "XA", w->a1->pk);
	REFUSE(w, &r, 0, "only by its State's root key or by itself");
	mk_revoke(&r, w->b1, "XA", w->a1->pk);
	REFUSE(w, &r, 0, "only by its State's root key or by itself");
	/* Naming the wrong State; an unknown device; no State; bad payload. */
	mk_revoke(&r, w->rb, "XB", w->a1->pk);
	REFUSE(w, &r, 0, "no such device of XB");
	mk_revoke(&r, w->ra, "XA", ghost->pk);
	REFUSE(w, &r, 0, "no such device of XA");
	mk_revoke(&r, w->ra, NULL, w->a1->pk);
	REFUSE(w, &r, 0, "must name its State");
	build_json(&r, hdr_of("revoke", "XA"), json_pack("{s:s}", "reason", "x"), w->ra);
	REFUSE(w, &r, 0, "\"device\"");
	build_json(&r, hdr_of("revoke", "XA"), json_pack("{s:i}", "device", 1), w->ra);
	REFUSE(w, &r, 0, "\"device\"");

	/* By the root: accepted; the device is no longer current. */
	assert_true(dir_device_current(w->d, w->a1->pk, 100));
	mk_revoke(&r, w->ra, "XA", w->a1->pk);
	ACCEPT(w, &r, DIR_CHECK_CHAIN);
	assert_int_equal(dir_device(w->d, w->a1->pk)->revoked_index, 5);
	assert_false(dir_device_current(w->d, w->a1->pk, 100));
	assert_true(dir_device_current(w->d, w->a1->pk, 4));
	/* Twice: by the root, by the device. */
	mk_revoke(&r, w->ra, "XA", w->a1->pk);
	REFUSE(w, &r, 0, "already revoked");
	mk_revoke(&r, w->a1, "XA", w->a1->pk);
	REFUSE(w, &r, 0, "already revoked");

	/* By the device itself: accepted, then not again. */
	mk_revoke(&r, w->b1, "XB", w->b1->pk);
	ACCEPT(w, &r, 0);
	assert_int_equal(dir_device(w->d, w->b1->pk)->revoked_index, 6);
	mk_revoke(&r, w->b1, "XB", w->b1->pk);
	REFUSE(w, &r, 0, "already revoked");
	mk_revoke(&r, w->rb, "XB", w->b1->pk);
	REFUSE(w, &r, 0, "already revoked");
	/* A revoked device cannot be certified again. */
	mk_cert(&r, w->rb, "XB", "XB", w->b1, "technical", POP_GOOD);
	REFUSE(w, &r, 0, "already in the directory");
	/* The remaining device is untouched. */
	assert_true(dir_device_current(w->d, w->a2->pk, 100));
	keypair_free(ghost);
}

/* ---- the device chain --------------------------------------------------- */

static void
test_chain(void **state)
{
	struct world *w = *state;
	struct rec r, r1, r2, fork;
	uint8_t id1[32], id2[32], id3[32], bogus[32];

	memset(bogus, 0x42, sizeof(bogus));
	/* seq 1 with a prev; no seq; seq 2 first. */
	mk_dev(&r, "msg", w->a1, "XA", 1, bogus, rcpt_of(w->b1));
	REFUSE(w, &r, DIR_CHECK_CHAIN, "hash chain");
	mk_dev(&r, "msg", w->a1, "XA", 0, NULL, rcpt_of(w->b1));
	REFUSE(w, &r, DIR_CHECK_CHAIN, "sequence number");
	mk_dev(&r, "msg", w->a1, "XA", 2, NULL, rcpt_of(w->b1));
	REFUSE(w, &r, DIR_CHECK_CHAIN, "sequence number 2 out of order (expected 1)");

	/* seq 1 without prev: accepted. */
	mk_dev(&r1, "msg", w->a1, "XA", 1, NULL, rcpt_of(w->b1));
	memcpy(id1, r1.e.id, 32);
	accept_at(w, &r1, DIR_CHECK_CHAIN);
	assert_int_equal(dir_device(w->d, w->a1->pk)->last_seq, 1);
	/* Replay of the same envelope. */
	refuse(w, &r1, DIR_CHECK_CHAIN, "replayed or reordered");
	/* seq 2 with a wrong prev, no prev, the prev of another device. */
	mk_dev(&r, "ack", w->a1, "XA", 2, bogus, rcpt_of(w->b1));
	REFUSE(w, &r, DIR_CHECK_CHAIN, "hash chain broken");
	mk_dev(&r, "ack", w->a1, "XA", 2, NULL, rcpt_of(w->b1));
	REFUSE(w, &r, DIR_CHECK_CHAIN, "hash chain broken");
	/* A gap. */
	mk_dev(&r, "ack", w->a1, "XA", 3, id1, rcpt_of(w->b1));
	REFUSE(w, &r, DIR_CHECK_CHAIN, "out of order (expected 2)");

	/* seq 2 chained to seq 1 (another kind: one chain per device). */
	mk_dev(&r2, "ack", w->a1, "XA", 2, id1, rcpt_of(w->b1));
	memcpy(id2, r2.e.id, 32);
	/* A second, different seq 2 chained to seq 1: a fork.  The first to
	 * arrive wins, the other is refused. */
	mk_dev(&fork, "cosign", w->a1, "XA", 2, id1, NULL);
	assert_int_equal(dir_check(w->d, &fork.e, INT64_MAX, 0, DIR_CHECK_CHAIN), 0);
	accept_at(w, &r2, DIR_CHECK_CHAIN);
	refuse(w, &fork, DIR_CHECK_CHAIN, "out of order");
	refuse(w, &r1, DIR_CHECK_CHAIN, "out of order");	/* old replays */
	refuse(w, &r2, DIR_CHECK_CHAIN, "out of order");
	rec_free(&fork);

	/* seq 3 chained to seq 1 (skipping 2's id) is refused; to 2, fine. */
	mk_dev(&r, "cosign", w->a1, "XA", 3, id1, NULL);
	REFUSE(w, &r, DIR_CHECK_CHAIN, "hash chain broken");
	mk_dev(&r, "cosign", w->a1, "XA", 3, id2, NULL);
	memcpy(id3, r.e.id, 32);
	ACCEPT(w, &r, DIR_CHECK_CHAIN);
	assert_memory_equal(dir_device(w->d, w->a1->pk)->last_id, id3, 32);

	/* Each device has its own chain. */
	mk_dev(&r, "msg", w->a2, "XA", 1, NULL, rcpt_of(w->a1));
	ACCEPT(w, &r, DIR_CHECK_CHAIN);
	mk_dev(&r, "msg", w->a2, "XA", 1, NULL, rcpt_of(w->a1));	/* new id, same seq */
	REFUSE(w, &r, DIR_CHECK_CHAIN, "out of order");

	/* Without DIR_CHECK_CHAIN (a node checking what it receives), the
	 * chain is not the directory's business: old ones pass. */
	assert_int_equal(dir_check(w->d, &r1.e, INT64_MAX, 0, 0), 0);
	assert_int_equal(dir_check(w->d, &r2.e, INT64_MAX, 0, 0), 0);
	rec_free(&r1);
	rec_free(&r2);
}

/* ---- device records: who, to whom, when --------------------------------- */

static void
test_device_rules(void **state)
{
	struct world *w = *state;
	struct keypair *ghost = keypair_new("XA", 1);
	struct rec r;

	/* Signers that are not certified devices. */
	mk_dev(&r, "msg", ghost, "XA", 1, NULL, rcpt_of(w->b1));
	REFUSE(w, &r, DIR_CHECK_CHAIN, "not a certified device");
	mk_dev(&r, "msg", w->ra, "XA", 1, NULL, rcpt_of(w->b1));
	REFUSE(w, &r, DIR_CHECK_CHAIN, "not a certified device");
	mk_dev(&r, "cosign", w->op, NULL, 1, NULL, NULL);
	REFUSE(w, &r, DIR_CHECK_CHAIN, "not a certified device");
	/* A device speaking for another State, or for none. */
	mk_dev(&r, "msg", w->a1, "XB", 1, NULL, rcpt_of(w->b1));
	REFUSE(w, &r, DIR_CHECK_CHAIN, "signer is a device of XA, not XB");
	mk_dev(&r, "cosign", w->a1, NULL, 1, NULL, NULL);
	REFUSE(w, &r, DIR_CHECK_CHAIN, "must name its State");
	/* Recipients: unknown, missing, empty, not an array, not hex. */
	mk_dev(&r, "msg", w->a1, "XA", 1, NULL, rcpt_of(ghost));
	REFUSE(w, &r, DIR_CHECK_CHAIN, "recipient 0 is not a current device");
	mk_dev(&r, "msg", w->a1, "XA", 1, NULL, json_pack("[o,o]",
	    jhex(w->b1->pk, 32), jhex(ghost->pk, 32)));
	REFUSE(w, &r, 0, "recipient 1 is not a current device");
	mk_dev(&r, "msg", w->a1, "XA", 1, NULL, rcpt_of(w->ra));	/* a root */
	REFUSE(w, &r, 0, "not a current device");
	mk_dev(&r, "ack", w->a1, "XA", 1, NULL, NULL);
	REFUSE(w, &r, 0, "\"rcpt\"");
	mk_dev(&r, "msg", w->a1, "XA", 1, NULL, json_array());
	REFUSE(w, &r, 0, "\"rcpt\"");
	mk_dev(&r, "msg", w->a1, "XA", 1, NULL, json_string("abc"));
	REFUSE(w, &r, 0, "\"rcpt\"");
	mk_dev(&r, "msg", w->a1, "XA", 1, NULL, json_pack("[i]", 5));
	REFUSE(w, &r, 0, "recipient 0 is not a device key");
	mk_dev(&r, "msg", w->a1, "XA", 1, NULL, json_pack("[s]", "abcd"));
	REFUSE(w, &r, 0, "recipient 0 is not a device key");
	/* Good ones: to a device of another State, of its own, itself. */
	mk_dev(&r, "msg", w->a1, "XA", 1, NULL, json_pack("[o,o,o]",
	    jhex(w->b1->pk, 32), jhex(w->a2->pk, 32), jhex(w->a1->pk, 32)));
	ACCEPT(w, &r, DIR_CHECK_CHAIN);
	keypair_free(ghost);
}

static void
test_revoked_signer_at_index(void **state)
{
	struct world *w = *state;
	struct rec m, r;

	/* A message a1 signed while current (to itself: a recipient must be
	 * current too, and a1 is the device certified first), checked at
	 * index 5. */
	mk_dev(&m, "msg", w->a1, "XA", 1, NULL, rcpt_of(w->a1));
	assert_int_equal(dir_check(w->d, &m.e, INT64_MAX, 0, DIR_CHECK_CHAIN), 0);
	assert_int_equal(dir_check(w->d, &m.e, 5, 0, 0), 0);
	mk_revoke(&r, w->ra, "XA", w->a1->pk);
	ACCEPT(w, &r, 0);			/* revoked at index 5 */

	/* Now refused at the end of the log and after the revocation... */
	refuse(w, &m, DIR_CHECK_CHAIN, "revoked at log index 5");
	refuse(w, &m, 0, "revoked at log index 5");
	rs_seterr("none");
	assert_int_not_equal(dir_check(w->d, &m.e, 6, 0, 0), 0);
	assert_non_null(strstr(rs_err(), "revoked"));
	assert_int_not_equal(dir_check(w->d, &m.e, INT64_MAX, 0, 0), 0);
	/* ...but accepted where it stood before the revocation. */
	assert_int_equal(dir_check(w->d, &m.e, 4, 0, 0), 0);
	assert_int_equal(dir_check(w->d, &m.e, 3, 0, 0), 0);
	/* Not before its signer was certified (a1 at index 2): a log that
	 * puts a device's envelope ahead of its certificate breaks the rule
	 * that the signer must be certified. */
	rs_seterr("none");
	assert_int_not_equal(dir_check(w->d, &m.e, 2, 0, 0), 0);
	assert_int_not_equal(dir_check(w->d, &m.e, 1, 0, 0), 0);
	assert_int_not_equal(dir_check(w->d, &m.e, 0, 0, 0), 0);
	assert_non_null(strstr(rs_err(), "certified"));
	/* Messages to the revoked device are refused after its revocation
	 * (protocol.md section 9: whoever holds its key now is not its POC),
	 * accepted where they stood before it. */
	struct rec to;
	mk_dev(&to, "msg", w->a2, "XA", 1, NULL, rcpt_of(w->a1));
	refuse(w, &to, DIR_CHECK_CHAIN, "recipient 0 is not a current device");
	rs_seterr("none");
	assert_int_not_equal(dir_check(w->d, &to.e, 6, 0, DIR_CHECK_CHAIN), 0);
	assert_non_null(strstr(rs_err(), "not a current device"));
	assert_int_equal(dir_check(w->d, &to.e, 4, 0, DIR_CHECK_CHAIN), 0);
	rec_free(&to);
	/* The revoked device cannot revoke others or be used again. */
	mk_revoke(&r, w->a1, "XA", w->a2->pk);
	REFUSE(w, &r, 0, "only by its State's root key or by itself");
	mk_dev(&r, "cosign", w->a1, "XA", 1, NULL, NULL);
	REFUSE(w, &r, DIR_CHECK_CHAIN, "revoked");
	rec_free(&m);
}

/* A certificate with "expires": good for envelopes logged up to that time,
 * refused after it; a certificate logged after its own expiry is refused,
 * and so is a malformed "expires". */
static void
test_expiry(void **state)
{
	struct world *w = *state;
	struct keypair *dev = keypair_new("XA", 1), *late = keypair_new("XA", 1);
	const int64_t T = 1800000000000LL;
	struct rec c, m;
	json_t *p;

	p = cert_payload("XA", dev, "technical", POP_GOOD);
	json_object_set_new(p, "expires", json_integer(T));
	build_json(&c, hdr_of("cert", "XA"), p, w->ra);
	assert_int_equal(dir_check(w->d, &c.e, 5, T - 1, 0), 0);
	dir_apply(w->d, &c.e, 5);
	assert_int_equal(dir_device(w->d, dev->pk)->expires, T);

	mk_dev(&m, "msg", dev, "XA", 1, NULL, rcpt_of(w->b1));
	assert_int_equal(dir_check(w->d, &m.e, 6, T, DIR_CHECK_CHAIN), 0);
	rs_seterr("none");
	assert_int_not_equal(dir_check(w->d, &m.e, 6, T + 1, DIR_CHECK_CHAIN), 0);
	assert_non_null(strstr(rs_err(), "expired"));
	rec_free(&m);
	/* Nor may anyone write to it once expired. */
	mk_dev(&m, "msg", w->b1, "XB", 1, NULL, rcpt_of(dev));
	assert_int_equal(dir_check(w->d, &m.e, 6, T, DIR_CHECK_CHAIN), 0);
	rs_seterr("none");
	assert_int_not_equal(dir_check(w->d, &m.e, 6, T + 1, DIR_CHECK_CHAIN), 0);
	assert_non_null(strstr(rs_err(), "recipient 0 is not a current device"));
	rec_free(&m);
	rec_free(&c);

	p = cert_payload("XA", late, "technical", POP_GOOD);
	json_object_set_new(p, "expires", json_integer(T));
	build_json(&c, hdr_of("cert", "XA"), p, w->ra);
	rs_seterr("none");
	assert_int_not_equal(dir_check(w->d, &c.e, 7, T + 1, 0), 0);
	assert_non_null(strstr(rs_err(), "expired"));
	rec_free(&c);

	p = cert_payload("XA", late, "technical", POP_GOOD);
	json_object_set_new(p, "expires", json_string("never"));
	build_json(&c, hdr_of("cert", "XA"), p, w->ra);
	rs_seterr("none");
	assert_int_not_equal(dir_check(w->d, &c.e, 7, 0, 0), 0);
	assert_non_null(strstr(rs_err(), "expires"));
	rec_free(&c);
	keypair_free(dev);
	keypair_free(late);
}

static void
test_unknown_kind(void **state)
{
	struct world *w = *state;
	const char *kinds[] = { "hello", "", "ADMIT", "Msg", "admit ", "cosigns", NULL };
	struct rec r;

	for (int i = 0; kinds[i] != NULL; i++) {
		/* Signed by the operator, a root and a device, with every field
		 * the others would need. */
		json_t *h = hdr_of(kinds[i], "XA");
		json_object_set_new(h, "seq", json_integer(1));
		json_object_set_new(h, "rcpt", rcpt_of(w->b1));
		rec_build(&r, h, "{}", w->a1);
		REFUSE(w, &r, DIR_CHECK_CHAIN, "unknown envelope kind");
		rec_build(&r, hdr_of(kinds[i], "XA"), "{}", w->op);
		REFUSE(w, &r, 0, "unknown envelope kind");
		rec_build(&r, hdr_of(kinds[i], "XA"), "{}", w->ra);
		REFUSE(w, &r, 0, "unknown envelope kind");
	}
	/* An unknown kind applied anyway changes nothing. */
	rec_build(&r, hdr_of("hello", "XA"), "{}", w->op);
	dir_apply(w->d, &r.e, w->next++);
	rec_free(&r);
	assert_int_equal(w->d->nroots, 2);
	assert_int_equal(w->d->ndevices, 3);
}

/* ---- structure ---------------------------------------------------------- */

static void
test_many_devices(void **state)
{
	struct world *w = *state;
	enum { N = 300 };
	struct keypair **k = xcalloc(N, sizeof(*k));
	struct rec r;

	/* Past several table growths; every device found, in log order. */
	for (int i = 0; i < N; i++) {
		k[i] = keypair_new("XA", 1);
		mk_cert(&r, w->ra, "XA", "XA", k[i], "technical", POP_GOOD);
		ACCEPT(w, &r, 0);
	}
	assert_int_equal(w->d->ndevices, N + 3);
	assert_true(w->d->tcap >= 2 * w->d->ndevices);
	for (int i = 0; i < N; i++) {
		struct dir_device *dev = dir_device(w->d, k[i]->pk);
		assert_non_null(dev);
		assert_ptr_equal(dev, w->d->devices[i + 3]);
		assert_int_equal(dev->cert_index, 5 + i);
	}
	assert_non_null(dir_device(w->d, w->a1->pk));
	/* Keys sharing their first eight bytes (the table's hash) are still
	 * told apart. */
	uint8_t near[32];
	memcpy(near, k[0]->pk, 32);
	near[31] ^= 1;
	assert_null(dir_device(w->d, near));
	for (int i = 0; i < N; i++)
		keypair_free(k[i]);
	free(k);
}

/* ---- a second root key (protocol.md section 2) --------------------------- */

static void
mk_endorse(struct rec *r, const struct keypair *signer, const char *state,
    const uint8_t root[32], int accept)
{
	build_json(r, hdr_of("endorse", state), json_pack("{s:o,s:b}", "root_key",
	    jhex(root, 32), "accept", accept), signer);
}

/* Checks r at the next index and, when allowed, applies it there. */
static int
at_next(struct world *w, struct rec *r)
{
	int rc = dir_check(w->d, &r->e, w->next, 0, DIR_CHECK_CHAIN);

	if (rc == 0)
		dir_apply(w->d, &r->e, w->next++);
	return rc;
}

/* The operator admits a second root key for XA and certifies a device
 * under it: the key is unendorsed, its device unconfirmed, XA contested,
 * and the key cannot revoke XA's own POCs.  Only XA's endorsed key decides:
 * disowned, the key's devices stop being current from that index on. */
static void
test_second_root_disowned(void **state)
{
	struct world *w = *state;
	struct keypair *ra2 = keypair_new("XA", 0), *x1 = keypair_new("XA", 1);
	struct keypair *x2 = keypair_new("XA", 1);
	struct rec r, m;
	int64_t disowned;

	assert_false(dir_state_contested(w->d, "XA"));
	mk_admit(&r, w->op, "XA", "XA", ra2->pk);
	assert_int_equal(at_next(w, &r), 0);
	rec_free(&r);
	assert_int_equal(dir_root_of(w->d, w->ra->pk)->status, ROOT_ENDORSED);
	assert_int_equal(dir_root_of(w->d, ra2->pk)->status, ROOT_UNENDORSED);
	assert_true(dir_state_contested(w->d, "XA"));
	assert_false(dir_state_contested(w->d, "XB"));
	mk_cert(&r, ra2, "XA", "XA", x1, "technical", POP_GOOD);
	assert_int_equal(at_next(w, &r), 0);
	rec_free(&r);
	assert_true(dir_device_unconfirmed(w->d, x1->pk));
	assert_false(dir_device_unconfirmed(w->d, w->a1->pk));
	assert_false(dir_device_unconfirmed(w->d, w->b1->pk));
	assert_true(dir_device_current(w->d, x1->pk, w->next));
	/* Its device writes, for now. */
	mk_dev(&m, "msg", x1, "XA", 1, NULL, rcpt_of(w->b1));
	assert_int_equal(dir_check(w->d, &m.e, w->next, 0, DIR_CHECK_CHAIN), 0);
	/* It may revoke its own device, not XA's POCs. */
	mk_revoke(&r, ra2, "XA", w->a1->pk);
	REFUSE(w, &r, 0, "may revoke only the devices it certified");
	mk_revoke(&r, ra2, "XA", x1->pk);
	assert_int_equal(dir_check(w->d, &r.e, w->next, 0, 0), 0);
	rec_free(&r);
	/* Only an endorsed root key of XA decides. */
	mk_endorse(&r, ra2, "XA", ra2->pk, 1);
	REFUSE(w, &r, 0, "signed by an endorsed root key of XA");
	mk_endorse(&r, w->rb, "XA", ra2->pk, 1);
	REFUSE(w, &r, 0, "signed by an endorsed root key of XA");
	mk_endorse(&r, w->rb, "XB", ra2->pk, 1);
	REFUSE(w, &r, 0, "names no root key of XB");
	mk_endorse(&r, w->ra, "XA", w->rb->pk, 0);
	REFUSE(w, &r, 0, "names no root key of XA");
	mk_endorse(&r, w->ra, "XA", w->ra->pk, 1);
	REFUSE(w, &r, 0, "already endorsed");
	build_json(&r, hdr_of("endorse", "XA"), json_pack("{s:o,s:s}", "root_key",
	    jhex(ra2->pk, 32), "accept", "yes"), w->ra);
	REFUSE(w, &r, 0, "\"accept\"");
	/* XA disowns it. */
	mk_endorse(&r, w->ra, "XA", ra2->pk, 0);
	disowned = w->next;
	assert_int_equal(at_next(w, &r), 0);
	rec_free(&r);
	assert_int_equal(dir_root_of(w->d, ra2->pk)->status, ROOT_DISOWNED);
	assert_false(dir_state_contested(w->d, "XA"));
	assert_false(dir_device_current(w->d, x1->pk, w->next));
	assert_true(dir_device_current(w->d, x1->pk, disowned));
	/* Its device's envelopes are refused after, not before. */
	refuse(w, &m, DIR_CHECK_CHAIN, "disowned at log index");
	assert_int_equal(dir_check(w->d, &m.e, disowned, 0, DIR_CHECK_CHAIN), 0);
	rec_free(&m);
	mk_dev(&m, "msg", w->a1, "XA", 1, NULL, rcpt_of(x1));
	REFUSE(w, &m, DIR_CHECK_CHAIN, "recipient 0 is not a current device");
	/* It certifies and revokes nothing more, and cannot come back. */
	mk_cert(&r, ra2, "XA", "XA", x2, "technical", POP_GOOD);
	REFUSE(w, &r, 0, "not signed by an admitted root key");
	mk_revoke(&r, ra2, "XA", x1->pk);
	REFUSE(w, &r, 0, "root key or by itself");
	mk_endorse(&r, w->ra, "XA", ra2->pk, 1);
	REFUSE(w, &r, 0, "disowned, for good");
	mk_admit(&r, w->op, "XA", "XA", ra2->pk);
	REFUSE(w, &r, 0, "already admitted");
	keypair_free(ra2);
	keypair_free(x1);
	keypair_free(x2);
}

/* Endorsed, the second key is XA's like the first: its devices confirmed,
 * it revokes and endorses as the first does. */
static void
test_second_root_endorsed(void **state)
{
	struct world *w = *state;
	struct keypair *ra2 = keypair_new("XA", 0), *ra3 = keypair_new("XA", 0);
	struct keypair *x1 = keypair_new("XA", 1);
	struct rec r;

	mk_admit(&r, w->op, "XA", "XA", ra2->pk);
	assert_int_equal(at_next(w, &r), 0);
	rec_free(&r);
	mk_cert(&r, ra2, "XA", "XA", x1, "technical", POP_GOOD);
	assert_int_equal(at_next(w, &r), 0);
	rec_free(&r);
	mk_endorse(&r, w->ra, "XA", ra2->pk, 1);
	assert_int_equal(at_next(w, &r), 0);
	rec_free(&r);
	assert_int_equal(dir_root_of(w->d, ra2->pk)->status, ROOT_ENDORSED);
	assert_false(dir_state_contested(w->d, "XA"));
	assert_false(dir_device_unconfirmed(w->d, x1->pk));
	mk_revoke(&r, ra2, "XA", w->a2->pk);
	assert_int_equal(dir_check(w->d, &r.e, w->next, 0, 0), 0);
	rec_free(&r);
	/* A third, decided by the second. */
	mk_admit(&r, w->op, "XA", "XA", ra3->pk);
	assert_int_equal(at_next(w, &r), 0);
	rec_free(&r);
	assert_true(dir_state_contested(w->d, "XA"));
	mk_endorse(&r, ra2, "XA", ra3->pk, 1);
	assert_int_equal(at_next(w, &r), 0);
	rec_free(&r);
	assert_false(dir_state_contested(w->d, "XA"));
	keypair_free(ra2);
	keypair_free(ra3);
	keypair_free(x1);
}

static void
test_pop_message_and_roles(void **state)
{
	uint8_t dev[32], box[32];
	struct buf m = {0};

	memset(dev, 0xab, 32);
	memset(box, 0x01, 32);
	dir_pop_message(&m, "XA", dev, box);
	assert_string_equal(buf_cstr(&m),
	    "roster-cert-request-v1\nXA\n"
	    "abababababababababababababababababababababababababababababababab\n"
	    "0101010101010101010101010101010101010101010101010101010101010101\n");
	buf_free(&m);
	assert_true(dir_valid_role("diplomatic"));
	assert_true(dir_valid_role("technical"));
	assert_true(dir_valid_role("alternate"));
	assert_false(dir_valid_role("operator"));
	assert_false(dir_valid_role(""));
	assert_false(dir_valid_role(NULL));
}

/* ---- group -------------------------------------------------------------- */

static void
mk_group(struct rec *r, const struct keypair *signer, json_t *payload)
{
	build_json(r, hdr_of("group", NULL), payload, signer);
}

static void
test_group(void **state)
{
	struct world *w = *state;
	struct rec r;
	struct dir_group *g;

	assert_null(dir_group(w->d, "asean"));
	/* Only the operator defines groups. */
	mk_group(&r, w->ra, json_pack("{s:s,s:[s,s]}", "name", "forum", "states", "XA", "XB"));
	REFUSE(w, &r, 0, "only the operator");
	mk_group(&r, w->a1, json_pack("{s:s,s:[s]}", "name", "forum", "states", "XA"));
	REFUSE(w, &r, 0, "only the operator");
	/* Bad names, members and titles. */
	mk_group(&r, w->op, json_pack("{s:s,s:[s]}", "name", "Forum", "states", "XA"));
	REFUSE(w, &r, 0, "lower-case");
	mk_group(&r, w->op, json_pack("{s:s,s:[s]}", "name", "", "states", "XA"));
	REFUSE(w, &r, 0, "lower-case");
	mk_group(&r, w->op, json_pack("{s:s,s:[s]}", "name", "-x", "states", "XA"));
	REFUSE(w, &r, 0, "lower-case");
	mk_group(&r, w->op, json_pack("{s:s,s:[s]}", "name",
	    "a-name-that-is-far-too-long-for-a-group", "states", "XA"));
	REFUSE(w, &r, 0, "lower-case");
	mk_group(&r, w->op, json_pack("{s:s,s:[s]}", "name", "forum", "states", "xa"));
	REFUSE(w, &r, 0, "member 0 is not a State code");
	mk_group(&r, w->op, json_pack("{s:s,s:[s,s]}", "name", "forum", "states", "XA", "XA"));
	REFUSE(w, &r, 0, "listed twice");
	mk_group(&r, w->op, json_pack("{s:s,s:s}", "name", "forum", "states", "XA"));
	REFUSE(w, &r, 0, "\"states\" must be a list of strings");
	mk_group(&r, w->op, json_pack("{s:s}", "name", "forum"));
	REFUSE(w, &r, 0, "missing field \"states\"");
	mk_group(&r, w->op, json_pack("{s:s,s:[s],s:s}", "name", "forum", "states", "XA",
	    "title", "Forum"));
	REFUSE(w, &r, 0, "language: text");
	mk_group(&r, w->op, json_pack("{s:s,s:[s],s:{s:i}}", "name", "forum", "states", "XA",
	    "title", "en", 1));
	REFUSE(w, &r, 0, "\"title\" must be an object of language: text");
	rec_build(&r, hdr_of("group", NULL), "not json", w->op);
	REFUSE(w, &r, 0, "JSON");

	/* Defined, changed, dissolved: the latest record wins. */
	mk_group(&r, w->op, json_pack("{s:s,s:[s,s],s:{s:s,s:s}}", "name", "forum",
	    "states", "XA", "XB", "title", "en", "Forum", "fr", "Forum"));
	ACCEPT(w, &r, 0);
	assert_non_null(g = dir_group(w->d, "forum"));
	assert_int_equal(g->nstates, 2);
	assert_true(dir_group_has(g, "XB"));
	assert_false(dir_group_has(g, "XC"));
	assert_string_equal(jstr(g->title, "fr"), "Forum");
	mk_group(&r, w->op, json_pack("{s:s,s:[s,s]}", "name", "forum", "states", "XB", "XC"));
	ACCEPT(w, &r, 0);
	assert_non_null(g = dir_group(w->d, "forum"));
	assert_false(dir_group_has(g, "XA"));
	assert_true(dir_group_has(g, "XC"));
	assert_null(g->title);
	assert_int_equal(w->d->ngroups, 1);
	mk_group(&r, w->op, json_pack("{s:s,s:[]}", "name", "forum", "states"));
	ACCEPT(w, &r, 0);
	assert_null(dir_group(w->d, "forum"));
	assert_true(dir_public_kind("group"));
	assert_false(dir_public_kind("msg"));
}

/* ---- communication checks (lib/checkrec.c) ------------------------------- */

#define CT 1763820000000LL	/* the log time the checks are tried at */

/* A check header: to (stolen), rcpt (stolen), deadline (0: none). */
static void
mk_check(struct rec *r, const struct keypair *signer, const char *state,
    int64_t seq, json_t *to, json_t *rcpt, int64_t deadline, const char *payload)
{
	json_t *h = hdr_of("check", state);
	char *p = payload == NULL ? checkrec_payload(NULL, NULL) : NULL;

	if (seq != 0)
		json_object_set_new(h, "seq", json_integer(seq));
	json_object_set_new(h, "to", to);
	json_object_set_new(h, "rcpt", rcpt);
	if (deadline != 0)
		json_object_set_new(h, "deadline", json_integer(deadline));
	rec_build(r, h, payload != NULL ? payload : p, signer);
	free(p);
}

static void
check_refused(struct world *w, struct rec *r, const char *needle)
{
	rs_seterr("none");
	if (dir_check(w->d, &r->e, w->next, CT, DIR_CHECK_CHAIN) == 0)
		fail_msg("check accepted, expected a refusal mentioning \"%s\"", needle);
	if (strstr(rs_err(), needle) == NULL)
		fail_msg("check: error \"%s\" does not mention \"%s\"", rs_err(), needle);
	rec_free(r);
}

static void
check_accepted(struct world *w, struct rec *r)
{
	if (dir_check(w->d, &r->e, w->next, CT, DIR_CHECK_CHAIN) != 0)
		fail_msg("%s refused: %s", r->e.kind, rs_err());
	dir_apply(w->d, &r->e, w->next++);
	rec_free(r);
}

static json_t *
two(const struct keypair *a, const struct keypair *b)
{
	return json_pack("[o,o]", jhex(a->pk, 32), jhex(b->pk, 32));
}

static void
test_check(void **state)
{
	struct world *w = *state;
	struct keypair *stranger = keypair_new("XA", 1);
	int64_t hour = CT + 3600000;
	struct rec r;
	json_t *h;

	/* the operator's check, unnumbered */
	mk_check(&r, w->op, NULL, 0, json_pack("[s,s]", "XA", "XB"), two(w->a1, w->b1),
	    hour, NULL);
	assert_true(checkrec_is_answer(&r.e) == 0);
	check_accepted(w, &r);
	mk_check(&r, w->op, NULL, 3, json_pack("[s,s]", "XA", "XB"), two(w->a1, w->b1),
	    hour, NULL);
	check_refused(w, &r, "not numbered");
	mk_check(&r, w->op, NULL, 0, json_pack("[s,s]", "XA", "XB"), two(w->a1, w->b1),
	    CT, NULL);
	check_refused(w, &r, "already past");
	mk_check(&r, w->op, NULL, 0, json_pack("[s,s]", "XA", "XB"), two(w->a1, w->b1),
	    CT + 367 * 86400000LL, NULL);
	check_refused(w, &r, "366 days");
	mk_check(&r, w->op, NULL, 0, json_pack("[s,s]", "XA", "XB"), two(w->a1, w->b1),
	    0, NULL);
	check_refused(w, &r, "deadline");
	mk_check(&r, w->op, NULL, 0, json_pack("[s]", "XA"), two(w->a1, w->b1), hour, NULL);
	check_refused(w, &r, "does not name");
	mk_check(&r, w->op, NULL, 0, json_pack("[s]", "XA"), two(w->a1, stranger), hour, NULL);
	check_refused(w, &r, "not a current device");
	mk_check(&r, w->op, NULL, 0, json_pack("[s]", "XA"), json_array(), hour, NULL);
	check_refused(w, &r, "audience");
	json_t *many = json_array();
	for (int i = 0; i < CHECK_MAX_AUDIENCE + 1; i++)
		json_array_append_new(many, jhex(w->a1->pk, 32));
	mk_check(&r, w->op, NULL, 0, json_pack("[s]", "XA"), many, hour, NULL);
	check_refused(w, &r, "1 to 900");
	mk_check(&r, w->op, NULL, 0, json_array(), rcpt_of(w->a1), hour, NULL);
	check_refused(w, &r, "\"to\"");
	mk_check(&r, w->op, NULL, 0, json_pack("[s]", "XA"), rcpt_of(w->a1), hour, "ping");
	check_refused(w, &r, "JSON");
	mk_check(&r, w->op, NULL, 0, json_pack("[s]", "XA"), rcpt_of(w->a1), hour,
	    "{\"text\":\"hello\"}");
	check_refused(w, &r, "text");
	/* a State's check: a current device, numbered and chained */
	mk_check(&r, w->a1, "XA", 1, json_pack("[s]", "XB"), rcpt_of(w->b1), hour, NULL);
	check_accepted(w, &r);
	mk_check(&r, w->a1, "XA", 1, json_pack("[s]", "XB"), rcpt_of(w->b1), hour, NULL);
	check_refused(w, &r, "out of order");
	mk_check(&r, w->a2, "XB", 1, json_pack("[s]", "XB"), rcpt_of(w->b1), hour, NULL);
	check_refused(w, &r, "signer is a device of XA");
	mk_check(&r, w->ra, "XA", 0, json_pack("[s]", "XB"), rcpt_of(w->b1), hour, NULL);
	check_refused(w, &r, "not a certified device");
	mk_check(&r, stranger, "XA", 1, json_pack("[s]", "XB"), rcpt_of(w->b1), hour, NULL);
	check_refused(w, &r, "not a certified device");

	/* answers: an ack with "check": true and no recipient */
	uint8_t id[32];
	memset(id, 7, 32);
	h = checkrec_answer_header(id);
	json_object_set_new(h, "state", json_string("XB"));
	json_object_set_new(h, "seq", json_integer(1));
	rec_build(&r, h, "{}", w->b1);
	assert_true(checkrec_is_answer(&r.e));
	check_accepted(w, &r);
	h = checkrec_answer_header(id);
	json_object_set_new(h, "state", json_string("XB"));
	json_object_set_new(h, "seq", json_integer(2));
	json_object_set_new(h, "prev", jhex(dir_device(w->d, w->b1->pk)->last_id, 32));
	json_array_append_new(json_object_get(h, "rcpt"), jhex(w->a1->pk, 32));
	rec_build(&r, h, "{}", w->b1);
	check_refused(w, &r, "must be empty");
	mk_dev(&r, "ack", w->b1, "XB", 2, dir_device(w->d, w->b1->pk)->last_id, json_array());
	check_refused(w, &r, "recipient");
	keypair_free(stranger);
}

/* A well-formed process record of kind (docs/protocol.md section 10), so
 * that only its signer is in question; seq 0 leaves seq out. */
static void
mk_proc(struct rec *r, const char *kind, const struct keypair *signer,
    const char *state, int64_t seq)
{
	json_t *h = hdr_of(kind, state), *p;
	char ref[65], sha[65];

	memset(ref, 'a', 64);
	ref[64] = '\0';
	memset(sha, 'b', 64);
	sha[64] = '\0';
	if (seq != 0)
		json_object_set_new(h, "seq", json_integer(seq));
	if (strcmp(kind, "body") == 0) {
		json_object_set_new(h, "body", json_string("oewg"));
		p = json_pack("{s:s,s:s}", "chair", "XA", "members", "all");
	} else if (strcmp(kind, "body-rules") == 0) {
		json_object_set_new(h, "body", json_string("oewg"));
		p = json_pack("{s:s}", "chair", "XB");
	} else if (strcmp(kind, "application") == 0) {
		json_object_set_new(h, "body", json_string("oewg"));
		json_object_set_new(h, "ecosoc", json_true());
		p = json_pack("{s:s}", "name", "An organisation");
	} else if (strcmp(kind, "meeting") == 0) {
		json_object_set_new(h, "body", json_string("oewg"));
		json_object_set_new(h, "start", json_integer(CT + 86400000LL));
		json_object_set_new(h, "end", json_integer(CT + 2 * 86400000LL));
		p = json_pack("{s:{s:s}}", "title", "en", "Session");
	} else if (strcmp(kind, "paper-lang") == 0) {
		json_object_set_new(h, "paper", json_string(ref));
		json_object_set_new(h, "audience", json_string("public"));
		json_object_set_new(h, "files", json_pack("[{s:s,s:s,s:I}]", "lang",
		    "fr", "sha256", sha, "size", (json_int_t)blob_cipher_size(10)));
		p = json_pack("{s:[{s:s,s:s,s:s,s:s}]}", "files", "name", "fr.pdf",
		    "type", "application/pdf", "key",
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "header",
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	} else if (strcmp(kind, "proposal") == 0) {
		json_object_set_new(h, "body", json_string("oewg"));
		json_object_set_new(h, "audience", json_string("public"));
		json_object_set_new(h, "lang", json_string("en"));
		p = json_pack("{s:{s:s}}", "text", "en", "We agree.");
	} else if (strcmp(kind, "position") == 0) {
		json_object_set_new(h, "ref", json_string(ref));
		json_object_set_new(h, "stance", json_string("object"));
		p = json_object();
	} else {
		assert_string_equal(kind, "withdraw");
		json_object_set_new(h, "ref", json_string(ref));
		p = json_object();
	}
	build_json(r, h, p, signer);
	assert_int_equal(kind_validate(&r->e, world_operator->pk), KIND_VALID);
}

/* ---- stakeholders' devices ---------------------------------------------- */

/* A stakeholder's certificate: signed by signer, for state, with role and
 * (when app is not NULL) the application it names. */
static void
mk_stakeholder(struct rec *r, const struct keypair *signer, const char *state,
    const struct keypair *dev, const char *role, const char *app)
{
	json_t *p = cert_payload(state, dev, role, POP_GOOD);

	if (app != NULL)
		json_object_set_new(p, "stakeholder", json_string(app));
	build_json(r, hdr_of("cert", state), p, signer);
}

static void
test_stakeholder_cert(void **state)
{
	struct world *w = *state;
	struct keypair *sh = keypair_new("ZZ", 1), *rz = keypair_new("ZZ", 0);
	char app[65];
	struct rec r;

	memset(app, 'a', 64);
	app[64] = '\0';
	/* ZZ is nobody's State: no root key, no group member. */
	mk_admit(&r, w->op, "ZZ", "ZZ", rz->pk);
	REFUSE(w, &r, 0, "kept for stakeholders");
	mk_group(&r, w->op, json_pack("{s:s,s:[s,s]}", "name", "forum", "states",
	    "XA", "ZZ"));
	REFUSE(w, &r, 0, "member 1 is not a State code");
	/* Only the operator certifies one, with role stakeholder, State ZZ
	 * and an application; and the operator certifies nothing else. */
	mk_stakeholder(&r, w->ra, "ZZ", sh, "stakeholder", app);
	REFUSE(w, &r, 0, "not signed by an admitted root key of ZZ");
	mk_stakeholder(&r, w->ra, "XA", sh, "stakeholder", app);
	REFUSE(w, &r, 0, "unknown role");
	mk_stakeholder(&r, w->ra, "XA", sh, "technical", app);
	REFUSE(w, &r, 0, "only the operator certifies a stakeholder");
	mk_stakeholder(&r, w->op, "XA", sh, "technical", NULL);
	REFUSE(w, &r, 0, "only stakeholders' devices");
	mk_stakeholder(&r, w->op, "ZZ", sh, "technical", app);
	REFUSE(w, &r, 0, "only stakeholders' devices");
	mk_stakeholder(&r, w->op, "ZZ", sh, "stakeholder", NULL);
	REFUSE(w, &r, 0, "names its application");
	mk_stakeholder(&r, w->op, "ZZ", sh, "stakeholder", "1234");
	REFUSE(w, &r, 0, "\"stakeholder\"");
	mk_stakeholder(&r, w->op, "ZZ", sh, "stakeholder", app);
	assert_int_equal(dir_stakeholder_cert(&r.e, (uint8_t[32]){0}), 1);
	ACCEPT(w, &r, 0);
	assert_true(dir_is_stakeholder(dir_device(w->d, sh->pk)));
	assert_false(dir_is_stakeholder(dir_device(w->d, w->a1->pk)));
	mk_cert(&r, w->ra, "XA", "XA", rz, "technical", POP_GOOD);
	assert_int_equal(dir_stakeholder_cert(&r.e, (uint8_t[32]){0}), 0);
	rec_free(&r);

	/* It signs none of a State's kinds, and receives nothing. */
	mk_dev(&r, "msg", sh, "ZZ", 1, NULL, rcpt_of(w->b1));
	REFUSE(w, &r, DIR_CHECK_CHAIN, "stakeholder's device does not sign a msg");
	mk_dev(&r, "cosign", sh, "ZZ", 1, NULL, NULL);
	REFUSE(w, &r, DIR_CHECK_CHAIN, "does not sign a cosign");
	mk_proc(&r, "proposal", sh, "ZZ", 1);
	REFUSE(w, &r, DIR_CHECK_CHAIN, "does not sign a proposal");
	mk_dev(&r, "msg", w->a1, "XA", 1, NULL, rcpt_of(sh));
	REFUSE(w, &r, DIR_CHECK_CHAIN, "stakeholder's device, which receives");
	mk_check(&r, w->op, NULL, 0, json_pack("[s]", "ZZ"), rcpt_of(sh),
	    CT + 3600000, NULL);
	check_refused(w, &r, "not a State code");

	/* Revoked by itself or by the operator, not by a State's root. */
	mk_revoke(&r, w->ra, "ZZ", sh->pk);
	REFUSE(w, &r, 0, "only by the operator or by itself");
	mk_revoke(&r, w->op, "ZZ", sh->pk);
	ACCEPT(w, &r, 0);
	assert_false(dir_device_current(w->d, sh->pk, w->next));
	/* and the operator revokes no State's device */
	mk_revoke(&r, w->op, "XA", w->a1->pk);
	REFUSE(w, &r, 0, "only by its State's root key or by itself");
	keypair_free(sh);
	keypair_free(rz);
}

/* The process's kinds pass the directory on their signer alone (their own
 * rules are lib/process.c's): the operator where the kind's row allows it,
 * unnumbered; a device under the device rules, numbered and chained. */
static void
test_process_signers(void **state)
{
	struct world *w = *state;
	struct rec r;
	struct keypair *stranger = keypair_new("XA", 1);
	const char *by_operator_only[] = { "body", "body-rules", "application", NULL };
	const char *by_device_only[] = { "proposal", "position", NULL };
	const char *by_either[] = { "meeting", "paper-lang", "withdraw", NULL };

	for (int i = 0; by_operator_only[i] != NULL; i++) {
		mk_proc(&r, by_operator_only[i], w->a1, "XA", 1);
		REFUSE(w, &r, DIR_CHECK_CHAIN, "signed by the operator only");
		mk_proc(&r, by_operator_only[i], w->op, NULL, 1);
		REFUSE(w, &r, 0, "not numbered");
		mk_proc(&r, by_operator_only[i], w->op, NULL, 0);
		assert_int_equal(dir_check(w->d, &r.e, w->next, CT, DIR_CHECK_CHAIN), 0);
		rec_free(&r);
	}
	for (int i = 0; by_device_only[i] != NULL; i++) {
		mk_proc(&r, by_device_only[i], w->op, NULL, 0);
		REFUSE(w, &r, 0, "the operator does not sign");
		/* a gap in the chain, another State's name, a stranger */
		mk_proc(&r, by_device_only[i], w->a1, "XA", 2);
		REFUSE(w, &r, DIR_CHECK_CHAIN, "out of order");
		mk_proc(&r, by_device_only[i], w->a1, "XB", 1);
		REFUSE(w, &r, DIR_CHECK_CHAIN, "not XB");
		mk_proc(&r, by_device_only[i], stranger, "XA", 1);
		REFUSE(w, &r, DIR_CHECK_CHAIN, "not a certified device");
		mk_proc(&r, by_device_only[i], w->a1, "XA", 1);
		assert_int_equal(dir_check(w->d, &r.e, w->next, CT, DIR_CHECK_CHAIN), 0);
		rec_free(&r);
	}
	for (int i = 0; by_either[i] != NULL; i++) {
		mk_proc(&r, by_either[i], w->op, NULL, 2);
		REFUSE(w, &r, 0, "not numbered");
		mk_proc(&r, by_either[i], w->a1, "XA", 2);
		REFUSE(w, &r, DIR_CHECK_CHAIN, "out of order");
		mk_proc(&r, by_either[i], w->op, NULL, 0);
		assert_int_equal(dir_check(w->d, &r.e, w->next, CT, DIR_CHECK_CHAIN), 0);
		rec_free(&r);
		mk_proc(&r, by_either[i], w->b1, "XB", 1);
		assert_int_equal(dir_check(w->d, &r.e, w->next, CT, DIR_CHECK_CHAIN), 0);
		rec_free(&r);
	}
	keypair_free(stranger);
}

#define W(t) cmocka_unit_test_setup_teardown(t, setup_world, teardown_world)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		W(test_admit),
		W(test_cert),
		W(test_revoke),
		W(test_chain),
		W(test_device_rules),
		W(test_revoked_signer_at_index),
		W(test_expiry),
		W(test_unknown_kind),
		W(test_many_devices),
		W(test_group),
		W(test_check),
		W(test_stakeholder_cert),
		W(test_process_signers),
		W(test_second_root_disowned),
		W(test_second_root_endorsed),
		cmocka_unit_test(test_pop_message_and_roles),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
