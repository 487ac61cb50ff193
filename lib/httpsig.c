/*
 * httpsig.c - Ed25519 request signatures in the style of RFC 9421, and a
 * bounded memory of the nonces already used.
 *
 * A signed request carries three headers (see httpsig.h).  The signature base
 * is, byte for byte, with "\n" between lines and none after the last:
 *
 *   "@method": POST
 *   "@target-uri": /v1/mail?after=3
 *   "content-digest": sha-256=:<base64 of SHA-256(body)>:
 *   "@signature-params": ("@method" "@target-uri" "content-digest");created=1700000000;keyid="<64 hex>";nonce="<32 hex>";alg="ed25519"
 *
 * Deviation from RFC 9421: there "@target-uri" is the full URI with scheme
 * and authority.  We deliberately sign only the request target (path and
 * query, exactly as sent on the request line) because the node and the hub
 * may see different host names and schemes behind reverse proxies and TLS
 * terminators; the path and query are what the hub acts on, and they are the
 * same on both sides.
 *
 * The verifier accepts exactly the one form the signer produces: the same
 * label, the same component list in the same order, the same parameters in
 * the same order, lower-case hex.  A strict parser has no corner cases for
 * an attacker to explore, and the "@signature-params" line is then simply the
 * received value after "sig1=", so nothing is re-serialized.
 *
 * The nonce cache is a FIFO ring of (keyed hash of nonce, time) in arrival
 * order plus an open-addressing index into the ring.  Expired entries leave
 * from the head; when the ring is at its bound the oldest entry is evicted
 * (a flood can then only shorten how long a nonce is remembered, never grow
 * memory).  Nonces are hashed with a random per-cache key (BLAKE2b), so a
 * client choosing nonces cannot aim at hash-table collisions.
 */
#include "httpsig.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util.h"

#define SIG_LABEL	"sig1="
#define SIG_COMPONENTS	"(\"@method\" \"@target-uri\" \"content-digest\")"
#define DIGEST_PREFIX	"sha-256=:"
#define DIGEST_B64_LEN	44	/* base64 of 32 bytes, padded */
#define SIG_B64_LEN	88	/* base64 of 64 bytes, padded */
#define CREATED_MAXDIG	18	/* fits int64 without overflow checks */

static void
sodium_ready(void)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "roster: cannot initialise libsodium\n");
		abort();
	}
}

static void
b64_into(char *out, size_t outmax, const uint8_t *in, size_t len)
{
	sodium_bin2base64(out, outmax, in, len, sodium_base64_VARIANT_ORIGINAL);
}

static void
digest_value(char out[80], const uint8_t h[32])
{
	char b[DIGEST_B64_LEN + 1];

	b64_into(b, sizeof(b), h, 32);
	snprintf(out, 80, DIGEST_PREFIX "%s:", b);
}

/* The signature base; params is the Signature-Input value after "sig1=". */
static void
signature_base(struct buf *b, const char *method, const char *target,
    const char *digest, const char *params)
{
	buf_printf(b, "\"@method\": %s\n", method);
	buf_printf(b, "\"@target-uri\": %s\n", target);
	buf_printf(b, "\"content-digest\": %s\n", digest);
	buf_printf(b, "\"@signature-params\": %s", params);
}

void
httpsig_sign(struct httpsig_headers *h, const char *method,
    const char *target, const void *body, size_t len, int64_t created,
    const uint8_t pk[32], const uint8_t sk[64])
{
	uint8_t d[32];

	sha256(d, body != NULL ? body : "", body != NULL ? len : 0);
	httpsig_sign_digest(h, method, target, d, created, pk, sk);
}

void
httpsig_sign_digest(struct httpsig_headers *h, const char *method,
    const char *target, const uint8_t digest[32], int64_t created,
    const uint8_t pk[32], const uint8_t sk[64])
{
	uint8_t nonce[16], sig[64];
	char keyhex[65], noncehex[33], sigb64[SIG_B64_LEN + 1];
	struct buf base = {0};
	const char *params;

	sodium_ready();
	randombytes_buf(nonce, sizeof(nonce));
	sodium_bin2hex(keyhex, sizeof(keyhex), pk, 32);
	sodium_bin2hex(noncehex, sizeof(noncehex), nonce, sizeof(nonce));

	digest_value(h->digest, digest);
	snprintf(h->input, sizeof(h->input), SIG_LABEL SIG_COMPONENTS
	    ";created=%" PRId64 ";keyid=\"%s\";nonce=\"%s\";alg=\"ed25519\"",
	    created, keyhex, noncehex);
	params = h->input + strlen(SIG_LABEL);

	signature_base(&base, method, target, h->digest, params);
	crypto_sign_detached(sig, NULL, base.p, base.len, sk);
	b64_into(sigb64, sizeof(sigb64), sig, sizeof(sig));
	snprintf(h->signature, sizeof(h->signature), SIG_LABEL ":%s:", sigb64);

	sodium_memzero(base.p, base.len);
	buf_free(&base);
}

/* ---- verification ---------------------------------------------------- */

/* Consumes the literal lit at *p. */
static int
eat(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n) != 0)
		return -1;
	*p += n;
	return 0;
}

/* Copies exactly n lower-case hex digits at *p into out (NUL-terminated). */
static int
eat_hex(const char **p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		char c = (*p)[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -1;
		out[i] = c;
	}
	out[n] = '\0';
	*p += n;
	return 0;
}

/* A non-negative decimal integer without sign or leading zeros. */
static int
eat_int(const char **p, int64_t *v)
{
	const char *s = *p;
	int64_t x = 0;
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9') {
		if (n == CREATED_MAXDIG)
			return -1;
		x = x * 10 + (s[n] - '0');
		n++;
	}
	if (n == 0 || (n > 1 && s[0] == '0'))
		return -1;
	*v = x;
	*p = s + n;
	return 0;
}

struct siginput {
	int64_t created;
	char keyhex[65];
	char nonce[33];
	const char *params;	/* points into the header value */
};

static int
parse_input(const char *in, struct siginput *si)
{
	const char *p = in;

	if (eat(&p, SIG_LABEL) != 0)
		goto bad;
	si->params = p;
	if (eat(&p, SIG_COMPONENTS) != 0) {
		rs_seterr("request signature covers the wrong components "
		    "(expected %s)", SIG_COMPONENTS);
		return -1;
	}
	if (eat(&p, ";created=") != 0 || eat_int(&p, &si->created) != 0)
		goto bad;
	if (eat(&p, ";keyid=\"") != 0 || eat_hex(&p, 64, si->keyhex) != 0 ||
	    eat(&p, "\"") != 0)
		goto bad;
	if (eat(&p, ";nonce=\"") != 0 || eat_hex(&p, 32, si->nonce) != 0 ||
	    eat(&p, "\"") != 0)
		goto bad;
	if (eat(&p, ";alg=\"ed25519\"") != 0 || *p != '\0')
		goto bad;
	return 0;
bad:
	rs_seterr("malformed Signature-Input header (expected sig1=%s;"
	    "created=<unix seconds>;keyid=\"<64 hex>\";nonce=\"<32 hex>\";"
	    "alg=\"ed25519\")", SIG_COMPONENTS);
	return -1;
}

/* Only the base64 alphabet, '=' only as trailing padding.  Checked here
 * because libsodium 1.0.18's decoder takes every byte >= 0x80 for '/', which
 * would let one signature travel under many spellings. */
static int
b64_alphabet(const char *s, size_t n)
{
	size_t i = 0;

	for (; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/'))
			break;
	}
	if (n - i > 2)
		return 0;
	for (; i < n; i++)
		if (s[i] != '=')
			return 0;
	return 1;
}

/* "<prefix>:<b64 of n bytes>:" with the exact padded length b64len. */
static int
parse_b64_item(const char *v, const char *prefix, size_t b64len,
    uint8_t *out, size_t n)
{
	size_t plen = strlen(prefix);
	struct buf b = {0};
	int rc = -1;

	if (strncmp(v, prefix, plen) != 0 || v[plen] != ':' ||
	    strlen(v) != plen + 1 + b64len + 1 || v[plen + 1 + b64len] != ':')
		return -1;
	if (!b64_alphabet(v + plen + 1, b64len))
		return -1;
	if (b64_decode(&b, v + plen + 1, b64len) == 0 && b.len == n) {
		memcpy(out, b.p, n);
		rc = 0;
	}
	buf_free(&b);
	return rc;
}

/* Method and target go into the signature base one per line: refuse
 * anything that could forge an extra line. */
static int
printable(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

static int
check_window(int64_t created, int64_t now)
{
	uint64_t skew = created >= now ? (uint64_t)created - (uint64_t)now :
	    (uint64_t)now - (uint64_t)created;

	if (skew <= HTTPSIG_WINDOW_S)
		return 0;
	rs_seterr("request signature is %s by %" PRIu64 " seconds (limit %d s): "
	    "check the clock", created < now ? "too old" : "from the future",
	    skew, HTTPSIG_WINDOW_S);
	return -1;
}

static int verify(const char *method, const char *target, const uint8_t *want,
    const char *digest, const char *input, const char *signature,
    int64_t now, uint8_t keyid[32], char nonce[33], uint8_t claimed[32]);

int
httpsig_verify(const char *method, const char *target, const void *body,
    size_t len, const char *digest, const char *input, const char *signature,
    int64_t now, uint8_t keyid[32], char nonce[33])
{
	uint8_t claimed[32], want[32];

	sha256(want, body != NULL ? body : "", body != NULL ? len : 0);
	return verify(method, target, want, digest, input, signature, now,
	    keyid, nonce, claimed);
}

int
httpsig_verify_digest(const char *method, const char *target,
    const char *digest, const char *input, const char *signature,
    int64_t now, uint8_t keyid[32], char nonce[33], uint8_t claimed[32])
{
	return verify(method, target, NULL, digest, input, signature, now,
	    keyid, nonce, claimed);
}

/* want: the body's SHA-256, or NULL when the body comes later. */
static int
verify(const char *method, const char *target, const uint8_t *want,
    const char *digest, const char *input, const char *signature,
    int64_t now, uint8_t keyid[32], char nonce[33], uint8_t claimed[32])
{
	struct siginput si;
	uint8_t got[32], sig[64], pk[32];
	struct buf base = {0};
	int rc;

	sodium_ready();
	if (digest == NULL || input == NULL || signature == NULL) {
		rs_seterr("request is not signed (needs Content-Digest, "
		    "Signature-Input and Signature headers)");
		return -1;
	}
	if (method == NULL || target == NULL || !printable(method) ||
	    !printable(target)) {
		rs_seterr("request method or target cannot be signed");
		return -1;
	}
	if (parse_b64_item(digest, "sha-256=", DIGEST_B64_LEN, got, 32) != 0) {
		rs_seterr("malformed Content-Digest header (expected "
		    "sha-256=:<base64>:)");
		return -1;
	}
	if (parse_input(input, &si) != 0)
		return -1;
	if (parse_b64_item(signature, "sig1=", SIG_B64_LEN, sig, 64) != 0) {
		rs_seterr("malformed Signature header (expected "
		    "sig1=:<base64 of 64 bytes>:)");
		return -1;
	}
	if (want != NULL && sodium_memcmp(got, want, 32) != 0) {
		rs_seterr("request body does not match its Content-Digest");
		return -1;
	}
	if (check_window(si.created, now) != 0)
		return -1;
	if (hex_decode_exact(pk, 32, si.keyhex) != 0) {
		rs_seterr("malformed keyid in Signature-Input");
		return -1;
	}
	signature_base(&base, method, target, digest, si.params);
	rc = crypto_sign_verify_detached(sig, base.p, base.len, pk);
	buf_free(&base);
	if (rc != 0) {
		rs_seterr("request signature does not verify (wrong key, or "
		    "method, target or body changed)");
		return -1;
	}
	memcpy(keyid, pk, 32);
	memcpy(claimed, got, 32);
	memcpy(nonce, si.nonce, 33);
	return 0;
}

/* ---- nonce cache ----------------------------------------------------- */

#define NC_MAX		1000000	/* entries at most */
#define NC_INITIAL	1024
#define NC_EMPTY	UINT32_MAX
#define NC_TTL		((int64_t)HTTPSIG_WINDOW_S * 2)

struct nc_ent {
	uint8_t key[16];	/* keyed BLAKE2b of the nonce */
	int64_t t;		/* when it was first seen */
};

struct nonce_cache {
	pthread_mutex_t mu;
	uint8_t hkey[crypto_generichash_KEYBYTES];
	size_t max;		/* bound on entries */
	struct nc_ent *ring;	/* FIFO in arrival order */
	size_t cap, head, count;
	uint32_t *slot;		/* index: ring positions, NC_EMPTY if free */
	size_t nslot;		/* power of two, >= 2 * cap */
};

static size_t
nc_home(const struct nonce_cache *c, const uint8_t key[16])
{
	uint64_t h;

	memcpy(&h, key, sizeof(h));
	return (size_t)h & (c->nslot - 1);
}

/* Index slot holding key, or the free slot where it would go. */
static size_t
nc_find(const struct nonce_cache *c, const uint8_t key[16], int *found)
{
	size_t mask = c->nslot - 1, i = nc_home(c, key);

	*found = 0;
	while (c->slot[i] != NC_EMPTY) {
		if (memcmp(c->ring[c->slot[i]].key, key, 16) == 0) {
			*found = 1;
			break;
		}
		i = (i + 1) & mask;
	}
	return i;
}

/* Removes index slot i, shifting later members of the probe run back so
 * that lookups never stop early at the hole (linear probing deletion). */
static void
nc_unindex(struct nonce_cache *c, size_t i)
{
	size_t mask = c->nslot - 1, j = i, home;

	for (;;) {
		j = (j + 1) & mask;
		if (c->slot[j] == NC_EMPTY)
			break;
		home = nc_home(c, c->ring[c->slot[j]].key);
		/* Move j to i unless its home lies cyclically in (i, j]. */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			c->slot[i] = c->slot[j];
			i = j;
		}
	}
	c->slot[i] = NC_EMPTY;
}

static void
nc_pop(struct nonce_cache *c)
{
	int found;
	size_t i = nc_find(c, c->ring[c->head].key, &found);

	if (found)
		nc_unindex(c, i);
	c->head = (c->head + 1) % c->cap;
	c->count--;
}

static void
nc_reindex(struct nonce_cache *c)
{
	int found;

	for (size_t i = 0; i < c->nslot; i++)
		c->slot[i] = NC_EMPTY;
	for (size_t k = 0; k < c->count; k++) {
		size_t pos = (c->head + k) % c->cap;
		size_t i = nc_find(c, c->ring[pos].key, &found);
		c->slot[i] = (uint32_t)pos;
	}
}

/* Grows ring and index to newcap, keeping arrival order from position 0. */
static void
nc_grow(struct nonce_cache *c, size_t newcap)
{
	struct nc_ent *ring = xcalloc(newcap, sizeof(*ring));
	size_t nslot = 1;

	for (size_t k = 0; k < c->count; k++)
		ring[k] = c->ring[(c->head + k) % c->cap];
	while (nslot < newcap * 2)
		nslot *= 2;
	free(c->ring);
	free(c->slot);
	c->ring = ring;
	c->cap = newcap;
	c->head = 0;
	c->slot = xcalloc(nslot, sizeof(*c->slot));
	c->nslot = nslot;
	nc_reindex(c);
}

struct nonce_cache *
nonce_cache_new_bounded(size_t max)
{
	struct nonce_cache *c = xcalloc(1, sizeof(*c));

	sodium_ready();
	if (max == 0 || max > NC_MAX)
		max = NC_MAX;
	if (pthread_mutex_init(&c->mu, NULL) != 0) {
		free(c);
		rs_seterr("cannot create a mutex");
		return NULL;
	}
	crypto_generichash_keygen(c->hkey);
	c->max = max;
	nc_grow(c, max < NC_INITIAL ? max : NC_INITIAL);
	return c;
}

struct nonce_cache *
nonce_cache_new(void)
{
	return nonce_cache_new_bounded(NC_MAX);
}

void
nonce_cache_free(struct nonce_cache *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->mu);
	free(c->ring);
	free(c->slot);
	free(c);
}

static int
nc_expired(int64_t t, int64_t now)
{
	/* now - t > NC_TTL, without overflow for any pair of values. */
	return now > t && (uint64_t)now - (uint64_t)t > (uint64_t)NC_TTL;
}

int
nonce_seen(struct nonce_cache *c, const char *nonce, int64_t now)
{
	uint8_t key[16];
	size_t i, pos;
	int found;

	if (c == NULL || nonce == NULL)
		return 1;	/* cannot vouch for it: treat as a replay */
	crypto_generichash(key, sizeof(key), (const uint8_t *)nonce,
	    strlen(nonce), c->hkey, sizeof(c->hkey));

	if (pthread_mutex_lock(&c->mu) != 0)
		return 1;
	while (c->count > 0 && nc_expired(c->ring[c->head].t, now))
		nc_pop(c);
	i = nc_find(c, key, &found);
	if (found) {
		pthread_mutex_unlock(&c->mu);
		return 1;
	}
	if (c->count == c->cap) {
		if (c->cap < c->max)
			nc_grow(c, c->cap * 2 < c->max ? c->cap * 2 : c->max);
		else
			nc_pop(c);	/* at the bound: forget the oldest */
		i = nc_find(c, key, &found);
	}
	pos = (c->head + c->count) % c->cap;
	memcpy(c->ring[pos].key, key, sizeof(key));
	c->ring[pos].t = now;
	c->slot[i] = (uint32_t)pos;
	c->count++;
	pthread_mutex_unlock(&c->mu);
	return 0;
}
