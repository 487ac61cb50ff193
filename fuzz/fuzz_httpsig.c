/*
 * fuzz_httpsig.c - libFuzzer target for httpsig_verify.
 *
 * The first byte picks a mode:
 *   even: the rest is split at NUL bytes into Content-Digest, Signature-Input,
 *         Signature, target and body, and verified as is.  This explores the
 *         parsers with arbitrary header values.
 *   odd:  a valid signature is made for the body (the whole rest), then the
 *         following bytes of input flip bytes of the three headers.  This
 *         reaches the digest, window and Ed25519 checks with values that are
 *         nearly right, which random bytes alone never are.
 * Either way verification must fail or succeed cleanly: never crash, never
 * read past a string.  A successful verification of a mutated header is a
 * bug (the headers' bytes are all covered) and aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "httpsig.h"
#include "util.h"

#define NOW 1700000000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Next NUL-terminated piece of data, copied to a fresh string. */
static char *
piece(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *s = *p, *z = s;
	char *out;

	while (z < end && *z != 0)
		z++;
	out = xmalloc((size_t)(z - s) + 1);
	memcpy(out, s, (size_t)(z - s));
	out[z - s] = '\0';
	*p = z < end ? z + 1 : end;
	return out;
}

static void
raw_mode(const uint8_t *p, const uint8_t *end)
{
	char *dg = piece(&p, end), *in = piece(&p, end), *sg = piece(&p, end);
	char *tg = piece(&p, end);
	uint8_t key[32];
	char nonce[33];

	(void)httpsig_verify("POST", tg, p, (size_t)(end - p), dg, in, sg, NOW,
	    key, nonce);
	(void)httpsig_verify("GET", tg, NULL, 0, dg[0] ? dg : NULL, in, sg,
	    NOW, key, nonce);
	free(dg);
	free(in);
	free(sg);
	free(tg);
}

static void
mutate_mode(const uint8_t *p, const uint8_t *end)
{
	static uint8_t pk[32], sk[64];
	static int have_key;
	struct httpsig_headers hs, orig;
	char *fields[3] = { hs.digest, hs.input, hs.signature };
	uint8_t key[32];
	char nonce[33];
	size_t len = (size_t)(end - p), nmut = len < 8 ? len / 2 : 4;

	if (!have_key) {
		uint8_t seed[32] = { 1 };
		crypto_sign_seed_keypair(pk, sk, seed);
		have_key = 1;
	}
	/* The last nmut pairs of bytes are (field/offset, new value). */
	httpsig_sign(&hs, "POST", "/v1/x", p, len - 2 * nmut, NOW, pk, sk);
	orig = hs;
	for (size_t i = 0; i < nmut; i++) {
		const uint8_t *m = end - 2 * (i + 1);
		char *f = fields[m[0] % 3];
		size_t flen = strlen(f);
		if (flen > 0)
			f[(m[0] / 3) % flen] = (char)m[1];
	}
	if (httpsig_verify("POST", "/v1/x", p, len - 2 * nmut, hs.digest,
	    hs.input, hs.signature, NOW, key, nonce) == 0 &&
	    memcmp(&hs, &orig, sizeof(hs)) != 0 &&
	    (strcmp(hs.digest, orig.digest) != 0 ||
	    strcmp(hs.input, orig.input) != 0 ||
	    strcmp(hs.signature, orig.signature) != 0))
		abort();	/* a changed header still verified */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (sodium_init() < 0)
		abort();
	if (data[0] & 1)
		mutate_mode(data + 1, data + size);
	else
		raw_mode(data + 1, data + size);
	return 0;
}
