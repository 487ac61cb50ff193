/*
 * taxii_impl.h - what the files of node/taxii share: the server's context,
 * who is asking, one request as the route table matched it, and the
 * response helpers every answer goes through (so that each one, errors
 * included, is application/taxii+json;version=2.1).  See taxii_server.h.
 */
#ifndef ROSTER_TAXII_IMPL_H
#define ROSTER_TAXII_IMPL_H

#include <pthread.h>
#include <stdint.h>
#include <jansson.h>

#include "core/store.h"
#include "http.h"
#include "taxii.h"		/* lib/taxii.h: the pure parts */
#include "taxii_server.h"
#include "websession.h"

#define TAXII_ROOT		"roster"	/* the one API root: /taxii2/roster/ */
#define TAXII_MAX_BODY		STIX_MAX_BUNDLE	/* max_content_length */
#define TAXII_PAGE_DEFAULT	100
#define TAXII_PAGE_MAX		1000
#define TAXII_PAGE_BYTES	(4u << 20)	/* a page stops growing past this */
#define TAXII_CACHE		64		/* accounts' passwords checked lately */
#define TAXII_CACHE_MS		(5 * 60 * 1000)

struct cached_login {
	uint8_t key[32];		/* keyed hash of user and password */
	uint8_t hash[32];		/* of the account's stored password hash */
	char user[WS_NAME_MAX + 1];
	int64_t until;
};

struct taxii {
	struct node *n;
	pthread_mutex_t *lock;		/* around every use of n, the node handle the web
					 * and TAXII share (the sync loop has its own) */
	struct ws_table *limiter;	/* failed sign-ins per account name */
	uint8_t next_key[32];		/* the next tokens' (NODEDIR/taxii-next.key) */
	uint8_t cache_key[32];		/* random, this process */
	pthread_mutex_t cache_mu;
	struct cached_login cache[TAXII_CACHE];
	char dummy_hash[128];		/* checked for unknown names */
	int loopback, tls;
	void (*kick)(void *);
	void *kick_arg;
};

/* Who is asking. */
struct who {
	int account;			/* 1: an account (reads everything) */
	int token;			/* 1: a token (t) */
	char name[64];			/* the account's or the token's */
	struct taxii_token t;
};

/* One request. */
struct call {
	struct taxii *x;
	const struct http_req *req;
	struct who *who;
	struct taxii_route route;
	const char *query;		/* the raw query string, or NULL */
	const uint8_t *body;
	size_t body_len;
};

/* ---- server.c: every answer ---- */
void taxii_json(struct http_resp *resp, int status, json_t *j);
void taxii_fail(struct http_resp *resp, int status, const char *title,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Appends "Name: value\r\n" to the response's headers. */
void taxii_header(struct http_resp *resp, const char *name, const char *value);
/* The collection of c's path that who may see (404 otherwise); under
 * lock.  0, or -1 after answering. */
int taxii_collection(const struct call *c, struct taxii_coll *coll,
    int *can_read, int *can_write, struct http_resp *resp);
/* What who may do with coll. */
void taxii_rights(const struct who *w, const struct taxii_coll *coll, int *can_read,
    int *can_write);

/* ---- auth.c ---- */
/* Fills who from the Authorization header: 0, or -1 after answering 401
 * (with the challenge) or 429.  Not under lock (takes it). */
int taxii_identify(struct taxii *x, const struct http_req *req, struct who *who,
    struct http_resp *resp);
void taxii_who_free(struct who *who);

/* ---- read.c ---- */
void taxii_discovery(const struct call *c, struct http_resp *resp);
void taxii_api_root(const struct call *c, struct http_resp *resp);
void taxii_status(const struct call *c, struct http_resp *resp);
void taxii_collections(const struct call *c, struct http_resp *resp);
void taxii_get_collection(const struct call *c, struct http_resp *resp);
void taxii_get_objects(const struct call *c, struct http_resp *resp);
void taxii_get_manifest(const struct call *c, struct http_resp *resp);
void taxii_get_object(const struct call *c, struct http_resp *resp);
void taxii_get_versions(const struct call *c, struct http_resp *resp);
void taxii_delete_object(const struct call *c, struct http_resp *resp);

/* ---- post.c ---- */
/* POST objects/: not under lock (validation and composing run outside). */
void taxii_post_objects(const struct call *c, struct http_resp *resp);

#endif
