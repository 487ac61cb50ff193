/*
 * httpsig.h - request authentication: an RFC 9421-style Ed25519 signature over
 * the method, the target (path and query), the creation time, a nonce and the
 * body's digest.  Nodes sign their requests with a device key; the hub checks
 * the signature, the time window and the nonce, then looks the key up in the
 * directory.  No passwords, no bearer tokens: a captured request cannot be
 * replayed (nonce), altered (digest) or re-aimed at another path (target).
 *
 * Headers sent:
 *   Content-Digest: sha-256=:<base64>:
 *   Signature-Input: sig1=("@method" "@target-uri" "content-digest");created=<unix s>;keyid="<hex pk>";nonce="<hex>";alg="ed25519"
 *   Signature: sig1=:<base64 64-byte signature>:
 * The signature base is built as RFC 9421 section 2.5 describes, one line per
 * covered component and the "@signature-params" line last; docs/protocol.md
 * gives it byte for byte.
 */
#ifndef ROSTER_HTTPSIG_H
#define ROSTER_HTTPSIG_H

#include <stddef.h>
#include <stdint.h>

#define HTTPSIG_WINDOW_S 300	/* accepted clock skew either way */

struct httpsig_headers {
	char digest[80];		/* Content-Digest value */
	char input[400];		/* Signature-Input value */
	char signature[128];		/* Signature value */
};

/* Fills the three header values for a request.  created is Unix seconds. */
void httpsig_sign(struct httpsig_headers *h, const char *method,
    const char *target, const void *body, size_t len, int64_t created,
    const uint8_t pk[32], const uint8_t sk[64]);

/* The same for a body streamed later: the caller gives its SHA-256, computed
 * beforehand. */
void httpsig_sign_digest(struct httpsig_headers *h, const char *method,
    const char *target, const uint8_t digest[32], int64_t created,
    const uint8_t pk[32], const uint8_t sk[64]);

/* Parses and verifies the three header values (any may be NULL: then fails).
 * On success returns 0 and the signer's key and nonce.  Checks the digest, the
 * signature and |created - now| <= HTTPSIG_WINDOW_S; not the nonce's
 * freshness, which is nonce_seen's job. */
int httpsig_verify(const char *method, const char *target, const void *body,
    size_t len, const char *digest, const char *input, const char *signature,
    int64_t now, uint8_t keyid[32], char nonce[33]);

/* The same before a streamed body arrives: verifies everything but the
 * body, and gives the SHA-256 the signed Content-Digest claims, which the
 * caller must compare with the body's once it has it all. */
int httpsig_verify_digest(const char *method, const char *target,
    const char *digest, const char *input, const char *signature,
    int64_t now, uint8_t keyid[32], char nonce[33], uint8_t claimed[32]);

/* A bounded memory of recent nonces (thread-safe).  Returns 1 when the nonce
 * was already seen within the window (a replay), 0 when it is new (and now
 * remembered). */
struct nonce_cache;
struct nonce_cache *nonce_cache_new(void);
/* Same, remembering at most max nonces (0 or over 1,000,000: 1,000,000);
 * past the bound the oldest are forgotten first. */
struct nonce_cache *nonce_cache_new_bounded(size_t max);
void nonce_cache_free(struct nonce_cache *c);
int nonce_seen(struct nonce_cache *c, const char *nonce, int64_t now);

#endif
