/*
 * seal.c - see seal.h.  The content key and the plaintext copy are wiped as
 * soon as they are no longer needed.
 */
#include "seal.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#define SEAL_MAGIC "RSP1"
#define SEAL_AD "roster-payload-v1"
#define SLOT (32 + 32 + crypto_box_SEALBYTES)
#define NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG crypto_aead_xchacha20poly1305_ietf_ABYTES

int
seal_encrypt(struct buf *out, const void *plain, size_t len,
    const struct seal_recipient *r, size_t n)
{
	uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES], nonce[NONCE];
	unsigned long long clen;

	if (n == 0 || n > SEAL_MAX_RECIPIENTS) {
		rs_seterr("a message needs between 1 and %d recipient devices", SEAL_MAX_RECIPIENTS);
		return -1;
	}
	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	randombytes_buf(nonce, sizeof(nonce));
	buf_add(out, SEAL_MAGIC, 4);
	uint8_t nn[2] = { (uint8_t)(n >> 8), (uint8_t)n };
	buf_add(out, nn, 2);
	for (size_t i = 0; i < n; i++) {
		uint8_t slot[SLOT];
		memcpy(slot, r[i].device, 32);
		if (crypto_box_seal(slot + 32, key, sizeof(key), r[i].box_pk) != 0) {
			sodium_memzero(key, sizeof(key));
			rs_seterr("cannot encrypt to recipient %zu (bad key)", i);
			return -1;
		}
		buf_add(out, slot, SLOT);
	}
	buf_add(out, nonce, NONCE);
	buf_reserve(out, len + TAG);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out->p + out->len, &clen,
	    plain, len, (const uint8_t *)SEAL_AD, strlen(SEAL_AD), NULL, nonce, key);
	out->len += (size_t)clen;
	sodium_memzero(key, sizeof(key));
	return 0;
}

static int
seal_header(const uint8_t *payload, size_t len, size_t *n)
{
	if (len < 6 || memcmp(payload, SEAL_MAGIC, 4) != 0) {
		rs_seterr("payload is not an encrypted roster payload");
		return -1;
	}
	*n = (size_t)payload[4] << 8 | payload[5];
	if (*n == 0 || (len - 6) / SLOT < *n || len - 6 - *n * SLOT < NONCE + TAG) {
		rs_seterr("encrypted payload is truncated");
		return -1;
	}
	return 0;
}

int
seal_recipients(const uint8_t *payload, size_t len, uint8_t (**devices)[32],
    size_t *n)
{
	if (seal_header(payload, len, n) != 0)
		return -1;
	*devices = xcalloc(*n, 32);
	for (size_t i = 0; i < *n; i++)
		memcpy((*devices)[i], payload + 6 + i * SLOT, 32);
	return 0;
}

/* Opens the body with the content key (step two of seal_decrypt). */
int
seal_decrypt_with_key(struct buf *out, const uint8_t *payload, size_t len,
    const uint8_t key[SEAL_KEY_LEN])
{
	const uint8_t *nonce, *ct;
	unsigned long long plen;
	size_t n, clen;

	if (seal_header(payload, len, &n) != 0)
		return -1;
	nonce = payload + 6 + n * SLOT;
	ct = nonce + NONCE;
	clen = len - 6 - n * SLOT - NONCE;
	buf_reserve(out, clen);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out->p + out->len, &plen,
	    NULL, ct, clen, (const uint8_t *)SEAL_AD, strlen(SEAL_AD), nonce, key) != 0) {
		rs_seterr("message body fails authentication");
		return -1;
	}
	out->len += (size_t)plen;
	return 0;
}

int
seal_content_key(uint8_t key[SEAL_KEY_LEN], const uint8_t *payload, size_t len,
    const struct keypair *k)
{
	const uint8_t *slot = NULL;
	size_t n;

	if (!k->has_box) {
		rs_seterr("this key cannot decrypt (no encryption key)");
		return -1;
	}
	if (seal_header(payload, len, &n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *s = payload + 6 + i * SLOT;
		if (sodium_memcmp(s, k->pk, 32) == 0) {
			slot = s;
			break;
		}
	}
	if (slot == NULL) {
		rs_seterr("this device is not among the message's recipients");
		return -1;
	}
	if (crypto_box_seal_open(key, slot + 32, SLOT - 32, k->box_pk, k->box_sk) != 0) {
		rs_seterr("cannot open the content key for this device");
		return -1;
	}
	return 0;
}

int
seal_decrypt(struct buf *out, const uint8_t *payload, size_t len,
    const struct keypair *k)
{
	uint8_t key[SEAL_KEY_LEN];
	int rc;

	if (seal_content_key(key, payload, len, k) != 0)
		return -1;
	rc = seal_decrypt_with_key(out, payload, len, key);
	sodium_memzero(key, sizeof(key));
	return rc;
}
