/*
 * tokens.c - per-tool API tokens for the TAXII server (see tokens.h).
 *
 * A token is 32 random bytes, written "rtk_" and 43 characters of URL-safe
 * base64 so that a leaked one is recognisable in a log or a repository.
 * The node keeps only its SHA-256: the secret has 256 bits of entropy, so
 * a slow hash would add nothing, and a stolen node.db gives no working
 * token.  The secret is printed once, by `roster token add`.
 *
 * A token names the collections it may use (their aliases, which are
 * stable: from-XC may be named before XC ever sent anything) or all of
 * them, and whether it may write; writing is posting to an outbox, which
 * signs a message with this node's device key, so it is a separate grant.
 * Revocation takes effect on the next request: every request looks the
 * token up.
 */
#include "tokens.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "collections.h"
#include "jsonutil.h"

int
token_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= TOKEN_NAME_MAX &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* A collection alias as a token may name it (it need not exist yet). */
static int
alias_ok(const char *a)
{
	size_t n = strlen(a);

	if (strcmp(a, "received") == 0 || strcmp(a, "sent") == 0)
		return 1;
	if (strncmp(a, "from-", 5) == 0)
		return n == 7 && a[5] >= 'A' && a[5] <= 'Z' && a[6] >= 'A' && a[6] <= 'Z';
	if (strncmp(a, "group-", 6) == 0)
		return n > 6 && n - 6 <= DIR_GROUP_NAME_MAX;
	return coll_outbox_name_ok(a);
}

int
token_create(struct node *n, const char *name, const char *colls, int write,
    char secret[TOKEN_SECRET_LEN])
{
	uint8_t raw[32];
	struct taxii_token t;
	json_t *list = json_array();
	char *copy = xstrdup(colls), *item, *save = NULL;
	int rc = -1;

	memset(&t, 0, sizeof(t));
	secret[0] = '\0';
	if (!token_name_ok(name)) {
		rs_seterr("token name %.64s: 1 to %d of a-z, 0-9, '.', '_' and '-'", name,
		    TOKEN_NAME_MAX);
		goto out;
	}
	if (strcmp(colls, "all") == 0)
		json_array_append_new(list, json_string("*"));
	else
		for (item = strtok_r(copy, ",", &save); item != NULL;
		    item = strtok_r(NULL, ",", &save)) {
			if (!alias_ok(item)) {
				rs_seterr("--collections: %.64s is not a collection's alias "
				    "(received, sent, from-XA, group-NAME, an outbox's name) "
				    "nor \"all\"", item);
				goto out;
			}
			json_array_append_new(list, json_string(item));
		}
	if (json_array_size(list) == 0) {
		rs_seterr("--collections: name at least one (or all)");
		goto out;
	}
	randombytes_buf(raw, sizeof(raw));
	memcpy(secret, TOKEN_PREFIX, strlen(TOKEN_PREFIX));
	sodium_bin2base64(secret + strlen(TOKEN_PREFIX), TOKEN_SECRET_LEN - strlen(TOKEN_PREFIX),
	    raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	snprintf(t.name, sizeof(t.name), "%s", name);
	crypto_hash_sha256(t.hash, (const uint8_t *)secret, strlen(secret));
	t.colls = jdump(list);
	t.write = write != 0;
	t.created = now_ms();
	switch (store_taxii_token_add(n, &t)) {
	case STORE_OK:
		rc = 0;
		break;
	case STORE_DUPLICATE:
		rs_seterr("there is already a token %s (revoke it first: `roster token revoke "
		    "%s`)", name, name);
		break;
	default:
		break;
	}
	free(t.colls);
out:
	if (rc != 0)
		sodium_memzero(secret, TOKEN_SECRET_LEN);
	free(copy);
	json_decref(list);
	return rc;
}

enum store_result
token_check(struct node *n, const char *secret, struct taxii_token *t)
{
	uint8_t h[32];
	enum store_result r;

	memset(t, 0, sizeof(*t));
	if (strncmp(secret, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0 ||
	    strlen(secret) != TOKEN_SECRET_LEN - 1)
		return STORE_NOT_FOUND;
	crypto_hash_sha256(h, (const uint8_t *)secret, strlen(secret));
	r = store_taxii_token_get(n, h, t);
	if (r == STORE_OK && ((!MUTANT(taxiirevoked) && t->revoked != 0) ||
	    sodium_memcmp(t->hash, h, 32) != 0)) {
		taxii_token_free(t);
		r = STORE_NOT_FOUND;
	}
	return r;
}

int
token_covers(const struct taxii_token *t, const char *alias)
{
	json_t *list = t->colls != NULL ? jparse(t->colls, strlen(t->colls)) : NULL, *v;
	size_t i;
	int yes = 0;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && (strcmp(json_string_value(v), "*") == 0 ||
		    strcmp(json_string_value(v), alias) == 0))
			yes = 1;
	json_decref(list);
	return yes;
}
