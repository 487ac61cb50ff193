/*
 * auth.c - who is asking the TAXII server: a tool's token or a person's
 * account, and never nobody (TAXII has no anonymous reading here: every
 * collection holds what a State received).
 *
 * Tokens (node/core/tokens.h) come as "Authorization: Bearer rtk_..." or
 * as HTTP Basic with the token's name as the user and the secret as the
 * password, which is what most TAXII clients (taxii2-client, MISP,
 * OpenCTI) can send.  A token is looked up by the SHA-256 of its secret on
 * every request, so a revocation holds from the next one.
 *
 * Accounts (the web interface's, `roster user add`) come as HTTP Basic.
 * Their passwords are Argon2id hashes, deliberately slow, so the check runs
 * outside the front ends' lock, unknown names cost the same as known
 * ones, failures count in the same kind of limiter as the web's sign-in
 * (lib/websession.h: failures lock an account's name for a while, and all
 * tries together are rate-limited), and a password that checked is
 * remembered for five minutes under a keyed hash (a tool
 * polling every few seconds would otherwise burn a core).  The cache entry
 * also holds a hash of the account's stored password hash, compared on
 * each use, so a changed password ends it at once.  An account reads
 * every collection and writes none: writing signs a message with the
 * node's key, which is a token's explicit grant (`roster token add
 * --write`).
 *
 * A missing, malformed or wrong credential is a 401 with the challenge
 * TAXII clients expect (RFC 7235): both schemes, realm "roster TAXII".
 */
#include "taxii_impl.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/accounts.h"
#include "core/tokens.h"

#define CHALLENGE "Basic realm=\"roster TAXII\", charset=\"UTF-8\", Bearer realm=\"roster TAXII\""

void
taxii_who_free(struct who *who)
{
	if (who->token)
		taxii_token_free(&who->t);
	sodium_memzero(who, sizeof(*who));
}

static void
unauthorized(struct http_resp *resp, const char *why)
{
	taxii_header(resp, "WWW-Authenticate", CHALLENGE);
	taxii_fail(resp, 401, "Unauthorized", "%s", why);
}

static void
cache_key(struct taxii *x, const char *user, const char *pw, uint8_t out[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, x->cache_key, sizeof(x->cache_key), 32);
	crypto_generichash_update(&st, (const uint8_t *)user, strlen(user) + 1);
	crypto_generichash_update(&st, (const uint8_t *)pw, strlen(pw));
	crypto_generichash_final(&st, out, 32);
}

/* Was this password checked lately against this stored hash? */
static int
cached(struct taxii *x, const uint8_t key[32], const uint8_t hash[32])
{
	int64_t now = now_ms();
	int hit = 0;

	pthread_mutex_lock(&x->cache_mu);
	for (int i = 0; i < TAXII_CACHE; i++)
		if (x->cache[i].until > now && sodium_memcmp(x->cache[i].key, key, 32) == 0 &&
		    sodium_memcmp(x->cache[i].hash, hash, 32) == 0)
			hit = 1;
	pthread_mutex_unlock(&x->cache_mu);
	return hit;
}

static void
remember(struct taxii *x, const uint8_t key[32], const uint8_t hash[32], const char *user)
{
	int64_t now = now_ms();
	int slot = 0;

	pthread_mutex_lock(&x->cache_mu);
	for (int i = 0; i < TAXII_CACHE; i++)
		if (x->cache[i].until < x->cache[slot].until)
			slot = i;		/* the oldest (or an empty one) */
	memcpy(x->cache[slot].key, key, 32);
	memcpy(x->cache[slot].hash, hash, 32);
	snprintf(x->cache[slot].user, sizeof(x->cache[slot].user), "%.32s", user);
	x->cache[slot].until = now + TAXII_CACHE_MS;
	pthread_mutex_unlock(&x->cache_mu);
}

static int
account(struct taxii *x, const char *user, const char *pw, struct who *who,
    struct http_resp *resp)
{
	struct account a;
	enum store_result found;
	uint8_t key[32], hash[32];
	int64_t wait;
	int ok;

	memset(&a, 0, sizeof(a));
	if (!ws_valid_name(user)) {
		unauthorized(resp, "wrong name, password or token");
		return -1;
	}
	pthread_mutex_lock(x->lock);
	found = store_account_get(x->n, user, &a);
	pthread_mutex_unlock(x->lock);
	if (found == STORE_ERROR) {
		taxii_fail(resp, 500, "Store error", "cannot read the accounts: %s", rs_err());
		return -1;
	}
	cache_key(x, user, pw, key);
	crypto_generichash(hash, sizeof(hash), (const uint8_t *)a.hash, strlen(a.hash), NULL, 0);
	/* a password that checked lately is no guess: no hash, no limiter */
	if (found == STORE_OK && cached(x, key, hash)) {
		sodium_memzero(&a, sizeof(a));
		goto signed_in;
	}
	/* counted per name for accounts only (names nobody can evict), and
	 * against the rate of all tries whatever the name, as the web's */
	if ((wait = ws_rate_wait(x->limiter, user, found == STORE_OK, now_ms())) > 0) {
		char s[32];
		sodium_memzero(&a, sizeof(a));
		snprintf(s, sizeof(s), "%lld", (long long)wait);
		taxii_header(resp, "Retry-After", s);
		taxii_fail(resp, 429, "Too Many Requests", "too many failed sign-ins for %s: "
		    "try again in %s s", user, s);
		return -1;
	}
	if (found == STORE_NOT_FOUND) {
		(void)ws_check_password(x->dummy_hash, pw);	/* same time as a real check */
		ok = 0;
	} else
		ok = ws_check_password(a.hash, pw) == 0;
	sodium_memzero(&a, sizeof(a));
	if (!ok) {
		ws_rate_failed(x->limiter, user, found == STORE_OK, now_ms());
		unauthorized(resp, "wrong name, password or token");
		return -1;
	}
	ws_rate_passed(x->limiter, user);
	remember(x, key, hash, user);
signed_in:
	who->account = 1;
	snprintf(who->name, sizeof(who->name), "%.32s", user);
	return 0;
}

static int
token(struct taxii *x, const char *user, const char *secret, struct who *who,
    struct http_resp *resp)
{
	enum store_result r;

	pthread_mutex_lock(x->lock);
	r = token_check(x->n, secret, &who->t);
	if (r == STORE_OK && store_taxii_token_used(x->n, who->t.name, now_ms()) != 0)
		r = STORE_OK;	/* the "last used" stamp is bookkeeping: the request goes on */
	pthread_mutex_unlock(x->lock);
	if (r == STORE_ERROR) {
		taxii_fail(resp, 500, "Store error", "cannot read the tokens: %s", rs_err());
		return -1;
	}
	/* with Basic, the user must be the token's name */
	if (r != STORE_OK || (user != NULL && strcmp(user, who->t.name) != 0)) {
		if (r == STORE_OK)
			taxii_token_free(&who->t);
		unauthorized(resp, "wrong name, password or token (or the token was revoked)");
		return -1;
	}
	who->token = 1;
	snprintf(who->name, sizeof(who->name), "token:%.32s", who->t.name);
	return 0;
}

int
taxii_identify(struct taxii *x, const struct http_req *req, struct who *who,
    struct http_resp *resp)
{
	char user[WS_NAME_MAX + 40], secret[256];
	int rc = -1;

	memset(who, 0, sizeof(*who));
	switch (taxii_auth_parse(http_req_header(req, "Authorization"), user, sizeof(user),
	    secret, sizeof(secret))) {
	case TAXII_AUTH_NONE:
		unauthorized(resp, "this TAXII server needs a token (roster token add) or an "
		    "account (roster user add)");
		break;
	case TAXII_AUTH_MALFORMED:
		unauthorized(resp, "the Authorization header is neither Basic nor Bearer "
		    "credentials");
		break;
	case TAXII_AUTH_BEARER:
		rc = token(x, NULL, secret, who, resp);
		break;
	case TAXII_AUTH_BASIC:
		if (strncmp(secret, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) == 0)
			rc = token(x, user, secret, who, resp);
		else
			rc = account(x, user, secret, who, resp);
		break;
	}
	sodium_memzero(secret, sizeof(secret));
	return rc;
}
