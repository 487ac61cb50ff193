/*
 * web.h - the web interface served by `roster serve`: static assets, the
 * local JSON API, local accounts, the TLP forwarding rule, country names.
 *
 *   web.c        static files from share/web/ (webfile.h) with security headers
 *   localapi.c   the JSON API of docs/node-api.md and the request dispatcher
 *   accounts.c   accounts in node.db and `roster user`
 *   countries.c  country names per language from iso-codes
 *   tlp.c        may a message be forwarded? (TLP 2.0 and the sender's choice)
 */
#ifndef ROSTER_WEB_H
#define ROSTER_WEB_H

#include <pthread.h>
#include <stddef.h>

#include "node.h"
#include "websession.h"

/* The six UN languages the interface speaks. */
extern const char *const web_langs[];
int web_lang_ok(const char *lang);

/* accounts.c */
struct account {
	char name[WS_NAME_MAX + 1];
	int admin;
	char lang[8];
	char email[256];
	char hash[128];
	struct ws_sealed sealed;
};
int accounts_schema(sqlite3 *db);
/* Number of accounts, or -1. */
int accounts_count(sqlite3 *db);
/* 0 found, 1 no such account, -1 store error. */
int account_get(sqlite3 *db, const char *name, struct account *a);
int account_set_prefs(sqlite3 *db, const char *name, const char *lang, const char *email);
int cmd_user(int argc, char **argv);

/* countries.c: {"XX": "name in lang", ...}; names the iso-codes package
 * does not translate stay in English.  NULL with rs_err. */
json_t *countries_json(const char *lang);

/* web.c: answers a GET for a static file (anything outside /api/). */
void web_static(const struct http_req *req, struct http_resp *resp);
/* The security headers every answer carries. */
void web_headers(struct http_resp *resp);

/* localapi.c: the serve loop's side.  web_init checks that a node
 * listening beyond loopback has accounts (sign-in is then required) and
 * readies the session table; web_handle is the HTTP handler; ctx is the
 * node. */
int web_init(struct node *n, pthread_mutex_t *lock, const char *listen);
void web_set_port(unsigned port);
void web_handle(void *ctx, const struct http_req *req, struct http_resp *resp);
void web_free(void);
/* 1 when the address of "ADDR:PORT" is a loopback one. */
int listen_is_loopback(const char *listen);

#endif
