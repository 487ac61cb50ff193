/*
 * web.h - the web interface that `roster serve` offers: the local JSON API
 * of docs/node-api.md and the static files of share/web/.  This is all the
 * serve loop sees of node/web; web_impl.h is what the files share inside.
 *
 *   server.c     the request handler, the route table, Host checks,
 *                static files with their security headers
 *   auth.c       who is asking: sessions, sign-in and out, CSRF, the
 *                loopback desk, signing with a session's key
 *   views.c      the read-only endpoints (GET)
 *   actions.c    the endpoints that sign or change something (POST)
 *   countries.c  country names per language from iso-codes
 *   metrics.c    GET /metrics (Prometheus) on a listener of its own
 */
#ifndef ROSTER_WEB_H
#define ROSTER_WEB_H

#include <pthread.h>

#include "core/node.h"
#include "http.h"

struct web;

/* Checks that a node listening beyond loopback has accounts (sign-in is
 * then required) and readies the session table.  lock is the serve loop's
 * store lock, taken around every use of n.  NULL with rs_err. */
struct web *web_init(struct node *n, pthread_mutex_t *lock, const char *listen);
/* The port the server got (for the Host check on loopback). */
void web_set_port(struct web *w, unsigned port);
/* What wakes the serve loop when an action queued something for the hub:
 * the web's handlers never talk to the hub under the lock (n->offline),
 * the loop's next pass does. */
void web_set_wake(struct web *w, void (*wake)(void *), void *arg);
/* The security headers every answer carries (CSP, X-Frame-Options,
 * nosniff, Referrer-Policy), for the server's own refusals too
 * (http_limits.headers). */
extern const char web_security_headers[];
/* The HTTP handler (lib/http.h); ctx is the struct web. */
void web_handle(void *ctx, const struct http_req *req, struct http_resp *resp);
void web_free(struct web *w);
/* The node's metrics (metrics.c) on listen ("ADDR:PORT"), read under lock;
 * NULL with rs_err. */
struct web_metrics;
struct web_metrics *web_metrics_start(struct node *n, pthread_mutex_t *lock,
    const char *listen);
unsigned web_metrics_port(struct web_metrics *m);
void web_metrics_stop(struct web_metrics *m);

/* 1 when the address of "ADDR:PORT" is a loopback one. */
int listen_is_loopback(const char *listen);

#endif
