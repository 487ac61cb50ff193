/*
 * keys.c - key generation and key files.
 *
 * File format (secret):
 *   {"roster":"device-key","state":"XA","sign_pk":"<hex>","box_pk":"<hex>",
 *    "kdf":{"alg":"argon2id13","ops":3,"mem":67108864,"salt":"<b64>"},
 *    "nonce":"<b64>","sealed":"<b64>"}
 * sealed = crypto_secretbox_easy(sign_sk[64] || box_sk[32]?), key from
 * Argon2id(passphrase, salt).  An unsealed file has "kdf":null and "secret"
 * in place of nonce/sealed.  The public keys are repeated in clear so a file
 * can be identified without the passphrase, and are checked against the
 * secret keys after unsealing, so a file edited to show a different public
 * key is refused.
 */
#include "keys.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <jansson.h>

#include "jsonutil.h"
#include "util.h"

#define KDF_OPS 3
#define KDF_MEM (64u << 20)
#define SECRET_MAX 96

struct keypair *
keypair_new(const char *state, int with_box)
{
	struct keypair *k = sodium_malloc(sizeof(*k));

	if (k == NULL) {
		rs_seterr("cannot allocate protected memory for a key");
		return NULL;
	}
	memset(k, 0, sizeof(*k));
	crypto_sign_keypair(k->pk, k->sk);
	if (with_box) {
		crypto_box_keypair(k->box_pk, k->box_sk);
		k->has_box = 1;
	}
	if (state != NULL)
		snprintf(k->state, sizeof(k->state), "%s", state);
	return k;
}

void
keypair_free(struct keypair *k)
{
	if (k != NULL)
		sodium_free(k);	/* wipes */
}

static size_t
secret_pack(const struct keypair *k, uint8_t out[SECRET_MAX])
{
	memcpy(out, k->sk, 64);
	if (!k->has_box)
		return 64;
	memcpy(out + 64, k->box_sk, 32);
	return 96;
}

int
keyfile_write(const char *path, const char *type, const struct keypair *k,
    const char *pass)
{
	uint8_t secret[SECRET_MAX], salt[crypto_pwhash_SALTBYTES];
	uint8_t nonce[crypto_secretbox_NONCEBYTES], key[crypto_secretbox_KEYBYTES];
	uint8_t sealed[SECRET_MAX + crypto_secretbox_MACBYTES];
	size_t n = secret_pack(k, secret);
	json_t *j = json_object();
	char *text;
	int rc;

	json_object_set_new(j, "roster", json_string(type));
	json_object_set_new(j, "state", json_string(k->state));
	json_object_set_new(j, "sign_pk", jhex(k->pk, 32));
	if (k->has_box)
		json_object_set_new(j, "box_pk", jhex(k->box_pk, 32));
	if (pass == NULL) {
		json_object_set_new(j, "kdf", json_null());
		json_object_set_new(j, "secret", jb64(secret, n));
	} else {
		randombytes_buf(salt, sizeof(salt));
		randombytes_buf(nonce, sizeof(nonce));
		if (crypto_pwhash(key, sizeof(key), pass, strlen(pass), salt,
		    KDF_OPS, KDF_MEM, crypto_pwhash_ALG_ARGON2ID13) != 0) {
			rs_seterr("key derivation failed (out of memory?)");
			json_decref(j);
			sodium_memzero(secret, sizeof(secret));
			return -1;
		}
		crypto_secretbox_easy(sealed, secret, n, nonce, key);
		json_t *kdf = json_object();
		json_object_set_new(kdf, "alg", json_string("argon2id13"));
		json_object_set_new(kdf, "ops", json_integer(KDF_OPS));
		json_object_set_new(kdf, "mem", json_integer(KDF_MEM));
		json_object_set_new(kdf, "salt", jb64(salt, sizeof(salt)));
		json_object_set_new(j, "kdf", kdf);
		json_object_set_new(j, "nonce", jb64(nonce, sizeof(nonce)));
		json_object_set_new(j, "sealed", jb64(sealed, n + crypto_secretbox_MACBYTES));
	}
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(key, sizeof(key));
	text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	rc = write_file_atomic(path, text, strlen(text), 0600);
	free(text);
	return rc;
}

static int
unseal(json_t *j, const char *pass, uint8_t secret[SECRET_MAX], size_t *n)
{
	json_t *kdf = json_object_get(j, "kdf");
	struct buf salt = {0}, nonce = {0}, sealed = {0};
	uint8_t key[crypto_secretbox_KEYBYTES];
	int64_t ops, mem;
	int rc = -1;

	if (json_is_null(kdf)) {
		struct buf s = {0};
		if (jb64_req(j, "secret", &s) != 0 || (s.len != 64 && s.len != 96)) {
			rs_seterr("key file: malformed secret");
			if (s.p != NULL)
				sodium_memzero(s.p, s.cap);
			buf_free(&s);
			goto out;
		}
		memcpy(secret, s.p, s.len);
		*n = s.len;
		sodium_memzero(s.p, s.len);
		buf_free(&s);
		return 0;
	}
	if (pass == NULL) {
		rs_seterr("this key file is protected by a passphrase: use --passphrase-file or ROSTER_PASSPHRASE");
		return -1;
	}
	if (!json_is_object(kdf)) {
		rs_seterr("key file: field \"kdf\" must be an object or null");
		goto out;
	}
	if (jint_req(kdf, "ops", &ops) != 0 ||
	    jint_req(kdf, "mem", &mem) != 0 || jb64_req(kdf, "salt", &salt) != 0 ||
	    jb64_req(j, "nonce", &nonce) != 0 || jb64_req(j, "sealed", &sealed) != 0)
		goto out;
	if (salt.len != crypto_pwhash_SALTBYTES ||
	    nonce.len != crypto_secretbox_NONCEBYTES ||
	    (sealed.len != 64 + crypto_secretbox_MACBYTES &&
	    sealed.len != 96 + crypto_secretbox_MACBYTES) ||
	    ops < 1 || ops > 20 || mem < 8192 || mem > (1ll << 32)) {
		rs_seterr("key file: malformed sealed part");
		goto out;
	}
	if (crypto_pwhash(key, sizeof(key), pass, strlen(pass), salt.p,
	    (unsigned long long)ops, (size_t)mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		rs_seterr("key derivation failed (out of memory?)");
		goto out;
	}
	*n = sealed.len - crypto_secretbox_MACBYTES;
	if (crypto_secretbox_open_easy(secret, sealed.p, sealed.len, nonce.p, key) != 0) {
		rs_seterr("wrong passphrase (or the key file was altered)");
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(key, sizeof(key));
	buf_free(&salt);
	buf_free(&nonce);
	buf_free(&sealed);
	return rc;
}

struct keypair *
keyfile_read(const char *path, const char *type, const char *pass)
{
	struct buf b = {0};
	uint8_t secret[SECRET_MAX], pk[32];
	size_t n = 0;
	struct keypair *k = NULL;
	json_t *j;
	const char *t, *st;

	if (read_file(path, &b, 65536) != 0)
		return NULL;
	j = jparse(b.p, b.len);
	buf_free(&b);
	if (j == NULL) {
		rs_seterr("%s is not a roster key file", path);
		return NULL;
	}
	if ((t = jstr(j, "roster")) == NULL || strcmp(t, type) != 0) {
		rs_seterr("%s is not a %s file (it says %s)", path, type, t ? t : "nothing");
		goto out;
	}
	if (jhex32_req(j, "sign_pk", pk) != 0 || unseal(j, pass, secret, &n) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("%s: %s", path, why);
		goto out;
	}
	if ((k = keypair_new(NULL, 0)) == NULL)
		goto out;
	memcpy(k->sk, secret, 64);
	crypto_sign_ed25519_sk_to_pk(k->pk, k->sk);
	if (n == 96) {
		memcpy(k->box_sk, secret + 64, 32);
		crypto_scalarmult_base(k->box_pk, k->box_sk);
		k->has_box = 1;
	}
	uint8_t box[32];
	const char *bh = jstr(j, "box_pk");
	if (sodium_memcmp(k->pk, pk, 32) != 0 || (json_object_get(j, "box_pk") != NULL &&
	    (!k->has_box || bh == NULL || hex_decode_exact(box, 32, bh) != 0 ||
	    sodium_memcmp(box, k->box_pk, 32) != 0))) {
		rs_seterr("%s: public key does not match the secret key", path);
		keypair_free(k);
		k = NULL;
		goto out;
	}
	st = jstr(j, "state");
	snprintf(k->state, sizeof(k->state), "%s", st ? st : "");
out:
	sodium_memzero(secret, sizeof(secret));
	json_decref(j);
	return k;
}

int
pubfile_write(const char *path, const char *type, const char *state,
    const uint8_t pk[32])
{
	json_t *j = json_object();
	char t[64], *text;
	int rc;

	snprintf(t, sizeof(t), "%s.pub", type);
	json_object_set_new(j, "roster", json_string(t));
	json_object_set_new(j, "state", json_string(state ? state : ""));
	json_object_set_new(j, "sign_pk", jhex(pk, 32));
	text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	rc = write_file_atomic(path, text, strlen(text), 0644);
	free(text);
	return rc;
}

int
pubfile_read(const char *path, const char *type, char state[3], uint8_t pk[32])
{
	struct buf b = {0};
	char want[64];
	const char *t, *st;
	json_t *j;
	int rc = -1;

	if (read_file(path, &b, 65536) != 0)
		return -1;
	j = jparse(b.p, b.len);
	buf_free(&b);
	if (j == NULL) {
		rs_seterr("%s is not a roster public key file", path);
		return -1;
	}
	snprintf(want, sizeof(want), "%s.pub", type);
	if ((t = jstr(j, "roster")) == NULL || strcmp(t, want) != 0) {
		rs_seterr("%s is not a %s file", path, want);
		goto out;
	}
	if (jhex32_req(j, "sign_pk", pk) != 0)
		goto out;
	st = jstr(j, "state");
	snprintf(state, 3, "%s", st ? st : "");
	rc = 0;
out:
	json_decref(j);
	return rc;
}
