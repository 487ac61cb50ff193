/*
 * test_statement.c - checkpoints and receipts, what the operator signs.
 *
 * What it tries to break: that one signed statement has one reading.  A
 * checkpoint is compared byte for byte across nodes to catch a split view
 * (promise 3), so besides any change to the text or the signature, every
 * non-canonical spelling of the same values (leading zeros, signs, upper-case
 * hex, other line endings, a missing or extra line) must be refused even when
 * correctly signed by the operator: otherwise two texts could claim the same
 * tree.  A receipt (promise 4) must fail to verify when any of its fields or
 * its signature changes, and the JSON forms must refuse malformed input with
 * a sentence naming the field.  Checkpoints are v2 (with the public tree's
 * size and root, whose spelling is tried the same way, and which must make
 * sense: no more public records than records); v1 texts are still read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "jsonutil.h"
#include "merkle.h"
#include "statement.h"
#include "util.h"

static uint8_t pk[32], sk[64], pk2[32], sk2[64];
static uint8_t root[32], proot[32], empty[32];
static char *roothex, *proothex, *emptyhex;

#define TIME 1763820000000LL
#define PUB 17		/* the public size of the checkpoints made here */

/* A v2 checkpoint of size (>= PUB) with public size PUB and root proot. */
static void
make(struct checkpoint *c, const char *origin, uint64_t size,
    const uint8_t r[32], int64_t time, const uint8_t key[64])
{
	checkpoint_make(c, origin, size, r, time, PUB, proot, key);
}

/* ---- checkpoints -------------------------------------------------------- */

static void
test_checkpoint_round_trip(void **state)
{
	struct checkpoint c, p;
	struct buf want = {0};

	make(&c, "hub.example.org", 42, root, TIME, sk);
	buf_printf(&want, "roster-checkpoint-v2\nhub.example.org\n42\n%s\n%lld\n"
	    "%d\n%s\n", roothex, TIME, PUB, proothex);
	assert_string_equal(c.text, buf_cstr(&want));
	buf_free(&want);
	assert_int_equal(crypto_sign_verify_detached(c.sig, (const uint8_t *)c.text,
	    strlen(c.text), pk), 0);

	assert_int_equal(checkpoint_parse(&p, c.text, c.sig, pk), 0);
	assert_string_equal(p.origin, "hub.example.org");
	assert_true(p.size == 42);
	assert_memory_equal(p.root, root, 32);
	assert_int_equal(p.time, TIME);
	assert_int_equal(p.version, 2);
	assert_true(p.pub_size == PUB);
	assert_memory_equal(p.pub_root, proot, 32);
	assert_string_equal(p.text, c.text);
	assert_memory_equal(p.sig, c.sig, 64);
	assert_true(checkpoint_same_tree(&p, &c));
	checkpoint_free(&p);

	/* JSON form. */
	json_t *j = checkpoint_json(&c);
	assert_string_equal(jstr(j, "checkpoint"), c.text);
	char *sb = b64_encode(c.sig, 64);
	assert_string_equal(jstr(j, "sig"), sb);
	free(sb);
	char *dump = jdump(j);
	json_decref(j);
	j = jparse(dump, strlen(dump));
	free(dump);
	assert_int_equal(checkpoint_from_json(&p, j, pk), 0);
	assert_string_equal(p.text, c.text);
	assert_true(p.size == 42);
	checkpoint_free(&p);
	checkpoint_free(&p);		/* idempotent */
	json_decref(j);
	checkpoint_free(&c);

	/* Edge values: empty tree, the largest sizes, origin of 127 bytes,
	 * public sizes from none to all. */
	uint64_t sizes[] = { 0, 1, UINT64_MAX, (uint64_t)INT64_MAX + 1, 1 };
	uint64_t pubs[] = { 0, 1, UINT64_MAX, 0, 0 };
	char longo[ORIGIN_MAX];
	memset(longo, 'o', sizeof(longo) - 1);
	longo[sizeof(longo) - 1] = '\0';
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		checkpoint_make(&c, i == 3 ? longo : "o", sizes[i], root, 0, pubs[i],
		    pubs[i] == 0 ? empty : proot, sk);
		assert_int_equal(checkpoint_parse(&p, c.text, c.sig, pk), 0);
		assert_true(p.size == sizes[i]);
		assert_true(p.pub_size == pubs[i]);
		assert_string_equal(p.origin, i == 3 ? longo : "o");
		checkpoint_free(&p);
		checkpoint_free(&c);
	}
}

static int parse_signed(const char *text);
static void expect_noncanonical(const char *fmt, ...);

/* What hubs signed before the public tree: still read, for the main tree. */
static void
test_checkpoint_v1(void **state)
{
	struct checkpoint c, p;
	struct buf t = {0};
	uint8_t sig[64];

	buf_printf(&t, "roster-checkpoint-v1\nhub\n42\n%s\n%lld\n", roothex, TIME);
	crypto_sign_detached(sig, NULL, t.p, t.len, sk);
	assert_int_equal(checkpoint_parse(&p, buf_cstr(&t), sig, pk), 0);
	assert_int_equal(p.version, 1);
	assert_true(p.size == 42);
	assert_true(p.pub_size == 0);
	assert_memory_equal(p.root, root, 32);
	assert_string_equal(p.text, buf_cstr(&t));
	/* A v1 and a v2 of the same size and root are the same tree as far as
	 * the v1 says; another root is not. */
	make(&c, "hub", 42, root, TIME + 5, sk);
	assert_true(checkpoint_same_tree(&p, &c));
	assert_true(checkpoint_same_tree(&c, &p));
	checkpoint_free(&c);
	root[0] ^= 1;
	make(&c, "hub", 42, root, TIME, sk);
	root[0] ^= 1;
	assert_false(checkpoint_same_tree(&p, &c));
	checkpoint_free(&c);
	checkpoint_free(&p);
	buf_free(&t);
}

/* Two v2 checkpoints of one size disagree if any of the three differs. */
static void
test_checkpoint_same_tree(void **state)
{
	struct checkpoint a, b;
	uint8_t other[32];

	memcpy(other, proot, 32);
	other[5] ^= 0x40;
	make(&a, "hub", 42, root, TIME, sk);
	make(&b, "hub", 42, root, TIME + 1000, sk);
	assert_true(checkpoint_same_tree(&a, &b));	/* times differ: fine */
	checkpoint_free(&b);
	checkpoint_make(&b, "hub", 42, root, TIME, PUB + 1, proot, sk);
	assert_false(checkpoint_same_tree(&a, &b));
	checkpoint_free(&b);
	checkpoint_make(&b, "hub", 42, root, TIME, PUB, other, sk);
	assert_false(checkpoint_same_tree(&a, &b));
	assert_false(checkpoint_same_tree(&b, &a));
	checkpoint_free(&b);
	make(&b, "hub", 43, root, TIME, sk);
	assert_false(checkpoint_same_tree(&a, &b));
	checkpoint_free(&b);
	checkpoint_free(&a);
}

/* The two lines v2 adds have one spelling too, and must make sense. */
static void
test_checkpoint_v2_canonical(void **state)
{
	const char *H = "roster-checkpoint-v2\n";
	char canon[512], up[65];

	snprintf(canon, sizeof(canon), "%shub\n42\n%s\n%lld\n17\n%s\n", H, roothex,
	    TIME, proothex);
	assert_int_equal(parse_signed(canon), 0);
	snprintf(canon, sizeof(canon), "%shub\n42\n%s\n%lld\n0\n%s\n", H, roothex,
	    TIME, emptyhex);
	assert_int_equal(parse_signed(canon), 0);
	snprintf(canon, sizeof(canon), "%shub\n42\n%s\n%lld\n42\n%s\n", H, roothex,
	    TIME, proothex);
	assert_int_equal(parse_signed(canon), 0);
	for (int i = 0; i < 64; i++)
		up[i] = (char)(proothex[i] >= 'a' ? proothex[i] - 32 : proothex[i]);
	up[64] = '\0';
	/* Public size. */
	expect_noncanonical("%shub\n42\n%s\n%lld\n017\n%s\n", H, roothex, TIME, proothex);
	expect_noncanonical("%shub\n42\n%s\n%lld\n+17\n%s\n", H, roothex, TIME, proothex);
	expect_noncanonical("%shub\n42\n%s\n%lld\n 17\n%s\n", H, roothex, TIME, proothex);
	expect_noncanonical("%shub\n42\n%s\n%lld\n-1\n%s\n", H, roothex, TIME, proothex);
	expect_noncanonical("%shub\n42\n%s\n%lld\n\n%s\n", H, roothex, TIME, proothex);
	/* More public records than records; none, with a root of some. */
	expect_noncanonical("%shub\n42\n%s\n%lld\n43\n%s\n", H, roothex, TIME, proothex);
	expect_noncanonical("%shub\n42\n%s\n%lld\n0\n%s\n", H, roothex, TIME, proothex);
	/* Public root. */
	expect_noncanonical("%shub\n42\n%s\n%lld\n17\n%s\n", H, roothex, TIME, up);
	expect_noncanonical("%shub\n42\n%s\n%lld\n17\n%.63s\n", H, roothex, TIME, proothex);
	expect_noncanonical("%shub\n42\n%s\n%lld\n17\n%s0\n", H, roothex, TIME, proothex);
	/* Lines missing, extra, or the v1 head over v2 lines. */
	expect_noncanonical("%shub\n42\n%s\n%lld\n17\n", H, roothex, TIME);
	expect_noncanonical("%shub\n42\n%s\n%lld\n17\n%s", H, roothex, TIME, proothex);
	expect_noncanonical("%shub\n42\n%s\n%lld\n17\n%s\n\n", H, roothex, TIME, proothex);
	expect_noncanonical("%shub\n42\n%s\n%lld\n17\n%s\nx\n", H, roothex, TIME, proothex);
	expect_noncanonical("roster-checkpoint-v1\nhub\n42\n%s\n%lld\n17\n%s\n", roothex,
	    TIME, proothex);
	expect_noncanonical("roster-checkpoint-v3\nhub\n42\n%s\n%lld\n17\n%s\n", roothex,
	    TIME, proothex);
}

/* Parses text with a valid operator signature over it; 0 if accepted. */
static int
parse_signed(const char *text)
{
	struct checkpoint c;
	uint8_t sig[64];
	int rc;

	crypto_sign_detached(sig, NULL, (const uint8_t *)text, strlen(text), sk);
	rc = checkpoint_parse(&c, text, sig, pk);
	if (rc == 0)
		checkpoint_free(&c);
	return rc;
}

static void
expect_noncanonical(const char *fmt, ...)
{
	va_list ap;
	char *t;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	t = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(t, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rs_seterr("none");
	if (parse_signed(t) == 0)
		fail_msg("non-canonical checkpoint accepted:\n%s", t);
	if (strstr(rs_err(), "checkpoint") == NULL)
		fail_msg("error \"%s\" does not say what was refused", rs_err());
	free(t);
}

static void
test_checkpoint_canonical(void **state)
{
	char up[65];
	const char *H = "roster-checkpoint-v1\n";

	/* The canonical text, signed, parses. */
	char canon[512];
	snprintf(canon, sizeof(canon), "%shub\n42\n%s\n%lld\n", H, roothex, TIME);
	assert_int_equal(parse_signed(canon), 0);

	for (int i = 0; i < 64; i++)
		up[i] = (char)(roothex[i] >= 'a' ? roothex[i] - 32 : roothex[i]);
	up[64] = '\0';
	/* Size. */
	expect_noncanonical("%shub\n042\n%s\n%lld\n", H, roothex, TIME);
	expect_noncanonical("%shub\n+42\n%s\n%lld\n", H, roothex, TIME);
	expect_noncanonical("%shub\n 42\n%s\n%lld\n", H, roothex, TIME);
	expect_noncanonical("%shub\n42 \n%s\n%lld\n", H, roothex, TIME);
	expect_noncanonical("%shub\n-1\n%s\n%lld\n", H, roothex, TIME);
	expect_noncanonical("%shub\n0x2a\n%s\n%lld\n", H, roothex, TIME);
	expect_noncanonical("%shub\n18446744073709551616\n%s\n%lld\n", H, roothex, TIME);
	expect_noncanonical("%shub\n\n%s\n%lld\n", H, roothex, TIME);
	/* Root. */
	expect_noncanonical("%shub\n42\n%s\n%lld\n", H, up, TIME);
	expect_noncanonical("%shub\n42\n%.63s\n%lld\n", H, roothex, TIME);
	expect_noncanonical("%shub\n42\n%s0\n%lld\n", H, roothex, TIME);
	expect_noncanonical("%shub\n42\n%s00\n%lld\n", H, roothex, TIME);
	expect_noncanonical("%shub\n42\n %s\n%lld\n", H, roothex, TIME);
	/* Time. */
	expect_noncanonical("%shub\n42\n%s\n0%lld\n", H, roothex, TIME);
	expect_noncanonical("%shub\n42\n%s\n+%lld\n", H, roothex, TIME);
	expect_noncanonical("%shub\n42\n%s\n%lld.0\n", H, roothex, TIME);
	expect_noncanonical("%shub\n42\n%s\n99999999999999999999\n", H, roothex);
	/* Lines and line endings. */
	expect_noncanonical("%shub\n42\n%s\n%lld", H, roothex, TIME);
	expect_noncanonical("%shub\n42\n%s\n%lld\n\n", H, roothex, TIME);
	expect_noncanonical("%shub\n42\n%s\n%lld\nextra\n", H, roothex, TIME);
	expect_noncanonical("%shub\n42\n%s\n%lld\n ", H, roothex, TIME);
	expect_noncanonical("roster-checkpoint-v1\r\nhub\r\n42\r\n%s\r\n%lld\r\n", roothex, TIME);
	expect_noncanonical("%s\n42\n%s\n%lld\n", H, roothex, TIME);	/* no origin */
	/* Origins that are not UTF-8 text without control characters: they
	 * could not travel in the JSON form, or would display as another. */
	const char *origins[] = { "hub\r", "h\tub", "hub\x7f", "\x1b[31mhub",
	    "hub\xff", "hub\xc3", "hub\xc0\xae", "hub\xed\xa0\x80",
	    "hub\xc2\x85", "hub\xf4\x90\x80\x80", NULL };
	for (int i = 0; origins[i] != NULL; i++)
		expect_noncanonical("%s%s\n42\n%s\n%lld\n", H, origins[i], roothex, TIME);
	/* UTF-8 names are fine. */
	snprintf(canon, sizeof(canon), "%sSecr\xc3\xa9tariat \xe4\xb8\xad\n42\n%s\n%lld\n",
	    H, roothex, TIME);
	assert_int_equal(parse_signed(canon), 0);
	expect_noncanonical("%shub\n%s\n%lld\n", H, roothex, TIME);	/* no size */
	expect_noncanonical("%shub\n42\n%lld\n", H, TIME);		/* no root */
	expect_noncanonical("%shub\n42\n%s\n", H, roothex);		/* no time */
	expect_noncanonical("%shub\n\n42\n%s\n%lld\n", H, roothex, TIME);
	/* Header line. */
	expect_noncanonical("roster-checkpoint-v2\nhub\n42\n%s\n%lld\n", roothex, TIME);
	expect_noncanonical("Roster-checkpoint-v1\nhub\n42\n%s\n%lld\n", roothex, TIME);
	expect_noncanonical("roster-checkpoint-v1 \nhub\n42\n%s\n%lld\n", roothex, TIME);
	expect_noncanonical("\nroster-checkpoint-v1\nhub\n42\n%s\n%lld\n", roothex, TIME);
	expect_noncanonical("roster-receipt-v1\nhub\n42\n%s\n%lld\n", roothex, TIME);
	expect_noncanonical("%s", "");
	expect_noncanonical("%s", H);
	/* Origin over ORIGIN_MAX - 1 bytes. */
	char longo[ORIGIN_MAX + 2];
	memset(longo, 'o', ORIGIN_MAX + 1);
	longo[ORIGIN_MAX + 1] = '\0';
	expect_noncanonical("%s%s\n42\n%s\n%lld\n", H, longo, roothex, TIME);
	longo[ORIGIN_MAX] = '\0';
	expect_noncanonical("%s%s\n42\n%s\n%lld\n", H, longo, roothex, TIME);
	/* Longer than the parser reads at all. */
	char *huge = xmalloc(2000);
	memset(huge, 'x', 1999);
	huge[1999] = '\0';
	expect_noncanonical("%shub\n42\n%s\n%lld\n%s", H, roothex, TIME, huge);
	free(huge);
}

static void
test_checkpoint_tampering(void **state)
{
	struct checkpoint c, p;
	uint8_t sig[64];

	make(&c, "hub", 1000, root, TIME, sk);
	size_t n = strlen(c.text);
	char *t = xstrdup(c.text);
	/* Any byte of any line changed, to any of a few values. */
	const uint8_t masks[] = { 0x01, 0x02, 0x04, 0x20, 0x40 };
	for (size_t off = 0; off < n; off++) {
		for (size_t m = 0; m < sizeof(masks); m++) {
			memcpy(t, c.text, n + 1);
			t[off] ^= (char)masks[m];
			if (t[off] == '\0')
				continue;
			if (checkpoint_parse(&p, t, c.sig, pk) == 0) {
				checkpoint_free(&p);
				fail_msg("checkpoint with byte %zu ^ 0x%02x accepted",
				    off, masks[m]);
			}
		}
	}
	/* Other values on each line, well formed: the signature fails. */
	struct checkpoint o;
	uint8_t root2[32];
	memcpy(root2, root, 32);
	root2[31] ^= 1;
	make(&o, "hub2", 1000, root, TIME, sk2);
	assert_int_not_equal(checkpoint_parse(&p, o.text, c.sig, pk), 0);
	checkpoint_free(&o);
	make(&o, "hub", 1001, root, TIME, sk2);
	assert_int_not_equal(checkpoint_parse(&p, o.text, c.sig, pk), 0);
	checkpoint_free(&o);
	make(&o, "hub", 1000, root2, TIME, sk2);
	assert_int_not_equal(checkpoint_parse(&p, o.text, c.sig, pk), 0);
	checkpoint_free(&o);
	checkpoint_make(&o, "hub", 1000, root, TIME, PUB + 1, proot, sk2);
	assert_int_not_equal(checkpoint_parse(&p, o.text, c.sig, pk), 0);
	checkpoint_free(&o);
	checkpoint_make(&o, "hub", 1000, root, TIME, PUB, root2, sk2);
	assert_int_not_equal(checkpoint_parse(&p, o.text, c.sig, pk), 0);
	checkpoint_free(&o);
	make(&o, "hub", 1000, root, TIME + 1, sk2);
	rs_seterr("none");
	assert_int_not_equal(checkpoint_parse(&p, o.text, c.sig, pk), 0);
	assert_non_null(strstr(rs_err(), "signature"));
	checkpoint_free(&o);
	/* Any bit of the signature. */
	for (int i = 0; i < 64; i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(sig, c.sig, 64);
			sig[i] ^= (uint8_t)(1 << bit);
			assert_int_not_equal(checkpoint_parse(&p, c.text, sig, pk), 0);
		}
	}
	/* Another operator key: the text is right, the signer is not. */
	rs_seterr("none");
	assert_int_not_equal(checkpoint_parse(&p, c.text, c.sig, pk2), 0);
	assert_non_null(strstr(rs_err(), "operator key"));
	make(&o, "hub", 1000, root, TIME, sk2);
	assert_int_not_equal(checkpoint_parse(&p, o.text, o.sig, pk), 0);
	assert_int_equal(checkpoint_parse(&p, o.text, o.sig, pk2), 0);
	checkpoint_free(&p);
	checkpoint_free(&o);
	free(t);
	checkpoint_free(&c);
}

static void
expect_cp_json_refused(const char *text, const char *needle)
{
	struct checkpoint c;
	json_t *j = jparse(text, strlen(text));

	assert_non_null(j);
	rs_seterr("none");
	if (checkpoint_from_json(&c, j, pk) == 0) {
		checkpoint_free(&c);
		fail_msg("checkpoint JSON %s accepted", text);
	}
	if (strstr(rs_err(), needle) == NULL)
		fail_msg("checkpoint JSON %s: error \"%s\" does not mention %s",
		    text, rs_err(), needle);
	assert_null(c.text);
	json_decref(j);
}

static void
test_checkpoint_json_refusals(void **state)
{
	struct checkpoint c;
	struct buf b = {0};

	make(&c, "hub", 70, root, TIME, sk);
	json_t *good = checkpoint_json(&c);
	char *gs = jdump(good);
	char *sb = b64_encode(c.sig, 64), *short_sig = b64_encode(c.sig, 63);
	json_t *tx = json_string(c.text);
	char *tj = json_dumps(tx, JSON_ENCODE_ANY);
	json_decref(tx);

	expect_cp_json_refused("[]", "\"checkpoint\"");
	expect_cp_json_refused("{}", "\"checkpoint\"");
	buf_printf(&b, "{\"sig\":\"%s\"}", sb);
	expect_cp_json_refused(buf_cstr(&b), "\"checkpoint\"");
	b.len = 0;
	buf_printf(&b, "{\"checkpoint\":%s}", tj);
	expect_cp_json_refused(buf_cstr(&b), "\"sig\"");
	b.len = 0;
	buf_printf(&b, "{\"checkpoint\":7,\"sig\":\"%s\"}", sb);
	expect_cp_json_refused(buf_cstr(&b), "\"checkpoint\"");
	b.len = 0;
	buf_printf(&b, "{\"checkpoint\":%s,\"sig\":7}", tj);
	expect_cp_json_refused(buf_cstr(&b), "\"sig\"");
	b.len = 0;
	buf_printf(&b, "{\"checkpoint\":%s,\"sig\":\"%s\"}", tj, short_sig);
	expect_cp_json_refused(buf_cstr(&b), "64 bytes");
	b.len = 0;
	buf_printf(&b, "{\"checkpoint\":%s,\"sig\":\"%s=\"}", tj, sb);
	expect_cp_json_refused(buf_cstr(&b), "\"sig\"");
	/* Non-canonical base64 of the same signature: the last character
	 * of 64 bytes carries 2 padding bits. */
	char *nc = xstrdup(sb);
	size_t L = strlen(nc);
	assert_int_equal(nc[L - 1], '=');
	nc[L - 2] = (char)(nc[L - 2] == 'A' ? 'B' : nc[L - 2] + 1);
	b.len = 0;
	buf_printf(&b, "{\"checkpoint\":%s,\"sig\":\"%s\"}", tj, nc);
	expect_cp_json_refused(buf_cstr(&b), "\"sig\"");
	free(nc);
	/* The text cut at an embedded NUL is not the signed text. */
	b.len = 0;
	buf_printf(&b, "{\"checkpoint\":\"roster-checkpoint-v1\\u0000\",\"sig\":\"%s\"}", sb);
	json_t *j = jparse(b.p, b.len);
	assert_null(j);		/* jansson refuses \u0000 without JSON_ALLOW_NUL */
	/* The good one. */
	j = jparse(gs, strlen(gs));
	struct checkpoint p;
	assert_int_equal(checkpoint_from_json(&p, j, pk), 0);
	checkpoint_free(&p);
	json_decref(j);
	/* Not objects at all. */
	assert_int_not_equal(checkpoint_from_json(&p, NULL, pk), 0);
	json_t *s = json_string("x");
	assert_int_not_equal(checkpoint_from_json(&p, s, pk), 0);
	json_decref(s);

	json_decref(good);
	free(gs);
	free(sb);
	free(short_sig);
	free(tj);
	buf_free(&b);
	checkpoint_free(&c);
}

/* ---- receipts ----------------------------------------------------------- */

static void
test_receipt_round_trip(void **state)
{
	struct receipt r, p;
	uint8_t id[32];
	struct buf text = {0};

	randombytes_buf(id, sizeof(id));
	receipt_make(&r, id, 12345, TIME, sk);
	assert_memory_equal(r.id, id, 32);
	assert_true(r.index == 12345);
	assert_int_equal(r.time, TIME);
	assert_int_equal(receipt_verify(&r, pk), 0);
	/* The signature is over the text of the protocol. */
	char *ih = hex_encode(id, 32);
	buf_printf(&text, "roster-receipt-v1\n%s\n12345\n%lld\n", ih, TIME);
	assert_int_equal(crypto_sign_verify_detached(r.sig, text.p, text.len, pk), 0);
	buf_free(&text);

	json_t *j = receipt_json(&r);
	assert_string_equal(jstr(j, "id"), ih);
	assert_int_equal(json_integer_value(json_object_get(j, "index")), 12345);
	assert_int_equal(json_integer_value(json_object_get(j, "time")), TIME);
	char *dump = jdump(j);
	json_decref(j);
	j = jparse(dump, strlen(dump));
	free(dump);
	memset(&p, 0, sizeof(p));
	assert_int_equal(receipt_from_json(&p, j), 0);
	json_decref(j);
	assert_memory_equal(&p, &r, sizeof(r));
	assert_int_equal(receipt_verify(&p, pk), 0);
	free(ih);

	/* Index 0 and time 0. */
	receipt_make(&r, id, 0, 0, sk);
	assert_int_equal(receipt_verify(&r, pk), 0);
}

static void
test_receipt_tampering(void **state)
{
	struct receipt r, t;
	uint8_t id[32];

	randombytes_buf(id, sizeof(id));
	receipt_make(&r, id, 77, TIME, sk);
	for (int i = 0; i < 32; i++) {
		t = r;
		t.id[i] ^= 0x10;
		assert_int_not_equal(receipt_verify(&t, pk), 0);
	}
	uint64_t idx[] = { 76, 78, 0, 770, UINT64_MAX };
	for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
		t = r;
		t.index = idx[i];
		assert_int_not_equal(receipt_verify(&t, pk), 0);
	}
	int64_t times[] = { TIME - 1, TIME + 1, 0, -TIME };
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		t = r;
		t.time = times[i];
		assert_int_not_equal(receipt_verify(&t, pk), 0);
	}
	for (int i = 0; i < 64; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			t = r;
			t.sig[i] ^= (uint8_t)(1 << bit);
			assert_int_not_equal(receipt_verify(&t, pk), 0);
		}
	}
	rs_seterr("none");
	assert_int_not_equal(receipt_verify(&r, pk2), 0);
	assert_non_null(strstr(rs_err(), "operator key"));
	/* A checkpoint signature is not a receipt signature. */
	struct checkpoint c;
	make(&c, "hub", 77, id, TIME, sk);
	t = r;
	memcpy(t.sig, c.sig, 64);
	assert_int_not_equal(receipt_verify(&t, pk), 0);
	checkpoint_free(&c);
}

static void
expect_rc_json_refused(json_t *j, const char *needle)
{
	struct receipt r;

	rs_seterr("none");
	if (receipt_from_json(&r, j) == 0)
		fail_msg("receipt JSON accepted");
	if (strstr(rs_err(), needle) == NULL)
		fail_msg("receipt JSON: error \"%s\" does not mention %s", rs_err(), needle);
	json_decref(j);
}

static void
test_receipt_json_refusals(void **state)
{
	struct receipt r;
	uint8_t id[32];

	randombytes_buf(id, sizeof(id));
	receipt_make(&r, id, 5, TIME, sk);
	const char *fields[] = { "id", "index", "time", "sig", NULL };
	for (int i = 0; fields[i] != NULL; i++) {
		char needle[32];
		snprintf(needle, sizeof(needle), "\"%s\"", fields[i]);
		json_t *j = receipt_json(&r);
		json_object_del(j, fields[i]);
		expect_rc_json_refused(j, needle);
		j = receipt_json(&r);
		json_object_set_new(j, fields[i], json_real(5.5));
		expect_rc_json_refused(j, needle);
		j = receipt_json(&r);
		json_object_set_new(j, fields[i], json_null());
		expect_rc_json_refused(j, needle);
	}
	json_t *j = receipt_json(&r);
	json_object_set_new(j, "id", jhex(id, 31));
	expect_rc_json_refused(j, "\"id\"");
	j = receipt_json(&r);
	json_object_set_new(j, "index", json_integer(-1));
	expect_rc_json_refused(j, "malformed receipt");
	j = receipt_json(&r);
	json_object_set_new(j, "index", json_string("5"));
	expect_rc_json_refused(j, "\"index\"");
	j = receipt_json(&r);
	json_object_set_new(j, "sig", jb64(r.sig, 63));
	expect_rc_json_refused(j, "malformed receipt");
	j = receipt_json(&r);
	json_object_set_new(j, "sig", json_string("QR=="));
	expect_rc_json_refused(j, "\"sig\"");
	expect_rc_json_refused(json_array(), "receipt");
	expect_rc_json_refused(json_string("x"), "receipt");
	assert_int_not_equal(receipt_from_json(&r, NULL), 0);
	/* Parsed but tampered in JSON: verification fails. */
	j = receipt_json(&r);
	json_object_set_new(j, "time", json_integer(TIME + 1));
	struct receipt p;
	assert_int_equal(receipt_from_json(&p, j), 0);
	assert_int_not_equal(receipt_verify(&p, pk), 0);
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checkpoint_round_trip),
		cmocka_unit_test(test_checkpoint_canonical),
		cmocka_unit_test(test_checkpoint_v1),
		cmocka_unit_test(test_checkpoint_same_tree),
		cmocka_unit_test(test_checkpoint_v2_canonical),
		cmocka_unit_test(test_checkpoint_tampering),
		cmocka_unit_test(test_checkpoint_json_refusals),
		cmocka_unit_test(test_receipt_round_trip),
		cmocka_unit_test(test_receipt_tampering),
		cmocka_unit_test(test_receipt_json_refusals),
	};
	int rc;

	if (sodium_init() < 0)
		return 1;
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(pk2, sk2);
	randombytes_buf(root, sizeof(root));
	randombytes_buf(proot, sizeof(proot));
	merkle_empty_root(empty);
	roothex = hex_encode(root, 32);
	proothex = hex_encode(proot, 32);
	emptyhex = hex_encode(empty, 32);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(roothex);
	free(proothex);
	free(emptyhex);
	return rc;
}
