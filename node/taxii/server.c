/*
 * server.c - the front door of the node's TAXII 2.1 server: every request
 * under /taxii2, in this order:
 *
 *   1. beyond loopback without TLS, nothing (403): a tool's credentials
 *      would cross the network in clear, and a token may sign;
 *   2. who is asking (auth.c): 401 with the challenge, or 429;
 *   3. Accept (406, or 400 when it does not parse);
 *   4. the path (lib/taxii_req.c: 404 naming what was expected), the
 *      method (405 with Allow), the query parameters the endpoint takes
 *      (400 naming the parameter);
 *   5. the endpoint (read.c, post.c), under the front ends' lock except
 *      for a POST, whose validation runs outside it.
 *
 * Every answer, errors included, is application/taxii+json;version=2.1
 * with a TAXII error object for a refusal.  To keep that true of a body
 * too large, the requests are streamed routes of lib/http_server.c: the
 * body is bounded here (max_content_length, 8 MiB: the bundle limit of
 * lib/stix.h), and a larger one is a TAXII 413, announced or not.
 *
 * The server keeps no state between requests but the sign-in limiter and
 * a few minutes' cache of accounts' checked passwords (auth.c): paging
 * lives in the client's next token (lib/taxii_next.c), under a key in
 * NODEDIR/taxii-next.key, so a walk survives a restart.
 */
#include "taxii_impl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/stixstore.h"
#include "core/tokens.h"
#include "core/collections.h"
#include "jsonutil.h"

/* ---- answers ----------------------------------------------------------------- */

void
taxii_header(struct http_resp *resp, const char *name, const char *value)
{
	size_t used = strnlen(resp->extra_headers, sizeof(resp->extra_headers));

	snprintf(resp->extra_headers + used, sizeof(resp->extra_headers) - used,
	    "%s: %s\r\n", name, value);
}

void
taxii_json(struct http_resp *resp, int status, json_t *j)
{
	http_resp_json(resp, status, j);
	resp->content_type = TAXII_MEDIA_TYPE;
}

void
taxii_fail(struct http_resp *resp, int status, const char *title, const char *fmt, ...)
{
	char msg[RS_ERRLEN + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	taxii_json(resp, status, taxii_error(status, title, msg));
}

/* ---- rights ------------------------------------------------------------------ */

void
taxii_rights(const struct who *w, const struct taxii_coll *coll, int *can_read,
    int *can_write)
{
	*can_read = *can_write = 0;
	if (w->account) {
		*can_read = 1;		/* accounts read; tools write, with a token */
		return;
	}
	if (!w->token)
		return;
	if (!MUTANT(taxiiscope) && !token_covers(&w->t, coll->alias))
		return;		/* a collection the token was not made for */
	*can_read = 1;
	*can_write = w->t.write && strcmp(coll->kind, "outbox") == 0;
}

int
taxii_collection(const struct call *c, struct taxii_coll *coll, int *can_read,
    int *can_write, struct http_resp *resp)
{
	switch (store_taxii_coll_get(c->x->n, c->route.collection, NULL, coll)) {
	case STORE_OK:
		break;
	case STORE_NOT_FOUND:
		taxii_fail(resp, 404, "No such collection", "no collection %s here (GET "
		    "/taxii2/%s/collections/ lists them)", c->route.collection, TAXII_ROOT);
		return -1;
	default:
		taxii_fail(resp, 500, "Store error", "%s", rs_err());
		return -1;
	}
	taxii_rights(c->who, coll, can_read, can_write);
	if (!*can_read && !*can_write) {
		taxii_coll_free(coll);
		taxii_fail(resp, 404, "No such collection", "no collection %s here for %s",
		    c->route.collection, c->who->name);
		return -1;
	}
	return 0;
}

/* ---- the context ------------------------------------------------------------------ */

int
taxii_path(const char *path)
{
	return strncmp(path, "/taxii2", 7) == 0 && (path[7] == '/' || path[7] == '\0');
}

struct taxii *
taxii_init(struct node *n, pthread_mutex_t *lock, int loopback, int tls,
    void (*kick)(void *), void *kick_arg)
{
	struct taxii *x = xcalloc(1, sizeof(*x));
	char path[4096];

	x->n = n;
	x->lock = lock;
	x->loopback = loopback;
	x->tls = tls;
	x->kick = kick;
	x->kick_arg = kick_arg;
	snprintf(path, sizeof(path), "%s/taxii-next.key", n->dir);
	if (taxii_key_load(path, x->next_key) != 0 ||
	    ws_hash_password(x->dummy_hash, "no such account, no such password") != 0) {
		taxii_free(x);
		return NULL;
	}
	randombytes_buf(x->cache_key, sizeof(x->cache_key));
	pthread_mutex_init(&x->cache_mu, NULL);
	x->limiter = ws_table_new();
	pthread_mutex_lock(lock);
	if (coll_ensure(n, "received") != 0 || coll_ensure(n, "sent") != 0) {
		pthread_mutex_unlock(lock);
		taxii_free(x);
		return NULL;
	}
	pthread_mutex_unlock(lock);
	return x;
}

int
taxii_backfill(struct taxii *x)
{
	int count = 0, rc;

	pthread_mutex_lock(x->lock);
	rc = stixstore_backfill(x->n, &count);
	pthread_mutex_unlock(x->lock);
	if (rc == 0 && count > 0)
		printf("roster: %d message%s filed into the TAXII collections\n", count,
		    count == 1 ? "" : "s");
	return rc;
}

void
taxii_free(struct taxii *x)
{
	if (x == NULL)
		return;
	if (x->limiter != NULL) {
		ws_table_free(x->limiter);
		pthread_mutex_destroy(&x->cache_mu);
	}
	sodium_memzero(x, sizeof(*x));
	free(x);
}

/* ---- one request -------------------------------------------------------------------- */

static const struct {
	enum taxii_endpoint ep;
	const char *method;
	unsigned query;			/* the parameters it takes */
	void (*fn)(const struct call *, struct http_resp *);
	int locked;			/* runs under the front ends' lock */
} routes[] = {
	{ TAXII_EP_DISCOVERY, "GET", TAXII_Q_NONE, taxii_discovery, 1 },
	{ TAXII_EP_ROOT, "GET", TAXII_Q_NONE, taxii_api_root, 1 },
	{ TAXII_EP_STATUS, "GET", TAXII_Q_NONE, taxii_status, 1 },
	{ TAXII_EP_COLLECTIONS, "GET", TAXII_Q_NONE, taxii_collections, 1 },
	{ TAXII_EP_COLLECTION, "GET", TAXII_Q_NONE, taxii_get_collection, 1 },
	{ TAXII_EP_OBJECTS, "GET", TAXII_Q_OBJECTS, taxii_get_objects, 1 },
	{ TAXII_EP_OBJECTS, "POST", TAXII_Q_NONE, taxii_post_objects, 0 },
	{ TAXII_EP_OBJECT, "GET", TAXII_Q_OBJECT, taxii_get_object, 1 },
	{ TAXII_EP_OBJECT, "DELETE", TAXII_Q_DELETE, taxii_delete_object, 1 },
	{ TAXII_EP_VERSIONS, "GET", TAXII_Q_VERSIONS, taxii_get_versions, 1 },
	{ TAXII_EP_MANIFEST, "GET", TAXII_Q_OBJECTS, taxii_get_manifest, 1 },
};

static void
handle(struct taxii *x, const struct http_req *req, const uint8_t *body, size_t len,
    struct http_resp *resp)
{
	struct who who;
	struct call c;
	struct taxii_query q;
	const char *qs = req->target != NULL ? strchr(req->target, '?') : NULL;
	size_t i;

	if (!x->loopback && !x->tls) {
		taxii_fail(resp, 403, "TLS required", "this node serves TAXII beyond loopback "
		    "only over HTTPS (start roster serve with --tls-cert and --tls-key): a "
		    "tool's credentials must not cross the network in clear");
		return;
	}
	if (taxii_identify(x, req, &who, resp) != 0)
		return;
	memset(&c, 0, sizeof(c));
	c.x = x;
	c.req = req;
	c.who = &who;
	c.query = qs != NULL ? qs + 1 : NULL;
	c.body = body;
	c.body_len = len;
	switch (taxii_accept(http_req_header(req, "Accept"))) {
	case TAXII_MEDIA_OK:
		break;
	case TAXII_MEDIA_UNSUPPORTED:
		taxii_fail(resp, 406, "Not Acceptable", "%s", rs_err());
		goto out;
	default:
		taxii_fail(resp, 400, "Bad Accept header", "%s", rs_err());
		goto out;
	}
	if (taxii_route_parse(req->path, TAXII_ROOT, &c.route) != TAXII_ROUTE_OK) {
		taxii_fail(resp, 404, "Not Found", "%s", rs_err());
		goto out;
	}
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (routes[i].ep == c.route.ep && strcmp(routes[i].method, req->method) == 0)
			break;
	if (i == sizeof(routes) / sizeof(routes[0])) {
		taxii_header(resp, "Allow", taxii_methods(c.route.ep));
		taxii_fail(resp, 405, "Method Not Allowed", "%s is not allowed here (allowed: %s)",
		    req->method, taxii_methods(c.route.ep));
		goto out;
	}
	/* parameters an endpoint does not take are refused where TAXII has them
	 * (lib/taxii_query.c); checked here for every endpoint, so a typo is a
	 * 400 everywhere */
	if (taxii_query_parse(&q, c.query, routes[i].query) != 0) {
		taxii_fail(resp, 400, "Bad query", "%s", rs_err());
		taxii_query_free(&q);
		goto out;
	}
	taxii_query_free(&q);
	if (routes[i].locked) {
		pthread_mutex_lock(x->lock);
		routes[i].fn(&c, resp);
		pthread_mutex_unlock(x->lock);
	} else
		routes[i].fn(&c, resp);
out:
	taxii_who_free(&who);
}

/* ---- streamed routes ---------------------------------------------------------------- */

struct pending_req {
	struct taxii *x;
	struct buf body;
	int too_large;
};

static void
too_large(struct http_resp *resp)
{
	taxii_fail(resp, 413, "Payload Too Large", "a request body is at most %zu bytes "
	    "(the API root's max_content_length)", (size_t)TAXII_MAX_BODY);
}

static void *
st_begin(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	const char *cl = http_req_header(req, "Content-Length");
	struct pending_req *p;

	if (cl != NULL && (strspn(cl, "0123456789") != strlen(cl) || strlen(cl) > 12 ||
	    strtoull(cl, NULL, 10) > TAXII_MAX_BODY)) {
		too_large(resp);
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->x = ctx;
	return p;
}

static void
st_data(void *st, const void *data, size_t n)
{
	struct pending_req *p = st;

	if (p->too_large)
		return;
	if (n > TAXII_MAX_BODY - p->body.len) {
		p->too_large = 1;
		buf_free(&p->body);
		return;
	}
	buf_add(&p->body, data, n);
}

static void
st_free(void *st)
{
	struct pending_req *p = st;

	if (p->body.p != NULL)
		sodium_memzero(p->body.p, p->body.len);
	buf_free(&p->body);
	free(p);
}

static void
st_end(void *st, const struct http_req *req, struct http_resp *resp)
{
	struct pending_req *p = st;

	if (p->too_large)
		too_large(resp);
	else
		handle(p->x, req, p->body.p, p->body.len, resp);
	st_free(p);
}

static const struct http_stream_ops ops = {
	.begin = st_begin, .data = st_data, .end = st_end, .abort = st_free,
};

int
taxii_attach(struct taxii *x, struct http_server *srv)
{
	static const char *methods[] = { "GET", "POST", "DELETE" };

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (http_server_stream(srv, methods[i], "/taxii2", &ops, x) != 0)
			return -1;
	return 0;
}

void
taxii_handle(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	handle(ctx, req, req->body, req->body_len, resp);
}
