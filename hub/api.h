/*
 * api.h - the hub's HTTP API (docs/protocol.md section 5) as one handler for
 * lib/http.h's server.
 */
#ifndef ROSTER_HUB_API_H
#define ROSTER_HUB_API_H

#include "http.h"
#include "httpsig.h"
#include "sequencer.h"
#include "store.h"
#include "workpool.h"

#define API_MAX_BATCH		10000	/* envelopes per POST */
#define API_MAX_RECORDS		1000	/* records per listing */
#define API_MAX_PAGE_BYTES	((size_t)4 << 20)	/* envelope bytes per page, after the first record */
#define API_MAX_PROOFS		1000	/* indexes per inclusion request */
#define API_CHUNK		32	/* envelopes per unit of parallel work */
#define API_PART		256	/* envelopes per pipelined part of a batch */

struct api {
	struct store *s;
	struct sequencer *q;
	struct nonce_cache *nonces;
	struct workpool *pool;		/* verification and signing; may be NULL */
};

/* One listing record: {"index","time","envelope","proof"} with its
 * inclusion proof at size, and "pindex" when pindex >= 0 (NULL on error). */
json_t *api_record(struct store *s, uint64_t size, uint64_t idx, int64_t time,
    int64_t pindex, const void *env, size_t len);
/* A decimal query parameter; -1 after answering 400. */
int api_query_int(const struct http_req *req, struct http_resp *resp,
    const char *name, int required, int64_t def, int64_t min, int64_t max,
    int64_t *out);

/* checks.c: GET /v1/checks/report (the hub's figures). */
void checks_get_report(struct api *a, const struct http_req *req,
    struct http_resp *resp);
/* Request authentication: 0 with the signing device's key, or -1 after
 * answering 401 (bad signature, replayed nonce) or 403 (not a current
 * device).  api_device_ok is the directory half alone. */
int api_authenticate(struct api *a, const struct http_req *req,
    struct http_resp *resp, uint8_t key[32]);
int api_device_ok(struct api *a, const uint8_t key[32], struct http_resp *resp);
/* GET /v1/catalogue, in catalogue_route.c. */
void api_get_catalogue(struct api *a, const struct http_req *req,
    struct http_resp *resp);

/* http_handler: ctx is a struct api. */
void api_handle(void *ctx, const struct http_req *req, struct http_resp *resp);

#endif
