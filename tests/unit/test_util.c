/*
 * test_util.c - encodings, buffers and files: the bottom layer every parser
 * of network and disk input stands on.
 *
 * The decoders must accept exactly one spelling of each value: a lenient
 * base64 decoder (libsodium 1.0.18 reads bytes >= 0x80 as '/' and ignores
 * non-zero padding bits) would give one signed value many encodings, so the
 * refusals are tested as carefully as the round trips.  The file helpers must
 * leave either the old or the new file, with the mode asked for, refuse
 * oversized input, and leave the caller's buffer as it was when they fail
 * (callers return without freeing it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "util.h"
#include "tmpdir.h"

static size_t
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* ---- hex ---------------------------------------------------------------- */

static void
test_hex_round_trip(void **state)
{
	uint8_t in[256], out[256];
	size_t n;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	for (size_t len = 0; len <= sizeof(in); len += 17) {
		char *h = hex_encode(in, len);
		assert_int_equal(strlen(h), len * 2);
		for (size_t i = 0; h[i]; i++)
			assert_true((h[i] >= '0' && h[i] <= '9') ||
			    (h[i] >= 'a' && h[i] <= 'f'));
		assert_int_equal(hex_decode(out, sizeof(out), &n, h), 0);
		assert_int_equal(n, len);
		assert_memory_equal(out, in, len);
		assert_int_equal(hex_decode_exact(out, len, h), 0);
		assert_memory_equal(out, in, len);
		free(h);
	}
	char *h = hex_encode((const uint8_t *)"\x00\xff\x10", 3);
	assert_string_equal(h, "00ff10");
	free(h);
}

static void
test_hex_refusals(void **state)
{
	uint8_t out[40];
	size_t n;
	const char *bad[] = { "0", "abc", "0g", "zz", "12 34", " 1234", "1234 ",
	    "12:34", "0x12", "-1", "\xc3\xa9", NULL };

	for (int i = 0; bad[i] != NULL; i++) {
		rs_seterr("none");
		assert_int_not_equal(hex_decode(out, sizeof(out), &n, bad[i]), 0);
		assert_non_null(strstr(rs_err(), "hex"));
	}
	/* Never more than outmax bytes. */
	memset(out, 0xee, sizeof(out));
	assert_int_not_equal(hex_decode(out, 2, &n, "010203"), 0);
	assert_int_equal(out[2], 0xee);

	/* hex_decode_exact: exactly 2n digits. */
	char h64[66], *full;
	uint8_t k[32];
	for (size_t i = 0; i < 32; i++)
		k[i] = (uint8_t)(i * 7 + 1);
	full = hex_encode(k, 32);
	assert_int_equal(hex_decode_exact(out, 32, full), 0);
	assert_memory_equal(out, k, 32);
	memcpy(h64, full, 63);
	h64[63] = '\0';					/* odd */
	assert_int_not_equal(hex_decode_exact(out, 32, h64), 0);
	assert_non_null(strstr(rs_err(), "32 bytes"));
	h64[62] = '\0';					/* 31 bytes */
	assert_int_not_equal(hex_decode_exact(out, 32, h64), 0);
	snprintf(h64, sizeof(h64), "%s00", full);	/* 33 bytes */
	assert_int_not_equal(hex_decode_exact(out, 32, h64), 0);
	snprintf(h64, sizeof(h64), "%s", full);
	h64[10] = 'x';
	assert_int_not_equal(hex_decode_exact(out, 32, h64), 0);
	assert_int_not_equal(hex_decode_exact(out, 32, NULL), 0);
	assert_int_not_equal(hex_decode_exact(out, 32, ""), 0);
	assert_int_equal(hex_decode_exact(out, 0, ""), 0);
	free(full);
}

/* ---- base64 ------------------------------------------------------------- */

static void
test_b64_round_trip(void **state)
{
	uint8_t in[300];
	struct buf b = {0};

	randombytes_buf(in, sizeof(in));
	for (size_t len = 0; len <= sizeof(in); len++) {
		char *s = b64_encode(in, len);
		assert_int_equal(strlen(s), (len + 2) / 3 * 4);
		b.len = 0;
		assert_int_equal(b64_decode(&b, s, strlen(s)), 0);
		assert_int_equal(b.len, len);
		if (len > 0)
			assert_memory_equal(b.p, in, len);
		free(s);
	}
	/* Known answers (RFC 4648 section 10). */
	const char *plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	const char *enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
	    "Zm9vYmFy" };
	for (int i = 0; i < 7; i++) {
		char *s = b64_encode((const uint8_t *)plain[i], strlen(plain[i]));
		assert_string_equal(s, enc[i]);
		free(s);
		b.len = 0;
		assert_int_equal(b64_decode(&b, enc[i], strlen(enc[i])), 0);
		assert_int_equal(b.len, strlen(plain[i]));
		if (b.len)
			assert_memory_equal(b.p, plain[i], b.len);
	}
	/* Decoding appends. */
	b.len = 0;
	buf_addstr(&b, "x:");
	assert_int_equal(b64_decode(&b, "Zm9v", 4), 0);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.p, "x:foo", 5);
	buf_free(&b);
}

static void
expect_b64_refused(const char *in, size_t len)
{
	struct buf b = {0};

	buf_addstr(&b, "keep");
	rs_seterr("none");
	if (b64_decode(&b, in, len) == 0)
		fail_msg("base64 \"%.*s\" (%zu bytes) was accepted", (int)len, in, len);
	assert_non_null(strstr(rs_err(), "base64"));
	assert_int_equal(b.len, 4);		/* nothing appended */
	assert_memory_equal(b.p, "keep", 4);
	buf_free(&b);
}

static void
test_b64_refusals(void **state)
{
	const char *bad[] = {
		"QR==",		/* non-zero padding bits: "QQ==" is canonical */
		"QQ=",		/* short padding */
		"QQ",		/* missing padding */
		"QUI",		/* missing padding */
		"QUJ=",		/* non-zero padding bits: "QUI=" */
		"Q===", "=", "==", "====", "A", "AB", "ABC",
		"QQ==QQ==",	/* padding in the middle */
		"QQ== ", " QQ==", "QQ\n==", "Zm9v\n",
		"Zm9v-_==",	/* URL-safe alphabet */
		"Zm9\x80", "Zm9\xff", "\x80\x80\x80\x80", "Zm\xc3\xa9",
		"Zm9v!", "Zm9vYg=", "Zm9vYg===",
		NULL
	};

	for (int i = 0; bad[i] != NULL; i++)
		expect_b64_refused(bad[i], strlen(bad[i]));
	/* Embedded NUL: the length given counts it. */
	expect_b64_refused("QQ==\0", 5);
	expect_b64_refused("QQ\0=", 4);
	expect_b64_refused("\0\0\0\0", 4);
	expect_b64_refused("Zm9v\0Zm9v", 9);

	/*
	 * One byte is "XY==": X carries 6 bits, Y the last 2 in its top bits
	 * and 4 padding bits that must be zero.  Of the 64 choices of Y, the
	 * 16 with the same top bits decode to the same byte; exactly one (the
	 * encoder's) may be accepted.
	 */
	const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (int x = 0; x < 64; x++) {
		for (int y = 0; y < 64; y++) {
			char s[5] = { alpha[x], alpha[y], '=', '=', 0 };
			struct buf b = {0};
			int ok = b64_decode(&b, s, 4) == 0;
			if ((y & 15) != 0) {
				if (ok)
					fail_msg("non-canonical \"%s\" accepted", s);
			} else {
				assert_true(ok);
				assert_int_equal(b.len, 1);
				assert_int_equal(b.p[0], (uint8_t)(x << 2 | y >> 4));
				char *c = b64_encode(b.p, 1);
				assert_string_equal(c, s);
				free(c);
			}
			buf_free(&b);
		}
	}
	/* The same for two bytes: "XYZ=", Z has 2 padding bits. */
	for (int z = 0; z < 64; z++) {
		char s[5] = { 'Q', 'U', alpha[z], '=', 0 };
		struct buf b = {0};
		int ok = b64_decode(&b, s, 4) == 0;
		assert_int_equal(ok, (z & 3) == 0);
		buf_free(&b);
	}
	/* Each byte >= 0x80 in any position of a valid string is refused. */
	for (int v = 0x80; v < 0x100; v++) {
		for (int pos = 0; pos < 8; pos++) {
			char s[9] = "Zm9vYmFy";
			s[pos] = (char)v;
			expect_b64_refused(s, 8);
		}
	}
}

/* ---- buffers ------------------------------------------------------------ */

static void
test_buf_growth(void **state)
{
	struct buf b = {0};
	uint8_t expect[10000];

	for (size_t i = 0; i < sizeof(expect); i++) {
		uint8_t c = (uint8_t)(i * 31 + 7);
		expect[i] = c;
		buf_add(&b, &c, 1);
		assert_int_equal(b.len, i + 1);
		assert_true(b.cap > b.len);	/* room for buf_cstr's NUL */
	}
	assert_memory_equal(b.p, expect, sizeof(expect));
	buf_add(&b, NULL, 0);
	assert_int_equal(b.len, sizeof(expect));
	buf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);

	/* A large append in one go, onto an empty buffer. */
	uint8_t *big = xmalloc(1 << 20);
	memset(big, 0x5a, 1 << 20);
	buf_add(&b, big, 1 << 20);
	assert_int_equal(b.len, 1 << 20);
	assert_memory_equal(b.p, big, 1 << 20);
	free(big);
	buf_free(&b);

	/* buf_cstr terminates without counting the NUL. */
	buf_addstr(&b, "abc");
	assert_string_equal(buf_cstr(&b), "abc");
	assert_int_equal(b.len, 3);
	buf_free(&b);
	assert_string_equal(buf_cstr(&b), "");
	assert_int_equal(b.len, 0);
	buf_free(&b);

	/* buf_printf, short and long. */
	buf_printf(&b, "%d-%s", 42, "x");
	assert_string_equal(buf_cstr(&b), "42-x");
	char *longs = xmalloc(5001);
	memset(longs, 'q', 5000);
	longs[5000] = '\0';
	buf_printf(&b, "[%s]", longs);
	assert_int_equal(b.len, 4 + 5002);
	assert_int_equal(b.p[4], '[');
	assert_int_equal(b.p[4 + 5001], ']');
	assert_int_equal(strlen(buf_cstr(&b)), b.len);
	free(longs);
	buf_free(&b);

	/* Big-endian integers. */
	buf_add_u32be(&b, 0x01020304);
	buf_add_u64be(&b, 0x1122334455667788ULL);
	assert_int_equal(b.len, 12);
	assert_memory_equal(b.p, "\x01\x02\x03\x04\x11\x22\x33\x44\x55\x66\x77\x88", 12);
	assert_int_equal(get_u32be(b.p), 0x01020304);
	assert_true(get_u64be(b.p + 4) == 0x1122334455667788ULL);
	uint8_t t[8];
	put_u64be(t, UINT64_MAX);
	assert_true(get_u64be(t) == UINT64_MAX);
	put_u32be(t, 0x80000000u);
	assert_int_equal(t[0], 0x80);
	assert_true(get_u32be(t) == 0x80000000u);
	buf_free(&b);
}

/* ---- files -------------------------------------------------------------- */

static void
test_write_file_atomic(void **state)
{
	char *p = path_in(state, "f.json");
	struct buf b = {0};
	struct stat st;
	mode_t old = umask(022);

	assert_int_equal(write_file_atomic(p, "first", 5, 0600), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(read_file(p, &b, 100), 0);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.p, "first", 5);
	buf_free(&b);

	/* Replaced, with the new mode, and no temporary file left behind. */
	assert_int_equal(write_file_atomic(p, "second!", 7, 0644), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(read_file(p, &b, 100), 0);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.p, "second!", 7);
	buf_free(&b);
	assert_int_equal(count_entries(*state), 1);

	/* Empty file. */
	assert_int_equal(write_file_atomic(p, "", 0, 0600), 0);
	assert_int_equal(read_file(p, &b, 100), 0);
	assert_int_equal(b.len, 0);
	buf_free(&b);

	/* A large one. */
	size_t n = 3u << 20;
	uint8_t *big = xmalloc(n);
	for (size_t i = 0; i < n; i++)
		big[i] = (uint8_t)(i ^ (i >> 9));
	assert_int_equal(write_file_atomic(p, big, n, 0600), 0);
	assert_int_equal(read_file(p, &b, n), 0);
	assert_int_equal(b.len, n);
	assert_memory_equal(b.p, big, n);
	buf_free(&b);
	free(big);

	/* Failure: directory missing; the error names the file. */
	char *q = path_in(state, "missing/f.json");
	rs_seterr("none");
	assert_int_not_equal(write_file_atomic(q, "x", 1, 0600), 0);
	assert_non_null(strstr(rs_err(), "missing/f.json"));
	assert_int_equal(count_entries(*state), 1);

	/* Failure: path is a directory (rename fails); temp file cleaned up. */
	char *dpath = path_in(state, "adir");
	assert_int_equal(mkdir(dpath, 0700), 0);
	char *inner = path_in(state, "adir/x");
	assert_int_equal(write_file_atomic(inner, "x", 1, 0600), 0);
	assert_int_not_equal(write_file_atomic(dpath, "y", 1, 0600), 0);
	assert_int_equal(count_entries(*state), 2);	/* f.json, adir */
	assert_int_equal(unlink(inner), 0);
	assert_int_equal(rmdir(dpath), 0);
	umask(old);
	free(inner);
	free(dpath);
	free(q);
	free(p);
}

static void
test_read_file_limit(void **state)
{
	char *p = path_in(state, "ten");
	struct buf b = {0};

	assert_int_equal(write_file_atomic(p, "0123456789", 10, 0600), 0);
	assert_int_equal(read_file(p, &b, 10), 0);		/* exactly the limit */
	assert_int_equal(b.len, 10);
	buf_free(&b);
	rs_seterr("none");
	assert_int_not_equal(read_file(p, &b, 9), 0);
	assert_non_null(strstr(rs_err(), "too large"));
	assert_null(b.p);
	assert_int_not_equal(read_file(p, &b, 0), 0);
	buf_free(&b);

	/* Appends to what the buffer holds. */
	buf_addstr(&b, "pre:");
	assert_int_equal(read_file(p, &b, 10), 0);
	assert_int_equal(b.len, 14);
	assert_memory_equal(b.p, "pre:0123456789", 14);
	buf_free(&b);

	/* Missing file. */
	char *m = path_in(state, "nope");
	rs_seterr("none");
	assert_int_not_equal(read_file(m, &b, 100), 0);
	assert_non_null(strstr(rs_err(), "nope"));
	free(m);

	/*
	 * Failures after reading started: a stream past the limit and a
	 * directory (open succeeds, read fails).  The buffer must be as it was,
	 * so a caller that returns without freeing it leaks nothing (this runs
	 * under LeakSanitizer).
	 */
	struct buf keep = {0};
	buf_addstr(&keep, "keep");
	assert_int_not_equal(read_file("/dev/zero", &b, 100000), 0);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_not_equal(read_file("/dev/zero", &keep, 100000), 0);
	assert_int_equal(keep.len, 4);
	assert_memory_equal(keep.p, "keep", 4);
	assert_int_not_equal(read_file(*state, &b, 100), 0);
	assert_null(b.p);
	assert_int_not_equal(read_file(*state, &keep, 100), 0);
	assert_int_equal(keep.len, 4);
	buf_free(&keep);
	free(p);
}

static void
test_mkdir_p(void **state)
{
	char *p = path_in(state, "a/b/c");
	struct stat st;

	assert_int_equal(mkdir_p(p, 0700), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(mkdir_p(p, 0700), 0);		/* exists: fine */
	free(p);
	p = path_in(state, "file");
	assert_int_equal(write_file_atomic(p, "x", 1, 0600), 0);
	free(p);
	p = path_in(state, "file/sub");
	assert_int_not_equal(mkdir_p(p, 0700), 0);
	free(p);
}

/* ---- small things ------------------------------------------------------- */

static void
test_valid_state(void **state)
{
	const char *good[] = { "XA", "FR", "AZ", "ZZ", "AA", NULL };
	const char *bad[] = { "", "X", "XAB", "xa", "Xa", "xA", "X1", "1X", "X ",
	    " X", "@A", "[A", "A@", "A[", "\xc3\x89", "X\n", NULL };

	for (int i = 0; good[i] != NULL; i++)
		assert_true(valid_state(good[i]));
	for (int i = 0; bad[i] != NULL; i++)
		assert_false(valid_state(bad[i]));
	assert_false(valid_state(NULL));
}

static void
test_fingerprint(void **state)
{
	uint8_t pk[32], h[32];
	char fpr[RS_FPR_LEN], want[RS_FPR_LEN + 8];

	for (int round = 0; round < 50; round++) {
		randombytes_buf(pk, sizeof(pk));
		memset(fpr, 'Z', sizeof(fpr));
		fingerprint(fpr, pk);
		/* 8 groups of 4 lower-case hex digits, single spaces. */
		assert_int_equal(strlen(fpr), RS_FPR_LEN - 1);
		for (int i = 0; i < RS_FPR_LEN - 1; i++) {
			if (i % 5 == 4)
				assert_int_equal(fpr[i], ' ');
			else
				assert_true((fpr[i] >= '0' && fpr[i] <= '9') ||
				    (fpr[i] >= 'a' && fpr[i] <= 'f'));
		}
		/* The first 16 bytes of SHA-256(pk). */
		crypto_hash_sha256(h, pk, 32);
		size_t o = 0;
		for (int i = 0; i < 16; i += 2)
			o += (size_t)sprintf(want + o, "%s%02x%02x", i ? " " : "",
			    h[i], h[i + 1]);
		assert_string_equal(fpr, want);
	}
	/* A known answer: SHA-256 of 32 zero bytes begins 66687aadf862bd77. */
	memset(pk, 0, sizeof(pk));
	fingerprint(fpr, pk);
	assert_string_equal(fpr, "6668 7aad f862 bd77 6c8f c18b 8e9f 8e20");
}

static void
test_errors(void **state)
{
	char big[RS_ERRLEN * 2];

	rs_seterr("field \"%s\" is %d", "x", 3);
	assert_string_equal(rs_err(), "field \"x\" is 3");
	memset(big, 'e', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rs_seterr("%s", big);
	assert_int_equal(strlen(rs_err()), RS_ERRLEN - 1);
	rs_seterr("%s", "");
	assert_string_equal(rs_err(), "unknown error");
}

static void
test_deadline_policy(void **state)
{
	int64_t ms[URGENCY_LEVELS];

	/* The defaults keep the rule, and so does every maximum. */
	assert_int_equal(deadline_policy_check(urgency_default_deadline_ms), 0);
	assert_int_equal(deadline_policy_check(urgency_max_deadline_ms), 0);
	/* Equal deadlines are allowed; a flash one longer than urgent is not. */
	for (int i = 0; i < URGENCY_LEVELS; i++)
		ms[i] = 3600000;
	assert_int_equal(deadline_policy_check(ms), 0);
	ms[0] = 3600001;
	assert_int_equal(deadline_policy_check(ms), -1);
	assert_non_null(strstr(rs_err(), "urgent"));
	/* Each bound, by one millisecond. */
	for (int u = 0; u < URGENCY_LEVELS; u++) {
		memcpy(ms, urgency_max_deadline_ms, sizeof(ms));
		ms[u] = urgency_max_deadline_ms[u] + 1;
		assert_int_equal(deadline_policy_check(ms), -1);
		memcpy(ms, urgency_default_deadline_ms, sizeof(ms));
		for (int i = 0; i <= u; i++)
			ms[i] = 1000;
		assert_int_equal(deadline_policy_check(ms), 0);
		ms[u] = 999;
		assert_int_equal(deadline_policy_check(ms), -1);
		ms[u] = -1;	/* what policy.c reads for a missing field */
		assert_int_equal(deadline_policy_check(ms), -1);
	}
	/* Ten years for flash, the attack the rule is for. */
	memcpy(ms, urgency_default_deadline_ms, sizeof(ms));
	ms[0] = 10LL * 365 * 86400000;
	assert_int_equal(deadline_policy_check(ms), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_round_trip),
		cmocka_unit_test(test_hex_refusals),
		cmocka_unit_test(test_b64_round_trip),
		cmocka_unit_test(test_b64_refusals),
		cmocka_unit_test(test_buf_growth),
		cmocka_unit_test_setup_teardown(test_write_file_atomic, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_read_file_limit, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_mkdir_p, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test(test_valid_state),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_deadline_policy),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
