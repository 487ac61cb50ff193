/*
 * seal.h - message bodies encrypted to many devices.
 *
 *   "RSP1"  u16be n  n x (device_key[32] sealed_content_key[80])
 *           nonce[24]  ciphertext (XChaCha20-Poly1305 IETF, tag included)
 *
 * A fresh random content key encrypts the body once; the key is wrapped for
 * each recipient device with a sealed box (X25519, anonymous: authenticity
 * comes from the envelope signature, which covers the payload digest).
 * device_key names the recipient by its Ed25519 key, so a node finds its slot
 * without trying every one.
 */
#ifndef ROSTER_SEAL_H
#define ROSTER_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "util.h"

#define SEAL_MAX_RECIPIENTS 4096
#define SEAL_KEY_LEN 32		/* the content key */

struct seal_recipient {
	uint8_t device[32];	/* Ed25519 key naming the device */
	uint8_t box_pk[32];	/* its X25519 key */
};

int seal_encrypt(struct buf *out, const void *plain, size_t len,
    const struct seal_recipient *r, size_t n);
/* Opens the payload for device k; -1 with rs_err when k is not a recipient
 * or anything fails to authenticate. */
int seal_decrypt(struct buf *out, const uint8_t *payload, size_t len,
    const struct keypair *k) __attribute__((warn_unused_result));
/* The two steps of seal_decrypt, for forwarding: a recipient can hand the
 * content key of a message it received to a third party, who can then read
 * exactly the bytes the original sender signed, and nothing else.  The
 * caller wipes key with sodium_memzero. */
int seal_content_key(uint8_t key[SEAL_KEY_LEN], const uint8_t *payload, size_t len,
    const struct keypair *k) __attribute__((warn_unused_result));
int seal_decrypt_with_key(struct buf *out, const uint8_t *payload, size_t len,
    const uint8_t key[SEAL_KEY_LEN]) __attribute__((warn_unused_result));
/* Lists the recipient device keys without decrypting (for checks). */
int seal_recipients(const uint8_t *payload, size_t len, uint8_t (**devices)[32],
    size_t *n);

#endif
