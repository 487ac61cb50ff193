/*
 * test_keys.c - secret and public key files.
 *
 * What it tries to break: a key file is the one place a State's signing
 * authority sits on disk, so reading one must give back exactly the keys
 * written or a clear refusal.  A wrong passphrase must say so (not yield
 * garbage keys); a file edited to show another public key, of another type,
 * truncated, or garbage must be refused; the secret must not appear in clear
 * in a sealed file; files must be written with the modes promised (0600 for
 * secrets, also for the operator's unsealed key).
 *
 * Each sealed read or write runs Argon2id with 64 MiB, so the sealed cases
 * share two files made once per test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "jsonutil.h"
#include "keys.h"
#include "util.h"
#include "tmpdir.h"

#define PASS "correct horse battery staple"

/* ---- file edits ---------------------------------------------------------- */

static json_t *
load_json(const char *path)
{
	struct buf b = {0};
	json_t *j;

	assert_int_equal(read_file(path, &b, 1 << 20), 0);
	j = jparse(b.p, b.len);
	buf_free(&b);
	assert_non_null(j);
	return j;
}

static void
save_json(const char *path, json_t *j)
{
	char *t = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	assert_int_equal(write_file_atomic(path, t, strlen(t), 0600), 0);
	free(t);
}

/* Copies src to dst with field (of the top object, or of "kdf" when the
 * name starts with "kdf.") set to v (deleted when v is NULL). */
static void
edited_copy(const char *src, const char *dst, const char *field, json_t *v)
{
	json_t *j = load_json(src), *o = j;

	if (strncmp(field, "kdf.", 4) == 0) {
		o = json_object_get(j, "kdf");
		field += 4;
	}
	if (v == NULL)
		json_object_del(o, field);
	else
		json_object_set_new(o, field, v);
	save_json(dst, j);
	json_decref(j);
}

static void
expect_read_refused(const char *path, const char *type, const char *pass,
    const char *needle)
{
	struct keypair *k;

	rs_seterr("none");
	k = keyfile_read(path, type, pass);
	if (k != NULL) {
		keypair_free(k);
		fail_msg("%s read as %s: accepted", path, type);
	}
	if (needle != NULL && strstr(rs_err(), needle) == NULL)
		fail_msg("%s: error \"%s\" does not mention %s", path, rs_err(), needle);
}

static int
file_mode(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (int)(st.st_mode & 0777);
}

static int
file_contains(const char *path, const char *needle)
{
	struct buf b = {0};
	int r;

	assert_int_equal(read_file(path, &b, 1 << 20), 0);
	r = strstr(buf_cstr(&b), needle) != NULL;
	buf_free(&b);
	return r;
}

/* ---- round trips -------------------------------------------------------- */

static void
check_same(const struct keypair *a, const struct keypair *b)
{
	assert_memory_equal(a->pk, b->pk, 32);
	assert_memory_equal(a->sk, b->sk, 64);
	assert_int_equal(a->has_box, b->has_box);
	if (a->has_box) {
		assert_memory_equal(a->box_pk, b->box_pk, 32);
		assert_memory_equal(a->box_sk, b->box_sk, 32);
	}
	assert_string_equal(a->state, b->state);
}

static void
test_keypair_new(void **state)
{
	struct keypair *a = keypair_new("XA", 1), *b = keypair_new(NULL, 0);
	uint8_t pk[32], sig[64], box_pk[32];

	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a->state, "XA");
	assert_string_equal(b->state, "");
	assert_true(a->has_box);
	assert_false(b->has_box);
	crypto_sign_ed25519_sk_to_pk(pk, a->sk);
	assert_memory_equal(pk, a->pk, 32);
	crypto_scalarmult_base(box_pk, a->box_sk);
	assert_memory_equal(box_pk, a->box_pk, 32);
	crypto_sign_detached(sig, NULL, (const uint8_t *)"m", 1, a->sk);
	assert_int_equal(crypto_sign_verify_detached(sig, (const uint8_t *)"m", 1, a->pk), 0);
	assert_memory_not_equal(a->pk, b->pk, 32);
	keypair_free(a);
	keypair_free(b);
	keypair_free(NULL);
}

static void
test_root_round_trip(void **state)
{
	char *p = path_in(state, "root.key");
	struct keypair *k = keypair_new("XA", 0), *r;
	mode_t old = umask(022);

	assert_int_equal(keyfile_write(p, KEY_ROOT, k, PASS), 0);
	assert_int_equal(file_mode(p), 0600);
	r = keyfile_read(p, KEY_ROOT, PASS);
	assert_non_null(r);
	check_same(k, r);
	assert_false(r->has_box);
	keypair_free(r);

	/* The file names its type and public key, and has no box key, no
	 * unsealed secret, and the secret key in neither hex nor base64. */
	json_t *j = load_json(p);
	char *pkh = hex_encode(k->pk, 32), *skh = hex_encode(k->sk, 32);
	char *skb = b64_encode(k->sk, 64);
	assert_string_equal(jstr(j, "roster"), "root-key");
	assert_string_equal(jstr(j, "state"), "XA");
	assert_string_equal(jstr(j, "sign_pk"), pkh);
	assert_null(json_object_get(j, "box_pk"));
	assert_null(json_object_get(j, "secret"));
	assert_true(json_is_object(json_object_get(j, "kdf")));
	assert_false(file_contains(p, skh));
	assert_false(file_contains(p, skb));
	free(pkh);
	free(skh);
	free(skb);
	json_decref(j);

	/* Wrong passphrase: a clear error, not garbage keys. */
	expect_read_refused(p, KEY_ROOT, "correct horse battery stapl", "wrong passphrase");
	/* No passphrase for a sealed file. */
	expect_read_refused(p, KEY_ROOT, NULL, "passphrase");
	/* Another type. */
	expect_read_refused(p, KEY_DEVICE, PASS, "not a device-key file");
	expect_read_refused(p, KEY_OPERATOR, PASS, "not a operator-key file");
	expect_read_refused(p, "root-key.pub", PASS, NULL);
	umask(old);
	keypair_free(k);
	free(p);
}

static void
test_device_round_trip(void **state)
{
	char *p = path_in(state, "device.key"), *q = path_in(state, "edited.key");
	struct keypair *k = keypair_new("XB", 1), *other = keypair_new("XB", 1), *r;
	mode_t old = umask(022);

	assert_int_equal(keyfile_write(p, KEY_DEVICE, k, PASS), 0);
	assert_int_equal(file_mode(p), 0600);
	r = keyfile_read(p, KEY_DEVICE, PASS);
	assert_non_null(r);
	check_same(k, r);
	assert_true(r->has_box);
	keypair_free(r);
	json_t *j = load_json(p);
	char *bh = hex_encode(k->box_pk, 32), *bsk = hex_encode(k->box_sk, 32);
	assert_string_equal(jstr(j, "box_pk"), bh);
	assert_false(file_contains(p, bsk));
	free(bh);
	free(bsk);
	json_decref(j);

	/* A file edited to show another device's public keys is refused,
	 * even with the right passphrase. */
	edited_copy(p, q, "sign_pk", jhex(other->pk, 32));
	expect_read_refused(q, KEY_DEVICE, PASS, "does not match");
	edited_copy(p, q, "box_pk", jhex(other->box_pk, 32));
	expect_read_refused(q, KEY_DEVICE, PASS, "does not match");

	/* The sealed part altered: the seal does not open. */
	edited_copy(p, q, "nonce", jb64((const uint8_t *)"012345678901234567890123", 24));
	expect_read_refused(q, KEY_DEVICE, PASS, "wrong passphrase (or the key file was altered)");
	umask(old);
	keypair_free(k);
	keypair_free(other);
	free(p);
	free(q);
}

/* Malformed sealed files, refused before any key derivation. */
static void
test_malformed_sealed(void **state)
{
	char *p = path_in(state, "root.key"), *q = path_in(state, "edited.key");
	struct keypair *k = keypair_new("XA", 0);
	uint8_t junk[200];

	memset(junk, 7, sizeof(junk));
	assert_int_equal(keyfile_write(p, KEY_ROOT, k, PASS), 0);
	struct { const char *field; json_t *v; const char *needle; } bad[] = {
		{ "sign_pk", NULL, "\"sign_pk\"" },
		{ "sign_pk", json_integer(1), "\"sign_pk\"" },
		{ "sign_pk", json_string("abcd"), "\"sign_pk\"" },
		{ "nonce", NULL, "\"nonce\"" },
		{ "nonce", json_string("!!!!"), "\"nonce\"" },
		{ "nonce", jb64(junk, 23), "malformed" },
		{ "sealed", NULL, "\"sealed\"" },
		{ "sealed", jb64(junk, 64), "malformed" },
		{ "sealed", jb64(junk, 200), "malformed" },
		{ "kdf", NULL, "\"kdf\"" },
		{ "kdf", json_string("argon2id13"), "\"kdf\"" },
		{ "kdf", json_integer(0), "\"kdf\"" },
		{ "kdf.salt", NULL, "\"salt\"" },
		{ "kdf.salt", jb64(junk, 15), "malformed" },
		{ "kdf.ops", NULL, "\"ops\"" },
		{ "kdf.ops", json_string("3"), "\"ops\"" },
		{ "kdf.ops", json_integer(0), "malformed" },
		{ "kdf.ops", json_integer(1000), "malformed" },
		{ "kdf.mem", json_integer(1), "malformed" },
		{ "kdf.mem", json_integer(1LL << 40), "malformed" },
		{ "kdf.mem", json_real(65536.0), "\"mem\"" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		edited_copy(p, q, bad[i].field, bad[i].v);
		expect_read_refused(q, KEY_ROOT, PASS, bad[i].needle);
	}
	keypair_free(k);
	free(p);
	free(q);
}

static void
test_garbage_files(void **state)
{
	char *p = path_in(state, "root.key"), *q = path_in(state, "bad.key");
	struct keypair *k = keypair_new("XA", 0);
	struct buf b = {0};
	uint8_t rnd[512];

	assert_int_equal(keyfile_write(p, KEY_OPERATOR, k, NULL), 0);
	assert_int_equal(read_file(p, &b, 1 << 20), 0);
	/* Every truncation. */
	for (size_t len = 0; len < b.len; len++) {
		assert_int_equal(write_file_atomic(q, b.p, len, 0600), 0);
		expect_read_refused(q, KEY_OPERATOR, NULL, NULL);
	}
	/* Random bytes, and JSON that is not a key file. */
	for (int i = 0; i < 20; i++) {
		randombytes_buf(rnd, sizeof(rnd));
		assert_int_equal(write_file_atomic(q, rnd, (size_t)i * 25, 0600), 0);
		expect_read_refused(q, KEY_OPERATOR, NULL, "not a roster key file");
	}
	const char *notkey[] = { "[]", "{}", "{\"roster\":1}", "{\"roster\":\"operator-key\"}",
	    "[\"operator-key\"]", "null", NULL };
	for (int i = 0; notkey[i] != NULL; i++) {
		assert_int_equal(write_file_atomic(q, notkey[i], strlen(notkey[i]), 0600), 0);
		expect_read_refused(q, KEY_OPERATOR, NULL, NULL);
		expect_read_refused(q, KEY_OPERATOR, PASS, NULL);
	}
	/* No file; a directory; too large. */
	char *none = path_in(state, "none.key");
	expect_read_refused(none, KEY_OPERATOR, NULL, "none.key");
	expect_read_refused(*state, KEY_OPERATOR, NULL, NULL);
	uint8_t *big = xcalloc(1, 70000);
	memset(big, ' ', 70000);
	big[0] = '{';
	big[69999] = '}';
	assert_int_equal(write_file_atomic(q, big, 70000, 0600), 0);
	expect_read_refused(q, KEY_OPERATOR, NULL, "too large");
	free(big);
	free(none);
	buf_free(&b);
	keypair_free(k);
	free(p);
	free(q);
}

static void
test_unsealed_operator(void **state)
{
	char *p = path_in(state, "operator.key"), *q = path_in(state, "edited.key");
	struct keypair *k = keypair_new(NULL, 0), *other = keypair_new(NULL, 0), *r;
	mode_t old = umask(022);

	assert_int_equal(keyfile_write(p, KEY_OPERATOR, k, NULL), 0);
	assert_int_equal(file_mode(p), 0600);
	r = keyfile_read(p, KEY_OPERATOR, NULL);
	assert_non_null(r);
	check_same(k, r);
	keypair_free(r);
	/* A passphrase given for an unsealed file changes nothing. */
	r = keyfile_read(p, KEY_OPERATOR, "anything");
	assert_non_null(r);
	check_same(k, r);
	keypair_free(r);
	json_t *j = load_json(p);
	assert_true(json_is_null(json_object_get(j, "kdf")));
	assert_true(json_is_string(json_object_get(j, "secret")));
	assert_null(json_object_get(j, "sealed"));
	json_decref(j);

	/* Edited public key; secret of the wrong length or not base64. */
	edited_copy(p, q, "sign_pk", jhex(other->pk, 32));
	expect_read_refused(q, KEY_OPERATOR, NULL, "does not match");
	uint8_t junk[100];
	memset(junk, 9, sizeof(junk));
	size_t lens[] = { 0, 32, 63, 65, 95, 97, 100 };
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		edited_copy(p, q, "secret", jb64(junk, lens[i]));
		expect_read_refused(q, KEY_OPERATOR, NULL, "malformed secret");
	}
	edited_copy(p, q, "secret", json_string("QR=="));
	expect_read_refused(q, KEY_OPERATOR, NULL, "malformed secret");
	edited_copy(p, q, "secret", json_integer(5));
	expect_read_refused(q, KEY_OPERATOR, NULL, "malformed secret");
	edited_copy(p, q, "secret", NULL);
	expect_read_refused(q, KEY_OPERATOR, NULL, "malformed secret");

	/* An unsealed device key keeps its box key. */
	struct keypair *dev = keypair_new("XC", 1);
	assert_int_equal(keyfile_write(q, KEY_DEVICE, dev, NULL), 0);
	r = keyfile_read(q, KEY_DEVICE, NULL);
	assert_non_null(r);
	check_same(dev, r);
	keypair_free(r);
	/* ...and its file edited to show another box key is refused. */
	edited_copy(q, q, "box_pk", jhex(other->pk, 32));
	expect_read_refused(q, KEY_DEVICE, NULL, "does not match");
	keypair_free(dev);
	umask(old);
	keypair_free(k);
	keypair_free(other);
	free(p);
	free(q);
}

static void
test_pubfile(void **state)
{
	char *p = path_in(state, "root.pub");
	uint8_t pk[32], got[32];
	char st[3];
	mode_t old = umask(022);

	randombytes_buf(pk, sizeof(pk));
	assert_int_equal(pubfile_write(p, KEY_ROOT, "XA", pk), 0);
	assert_int_equal(file_mode(p), 0644);
	memset(st, 'z', sizeof(st));
	assert_int_equal(pubfile_read(p, KEY_ROOT, st, got), 0);
	assert_memory_equal(got, pk, 32);
	assert_string_equal(st, "XA");
	json_t *j = load_json(p);
	assert_string_equal(jstr(j, "roster"), "root-key.pub");
	json_decref(j);

	/* Wrong type. */
	rs_seterr("none");
	assert_int_not_equal(pubfile_read(p, KEY_DEVICE, st, got), 0);
	assert_non_null(strstr(rs_err(), "device-key.pub"));
	/* No State. */
	assert_int_equal(pubfile_write(p, KEY_OPERATOR, NULL, pk), 0);
	assert_int_equal(pubfile_read(p, KEY_OPERATOR, st, got), 0);
	assert_string_equal(st, "");
	/* A long State is cut, never overflows. */
	assert_int_equal(pubfile_write(p, KEY_ROOT, "XAXAXAXA", pk), 0);
	assert_int_equal(pubfile_read(p, KEY_ROOT, st, got), 0);
	assert_int_equal(strlen(st), 2);
	/* Malformed key, garbage, a secret key file. */
	char *q = path_in(state, "bad.pub");
	json_t *bad = json_pack("{s:s,s:s,s:s}", "roster", "root-key.pub",
	    "state", "XA", "sign_pk", "abcd");
	save_json(q, bad);
	json_decref(bad);
	assert_int_not_equal(pubfile_read(q, KEY_ROOT, st, got), 0);
	assert_non_null(strstr(rs_err(), "\"sign_pk\""));
	assert_int_equal(write_file_atomic(q, "\x01\x02", 2, 0600), 0);
	assert_int_not_equal(pubfile_read(q, KEY_ROOT, st, got), 0);
	struct keypair *k = keypair_new("XA", 0);
	assert_int_equal(keyfile_write(q, KEY_ROOT, k, NULL), 0);
	assert_int_not_equal(pubfile_read(q, KEY_ROOT, st, got), 0);
	keypair_free(k);
	assert_int_not_equal(pubfile_read(*state, KEY_ROOT, st, got), 0);
	umask(old);
	free(q);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keypair_new),
		cmocka_unit_test_setup_teardown(test_root_round_trip, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_device_round_trip, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_malformed_sealed, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_garbage_files, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_unsealed_operator, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_pubfile, setup_tmp,
		    teardown_tmp),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
