/*
 * keys.h - signing and encryption keys, and the files that hold them.
 *
 * Three kinds of signing key: the operator's (signs admissions, checkpoints
 * and receipts), a State's root key (certifies and revokes its devices; kept
 * offline by the State's administrator), and a device key (a POC's node:
 * signs messages, acknowledgements, cosignatures).  A device also has an
 * X25519 key that messages are encrypted to.
 *
 * Secret key files are JSON; the secret part is sealed with
 * XChaCha20-Poly1305 (crypto_secretbox) under a key derived from the
 * passphrase with Argon2id.  Secrets live in sodium_malloc'd memory and are
 * wiped when freed.  The operator key is the exception: a daemon must start
 * unattended, so it is stored unsealed with mode 0600, like a TLS server key
 * (docs/operations.md says why that is acceptable).
 */
#ifndef ROSTER_KEYS_H
#define ROSTER_KEYS_H

#include <stdint.h>

struct keypair {
	uint8_t pk[32];		/* Ed25519 public */
	uint8_t sk[64];		/* Ed25519 secret */
	uint8_t box_pk[32];	/* X25519 public (devices only) */
	uint8_t box_sk[32];	/* X25519 secret (devices only) */
	int has_box;
	char state[3];		/* "" for the operator */
};

#define KEY_OPERATOR "operator-key"
#define KEY_ROOT "root-key"
#define KEY_DEVICE "device-key"

/* Allocates in protected memory; NULL on failure with rs_err. */
struct keypair *keypair_new(const char *state, int with_box);
void keypair_free(struct keypair *k);

/* pass NULL writes the file unsealed (operator key only). */
int keyfile_write(const char *path, const char *type, const struct keypair *k,
    const char *pass);
/* Reads a secret key file of the given type; pass may be NULL for an unsealed
 * file.  A wrong passphrase is a clear error, not garbage keys. */
struct keypair *keyfile_read(const char *path, const char *type, const char *pass);

/* Public key files: {"roster":"root-key.pub","state":"XA","sign_pk":"hex"} */
int pubfile_write(const char *path, const char *type, const char *state,
    const uint8_t pk[32]);
int pubfile_read(const char *path, const char *type, char state[3], uint8_t pk[32]);

#endif
