/*
 * test_seal.c - message bodies encrypted to many devices.
 *
 * What it tries to break: confidentiality (promise 1) and integrity of the
 * sealed payload on its own, without the envelope signature around it.  Every
 * recipient must open the body and nobody else; any changed byte must make
 * opening fail for at least the recipient it concerns (a slot only binds its
 * own device: the envelope signature is what binds the slots together), and
 * no changed byte may ever open to a different plaintext; truncations,
 * recipient counts out of range and keys without a box part must be refused
 * cleanly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keys.h"
#include "seal.h"
#include "util.h"

#define HDR 6
#define SLOT (32 + 32 + crypto_box_SEALBYTES)
#define NONCE 24
#define TAG 16

static const char body[] = "{\"subject\":\"ping\",\"body\":\"Are you there?\","
    "\"tlp\":\"AMBER\",\"lang\":\"en\",\"sent\":1763820000000}";

static struct keypair **
devices(size_t n)
{
	struct keypair **k = xcalloc(n, sizeof(*k));

	for (size_t i = 0; i < n; i++) {
		k[i] = keypair_new("XA", 1);
		assert_non_null(k[i]);
	}
	return k;
}

static struct seal_recipient *
recipients(struct keypair **k, size_t n)
{
	struct seal_recipient *r = xcalloc(n, sizeof(*r));

	for (size_t i = 0; i < n; i++) {
		memcpy(r[i].device, k[i]->pk, 32);
		memcpy(r[i].box_pk, k[i]->box_pk, 32);
	}
	return r;
}

static void
free_devices(struct keypair **k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		keypair_free(k[i]);
	free(k);
}

/* Decrypts for k: 1 opened to the original body, 0 refused.  Opening to
 * anything else fails the test. */
static int
opens(const uint8_t *p, size_t len, const struct keypair *k)
{
	struct buf out = {0};
	int rc;

	buf_addstr(&out, "pre");
	rc = seal_decrypt(&out, p, len, k);
	if (rc != 0) {
		assert_int_equal(out.len, 3);		/* nothing appended */
		buf_free(&out);
		return 0;
	}
	assert_int_equal(out.len, 3 + strlen(body));
	assert_memory_equal(out.p + 3, body, strlen(body));
	buf_free(&out);
	return 1;
}

static void
check_n(size_t n)
{
	struct keypair **k = devices(n), *outsider = keypair_new("XA", 1);
	struct seal_recipient *r = recipients(k, n);
	struct buf p = {0};
	uint8_t (*devs)[32] = NULL;
	size_t got;

	assert_int_equal(seal_encrypt(&p, body, strlen(body), r, n), 0);
	assert_int_equal(p.len, HDR + n * SLOT + NONCE + strlen(body) + TAG);
	assert_memory_equal(p.p, "RSP1", 4);
	assert_int_equal((size_t)p.p[4] << 8 | p.p[5], n);
	for (size_t i = 0; i < n; i++)
		assert_true(opens(p.p, p.len, k[i]));
	rs_seterr("none");
	assert_false(opens(p.p, p.len, outsider));
	assert_non_null(strstr(rs_err(), "not among"));
	/* The body is not there in clear. */
	assert_null(memmem(p.p, p.len, "Are you there", 13));

	assert_int_equal(seal_recipients(p.p, p.len, &devs, &got), 0);
	assert_int_equal(got, n);
	for (size_t i = 0; i < n; i++)
		assert_memory_equal(devs[i], k[i]->pk, 32);
	free(devs);

	/* Two encryptions of the same body differ (fresh key and nonce). */
	struct buf q = {0};
	assert_int_equal(seal_encrypt(&q, body, strlen(body), r, n), 0);
	assert_int_equal(q.len, p.len);
	assert_memory_not_equal(q.p + HDR + n * SLOT, p.p + HDR + n * SLOT,
	    NONCE + strlen(body) + TAG);
	buf_free(&q);

	buf_free(&p);
	free(r);
	keypair_free(outsider);
	free_devices(k, n);
}

static void
test_one(void **state)
{
	check_n(1);
}

static void
test_three(void **state)
{
	check_n(3);
}

static void
test_two_hundred(void **state)
{
	check_n(200);
}

static void
test_empty_and_appending(void **state)
{
	struct keypair **k = devices(1);
	struct seal_recipient *r = recipients(k, 1);
	struct buf p = {0}, out = {0};

	/* An empty body. */
	assert_int_equal(seal_encrypt(&p, "", 0, r, 1), 0);
	assert_int_equal(p.len, HDR + SLOT + NONCE + TAG);
	assert_int_equal(seal_decrypt(&out, p.p, p.len, k[0]), 0);
	assert_int_equal(out.len, 0);
	buf_free(&out);
	/* seal_encrypt appends to what out holds. */
	buf_free(&p);
	buf_addstr(&p, "XY");
	assert_int_equal(seal_encrypt(&p, body, strlen(body), r, 1), 0);
	assert_memory_equal(p.p, "XY", 2);
	assert_true(opens(p.p + 2, p.len - 2, k[0]));
	buf_free(&p);
	free(r);
	free_devices(k, 1);
}

static void
test_every_byte_flip(void **state)
{
	const size_t n = 3;
	struct keypair **k = devices(n);
	struct seal_recipient *r = recipients(k, n);
	struct buf p = {0};
	size_t refused_all = 0;

	assert_int_equal(seal_encrypt(&p, body, strlen(body), r, n), 0);
	uint8_t *c = xmalloc(p.len);
	for (size_t off = 0; off < p.len; off++) {
		const uint8_t masks[] = { 0x01, 0x80, 0xff };
		for (size_t m = 0; m < sizeof(masks); m++) {
			memcpy(c, p.p, p.len);
			c[off] ^= masks[m];
			int ok[3], nok = 0;
			for (size_t i = 0; i < n; i++)
				nok += ok[i] = opens(c, p.len, k[i]);
			if (off < HDR || off >= HDR + n * SLOT) {
				/* Magic, count, nonce, ciphertext, tag: nobody. */
				if (nok != 0)
					fail_msg("byte %zu ^ 0x%02x: %d recipients still "
					    "open the body", off, masks[m], nok);
				refused_all++;
			} else {
				/* A slot: at least its own device fails. */
				size_t s = (off - HDR) / SLOT;
				if (ok[s])
					fail_msg("byte %zu ^ 0x%02x of slot %zu: its "
					    "device still opens the body", off, masks[m], s);
			}
		}
	}
	printf("%zu payload bytes flipped, %zu refused by every recipient\n",
	    p.len, refused_all);
	free(c);
	buf_free(&p);
	free(r);
	free_devices(k, n);
}

static void
test_truncation(void **state)
{
	const size_t n = 3;
	struct keypair **k = devices(n);
	struct seal_recipient *r = recipients(k, n);
	struct buf p = {0};
	uint8_t (*devs)[32];
	size_t got;

	assert_int_equal(seal_encrypt(&p, body, strlen(body), r, n), 0);
	for (size_t len = 0; len < p.len; len++) {
		/* Exact copies, so a read past len is caught by ASan. */
		uint8_t *c = xmalloc(len ? len : 1);
		memcpy(c, p.p, len);
		for (size_t i = 0; i < n; i++)
			assert_false(opens(c, len, k[i]));
		devs = NULL;
		int rc = seal_recipients(c, len, &devs, &got);
		if (len < HDR + n * SLOT + NONCE + TAG) {
			assert_int_not_equal(rc, 0);
			assert_null(devs);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(got, n);
			free(devs);
		}
		free(c);
	}
	/* Extra bytes after the tag: the body fails authentication. */
	buf_add(&p, "z", 1);
	for (size_t i = 0; i < n; i++)
		assert_false(opens(p.p, p.len, k[i]));
	buf_free(&p);
	free(r);
	free_devices(k, n);
}

static void
test_counts(void **state)
{
	struct keypair **k = devices(2);
	struct seal_recipient *r = xcalloc(SEAL_MAX_RECIPIENTS + 1, sizeof(*r));
	struct buf p = {0};
	uint8_t (*devs)[32];
	size_t got;

	/* n = 0 and n > SEAL_MAX_RECIPIENTS: refused, nothing written. */
	rs_seterr("none");
	assert_int_not_equal(seal_encrypt(&p, body, strlen(body), r, 0), 0);
	assert_non_null(strstr(rs_err(), "recipient"));
	assert_int_equal(p.len, 0);
	for (size_t i = 0; i <= SEAL_MAX_RECIPIENTS; i++) {
		struct keypair *who = k[i == SEAL_MAX_RECIPIENTS - 1 ? 1 : 0];
		memcpy(r[i].device, who->pk, 32);
		memcpy(r[i].box_pk, who->box_pk, 32);
		r[i].device[31] ^= (uint8_t)i;	/* names differ, boxes repeat */
		r[i].device[30] ^= (uint8_t)(i >> 8);
	}
	memcpy(r[SEAL_MAX_RECIPIENTS - 1].device, k[1]->pk, 32);
	assert_int_not_equal(seal_encrypt(&p, body, strlen(body), r,
	    SEAL_MAX_RECIPIENTS + 1), 0);
	assert_int_equal(p.len, 0);
	assert_int_not_equal(seal_encrypt(&p, body, strlen(body), r, 65536 + 1), 0);
	assert_int_equal(p.len, 0);

	/* Exactly SEAL_MAX_RECIPIENTS: fine; the last slot opens. */
	assert_int_equal(seal_encrypt(&p, body, strlen(body), r,
	    SEAL_MAX_RECIPIENTS), 0);
	assert_true(opens(p.p, p.len, k[1]));
	assert_int_equal(seal_recipients(p.p, p.len, &devs, &got), 0);
	assert_int_equal(got, SEAL_MAX_RECIPIENTS);
	assert_memory_equal(devs[SEAL_MAX_RECIPIENTS - 1], k[1]->pk, 32);
	free(devs);
	buf_free(&p);

	/* A payload that says n = 0. */
	assert_int_equal(seal_encrypt(&p, body, strlen(body), r, 1), 0);
	p.p[4] = p.p[5] = 0;
	devs = NULL;
	assert_int_not_equal(seal_recipients(p.p, p.len, &devs, &got), 0);
	assert_null(devs);
	assert_false(opens(p.p, p.len, k[0]));
	/* n larger than the slots present. */
	p.p[5] = 2;
	assert_int_not_equal(seal_recipients(p.p, p.len, &devs, &got), 0);
	p.p[4] = 0xff;
	p.p[5] = 0xff;
	assert_int_not_equal(seal_recipients(p.p, p.len, &devs, &got), 0);
	/* Not a sealed payload at all. */
	assert_int_not_equal(seal_recipients((const uint8_t *)"{\"a\":1}", 7, &devs, &got), 0);
	assert_int_not_equal(seal_recipients((const uint8_t *)"", 0, &devs, &got), 0);
	buf_free(&p);

	/* A recipient with an invalid box key (all zeros, a low-order point). */
	memset(r[0].box_pk, 0, 32);
	assert_int_not_equal(seal_encrypt(&p, body, strlen(body), r, 1), 0);
	buf_free(&p);
	free(r);
	free_devices(k, 2);
}

static void
test_wrong_keys(void **state)
{
	struct keypair **k = devices(2), *nobox = keypair_new("XA", 0);
	struct seal_recipient *r = recipients(k, 2);
	struct buf p = {0}, out = {0};

	assert_int_equal(seal_encrypt(&p, body, strlen(body), r, 2), 0);
	/* A key without an encryption part. */
	memcpy(nobox->pk, k[0]->pk, 32);
	rs_seterr("none");
	assert_int_not_equal(seal_decrypt(&out, p.p, p.len, nobox), 0);
	assert_non_null(strstr(rs_err(), "cannot decrypt"));
	/* The right slot name with another device's box key. */
	struct keypair *impostor = keypair_new("XA", 1);
	memcpy(impostor->pk, k[0]->pk, 32);
	assert_false(opens(p.p, p.len, impostor));
	/* Slots swapped between the two devices: each finds its name over
	 * the other's sealed key and fails. */
	uint8_t tmp[32];
	memcpy(tmp, p.p + HDR, 32);
	memcpy(p.p + HDR, p.p + HDR + SLOT, 32);
	memcpy(p.p + HDR + SLOT, tmp, 32);
	assert_false(opens(p.p, p.len, k[0]));
	assert_false(opens(p.p, p.len, k[1]));
	keypair_free(impostor);
	keypair_free(nobox);
	buf_free(&out);
	buf_free(&p);
	free(r);
	free_devices(k, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one),
		cmocka_unit_test(test_three),
		cmocka_unit_test(test_two_hundred),
		cmocka_unit_test(test_empty_and_appending),
		cmocka_unit_test(test_every_byte_flip),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_wrong_keys),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
