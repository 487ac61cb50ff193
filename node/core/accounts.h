/*
 * accounts.h - the node's local accounts for the web interface.
 *
 * An account keeps an Argon2id hash of its password and its own copy of
 * this node's device key, sealed under a key derived from the password
 * (lib/websession.h): signing in unseals that copy for the session, so
 * what a user signs in the browser is signed with the key their sign-in
 * opened.  Creating an account or changing its password therefore needs
 * the device key (n->key).  The rows live in node.db (store_local.c);
 * `roster user` (node/cli/user.c) and the web's sign-in (node/web/auth.c)
 * both come here.
 */
#ifndef ROSTER_NODE_ACCOUNTS_H
#define ROSTER_NODE_ACCOUNTS_H

#include "node.h"
#include "websession.h"

struct account {
	char name[WS_NAME_MAX + 1];
	int admin;
	char lang[8];
	char email[256];
	char hash[128];
	struct ws_sealed sealed;
};

/* A new account (refused when the name is taken), or a new password for
 * an existing one: hashes the password and seals n->key under it.  0, or
 * -1 with rs_err. */
int account_create(struct node *n, const char *name, int admin, const char *lang,
    const char *email, const char *password) __attribute__((warn_unused_result));
int account_set_password(struct node *n, const char *name, const char *password)
    __attribute__((warn_unused_result));

#endif
