/*
 * accounts.c - creating an account and changing its password (see
 * accounts.h): the password's Argon2id hash and the account's sealed copy
 * of the device key are made here and written in one row.
 */
#include "accounts.h"

#include <string.h>
#include <sodium.h>

#include "store.h"

static int
seal(struct node *n, struct account *a, const char *password)
{
	if (n->key == NULL) {
		rs_seterr("the device key is locked");
		return -1;
	}
	if (ws_hash_password(a->hash, password) != 0 ||
	    ws_seal_key(&a->sealed, n->key, password) != 0)
		return -1;
	return 0;
}

int
account_create(struct node *n, const char *name, int admin, const char *lang,
    const char *email, const char *password)
{
	struct account a;
	enum store_result found = store_account_get(n, name, &a);
	int rc = -1;

	if (found != STORE_NOT_FOUND) {
		if (found == STORE_OK)
			rs_seterr("there is already an account %s (change its password with "
			    "`roster user passwd %s`)", name, name);
		goto out;
	}
	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	a.admin = admin;
	snprintf(a.lang, sizeof(a.lang), "%s", lang);
	snprintf(a.email, sizeof(a.email), "%s", email != NULL ? email : "");
	if (seal(n, &a, password) == 0)
		rc = store_account_put(n, &a, 0);
out:
	sodium_memzero(&a, sizeof(a));
	return rc;
}

int
account_set_password(struct node *n, const char *name, const char *password)
{
	struct account a;
	enum store_result found = store_account_get(n, name, &a);
	int rc = -1;

	if (found != STORE_OK) {
		if (found == STORE_NOT_FOUND)
			rs_seterr("no account %s (see `roster user list`)", name);
		goto out;
	}
	if (seal(n, &a, password) == 0)
		rc = store_account_put(n, &a, 1);
out:
	sodium_memzero(&a, sizeof(a));
	return rc;
}
