/*
 * taxii_server.h - the TAXII 2.1 server that `roster serve` offers a State's CERT
 * tools, beside the web interface, on the same address (docs/taxii.md).
 * The third front end over node/core: it parses, calls core, and
 * serializes; it holds no SQL and asks the hub nothing.  This is all the
 * serve loop sees of node/taxii; taxii_impl.h is what its files share.
 *
 *   server.c    the handler: every /taxii2/ request, as a streamed route
 *               (so a body has TAXII's limit and a TAXII error, not the
 *               web's), media types, the route table, errors
 *   auth.c      who is asking: a token, or an account's password (HTTP
 *               Basic), with the sign-in limiter and a short cache
 *   read.c      discovery, API root, collections, objects, manifest, one
 *               object, versions, status (GET) and deletion
 *   post.c      POST to an outbox: validate, compose, sign, status
 */
#ifndef ROSTER_TAXII_SERVER_H
#define ROSTER_TAXII_SERVER_H

#include <pthread.h>

#include "core/node.h"
#include "http.h"

struct taxii;

/* The server over n, which the serve loop shares under lock.  loopback
 * and tls say where and how serve listens (beyond loopback, TAXII refuses
 * plain HTTP: credentials would cross the network in clear).  kick(kick_arg) is called after a POST put a message in the
 * outbox, so the loop sends it now.  NULL with rs_err (the next-token key
 * cannot be read). */
struct taxii *taxii_init(struct node *n, pthread_mutex_t *lock, int loopback, int tls,
    void (*kick)(void *), void *kick_arg);
/* Takes every GET, POST and delete request under /taxii2 on srv (streamed routes).
 * -1 with rs_err. */
int taxii_attach(struct taxii *t, struct http_server *srv) __attribute__((warn_unused_result));
/* 1 when path is TAXII's (/taxii2 and below). */
int taxii_path(const char *path);
/* Any other method under /taxii2 (the handler serve calls for those). */
void taxii_handle(void *ctx, const struct http_req *req, struct http_resp *resp);
/* Files what the store holds unfiled (a store from before); under lock. */
int taxii_backfill(struct taxii *t) __attribute__((warn_unused_result));
void taxii_free(struct taxii *t);

#endif
