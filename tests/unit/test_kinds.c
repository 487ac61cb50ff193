/*
 * test_kinds.c - the table of kinds (lib/kinds.c): names, what is public,
 * payload limits and the exact shapes of public payloads.
 *
 * What it tries to break: promise 9 (no participant degrades the others)
 * and the classification promise 8 rests on.  Each limit is tried at the
 * limit and one byte over; each public shape with a field missing, a field
 * of the wrong type, a field too many, and garbage; a cosign with a 15 MB
 * random payload (the attack) and with a checkpoint signed by
 * another key; an answer whose payload is not exactly {}.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "checkrec.h"
#include "directory.h"
#include "envelope.h"
#include "jsonutil.h"
#include "keys.h"
#include "kinds.h"
#include "statement.h"
#include "util.h"

static struct keypair *op, *dev;

struct rec {
	struct buf raw;
	struct envelope e;
};

static void
rec_make(struct rec *r, const char *kind, json_t *extra, const void *payload,
    size_t len, const struct keypair *k)
{
	json_t *h = json_pack("{s:s,s:s}", "kind", kind, "state", "XA");

	if (extra != NULL) {
		json_object_update(h, extra);
		json_decref(extra);
	}
	memset(r, 0, sizeof(*r));
	assert_int_equal(env_build(&r->raw, h, payload, len, k->pk, k->sk), 0);
	json_decref(h);
	assert_int_equal(env_parse(&r->e, r->raw.p, r->raw.len), 0);
}

static void
rec_json(struct rec *r, const char *kind, json_t *extra, json_t *payload)
{
	char *t = jdump(payload);

	rec_make(r, kind, extra, t, strlen(t), dev);
	free(t);
	json_decref(payload);
}

static void
rec_free(struct rec *r)
{
	env_free(&r->e);
	buf_free(&r->raw);
}

static enum kind_verdict
verdict_of(struct rec *r)
{
	enum kind_verdict v = kind_validate(&r->e, op->pk);

	rec_free(r);
	return v;
}

static json_t *
checkpoint_payload(const struct keypair *signer)
{
	uint8_t root[32];
	struct checkpoint c;
	json_t *j;

	memset(root, 7, sizeof(root));
	checkpoint_make(&c, "hub", 12, root, 1763820000000LL, 3, root, signer->sk);
	j = checkpoint_json(&c);
	checkpoint_free(&c);
	return j;
}

static void
test_names(void **state)
{
	const char *bad[] = { "", "Msg", "ADMIT", "admit ", "cosigns", "x", NULL };

	for (int k = 1; k < KIND_COUNT; k++) {
		const struct kind_info *ki = kind_info((enum kind)k);
		assert_non_null(ki);
		assert_int_equal(ki->id, k);
		assert_int_equal(kind_from_name(ki->name), k);
		assert_true(ki->max_payload > 0);
		assert_true(ki->signers != 0);
		/* A public kind has a shape (a field list, or the process's
		 * parser); mail is sealed and has none. */
		assert_int_equal(ki->fields != NULL || ki->shape != NULL,
		    (ki->flags & KIND_PUBLIC) != 0);
		assert_false(ki->fields != NULL && ki->shape != NULL);
	}
	for (int i = 0; bad[i] != NULL; i++)
		assert_int_equal(kind_from_name(bad[i]), KIND_UNKNOWN);
	assert_int_equal(kind_from_name(NULL), KIND_UNKNOWN);
	assert_null(kind_info(KIND_UNKNOWN));
	assert_null(kind_info(KIND_COUNT));
	assert_false(kind_has(KIND_UNKNOWN, KIND_PUBLIC));
}

static void
test_public(void **state)
{
	static const struct {
		const char *kind;
		int pub;
	} want[] = {
		{ "admit", 1 }, { "cert", 1 }, { "revoke", 1 }, { "group", 1 },
		{ "cosign", 1 }, { "check", 1 }, { "endorse", 1 }, { "msg", 0 },
		{ "ack", 0 },
		/* the process: every kind, sealed payloads included */
		{ "body", 1 }, { "body-rules", 1 }, { "meeting", 1 }, { "paper", 1 },
		{ "paper-lang", 1 }, { "proposal", 1 }, { "position", 1 },
		{ "withdraw", 1 }, { "application", 1 }, { "contribution", 1 },
		/* the registries: every kind, sealed reports and lists included */
		{ "norm", 1 }, { "norm-version", 1 }, { "cosponsor", 1 },
		{ "checklist", 1 }, { "report", 1 }, { "cii", 1 }, { "term", 1 },
		{ "definition", 1 }, { "translation", 1 }, { "cb-request", 1 },
		{ "cb-offer", 1 }, { "cb-step", 1 },
	};
	struct rec r;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		rec_make(&r, want[i].kind, NULL, "{}", 2, dev);
		assert_int_equal(record_is_public(&r.e), want[i].pub);
		rec_free(&r);
	}
	/* An ack is public exactly when "check" is true. */
	rec_make(&r, "ack", json_pack("{s:b}", "check", 1), "{}", 2, dev);
	assert_true(record_is_public(&r.e));
	rec_free(&r);
	rec_make(&r, "ack", json_pack("{s:b}", "check", 0), "{}", 2, dev);
	assert_false(record_is_public(&r.e));
	rec_free(&r);
	rec_make(&r, "ack", json_pack("{s:s}", "check", "true"), "{}", 2, dev);
	assert_false(record_is_public(&r.e));
	rec_free(&r);
	rec_make(&r, "hello", NULL, "{}", 2, dev);
	assert_false(record_is_public(&r.e));
	assert_int_equal(kind_validate(&r.e, op->pk), KIND_NOT_A_KIND);
	rec_free(&r);
}

/* Every kind's limit: at the limit passes the size test, one byte more is
 * KIND_TOO_LARGE whatever the bytes. */
static void
test_limits(void **state)
{
	static const struct {
		const char *kind;
		size_t max;
	} want[] = {
		{ "msg", 1048576 }, { "ack", 16384 }, { "cosign", 4096 },
		{ "check", 32768 }, { "admit", 16384 }, { "cert", 16384 },
		{ "revoke", 16384 }, { "group", 16384 }, { "endorse", 16384 },
		/* docs/protocol.md section 10 */
		{ "body", 16384 }, { "body-rules", 16384 }, { "meeting", 16384 },
		{ "paper", 262144 }, { "paper-lang", 262144 }, { "proposal", 1048576 },
		{ "position", 131072 }, { "withdraw", 1024 }, { "application", 32768 },
		{ "contribution", 65536 },
		/* section 11 */
		{ "norm", 131072 }, { "norm-version", 131072 }, { "cosponsor", 1024 },
		{ "checklist", 262144 }, { "report", 1048576 }, { "cii", 524288 },
		{ "term", 65536 }, { "definition", 131072 }, { "translation", 131072 },
		{ "cb-request", 262144 }, { "cb-offer", 262144 }, { "cb-step", 1024 },
	};
	struct rec r;
	uint8_t *big = xcalloc(1, 1048577);

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct kind_info *ki = kind_info(kind_from_name(want[i].kind));
		assert_int_equal(ki->max_payload, want[i].max);
		rec_make(&r, want[i].kind, NULL, big, want[i].max + 1, dev);
		assert_int_equal(verdict_of(&r), KIND_TOO_LARGE);
		assert_non_null(strstr(rs_err(), want[i].kind));
		rec_make(&r, want[i].kind, NULL, big, want[i].max, dev);
		/* Mail at the limit is valid; a public kind's zeros are not JSON. */
		assert_int_equal(verdict_of(&r), (ki->flags & KIND_PUBLIC) == 0 ?
		    KIND_VALID : KIND_BAD_PAYLOAD);
	}
	free(big);
}

/* The attack: a 15 MB random cosign, and a 15 MB check answer. */
static void
test_flood_payloads(void **state)
{
	size_t len = 15u << 20;
	uint8_t *junk = xmalloc(len);
	struct rec r;

	randombytes_buf(junk, len);
	rec_make(&r, "cosign", NULL, junk, len, dev);
	assert_int_equal(verdict_of(&r), KIND_TOO_LARGE);
	rec_make(&r, "ack", json_pack("{s:b}", "check", 1), junk, len, dev);
	assert_int_equal(verdict_of(&r), KIND_TOO_LARGE);
	/* Random bytes under the limit are no cosign either. */
	rec_make(&r, "cosign", NULL, junk, 4000, dev);
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	free(junk);
}

static void
test_cosign_shape(void **state)
{
	struct keypair *other = keypair_new(NULL, 0);
	struct rec r;
	json_t *p;

	rec_json(&r, "cosign", NULL, checkpoint_payload(op));
	assert_int_equal(verdict_of(&r), KIND_VALID);
	/* Signed by another key than the operator's. */
	rec_json(&r, "cosign", NULL, checkpoint_payload(other));
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	assert_non_null(strstr(rs_err(), "operator"));
	/* A field too many. */
	p = checkpoint_payload(op);
	json_object_set_new(p, "note", json_string("hello"));
	rec_json(&r, "cosign", NULL, p);
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	assert_non_null(strstr(rs_err(), "\"note\""));
	/* A field missing, or of the wrong type. */
	p = checkpoint_payload(op);
	json_object_del(p, "sig");
	rec_json(&r, "cosign", NULL, p);
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	assert_non_null(strstr(rs_err(), "\"sig\""));
	p = checkpoint_payload(op);
	json_object_set_new(p, "checkpoint", json_integer(5));
	rec_json(&r, "cosign", NULL, p);
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	/* Not an object. */
	rec_make(&r, "cosign", NULL, "[1,2]", 5, dev);
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	keypair_free(other);
}

static void
test_answer_shape(void **state)
{
	json_t *hdr = json_pack("{s:b}", "check", 1);
	const char *bad[] = { "{\"x\":1}", "[]", "", "null", "{\"note\":\"\"}", NULL };
	struct rec r;

	rec_make(&r, "ack", json_incref(hdr), "{}", 2, dev);
	assert_int_equal(verdict_of(&r), KIND_VALID);
	for (int i = 0; bad[i] != NULL; i++) {
		rec_make(&r, "ack", json_incref(hdr), bad[i], strlen(bad[i]), dev);
		assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	}
	/* A mail ack's payload is sealed: nothing but its size is checked. */
	rec_make(&r, "ack", NULL, "RSP1 sealed", 11, dev);
	assert_int_equal(verdict_of(&r), KIND_VALID);
	json_decref(hdr);
}

static void
test_check_shape(void **state)
{
	char *longtext = xcalloc(1, CHECK_MAX_TEXT + 2);
	struct rec r;

	rec_json(&r, "check", NULL, json_pack("{s:{s:s}}", "text", "en", "Hello"));
	assert_int_equal(verdict_of(&r), KIND_VALID);
	rec_json(&r, "check", NULL, json_pack("{s:{}}", "text"));
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	rec_json(&r, "check", NULL, json_pack("{s:{s:s},s:i}", "text", "en", "Hi",
	    "extra", 1));
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	rec_json(&r, "check", NULL, json_pack("{s:{s:i}}", "text", "en", 1));
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	memset(longtext, 'a', CHECK_MAX_TEXT + 1);
	rec_json(&r, "check", NULL, json_pack("{s:{s:s}}", "text", "en", longtext));
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	longtext[CHECK_MAX_TEXT] = '\0';
	rec_json(&r, "check", NULL, json_pack("{s:{s:s}}", "text", "en", longtext));
	assert_int_equal(verdict_of(&r), KIND_VALID);
	free(longtext);
}

static void
test_directory_shapes(void **state)
{
	struct rec r;

	rec_json(&r, "admit", NULL, json_pack("{s:s,s:s}", "state", "XA",
	    "root_key", "00"));
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	assert_non_null(strstr(rs_err(), "\"root_key\""));
	rec_json(&r, "revoke", NULL, json_pack("{s:o,s:s}", "device",
	    jhex(dev->pk, 32), "stuffing", "x"));
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	rec_json(&r, "revoke", NULL, json_pack("{s:o,s:s}", "device",
	    jhex(dev->pk, 32), "reason", "lost"));
	assert_int_equal(verdict_of(&r), KIND_VALID);
	rec_json(&r, "group", NULL, json_pack("{s:s,s:[s,i]}", "name", "g",
	    "states", "XA", 1));
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	rec_json(&r, "cert", NULL, json_pack("{s:s}", "state", "XA"));
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	rec_json(&r, "endorse", NULL, json_pack("{s:o,s:b}", "root_key",
	    jhex(dev->pk, 32), "accept", 0));
	assert_int_equal(verdict_of(&r), KIND_VALID);
	rec_json(&r, "endorse", NULL, json_pack("{s:o}", "root_key", jhex(dev->pk, 32)));
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	rec_json(&r, "endorse", NULL, json_pack("{s:o,s:i}", "root_key",
	    jhex(dev->pk, 32), "accept", 1));
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
}

/* The process's kinds are checked by its record parser (lib/procrec.c):
 * the header fields of the kind, and a payload with exactly its fields. */
static void
test_process_shapes(void **state)
{
	struct rec r;
	char ref[65];

	memset(ref, 'a', 64);
	ref[64] = '\0';
	rec_json(&r, "position", json_pack("{s:s,s:s}", "ref", ref, "stance",
	    "object"), json_object());
	assert_int_equal(verdict_of(&r), KIND_VALID);
	/* a stance that is not one, a payload field too many, no ref */
	rec_json(&r, "position", json_pack("{s:s,s:s}", "ref", ref, "stance",
	    "abstain"), json_object());
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	assert_non_null(strstr(rs_err(), "stance"));
	rec_json(&r, "position", json_pack("{s:s,s:s}", "ref", ref, "stance",
	    "object"), json_pack("{s:s}", "note", "x"));
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	rec_json(&r, "position", json_pack("{s:s}", "stance", "object"),
	    json_object());
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	/* a paper with no file */
	rec_json(&r, "paper", json_pack("{s:s,s:s,s:[]}", "body", "oewg",
	    "audience", "public", "files"), json_pack("{s:{s:s},s:[]}", "title",
	    "en", "A paper", "files"));
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
	/* garbage */
	rec_make(&r, "body", json_pack("{s:s}", "body", "oewg"), "\x01\x02", 2, op);
	assert_int_equal(verdict_of(&r), KIND_BAD_PAYLOAD);
}

static void
test_sql_lists(void **state)
{
	assert_string_equal(kinds_sql(KINDS_MAIL), "('msg', 'ack')");
	/* The node's compile-time list is the table's. */
	assert_string_equal(kinds_sql(KINDS_DIRECTORY), DIR_PUBLIC_KINDS_SQL);
	for (int k = 1; k < KIND_COUNT; k++) {
		const struct kind_info *ki = kind_info((enum kind)k);
		char quoted[40];
		snprintf(quoted, sizeof(quoted), "'%s'", ki->name);
		assert_int_equal(strstr(kinds_sql(KINDS_DIRECTORY), quoted) != NULL,
		    (ki->flags & KIND_DIRECTORY) != 0);
		assert_int_equal(dir_public_kind(ki->name),
		    (ki->flags & KIND_DIRECTORY) != 0);
	}
}

static int
setup(void **state)
{
	op = keypair_new(NULL, 0);
	dev = keypair_new("XA", 1);
	return 0;
}

static int
teardown(void **state)
{
	keypair_free(op);
	keypair_free(dev);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_public),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_flood_payloads),
		cmocka_unit_test(test_cosign_shape),
		cmocka_unit_test(test_answer_shape),
		cmocka_unit_test(test_check_shape),
		cmocka_unit_test(test_directory_shapes),
		cmocka_unit_test(test_process_shapes),
		cmocka_unit_test(test_sql_lists),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
