/*
 * tokens.h - the API tokens of the tools a State connects to its node's
 * TAXII server (tokens.c): made by `roster token add`, checked on every
 * request, revoked at once.
 */
#ifndef ROSTER_NODE_TOKENS_H
#define ROSTER_NODE_TOKENS_H

#include "node.h"
#include "store.h"

#define TOKEN_NAME_MAX		32
#define TOKEN_PREFIX		"rtk_"
#define TOKEN_SECRET_LEN	48	/* "rtk_", 43 characters of base64url, NUL */

/* 1 when name may be a token's: 1 to 32 of a-z 0-9 '.' '_' '-'. */
int token_name_ok(const char *name);
/* Makes token name for the collections in colls (aliases separated by
 * commas, or "all") that may write to the outboxes among them (write);
 * the secret, shown once and stored only as its SHA-256, into secret.
 * -1 with rs_err (a bad name or alias, a current token of that name). */
int token_create(struct node *n, const char *name, const char *colls, int write,
    char secret[TOKEN_SECRET_LEN]) __attribute__((warn_unused_result));
/* The current token whose secret this is: STORE_OK (t filled, free it),
 * STORE_NOT_FOUND (none, or revoked), STORE_ERROR. */
enum store_result token_check(struct node *n, const char *secret, struct taxii_token *t)
    __attribute__((warn_unused_result));
/* May token t use the collection called alias? */
int token_covers(const struct taxii_token *t, const char *alias);

#endif
